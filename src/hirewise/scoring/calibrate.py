"""Fit the free-text scorer's calibration on graded answers and write ``freetext_calibration.json``.

    python -m hirewise.scoring.calibrate [--data PATH] [--output PATH]

The data is a CSV with the columns of the short-answer development set (``question``,
``reference_answer``, ``student_answer``, ``score_avg``, ``assignment``; ``question_id`` optional). Both
modes are fitted from the same rows: the embedding calibration on the embedding features, the lexical
one on the lexical features, each with :func:`fit_calibration` — the function the benchmark reuses
for its leave-one-assignment-out refits. Needs numpy and the embedding model.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hirewise.scoring.calibration import (
    CALIBRATION_FILE,
    Calibration,
    LogisticCalibration,
    fit_logistic,
    save_calibration,
)
from hirewise.scoring.embeddings import load_encoder
from hirewise.scoring.freetext import FreeTextItem, FreeTextScorer

# The development split sits in the workspace's shared folder, beside the repository (run from its root).
DEFAULT_DATA = Path("../shared/data/asag/mohler-dev.csv")
REQUIRED_COLUMNS = ("question", "reference_answer", "student_answer", "score_avg")
# The features each mode's calibration uses, chosen once by leave-one-assignment-out on the development
# data: soft (token-aligned) recall and precision against the expected answer without the question's
# words, the same at sentence and clause level (demoted similarity, key points), and how much the
# expected answer says. Adding the others (plain similarity, question similarity, lexical overlap,
# idf-weighted or thresholded token recall, the share of key points covered) made unseen assignments
# worse; in the embedding mode the expected answer's length predicts the grade better than the answer's
# length relative to it (which the lexical mode, with no soft recall, still needs).
EMBEDDING_MODEL_FEATURES = (
    "token_recall",
    "token_precision",
    "demoted_similarity",
    "key_point_mean",
    "expected_length",
)
LEXICAL_MODEL_FEATURES = ("lexical_recall", "lexical_precision", "length_ratio")
# Monotone calibration: more similarity to the expected answer never lowers a score. A similarity whose
# fitted weight comes out negative (demoted similarity does, beside token recall) is left out instead.
INCREASING_FEATURES = frozenset(
    {
        "token_recall",
        "token_precision",
        "demoted_similarity",
        "key_point_mean",
        "lexical_recall",
        "lexical_precision",
    }
)


# The midpoint of the 0..5 scale: see balancing_weights.
BALANCE_AT = 2.5


@dataclass(frozen=True, slots=True)
class GradedAnswer:
    item: FreeTextItem
    score: float
    assignment: str
    question_id: str


def load_graded_answers(path: Path) -> list[GradedAnswer]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path} lacks the column(s) {', '.join(missing)}.")
        return [
            GradedAnswer(
                item=FreeTextItem(
                    question=row["question"],
                    expected_answer=row["reference_answer"],
                    key_points=(),
                    answer=row["student_answer"],
                ),
                score=float(row["score_avg"]),
                assignment=row.get("assignment") or "",
                question_id=row.get("question_id") or "",
            )
            for row in reader
        ]


def fit_calibration(
    embedding_rows: Sequence[Mapping[str, float] | None],
    lexical_rows: Sequence[Mapping[str, float] | None],
    targets: Sequence[float],
    fitted_on: str,
) -> Calibration:
    """Both modes' calibrations from the same graded answers. Rows that are None (answers a rule scores
    0) are left out: the regression never scores them, so they must not pull on it."""
    return Calibration(
        embedding=_fit_mode(embedding_rows, targets, EMBEDDING_MODEL_FEATURES),
        lexical=_fit_mode(lexical_rows, targets, LEXICAL_MODEL_FEATURES),
        fitted_on=fitted_on,
    )


def _fit_mode(
    rows: Sequence[Mapping[str, float] | None], targets: Sequence[float], features: Sequence[str]
) -> LogisticCalibration:
    kept = [(row, target) for row, target in zip(rows, targets, strict=True) if row is not None]
    kept_targets = [target for _, target in kept]
    return fit_logistic(
        [row for row, _ in kept],
        kept_targets,
        features,
        weights=balancing_weights(kept_targets),
        increasing=[name for name in features if name in INCREASING_FEATURES],
    )


def balancing_weights(targets: Sequence[float]) -> list[float]:
    """Weights under which the answers graded below the scale's midpoint and those at or above it count
    the same in total, whatever their shares in the data: the calibration learns how evidence maps to
    grades, not how lenient one course's graders were (three quarters of the development answers are
    graded 4 or more; calibrated to that, wrong answers to another course's questions scored 3.4 of 5)."""
    low = sum(1 for target in targets if target < BALANCE_AT)
    high = len(targets) - low
    if not low or not high:
        return [1.0] * len(targets)
    return [1.0 / low if target < BALANCE_AT else 1.0 / high for target in targets]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--output", type=Path, default=CALIBRATION_FILE)
    args = parser.parse_args(argv)

    graded = load_graded_answers(args.data)
    items = [answer.item for answer in graded]
    targets = [answer.score for answer in graded]
    embedding_rows = FreeTextScorer(None, load_encoder()).feature_rows(items)
    lexical_rows = FreeTextScorer(None, None).feature_rows(items)
    calibration = fit_calibration(
        embedding_rows, lexical_rows, targets, fitted_on=f"{args.data.name}, {len(graded)} graded answers"
    )
    save_calibration(calibration, args.output)
    print(f"Wrote {args.output} ({calibration.fitted_on}).")
    for mode, fitted in (("embedding", calibration.embedding), ("lexical", calibration.lexical)):
        terms = ", ".join(
            f"{name} {weight:+.3f}" for name, weight in zip(fitted.features, fitted.weights, strict=True)
        )
        print(f"{mode}: intercept {fitted.intercept:+.3f}; {terms}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
