"""The map from the free-text scorer's features to a 0..5 score: a small regularised regression per mode.

The link is logistic, ``score = 5 / (1 + exp(-(intercept + weights . features)))``: human grades
saturate (a complete answer gets 5 however much more it says, and graders rarely go below 1 for an
answer on topic), and a straight line fitted to such grades overshoots both ends on unseen questions.

Fitted by ``python -m hirewise.scoring.calibrate`` on graded development answers and shipped as
``freetext_calibration.json`` next to this file. Prediction is pure Python (a dot product) so the
lexical fallback needs no numpy; fitting needs numpy and only runs in the calibration script and the
benchmark, which refits it with the very same function for each held-out assignment.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

ScoringMode = Literal["embedding", "lexical"]
CALIBRATION_FILE = Path(__file__).with_name("freetext_calibration.json")
SCORE_MIN = 0.0
SCORE_MAX = 5.0
# Penalty on the standardised weights: enough to keep correlated similarity features from cancelling
# each other out on unseen questions; chosen once on the development data by leave-one-assignment-out.
DEFAULT_RIDGE_ALPHA = 10.0
_FIT_ITERATIONS = 100
_FIT_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class LogisticCalibration:
    """``score = 5 * logistic(intercept + sum(weight * feature))`` on raw (unstandardised) features."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float

    def predict(self, values: Mapping[str, float]) -> float:
        logit = self.intercept + sum(
            weight * values[name] for name, weight in zip(self.features, self.weights, strict=True)
        )
        return SCORE_MAX * _logistic(logit)

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "weights": [round(weight, 6) for weight in self.weights],
            "intercept": round(self.intercept, 6),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LogisticCalibration:
        features = tuple(str(name) for name in data["features"])
        weights = tuple(float(weight) for weight in data["weights"])
        if len(features) != len(weights):
            raise ValueError("A calibration needs one weight per feature.")
        return cls(features, weights, float(data["intercept"]))


@dataclass(frozen=True, slots=True)
class Calibration:
    """Both modes' calibrations, as shipped together in one file."""

    embedding: LogisticCalibration
    lexical: LogisticCalibration
    fitted_on: str

    def for_mode(self, mode: ScoringMode) -> LogisticCalibration:
        return self.embedding if mode == "embedding" else self.lexical

    def to_dict(self) -> dict[str, Any]:
        return {
            "fitted_on": self.fitted_on,
            "embedding": self.embedding.to_dict(),
            "lexical": self.lexical.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        return cls(
            embedding=LogisticCalibration.from_dict(data["embedding"]),
            lexical=LogisticCalibration.from_dict(data["lexical"]),
            fitted_on=str(data.get("fitted_on", "")),
        )


def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    return Calibration.from_dict(json.loads(path.read_text(encoding="utf-8")))


def save_calibration(calibration: Calibration, path: Path = CALIBRATION_FILE) -> None:
    path.write_text(json.dumps(calibration.to_dict(), indent=2) + "\n", encoding="utf-8")


def _logistic(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exponential = math.exp(value)
    return exponential / (1.0 + exponential)


def fit_logistic(
    rows: Sequence[Mapping[str, float]],
    targets: Sequence[float],
    features: Sequence[str],
    alpha: float = DEFAULT_RIDGE_ALPHA,
    weights: Sequence[float] | None = None,
    increasing: Sequence[str] = (),
) -> LogisticCalibration:
    """Least squares on the 0..5 scale through the logistic link, ridge-penalised on standardised
    features (the intercept is not penalised); damped Gauss-Newton, which converges in a few steps.

    ``weights`` weigh the rows (default 1 each). The score is kept non-decreasing in every feature named
    in ``increasing``: one whose fitted weight comes out negative is left out (weight 0) and the rest
    refitted, until none is negative.
    """
    chosen = list(features)
    while True:
        fitted = _fit_logistic(rows, targets, chosen, alpha, weights)
        negative = [
            name
            for name, weight in zip(fitted.features, fitted.weights, strict=True)
            if name in increasing and weight < 0
        ]
        if not negative:
            break
        chosen = [name for name in chosen if name not in negative]
    by_name = dict(zip(fitted.features, fitted.weights, strict=True))
    return LogisticCalibration(
        tuple(features), tuple(by_name.get(name, 0.0) for name in features), fitted.intercept
    )


def _fit_logistic(
    rows: Sequence[Mapping[str, float]],
    targets: Sequence[float],
    features: Sequence[str],
    alpha: float,
    weights: Sequence[float] | None,
) -> LogisticCalibration:
    import numpy as np

    if len(rows) != len(targets) or not rows:
        raise ValueError("Fitting needs as many targets as feature rows, and at least one.")
    if weights is not None and len(weights) != len(rows):
        raise ValueError("Fitting needs one weight per row.")
    matrix = np.array([[row[name] for name in features] for row in rows], dtype=np.float64).reshape(
        len(rows), len(features)
    )
    target = np.asarray(targets, dtype=np.float64)
    weight = np.ones(len(rows)) if weights is None else np.asarray(weights, dtype=np.float64)
    weight = weight * (len(rows) / weight.sum())
    mean = matrix.mean(axis=0)
    scale = matrix.std(axis=0)
    scale[scale == 0] = 1.0
    design = np.hstack([(matrix - mean) / scale, np.ones((len(rows), 1))])
    penalty = alpha * np.eye(design.shape[1])
    penalty[-1, -1] = 0.0
    share = float(np.clip((weight @ target) / weight.sum() / SCORE_MAX, 0.01, 0.99))
    coefficients = np.zeros(design.shape[1])
    coefficients[-1] = math.log(share / (1 - share))

    def loss(candidate: np.ndarray) -> float:
        residual = target - SCORE_MAX / (1 + np.exp(-(design @ candidate)))
        return float(residual @ (weight * residual) + candidate @ penalty @ candidate)

    current = loss(coefficients)
    for _ in range(_FIT_ITERATIONS):
        probability = 1 / (1 + np.exp(-(design @ coefficients)))
        residual = target - SCORE_MAX * probability
        jacobian = design * (SCORE_MAX * probability * (1 - probability))[:, None]
        weighted = jacobian * weight[:, None]
        step = np.linalg.solve(
            weighted.T @ jacobian + penalty, weighted.T @ residual - penalty @ coefficients
        )
        scale_step = 1.0
        while scale_step > 1e-4 and loss(coefficients + scale_step * step) > current:
            scale_step /= 2
        candidate = coefficients + scale_step * step
        improved = loss(candidate)
        if current - improved < _FIT_TOLERANCE * max(1.0, current):
            coefficients, current = (candidate, improved) if improved < current else (coefficients, current)
            break
        coefficients, current = candidate, improved
    weights = coefficients[:-1] / scale
    intercept = float(coefficients[-1] - weights @ mean)
    return LogisticCalibration(tuple(features), tuple(float(weight) for weight in weights), intercept)
