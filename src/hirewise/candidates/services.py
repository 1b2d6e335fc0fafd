"""Use cases of candidates and applications: applying, adding people, moving through stages.

Each public function is one use case: it checks the actor's permission, validates, records audit
events, commits exactly once, and only then queues background tasks and emails. Reading (search,
timelines, the board) lives in ``queries.py``; CSV export in ``transfer.py``, imports in ``importing.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from hirewise.audit.services import changed, event_values, record, record_all, snapshot
from hirewise.auth.models import User
from hirewise.candidates.documents import ResumeUpload, safe_filename, validate_resume
from hirewise.candidates.fields import (
    MAX_COVER_LETTER,
    MAX_NOTE,
    MAX_REASON,
    MAX_SUBJECT,
    CandidateFields,
    clean_candidate_fields,
    clean_text,
)
from hirewise.candidates.follow_through import (
    FollowThrough,
    follow_through_rejection,
    rejection_follow_throughs,
)
from hirewise.candidates.gate import gate_holds, require_confirmation
from hirewise.candidates.models import (
    Application,
    ApplicationSource,
    Candidate,
    Document,
    Note,
    ResumeStatus,
    StageMove,
)
from hirewise.db import use_case, utcnow
from hirewise.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage, TemplateKey
from hirewise.mail.services import deliver_later, queue_template_email
from hirewise.notifications.services import mentionable_users, notify_mentions
from hirewise.openings.models import Opening, OpeningStatus, Stage, StageKind
from hirewise.openings.services import first_stage, rejected_stage
from hirewise.security import (
    can_change_application,
    can_create_candidate,
    can_edit_candidate,
    can_edit_opening,
)
from hirewise.tasks import enqueue
from hirewise.tasks.resumes import extract_resume

CANDIDATE_FIELDS = ("full_name", "email", "phone", "links")
DUPLICATE_APPLICATION = "You have already applied to this opening with this email address."
MAX_BULK = 500


def _allow(allowed: bool, message: str = "You are not allowed to do this.") -> None:
    if not allowed:
        raise PermissionDenied(message)


def _refuse_if_erased(candidate: Candidate) -> None:
    """An erased candidate keeps an anonymised row for reports; nobody writes about them again."""
    from hirewise.privacy.services import erasure_of  # privacy builds on candidates

    if erasure_of(candidate) is not None:
        raise Conflict(
            "This candidate's personal data was erased: the record cannot be edited, emailed or noted on."
        )


def _actor_id(actor: User | None) -> int | None:
    return actor.id if actor is not None and getattr(actor, "is_authenticated", False) else None


def _mail_context(candidate: Candidate, opening: Opening, **extra: str) -> dict[str, str]:
    return {
        "candidate_name": candidate.full_name,
        "opening_title": opening.title,
        "company_name": current_app.config["COMPANY_NAME"],
        **extra,
    }


def _find_candidate(email: str) -> Candidate | None:
    return db.session.execute(select(Candidate).where(Candidate.email == email)).scalar_one_or_none()


def _has_applied(candidate: Candidate, opening: Opening) -> bool:
    stmt = select(Application.id).where(
        Application.candidate_id == candidate.id, Application.opening_id == opening.id
    )
    return db.session.execute(stmt).first() is not None


def _attach_resume(application: Application, upload: ResumeUpload) -> None:
    content_type = validate_resume(upload, current_app.config["MAX_RESUME_BYTES"])
    document = Document(
        filename=safe_filename(upload.filename, content_type),
        content_type=content_type,
        size=len(upload.data),
        sha256=upload.sha256,
        data=upload.data,
    )
    if application.id is not None and application.resume is not None:
        db.session.delete(application.resume)
        db.session.flush()
    application.resume = document
    application.resume_status = ResumeStatus.PENDING
    application.resume_error = ""
    application.resume_text = ""
    application.detected_skills = []


def new_application(
    actor: User | None,
    candidate: Candidate,
    opening: Opening,
    *,
    source: ApplicationSource,
    cover_letter: str = "",
    resume: ResumeUpload | None = None,
) -> Application:
    """Builds the application in its first stage (no commit): a step of the use cases below."""
    stage = first_stage(opening)
    now = utcnow()
    application = Application(
        candidate=candidate,
        opening=opening,
        stage=stage,
        source=ApplicationSource(source),
        cover_letter=clean_text(cover_letter, "cover_letter", MAX_COVER_LETTER),
        applied_at=now,
        stage_entered_at=now,
    )
    if resume is not None:
        _attach_resume(application, resume)
    application.stage_moves.append(
        StageMove(from_stage_id=None, to_stage=stage, moved_by_id=_actor_id(actor), moved_at=now)
    )
    db.session.add(application)
    db.session.flush()
    record(
        actor,
        "create",
        "application",
        application.id,
        f"{candidate.full_name} applied to {opening.title} ({application.source.value})",
        after={"stage": stage.name, "source": application.source, "resume": resume is not None},
        candidate_id=candidate.id,
        opening_id=opening.id,
    )
    return application


def _check_inputs(resume: ResumeUpload | None, cover_letter: str) -> None:
    """Refuse a bad file or text before anything is written, so a failed use case leaves no trace."""
    if resume is not None:
        validate_resume(resume, current_app.config["MAX_RESUME_BYTES"])
    clean_text(cover_letter, "cover_letter", MAX_COVER_LETTER)


def _commit_or_conflict(
    duplicate_message: str, application: Application | None = None, message_ids: Sequence[int] = ()
) -> None:
    """Commit the use case, with the background work an ``application`` needs queued in it."""
    # Two submissions racing past the duplicate check meet the unique constraints here.
    try:
        db.session.flush()
        if application is not None and application.resume_status == ResumeStatus.PENDING:
            enqueue(extract_resume, application.id)
        if message_ids:
            deliver_later(message_ids)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(duplicate_message) from exc


def new_candidate(actor: User | None, fields: CandidateFields, *, consent: bool) -> Candidate:
    """Builds the candidate from validated fields (no commit): a step of the use cases below."""
    now = utcnow()
    candidate = Candidate(
        full_name=fields.full_name,
        email=fields.email,
        phone=fields.phone,
        links=list(fields.links),
        consent_at=now if consent else None,
        retain_until=now + timedelta(days=current_app.config["DATA_RETENTION_DAYS"]),
    )
    db.session.add(candidate)
    db.session.flush()
    record(
        actor,
        "create",
        "candidate",
        candidate.id,
        f"added candidate {candidate.full_name}",
        after=snapshot(candidate, CANDIDATE_FIELDS),
        candidate_id=candidate.id,
    )
    return candidate


def submit_application(
    opening: Opening,
    *,
    full_name: str,
    email: str,
    phone: str = "",
    links: Sequence[str] = (),
    cover_letter: str = "",
    resume: ResumeUpload | None = None,
    consent: bool = False,
    source: ApplicationSource = ApplicationSource.CAREERS,
    actor: User | None = None,
) -> Application:
    """A person applies (careers page, API, demo): the candidate is found or created by email."""
    source = ApplicationSource(source)
    if actor is not None and getattr(actor, "is_authenticated", False):
        _allow(can_create_candidate(actor) and can_edit_opening(actor, opening))
    fields = clean_candidate_fields(full_name, email, phone, links)
    _check_inputs(resume, cover_letter)
    if source == ApplicationSource.CAREERS:
        if not consent:
            refusal = "Please agree to the processing of your data to apply."
            raise ValidationFailed(refusal, {"consent": [refusal]})
        if opening.status != OpeningStatus.OPEN:
            raise Conflict("This opening is not accepting applications.")
    candidate = _find_candidate(fields.email)
    if candidate is None:
        candidate = new_candidate(actor, fields, consent=consent)
    else:
        if _has_applied(candidate, opening):
            raise Conflict(DUPLICATE_APPLICATION, {"email": [DUPLICATE_APPLICATION]})
        # An applicant may add contact details, never overwrite what the team already holds.
        candidate.phone = candidate.phone or fields.phone
        candidate.links = list(dict.fromkeys([*candidate.links, *fields.links]))[:10]
        if consent:
            candidate.consent_at = utcnow()
    application = new_application(
        actor, candidate, opening, source=source, cover_letter=cover_letter, resume=resume
    )
    message = queue_template_email(
        TemplateKey.APPLICATION_RECEIVED,
        to_email=candidate.email,
        to_name=candidate.full_name,
        context=_mail_context(candidate, opening),
        candidate_id=candidate.id,
        application_id=application.id,
        actor=actor,
    )
    _commit_or_conflict(DUPLICATE_APPLICATION, application, [message.id])
    return application


def create_candidate(
    actor: User,
    *,
    full_name: str,
    email: str,
    phone: str = "",
    links: Sequence[str] = (),
    opening: Opening | None = None,
    source: ApplicationSource = ApplicationSource.SOURCED,
    cover_letter: str = "",
    resume: ResumeUpload | None = None,
) -> Candidate:
    """A recruiter adds a person by hand, optionally straight into an opening with a résumé."""
    _allow(can_create_candidate(actor), "You are not allowed to add candidates.")
    if opening is not None:
        _allow(can_edit_opening(actor, opening), "You cannot add candidates to this opening.")
    fields = clean_candidate_fields(full_name, email, phone, links)
    _check_inputs(resume, cover_letter)
    if _find_candidate(fields.email) is not None:
        message = (
            "A candidate with this email address already exists; add them to the opening from their profile."
        )
        raise Conflict(message, {"email": [message]})
    candidate = new_candidate(actor, fields, consent=False)
    application = None
    if opening is not None:
        application = new_application(
            actor, candidate, opening, source=source, cover_letter=cover_letter, resume=resume
        )
    _commit_or_conflict("A candidate with this email address already exists.", application)
    return candidate


def add_application(
    actor: User,
    candidate: Candidate,
    opening: Opening,
    *,
    source: ApplicationSource = ApplicationSource.SOURCED,
    cover_letter: str = "",
    resume: ResumeUpload | None = None,
) -> Application:
    """Put an existing candidate into an opening's pipeline (sourced, referred...)."""
    _allow(can_create_candidate(actor) and can_edit_opening(actor, opening))
    _refuse_if_erased(candidate)
    _check_inputs(resume, cover_letter)
    if _has_applied(candidate, opening):
        raise Conflict(f"{candidate.full_name} is already in the pipeline of {opening.title}.")
    application = new_application(
        actor, candidate, opening, source=source, cover_letter=cover_letter, resume=resume
    )
    _commit_or_conflict(f"{candidate.full_name} is already in the pipeline of {opening.title}.", application)
    return application


