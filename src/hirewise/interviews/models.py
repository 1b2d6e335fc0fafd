"""Interview plans per opening and scheduled interviews with their interviewers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hirewise.auth.models import User
from hirewise.candidates.models import Application
from hirewise.db import Base, TimestampMixin
from hirewise.openings.models import Opening, Stage


class InterviewStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class InterviewPlanItem(TimestampMixin, Base):
    """One interview of an opening's plan: which stage, how long, which skills and questions."""

    __tablename__ = "interview_plan_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    duration_minutes: Mapped[int] = mapped_column(default=60)
    # OpeningSkill ids rated in this interview, and OpeningQuestion ids asked, in order.
    focus_skill_ids: Mapped[list[Any]] = mapped_column(default=list)
    question_ids: Mapped[list[Any]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(default=0)

    opening: Mapped[Opening] = relationship()
    stage: Mapped[Stage] = relationship()


interview_interviewers = Table(
    "interview_interviewers",
    Base.metadata,
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Interview(TimestampMixin, Base):
    """A scheduled conversation for one application. Its interviewers are assigned to the application."""

    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    plan_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview_plan_items.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    duration_minutes: Mapped[int] = mapped_column(default=60)
    location: Mapped[str] = mapped_column(String(300), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    instructions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[InterviewStatus] = mapped_column(String(10), default=InterviewStatus.SCHEDULED, index=True)
    # The calendar identity: a stable UID, and SEQUENCE raised on every reschedule or cancel.
    calendar_uid: Mapped[str] = mapped_column(String(255), unique=True)
    calendar_sequence: Mapped[int] = mapped_column(default=0)
    focus_skill_ids: Mapped[list[Any]] = mapped_column(default=list)
    question_ids: Mapped[list[Any]] = mapped_column(default=list)
    organizer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    application: Mapped[Application] = relationship()
    plan_item: Mapped[InterviewPlanItem | None] = relationship()
    organizer: Mapped[User | None] = relationship(foreign_keys=[organizer_id])
    interviewers: Mapped[list[User]] = relationship(
        secondary=interview_interviewers, order_by="User.full_name"
    )
