"""Erasing a candidate's personal data from every copy Hirewise keeps, leaving the aggregate facts.

What goes: the candidate's contact fields; the résumé file, its extracted text and the skill snippets
quoted from it; cover letters; notes (and the notifications of their mentions); the bodies of emails
to and about them; their free-text and code answers, the explanations that quote them and the
integrity signals that link them to another candidate; interview feedback text; decision, rejection
and stage-move reasons; the before/after of their audit events. What stays, for reports: the
anonymised candidate row, applications with their stage, source and dates, stage history, ratings,
recommendations, decisions' kind, scores.

Copies made by features that only name the person (notification texts, emails to colleagues,
audit summaries, cached API responses, session flashes, rows of features added later) are found by
:mod:`hirewise.privacy.scrub`, which searches every text column of every table for the person's
name, email address, phone number and links.

Every step here is a bulk ``UPDATE``/``DELETE`` on the tables (the audit log refuses ORM changes on
purpose; an erasure is the one rewrite the law requires of it). Steps never commit: the use case in
:mod:`hirewise.privacy.services` does, once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, and_, delete, func, or_, select, text, update

from hirewise.assessments.models import (
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentExampleRun,
    AssessmentInvitation,
)
from hirewise.audit.models import AuditEvent
from hirewise.candidates.models import Application, Candidate, Document, Note, StageMove
from hirewise.db import SQLITE_BUSY_TIMEOUT_MS
from hirewise.extensions import db
from hirewise.feedback.models import Decision, Feedback, FeedbackAnswer, FeedbackRevision
from hirewise.interviews.models import Interview
from hirewise.mail.models import OutboxMessage
from hirewise.notifications.models import Notification
from hirewise.privacy.models import ScoreReviewRequest
from hirewise.privacy.scrub import scrub_identifiers

log = logging.getLogger(__name__)
ERASED = "[erased]"
PURGE_WAIT_MS = 250
ERASED_DOMAIN = "erased.invalid"  # RFC 2606: can never be delivered to


def erased_email(candidate_id: int) -> str:
    return f"erased-{candidate_id}@{ERASED_DOMAIN}"


def erased_name(candidate_id: int) -> str:
    return f"Erased candidate #{candidate_id}"


def identifiers_of(candidate: Candidate) -> list[str]:
    """The strings that identify the person wherever a feature copied them.

    A name or phone number another candidate also has is left out: replacing it everywhere would
    erase the other person's from their records too. Their email address is always unique.
    """
    values = [candidate.email]
    for column, value in ((Candidate.full_name, candidate.full_name), (Candidate.phone, candidate.phone)):
        if not value:
            continue
        shared = db.session.execute(
            select(Candidate.id)
            .where(func.lower(column) == value.lower(), Candidate.id != candidate.id)
            .limit(1)
        ).first()
        if shared is None:
            values.append(value)
    values += [str(link) for link in candidate.links or []]
    values += [
        filename
        for (filename,) in db.session.execute(
            select(Document.filename).join(Application).where(Application.candidate_id == candidate.id)
        )
    ]
    return [value for value in values if value]


def _t(model: Any) -> Table:
    """A model's table, for bulk statements that bypass the ORM (and the audit log's refusal of it)."""
    return cast(Table, model.__table__)


def _ids(stmt: Any) -> list[int]:
    return [row[0] for row in db.session.execute(stmt)]


def _count(result: Any) -> int:
    return int(result.rowcount or 0)


def _keep_aggregate_explanation(explanation: dict[str, Any] | None) -> dict[str, Any]:
    """A score's explanation without what quotes the candidate: which key points were covered stays."""
    if not explanation:
        return {}
    kept: dict[str, Any] = {
        key: explanation[key]
        for key in (
            "kind",
            "score",
            "rule",
            "bound",
            "scorer",
            "scorer_version",
            "mode",
            "status",
            "passed",
            "total",
        )
        if key in explanation
    }
    if "correct" in explanation:
        kept["correct"] = explanation["correct"]
    key_points = explanation.get("key_points")
    if isinstance(key_points, list):
        kept["key_points"] = [
            {
                "key_point": point.get("key_point"),
                "status": point.get("status"),
                "similarity": point.get("similarity"),
            }
            for point in key_points
            if isinstance(point, dict)
        ]
    return kept


