"""Access and portability: everything held about a candidate, as a ZIP of one JSON document and the
original files (GDPR articles 15 and 20).

The document has the profile, consents, applications with their stage history, the interview
feedback a candidate may see (none unless an admin turned it on), assessment answers with their scores
and explanations, and the emails sent to them. Staff notes and decision reasons are internal
working documents and are not included; their existence is named in ``not_included``.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from hirewise.candidates.models import Application, Candidate, Document, StageMove
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.feedback.models import Feedback, FeedbackStatus
from hirewise.mail.models import OutboxMessage
from hirewise.privacy.explanations import HUMAN_REVIEW_NOTICE, explanations_for
from hirewise.privacy.models import ConsentRecord

FORMAT_VERSION = 1
NOT_INCLUDED = (
    "Internal notes of the hiring team and the reasons recorded with hiring decisions are working "
    "documents of the organisation; ask the organisation if you want to know more about them."
)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _safe_filename(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in name).strip() or "file"
    return cleaned[:120]


def _stage_history(application: Application) -> list[dict[str, Any]]:
    moves = db.session.execute(
        select(StageMove)
        .where(StageMove.application_id == application.id)
        .options(selectinload(StageMove.from_stage), selectinload(StageMove.to_stage))
        .order_by(StageMove.moved_at, StageMove.id)
    ).scalars()
    return [
        {
            "from_stage": move.from_stage.name if move.from_stage else None,
            "to_stage": move.to_stage.name,
            "moved_at": _when(move.moved_at),
        }
        for move in moves
    ]


def _feedback(application: Application) -> list[dict[str, Any]]:
    found = db.session.execute(
        select(Feedback)
        .where(Feedback.application_id == application.id, Feedback.status == FeedbackStatus.SUBMITTED)
        .options(
            selectinload(Feedback.ratings), selectinload(Feedback.answers), selectinload(Feedback.interview)
        )
        .order_by(Feedback.submitted_at)
    ).scalars()
    return [
        {
            "interview": feedback.interview.title,
            "submitted_at": _when(feedback.submitted_at),
            "recommendation": feedback.recommendation,
            "summary": feedback.summary,
            "ratings": [{"skill": r.skill_name, "rating": r.rating} for r in feedback.ratings],
            "answers": [
                {"question": a.question_snapshot.get("text", ""), "notes": a.notes} for a in feedback.answers
            ],
        }
        for feedback in found
    ]


def export_document(candidate: Candidate, *, include_feedback: bool) -> dict[str, Any]:
    applications = list(
        db.session.execute(
            select(Application)
            .where(Application.candidate_id == candidate.id)
            .options(
                undefer(Application.resume_text),
                selectinload(Application.opening),
                selectinload(Application.stage),
                selectinload(Application.resume),
            )
            .order_by(Application.applied_at)
        ).scalars()
    )
    emails = db.session.execute(
        select(OutboxMessage)
        .where((OutboxMessage.candidate_id == candidate.id) | (OutboxMessage.to_email == candidate.email))
        .order_by(OutboxMessage.created_at)
    ).scalars()
    consents = db.session.execute(
        select(ConsentRecord)
        .where(ConsentRecord.candidate_id == candidate.id)
        .order_by(ConsentRecord.given_at)
    ).scalars()
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": utcnow().isoformat(),
        "profile": {
            "id": candidate.id,
            "full_name": candidate.full_name,
            "email": candidate.email,
            "phone": candidate.phone,
            "links": list(candidate.links or []),
            "consent_at": _when(candidate.consent_at),
            "retain_until": _when(candidate.retain_until),
            "created_at": _when(candidate.created_at),
        },
        "consents": [
            {
                "purpose": consent.purpose,
                "text_version": consent.text_version,
                "page": consent.page,
                "given_at": _when(consent.given_at),
                "withdrawn_at": _when(consent.withdrawn_at),
            }
            for consent in consents
        ],
        "applications": [
            {
                "id": application.id,
                "opening": application.opening.title,
                "source": application.source,
                "applied_at": _when(application.applied_at),
                "current_stage": application.stage.name,
                "cover_letter": application.cover_letter,
                "resume": None
                if application.resume is None
                else {
                    "filename": application.resume.filename,
                    "content_type": application.resume.content_type,
                    "size": application.resume.size,
                    "file_in_archive": _resume_path(application),
                    "extracted_text": application.resume_text,
                },
                "detected_skills": list(application.detected_skills or []),
                "stage_history": _stage_history(application),
                "interview_feedback": _feedback(application) if include_feedback else [],
            }
            for application in applications
        ],
        "assessments": explanations_for(candidate),
        "automated_scoring": HUMAN_REVIEW_NOTICE,
        "emails": [
            {
                "to": message.to_email,
                "subject": message.subject,
                "body": message.body,
                "status": message.status,
                "queued_at": _when(message.created_at),
                "sent_at": _when(message.sent_at),
            }
            for message in emails
        ],
        "not_included": NOT_INCLUDED,
    }


def _resume_path(application: Application) -> str | None:
    if application.resume is None:
        return None
    return f"files/application-{application.id}-{_safe_filename(application.resume.filename)}"


def build_archive(candidate: Candidate, *, include_feedback: bool) -> bytes:
    """The ZIP: ``candidate.json`` and ``files/`` with the original uploads."""
    document = export_document(candidate, include_feedback=include_feedback)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # Stored, not compressed: a small document a person may open with any tool.
        archive.writestr(
            "candidate.json",
            json.dumps(document, ensure_ascii=False, indent=2, default=str),
            compress_type=zipfile.ZIP_STORED,
        )
        resumes = db.session.execute(
            select(Document)
            .join(Application)
            .where(Application.candidate_id == candidate.id)
            .options(undefer(Document.data))
        ).scalars()
        for resume in resumes:
            path = f"files/application-{resume.application_id}-{_safe_filename(resume.filename)}"
            archive.writestr(path, resume.data)
    return buffer.getvalue()


def archive_filename(candidate: Candidate) -> str:
    return f"hirewise-candidate-{candidate.id}-{utcnow():%Y%m%d}.zip"
