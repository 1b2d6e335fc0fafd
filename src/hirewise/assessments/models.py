"""Online assessments: the test an opening sends, the invitations, the candidate's attempt and answers.

A question's scoring content (options and which are correct, expected answer and key points, hidden
tests) is its *rubric*; every change to it bumps ``rubric_version`` and keeps the previous one in
``assessment_rubrics``, so a score always says which rubric it was computed against.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hirewise.auth.models import User
from hirewise.candidates.models import Application
from hirewise.db import Base, TimestampMixin, utcnow
from hirewise.openings.models import Opening, OpeningSkill


class AssessmentStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class QuestionKind(StrEnum):
    MULTIPLE_CHOICE = "multiple_choice"
    FREE_TEXT = "free_text"
    CODE = "code"


class Layout(StrEnum):
    ONE_PER_PAGE = "one_per_page"
    ALL_ON_ONE_PAGE = "all_on_one_page"


class Assessment(TimestampMixin, Base):
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    time_limit_minutes: Mapped[int] = mapped_column(default=30)
    pass_mark_percent: Mapped[int] = mapped_column(default=60)
    layout: Mapped[Layout] = mapped_column(String(20), default=Layout.ONE_PER_PAGE)
    invitation_valid_days: Mapped[int] = mapped_column(default=7)
    status: Mapped[AssessmentStatus] = mapped_column(String(10), default=AssessmentStatus.ACTIVE, index=True)
    # Where the questions came from, e.g. "kit:flask-developer"; informational.
    source: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    opening: Mapped[Opening] = relationship()
    questions: Mapped[list[AssessmentQuestion]] = relationship(
        back_populates="assessment",
        cascade="all, delete-orphan",
        order_by="(AssessmentQuestion.position, AssessmentQuestion.id)",
    )


class AssessmentQuestion(TimestampMixin, Base):
    """One question. ``content`` holds what its kind needs (see assessments/validation.py)."""

    __tablename__ = "assessment_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(String(20))
    prompt: Mapped[str] = mapped_column(Text)
    points: Mapped[int] = mapped_column(default=1)
    skill_id: Mapped[int | None] = mapped_column(
        ForeignKey("opening_skills.id", ondelete="SET NULL"), index=True
    )
    bank_question_id: Mapped[int | None] = mapped_column(ForeignKey("bank_questions.id", ondelete="SET NULL"))
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rubric_version: Mapped[int] = mapped_column(default=1)

    assessment: Mapped[Assessment] = relationship(back_populates="questions")
    skill: Mapped[OpeningSkill | None] = relationship()
    rubrics: Mapped[list[AssessmentRubric]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="AssessmentRubric.version"
    )


class AssessmentRubric(Base):
    """A question's scoring content as it was at one rubric version; never changed once written."""

    __tablename__ = "assessment_rubrics"
    __table_args__ = (UniqueConstraint("question_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("assessment_questions.id", ondelete="CASCADE"))
    version: Mapped[int]
    snapshot: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    question: Mapped[AssessmentQuestion] = relationship(back_populates="rubrics")


class AssessmentInvitation(TimestampMixin, Base):
    """A private link for one application. Only the SHA-256 of the token is stored."""

    __tablename__ = "assessment_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    # A retake: an application that has submitted an attempt is invited again only on purpose, with a
    # reason (also in the audit log). ``retake_of`` is the invitation of the attempt it repeats.
    retake_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment_invitations.id", ondelete="SET NULL")
    )
    retake_reason: Mapped[str] = mapped_column(Text, default="")

    assessment: Mapped[Assessment] = relationship()
    application: Mapped[Application] = relationship()
    invited_by: Mapped[User | None] = relationship()
    attempt: Mapped[AssessmentAttempt | None] = relationship(
        back_populates="invitation", uselist=False, cascade="all, delete-orphan"
    )
    retake_of: Mapped[AssessmentInvitation | None] = relationship(remote_side="AssessmentInvitation.id")

    @property
    def is_retake(self) -> bool:
        return bool(self.retake_reason)


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class ScoringStatus(StrEnum):
    PENDING = "pending"
    SCORED = "scored"
    FAILED = "failed"


class SubmittedBy(StrEnum):
    CANDIDATE = "candidate"
    DEADLINE = "deadline"


class AssessmentAttempt(Base):
    """The one attempt an invitation allows. Once submitted, the candidate's answers never change."""

    __tablename__ = "assessment_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_invitations.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[AttemptStatus] = mapped_column(String(12), default=AttemptStatus.IN_PROGRESS, index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime] = mapped_column(index=True)
    submitted_at: Mapped[datetime | None]
    submitted_by: Mapped[SubmittedBy | None] = mapped_column(String(10))
    # Fixed at start: the questions' order (the assessment's, so a later edit never reorders a running
    # attempt) and each multiple-choice question's options, shuffled for this candidate, each under a
    # random id of this attempt's own: {"<question id>": [["<shown id>", "<real id>"], ...]}
    # (assessments/option_ids.py; attempts started before shown ids keep a plain list of real ids).
    question_order: Mapped[list[Any]] = mapped_column(default=list)
    option_orders: Mapped[dict[str, Any]] = mapped_column(default=dict)
    scoring_status: Mapped[ScoringStatus] = mapped_column(String(10), default=ScoringStatus.PENDING)
    scored_at: Mapped[datetime | None]
    scoring_error: Mapped[str] = mapped_column(String(500), default="")
    # The attempt's score kept on its row so that reports over many attempts need not add up their
    # answers: the answers' final points (None while none has any) and maximum points, summed.
    # Written wherever a score changes (automatic scoring, overrides): see assessments/totals.py.
    total_points: Mapped[float | None]
    total_max_points: Mapped[float] = mapped_column(default=0.0, server_default="0")

    invitation: Mapped[AssessmentInvitation] = relationship(back_populates="attempt")
    answers: Mapped[list[AssessmentAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AssessmentAnswer.id"
    )


class AssessmentAnswer(Base):
    """A candidate's answer to one question, its integrity signals, automatic score and any override.

    The signals (pastes, window blurs, time spent, similarity to other candidates' answers) are
    recorded for reviewers to weigh; nothing in Hirewise treats them as a verdict.
    """

    __tablename__ = "assessment_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("assessment_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_questions.id", ondelete="CASCADE"), index=True
    )
    # {"selected": [option ids]} | {"text": "..."} | {"code": "..."}
    response: Mapped[dict[str, Any]] = mapped_column(default=dict)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    time_spent_seconds: Mapped[int] = mapped_column(default=0)
    paste_count: Mapped[int] = mapped_column(default=0)
    pasted_chars: Mapped[int] = mapped_column(default=0)
    blur_count: Mapped[int] = mapped_column(default=0)
    similarity: Mapped[float | None]
    similar_answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment_answers.id", ondelete="SET NULL")
    )

    auto_points: Mapped[float | None]
    max_points: Mapped[float] = mapped_column(default=0.0)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    scorer: Mapped[str] = mapped_column(String(60), default="")
    scorer_version: Mapped[str] = mapped_column(String(20), default="")
    rubric_version: Mapped[int | None]
    scored_at: Mapped[datetime | None]

    override_points: Mapped[float | None]
    override_reason: Mapped[str] = mapped_column(Text, default="")
    overridden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    overridden_at: Mapped[datetime | None]

    attempt: Mapped[AssessmentAttempt] = relationship(back_populates="answers")
    question: Mapped[AssessmentQuestion] = relationship()
    overridden_by: Mapped[User | None] = relationship()

    @property
    def is_answered(self) -> bool:
        """Whether the candidate gave anything: a choice, or text or code that is not blank."""
        return any(
            bool(value.strip()) if isinstance(value, str) else bool(value) for value in self.response.values()
        )

    @property
    def final_points(self) -> float | None:
        """What counts: a reviewer's override when there is one, else the automatic score."""
        return self.override_points if self.override_points is not None else self.auto_points


class ExampleRunStatus(StrEnum):
    QUEUED = "queued"
    DONE = "done"
    UNAVAILABLE = "unavailable"  # the sandbox could not run here: nothing was run
    FAILED = "failed"  # an error of ours, not of the candidate's code


class AssessmentExampleRun(Base):
    """The candidate running a code question's visible examples (never its hidden tests) before submitting.

    Created by the candidate's request, run by a background task in the sandbox, polled by the page.
    ``code`` is what was in the box; it is emptied once the run is over, when its SHA-256 remains.
    """

    __tablename__ = "assessment_example_runs"
    __table_args__ = (Index("ix_assessment_example_runs_attempt_id_created_at", "attempt_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("assessment_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_questions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(Text, default="")
    code_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[ExampleRunStatus] = mapped_column(String(12), default=ExampleRunStatus.QUEUED)
    # CodeRunReport.to_dict() of the examples' run: status, message, passed, total, outcomes.
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    attempt: Mapped[AssessmentAttempt] = relationship()
    question: Mapped[AssessmentQuestion] = relationship()