def _erase_answers(attempt_ids: list[int]) -> dict[str, int]:
    answers = list(
        db.session.execute(
            select(AssessmentAnswer.id, AssessmentAnswer.explanation).where(
                AssessmentAnswer.attempt_id.in_(attempt_ids)
            )
        )
    )
    answer_ids = [answer_id for answer_id, _ in answers]
    for answer_id, explanation in answers:
        db.session.execute(
            update(_t(AssessmentAnswer))
            .where(_t(AssessmentAnswer).c.id == answer_id)
            .values(
                response={},
                explanation=_keep_aggregate_explanation(explanation),
                override_reason="",
                similar_answer_id=None,
            )
        )
    # Another candidate's answer found similar to this one keeps its similarity figure, not the link.
    unlinked = db.session.execute(
        update(_t(AssessmentAnswer))
        .where(_t(AssessmentAnswer).c.similar_answer_id.in_(answer_ids))
        .values(similar_answer_id=None)
    )
    runs = db.session.execute(
        update(_t(AssessmentExampleRun))
        .where(_t(AssessmentExampleRun).c.attempt_id.in_(attempt_ids))
        .values(code="", report={})
    )
    return {
        "assessment_answers": len(answer_ids),
        "assessment_answers.similarity_links": _count(unlinked),
        "assessment_example_runs": _count(runs),
    }


def _erase_audit(candidate_id: int, objects: dict[str, Iterable[int]]) -> int:
    """The candidate's events keep who, what, when and on which object; their text and diffs go."""
    table = _t(AuditEvent)
    anchored = [table.c.candidate_id == candidate_id]
    for object_type, ids in objects.items():
        ids = list(ids)
        if ids:
            anchored.append(and_(table.c.object_type == object_type, table.c.object_id.in_(ids)))
    result = db.session.execute(
        update(table)
        .where(or_(*anchored))
        .values(
            summary=ERASED + " " + table.c.action + " " + table.c.object_type,
            before=None,
            after=None,
        )
    )
    return _count(result)


def purge_sqlite_journal() -> bool:
    """After an erasure has committed, on SQLite: copy the write-ahead log into the database file and
    empty it, so the page images from before the erasure are gone from disk too (with
    ``secure_delete`` the freed space in the database file is zeroed). Waits briefly for other
    connections; when one is busy it says so, and the next erasure or retention run purges it.
    Returns whether the log was emptied."""
    if db.engine.dialect.name != "sqlite":
        return True
    with db.engine.connect() as connection:
        # The driver's own connection: no transaction (SQLAlchemy's BEGIN would take the write lock).
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.execute(f"PRAGMA busy_timeout = {PURGE_WAIT_MS}")
        try:
            busy, _, _ = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    if busy:
        log.warning("the SQLite write-ahead log could not be emptied after an erasure; the next one retries")
    return not busy