def update_candidate(
    actor: User,
    candidate: Candidate,
    *,
    full_name: str,
    email: str,
    phone: str = "",
    links: Sequence[str] = (),
) -> Candidate:
    _allow(can_edit_candidate(actor, candidate), "You cannot edit this candidate.")
    _refuse_if_erased(candidate)
    fields = clean_candidate_fields(full_name, email, phone, links)
    if fields.email != candidate.email and _find_candidate(fields.email) is not None:
        message = "Another candidate already has this email address."
        raise Conflict(message, {"email": [message]})
    before = snapshot(candidate, CANDIDATE_FIELDS)
    candidate.full_name, candidate.email = fields.full_name, fields.email
    candidate.phone, candidate.links = fields.phone, list(fields.links)
    old, new = changed(before, snapshot(candidate, CANDIDATE_FIELDS))
    if new:
        record(
            actor,
            "update",
            "candidate",
            candidate.id,
            f"updated candidate {candidate.full_name} ({', '.join(new)})",
            before=old,
            after=new,
            candidate_id=candidate.id,
        )
    _commit_or_conflict("Another candidate already has this email address.")
    return candidate


def replace_resume(actor: User, application: Application, upload: ResumeUpload) -> Application:
    """Attach (or replace) the application's résumé and read it again in the background."""
    _allow(can_change_application(actor, application), "You cannot change this application.")
    _attach_resume(application, upload)
    record(
        actor,
        "update",
        "application",
        application.id,
        f"uploaded résumé {application.resume.filename if application.resume else ''}",
        candidate_id=application.candidate_id,
        opening_id=application.opening_id,
    )
    enqueue(extract_resume, application.id)
    db.session.commit()
    return application


