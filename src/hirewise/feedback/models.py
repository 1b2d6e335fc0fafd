"""Interview feedback (one interviewer's scorecard), its revisions, reminders and hiring decisions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hirewise.auth.models import User
from hirewise.candidates.models import Application
from hirewise.db import Base, TimestampMixin, utcnow
from hirewise.interviews.models import Interview
from hirewise.openings.models import OpeningQuestion, OpeningSkill, Stage


class FeedbackStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Recommendation(StrEnum):
    STRONG_NO = "strong_no"
    NO = "no"
    YES = "yes"
    STRONG_YES = "strong_yes"


# The 4-point rating scale of every skill; None means "not assessed".
RATING_LABELS = {1: "Strong no", 2: "No", 3: "Yes", 4: "Strong yes"}


class Feedback(TimestampMixin, Base):
    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("interview_id", "interviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Denormalised from the interview: every debrief and visibility query filters by application.
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    status: Mapped[FeedbackStatus] = mapped_column(String(10), default=FeedbackStatus.DRAFT, index=True)
    recommendation: Mapped[Recommendation | None] = mapped_column(String(12))
    summary: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    interview: Mapped[Interview] = relationship()
    interviewer: Mapped[User] = relationship()
    application: Mapped[Application] = relationship()
    ratings: Mapped[list[FeedbackRating]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan", order_by="FeedbackRating.id"
    )
    answers: Mapped[list[FeedbackAnswer]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan", order_by="FeedbackAnswer.position"
    )
    revisions: Mapped[list[FeedbackRevision]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan", order_by="FeedbackRevision.version"
    )


class FeedbackRating(Base):
    __tablename__ = "feedback_ratings"
    __table_args__ = (UniqueConstraint("feedback_id", "skill_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))
    skill_id: Mapped[int | None] = mapped_column(
        ForeignKey("opening_skills.id", ondelete="SET NULL"), index=True
    )
    skill_name: Mapped[str] = mapped_column(String(120))  # kept if the skill is later removed
    rating: Mapped[int | None]  # 1..4, None = not assessed

    feedback: Mapped[Feedback] = relationship(back_populates="ratings")
    skill: Mapped[OpeningSkill | None] = relationship()


class FeedbackAnswer(Base):
    """Notes on one question and which of its key points the candidate covered.

    ``question_snapshot`` keeps the question as it was asked (text, expected answer, key points),
    so editing the question later never changes submitted feedback.
    """

    __tablename__ = "feedback_answers"
    __table_args__ = (UniqueConstraint("feedback_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("opening_questions.id", ondelete="SET NULL"))
    question_snapshot: Mapped[dict[str, Any]]
    notes: Mapped[str] = mapped_column(Text, default="")
    covered_key_points: Mapped[list[Any]] = mapped_column(default=list)  # indexes into snapshot key points
    position: Mapped[int] = mapped_column(default=0)

    feedback: Mapped[Feedback] = relationship(back_populates="answers")
    question: Mapped[OpeningQuestion | None] = relationship()


class FeedbackRevision(Base):
    """A submitted feedback as it stood at one version; an edit after submitting adds a revision."""

    __tablename__ = "feedback_revisions"
    __table_args__ = (UniqueConstraint("feedback_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))
    version: Mapped[int]
    snapshot: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    feedback: Mapped[Feedback] = relationship(back_populates="revisions")


class FeedbackReminder(Base):
    """One reminder sent to one interviewer for one interview and reminder interval: never twice."""

    __tablename__ = "feedback_reminders"
    __table_args__ = (UniqueConstraint("interview_id", "user_id", "interval_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    interval_index: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class DecisionKind(StrEnum):
    ADVANCE = "advance"
    REJECT = "reject"
    HIRE = "hire"


class Decision(TimestampMixin, Base):
    """A recorded hiring decision with its reason and the evidence (fit) it was made on."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[DecisionKind] = mapped_column(String(10))
    to_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    fit_snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)

    application: Mapped[Application] = relationship()
    decided_by: Mapped[User | None] = relationship()
    to_stage: Mapped[Stage | None] = relationship()
