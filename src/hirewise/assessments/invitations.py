"""Inviting applications to an assessment: private one-time links emailed through the outbox.

Also revoking a link, and the one-word state of an invitation that lists show.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from hirewise.assessments.models import (
    Assessment,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentStatus,
    AttemptStatus,
    ScoringStatus,
)
from hirewise.assessments.validation import VALID_DAYS_RANGE, check_int
from hirewise.audit.services import record
from hirewise.auth.models import User
from hirewise.auth.services import hash_secret
from hirewise.candidates.models import Application
from hirewise.db import use_case, utcnow
from hirewise.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.interviews.validation import FieldErrors
from hirewise.mail.models import TemplateKey
from hirewise.mail.services import deliver_later, queue_template_email
from hirewise.security import can_invite_to_assessment

TOKEN_BYTES = 32  # 256 bits, well above the 128 the link needs to be unguessable
MAX_BULK_INVITATIONS = 200


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: AssessmentInvitation
    token: str  # shown once to whoever invited; only its hash is stored
    link: str


def candidate_link(token: str) -> str:
    # Built from the URL map, not url_for: a worker or a CLI command has no request to take the host from.
    path = current_app.url_map.bind("hirewise.invalid").build("candidate_assessments.take", {"token": token})
    return str(current_app.config["BASE_URL"]).rstrip("/") + path


def open_invitation(assessment: Assessment, application: Application) -> AssessmentInvitation | None:
    """The invitation still usable (not revoked, not expired, not submitted), if there is one."""
    now = utcnow()
    stmt = (
        select(AssessmentInvitation)
        .where(
            AssessmentInvitation.assessment_id == assessment.id,
            AssessmentInvitation.application_id == application.id,
            AssessmentInvitation.revoked_at.is_(None),
        )
        .options(joinedload(AssessmentInvitation.attempt))
    )
    for invitation in db.session.execute(stmt).scalars().unique():
        attempt = invitation.attempt
        if attempt is not None and attempt.status == AttemptStatus.SUBMITTED:
            continue
        if attempt is None and invitation.expires_at <= now:
            continue
        return invitation
    return None


def has_taken(assessment: Assessment, application: Application) -> bool:
    """Whether the application has a submitted attempt at this assessment."""
    stmt = (
        select(AssessmentAttempt.id)
        .join(AssessmentInvitation, AssessmentInvitation.id == AssessmentAttempt.invitation_id)
        .where(
            AssessmentInvitation.assessment_id == assessment.id,
            AssessmentInvitation.application_id == application.id,
            AssessmentAttempt.status == AttemptStatus.SUBMITTED,
        )
    )
    return db.session.execute(stmt).first() is not None


@use_case
def invite(
    actor: User,
    assessment: Assessment,
    applications: Sequence[Application],
    *,
    valid_days: Any = None,
    skip_invited: bool = False,
) -> list[IssuedInvitation]:
    """Invite each application: a private link emailed through the outbox. All or nothing.

    ``skip_invited`` (inviting a whole pipeline column) leaves out applications that already have an
    open invitation or have taken the assessment, instead of refusing the whole batch.
    """
    if assessment.status != AssessmentStatus.ACTIVE:
        raise Conflict("This assessment is archived; reactivate it to invite candidates.")
    if not assessment.questions:
        raise ValidationFailed("Add at least one question before inviting candidates.")
    applications = list({application.id: application for application in applications}.values())
    if skip_invited:
        applications = [
            application
            for application in applications
            if open_invitation(assessment, application) is None and not has_taken(assessment, application)
        ]
        if not applications:
            return []
    if not applications:
        raise ValidationFailed("Choose at least one application to invite.")
    if len(applications) > MAX_BULK_INVITATIONS:
        raise ValidationFailed(f"Invite at most {MAX_BULK_INVITATIONS} applications at once.")
    errors = FieldErrors()
    days = check_int(
        errors,
        "valid_days",
        "Days the link stays valid",
        assessment.invitation_valid_days if valid_days in (None, "") else valid_days,
        *VALID_DAYS_RANGE,
    )
    errors.raise_if_any()
    problems: dict[str, list[str]] = {}
    for application in applications:
        # Permission first: a refusal must not tell who applied to an opening the actor cannot see.
        if not can_invite_to_assessment(actor, application):
            raise PermissionDenied("You are not allowed to invite one of the chosen applications.")
        if application.opening_id != assessment.opening_id:
            problems.setdefault("applications", []).append(
                f"{application.candidate.full_name} applied to another opening."
            )
        elif open_invitation(assessment, application) is not None:
            problems.setdefault("applications", []).append(
                f"{application.candidate.full_name} already has an open invitation to this assessment."
            )
    if problems:
        raise Conflict(problems["applications"][0], problems)
    expires_at = utcnow() + timedelta(days=days)
    issued: list[IssuedInvitation] = []
    for application in applications:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        invitation = AssessmentInvitation(
            assessment=assessment,
            application=application,
            token_hash=hash_secret(token),
            expires_at=expires_at,
            invited_by_id=actor.id,
        )
        db.session.add(invitation)
        db.session.flush()
        link = candidate_link(token)
        candidate = application.candidate
        message = queue_template_email(
            TemplateKey.ASSESSMENT_INVITATION,
            to_email=candidate.email,
            to_name=candidate.full_name,
            context={
                "opening_title": assessment.opening.title,
                "assessment_title": assessment.title,
                "assessment_link": link,
                "time_limit_minutes": str(assessment.time_limit_minutes),
                "expires_on": expires_at.strftime("%A %d %B %Y, %H:%M UTC"),
            },
            candidate_id=candidate.id,
            application_id=application.id,
            actor=actor,
        )
        invitation.outbox_message_id = message.id
        record(
            actor,
            "create",
            "assessment_invitation",
            invitation.id,
            f"invited {candidate.full_name} to {assessment.title}, valid {days} days",
            candidate_id=candidate.id,
            opening_id=assessment.opening_id,
        )
        issued.append(IssuedInvitation(invitation, token, link))
    deliver_later([item.invitation.outbox_message_id for item in issued if item.invitation.outbox_message_id])
    db.session.commit()
    return issued


@use_case
def revoke_invitation(actor: User, invitation: AssessmentInvitation) -> AssessmentInvitation:
    if not can_invite_to_assessment(actor, invitation.application):
        raise PermissionDenied("You are not allowed to change this invitation.")
    if invitation.attempt is not None and invitation.attempt.status == AttemptStatus.SUBMITTED:
        raise Conflict("The candidate has already submitted this assessment.")
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        record(
            actor,
            "revoke",
            "assessment_invitation",
            invitation.id,
            f"revoked the {invitation.assessment.title} link of {invitation.application.candidate.full_name}",
            candidate_id=invitation.application.candidate_id,
            opening_id=invitation.assessment.opening_id,
        )
        db.session.commit()
    return invitation


def get_invitation(invitation_id: int) -> AssessmentInvitation:
    invitation = db.session.get(AssessmentInvitation, invitation_id)
    if invitation is None:
        raise NotFound("No such invitation.")
    return invitation


def invitation_state(invitation: AssessmentInvitation, now: datetime | None = None) -> str:
    """One word for lists: revoked, expired, invited, in progress, submitted, scored."""
    now = now or utcnow()
    attempt = invitation.attempt
    if attempt is not None and attempt.status == AttemptStatus.SUBMITTED:
        return "scored" if attempt.scoring_status == ScoringStatus.SCORED else "submitted"
    if invitation.revoked_at is not None:
        return "revoked"
    if attempt is not None:
        return "in progress"
    if invitation.expires_at <= now:
        return "expired"
    return "invited"


def invitations_for_application(application: Application) -> list[AssessmentInvitation]:
    stmt = (
        select(AssessmentInvitation)
        .where(AssessmentInvitation.application_id == application.id)
        .options(
            joinedload(AssessmentInvitation.assessment),
            joinedload(AssessmentInvitation.attempt).selectinload(AssessmentAttempt.answers),
        )
        .order_by(AssessmentInvitation.id.desc())
    )
    return list(db.session.execute(stmt).scalars().unique())


def invitations_for_assessment(assessment: Assessment) -> list[AssessmentInvitation]:
    stmt = (
        select(AssessmentInvitation)
        .where(AssessmentInvitation.assessment_id == assessment.id)
        .options(
            joinedload(AssessmentInvitation.application).joinedload(Application.candidate),
            joinedload(AssessmentInvitation.attempt).selectinload(AssessmentAttempt.answers),
        )
        .order_by(AssessmentInvitation.id.desc())
    )
    return list(db.session.execute(stmt).scalars().unique())
