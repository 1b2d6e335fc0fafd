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
from sqlalchemy.orm import joinedload, selectinload

from hirewise.assessments.models import (
    Assessment,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentStatus,
    AttemptStatus,
    ScoringStatus,
)
from hirewise.assessments.review import attempt_totals
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
from hirewise.openings.automation import after_assessment_invitation
from hirewise.security import can_invite_to_assessment

TOKEN_BYTES = 32  # 256 bits, well above the 128 the link needs to be unguessable
MAX_BULK_INVITATIONS = 200
MAX_RETAKE_REASON_CHARS = 2_000


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


def last_submitted_attempt(assessment: Assessment, application: Application) -> AssessmentAttempt | None:
    """The application's latest submitted attempt at this assessment, if it has taken it."""
    stmt = (
        select(AssessmentAttempt)
        .join(AssessmentInvitation, AssessmentInvitation.id == AssessmentAttempt.invitation_id)
        .where(
            AssessmentInvitation.assessment_id == assessment.id,
            AssessmentInvitation.application_id == application.id,
            AssessmentAttempt.status == AttemptStatus.SUBMITTED,
        )
        .options(selectinload(AssessmentAttempt.answers), joinedload(AssessmentAttempt.invitation))
        .order_by(AssessmentAttempt.submitted_at.desc(), AssessmentAttempt.id.desc())
        .limit(1)
    )
    return db.session.execute(stmt).scalars().first()


def has_taken(assessment: Assessment, application: Application) -> bool:
    """Whether the application has a submitted attempt at this assessment."""
    return last_submitted_attempt(assessment, application) is not None


def describe_attempt(attempt: AssessmentAttempt) -> str:
    """``attempt #12 submitted on 04 December 2026, scored 7/11 points (63.6%)``, for refusals and the log."""
    submitted = f" submitted on {attempt.submitted_at:%d %B %Y}" if attempt.submitted_at else ""
    if attempt.scoring_status == ScoringStatus.PENDING:
        return f"attempt #{attempt.id}{submitted}, not scored yet"
    totals = attempt_totals(attempt)
    score = f"scored {totals.points:g}/{totals.max_points:g} points ({totals.percent:g}%)"
    if totals.pending:
        score += f", {totals.pending} answer(s) not scored"
    return f"attempt #{attempt.id}{submitted}, {score}"


def _taken_message(application: Application, earlier: AssessmentAttempt) -> str:
    return (
        f"{application.candidate.full_name} has already taken this assessment ({describe_attempt(earlier)}). "
        "To invite them again, make it a retake and give the reason."
    )


def invitation_refusal(assessment: Assessment, application: Application) -> str | None:
    """Why the application cannot be invited to the assessment now (short of a retake), or None."""
    if open_invitation(assessment, application) is not None:
        return f"{application.candidate.full_name} already has an open invitation to this assessment."
    earlier = last_submitted_attempt(assessment, application)
    if earlier is not None:
        return _taken_message(application, earlier)
    return None


def _clean_retake_reason(errors: FieldErrors, retake: bool, reason: Any) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not retake:
        return ""
    if not text:
        errors.add(
            "retake_reason",
            "Say why the candidate takes the assessment again; the reason is kept with the invitation "
            "and in the audit log.",
        )
    elif len(text) > MAX_RETAKE_REASON_CHARS:
        errors.add("retake_reason", f"The reason must be at most {MAX_RETAKE_REASON_CHARS:,} characters.")
    return text


@use_case
def invite(
    actor: User,
    assessment: Assessment,
    applications: Sequence[Application],
    *,
    valid_days: Any = None,
    skip_invited: bool = False,
    retake: bool = False,
    retake_reason: Any = None,
) -> list[IssuedInvitation]:
    """Invite each application: a private link emailed through the outbox. All or nothing.

    An application that has already submitted an attempt at this assessment is refused (409, naming
    that attempt and its score) unless ``retake`` is set with a ``retake_reason``: the new invitation
    then records the earlier one and the reason, and the audit log says so. ``skip_invited``
    (inviting a whole pipeline column) leaves out applications that have an open invitation or have
    taken the assessment, instead of refusing the whole batch; :func:`invitation_refusal` says why.
    """
    if assessment.status != AssessmentStatus.ACTIVE:
        raise Conflict("This assessment is archived; reactivate it to invite candidates.")
    if not assessment.questions:
        raise Conflict("Add at least one question before inviting candidates.")
    applications = list({application.id: application for application in applications}.values())
    if skip_invited:
        applications = [
            application for application in applications if invitation_refusal(assessment, application) is None
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
    reason = _clean_retake_reason(errors, retake, retake_reason)
    errors.raise_if_any()
    problems: dict[str, list[str]] = {}
    earlier_attempts: dict[int, AssessmentAttempt] = {}
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
        elif (earlier := last_submitted_attempt(assessment, application)) is not None:
            if retake:
                earlier_attempts[application.id] = earlier
            else:
                problems.setdefault("applications", []).append(_taken_message(application, earlier))
    if problems:
        raise Conflict(problems["applications"][0], problems)
    expires_at = utcnow() + timedelta(days=days)
    issued: list[IssuedInvitation] = []
    for application in applications:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        earlier = earlier_attempts.get(application.id)
        invitation = AssessmentInvitation(
            assessment=assessment,
            application=application,
            token_hash=hash_secret(token),
            expires_at=expires_at,
            invited_by_id=actor.id,
            retake_of_id=earlier.invitation_id if earlier is not None else None,
            retake_reason=reason if earlier is not None else "",
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
        if earlier is None:
            record(
                actor,
                "create",
                "assessment_invitation",
                invitation.id,
                f"invited {candidate.full_name} to {assessment.title}, valid {days} days",
                candidate_id=candidate.id,
                opening_id=assessment.opening_id,
            )
        else:
            record(
                actor,
                "retake",
                "assessment_invitation",
                invitation.id,
                f"invited {candidate.full_name} to retake {assessment.title} after {describe_attempt(earlier)}, "
                f"valid {days} days. Reason: {reason}",
                after={"retake_of_attempt_id": earlier.id, "retake_reason": reason},
                candidate_id=candidate.id,
                opening_id=assessment.opening_id,
            )
        issued.append(IssuedInvitation(invitation, token, link))
        after_assessment_invitation(actor, application)
    deliver_later([item.invitation.outbox_message_id for item in issued if item.invitation.outbox_message_id])
    db.session.commit()
    return issued


@use_case
def revoke_invitation(
    actor: User, invitation: AssessmentInvitation, *, commit: bool = True
) -> AssessmentInvitation:
    """Withdraw a link; ``commit=False`` makes it a step of a larger use case (rejecting the application)."""
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
        if commit:
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
    return invitations_for_applications([application.id])


def invitations_for_applications(application_ids: Sequence[int]) -> list[AssessmentInvitation]:
    """The invitations of all these applications in one query (a bulk rejection stays set-wise)."""
    stmt = (
        select(AssessmentInvitation)
        .where(AssessmentInvitation.application_id.in_(application_ids))
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
