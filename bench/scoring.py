"""Free-text scoring benchmark: accuracy against human grades, gaming, another domain, and answers per second.

    python -m bench.scoring                       # development data, leave-one-assignment-out (+ the rest)
    python -m bench.scoring --data PATH           # any file with the same columns, the scorer exactly as shipped
    python -m bench.scoring --seeds 0-4           # the adversarial sets of the tuning seeds (default 100-104)
    python -m bench.scoring --no-speed            # accuracy only

**Development data** (``--data`` not given): every assignment is scored by a calibration fitted on the
other assignments only (``fit_calibration``, the code ``python -m hirewise.scoring.calibrate`` ships
with), so each figure is for questions the scorer has never seen. With ``--data`` the shipped
calibration is used and nothing is refitted. Both ways the run prints Pearson r and RMSE against
``score_avg`` for the scorer in embedding mode, for its lexical fallback, and for a TF-IDF cosine
baseline (the cosine between reference and answer, IDF from the file's own texts, mapped to 0..5 by
the same logistic fit on the same folds, or with ``--data`` on the development data).

**Gaming**: beside r and RMSE, the mean score of each adversarial set of :mod:`bench.adversarial`
(answers to other questions, the question copied back, the reference's key terms as a word list,
fluent but wrong answers, gibberish, "I don't know"), built from the same file for ``--seeds`` and scored
by the same fold as their question. All of them deserve 0; the target is a mean of at most 1.0 of 5.

**Another domain** (``--cross-domain``, SciEntsBank by default; skipped when the file is missing):
science answers of school pupils labelled correct (5) or incorrect (0). Scored twice: leave one module
out (each module by a calibration fitted on the other modules' answers with the same fitting code), and
zero-shot with the shipped calibration fitted on the computer-science data. Prints ROC AUC and the mean
score of correct and incorrect answers (targets: AUC >= 0.80, incorrect <= 2.5, correct >= 3.5).

**Speed**: the shipped scorer scores every answer of the file with explanations (``score_many`` then
``to_dict``) from a cold reference cache; the model's raw speed is ``encode`` on the same answer texts
with the same batching. Runs are interleaved (a busy machine slows all alike); medians of three after a
warm-up, with the scorer's two threads.
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from bench.adversarial import REPORT_SEEDS, SET_NAMES, adversarial_sets, parse_seeds
from hirewise.scoring.calibrate import DEFAULT_DATA, GradedAnswer, fit_calibration, load_graded_answers
from hirewise.scoring.calibration import Calibration, LogisticCalibration, fit_logistic, load_calibration
from hirewise.scoring.embeddings import MAX_THREADS, MiniLMEncoder, load_encoder
from hirewise.scoring.freetext import Analysis, FreeTextItem, FreeTextScorer, analysis_row

TIMING_RUNS = 3
DEFAULT_CROSS_DOMAIN = DEFAULT_DATA.with_name("scientsbank-train.csv")
MODES = ("embedding", "lexical")
LABELS = {
    "embedding": "scorer (embedding mode)",
    "lexical": "scorer (lexical fallback)",
    "baseline": "TF-IDF cosine baseline",
}
SHORT_SET_NAMES = {
    "other_question": "other q.",
    "question_copied": "copied q.",
    "key_terms": "key terms",
    "fluent_wrong": "fluent wrong",
    "gibberish": "gibberish",
    "dont_know": "don't know",
}


# -- statistics -------------------------------------------------------------------------------------


def pearson(predicted: Sequence[float], actual: Sequence[float]) -> float:
    mean_p, mean_a = statistics.fmean(predicted), statistics.fmean(actual)
    covariance = sum((p - mean_p) * (a - mean_a) for p, a in zip(predicted, actual, strict=True))
    spread = math.sqrt(sum((p - mean_p) ** 2 for p in predicted) * sum((a - mean_a) ** 2 for a in actual))
    return covariance / spread if spread else 0.0


def rmse(predicted: Sequence[float], actual: Sequence[float]) -> float:
    return math.sqrt(statistics.fmean((p - a) ** 2 for p, a in zip(predicted, actual, strict=True)))


def roc_auc(scores: Sequence[float], positive: Sequence[bool]) -> float:
    """Probability that a random positive outscores a random negative (ties count half): Mann-Whitney."""
    order = sorted(range(len(scores)), key=lambda index: scores[index])
    ranks = [0.0] * len(scores)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    positives = sum(positive)
    negatives = len(scores) - positives
    if not positives or not negatives:
        return float("nan")
    rank_sum = sum(rank for rank, is_positive in zip(ranks, positive, strict=True) if is_positive)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


_TFIDF_TOKEN = re.compile(r"\b\w\w+\b")


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


# -- scoring by folds -------------------------------------------------------------------------------


Folds = Mapping[str, tuple[Calibration, LogisticCalibration]]
Analyses = Mapping[str, Sequence[Analysis]]


def analyse(graded: Sequence[GradedAnswer], scorers: Mapping[str, FreeTextScorer]) -> Analyses:
    """Each mode's analyses of the answers: computed once, then scored under any fold's calibration."""
    items = [answer.item for answer in graded]
    return {mode: scorers[mode].analyse_many(items) for mode in MODES}


def fit_folds(
    graded: Sequence[GradedAnswer], analyses: Analyses, what: str
) -> dict[str, tuple[Calibration, LogisticCalibration]]:
    """For each value of ``assignment``: the scorer's calibration and the baseline's curve fitted on the
    answers of every other value, with the code that fits the shipped calibration."""
    actual = [answer.score for answer in graded]
    cosines = tfidf_cosines(graded)
    rows = {mode: [analysis_row(analysis) for analysis in analyses[mode]] for mode in MODES}
    folds = {}
    for held_out in sorted({answer.assignment for answer in graded}):
        train = [index for index, answer in enumerate(graded) if answer.assignment != held_out]
        folds[held_out] = (
            fit_calibration(
                [rows["embedding"][i] for i in train],
                [rows["lexical"][i] for i in train],
                [actual[i] for i in train],
                fitted_on=f"all but {what} {held_out}",
            ),
            fit_logistic(
                [{"tfidf_cosine": cosines[i]} for i in train], [actual[i] for i in train], ["tfidf_cosine"]
            ),
        )
    if len(folds) < 2:
        raise SystemExit(f"Leaving one {what} out needs an 'assignment' column with at least two values.")
    return folds


def fold_scores(
    graded: Sequence[GradedAnswer], scorers: Mapping[str, FreeTextScorer], folds: Folds
) -> dict[str, list[float]]:
    """Scores per mode (and the baseline) in the order of ``graded``, each answer scored by the fold
    that left its ``assignment`` out."""
    analyses = analyse(graded, scorers)
    scores = {key: [0.0] * len(graded) for key in (*MODES, "baseline")}
    cosines = tfidf_cosines(graded)
    for assignment in sorted({answer.assignment for answer in graded}):
        calibration, curve = folds[assignment]
        indices = [index for index, answer in enumerate(graded) if answer.assignment == assignment]
        for mode in MODES:
            results = scorers[mode].score_analysed([analyses[mode][i] for i in indices], calibration)
            for index, result in zip(indices, results, strict=True):
                scores[mode][index] = result.score
        for index in indices:
            scores["baseline"][index] = curve.predict({"tfidf_cosine": cosines[index]})
    return scores


def shipped_scores(
    graded: Sequence[GradedAnswer], scorers: Mapping[str, FreeTextScorer], curve: LogisticCalibration
) -> dict[str, list[float]]:
    items = [answer.item for answer in graded]
    scores = {mode: [result.score for result in scorers[mode].score_many(items)] for mode in MODES}
    scores["baseline"] = [curve.predict({"tfidf_cosine": cosine}) for cosine in tfidf_cosines(graded)]
    return scores


def print_accuracy_table(
    actual: Sequence[float],
    graded_scores: Mapping[str, Sequence[float]],
    set_scores: Mapping[str, Mapping[str, Sequence[float]]],
    set_sizes: Mapping[str, int],
) -> None:
    header = "".join(f" {SHORT_SET_NAMES[name]:>12}" for name in SET_NAMES)
    print(f"  {'':<26} {'Pearson r':>9} {'RMSE':>6}  |{header}")
    sizes = "".join(f" {set_sizes[name]:>12,}" for name in SET_NAMES)
    print(f"  {'(adversarial set size)':<26} {'':>9} {'':>6}  |{sizes}")
    for key, label in LABELS.items():
        means = "".join(f" {statistics.fmean(set_scores[key][name]):12.2f}" for name in SET_NAMES)
        print(
            f"  {label:<26} {pearson(graded_scores[key], actual):9.3f} {rmse(graded_scores[key], actual):6.3f}"
            f"  |{means}"
        )


# -- the blocks -------------------------------------------------------------------------------------


def accuracy_block(
    graded: Sequence[GradedAnswer],
    scorers: Mapping[str, FreeTextScorer],
    seeds: Sequence[int],
    development: bool,
    dev_data: Path,
) -> None:
    actual = [answer.score for answer in graded]
    sets = adversarial_sets(graded, seeds)
    seed_text = f"{seeds[0]}-{seeds[-1]}" if list(seeds) == list(range(seeds[0], seeds[-1] + 1)) else seeds
    if development:
        print("leave-one-assignment-out: each assignment is scored by a calibration fitted on the others")
        folds = fit_folds(graded, analyse(graded, scorers), "assignment")
        graded_scores = fold_scores(graded, scorers, folds)
        set_scores = {name: fold_scores(items, scorers, folds) for name, items in sets.items()}
    else:
        print(f"shipped calibration ({load_calibration().fitted_on}), nothing refitted")
        if not dev_data.is_file():
            raise SystemExit(
                f"The baseline's curve is fitted on the development data: {dev_data} is missing."
            )
        development_graded = load_graded_answers(dev_data)
        curve = fit_logistic(
            [{"tfidf_cosine": cosine} for cosine in tfidf_cosines(development_graded)],
            [answer.score for answer in development_graded],
            ["tfidf_cosine"],
        )
        graded_scores = shipped_scores(graded, scorers, curve)
        set_scores = {name: shipped_scores(items, scorers, curve) for name, items in sets.items()}
    print(f"mean score of each adversarial set (seeds {seed_text}; every item deserves 0, target <= 1.0):")
    by_key = {key: {name: set_scores[name][key] for name in SET_NAMES} for key in LABELS}
    print_accuracy_table(actual, graded_scores, by_key, {name: len(items) for name, items in sets.items()})


def cross_domain_block(path: Path, scorers: Mapping[str, FreeTextScorer], dev_data: Path) -> None:
    if not path.is_file():
        print(f"cross-domain check skipped: {path} is missing")
        return
    graded = load_graded_answers(path)
    positive = [answer.score >= 2.5 for answer in graded]
    modules = sorted({answer.assignment for answer in graded})
    print(
        f"{path}: {len(graded):,} answers to {len({a.item.question for a in graded})} questions in "
        f"{len(modules)} modules, {sum(positive):,} correct"
    )
    folds = fit_folds(graded, analyse(graded, scorers), "module")
    runs = {"leave-one-module-out": fold_scores(graded, scorers, folds)}
    if dev_data.is_file():
        development_graded = load_graded_answers(dev_data)
        curve = fit_logistic(
            [{"tfidf_cosine": cosine} for cosine in tfidf_cosines(development_graded)],
            [answer.score for answer in development_graded],
            ["tfidf_cosine"],
        )
        runs["zero-shot, shipped calibration"] = shipped_scores(graded, scorers, curve)
    actual = [answer.score for answer in graded]
    print("  targets: ROC AUC >= 0.80, mean of incorrect <= 2.5, mean of correct >= 3.5")
    print(f"  {'':<34} {'ROC AUC':>7} {'incorrect':>9} {'correct':>8} {'Pearson r':>9}")
    for run, scores in runs.items():
        print(f"  {run}")
        for key, label in LABELS.items():
            values = scores[key]
            wrong = statistics.fmean(v for v, good in zip(values, positive, strict=True) if not good)
            right = statistics.fmean(v for v, good in zip(values, positive, strict=True) if good)
            print(
                f"    {label:<32} {roc_auc(values, positive):7.3f} {wrong:9.2f} {right:8.2f}"
                f" {pearson(values, actual):9.3f}"
            )


def speed_block(items: Sequence[FreeTextItem], encoder: MiniLMEncoder, shipped: Calibration) -> None:
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
    parser.add_argument(
        "--seeds",
        type=parse_seeds,
        default=REPORT_SEEDS,
        help="seeds of the adversarial sets, e.g. 0-4 (tuning) or 100-104 (reporting, the default)",
    )
    parser.add_argument(
        "--cross-domain",
        type=Path,
        default=DEFAULT_CROSS_DOMAIN,
        help="a correct/incorrect file from another domain ('' to skip)",
    )
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    args = parser.parse_args(argv)

    development = args.data is None
    path: Path = args.dev_data if development else args.data
    graded = load_graded_answers(path)
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

    accuracy_block(graded, scorers, args.seeds, development, args.dev_data)
    if str(args.cross_domain) not in ("", "."):
        cross_domain_block(args.cross_domain, scorers, args.dev_data)
    if not args.no_speed:
        speed_block([answer.item for answer in graded], encoder, shipped)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
