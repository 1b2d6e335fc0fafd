"""Fit scoring core: hand-computed examples, the ranking, validation and the no-Flask promise."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from hirewise.kits.models import SkillKind
from hirewise.scoring import (
    Evidence,
    FitResult,
    SkillSpec,
    assessment_to_rating,
    compute_fit,
    parse_kind,
    rank,
)

SRC_PACKAGE = Path(__file__).resolve().parents[2] / "src" / "hirewise"


def must(skill_id: int, name: str, weight: float = 1.0, pass_bar: float = 3.0) -> SkillSpec:
    return SkillSpec(skill_id, name, "must_have", weight, pass_bar)


def nice(skill_id: int, name: str, weight: float = 1.0) -> SkillSpec:
    return SkillSpec(skill_id, name, "nice_to_have", weight)


def ratings(skill_id: int, *values: int) -> list[Evidence]:
    return [
        Evidence.from_rating(skill_id, value, author=f"interviewer {i}") for i, value in enumerate(values)
    ]


def test_single_skill() -> None:
    """Ratings 3 and 4: score 3.5; spread 0.5; confidence 2/(2+1) * (1 - 0.5/1.5) = 4/9;
    fit (3.5 - 1)/3 * 100 = 83.33."""
    result = compute_fit([must(1, "Flask core", weight=2)], ratings(1, 3, 4))

    skill = result.skill(1)
    assert skill.score == 3.5
    assert skill.spread == pytest.approx(0.5)
    assert skill.confidence == pytest.approx(4 / 9)
    assert skill.evidence_count == 2
    assert skill.passed is True
    assert result.fit == pytest.approx(250 / 3)
    assert skill.contribution == pytest.approx(250 / 3)
    assert result.gate == "passed"
    assert result.coverage == 1.0
    assert result.explanation == (
        "Fit 83.3 of 100 over the assessed skills (100% of the scorecard weight).",
        "Gate passed: every must-have is at or above its bar.",
        "Flask core (must-have, weight 2): 3.5 from 2 ratings → contributes 83.3 of 100; passes bar 3.0",
    )


def test_two_skills_with_different_weights() -> None:
    """API design (weight 4): ratings 3, 4 → 3.5 → (3.5-1)/3 = 5/6.
    Docker (weight 1): rating 2 → (2-1)/3 = 1/3.
    fit = (4 * 5/6 + 1 * 1/3) / (4 + 1) * 100 = (11/3) / 5 * 100 = 73.33;
    contributions 4 * 5/6 / 5 * 100 = 66.67 and 1/3 / 5 * 100 = 6.67, adding up to the fit."""
    skills = [must(1, "RESTful API design", weight=4), nice(2, "Docker")]
    result = compute_fit(skills, [*ratings(1, 3, 4), *ratings(2, 2)])

    assert result.fit == pytest.approx(220 / 3)
    assert result.skill(1).contribution == pytest.approx(200 / 3)
    assert result.skill(2).contribution == pytest.approx(20 / 3)
    assert result.skill(2).passed is None
    assert result.gate == "passed"
    assert (
        "RESTful API design (must-have, weight 4): 3.5 from 2 ratings → contributes 66.7 of 100; passes bar 3.0"
        in result.explanation
    )
    assert "Docker (nice-to-have, weight 1): 2.0 from 1 rating → contributes 6.7 of 100" in result.explanation


def test_tie_between_two_candidates_is_ranked_by_key() -> None:
    skills = [must(1, "Flask core"), nice(2, "Docker")]
    evidence = [*ratings(1, 3, 4), *ratings(2, 3)]
    results = {"bob": compute_fit(skills, evidence), "alice": compute_fit(skills, list(reversed(evidence)))}

    assert results["bob"] == results["alice"]
    assert rank(results) == ["alice", "bob"]
    assert rank(dict(reversed(results.items()))) == ["alice", "bob"]


def test_equal_fit_is_broken_by_coverage() -> None:
    """Both fit (3-1)/3 * 100 = 66.7, but "full" has evidence on the whole scorecard (coverage 1.0)
    and "half" only on the must-have (coverage 0.5)."""
    skills = [must(1, "Flask core"), nice(2, "Docker")]
    results = {
        "a-half": compute_fit(skills, ratings(1, 3)),
        "b-full": compute_fit(skills, [*ratings(1, 3), *ratings(2, 3)]),
    }

    assert results["a-half"].fit == results["b-full"].fit
    assert rank(results) == ["b-full", "a-half"]


def test_rank_orders_gates_before_fit_and_puts_no_fit_last() -> None:
    skills = [must(1, "Flask core"), must(2, "SQL"), nice(3, "Docker")]
    results = {
        1: compute_fit(skills, [*ratings(1, 4), *ratings(2, 1), *ratings(3, 4)]),  # failed, high fit
        2: compute_fit(skills, [*ratings(1, 4), *ratings(3, 4)]),  # incomplete, fit 100
        3: compute_fit(skills, [*ratings(1, 3), *ratings(2, 3)]),  # passed, fit 66.7
        4: compute_fit(skills, []),  # incomplete, no fit
        5: compute_fit(skills, [*ratings(1, 3), *ratings(2, 4), *ratings(3, 4)]),  # passed, fit 88.9
    }

    assert [results[key].gate for key in (1, 2, 3, 4, 5)] == [
        "failed",
        "incomplete",
        "passed",
        "incomplete",
        "passed",
    ]
    assert rank(results) == [5, 3, 2, 4, 1]


def test_missing_evidence_makes_the_gate_incomplete() -> None:
    """Flask core (weight 2) rated 4 → 1.0; SQL (must-have) has no evidence; Docker rated 3 → 2/3.
    fit = (2 * 1 + 1 * 2/3) / (2 + 1) * 100 = 88.89 over the assessed skills only;
    coverage = (2 + 1) / (2 + 1 + 1) = 0.75."""
    skills = [must(1, "Flask core", weight=2), must(2, "SQL"), nice(3, "Docker")]
    result = compute_fit(skills, [*ratings(1, 4), *ratings(3, 3)])

    assert result.gate == "incomplete"
    assert result.unassessed_must_haves == (2,)
    assert result.failed_skills == ()
    assert result.fit == pytest.approx(800 / 9)
    assert result.coverage == 0.75
    sql = result.skill(2)
    assert (sql.score, sql.passed, sql.confidence, sql.contribution, sql.evidence_count) == (
        None,
        None,
        0.0,
        0.0,
        0,
    )
    assert "Gate incomplete: no evidence yet for SQL." in result.explanation
    assert (
        "SQL (must-have, weight 1): not assessed → no contribution; needs evidence at or above bar 3.0"
        in result.explanation
    )


def test_no_evidence_at_all_gives_no_fit() -> None:
    result = compute_fit([must(1, "Flask core"), nice(2, "Docker")], [])

    assert (result.fit, result.coverage, result.gate, result.evidence_count) == (None, 0.0, "incomplete", 0)
    assert result.explanation[0] == "No evidence yet, so no fit score."


def test_conflicting_ratings_average_with_low_confidence() -> None:
    """A 1 and a 4: mean 2.5, spread 1.5 (the maximum on the scale), so confidence 2/3 * 0 = 0,
    while two agreeing 3s give 2/3 * 1 = 0.67."""
    skills = [must(1, "Flask core", pass_bar=2.5)]
    conflicting = compute_fit(skills, ratings(1, 1, 4)).skill(1)
    agreeing = compute_fit(skills, ratings(1, 3, 3)).skill(1)

    assert conflicting.score == 2.5
    assert conflicting.spread == 1.5
    assert conflicting.confidence == 0.0
    assert (conflicting.lowest, conflicting.highest) == (1.0, 4.0)
    assert conflicting.passed is True  # exactly at the bar passes
    assert agreeing.confidence == pytest.approx(2 / 3)
    assert "evidence disagrees (1.0 to 4.0)" in compute_fit(skills, ratings(1, 1, 4)).explanation[2]


def test_confidence_grows_with_agreeing_evidence() -> None:
    skills = [nice(1, "Docker")]
    confidences = [compute_fit(skills, ratings(1, *[3] * count)).skill(1).confidence for count in (1, 2, 4)]

    assert confidences == pytest.approx([1 / 2, 2 / 3, 4 / 5])


def test_must_have_below_its_bar_fails_the_gate_despite_a_high_fit() -> None:
    """Flask core (weight 1) rated 2 and 3 → 2.5 < bar 3.0; Docker (weight 9) rated 4.
    fit = (1 * 1.5/3 + 9 * 1) / 10 * 100 = 95.0, gate failed."""
    skills = [must(1, "Flask core"), nice(2, "Docker", weight=9)]
    result = compute_fit(skills, [*ratings(1, 2, 3), *ratings(2, 4)])

    assert result.fit == pytest.approx(95.0)
    assert result.gate == "failed"
    assert result.failed_skills == (1,)
    assert result.skill(1).passed is False
    assert "Gate failed: below the bar on Flask core." in result.explanation
    assert result.explanation[2].endswith("; below bar 3.0")


def test_assessment_evidence_mixes_with_interview_ratings() -> None:
    """Interview rating 3 (weight 1) and a perfect assessment, 1.0 → 4.0, counting double (weight 2):
    score (1 * 3 + 2 * 4) / 3 = 11/3 = 3.67; fit (11/3 - 1)/3 * 100 = 88.89."""
    skills = [must(1, "SQLAlchemy")]
    evidence = [
        Evidence.from_rating(1, 3, author="Ada"),
        Evidence.from_assessment(1, 1.0, weight=2.0, reference="assessment:7"),
    ]
    result = compute_fit(skills, evidence)

    skill = result.skill(1)
    assert skill.score == pytest.approx(11 / 3)
    assert (skill.interview_count, skill.assessment_count, skill.evidence_count) == (1, 1, 2)
    assert result.fit == pytest.approx(800 / 9)
    assert "3.67 from 1 rating and 1 assessment" in result.explanation[2]


@pytest.mark.parametrize(
    ("fraction", "rating"), [(0.0, 1.0), (1 / 3, 2.0), (0.5, 2.5), (2 / 3, 3.0), (1.0, 4.0), (1, 4.0)]
)
def test_assessment_to_rating_is_linear(fraction: float, rating: float) -> None:
    assert assessment_to_rating(fraction) == pytest.approx(rating)


@pytest.mark.parametrize("fraction", [-0.1, 1.2, float("nan"), float("inf"), True])
def test_assessment_to_rating_rejects_values_outside_0_to_1(fraction: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        assessment_to_rating(fraction)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"score": 0.5}, "between 1 and 4"),
        ({"score": 4.5}, "between 1 and 4"),
        ({"score": float("nan")}, "between 1 and 4"),
        ({"weight": 0}, "positive"),
        ({"weight": -1.0}, "positive"),
        ({"source": "gut feeling"}, "Unknown evidence source"),
    ],
)
def test_evidence_rejects_invalid_values(kwargs: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"skill_id": 1, "source": "interview", "score": 3.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        Evidence(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("rating", [0, 5, 2.5, True])
def test_interview_rating_must_be_on_the_4_point_scale(rating: int) -> None:
    with pytest.raises(ValueError, match="interview rating"):
        Evidence.from_rating(1, rating)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "optional"}, "Unknown skill kind"),
        ({"weight": 0}, "weight"),
        ({"pass_bar": 5}, "pass bar"),
        ({"pass_bar": 0.5}, "pass bar"),
    ],
)
def test_skill_spec_rejects_invalid_values(kwargs: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"skill_id": 1, "name": "Flask core", "kind": "must_have", **kwargs}
    with pytest.raises(ValueError, match=message):
        SkillSpec(**values)  # type: ignore[arg-type]


def test_duplicate_skill_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        compute_fit([must(1, "Flask core"), nice(1, "Docker")], [])


def test_evidence_for_skills_off_the_scorecard_is_counted_apart() -> None:
    result = compute_fit([must(1, "Flask core")], [*ratings(1, 4), *ratings(99, 1)])

    assert result.unmatched_evidence == 1
    assert result.evidence_count == 1
    assert result.fit == 100.0


def test_skill_spec_from_a_stored_skill_accepts_the_model_enum() -> None:
    row = SimpleNamespace(id=7, name="Flask core", kind=SkillKind.MUST_HAVE, weight=3, pass_bar=3.5)

    spec = SkillSpec.of(row)

    assert spec == SkillSpec(7, "Flask core", "must_have", 3.0, 3.5)
    assert spec.is_must_have
    assert parse_kind(SkillKind.NICE_TO_HAVE) == "nice_to_have"


def test_to_dict_is_json_ready() -> None:
    skills = [must(1, "Flask core"), nice(2, "Docker")]
    result: FitResult = compute_fit(skills, ratings(1, 3, 4))

    payload = json.loads(json.dumps(result.to_dict()))

    assert payload["gate"] == "passed"
    assert payload["fit"] == pytest.approx(250 / 3)
    assert payload["coverage"] == 0.5
    assert payload["skills"][0]["score"] == 3.5
    assert payload["skills"][0]["passed"] is True
    assert payload["skills"][1]["score"] is None
    assert payload["explanation"] == list(result.explanation)


def test_scoring_imports_neither_flask_nor_sqlalchemy() -> None:
    # The real ``hirewise/__init__.py`` builds the Flask app, so the child interpreter stands in an
    # empty ``hirewise`` package pointing at the source folder and refuses any Flask/SQLAlchemy import.
    script = textwrap.dedent(
        f"""
        import importlib.abc, sys, types

        BLOCKED = {{"flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug"}}

        class Refuse(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in BLOCKED:
                    raise ImportError("blocked " + name)
                return None

        sys.meta_path.insert(0, Refuse())
        package = types.ModuleType("hirewise")
        package.__path__ = [{str(SRC_PACKAGE)!r}]
        sys.modules["hirewise"] = package
        try:
            import flask
        except ImportError:
            pass
        else:
            raise SystemExit("the import blocker does not work")

        import hirewise.scoring
        import hirewise.scoring.evidence
        import hirewise.scoring.fit

        assert hirewise.scoring.fit.__file__.startswith({str(SRC_PACKAGE)!r})
        spec = hirewise.scoring.SkillSpec(1, "Flask core", "must_have")
        result = hirewise.scoring.compute_fit([spec], [hirewise.scoring.Evidence.from_rating(1, 4)])
        assert result.fit == 100.0
        print(sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED))
        """
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"
