"""Fit score of one application against an opening's scorecard, from all its evidence.

Pure Python on purpose (no Flask, no SQLAlchemy): services turn rows into ``SkillSpec`` and
``Evidence`` values, and the same function serves the debrief, the comparison and the ranking.

Formulas (scores on the 1..4 rating scale):

- skill score ``s = Σ wᵢ·xᵢ / Σ wᵢ`` over the skill's evidence (weighted mean; ``None`` without
  evidence). Computed with exact fractions and rounded once, so the evidence order never changes it
  and adding a rating at least as high as the others never lowers it, not even by a rounding error.
- spread ``sd = √(Σ wᵢ·(xᵢ - s)² / Σ wᵢ)`` (weighted standard deviation), at most 1.5 on this scale
  (half the evidence at 1, half at 4).
- confidence ``n / (n + k) · (1 - sd / 1.5)`` with ``n = Σ wᵢ`` (one ordinary rating counts 1) and
  ``k = CONFIDENCE_PRIOR = 1``: one rating gives 0.5, two agreeing ratings 0.67, four 0.8; an even
  split of 1s and 4s gives 0 whatever its size, because its mean of 2.5 says nothing about the candidate.
- gate: ``failed`` when an assessed must-have scores below its pass bar, else ``incomplete`` when a
  must-have has no evidence (never counted as passed), else ``passed``.
- fit ``100 · Σ W·(s - 1)/3 / Σ W`` over the skills *with evidence* (W is the skill's weight), so a
  skill nobody assessed neither helps nor hurts; ``coverage = Σ W(assessed) / Σ W(all)`` says how much
  of the scorecard that is. A skill's contribution is its term of that sum: contributions add up to
  the fit. ``None`` when there is no evidence at all. Because the fit is over assessed skills, the
  first rating of a skill moves it towards that rating (a low first rating can lower it); any later
  rating at least as high as the skill's others never lowers it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, Protocol, TypeVar

from hirewise.scoring.evidence import RATING_MAX, RATING_MIN, RATING_RANGE, Evidence
from hirewise.text import counted

SkillKindName = Literal["must_have", "nice_to_have"]
MUST_HAVE: SkillKindName = "must_have"
NICE_TO_HAVE: SkillKindName = "nice_to_have"
KIND_LABELS: dict[str, str] = {MUST_HAVE: "must-have", NICE_TO_HAVE: "nice-to-have"}

Gate = Literal["passed", "incomplete", "failed"]
GATE_ORDER: dict[str, int] = {"passed": 0, "incomplete": 1, "failed": 2}

CONFIDENCE_PRIOR = 1.0
MAX_SPREAD = RATING_RANGE / 2
# Above this share of the maximum spread the explanation points out that the evidence disagrees.
DISAGREEMENT_THRESHOLD = 0.5


def parse_kind(value: str) -> SkillKindName:
    """Check a stored skill kind (e.g. a ``SkillKind`` member) and return it as a ``SkillKindName``."""
    if value == MUST_HAVE:
        return MUST_HAVE
    if value == NICE_TO_HAVE:
        return NICE_TO_HAVE
    raise ValueError(f"Unknown skill kind {value!r}: expected {MUST_HAVE!r} or {NICE_TO_HAVE!r}.")


class SkillLike(Protocol):
    """What ``SkillSpec.of`` reads from a scorecard row (an opening's or a kit's skill)."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def weight(self) -> float: ...
    @property
    def pass_bar(self) -> float: ...


@dataclass(frozen=True, slots=True)
class SkillSpec:
    """One skill of the scorecard: its weight in the fit and, for a must-have, the bar it must reach."""

    skill_id: int
    name: str
    kind: SkillKindName
    weight: float = 1.0
    pass_bar: float = 3.0

    def __post_init__(self) -> None:
        parse_kind(self.kind)
        if not _finite(self.weight) or self.weight <= 0:
            raise ValueError(
                f"Skill {self.name!r}: the weight must be a positive number, got {self.weight!r}."
            )
        if not _finite(self.pass_bar) or not RATING_MIN <= self.pass_bar <= RATING_MAX:
            raise ValueError(
                f"Skill {self.name!r}: the pass bar must be between 1 and 4, got {self.pass_bar!r}."
            )

    @classmethod
    def of(cls, skill: SkillLike) -> SkillSpec:
        return cls(skill.id, skill.name, parse_kind(skill.kind), float(skill.weight), float(skill.pass_bar))

    @property
    def is_must_have(self) -> bool:
        return self.kind == MUST_HAVE


