"""What the privacy promises need to remember: the organisation's privacy settings, the consent log,
legal holds, erasures, retention runs and the notices they sent, and requests for a human review.

None of these rows holds personal data beyond ids: a retention run's log names candidates by id,
so erasing a candidate never has to rewrite the log that says it happened.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hirewise.assessments.models import AssessmentAnswer
from hirewise.auth.models import User
from hirewise.candidates.models import Application
from hirewise.db import Base, TimestampMixin, utcnow

SETTINGS_ID = 1
DEFAULT_NOTICE_DAYS = 14
CONSENT_TEXT_VERSION = "2026-12-privacy-v1"


class PrivacySettings(TimestampMixin, Base):
    """The organisation's privacy settings: one row, changed by admins."""

    __tablename__ = "privacy_settings"
    __table_args__ = (CheckConstraint(f"id = {SETTINGS_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # How many days before erasure by retention the candidate is emailed a notice (with a link to keep
    # their application for another period).
    retention_notice_days: Mapped[int] = mapped_column(default=DEFAULT_NOTICE_DAYS, server_default="14")
    # Whether a candidate's export includes the submitted interview feedback about them.
    export_includes_feedback: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @classmethod
    def defaults(cls) -> PrivacySettings:
        return cls(
            id=SETTINGS_ID,
            retention_notice_days=DEFAULT_NOTICE_DAYS,
            export_includes_feedback=False,
            updated_by_id=None,
        )


class ConsentPurpose(StrEnum):
    APPLICATION = "application"  # processing the application, kept until the retention date
    RETENTION_EXTENSION = "retention_extension"  # keep the application for another period


class ConsentRecord(Base):
    """One consent given: to what, the version of the text shown, when and from which page."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(String(30))
    text_version: Mapped[str] = mapped_column(String(60))
    page: Mapped[str] = mapped_column(String(300), default="")
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]


class LegalHold(Base):
    """An admin's hold on a candidate's data (a dispute, a claim): erasure is refused while it lasts."""

    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    placed_by: Mapped[User | None] = relationship(foreign_keys=[placed_by_id])


class ErasureTrigger(StrEnum):
    REQUEST = "request"  # the candidate asked, a recruiter or admin erased
    RETENTION = "retention"  # the retention date passed
    WITHDRAWAL = "withdrawal"  # the candidate withdrew consent through their signed link


class Erasure(Base):
    """One erasure: the candidate's row stays, anonymised, so aggregate facts still count in reports."""

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), unique=True)
    trigger: Mapped[ErasureTrigger] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    erased_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    erased_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # {"<table>.<what>": rows changed}: what the erasure touched, for the record.
    rows_changed: Mapped[dict[str, Any]] = mapped_column(default=dict)

    erased_by: Mapped[User | None] = relationship()


class RetentionRun(Base):
    """One pass of the retention task (or an admin's dry run): what it found and what it did."""

    __tablename__ = "retention_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    dry_run: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    notices_sent: Mapped[int] = mapped_column(default=0)
    erased: Mapped[int] = mapped_column(default=0)
    held: Mapped[int] = mapped_column(default=0)
    # [{"candidate_id", "action", "reason", "due_at"}]: ids only, never names.
    details: Mapped[list[Any]] = mapped_column(default=list)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class RetentionNotice(Base):
    """The notice sent for one retention date: never twice for the same date."""

    __tablename__ = "retention_notices"
    # Two runs at once (the hourly task and an admin's click) cannot both send it.
    __table_args__ = (UniqueConstraint("candidate_id", "retain_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    retain_until: Mapped[datetime]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )


class ScoreReviewRequest(Base):
    """A candidate asking for a person to review an automatic score (GDPR article 22)."""

    __tablename__ = "score_review_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_answers.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    # What the candidate wrote: personal data, emptied by an erasure.
    message: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    answer: Mapped[AssessmentAnswer] = relationship()
    application: Mapped[Application] = relationship()


def review_request_still_open() -> ColumnElement[bool]:
    """A request (joined with its answer) is answered once a person reviews the score after it: an
    override (even one that keeps the points) on the review page, or a resolution recorded on it.
    The one rule of the recruiters' to-do, of the candidate's page and of asking again."""
    return and_(
        ScoreReviewRequest.resolved_at.is_(None),
        or_(
            AssessmentAnswer.overridden_at.is_(None),
            AssessmentAnswer.overridden_at < ScoreReviewRequest.requested_at,
        ),
    )