# --- stages -------------------------------------------------------------------------------------


def _stage_for(application: Application, stage_id: int) -> Stage:
    for stage in application.opening.stages:
        if stage.id == stage_id:
            return stage
    message = "That stage does not belong to this application's opening."
    raise ValidationFailed(message, {"stage_id": [message]})


def close_stays(application_ids: Sequence[int], at: datetime) -> None:
    """End each application's current stay in a stage (its last move, ``left_at`` still NULL) at
    ``at``: one UPDATE for any number of applications."""
    if application_ids:
        db.session.execute(
            update(StageMove)
            .where(StageMove.application_id.in_(application_ids), StageMove.left_at.is_(None))
            .values(left_at=at)
        )


@dataclass
class MoveBatch:
    """The stage moves and audit events of a bulk operation, all at one time, written with one
    statement each (:meth:`write`) so the statements stay constant in the number of applications."""

    at: datetime = field(default_factory=utcnow)
    moves: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def start(self, applications: Sequence[Application]) -> None:
        """End the current stays of the applications that will move (one UPDATE)."""
        close_stays([application.id for application in applications], self.at)

    def write(self) -> None:
        if self.moves:
            db.session.execute(insert(StageMove), self.moves)
        record_all(self.events)


def _move(
    actor: User,
    application: Application,
    stage: Stage,
    reason: str = "",
    *,
    gate: str | None = None,
    batch: MoveBatch | None = None,
) -> bool:
    """``gate`` is the failed or incomplete must-have gate the actor confirmed advancing past.
    ``batch``: a step of a bulk operation, which ended the stays and writes the rows set-wise."""
    if stage.id == application.stage_id:
        return False
    previous = application.stage
    moved_at = batch.at if batch is not None else utcnow()
    move = {
        "application_id": application.id,
        "from_stage_id": previous.id,
        "to_stage_id": stage.id,
        "moved_by_id": _actor_id(actor),
        "moved_at": moved_at,
        "reason": reason,
    }
    if batch is None:
        close_stays([application.id], moved_at)
        db.session.add(StageMove(**move))
    else:
        batch.moves.append(move)
    application.stage = stage
    application.stage_entered_at = moved_at
    application.rejection_reason = reason if stage.kind == StageKind.REJECTED else ""
    verb = "rejected" if stage.kind == StageKind.REJECTED else "moved"
    event: dict[str, Any] = {
        "actor": actor,
        "action": "reject" if stage.kind == StageKind.REJECTED else "move",
        "object_type": "application",
        "object_id": application.id,
        "summary": f"{verb} {application.candidate.full_name} from {previous.name} to {stage.name}"
        + (f" despite the {gate} must-have gate" if gate else "")
        + (f": {reason}" if reason else ""),
        "before": {"stage": previous.name},
        "after": {
            "stage": stage.name,
            **({"reason": reason} if reason else {}),
            **({"gate": gate, "gate_confirmed": True} if gate else {}),
        },
        "candidate_id": application.candidate_id,
        "opening_id": application.opening_id,
    }
    if batch is None:
        record(**event)
    else:
        batch.events.append(event_values(**event))
    return True