@dataclass(frozen=True, slots=True)
class SkillResult:
    skill_id: int
    name: str
    kind: SkillKindName
    weight: float
    pass_bar: float
    score: float | None
    confidence: float
    evidence_count: int
    interview_count: int
    assessment_count: int
    spread: float | None
    lowest: float | None
    highest: float | None
    # Must-haves only: at or above the pass bar; None for nice-to-haves and unassessed must-haves.
    passed: bool | None
    contribution: float

    @property
    def assessed(self) -> bool:
        return self.score is not None

    def to_dict(self) -> dict[str, Any]:
        return {field: getattr(self, field) for field in self.__slots__}


@dataclass(frozen=True, slots=True)
class FitResult:
    skills: tuple[SkillResult, ...]
    gate: Gate
    failed_skills: tuple[int, ...]
    unassessed_must_haves: tuple[int, ...]
    fit: float | None
    coverage: float
    evidence_count: int
    # Evidence about skills that are not on the scorecard (e.g. a skill removed since): not counted.
    unmatched_evidence: int
    explanation: tuple[str, ...]

    def skill(self, skill_id: int) -> SkillResult:
        for result in self.skills:
            if result.skill_id == skill_id:
                return result
        raise KeyError(skill_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "gate": self.gate,
            "fit": self.fit,
            "coverage": self.coverage,
            "failed_skills": list(self.failed_skills),
            "unassessed_must_haves": list(self.unassessed_must_haves),
            "evidence_count": self.evidence_count,
            "unmatched_evidence": self.unmatched_evidence,
            "skills": [result.to_dict() for result in self.skills],
            "explanation": list(self.explanation),
        }


@dataclass(frozen=True, slots=True)
class _Stats:
    mean: Fraction
    score: float
    spread: float
    confidence: float
    lowest: float
    highest: float
    interview_count: int
    assessment_count: int


def compute_fit(skills: Sequence[SkillSpec], evidence: Iterable[Evidence]) -> FitResult:
    """Score one application: per-skill scores, the must-have gate, the fit and its explanation."""
    by_skill: dict[int, list[Evidence]] = {}
    for spec in skills:
        if spec.skill_id in by_skill:
            raise ValueError(f"Skill id {spec.skill_id} appears twice in the scorecard.")
        by_skill[spec.skill_id] = []
    unmatched = 0
    for item in evidence:
        bucket = by_skill.get(item.skill_id)
        if bucket is None:
            unmatched += 1
        else:
            bucket.append(item)

    stats = [_skill_stats(by_skill[spec.skill_id]) for spec in skills]
    assessed_weight = math.fsum(
        spec.weight for spec, stat in zip(skills, stats, strict=True) if stat is not None
    )
    total_weight = math.fsum(spec.weight for spec in skills)
    terms = [
        spec.weight * _normalised(stat.score) / assessed_weight * 100 if stat is not None else 0.0
        for spec, stat in zip(skills, stats, strict=True)
    ]
    fit = min(100.0, max(0.0, math.fsum(terms))) if assessed_weight else None
    results = tuple(
        _skill_result(spec, stat, term) for spec, stat, term in zip(skills, stats, terms, strict=True)
    )

    failed = tuple(r.skill_id for r in results if r.passed is False)
    unassessed = tuple(r.skill_id for r in results if r.kind == MUST_HAVE and not r.assessed)
    gate: Gate = "failed" if failed else "incomplete" if unassessed else "passed"
    coverage = min(1.0, assessed_weight / total_weight) if total_weight else 0.0
    return FitResult(
        skills=results,
        gate=gate,
        failed_skills=failed,
        unassessed_must_haves=unassessed,
        fit=fit,
        coverage=coverage,
        evidence_count=sum(r.evidence_count for r in results),
        unmatched_evidence=unmatched,
        explanation=_explain(results, gate, fit, coverage),
    )


