"""Invariants of the fit score, checked with hypothesis over random scorecards and evidence."""

from __future__ import annotations

import math
from dataclasses import replace
from itertools import pairwise

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hirewise.scoring import Evidence, FitResult, SkillSpec, compute_fit, rank

UNKNOWN_SKILL_ID = 999

weights = st.one_of(st.integers(1, 5).map(float), st.floats(0.05, 10, allow_nan=False))
scores = st.one_of(st.integers(1, 4).map(float), st.floats(1, 4, allow_nan=False))


@st.composite
def scorecards(draw: st.DrawFn) -> list[SkillSpec]:
    count = draw(st.integers(1, 6))
    return [
        SkillSpec(
            skill_id=skill_id,
            name=f"Skill {skill_id}",
            kind=draw(st.sampled_from(["must_have", "nice_to_have"])),
            weight=draw(weights),
            pass_bar=draw(st.one_of(st.sampled_from([2.0, 3.0, 3.5]), st.floats(1, 4, allow_nan=False))),
        )
        for skill_id in range(1, count + 1)
    ]


def evidence_for(skill_ids: list[int]) -> st.SearchStrategy[Evidence]:
    return st.builds(
        Evidence,
        skill_id=st.sampled_from(skill_ids),
        source=st.sampled_from(["interview", "assessment"]),
        score=scores,
        weight=st.one_of(st.just(1.0), weights),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[SkillSpec], list[Evidence]]:
    skills = draw(scorecards())
    ids = [spec.skill_id for spec in skills]
    return skills, draw(st.lists(evidence_for([*ids, UNKNOWN_SKILL_ID]), max_size=25))


def assessed_ids(result: FitResult) -> list[int]:
    return [skill.skill_id for skill in result.skills if skill.score is not None]


@settings(max_examples=200, deadline=None)
@given(cases())
def test_values_stay_in_their_ranges(case: tuple[list[SkillSpec], list[Evidence]]) -> None:
    skills, evidence = case
    result = compute_fit(skills, evidence)

    assert 0.0 <= result.coverage <= 1.0
    if result.fit is None:
        assert not assessed_ids(result)
    else:
        assert 0.0 <= result.fit <= 100.0
        assert math.fsum(skill.contribution for skill in result.skills) == pytest.approx(result.fit)
    for skill in result.skills:
        assert 0.0 <= skill.confidence <= 1.0
        if skill.score is not None:
            assert skill.lowest is not None and skill.highest is not None
            assert skill.lowest <= skill.score <= skill.highest
            assert skill.spread is not None and 0.0 <= skill.spread <= 1.5


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_evidence_order_does_not_change_the_result(data: st.DataObject) -> None:
    skills, evidence = data.draw(cases())
    shuffled = data.draw(st.permutations(evidence))

    assert compute_fit(skills, shuffled) == compute_fit(skills, evidence)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_rating_at_least_as_high_as_the_others_never_lowers_score_or_fit(data: st.DataObject) -> None:
    skills, evidence = data.draw(cases())
    before = compute_fit(skills, evidence)
    rated = assessed_ids(before)
    assume(rated)
    skill_id = data.draw(st.sampled_from(rated))
    highest = before.skill(skill_id).highest
    assert highest is not None
    better = Evidence(
        skill_id,
        data.draw(st.sampled_from(["interview", "assessment"])),
        data.draw(st.one_of(st.just(highest), st.floats(highest, 4, allow_nan=False))),
        data.draw(weights),
    )

    after = compute_fit(skills, [*evidence, better])

    old_skill, new_skill = before.skill(skill_id), after.skill(skill_id)
    assert old_skill.score is not None and new_skill.score is not None
    assert new_skill.score >= old_skill.score
    assert before.fit is not None and after.fit is not None
    assert after.fit >= before.fit
    assert not (old_skill.passed is True and new_skill.passed is False)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_the_gate_never_passes_an_unassessed_must_have(case: tuple[list[SkillSpec], list[Evidence]]) -> None:
    skills, evidence = case
    result = compute_fit(skills, evidence)
    must_haves = [skill for skill in result.skills if skill.kind == "must_have"]

    if result.gate == "passed":
        assert all(skill.score is not None and skill.passed is True for skill in must_haves)
    assert set(result.unassessed_must_haves) == {
        skill.skill_id for skill in must_haves if skill.score is None
    }
    assert set(result.failed_skills) == {skill.skill_id for skill in must_haves if skill.passed is False}
    assert (result.gate == "failed") == bool(result.failed_skills)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_evidence_on_an_unassessed_nice_to_have_never_changes_the_gate(data: st.DataObject) -> None:
    drawn_skills, evidence = data.draw(cases())
    # A nice-to-have nobody rated yet (the drawn evidence never targets this new id).
    untouched = SkillSpec(UNKNOWN_SKILL_ID + 1, "Untouched", "nice_to_have", data.draw(weights))
    skills = [*drawn_skills, untouched]
    before = compute_fit(skills, evidence)
    extra = data.draw(st.lists(evidence_for([untouched.skill_id]), min_size=1, max_size=5))

    after = compute_fit(skills, [*evidence, *extra])

    assert after.gate == before.gate
    assert after.failed_skills == before.failed_skills
    assert after.unassessed_must_haves == before.unassessed_must_haves


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_rank_is_a_deterministic_ordering_by_gate_then_fit(data: st.DataObject) -> None:
    skills = data.draw(scorecards())
    ids = [spec.skill_id for spec in skills]
    results = {
        key: compute_fit(skills, data.draw(st.lists(evidence_for(ids), max_size=12)))
        for key in data.draw(st.lists(st.integers(1, 10_000), unique=True, max_size=8))
    }
    reordered = dict(data.draw(st.permutations(list(results.items()))))

    ranking = rank(results)

    assert ranking == rank(reordered)
    assert sorted(ranking) == sorted(results)
    order = {"passed": 0, "incomplete": 1, "failed": 2}
    for first, second in pairwise(ranking):
        a, b = results[first], results[second]
        assert order[a.gate] <= order[b.gate]
        if a.gate == b.gate:
            assert b.fit is None or (a.fit is not None and a.fit >= b.fit)


def test_replacing_a_skill_weight_changes_only_the_fit_not_the_gate() -> None:
    """A sanity anchor for the properties above: weights move the fit, never the gate."""
    skills = [SkillSpec(1, "Flask core", "must_have", 1.0), SkillSpec(2, "Docker", "nice_to_have", 1.0)]
    evidence = [Evidence.from_rating(1, 3), Evidence.from_rating(2, 1)]
    heavier = [skills[0], replace(skills[1], weight=5.0)]

    light, heavy = compute_fit(skills, evidence), compute_fit(heavier, evidence)

    assert light.gate == heavy.gate == "passed"
    assert light.fit == pytest.approx((2 / 3 + 0) / 2 * 100)
    assert heavy.fit == pytest.approx((2 / 3) / 6 * 100)
