"""Candidates (people), their applications to openings, résumés, notes and stage history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from hirewise.auth.models import User
from hirewise.db import Base, TimestampMixin, utcnow
from hirewise.openings.models import Opening, Stage


class ApplicationSource(StrEnum):
    CAREERS = "careers"
    REFERRAL = "referral"
    SOURCED = "sourced"
    IMPORT = "import"
    API = "api"
    OTHER = "other"


class ResumeStatus(StrEnum):
    NONE = "none"
    PENDING = "pending"
    EXTRACTED = "extracted"
    FAILED = "failed"


class Candidate(TimestampMixin, Base):
    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200), index=True)
    # Stored lower-cased: one person, one candidate row, whatever the applicant typed.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    phone: Mapped[str] = mapped_column(String(50), default="")
    links: Mapped[list[Any]] = mapped_column(default=list)
    consent_at: Mapped[datetime | None]
    retain_until: Mapped[datetime | None]

    applications: Mapped[list[Application]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", order_by="Application.applied_at.desc()"
    )
    notes: Mapped[list[Note]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", order_by="Note.created_at.desc()"
    )


class Application(TimestampMixin, Base):
    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("candidate_id", "opening_id"),
        Index("ix_applications_opening_stage", "opening_id", "stage_id"),
        Index("ix_applications_opening_applied_at", "opening_id", "applied_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"), index=True)
    source: Mapped[ApplicationSource] = mapped_column(
        String(20), default=ApplicationSource.CAREERS, index=True
    )
    cover_letter: Mapped[str] = mapped_column(Text, default="")
    rejection_reason: Mapped[str] = mapped_column(String(500), default="")
    applied_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    stage_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    resume_status: Mapped[ResumeStatus] = mapped_column(String(10), default=ResumeStatus.NONE)
    resume_error: Mapped[str] = mapped_column(String(500), default="")
    # Deferred: the list and board never need the full text, only search does (in SQL).
    resume_text: Mapped[str] = deferred(mapped_column(Text, default=""))
    # [{"skill_id", "skill", "keyword", "snippet"}], from the opening's scorecard keywords.
    detected_skills: Mapped[list[Any]] = mapped_column(default=list)

    candidate: Mapped[Candidate] = relationship(back_populates="applications")
    opening: Mapped[Opening] = relationship()
    stage: Mapped[Stage] = relationship()
    resume: Mapped[Document | None] = relationship(
        back_populates="application", cascade="all, delete-orphan", uselist=False
    )
    stage_moves: Mapped[list[StageMove]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="StageMove.moved_at"
    )


class Document(TimestampMixin, Base):
    """An uploaded file, kept in the database so the worker and every web process can read it."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    application: Mapped[Application] = relationship(back_populates="resume")


class StageMove(Base):
    """One move of an application between stages: the source for time-in-stage analytics."""

    __tablename__ = "stage_moves"
    __table_args__ = (Index("ix_stage_moves_to_stage_moved_at", "to_stage_id", "moved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"))
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moved_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the application left ``to_stage`` (the next move's time); NULL while it is still there.
    left_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(String(500), default="")

    application: Mapped[Application] = relationship(back_populates="stage_moves")
    from_stage: Mapped[Stage | None] = relationship(foreign_keys=[from_stage_id])
    to_stage: Mapped[Stage] = relationship(foreign_keys=[to_stage_id])
    moved_by: Mapped[User | None] = relationship()


class Note(TimestampMixin, Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)

    candidate: Mapped[Candidate] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()
