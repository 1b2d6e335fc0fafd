"""What the fit score is computed from: one piece of evidence about one skill of a scorecard.

Everything is on the interview rating scale, 1 (strong no) .. 4 (strong yes), so a rating from an
interviewer's scorecard and a result from an assessment can be averaged together. "Not assessed" is
not evidence: the caller leaves it out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

EvidenceSource = Literal["interview", "assessment"]
EVIDENCE_SOURCES: tuple[EvidenceSource, ...] = ("interview", "assessment")

STRONG_NO = 1
NO = 2
YES = 3
STRONG_YES = 4
RATING_MIN = float(STRONG_NO)
RATING_MAX = float(STRONG_YES)
RATING_RANGE = RATING_MAX - RATING_MIN
INTERVIEW_RATINGS = (STRONG_NO, NO, YES, STRONG_YES)


def assessment_to_rating(fraction: float) -> float:
    """Map an assessment result (share of the maximum, 0..1) linearly onto the 1..4 rating scale.

    ``rating = 1 + 3 * fraction``: 0 → 1 (strong no), 1/3 → 2 (no), 2/3 → 3 (yes), 1 → 4 (strong yes),
    so the default pass bar of 3.0 means "two thirds of the assessment". Linear on purpose: the
    scale's steps are equally spaced, and any curve would be a hiring policy the opening's pass bar
    already expresses.
    """
    if not _is_finite_number(fraction) or not 0.0 <= fraction <= 1.0:
        raise ValueError(f"An assessment result must be a fraction between 0 and 1, got {fraction!r}.")
    return RATING_MIN + RATING_RANGE * float(fraction)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One observation of a skill.

    ``score`` is on the 1..4 scale. ``weight`` says how much this observation counts relative to
    others of the same skill (1.0 is one ordinary interview rating; a less reliable source counts
    less). ``author`` and ``reference`` are carried for the explanation and for linking back, e.g.
    the interviewer's name and ``"feedback:42"``; the computation never reads them.
    """

    skill_id: int
    source: EvidenceSource
    score: float
    weight: float = 1.0
    author: str | None = None
    reference: str | None = None

    def __post_init__(self) -> None:
        if self.source not in EVIDENCE_SOURCES:
            raise ValueError(f"Unknown evidence source {self.source!r}: expected one of {EVIDENCE_SOURCES}.")
        if not _is_finite_number(self.score) or not RATING_MIN <= self.score <= RATING_MAX:
            raise ValueError(f"An evidence score must be between 1 and 4, got {self.score!r}.")
        if not _is_finite_number(self.weight) or self.weight <= 0:
            raise ValueError(f"An evidence weight must be a positive number, got {self.weight!r}.")
        # Stored as floats so the scoring can rely on float methods whatever number type came in.
        object.__setattr__(self, "score", float(self.score))
        object.__setattr__(self, "weight", float(self.weight))

    @classmethod
    def from_rating(
        cls,
        skill_id: int,
        rating: int,
        *,
        weight: float = 1.0,
        author: str | None = None,
        reference: str | None = None,
    ) -> Evidence:
        """Evidence from an interviewer's 4-point rating (1 strong no, 2 no, 3 yes, 4 strong yes)."""
        if isinstance(rating, bool) or rating not in INTERVIEW_RATINGS:
            raise ValueError(f"An interview rating must be one of {INTERVIEW_RATINGS}, got {rating!r}.")
        return cls(skill_id, "interview", float(rating), weight, author, reference)

    @classmethod
    def from_assessment(
        cls,
        skill_id: int,
        fraction: float,
        *,
        weight: float = 1.0,
        author: str | None = None,
        reference: str | None = None,
    ) -> Evidence:
        """Evidence from an assessment result given as a share of its maximum (see ``assessment_to_rating``)."""
        return cls(skill_id, "assessment", assessment_to_rating(fraction), weight, author, reference)


_NUMBER_TYPES = (int, float)  # a tuple: `int | float` would build a new union object on every call


def _is_finite_number(value: object) -> bool:
    if type(value) is float or type(value) is int:  # the common case, without isinstance's MRO walk
        return math.isfinite(value)
    return isinstance(value, _NUMBER_TYPES) and not isinstance(value, bool) and math.isfinite(value)
