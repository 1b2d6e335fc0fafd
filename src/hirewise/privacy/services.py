"""Use cases of privacy: settings, export, erasure, legal holds, consent, requests for human review.

Each use case checks permission through security.py, writes the audit log and commits once. The
candidate-facing ones take a signed link (:mod:`hirewise.privacy.tokens`) instead of a user.
Retention runs are in :mod:`hirewise.privacy.retention`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from hirewise.assessments.models import AssessmentAnswer, AssessmentAttempt, AssessmentInvitation
from hirewise.audit.services import changed, record, snapshot
from hirewise.auth.models import User
from hirewise.candidates.models import Application, Candidate
from hirewise.db import use_case, utcnow
from hirewise.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.mail.models import TemplateKey
from hirewise.mail.services import deliver_later, queue_template_email
from hirewise.notifications.services import notify_score_review_requested
from hirewise.privacy import tokens
from hirewise.privacy.erasure import erase_personal_data, purge_sqlite_journal
from hirewise.privacy.export import build_archive
from hirewise.privacy.models import (
    CONSENT_TEXT_VERSION,
    SETTINGS_ID,
    ConsentPurpose,
    ConsentRecord,
    Erasure,
    ErasureTrigger,
    LegalHold,
    PrivacySettings,
    ScoreReviewRequest,
    review_request_still_open,
)
from hirewise.security import (
    can_erase_candidate,
    can_export_candidate,
    can_manage_legal_holds,
    can_manage_privacy,
)

MIN_REASON, MAX_REASON = 1, 1000
MAX_MESSAGE = 2000
NOTICE_DAYS_RANGE = (1, 90)
SETTING_FIELDS: dict[str, type] = {"retention_notice_days": int, "export_includes_feedback": bool}


def _reason(value: str, field: str = "reason") -> str:
    cleaned = (value or "").strip()
    if not MIN_REASON <= len(cleaned) <= MAX_REASON:
        message = f"Give a reason (at most {MAX_REASON} characters)."
        raise ValidationFailed(message, {field: [message]})
    return cleaned


def _base_url() -> str:
    return str(current_app.config["BASE_URL"]).rstrip("/")


def candidate_link(endpoint_path: str, candidate: Candidate, purpose: tokens.LinkPurpose) -> str:
    return f"{_base_url()}{endpoint_path}/{tokens.make_token(candidate, purpose)}"


# --- settings -----------------------------------------------------------------------------------


def current_settings() -> PrivacySettings:
    return db.session.get(PrivacySettings, SETTINGS_ID) or PrivacySettings.defaults()


@use_case
def update_settings(actor: User, values: Mapping[str, Any]) -> PrivacySettings:
    if not can_manage_privacy(actor):
        raise PermissionDenied("Only admins change the privacy settings.")
    problems: dict[str, list[str]] = {}
    for name, value in values.items():
        kind = SETTING_FIELDS.get(name)
        if kind is None:
            problems[name] = ["Unknown setting."]
        elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            problems[name] = ["Must be a whole number." if kind is int else "Must be true or false."]
        elif name == "retention_notice_days" and not (
            isinstance(value, int) and NOTICE_DAYS_RANGE[0] <= value <= NOTICE_DAYS_RANGE[1]
        ):
            problems[name] = [f"Must be between {NOTICE_DAYS_RANGE[0]} and {NOTICE_DAYS_RANGE[1]}."]
    if not values:
        problems["settings"] = ["No setting was sent."]
    if problems:
        raise ValidationFailed(
            f"The privacy settings are not valid: {', '.join(sorted(problems))}.", problems
        )
    settings = db.session.get(PrivacySettings, SETTINGS_ID)
    if settings is None:
        settings = PrivacySettings.defaults()
        db.session.add(settings)
    before = snapshot(settings, SETTING_FIELDS)
    for name, value in values.items():
        setattr(settings, name, value)
    old, new = changed(before, snapshot(settings, SETTING_FIELDS))
    if new:
        settings.updated_by_id = actor.id
        record(
            actor,
            "update",
            "privacy_settings",
            SETTINGS_ID,
            "changed the privacy settings",
            before=old,
            after=new,
        )
    db.session.commit()
    return settings


# --- status of one candidate ---------------------------------------------------------------------


def erasure_of(candidate: Candidate) -> Erasure | None:
    return db.session.execute(
        select(Erasure).where(Erasure.candidate_id == candidate.id)
    ).scalar_one_or_none()


def active_hold(candidate: Candidate) -> LegalHold | None:
    stmt = select(LegalHold).where(LegalHold.candidate_id == candidate.id, LegalHold.released_at.is_(None))
    return db.session.execute(stmt.order_by(LegalHold.placed_at.desc())).scalars().first()


def consents_of(candidate: Candidate) -> list[ConsentRecord]:
    stmt = select(ConsentRecord).where(ConsentRecord.candidate_id == candidate.id)
    return list(
        db.session.execute(stmt.order_by(ConsentRecord.given_at.desc(), ConsentRecord.id.desc())).scalars()
    )


@dataclass(frozen=True)
class PrivacyStatus:
    candidate: Candidate
    erasure: Erasure | None
    hold: LegalHold | None
    consents: list[ConsentRecord]


def privacy_status(actor: User, candidate: Candidate) -> PrivacyStatus:
    if not can_export_candidate(actor, candidate):
        raise PermissionDenied("Only recruiters and admins see a candidate's privacy record.")
    return PrivacyStatus(candidate, erasure_of(candidate), active_hold(candidate), consents_of(candidate))


def get_candidate(candidate_id: int) -> Candidate:
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        raise NotFound("No such candidate.")
    return candidate


# --- export -------------------------------------------------------------------------------------


def _refuse_erased(candidate: Candidate) -> None:
    if erasure_of(candidate) is not None:
        raise Conflict("This candidate's personal data was erased: there is nothing left to export.")


@use_case
def export_for_staff(actor: User, candidate: Candidate) -> bytes:
    if not can_export_candidate(actor, candidate):
        raise PermissionDenied("Only recruiters and admins export a candidate's data.")
    _refuse_erased(candidate)
    archive = build_archive(candidate, include_feedback=current_settings().export_includes_feedback)
    record(
        actor, "export", "candidate", candidate.id, "exported the candidate's data", candidate_id=candidate.id
    )
    db.session.commit()
    return archive


@use_case
def export_for_candidate(token: str) -> tuple[Candidate, bytes]:
    candidate = tokens.candidate_for_token(token, tokens.LinkPurpose.EXPORT)
    _refuse_erased(candidate)
    archive = build_archive(candidate, include_feedback=current_settings().export_includes_feedback)
    record(
        None,
        "export",
        "candidate",
        candidate.id,
        "the candidate downloaded their data",
        candidate_id=candidate.id,
    )
    db.session.commit()
    return candidate, archive


def _find_by_email(email: str) -> Candidate | None:
    cleaned = (email or "").strip().lower()
    if not cleaned or len(cleaned) > 320:
        return None
    return db.session.execute(select(Candidate).where(Candidate.email == cleaned)).scalar_one_or_none()


@use_case
def request_candidate_links(email: str) -> None:
    """From the careers site: email the person at ``email``, if they are a candidate, their links.

    Whatever the address, the caller shows the same answer, so nobody learns who applied.
    """
    candidate = _find_by_email(email)
    if candidate is None or erasure_of(candidate) is not None:
        return
    body = "\n\n".join(
        [
            "You asked for a copy of the data we hold about you. Download it (a ZIP file) within "
            f"{tokens.link_days()['export']} days:",
            candidate_link("/privacy/export", candidate, tokens.LinkPurpose.EXPORT),
            "See how your assessment answers were scored, and ask for a person to review a score:",
            candidate_link("/privacy/scores", candidate, tokens.LinkPurpose.SCORES),
            "Withdraw your consent and have your data erased:",
            candidate_link("/privacy/withdraw", candidate, tokens.LinkPurpose.WITHDRAW),
            "If you did not ask for this, you can ignore this email.",
        ]
    )
    message = queue_template_email(
        TemplateKey.GENERIC,
        to_email=candidate.email,
        to_name=candidate.full_name,
        context={"subject": "Your data: download a copy", "body": body},
        candidate_id=candidate.id,
    )
    record(
        None,
        "request_export",
        "candidate",
        candidate.id,
        "export link emailed on request",
        candidate_id=candidate.id,
    )
    deliver_later([message.id])
    db.session.commit()


# --- erasure and legal holds --------------------------------------------------------------------


def erase_step(actor: User | None, candidate: Candidate, trigger: ErasureTrigger, reason: str) -> Erasure:
    """The erasure itself, as a step of a use case (no commit): refused under a legal hold."""
    if erasure_of(candidate) is not None:
        raise Conflict("This candidate's personal data was already erased.")
    hold = active_hold(candidate)
    if hold is not None:
        raise Conflict(
            f"This candidate is under a legal hold since {hold.placed_at:%Y-%m-%d} ({hold.reason}): "
            "their data cannot be erased until an admin releases the hold.",
            {"legal_hold": [hold.reason]},
        )
    candidate_id = candidate.id
    rows = erase_personal_data(candidate)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    erasure = Erasure(
        candidate_id=candidate_id,
        trigger=trigger,
        reason=reason,
        erased_at=utcnow(),
        erased_by_id=actor.id if authenticated and actor is not None else None,
        rows_changed=rows,
    )
    db.session.add(erasure)
    db.session.execute(
        update(ConsentRecord)
        .where(ConsentRecord.candidate_id == candidate_id, ConsentRecord.withdrawn_at.is_(None))
        .values(withdrawn_at=utcnow())
    )
    record(
        actor,
        "erase",
        "candidate",
        candidate_id,
        f"erased the personal data of candidate #{candidate_id} ({trigger}); {sum(rows.values())} rows changed",
        candidate_id=candidate_id,
    )
    return erasure


@use_case
def erase_candidate(actor: User, candidate: Candidate, reason: str) -> Erasure:
    """A recruiter or admin erases a candidate on request."""
    if not can_erase_candidate(actor, candidate):
        raise PermissionDenied("Only recruiters and admins erase a candidate's data.")
    erasure = erase_step(actor, candidate, ErasureTrigger.REQUEST, _reason(reason))
    db.session.commit()
    purge_sqlite_journal()
    return erasure


@use_case
def place_hold(actor: User, candidate: Candidate, reason: str) -> LegalHold:
    if not can_manage_legal_holds(actor):
        raise PermissionDenied("Only admins place a legal hold.")
    cleaned = _reason(reason)
    if active_hold(candidate) is not None:
        raise Conflict("This candidate is already under a legal hold.")
    if erasure_of(candidate) is not None:
        raise Conflict("This candidate's personal data was already erased.")
    hold = LegalHold(candidate_id=candidate.id, reason=cleaned, placed_by_id=actor.id, placed_at=utcnow())
    db.session.add(hold)
    db.session.flush()
    record(
        actor,
        "hold",
        "candidate",
        candidate.id,
        "placed a legal hold: erasure is blocked",
        candidate_id=candidate.id,
    )
    db.session.commit()
    return hold


@use_case
def release_hold(actor: User, candidate: Candidate) -> LegalHold:
    if not can_manage_legal_holds(actor):
        raise PermissionDenied("Only admins release a legal hold.")
    hold = active_hold(candidate)
    if hold is None:
        raise Conflict("This candidate is not under a legal hold.")
    hold.released_at = utcnow()
    hold.released_by_id = actor.id
    record(
        actor, "release_hold", "candidate", candidate.id, "released the legal hold", candidate_id=candidate.id
    )
    db.session.commit()
    return hold


# --- consent ------------------------------------------------------------------------------------


def record_consent(candidate: Candidate, purpose: ConsentPurpose, page: str) -> ConsentRecord:
    """A step: the candidate agreed to ``purpose`` on ``page``, to the current version of the text."""
    consent = ConsentRecord(
        candidate_id=candidate.id,
        purpose=purpose,
        text_version=CONSENT_TEXT_VERSION,
        page=page[:300],
        given_at=utcnow(),
    )
    db.session.add(consent)
    return consent


@use_case
def record_application_consent(candidate_id: int, page: str) -> None:
    """After an application from the careers page, which refuses to apply without consent."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        return
    record_consent(candidate, ConsentPurpose.APPLICATION, page)
    db.session.commit()