def move_step(actor: User, application: Application, stage: Stage, reason: str) -> bool:
    """Move the application as one step of a larger use case (an automation of the opening): the
    same stage history and audit event as a move by hand, but the caller checked the permission
    and commits. False when the application is already in ``stage``.

    Not gated by the must-have gate (``gate.py``): the automations only move to Assessment or
    Interview, following an invitation or an interview the team has just decided on."""
    return _move(actor, application, stage, reason)


def _reason(reason: str) -> str:
    cleaned = clean_text(reason, "reason", MAX_REASON)
    if not cleaned:
        message = "Give a reason for the rejection."
        raise ValidationFailed(message, {"reason": [message]})
    return cleaned


@dataclass(frozen=True)
class Rejection:
    """A rejected application and the interviews and assessment links rejecting it cancelled."""

    application: Application
    follow_through: FollowThrough


def _reject(
    actor: User,
    application: Application,
    reason: str,
    notify: bool,
    *,
    batch: MoveBatch | None = None,
    pending: FollowThrough | None = None,
) -> tuple[Rejection, int | None]:
    """Moves to the Rejected stage and cancels what the application still had scheduled (the
    cancellations queue their own emails); also returns the rejection email's id when the candidate is told.
    ``batch`` and ``pending``: a step of a bulk rejection (:class:`MoveBatch`, the follow-through read for all)."""
    if not _move(actor, application, rejected_stage(application.opening), reason, batch=batch):
        return Rejection(application, FollowThrough()), None
    rejection = Rejection(application, follow_through_rejection(actor, application, pending))
    if not notify:
        return rejection, None
    candidate = application.candidate
    message = queue_template_email(
        TemplateKey.REJECTION,
        to_email=candidate.email,
        to_name=candidate.full_name,
        context=_mail_context(candidate, application.opening, reason=reason),
        candidate_id=candidate.id,
        application_id=application.id,
        actor=actor,
    )
    return rejection, message.id


