"""Scoring a multiple-choice answer as a fraction of the question's points.

Rules (``S`` = options selected, ``C`` = correct options, both as sets of option ids):

- single answer (``multiple=False``): 1 when exactly the correct option is selected, else 0. Selecting
  several options is wrong even if one of them is right. ``partial_credit`` changes nothing: with one
  correct option there is nothing in between.
- several answers without partial credit: 1 only for exactly ``C``, else 0.
- several answers with partial credit: ``(|S ∩ C| - |S - C|) / |C|``, at least 0. Every wrong pick
  cancels a right one, so selecting every option scores no better than guessing and nothing is
  gained by ticking everything; selecting nothing scores 0.

Option ids not among ``all_options`` raise ``ValueError``, as does a question whose correct options are
not a usable key (none at all, or several on a single-answer question): scoring such a question would
silently give a number that means nothing.
"""

from __future__ import annotations

from collections.abc import Collection


def score_choice(
    selected: Collection[str],
    correct: Collection[str],
    all_options: Collection[str],
    *,
    multiple: bool,
    partial_credit: bool,
) -> float:
    """The fraction (0..1) of the question's points earned by ``selected``; see the module docstring."""
    options = set(all_options)
    chosen = set(selected)
    key = set(correct)
    unknown_selected = chosen - options
    if unknown_selected:
        raise ValueError(f"Selected options {sorted(unknown_selected)} are not options of this question.")
    unknown_correct = key - options
    if unknown_correct:
        raise ValueError(f"Correct options {sorted(unknown_correct)} are not options of this question.")
    if not key:
        raise ValueError("A choice question needs at least one correct option.")
    if not multiple and len(key) != 1:
        raise ValueError(f"A single-answer question needs exactly one correct option, got {len(key)}.")
    if not multiple or not partial_credit:
        return 1.0 if chosen == key else 0.0
    right = len(chosen & key)
    wrong = len(chosen - key)
    return max(0.0, (right - wrong) / len(key))
