"""How alike two candidates' answers are, as an integrity signal for reviewers (never a verdict).

Character 5-gram shingles after folding case and whitespace, compared with the Jaccard index: it
notices copied text even when a few words were changed, and two short independent answers that
say the same thing in their own words stay far apart. Answers shorter than ``MIN_CHARS`` are not
compared, because every short correct answer looks like every other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

SHINGLE = 5
MIN_CHARS = 40
_SPACE = re.compile(r"\s+")


def shingles(text: str) -> frozenset[str]:
    folded = _SPACE.sub(" ", text.casefold()).strip()
    if len(folded) < MIN_CHARS:
        return frozenset()
    return frozenset(folded[i : i + SHINGLE] for i in range(len(folded) - SHINGLE + 1))


def jaccard(left: frozenset[str], right: frozenset[str]) -> float:
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


@dataclass(frozen=True, slots=True)
class NearestAnswer:
    other_id: int
    similarity: float  # 0..1, rounded to 3 places


def nearest(text: str, others: Iterable[tuple[int, str]]) -> NearestAnswer | None:
    """The most similar of ``others`` (id, text) to ``text``; None when nothing is comparable."""
    mine = shingles(text)
    if not mine:
        return None
    best: NearestAnswer | None = None
    for other_id, other_text in others:
        score = jaccard(mine, shingles(other_text))
        if score > 0 and (best is None or score > best.similarity):
            best = NearestAnswer(other_id, round(score, 3))
    return best