class _Orderable(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


KeyT = TypeVar("KeyT", bound=_Orderable)


def rank(results: Mapping[KeyT, FitResult]) -> list[KeyT]:
    """Keys best first: gate passed, then incomplete, then failed; within a gate by fit (no fit last),
    then by coverage, then by key, so equal candidates always come out in the same order."""

    def order(key: KeyT) -> tuple[int, bool, float, float, KeyT]:
        result = results[key]
        fit = result.fit
        return (GATE_ORDER[result.gate], fit is None, -(fit or 0.0), -result.coverage, key)

    return sorted(results, key=order)


def _skill_stats(items: list[Evidence]) -> _Stats | None:
    if not items:
        return None
    total, mean = _exact_weighted_mean(items)
    score = float(mean)
    amount = float(total)
    variance = math.fsum(item.weight * (item.score - score) ** 2 for item in items) / amount
    spread = min(MAX_SPREAD, math.sqrt(variance))
    confidence = amount / (amount + CONFIDENCE_PRIOR) * (1 - spread / MAX_SPREAD)
    interviews = sum(1 for item in items if item.source == "interview")
    return _Stats(
        mean=mean,
        score=score,
        spread=spread,
        confidence=min(1.0, max(0.0, confidence)),
        lowest=min(item.score for item in items),
        highest=max(item.score for item in items),
        interview_count=interviews,
        assessment_count=len(items) - interviews,
    )


def _exact_weighted_mean(items: list[Evidence]) -> tuple[Fraction, Fraction]:
    """Total weight and weighted mean, exactly: float sums would depend on the evidence order."""
    if all(item.weight.is_integer() and item.score.is_integer() for item in items):
        # Interview ratings with whole weights, the common case: integer sums are exact and fast.
        total = sum(int(item.weight) for item in items)
        weighted = sum(int(item.weight) * int(item.score) for item in items)
        return Fraction(total), Fraction(weighted, total)
    weights = [Fraction(item.weight) for item in items]
    exact_total = sum(weights, Fraction(0))
    products = (w * Fraction(item.score) for w, item in zip(weights, items, strict=True))
    return exact_total, sum(products, Fraction(0)) / exact_total


def _skill_result(spec: SkillSpec, stat: _Stats | None, contribution: float) -> SkillResult:
    passed = stat.mean >= Fraction(spec.pass_bar) if stat is not None and spec.is_must_have else None
    return SkillResult(
        skill_id=spec.skill_id,
        name=spec.name,
        kind=spec.kind,
        weight=spec.weight,
        pass_bar=spec.pass_bar,
        score=stat.score if stat is not None else None,
        confidence=stat.confidence if stat is not None else 0.0,
        evidence_count=stat.interview_count + stat.assessment_count if stat is not None else 0,
        interview_count=stat.interview_count if stat is not None else 0,
        assessment_count=stat.assessment_count if stat is not None else 0,
        spread=stat.spread if stat is not None else None,
        lowest=stat.lowest if stat is not None else None,
        highest=stat.highest if stat is not None else None,
        passed=passed,
        contribution=contribution,
    )


def _normalised(score: float) -> float:
    return (score - RATING_MIN) / RATING_RANGE


def _explain(
    results: tuple[SkillResult, ...], gate: Gate, fit: float | None, coverage: float
) -> tuple[str, ...]:
    names = {r.skill_id: r.name for r in results}
    if fit is None:
        headline = "No evidence yet, so no fit score."
    else:
        headline = f"Fit {fit:.1f} of 100 over the assessed skills ({coverage:.0%} of the scorecard weight)."
    if gate == "failed":
        below = ", ".join(names[r.skill_id] for r in results if r.passed is False)
        gate_line = f"Gate failed: below the bar on {below}."
    elif gate == "incomplete":
        missing = ", ".join(r.name for r in results if r.kind == MUST_HAVE and not r.assessed)
        gate_line = f"Gate incomplete: no evidence yet for {missing}."
    else:
        gate_line = "Gate passed: every must-have is at or above its bar."
    return (headline, gate_line, *(_explain_skill(r) for r in results))


def _explain_skill(result: SkillResult) -> str:
    label = f"{result.name} ({KIND_LABELS[result.kind]}, weight {result.weight:g})"
    if result.score is None:
        if result.kind == MUST_HAVE:
            return f"{label}: not assessed → no contribution; needs evidence at or above bar {_num(result.pass_bar)}"
        return f"{label}: not assessed → no contribution"
    line = f"{label}: {_num(result.score)} from {_sources(result)} → contributes {result.contribution:.1f} of 100"
    if result.passed is not None:
        line += f"; {'passes' if result.passed else 'below'} bar {_num(result.pass_bar)}"
    if result.spread is not None and result.spread >= DISAGREEMENT_THRESHOLD * MAX_SPREAD:
        line += f"; evidence disagrees ({_num(result.lowest)} to {_num(result.highest)})"
    return line


def _sources(result: SkillResult) -> str:
    parts = []
    if result.interview_count:
        parts.append(counted(result.interview_count, "rating"))
    if result.assessment_count:
        parts.append(counted(result.assessment_count, "assessment"))
    return " and ".join(parts)


def _num(value: float | None) -> str:
    """1..4 scale values: at least one decimal, at most two (3.0, 3.5, 3.25, 3.33)."""
    text = f"{value:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
