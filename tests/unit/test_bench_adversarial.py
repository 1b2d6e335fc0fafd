"""The adversarial sets of the scoring benchmark: deterministic per seed, and what each set says it is."""

from __future__ import annotations

from pathlib import Path

from bench.adversarial import (
    MIN_LIST_TERMS,
    PER_QUESTION,
    SET_NAMES,
    adversarial_sets,
    key_terms,
    parse_seeds,
)
from bench.scoring import roc_auc

from hirewise.scoring.calibrate import GradedAnswer, load_graded_answers
from hirewise.scoring.freetext import FreeTextItem
from hirewise.scoring.text import STOPWORDS, is_word_list, words

SAMPLE_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "asag" / "graded_sample.csv"


def test_sets_are_deterministic_per_seed_and_differ_between_seeds() -> None:
    graded = load_graded_answers(SAMPLE_CSV)
    questions = len({answer.item.question for answer in graded})
    first, again, other = (adversarial_sets(graded, seeds) for seeds in ((0, 1), (0, 1), (100, 101)))

    assert set(first) == set(SET_NAMES)
    for name in SET_NAMES:
        assert [a.item for a in first[name]] == [a.item for a in again[name]]
        assert len(first[name]) == 2 * questions * PER_QUESTION[name]
        assert all(answer.score == 0.0 for answer in first[name])
    assert [a.item for a in first["gibberish"]] != [a.item for a in other["gibberish"]]
    # One set's draws never shift another's: a set alone comes out the same.
    assert [a.item for a in adversarial_sets(graded, (0,))["fluent_wrong"]] == [
        a.item for a in first["fluent_wrong"][: questions * PER_QUESTION["fluent_wrong"]]
    ]


def test_each_set_is_what_it_says() -> None:
    graded = load_graded_answers(SAMPLE_CSV)
    sets = adversarial_sets(graded, (3,))
    for answer in sets["other_question"]:
        assert answer.item.answer not in {
            a.item.answer for a in graded if a.item.question == answer.item.question
        }
    for answer in sets["key_terms"]:
        terms = key_terms(answer.item.expected_answer, answer.item.question)
        assert sorted(w.lower() for w in terms) == sorted(answer.item.answer.replace(",", "").split())
        assert len(terms) >= MIN_LIST_TERMS and is_word_list(answer.item.answer)
    for answer in sets["fluent_wrong"]:
        assert answer.item.answer not in {a.item.expected_answer for a in graded}
        assert {t.lower() for t in key_terms(answer.item.expected_answer, answer.item.question)} & set(
            words(answer.item.answer)
        )
    for answer in sets["question_copied"]:
        assert answer.item.question.rstrip("?") in answer.item.answer


def test_a_terse_reference_gets_no_key_term_list_because_the_list_is_the_answer() -> None:
    # "main function" answers "Where do C++ programs begin to execute?" as well as the reference does.
    terse = FreeTextItem("Where do C++ programs begin to execute?", "At the main function.", (), "main()")
    full = FreeTextItem("What is a stack?", "A stack adds and removes items at the top.", (), "LIFO")
    graded = [GradedAnswer(terse, 5.0, "1", "1.1"), GradedAnswer(full, 5.0, "2", "2.1")]

    lists = adversarial_sets(graded, (0, 1))["key_terms"]

    assert {answer.item.question for answer in lists} == {"What is a stack?"}
    assert len(lists) == 2 * PER_QUESTION["key_terms"]
    # The other sets still cover the terse question.
    assert any(a.item.question == terse.question for a in adversarial_sets(graded, (0,))["fluent_wrong"])


def test_key_terms_are_the_references_content_words_beyond_the_question() -> None:
    terms = key_terms("A stack adds and removes items at the top: last in, first out.", "What is a stack?")
    assert terms == ["adds", "removes", "items", "top", "last", "first"]
    assert not {term.lower() for term in terms} & STOPWORDS


def test_seeds_and_auc_helpers() -> None:
    assert parse_seeds("100-104") == (100, 101, 102, 103, 104)
    assert parse_seeds("0,2-3") == (0, 2, 3)
    assert roc_auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == 0.75
    assert roc_auc([1.0, 1.0], [True, False]) == 0.5
