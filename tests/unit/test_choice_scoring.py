"""Multiple-choice scoring: single answer, exact set, partial credit, and refusal of unknown options."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hirewise.scoring.choice import score_choice

OPTIONS = ("a", "b", "c", "d", "e")


def single(selected: list[str], correct: str = "b", *, partial_credit: bool = False) -> float:
    return score_choice(selected, [correct], OPTIONS, multiple=False, partial_credit=partial_credit)


def several(selected: list[str], correct: list[str], *, partial_credit: bool) -> float:
    return score_choice(selected, correct, OPTIONS, multiple=True, partial_credit=partial_credit)


@pytest.mark.parametrize("partial_credit", [False, True])
def test_single_answer_scores_one_only_for_the_correct_option_alone(partial_credit: bool) -> None:
    assert single(["b"], partial_credit=partial_credit) == 1.0
    assert single(["a"], partial_credit=partial_credit) == 0.0
    assert single([], partial_credit=partial_credit) == 0.0
    assert single(["a", "b"], partial_credit=partial_credit) == 0.0


def test_several_answers_without_partial_credit_need_the_exact_set() -> None:
    assert several(["a", "c"], ["a", "c"], partial_credit=False) == 1.0
    assert (
        several(["c", "a", "a"], ["a", "c"], partial_credit=False) == 1.0
    )  # order and repeats do not matter
    assert several(["a"], ["a", "c"], partial_credit=False) == 0.0
    assert several(["a", "c", "d"], ["a", "c"], partial_credit=False) == 0.0
    assert several([], ["a", "c"], partial_credit=False) == 0.0


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        (["a", "b", "c"], 1.0),  # all three right
        (["a", "b"], 2 / 3),  # two of three, nothing wrong
        (["a"], 1 / 3),
        (["a", "b", "d"], 1 / 3),  # two right, one wrong: (2 - 1) / 3
        (["a", "d"], 0.0),  # one right cancelled by one wrong
        (["a", "d", "e"], 0.0),  # more wrong than right is floored at 0, not negative
        (["a", "b", "c", "d", "e"], 1 / 3),  # ticking everything: (3 - 2) / 3
        ([], 0.0),
    ],
)
def test_partial_credit_is_right_minus_wrong_over_correct_floored_at_zero(
    selected: list[str], expected: float
) -> None:
    assert several(selected, ["a", "b", "c"], partial_credit=True) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("selected", "correct", "all_options"),
    [
        (["z"], ["a"], OPTIONS),  # a selected option the question does not have
        (["a"], ["z"], OPTIONS),  # a correct option the question does not have
        (["a"], ["a"], []),
    ],
)
def test_unknown_option_ids_raise(
    selected: list[str], correct: list[str], all_options: tuple[str, ...]
) -> None:
    with pytest.raises(ValueError, match="not options"):
        score_choice(selected, correct, all_options, multiple=True, partial_credit=True)


def test_a_question_without_a_usable_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one correct"):
        score_choice(["a"], [], OPTIONS, multiple=True, partial_credit=True)
    with pytest.raises(ValueError, match="exactly one correct"):
        score_choice(["a"], ["a", "b"], OPTIONS, multiple=False, partial_credit=False)


@given(
    selected=st.sets(st.sampled_from(OPTIONS)),
    correct=st.sets(st.sampled_from(OPTIONS), min_size=1),
    extra_right=st.sampled_from(OPTIONS),
)
def test_partial_credit_stays_in_range_and_never_drops_for_an_added_right_choice(
    selected: set[str], correct: set[str], extra_right: str
) -> None:
    score = several(sorted(selected), sorted(correct), partial_credit=True)
    assert 0.0 <= score <= 1.0
    assert score == 1.0 if selected == correct else score < 1.0
    if extra_right in correct:
        assert several(sorted(selected | {extra_right}), sorted(correct), partial_credit=True) >= score


@given(selected=st.sets(st.sampled_from(OPTIONS)), correct=st.sets(st.sampled_from(OPTIONS), min_size=1))
def test_partial_credit_never_scores_below_the_exact_set_rule(selected: set[str], correct: set[str]) -> None:
    exact = several(sorted(selected), sorted(correct), partial_credit=False)
    assert several(sorted(selected), sorted(correct), partial_credit=True) >= exact
