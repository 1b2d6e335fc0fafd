"""Hiring kits: a reusable scorecard (skills) and interview questions with expected answers."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hirewise.db import Base, TimestampMixin


class SkillKind(StrEnum):
    MUST_HAVE = "must_have"
    NICE_TO_HAVE = "nice_to_have"

    @property
    def label(self) -> str:
        return "Must-have" if self is SkillKind.MUST_HAVE else "Nice-to-have"


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class QuestionType(StrEnum):
    TECHNICAL = "technical"
    BEHAVIOURAL = "behavioural"
    PRACTICAL = "practical"


class SkillFields:
    """Columns shared by a kit's skill and an opening's copy of it."""

    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[SkillKind] = mapped_column(String(20))
    weight: Mapped[int] = mapped_column(default=1)
    # On the interview rating scale (1 strong no .. 4 strong yes): the evidence a must-have needs.
    pass_bar: Mapped[float] = mapped_column(default=3.0)
    # Words and phrases that show the skill in a résumé, e.g. ["sqlalchemy", "postgresql"].
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(default=0)


class QuestionFields:
    """Columns shared by a kit's question and an opening's copy of it."""

    text: Mapped[str] = mapped_column(Text)
    expected_answer: Mapped[str] = mapped_column(Text, default="")
    # Ordered list of {"label": short label, "text": what a good answer says}.
    key_points: Mapped[list[Any]] = mapped_column(default=list)
    difficulty: Mapped[Difficulty] = mapped_column(String(10), default=Difficulty.MEDIUM)
    type: Mapped[QuestionType] = mapped_column(String(20), default=QuestionType.TECHNICAL)
    position: Mapped[int] = mapped_column(default=0)


class Kit(TimestampMixin, Base):
    __tablename__ = "kits"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    is_builtin: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    skills: Mapped[list[KitSkill]] = relationship(
        back_populates="kit", cascade="all, delete-orphan", order_by="KitSkill.position"
    )
    questions: Mapped[list[KitQuestion]] = relationship(
        back_populates="kit", cascade="all, delete-orphan", order_by="KitQuestion.position"
    )


class KitSkill(SkillFields, Base):
    __tablename__ = "kit_skills"
    __table_args__ = (UniqueConstraint("kit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id", ondelete="CASCADE"))

    kit: Mapped[Kit] = relationship(back_populates="skills")


class KitQuestion(QuestionFields, Base):
    __tablename__ = "kit_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kit_id: Mapped[int] = mapped_column(ForeignKey("kits.id", ondelete="CASCADE"), index=True)
    skill_id: Mapped[int | None] = mapped_column(ForeignKey("kit_skills.id", ondelete="SET NULL"), index=True)

    kit: Mapped[Kit] = relationship(back_populates="questions")
    skill: Mapped[KitSkill | None] = relationship()
