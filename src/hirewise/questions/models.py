"""The question bank: reusable interview questions with expected answers, versioned on every edit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hirewise.db import Base, TimestampMixin, utcnow
from hirewise.kits.models import Difficulty, QuestionType


class BankQuestion(TimestampMixin, Base):
    __tablename__ = "bank_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    type: Mapped[QuestionType] = mapped_column(String(20), default=QuestionType.TECHNICAL, index=True)
    expected_answer: Mapped[str] = mapped_column(Text, default="")
    # Ordered list of {"label": short label, "text": what a good answer says}.
    key_points: Mapped[list[Any]] = mapped_column(default=list)
    # A skill is named, not linked: bank questions serve every kit and opening.
    skill: Mapped[str] = mapped_column(String(120), default="", index=True)
    difficulty: Mapped[Difficulty] = mapped_column(String(10), default=Difficulty.MEDIUM, index=True)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    follow_ups: Mapped[list[Any]] = mapped_column(default=list)
    version: Mapped[int] = mapped_column(default=1)
    archived: Mapped[bool] = mapped_column(default=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    versions: Mapped[list[BankQuestionVersion]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="BankQuestionVersion.version"
    )


class BankQuestionVersion(Base):
    """The full content of a question as it was at one version; never changed once written."""

    __tablename__ = "bank_question_versions"
    __table_args__ = (UniqueConstraint("question_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("bank_questions.id", ondelete="CASCADE"))
    version: Mapped[int]
    snapshot: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    question: Mapped[BankQuestion] = relationship(back_populates="versions")
