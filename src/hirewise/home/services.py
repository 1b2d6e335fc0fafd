"""What each user has to do next, for the home page and ``GET /api/v1/me/todo``.

Every list reads through the SQL rule of its objects in ``security.py`` (interviews, applications,
assessment reviews, debriefs), is bounded to :data:`LIMIT` rows (``more`` says when there are more)
and eager-loads what the page shows, so the home page takes the same number of queries whatever
the volume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from hirewise.assessments.models import AssessmentAttempt, AssessmentInvitation, AttemptStatus
from hirewise.auth.models import Role, User
from hirewise.candidates.models import Application, StageMove
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.feedback.models import Decision, Feedback, FeedbackStatus
from hirewise.interviews.models import Interview, InterviewStatus, interview_interviewers
from hirewise.interviews.validation import DURATION_RANGE
from hirewise.openings.models import Stage, StageKind
from hirewise.privacy.services import open_review_requests
from hirewise.security import (
    applications_visible_to,
    assessment_reviews_visible_to,
    can_see_debrief_todo,
    can_see_pipeline_todo,
    debriefs_visible_to,
    interviews_visible_to,
)

LIMIT = 10
NEW_APPLICATION_DAYS = 7
# An interview lasts at most this long, so one that started earlier has ended.
LONGEST_INTERVIEW = timedelta(minutes=DURATION_RANGE[1])


@dataclass(frozen=True)
class OverdueFeedback:
    interview: Interview
    missing: list[User]  # panel members without submitted feedback


@dataclass
class Todo:
    shows_interviews: bool
    shows_recruiter_sections: bool
    shows_debriefs: bool
    upcoming_interviews: list[Interview] = field(default_factory=list)
    feedback_due: list[Interview] = field(default_factory=list)
    new_applications: list[Application] = field(default_factory=list)
    assessments_to_review: list[AssessmentAttempt] = field(default_factory=list)
    overdue_feedback: list[OverdueFeedback] = field(default_factory=list)
    todays_interviews: list[Interview] = field(default_factory=list)
    debriefs: list[Application] = field(default_factory=list)
    # Candidates asking for a person to review an automatic score (privacy/services.py).
    score_reviews: list[Any] = field(default_factory=list)
    more: dict[str, bool] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.upcoming_interviews,
                self.feedback_due,
                self.new_applications,
                self.assessments_to_review,
                self.overdue_feedback,
                self.todays_interviews,
                self.debriefs,
                self.score_reviews,
            )
        )


def ends_at(interview: Interview) -> datetime:
    return interview.starts_at + timedelta(minutes=interview.duration_minutes)


def _bounded(items: list[Any], limit: int = LIMIT) -> tuple[list[Any], bool]:
    return items[:limit], len(items) > limit


def _interviews(user: User) -> Select[Any]:
    return (
        select(Interview)
        .where(Interview.status != InterviewStatus.CANCELLED, interviews_visible_to(user))
        .options(
            joinedload(Interview.application).joinedload(Application.candidate),
            joinedload(Interview.application).joinedload(Application.opening),
        )
    )


def _on_panel(user: User) -> ColumnElement[bool]:
    return exists(
        select(interview_interviewers.c.interview_id).where(
            interview_interviewers.c.interview_id == Interview.id, interview_interviewers.c.user_id == user.id
        )
    )


def _missing_feedback_of(interviewer_id: Any) -> ColumnElement[bool]:
    """SQL: the interview has no submitted feedback by ``interviewer_id`` (a column or a value)."""
    return ~exists(
        select(Feedback.id).where(
            Feedback.interview_id == Interview.id,
            Feedback.interviewer_id == interviewer_id,
            Feedback.status == FeedbackStatus.SUBMITTED,
        )
    )


def upcoming_interviews(user: User, now: datetime) -> tuple[list[Interview], bool]:
    """Interviews ``user`` sits on that have not ended, soonest first."""
    # Ends are computed here, not in SQL (portable across SQLite and PostgreSQL): the rows that
    # started within the longest duration may have ended, so a few extra are read to drop them.
    stmt = (
        _interviews(user)
        .where(_on_panel(user), Interview.starts_at > now - LONGEST_INTERVIEW)
        .order_by(Interview.starts_at, Interview.id)
        .limit(3 * LIMIT + 1)
    )
    rows = [i for i in db.session.execute(stmt).scalars().unique() if ends_at(i) > now]
    return _bounded(rows)


def feedback_due(user: User, now: datetime) -> tuple[list[Interview], bool]:
    """Interviews ``user`` sat on that have ended without their submitted feedback, oldest first."""
    stmt = (
        _interviews(user)
        .where(_on_panel(user), Interview.starts_at <= now, _missing_feedback_of(user.id))
        .order_by(Interview.starts_at, Interview.id)
        .limit(LIMIT + 1)
    )
    # Only the latest rows can still be running; they come last, so the bound is unaffected.
    rows = [i for i in db.session.execute(stmt).scalars().unique() if ends_at(i) <= now]
    return _bounded(rows)


def new_applications(user: User, now: datetime) -> tuple[list[Application], bool]:
    """Applications of the last week that nobody has moved on from their first stage yet, newest first."""
    moved = exists(
        select(StageMove.id).where(
            StageMove.application_id == Application.id, StageMove.from_stage_id.is_not(None)
        )
    )
    stmt = (
        select(Application)
        .where(
            applications_visible_to(user),
            Application.applied_at >= now - timedelta(days=NEW_APPLICATION_DAYS),
            ~moved,
        )
        .options(
            joinedload(Application.candidate), joinedload(Application.opening), joinedload(Application.stage)
        )
        .order_by(Application.applied_at.desc(), Application.id.desc())
        .limit(LIMIT + 1)
    )
    return _bounded(list(db.session.execute(stmt).scalars().unique()))


def assessments_to_review(user: User) -> tuple[list[AssessmentAttempt], bool]:
    """Submitted attempts whose application is still active and has not moved since: nobody has acted
    on the result yet (moving or rejecting the application is what acting on it means)."""
    stmt = (
        select(AssessmentAttempt)
        .join(AssessmentInvitation, AssessmentInvitation.id == AssessmentAttempt.invitation_id)
        .join(Application, Application.id == AssessmentInvitation.application_id)
        .join(Stage, Stage.id == Application.stage_id)
        .where(
            AssessmentAttempt.status == AttemptStatus.SUBMITTED,
            Stage.kind == StageKind.ACTIVE,
            Application.stage_entered_at <= AssessmentAttempt.submitted_at,
            assessment_reviews_visible_to(user),
        )
        .options(
            joinedload(AssessmentAttempt.invitation).joinedload(AssessmentInvitation.assessment),
            joinedload(AssessmentAttempt.invitation)
            .joinedload(AssessmentInvitation.application)
            .joinedload(Application.candidate),
            joinedload(AssessmentAttempt.invitation)
            .joinedload(AssessmentInvitation.application)
            .joinedload(Application.opening),
        )
        .order_by(AssessmentAttempt.submitted_at, AssessmentAttempt.id)
        .limit(LIMIT + 1)
    )
    return _bounded(list(db.session.execute(stmt).scalars().unique()))


def overdue_feedback(user: User, now: datetime) -> tuple[list[OverdueFeedback], bool]:
    """Interviews that ended more than the reminder interval ago with someone's feedback missing."""
    grace = timedelta(hours=current_app.config["FEEDBACK_REMINDER_HOURS"])
    someone_missing = exists(
        select(interview_interviewers.c.user_id).where(
            interview_interviewers.c.interview_id == Interview.id,
            _missing_feedback_of(interview_interviewers.c.user_id),
        )
    )
    stmt = (
        _interviews(user)
        .where(Interview.starts_at <= now - grace, someone_missing)
        .options(selectinload(Interview.interviewers))
        .order_by(Interview.starts_at, Interview.id)
        .limit(LIMIT + 1)
    )
    interviews = [i for i in db.session.execute(stmt).scalars().unique() if ends_at(i) + grace <= now]
    submitted = {
        (interview_id, interviewer_id)
        for interview_id, interviewer_id in db.session.execute(
            select(Feedback.interview_id, Feedback.interviewer_id).where(
                Feedback.interview_id.in_([i.id for i in interviews]),
                Feedback.status == FeedbackStatus.SUBMITTED,
            )
        )
    }
    rows = [
        OverdueFeedback(i, [p for p in i.interviewers if (i.id, p.id) not in submitted]) for i in interviews
    ]
    return _bounded(rows)


