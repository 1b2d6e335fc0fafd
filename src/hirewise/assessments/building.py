"""Building an opening's assessments: their settings, and who may change them.

Questions and their rubric versions are in ``questions.py``; ``services.py`` re-exports both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from marshmallow import ValidationError as MarshmallowError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hirewise.assessments.models import Assessment, AssessmentQuestion, AssessmentStatus, Layout
from hirewise.audit.services import changed, record, snapshot
from hirewise.auth.models import User
from hirewise.db import use_case
from hirewise.errors import NotFound, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.openings.models import Opening
from hirewise.security import can_manage_assessments, can_view_opening

if TYPE_CHECKING:
    from marshmallow import Schema

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


def _settings(values: Mapping[str, Any], *, update: bool) -> dict[str, Any]:
    """``values`` loaded by the schema the API and the HTML form share, so every caller gets the same
    rules and messages; a refusal is a ValidationFailed naming the same fields."""
    # Imported here: the schemas module reads the invitation limits, and invitations import this module.
    from hirewise.assessments.schemas import AssessmentSettingsSchema, AssessmentUpdateSchema

    schema: Schema = AssessmentUpdateSchema() if update else AssessmentSettingsSchema()
    try:
        clean: dict[str, Any] = schema.load(values)
    except MarshmallowError as error:
        raise ValidationFailed.from_schema(error) from None
    if "layout" in clean:
        clean["layout"] = Layout(clean["layout"])
    if "status" in clean:
        clean["status"] = AssessmentStatus(clean["status"])
    return clean


@use_case
def create_assessment(
    actor: User, opening: Opening, values: Mapping[str, Any], *, commit: bool = True
) -> Assessment:
    """A new assessment of ``opening``; settings left out of ``values`` take their defaults."""
    require_manage(actor, opening)
    clean = _settings(values, update=False)
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
    """Change the settings in ``values``; those left out keep their value."""
    require_manage(actor, assessment.opening)
    clean = _settings(values, update=True)
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
