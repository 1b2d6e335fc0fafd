"""Stage automations of an opening: what sending an assessment or scheduling an interview does to
the application's stage, and the settings that turn each on or off.

The moves are steps of the use case that triggers them (they never commit) and go through the
ordinary stage move, so the stage history, the timelines and the audit log show them like a move
by hand, with an "Automatic: ..." reason. They only move an application forward, only within the
active stages, and never on a closed opening: a rejected or hired application stays where it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hirewise.audit.services import changed, record, snapshot
from hirewise.auth.models import User
from hirewise.db import use_case
from hirewise.errors import PermissionDenied
from hirewise.extensions import db
from hirewise.openings.models import Opening, OpeningStatus, Stage, StageKind
from hirewise.security import can_edit_opening

if TYPE_CHECKING:
    from hirewise.candidates.models import Application

AUTOMATION_FIELDS = ("auto_move_on_assessment_invite", "auto_move_on_interview_scheduled")
ASSESSMENT_STAGE = "Assessment"
INTERVIEW_STAGE = "Interview"
ASSESSMENT_REASON = "Automatic: assessment invitation sent"
INTERVIEW_REASON = "Automatic: interview scheduled"


@use_case
def update_automations(
    actor: User,
    opening: Opening,
    *,
    move_on_assessment_invite: bool | None = None,
    move_on_interview_scheduled: bool | None = None,
) -> Opening:
    """Turn the opening's stage automations on or off; None keeps a setting as it is."""
    if not can_edit_opening(actor, opening):
        raise PermissionDenied("You are not allowed to change this opening.")
    before = snapshot(opening, AUTOMATION_FIELDS)
    if move_on_assessment_invite is not None:
        opening.auto_move_on_assessment_invite = move_on_assessment_invite
    if move_on_interview_scheduled is not None:
        opening.auto_move_on_interview_scheduled = move_on_interview_scheduled
    old, new = changed(before, snapshot(opening, AUTOMATION_FIELDS))
    if new:
        record(
            actor,
            "update",
            "opening",
            opening.id,
            f"changed the stage automations of {opening.title}",
            before=old,
            after=new,
            opening_id=opening.id,
        )
    db.session.commit()
    return opening


def _active_stage_named(opening: Opening, name: str) -> Stage | None:
    return next(
        (
            stage
            for stage in opening.stages
            if stage.kind == StageKind.ACTIVE and stage.name.casefold() == name.casefold()
        ),
        None,
    )


def _move_forward(actor: User, application: Application, target: Stage | None, reason: str) -> bool:
    # Imported here: candidates.services imports the interview and assessment services (a rejection
    # cancels what they scheduled), and those call this module, so a top-level import would be a cycle.
    from hirewise.candidates.services import move_step

    current = application.stage
    if (
        target is None
        or application.opening.status == OpeningStatus.CLOSED
        or current.kind != StageKind.ACTIVE
        or target.position <= current.position
    ):
        return False
    return move_step(actor, application, target, reason)


def after_assessment_invitation(actor: User, application: Application) -> bool:
    """A step of sending an assessment invitation: move the application to the Assessment stage
    (from Applied or Screen) when the opening automates it. True when it moved."""
    opening = application.opening
    if not opening.auto_move_on_assessment_invite:
        return False
    target = _active_stage_named(opening, ASSESSMENT_STAGE)
    return _move_forward(actor, application, target, ASSESSMENT_REASON)


def after_interview_scheduled(actor: User, application: Application, plan_stage: Stage | None = None) -> bool:
    """A step of scheduling an interview: move the application to the Interview stage when the
    opening automates it. An interview of the plan that belongs to an earlier stage (the screening
    call, in Screen) moves it only that far, so nobody skips a stage by being called. True when it moved."""
    opening = application.opening
    if not opening.auto_move_on_interview_scheduled:
        return False
    target = _active_stage_named(opening, INTERVIEW_STAGE)
    if target is None:
        return False
    if (
        plan_stage is not None
        and plan_stage.kind == StageKind.ACTIVE
        and plan_stage.position < target.position
    ):
        target = plan_stage
    return _move_forward(actor, application, target, INTERVIEW_REASON)