@use_case
def keep_application(token: str, page: str) -> Candidate:
    """The retention notice's link: keep the application for another retention period."""
    candidate = tokens.candidate_for_token(token, tokens.LinkPurpose.KEEP)
    _refuse_erased(candidate)
    now = utcnow()
    candidate.retain_until = now + timedelta(days=current_app.config["DATA_RETENTION_DAYS"])
    candidate.consent_at = now
    record_consent(candidate, ConsentPurpose.RETENTION_EXTENSION, page)
    record(
        None,
        "keep",
        "candidate",
        candidate.id,
        f"the candidate asked to keep their application until {candidate.retain_until:%Y-%m-%d}",
        candidate_id=candidate.id,
    )
    db.session.commit()
    return candidate


@dataclass(frozen=True)
class Withdrawal:
    erased: bool
    hold_reason: str = ""


@use_case
def withdraw_consent(token: str) -> Withdrawal:
    """The candidate withdraws consent: consents are marked withdrawn, and erasure starts at once,
    unless an admin's legal hold keeps the data (the candidate is told so)."""
    candidate = tokens.candidate_for_token(token, tokens.LinkPurpose.WITHDRAW)
    _refuse_erased(candidate)
    hold = active_hold(candidate)
    if hold is not None:
        db.session.execute(
            update(ConsentRecord)
            .where(ConsentRecord.candidate_id == candidate.id, ConsentRecord.withdrawn_at.is_(None))
            .values(withdrawn_at=utcnow())
        )
        record(
            None,
            "withdraw_consent",
            "candidate",
            candidate.id,
            "consent withdrawn; erasure blocked by a legal hold",
            candidate_id=candidate.id,
        )
        db.session.commit()
        return Withdrawal(erased=False, hold_reason="a legal obligation requires us to keep it for now")
    erase_step(None, candidate, ErasureTrigger.WITHDRAWAL, "the candidate withdrew consent")
    db.session.commit()
    purge_sqlite_journal()
    return Withdrawal(erased=True)