def todays_interviews(user: User, now: datetime) -> tuple[list[Interview], bool]:
    """Interviews starting today (UTC), in order."""
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    stmt = (
        _interviews(user)
        .where(Interview.starts_at >= start, Interview.starts_at < start + timedelta(days=1))
        .order_by(Interview.starts_at, Interview.id)
        .limit(LIMIT + 1)
    )
    return _bounded(list(db.session.execute(stmt).scalars().unique()))


def debriefs_awaiting_decision(user: User) -> tuple[list[Application], bool]:
    """Active applications whose interviews all have every interviewer's submitted feedback, and no
    decision recorded since the last of it."""
    live = and_(Interview.application_id == Application.id, Interview.status != InterviewStatus.CANCELLED)
    has_interview = exists(select(Interview.id).where(live))
    feedback_missing = exists(
        select(interview_interviewers.c.user_id)
        .join(Interview, Interview.id == interview_interviewers.c.interview_id)
        .where(live, _missing_feedback_of(interview_interviewers.c.user_id))
    )
    last_feedback = (
        select(func.max(Feedback.submitted_at))
        .where(Feedback.application_id == Application.id, Feedback.status == FeedbackStatus.SUBMITTED)
        .scalar_subquery()
    )
    decided_since = exists(
        select(Decision.id).where(
            Decision.application_id == Application.id, Decision.created_at >= last_feedback
        )
    )
    stmt = (
        select(Application)
        .join(Stage, Stage.id == Application.stage_id)
        .where(
            debriefs_visible_to(user),
            Stage.kind == StageKind.ACTIVE,
            has_interview,
            ~feedback_missing,
            ~decided_since,
        )
        .options(
            joinedload(Application.candidate), joinedload(Application.opening), joinedload(Application.stage)
        )
        .order_by(Application.stage_entered_at, Application.id)
        .limit(LIMIT + 1)
    )
    return _bounded(list(db.session.execute(stmt).scalars().unique()))