def move_application(
    actor: User, application: Application, stage_id: int, reason: str = "", *, confirm_gate: bool = False
) -> Application:
    """Move to another stage. Advancing past a failed or incomplete must-have gate is refused (409,
    ``gate_confirmation_required``) unless ``confirm_gate`` is set and ``reason`` is not blank."""
    _allow(can_change_application(actor, application), "You cannot change this application.")
    stage = _stage_for(application, stage_id)
    if stage.kind == StageKind.REJECTED:
        return reject_application(actor, application, reason).application
    cleaned = clean_text(reason, "reason", MAX_REASON)
    holds = gate_holds([(application, stage)])
    require_confirmation(holds, confirm_gate=confirm_gate, reason=cleaned)
    _move(actor, application, stage, cleaned, gate=holds[0].fit.gate if holds else None)
    db.session.commit()
    return application


@use_case
def reject_application(
    actor: User, application: Application, reason: str, *, notify: bool = False
) -> Rejection:
    """Reject (a withdrawal is a rejection with that reason) and cancel the application's scheduled
    interviews and open assessment links, in one transaction."""
    _allow(can_change_application(actor, application), "You cannot change this application.")
    rejection, message_id = _reject(actor, application, _reason(reason), notify)
    if message_id is not None:
        deliver_later([message_id])
    db.session.commit()
    return rejection


def _applications_for_bulk(actor: User, application_ids: Sequence[int]) -> list[Application]:
    wanted = list(dict.fromkeys(int(i) for i in application_ids))
    if not wanted:
        raise ValidationFailed("Select at least one application.", {"application_ids": ["empty"]})
    if len(wanted) > MAX_BULK:
        raise ValidationFailed(f"Select at most {MAX_BULK} applications at once.")
    stmt = (
        select(Application)
        .where(Application.id.in_(wanted))
        .options(
            selectinload(Application.candidate),
            selectinload(Application.stage),
            selectinload(Application.opening).selectinload(Opening.stages),
            selectinload(Application.opening).selectinload(Opening.team),
        )
    )
    found = {application.id: application for application in db.session.execute(stmt).scalars()}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(f"No application with id {', '.join(map(str, missing))}.")
    for application in found.values():
        _allow(
            can_change_application(actor, application),
            f"You cannot change the application of {application.candidate.full_name}.",
        )
    return [found[i] for i in wanted]


def bulk_move(
    actor: User,
    application_ids: Sequence[int],
    stage_id: int,
    *,
    reason: str = "",
    confirm_gate: bool = False,
) -> list[Application]:
    """Move every listed application to the stage; all or nothing, one commit. When some of them
    would advance past a failed or incomplete must-have gate, the whole batch is refused (409,
    ``details.applications`` lists them) unless ``confirm_gate`` is set with a reason, which is
    then stored with every move of the batch."""
    applications = _applications_for_bulk(actor, application_ids)
    stages = [_stage_for(application, stage_id) for application in applications]
    if any(stage.kind == StageKind.REJECTED for stage in stages):
        raise ValidationFailed("Use “Reject” to move applications to Rejected: it needs a reason.")
    cleaned = clean_text(reason, "reason", MAX_REASON)
    holds = gate_holds(list(zip(applications, stages, strict=True)))
    require_confirmation(holds, confirm_gate=confirm_gate, reason=cleaned)
    gates = {hold.application.id: hold.fit.gate for hold in holds}
    batch = MoveBatch()
    batch.start([a for a, stage in zip(applications, stages, strict=True) if stage.id != a.stage_id])
    for application, stage in zip(applications, stages, strict=True):
        _move(actor, application, stage, cleaned, gate=gates.get(application.id), batch=batch)
    batch.write()
    db.session.commit()
    return applications


