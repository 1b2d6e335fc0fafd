"""Small wording helpers shared by every feature (pure Python: the scoring package uses them too)."""

from __future__ import annotations


def counted(number: int, noun: str) -> str:
    """ "1 application", "2 applications": summaries, audit lines and notices read as sentences."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
