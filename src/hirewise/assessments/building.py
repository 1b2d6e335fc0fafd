"""Building an opening's assessments: their settings, and who may change them.

Questions and their rubric versions are in ``questions.py``; ``services.py`` re-exports both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hirewise.assessments.models import Assessment, AssessmentQuestion, AssessmentStatus, Layout
from hirewise.assessments.validation import TIME_LIMIT_RANGE, VALID_DAYS_RANGE, check_int
from hirewise.audit.services import changed, record, snapshot
from hirewise.auth.models import User
from hirewise.db import use_case
from hirewise.errors import NotFound, PermissionDenied
from hirewise.extensions import db
from hirewise.interviews.validation import FieldErrors
from hirewise.openings.models import Opening
from hirewise.security import can_manage_assessments, can_view_opening

ASSESSMENT_FIELDS = (
    "title",
    "instructions",
    "time_limit_minutes",
    "pass_mark_percent",
    "layout",
    "invitation_valid_days",
    "status",
)


def list_assessments(opening: Opening, *, include_archived: bool = False) -> list[Assessment]:
    stmt = select(Assessment).where(Assessment.opening_id == opening.id).order_by(Assessment.id)
    if not include_archived:
        stmt = stmt.where(Assessment.status == AssessmentStatus.ACTIVE)
    return list(db.session.execute(stmt).scalars())


def get_assessment(assessment_id: int) -> Assessment:
    stmt = (
        select(Assessment)
        .where(Assessment.id == assessment_id)
        .options(selectinload(Assessment.questions).joinedload(AssessmentQuestion.skill))
    )
    assessment = db.session.execute(stmt).scalar_one_or_none()
    if assessment is None:
        raise NotFound("No such assessment.")
    return assessment


def get_visible_assessment(user: User, assessment_id: int) -> Assessment:
    assessment = get_assessment(assessment_id)
    if not can_view_opening(user, assessment.opening):
        raise NotFound("No such assessment.")  # the same answer as a missing one: ids are not probed
    return assessment


def require_manage(actor: User, opening: Opening) -> None:
    if not can_manage_assessments(actor, opening):
        raise PermissionDenied("You are not allowed to change this opening's assessments.")


def _clean_settings(
    errors: FieldErrors, values: Mapping[str, Any], current: Assessment | None
) -> dict[str, Any]:
    def value(name: str, default: Any) -> Any:
        if name in values:
            return values[name]
        return getattr(current, name) if current is not None else default

    title = value("title", "")
    clean: dict[str, Any] = {}
    if not isinstance(title, str) or not title.strip():
        errors.add("title", "The title is required.")
    elif len(title.strip()) > 200:
        errors.add("title", "The title must be at most 200 characters.")
    else:
        clean["title"] = title.strip()
    instructions = value("instructions", "")
    if not isinstance(instructions, str) or len(instructions) > 5_000:
        errors.add("instructions", "The instructions must be text of at most 5,000 characters.")
    else:
        clean["instructions"] = instructions.strip()
    clean["time_limit_minutes"] = check_int(
        errors,
        "time_limit_minutes",
        "The time limit (minutes)",
        value("time_limit_minutes", 30),
        *TIME_LIMIT_RANGE,
    )
    clean["pass_mark_percent"] = check_int(
        errors, "pass_mark_percent", "The pass mark (%)", value("pass_mark_percent", 60), 0, 100
    )
    clean["invitation_valid_days"] = check_int(
        errors,
        "invitation_valid_days",
        "Days a link stays valid",
        value("invitation_valid_days", 7),
        *VALID_DAYS_RANGE,
    )
    try:
        clean["layout"] = Layout(value("layout", Layout.ONE_PER_PAGE))
    except ValueError:
        errors.add("layout", "Choose one question per page or all questions on one page.")
    try:
        clean["status"] = AssessmentStatus(value("status", AssessmentStatus.ACTIVE))
    except ValueError:
        errors.add("status", "Choose active or archived.")
    return clean


@use_case
def create_assessment(
    actor: User, opening: Opening, values: Mapping[str, Any], *, commit: bool = True
) -> Assessment:
    require_manage(actor, opening)
    errors = FieldErrors()
    clean = _clean_settings(errors, values, None)
    errors.raise_if_any()
    assessment = Assessment(opening=opening, created_by_id=actor.id, **clean)
    db.session.add(assessment)
    db.session.flush()
    record(
        actor,
        "create",
        "assessment",
        assessment.id,
        f"created assessment {assessment.title}",
        after=snapshot(assessment, ASSESSMENT_FIELDS),
        opening_id=opening.id,
    )
    if commit:
        db.session.commit()
    return assessment


@use_case
def update_assessment(actor: User, assessment: Assessment, values: Mapping[str, Any]) -> Assessment:
    require_manage(actor, assessment.opening)
    errors = FieldErrors()
    clean = _clean_settings(errors, values, assessment)
    errors.raise_if_any()
    before = snapshot(assessment, ASSESSMENT_FIELDS)
    for name, value in clean.items():
        setattr(assessment, name, value)
    old, new = changed(before, snapshot(assessment, ASSESSMENT_FIELDS))
    if new:
        record(
            actor,
            "update",
            "assessment",
            assessment.id,
            f"changed assessment {assessment.title}",
            before=old,
            after=new,
            opening_id=assessment.opening_id,
        )
    db.session.commit()
    return assessment


def max_points(assessment: Assessment) -> int:
    return sum(question.points for question in assessment.questions)