@use_case
def bulk_reject(
    actor: User, application_ids: Sequence[int], reason: str, notify: bool = False
) -> list[Rejection]:
    """Reject every listed application, following through on each; all or nothing, one commit."""
    applications = _applications_for_bulk(actor, application_ids)
    cleaned = _reason(reason)
    batch = MoveBatch()
    batch.start([a for a in applications if a.stage_id != rejected_stage(a.opening).id])
    pending = rejection_follow_throughs(applications)
    outcomes = [
        _reject(actor, application, cleaned, notify, batch=batch, pending=pending[application.id])
        for application in applications
    ]
    batch.write()
    deliver_later([message_id for _, message_id in outcomes if message_id is not None])
    db.session.commit()
    return [rejection for rejection, _ in outcomes]


# --- notes and emails ---------------------------------------------------------------------------


def _note_target(actor: User, candidate: Candidate, application_id: int | None) -> Application | None:
    """The application a note by ``actor`` would be about (None: the candidate in general), if they may
    write it."""
    if application_id is None:
        _allow(can_edit_candidate(actor, candidate), "You cannot add general notes to this candidate.")
        return None
    application = db.session.get(Application, application_id)
    if application is None or application.candidate_id != candidate.id:
        raise ValidationFailed("That application is not this candidate's.")
    _allow(can_change_application(actor, application), "You cannot add notes to this application.")
    return application


def people_to_mention(actor: User, candidate: Candidate, application_id: int | None = None) -> list[User]:
    """Whom ``actor`` may @mention in a note they are writing: the people who will be able to read it."""
    _note_target(actor, candidate, application_id)
    return mentionable_users(candidate, application_id)


def add_note(actor: User, candidate: Candidate, body: str, application_id: int | None = None) -> Note:
    application = _note_target(actor, candidate, application_id)
    _refuse_if_erased(candidate)
    opening_id = application.opening_id if application is not None else None
    text = clean_text(body, "body", MAX_NOTE)
    if not text:
        raise ValidationFailed("Write something in the note.", {"body": ["required"]})
    note = Note(candidate=candidate, application_id=application_id, author_id=_actor_id(actor), body=text)
    db.session.add(note)
    db.session.flush()
    record(
        actor,
        "create",
        "note",
        note.id,
        # A general note is read by fewer people than a note on an application (security.can_view_note).
        f"added a {'general ' if application_id is None else ''}note on {candidate.full_name}",
        candidate_id=candidate.id,
        opening_id=opening_id,
    )
    notify_mentions(actor, note)
    db.session.commit()
    return note


def email_candidate(actor: User, candidate: Candidate, subject: str, body: str) -> OutboxMessage:
    """Queue a message written by the team, wrapped in the "generic" template, and send it."""
    _allow(can_edit_candidate(actor, candidate), "You cannot email this candidate.")
    _refuse_if_erased(candidate)
    subject_text = clean_text(subject, "subject", MAX_SUBJECT)
    body_text = clean_text(body, "body", MAX_NOTE)
    if not subject_text or not body_text:
        raise ValidationFailed(
            "Write a subject and a message.", {"subject": ["required"], "body": ["required"]}
        )
    message = queue_template_email(
        TemplateKey.GENERIC,
        to_email=candidate.email,
        to_name=candidate.full_name,
        context={
            "candidate_name": candidate.full_name,
            "company_name": current_app.config["COMPANY_NAME"],
            "opening_title": "",
            "subject": subject_text,
            "body": body_text,
        },
        candidate_id=candidate.id,
        actor=actor,
    )
    # queue_template_email records the audit event, anchored on the candidate.
    deliver_later([message.id])
    db.session.commit()
    return message
