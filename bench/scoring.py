"""Free-text scoring benchmark: accuracy against human grades, and answers per second.

    python -m bench.scoring                # development data, leave-one-assignment-out
    python -m bench.scoring --data PATH    # any file with the same columns, the scorer exactly as shipped

On the development data (``--data`` not given) every assignment is scored by a calibration fitted on
the other assignments only (``fit_calibration``, the code ``python -m hirewise.scoring.calibrate``
ships with), so each figure is for questions the scorer has never seen. With ``--data`` the shipped
calibration is used and nothing is refitted.

Both ways the run prints Pearson r and RMSE against ``score_avg`` for the scorer in embedding mode, for
its lexical fallback, and for a TF-IDF cosine baseline: the cosine between the reference and the
student answer (IDF from the file's own texts, which needs no grades) mapped to 0..5 by the same
logistic fit, on the same training folds (or, with ``--data``, on the development data). It also prints
the mean score of answers written for other questions (each question paired with 8 answers from other
assignments): those should score near 0, and human graders' leniency towards wrong answers on the
right topic does not teach a regression that by itself.

Speed: the shipped scorer scores every answer of the file with explanations (``score_many`` then
``to_dict``) from a cold reference cache; the model's raw speed is ``encode`` on the same answer texts
with the same batching. Runs are interleaved (a busy machine slows all alike); medians of three after a
warm-up, with the scorer's two threads.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from hirewise.scoring.calibrate import DEFAULT_DATA, GradedAnswer, fit_calibration, load_graded_answers
from hirewise.scoring.calibration import fit_logistic, load_calibration
from hirewise.scoring.embeddings import MAX_THREADS, load_encoder
from hirewise.scoring.freetext import FreeTextItem, FreeTextResult, FreeTextScorer

TIMING_RUNS = 3
OFF_TOPIC_PER_QUESTION = 8
_TFIDF_TOKEN = re.compile(r"\b\w\w+\b")


def pearson(predicted: Sequence[float], actual: Sequence[float]) -> float:
    mean_p, mean_a = statistics.fmean(predicted), statistics.fmean(actual)
    covariance = sum((p - mean_p) * (a - mean_a) for p, a in zip(predicted, actual, strict=True))
    spread = math.sqrt(sum((p - mean_p) ** 2 for p in predicted) * sum((a - mean_a) ** 2 for a in actual))
    return covariance / spread if spread else 0.0


def rmse(predicted: Sequence[float], actual: Sequence[float]) -> float:
    return math.sqrt(statistics.fmean((p - a) ** 2 for p, a in zip(predicted, actual, strict=True)))


def tfidf_cosines(graded: Sequence[GradedAnswer]) -> list[float]:
    """scikit-learn's TfidfVectorizer defaults (smooth IDF, L2 norm), IDF over the file's distinct texts."""
    documents = {text for answer in graded for text in (answer.item.expected_answer, answer.item.answer)}
    frequency: Counter[str] = Counter()
    for document in documents:
        frequency.update(set(_TFIDF_TOKEN.findall(document.lower())))
    idf = {term: math.log((1 + len(documents)) / (1 + count)) + 1 for term, count in frequency.items()}

    def vector(text: str) -> dict[str, float]:
        counts = Counter(_TFIDF_TOKEN.findall(text.lower()))
        weights = {term: count * idf[term] for term, count in counts.items()}
        norm = math.sqrt(sum(weight * weight for weight in weights.values())) or 1.0
        return {term: weight / norm for term, weight in weights.items()}

    cosines = []
    for answer in graded:
        reference, student = vector(answer.item.expected_answer), vector(answer.item.answer)
        cosines.append(sum(weight * student.get(term, 0.0) for term, weight in reference.items()))
    return cosines


def median_seconds(runs: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Median wall time of each run, the runs interleaved so that a busy machine slows all alike."""
    for run in runs.values():
        run()  # warm-up: first-call allocations, and the model loaded
    durations: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(TIMING_RUNS):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            durations[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in durations.items()}


