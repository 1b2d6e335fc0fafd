"""An attempt's total score, stored on its row (``AssessmentAttempt.total_points`` and
``total_max_points``) and rewritten wherever an answer's score changes: automatic scoring and a
reviewer's override or its removal. Reports read the stored total instead of adding up the answers.

The total is the sum of the answers' final points (an override, else the automatic score; answers
without either are left out, and the total is None when no answer has one) and of their maximum
points. Points are kept to hundredths, so the sum is rounded to hundredths: the stored figure then
does not depend on the order the answers were added in, in Python or in SQL.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Numeric, cast, func, select, update
from sqlalchemy.sql._typing import _ColumnExpressionArgument

from hirewise.assessments.models import AssessmentAnswer, AssessmentAttempt
from hirewise.extensions import db


def total_of(answers: Iterable[AssessmentAnswer]) -> tuple[float | None, float]:
    """``(points, max_points)`` of the answers, as stored on their attempt."""
    finals: list[float] = []
    maximum = 0.0
    for answer in answers:
        maximum += answer.max_points
        if answer.final_points is not None:
            finals.append(answer.final_points)
    return (round(sum(finals), 2) if finals else None), maximum


def shown_percent(points: float, maximum: float) -> float:
    """The score as a percentage to one decimal, half up, as every page shows it. A pass is decided on
    this figure, here and in SQL (:func:`shown_percent_sql`), so that an attempt shown as 60.0% at a
    pass mark of 60 passes on its page and in the reports alike. Computed in decimals, as SQL does:
    8.79 of 20 is 43.95% exactly (44.0 shown), where floats make it 43.9499… (43.9)."""
    if not maximum:
        return 0.0
    exact = Decimal(repr(points)) * 100 / Decimal(repr(maximum))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def shown_percent_sql(
    points: _ColumnExpressionArgument[Any], maximum: _ColumnExpressionArgument[Any]
) -> ColumnElement[Any]:
    """:func:`shown_percent` in SQL: decimal arithmetic, rounded to one place half away from zero."""
    return func.round(cast(points, Numeric) * 100 / cast(maximum, Numeric), 1)


def store_total(attempt: AssessmentAttempt) -> None:
    """Write the attempt's total from its answers as they are in the session now."""
    attempt.total_points, attempt.total_max_points = total_of(attempt.answers)


def store_totals(attempt_ids: Collection[int]) -> None:
    """The same in one UPDATE, for attempts whose answers were written in bulk (demo history).
    The attempts' objects in the session are not refreshed."""
    if not attempt_ids:
        return
    of_attempt = AssessmentAnswer.attempt_id == AssessmentAttempt.id
    final_points = func.coalesce(AssessmentAnswer.override_points, AssessmentAnswer.auto_points)
    db.session.execute(
        update(AssessmentAttempt)
        .where(AssessmentAttempt.id.in_(list(attempt_ids)))
        .values(
            total_points=select(func.round(cast(func.sum(final_points), Numeric), 2))
            .where(of_attempt)
            .scalar_subquery(),
            total_max_points=select(func.coalesce(func.sum(AssessmentAnswer.max_points), 0.0))
            .where(of_attempt)
            .scalar_subquery(),
        )
        .execution_options(synchronize_session=False)
    )