# --- explanations and human review --------------------------------------------------------------


def candidate_for_scores(token: str) -> Candidate:
    candidate = tokens.candidate_for_token(token, tokens.LinkPurpose.SCORES)
    _refuse_erased(candidate)
    return candidate


def _answer_of(candidate: Candidate, answer_id: int) -> AssessmentAnswer:
    stmt = (
        select(AssessmentAnswer)
        .join(AssessmentAnswer.attempt)
        .join(AssessmentAttempt.invitation)
        .join(AssessmentInvitation.application)
        .where(AssessmentAnswer.id == answer_id, Application.candidate_id == candidate.id)
    )
    answer = db.session.execute(stmt).scalar_one_or_none()
    if answer is None or not answer.scorer:
        raise NotFound("No automatically scored answer of yours has this number.")
    return answer


@use_case
def request_human_review(token: str, answer_id: int, message: str) -> ScoreReviewRequest:
    """The candidate asks for a person to review one automatic score: a to-do for the recruiters."""
    candidate = candidate_for_scores(token)
    answer = _answer_of(candidate, answer_id)
    text = (message or "").strip()
    if len(text) > MAX_MESSAGE:
        problem = f"Keep the message under {MAX_MESSAGE} characters."
        raise ValidationFailed(problem, {"message": [problem]})
    existing = db.session.execute(
        select(ScoreReviewRequest)
        .join(AssessmentAnswer, AssessmentAnswer.id == ScoreReviewRequest.answer_id)
        .where(ScoreReviewRequest.answer_id == answer.id, review_request_still_open())
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    application_id = answer.attempt.invitation.application_id
    request = ScoreReviewRequest(
        candidate_id=candidate.id,
        answer_id=answer.id,
        application_id=application_id,
        message=text,
        requested_at=utcnow(),
    )
    db.session.add(request)
    db.session.flush()
    record(
        None,
        "request_review",
        "assessment_answer",
        answer.id,
        "the candidate asked for a person to review an automatic score",
        candidate_id=candidate.id,
    )
    notify_score_review_requested(answer)
    db.session.commit()
    return request


def open_review_requests(actor: User, limit: int = 10) -> tuple[list[ScoreReviewRequest], bool]:
    """The to-do: requests for a human review still open, of applications the user may review."""
    from sqlalchemy.orm import selectinload

    from hirewise.security import assessment_reviews_visible_to

    stmt = (
        select(ScoreReviewRequest)
        .join(Application, Application.id == ScoreReviewRequest.application_id)
        .join(AssessmentAnswer, AssessmentAnswer.id == ScoreReviewRequest.answer_id)
        .where(review_request_still_open(), assessment_reviews_visible_to(actor))
        .options(
            selectinload(ScoreReviewRequest.application).selectinload(Application.candidate),
            selectinload(ScoreReviewRequest.application).selectinload(Application.opening),
            selectinload(ScoreReviewRequest.answer).selectinload(AssessmentAnswer.question),
        )
        .order_by(ScoreReviewRequest.requested_at, ScoreReviewRequest.id)
        .limit(limit + 1)
    )
    found = list(db.session.execute(stmt).scalars())
    return found[:limit], len(found) > limit