def other_question_items(graded: Sequence[GradedAnswer], per_question: int, seed: int) -> list[GradedAnswer]:
    """Each question paired with answers written for questions of other assignments, graded 0: the
    answers are fluent and on the course's subject, but about something else."""
    rng = random.Random(seed)
    by_question: dict[str, GradedAnswer] = {}
    for answer in graded:
        by_question.setdefault(answer.item.question, answer)
    pairs = []
    for first in by_question.values():
        others = [answer for answer in graded if answer.assignment != first.assignment] or [
            answer for answer in graded if answer.item.question != first.item.question
        ]
        for other in rng.sample(others, min(per_question, len(others))):
            item = FreeTextItem(first.item.question, first.item.expected_answer, (), other.item.answer)
            pairs.append(GradedAnswer(item, 0.0, first.assignment, first.question_id))
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=None, help="score this file with the shipped calibration"
    )
    parser.add_argument(
        "--dev-data", type=Path, default=DEFAULT_DATA, help="graded data the baseline's curve is fitted on"
    )
    args = parser.parse_args(argv)

    development = args.data is None
    path: Path = args.dev_data if development else args.data
    graded = load_graded_answers(path)
    items = [answer.item for answer in graded]
    actual = [answer.score for answer in graded]
    questions = len({answer.item.question for answer in graded})
    print(
        f"{path}: {len(graded):,} answers to {questions} questions, mean grade {statistics.fmean(actual):.2f}"
    )

    started = time.perf_counter()
    encoder = load_encoder()
    print(f"embedding model loaded in {time.perf_counter() - started:.2f} s")
    shipped = load_calibration()
    scorers = {"embedding": FreeTextScorer(shipped, encoder), "lexical": FreeTextScorer(shipped, None)}
    off_topic = other_question_items(graded, OFF_TOPIC_PER_QUESTION, seed=7)
    off_topic_items = [answer.item for answer in off_topic]
    cosines = tfidf_cosines(graded)
    off_topic_cosines = tfidf_cosines(off_topic)

    # Per mode: predictions for the graded answers and for the off-topic pairs.
    predicted: dict[str, tuple[list[float], list[float]]] = {}
    if development:
        print("leave-one-assignment-out: each assignment is scored by a calibration fitted on the others")
        rows = {
            "embedding": FreeTextScorer(None, encoder).feature_rows(items),
            "lexical": FreeTextScorer(None, None).feature_rows(items),
        }
        folds = {}
        for held_out in sorted({answer.assignment for answer in graded}):
            train = [index for index, answer in enumerate(graded) if answer.assignment != held_out]
            folds[held_out] = (
                fit_calibration(
                    [rows["embedding"][i] for i in train],
                    [rows["lexical"][i] for i in train],
                    [actual[i] for i in train],
                    fitted_on=f"all but assignment {held_out}",
                ),
                fit_logistic(
                    [{"tfidf_cosine": cosines[i]} for i in train],
                    [actual[i] for i in train],
                    ["tfidf_cosine"],
                ),
            )
        if len(folds) < 2:
            raise SystemExit(
                "Leave-one-assignment-out needs an 'assignment' column with at least two values."
            )
        for mode, scorer in scorers.items():

            def score_fold(
                assignment: str, batch: list[FreeTextItem], scorer: FreeTextScorer = scorer
            ) -> list[FreeTextResult]:
                return scorer.with_calibration(folds[assignment][0]).score_many(batch)

            predicted[mode] = (fold_scores(graded, score_fold), fold_scores(off_topic, score_fold))
        predicted["baseline"] = (
            [
                folds[answer.assignment][1].predict({"tfidf_cosine": c})
                for answer, c in zip(graded, cosines, strict=True)
            ],
            [
                folds[a.assignment][1].predict({"tfidf_cosine": c})
                for a, c in zip(off_topic, off_topic_cosines, strict=True)
            ],
        )
    else:
        print(f"shipped calibration ({shipped.fitted_on}), nothing refitted")
        if not args.dev_data.is_file():
            raise SystemExit(
                f"The baseline's curve is fitted on the development data: {args.dev_data} is missing."
            )
        development_graded = load_graded_answers(args.dev_data)
        curve = fit_logistic(
            [{"tfidf_cosine": cosine} for cosine in tfidf_cosines(development_graded)],
            [answer.score for answer in development_graded],
            ["tfidf_cosine"],
        )
        for mode, scorer in scorers.items():
            predicted[mode] = (
                [result.score for result in scorer.score_many(items)],
                [result.score for result in scorer.score_many(off_topic_items)],
            )
        predicted["baseline"] = (
            [curve.predict({"tfidf_cosine": cosine}) for cosine in cosines],
            [curve.predict({"tfidf_cosine": cosine}) for cosine in off_topic_cosines],
        )

    labels = {
        "embedding": "scorer (embedding mode)",
        "lexical": "scorer (lexical fallback)",
        "baseline": "TF-IDF cosine baseline",
    }
    print(
        f"  {'':<28} {'Pearson r':>9} {'RMSE':>6}   mean score of {len(off_topic)} answers to other questions"
    )
    for key, label in labels.items():
        graded_scores, off_topic_scores = predicted[key]
        print(
            f"  {label:<28} {pearson(graded_scores, actual):9.3f} {rmse(graded_scores, actual):6.3f}"
            f"   {statistics.fmean(off_topic_scores):.2f}"
        )

    answers = [item.answer for item in items]
    seconds = median_seconds(
        {
            "raw": lambda: encoder.encode(answers),
            "embedding": lambda: [r.to_dict() for r in FreeTextScorer(shipped, encoder).score_many(items)],
            "lexical": lambda: [r.to_dict() for r in FreeTextScorer(shipped, None).score_many(items)],
        }
    )
    raw_rate, scorer_rate = len(answers) / seconds["raw"], len(items) / seconds["embedding"]
    print(f"speed (median of {TIMING_RUNS} interleaved runs after a warm-up, {MAX_THREADS} threads):")
    print(f"  raw model encode of the answers            {raw_rate:8.1f} answers/s")
    print(
        f"  scorer with explanations, embedding mode   {scorer_rate:8.1f} answers/s "
        f"({scorer_rate / raw_rate:.2f}x the raw encode)"
    )
    print(f"  scorer with explanations, lexical fallback {len(items) / seconds['lexical']:8.1f} answers/s")
    return 0


def fold_scores(
    graded: Sequence[GradedAnswer], score_batch: Callable[[str, list[FreeTextItem]], list[FreeTextResult]]
) -> list[float]:
    """Scores in the order of ``graded``, each assignment's batch scored by its own fold's scorer."""
    scores = [0.0] * len(graded)
    for assignment in sorted({answer.assignment for answer in graded}):
        indices = [index for index, answer in enumerate(graded) if answer.assignment == assignment]
        for index, result in zip(
            indices, score_batch(assignment, [graded[i].item for i in indices]), strict=True
        ):
            scores[index] = result.score
    return scores


if __name__ == "__main__":
    raise SystemExit(main())
