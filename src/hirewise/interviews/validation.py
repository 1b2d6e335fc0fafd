"""Field checks shared by the interview plan and scheduling use cases."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from hirewise.errors import ValidationFailed

DURATION_RANGE = (15, 480)
MAX_INTERVIEWERS = 20
COMMON_TIMEZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n]")


@cache
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


class FieldErrors:
    """Collects field errors so one ValidationFailed reports every bad field at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise ValidationFailed(first, self.fields)


def single_line(
    errors: FieldErrors, name: str, label: str, value: str, max_chars: int, *, required: bool
) -> str:
    text = (value or "").strip()
    if required and not text:
        errors.add(name, f"{label} is required.")
    elif len(text) > max_chars:
        errors.add(name, f"{label} must be at most {max_chars} characters.")
    elif _CONTROL.search(text) or _LINE_BREAK.search(text):
        errors.add(name, f"{label} must be a single line of text.")
    return text


def check_duration(errors: FieldErrors, value: Any) -> int:
    low, high = DURATION_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.add("duration_minutes", f"The duration must be between {low} and {high} minutes.")
        return 0
    return value


def int_ids(values: Iterable[Any]) -> list[int]:
    ids: list[int] = []
    for value in values:
        number = int(value)
        if number not in ids:
            ids.append(number)
    return ids