def erase_personal_data(candidate: Candidate) -> dict[str, int]:
    """Erase every copy of ``candidate``'s personal data (no commit); returns rows changed per kind."""
    if db.engine.dialect.name == "sqlite":
        # Deleted and overwritten content is zeroed in the database file, not left in free pages.
        db.session.execute(text("PRAGMA secure_delete = ON"))
    identifiers = identifiers_of(candidate)
    candidate_id = candidate.id
    application_ids = _ids(select(Application.id).where(Application.candidate_id == candidate_id))
    note_ids = _ids(select(Note.id).where(Note.candidate_id == candidate_id))
    invitation_ids = _ids(
        select(AssessmentInvitation.id).where(AssessmentInvitation.application_id.in_(application_ids))
    )
    attempt_ids = _ids(
        select(AssessmentAttempt.id).where(AssessmentAttempt.invitation_id.in_(invitation_ids))
    )
    answer_ids = _ids(select(AssessmentAnswer.id).where(AssessmentAnswer.attempt_id.in_(attempt_ids)))
    feedback_ids = _ids(select(Feedback.id).where(Feedback.application_id.in_(application_ids)))
    decision_ids = _ids(select(Decision.id).where(Decision.application_id.in_(application_ids)))
    interview_ids = _ids(select(Interview.id).where(Interview.application_id.in_(application_ids)))
    message_ids = _ids(
        select(OutboxMessage.id).where(
            or_(
                OutboxMessage.candidate_id == candidate_id,
                OutboxMessage.application_id.in_(application_ids),
                OutboxMessage.to_email == candidate.email,
            )
        )
    )
    changed: dict[str, int] = {}

    def run(name: str, statement: Any) -> None:
        changed[name] = changed.get(name, 0) + _count(db.session.execute(statement))

    # Audit first, while the object ids still mean what they meant.
    changed["audit_events"] = _erase_audit(
        candidate_id,
        {
            "candidate": [candidate_id],
            "application": application_ids,
            "note": note_ids,
            "outbox_message": message_ids,
            "feedback": feedback_ids,
            "decision": decision_ids,
            "interview": interview_ids,
            "assessment_invitation": invitation_ids,
            "assessment_attempt": attempt_ids,
            "assessment_answer": answer_ids,
        },
    )
    run(
        "candidates",
        update(_t(Candidate))
        .where(_t(Candidate).c.id == candidate_id)
        .values(
            full_name=erased_name(candidate_id),
            email=erased_email(candidate_id),
            phone="",
            links=[],
            consent_at=None,
            retain_until=None,
        ),
    )
    run(
        "documents",
        delete(_t(Document)).where(_t(Document).c.application_id.in_(application_ids)),
    )
    run(
        "applications",
        update(_t(Application))
        .where(_t(Application).c.id.in_(application_ids))
        .values(cover_letter="", rejection_reason="", resume_text="", resume_error="", detected_skills=[]),
    )
    run(
        "stage_moves.reasons",
        update(_t(StageMove)).where(_t(StageMove).c.application_id.in_(application_ids)).values(reason=""),
    )
    note_notifications = and_(
        _t(Notification).c.object_type == "note", _t(Notification).c.object_id.in_(note_ids)
    )
    run(
        "notifications",
        delete(_t(Notification)).where(
            or_(note_notifications, _t(Notification).c.application_id.in_(application_ids))
        ),
    )
    run("notes", delete(_t(Note)).where(_t(Note).c.id.in_(note_ids)))
    run(
        "outbox_messages",
        update(_t(OutboxMessage))
        .where(_t(OutboxMessage).c.id.in_(message_ids))
        .values(
            to_email=erased_email(candidate_id), to_name="", subject=ERASED, body="", attachments=[], error=""
        ),
    )
    changed.update(_erase_answers(attempt_ids))
    run(
        "assessment_invitations.retake_reasons",
        update(_t(AssessmentInvitation))
        .where(_t(AssessmentInvitation).c.id.in_(invitation_ids))
        .values(retake_reason=""),
    )
    run(
        "assessment_attempts.errors",
        update(_t(AssessmentAttempt))
        .where(_t(AssessmentAttempt).c.id.in_(attempt_ids))
        .values(scoring_error=""),
    )
    run(
        "feedback",
        update(_t(Feedback)).where(_t(Feedback).c.id.in_(feedback_ids)).values(summary=""),
    )
    run(
        "feedback_answers",
        update(_t(FeedbackAnswer)).where(_t(FeedbackAnswer).c.feedback_id.in_(feedback_ids)).values(notes=""),
    )
    run(
        "feedback_revisions",
        update(_t(FeedbackRevision))
        .where(_t(FeedbackRevision).c.feedback_id.in_(feedback_ids))
        .values(snapshot={"erased": True}),
    )
    run(
        "decisions",
        update(_t(Decision)).where(_t(Decision).c.id.in_(decision_ids)).values(reason=""),
    )
    run(
        "interviews",
        update(_t(Interview))
        .where(_t(Interview).c.id.in_(interview_ids))
        .values(location="", video_url="", instructions=""),
    )
    run(
        "score_review_requests",
        update(_t(ScoreReviewRequest))
        .where(_t(ScoreReviewRequest).c.candidate_id == candidate_id)
        .values(message=""),
    )
    for name, count in scrub_identifiers(identifiers).items():
        changed[f"copies.{name}"] = count
    db.session.expire_all()
    return {name: count for name, count in changed.items() if count}


__all__ = ["erase_personal_data", "erased_email", "erased_name", "identifiers_of"]