def todo_for(user: User, now: datetime | None = None) -> Todo:
    """Every section that applies to ``user``: their interviews (anyone may sit on a panel), the
    recruiters' desk, and debriefs for whoever may decide."""
    now = now or utcnow()
    todo = Todo(
        shows_interviews=user.has_role(Role.INTERVIEWER),
        shows_recruiter_sections=can_see_pipeline_todo(user),
        shows_debriefs=can_see_debrief_todo(user),
    )
    todo.upcoming_interviews, todo.more["upcoming_interviews"] = upcoming_interviews(user, now)
    todo.feedback_due, todo.more["feedback_due"] = feedback_due(user, now)
    todo.shows_interviews = todo.shows_interviews or bool(todo.upcoming_interviews or todo.feedback_due)
    if todo.shows_recruiter_sections:
        todo.new_applications, todo.more["new_applications"] = new_applications(user, now)
        todo.assessments_to_review, todo.more["assessments_to_review"] = assessments_to_review(user)
        todo.score_reviews, todo.more["score_reviews"] = open_review_requests(user, LIMIT)
        todo.overdue_feedback, todo.more["overdue_feedback"] = overdue_feedback(user, now)
        todo.todays_interviews, todo.more["todays_interviews"] = todays_interviews(user, now)
    if todo.shows_debriefs:
        todo.debriefs, todo.more["debriefs"] = debriefs_awaiting_decision(user)
    return todo
