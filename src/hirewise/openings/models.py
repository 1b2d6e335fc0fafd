"""Openings (job requisitions), their scorecard copied from a kit, hiring team and stages."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hirewise.auth.models import User
from hirewise.db import Base, TimestampMixin
from hirewise.kits.models import Kit, QuestionFields, SkillFields


class OpeningStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class EmploymentType(StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    CONTRACT = "contract"
    INTERNSHIP = "internship"
    TEMPORARY = "temporary"

    @property
    def label(self) -> str:
        return self.value.replace("_", "-").capitalize()


class FeedbackVisibility(StrEnum):
    """When an interviewer may read the other interviewers' feedback on an application."""

    NEVER = "never"
    AFTER_SUBMIT = "after_submit"
    ALWAYS = "always"


class StageKind(StrEnum):
    """What reaching a stage means for the application: still in play, hired or rejected."""

    ACTIVE = "active"
    HIRED = "hired"
    REJECTED = "rejected"


DEFAULT_STAGES: tuple[tuple[str, StageKind], ...] = (
    ("Applied", StageKind.ACTIVE),
    ("Screen", StageKind.ACTIVE),
    ("Assessment", StageKind.ACTIVE),
    ("Interview", StageKind.ACTIVE),
    ("Offer", StageKind.ACTIVE),
    ("Hired", StageKind.HIRED),
    ("Rejected", StageKind.REJECTED),
)


opening_members = Table(
    "opening_members",
    Base.metadata,
    Column("opening_id", ForeignKey("openings.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Opening(TimestampMixin, Base):
    __tablename__ = "openings"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[OpeningStatus] = mapped_column(String(10), default=OpeningStatus.DRAFT, index=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    employment_type: Mapped[EmploymentType] = mapped_column(String(20), default=EmploymentType.FULL_TIME)
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised on render
    kit_id: Mapped[int | None] = mapped_column(ForeignKey("kits.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    feedback_visibility: Mapped[FeedbackVisibility] = mapped_column(
        String(20),
        default=FeedbackVisibility.AFTER_SUBMIT,
        server_default=FeedbackVisibility.AFTER_SUBMIT.value,
    )
    # Stage automations (see openings/automation.py): sending an assessment invitation moves the
    # application to the Assessment stage; scheduling an interview moves it to the Interview stage.
    auto_move_on_assessment_invite: Mapped[bool] = mapped_column(default=True, server_default=true())
    auto_move_on_interview_scheduled: Mapped[bool] = mapped_column(default=True, server_default=true())

    kit: Mapped[Kit | None] = relationship()
    team: Mapped[list[User]] = relationship(secondary=opening_members, order_by="User.full_name")
    skills: Mapped[list[OpeningSkill]] = relationship(
        back_populates="opening", cascade="all, delete-orphan", order_by="OpeningSkill.position"
    )
    questions: Mapped[list[OpeningQuestion]] = relationship(
        back_populates="opening", cascade="all, delete-orphan", order_by="OpeningQuestion.position"
    )
    stages: Mapped[list[Stage]] = relationship(
        back_populates="opening", cascade="all, delete-orphan", order_by="Stage.position"
    )


class OpeningSkill(SkillFields, Base):
    __tablename__ = "opening_skills"
    __table_args__ = (UniqueConstraint("opening_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))

    opening: Mapped[Opening] = relationship(back_populates="skills")


class OpeningQuestion(QuestionFields, Base):
    __tablename__ = "opening_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"), index=True)
    skill_id: Mapped[int | None] = mapped_column(
        ForeignKey("opening_skills.id", ondelete="SET NULL"), index=True
    )

    opening: Mapped[Opening] = relationship(back_populates="questions")
    skill: Mapped[OpeningSkill | None] = relationship()


class Stage(Base):
    __tablename__ = "stages"
    __table_args__ = (UniqueConstraint("opening_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[StageKind] = mapped_column(String(10), default=StageKind.ACTIVE)
    position: Mapped[int] = mapped_column(default=0)

    opening: Mapped[Opening] = relationship(back_populates="stages")
