"""Interview feedback: start a scorecard, save drafts, submit, and revise after submitting.

Drafts are the interviewer's private work in progress (saved on every change by autosave), so
only starting, submitting and revising are audit-logged; every submitted state is also kept as a
``FeedbackRevision``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marshmallow import ValidationError as MarshmallowError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from hirewise.audit.services import record
from hirewise.auth.models import User
from hirewise.candidates.models import Application
from hirewise.db import utcnow
from hirewise.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.feedback.models import (
    Feedback,
    FeedbackAnswer,
    FeedbackRating,
    FeedbackRevision,
    FeedbackStatus,
    Recommendation,
)
from hirewise.feedback.schemas import ScorecardSchema
from hirewise.interviews.models import Interview, InterviewStatus, interview_interviewers
from hirewise.interviews.services import ends_at, focus_skills, get_interview, questions
from hirewise.notifications.services import notify_feedback_submitted
from hirewise.security import can_view_feedback, can_write_feedback, feedback_visible_to

FieldErrors = dict[str, list[str]]


@dataclass(frozen=True)
class FeedbackInput:
    """The editable part of a scorecard, as ``ScorecardSchema`` loads it: ratings by skill id (1 to 4 or
    None), answers by question id ({"notes", "covered_key_points"})."""

    ratings: Mapping[int, int | None]
    answers: Mapping[int, Mapping[str, Any]]
    recommendation: str | None = None
    summary: str = ""


def feedback_options() -> list[Any]:
    return [
        selectinload(Feedback.ratings),
        selectinload(Feedback.answers),
        selectinload(Feedback.revisions),
        joinedload(Feedback.interviewer),
        joinedload(Feedback.interview),
        joinedload(Feedback.application).joinedload(Application.opening),
        joinedload(Feedback.application).joinedload(Application.candidate),
    ]


def get_feedback(feedback_id: int) -> Feedback:
    stmt = select(Feedback).where(Feedback.id == feedback_id).options(*feedback_options())
    feedback = db.session.execute(stmt).unique().scalar_one_or_none()
    if feedback is None:
        raise NotFound("There is no such feedback.")
    return feedback


def own_feedback(user: User, interview: Interview) -> Feedback | None:
    stmt = (
        select(Feedback)
        .where(Feedback.interview_id == interview.id, Feedback.interviewer_id == user.id)
        .options(*feedback_options())
    )
    return db.session.execute(stmt).unique().scalar_one_or_none()


def _snapshot_question(question: Any) -> dict[str, Any]:
    return {
        "text": question.text,
        "expected_answer": question.expected_answer or "",
        "key_points": list(question.key_points or []),
    }


def get_or_start_feedback(actor: User, interview: Interview) -> Feedback:
    """The actor's feedback on ``interview``, starting a draft (the interview kit as of now) if needed."""
    if not can_write_feedback(actor, interview):
        raise PermissionDenied("Only the interview's interviewers write feedback on it.")
    existing = own_feedback(actor, interview)
    if existing is not None:
        return existing
    if interview.status == InterviewStatus.CANCELLED:
        raise Conflict("This interview was cancelled: there is no feedback to write.")
    feedback = Feedback(
        interview_id=interview.id,
        interviewer_id=actor.id,
        application_id=interview.application_id,
        status=FeedbackStatus.DRAFT,
        summary="",
        version=1,
    )
    feedback.ratings = [
        FeedbackRating(skill_id=skill.id, skill_name=skill.name, rating=None)
        for skill in focus_skills(interview)
    ]
    feedback.answers = [
        FeedbackAnswer(
            question_id=question.id,
            question_snapshot=_snapshot_question(question),
            notes="",
            covered_key_points=[],
            position=position,
        )
        for position, question in enumerate(questions(interview))
    ]
    db.session.add(feedback)
    try:
        db.session.flush()
    except IntegrityError:
        # The same interviewer opened the page twice at once: the other request created it.
        db.session.rollback()
        found = own_feedback(actor, interview)
        if found is None:
            raise
        return found
    application = interview.application
    record(
        actor,
        "create",
        "feedback",
        feedback.id,
        f"Started feedback on {interview.title}",
        candidate_id=application.candidate_id,
        opening_id=application.opening_id,
    )
    db.session.commit()
    return get_feedback(feedback.id)


def _scorecard(
    ratings: Mapping[Any, Any] | None,
    answers: Mapping[Any, Any] | None,
    recommendation: str | None,
    summary: str,
) -> FeedbackInput:
    """The scorecard loaded by ``ScorecardSchema``, the one the API and the HTML form share: every shape
    rule (ids, 1 to 4, lengths, choices) is there, with the messages a person reads."""
    raw = {
        "ratings": ratings or {},
        "answers": answers or {},
        "recommendation": recommendation,
        "summary": summary,
    }
    try:
        loaded = ScorecardSchema().load(raw)
    except MarshmallowError as error:
        raise ValidationFailed.from_schema(error) from None
    return FeedbackInput(loaded["ratings"], loaded["answers"], loaded["recommendation"], loaded["summary"])


def _apply(feedback: Feedback, data: FeedbackInput) -> FieldErrors:
    """Apply ``data`` (already loaded by ``ScorecardSchema``, so its shapes are right) to the feedback,
    checking what only the feedback knows: that a rated skill and an answered question are this
    interview's, and that a covered key point is one of that question's."""
    errors: FieldErrors = {}
    ratings = {rating.skill_id: rating for rating in feedback.ratings if rating.skill_id is not None}
    for skill_id, value in data.ratings.items():
        if skill_id not in ratings:
            errors.setdefault("ratings", []).append(f"Skill {skill_id} is not rated in this interview.")
            continue
        ratings[skill_id].rating = value
    answers = {answer.question_id: answer for answer in feedback.answers if answer.question_id is not None}
    for question_id, given in data.answers.items():
        if question_id not in answers:
            errors.setdefault("answers", []).append(f"Question {question_id} is not part of this interview.")
            continue
        answer = answers[question_id]
        count = len(answer.question_snapshot.get("key_points") or [])
        if any(index >= count for index in given["covered_key_points"]):
            errors.setdefault("answers", []).append(
                f"Covered key points of question {question_id} must be indexes from 0 to {count - 1}."
                if count
                else f"Question {question_id} has no key points to cover."
            )
            continue
        answer.notes = given["notes"]
        answer.covered_key_points = sorted(set(given["covered_key_points"]))
    feedback.recommendation = Recommendation(data.recommendation) if data.recommendation else None
    feedback.summary = data.summary
    return errors


def _require_author(actor: User, feedback: Feedback) -> None:
    if feedback.interviewer_id != actor.id:
        raise PermissionDenied("You may only change your own feedback.")


def _apply_or_fail(feedback: Feedback, data: FeedbackInput, *, complete: bool) -> None:
    errors = _apply(feedback, data)
    if complete:
        if feedback.recommendation is None:
            errors.setdefault("recommendation", []).append("Choose an overall recommendation.")
        if not any(rating.rating is not None for rating in feedback.ratings):
            errors.setdefault("ratings", []).append("Rate at least one skill.")
    if errors:
        db.session.rollback()
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, details=errors)


def save_draft(
    actor: User,
    feedback: Feedback,
    *,
    ratings: Mapping[Any, Any] | None = None,
    answers: Mapping[Any, Any] | None = None,
    recommendation: str | None = None,
    summary: str = "",
) -> Feedback:
    data = _scorecard(ratings, answers, recommendation, summary)
    _require_author(actor, feedback)
    if feedback.status == FeedbackStatus.SUBMITTED:
        raise Conflict("This feedback was submitted: edit it to create a new version.")
    _apply_or_fail(feedback, data, complete=False)
    db.session.commit()
    return feedback


def revision_snapshot(feedback: Feedback) -> dict[str, Any]:
    return {
        "version": feedback.version,
        "recommendation": str(feedback.recommendation) if feedback.recommendation else None,
        "summary": feedback.summary,
        "submitted_at": feedback.submitted_at.isoformat() if feedback.submitted_at else None,
        "ratings": [
            {"skill_id": r.skill_id, "skill_name": r.skill_name, "rating": r.rating} for r in feedback.ratings
        ],
        "answers": [
            {
                "question_id": a.question_id,
                "question": a.question_snapshot.get("text", ""),
                "notes": a.notes,
                "covered_key_points": list(a.covered_key_points or []),
            }
            for a in feedback.answers
        ],
    }


def _audit(actor: User, feedback: Feedback, action: str, summary: str, **values: Any) -> None:
    application = feedback.application
    record(
        actor,
        action,
        "feedback",
        feedback.id,
        summary,
        candidate_id=application.candidate_id,
        opening_id=application.opening_id,
        **values,
    )


def submit_feedback(
    actor: User,
    feedback: Feedback,
    *,
    ratings: Mapping[Any, Any] | None = None,
    answers: Mapping[Any, Any] | None = None,
    recommendation: str | None = None,
    summary: str = "",
) -> Feedback:
    """Lock the feedback as version 1; needs a recommendation and at least one rating."""
    data = _scorecard(ratings, answers, recommendation, summary)
    _require_author(actor, feedback)
    if feedback.status == FeedbackStatus.SUBMITTED:
        raise Conflict("This feedback was already submitted: edit it to create a new version.")
    _apply_or_fail(feedback, data, complete=True)
    feedback.status = FeedbackStatus.SUBMITTED
    feedback.submitted_at = utcnow()
    feedback.version = 1
    after = revision_snapshot(feedback)
    feedback.revisions.append(FeedbackRevision(version=1, snapshot=after, created_by_id=actor.id))
    _audit(actor, feedback, "submit", f"Submitted feedback on {feedback.interview.title}", after=after)
    notify_feedback_submitted(actor, feedback)
    db.session.commit()
    return feedback


def edit_submitted(
    actor: User,
    feedback: Feedback,
    *,
    ratings: Mapping[Any, Any] | None = None,
    answers: Mapping[Any, Any] | None = None,
    recommendation: str | None = None,
    summary: str = "",
) -> Feedback:
    """Change submitted feedback: a new version and revision; earlier revisions stay as they were."""
    data = _scorecard(ratings, answers, recommendation, summary)
    _require_author(actor, feedback)
    if feedback.status != FeedbackStatus.SUBMITTED:
        raise Conflict("Only submitted feedback gets new versions: submit this draft first.")
    before = revision_snapshot(feedback)
    _apply_or_fail(feedback, data, complete=True)
    feedback.version += 1
    feedback.submitted_at = utcnow()
    after = revision_snapshot(feedback)
    feedback.revisions.append(
        FeedbackRevision(version=feedback.version, snapshot=after, created_by_id=actor.id)
    )
    _audit(
        actor,
        feedback,
        "update",
        f"Revised feedback on {feedback.interview.title} (version {feedback.version})",
        before=before,
        after=after,
    )
    db.session.commit()
    return feedback


def save_for_interview(actor: User, interview_id: int, *, submit: bool, **fields: Any) -> Feedback:
    """The API's use case: save a draft of, or submit (a new version of), the actor's feedback."""
    feedback = get_or_start_feedback(actor, get_interview(interview_id))
    if not submit:
        return save_draft(actor, feedback, **fields)
    if feedback.status == FeedbackStatus.SUBMITTED:
        return edit_submitted(actor, feedback, **fields)
    return submit_feedback(actor, feedback, **fields)


# --- reading ------------------------------------------------------------------------------------


def visible_feedback_query(viewer: User, application_id: int | None = None) -> Any:
    stmt = (
        select(Feedback)
        .where(feedback_visible_to(viewer))
        .options(*feedback_options())
        .order_by(Feedback.submitted_at.desc(), Feedback.id.desc())
    )
    if application_id is not None:
        stmt = stmt.where(Feedback.application_id == application_id)
    return stmt


def feedback_for_application(viewer: User, application: Application) -> list[Feedback]:
    """The feedback on ``application`` that ``viewer`` may read (see ``security.feedback_visible_to``)."""
    return list(db.session.execute(visible_feedback_query(viewer, application.id)).scalars().unique())


def viewable_feedback(viewer: User, feedback_id: int) -> Feedback:
    feedback = get_feedback(feedback_id)
    if not can_view_feedback(viewer, feedback):
        raise PermissionDenied("You are not allowed to see this feedback.")
    return feedback


def pending_feedback(user: User, now: datetime | None = None) -> list[Interview]:
    """Interviews of ``user`` that have ended without their submitted feedback, oldest first."""
    now = now or utcnow()
    submitted = select(Feedback.interview_id).where(
        Feedback.interviewer_id == user.id, Feedback.status == FeedbackStatus.SUBMITTED
    )
    stmt = (
        select(Interview)
        .join(interview_interviewers, interview_interviewers.c.interview_id == Interview.id)
        .where(
            interview_interviewers.c.user_id == user.id,
            Interview.status != InterviewStatus.CANCELLED,
            Interview.starts_at <= now,
            Interview.id.not_in(submitted),
        )
        .options(joinedload(Interview.application).joinedload(Application.candidate))
        .order_by(Interview.starts_at, Interview.id)
    )
    interviews = db.session.execute(stmt).scalars().unique()
    return [interview for interview in interviews if ends_at(interview) <= now]


def feedback_states(user: User, interviews: list[Interview]) -> dict[int, FeedbackStatus]:
    """The user's own feedback status per interview id, in one query."""
    ids = [interview.id for interview in interviews]
    if not ids:
        return {}
    rows = db.session.execute(
        select(Feedback.interview_id, Feedback.status).where(
            Feedback.interviewer_id == user.id, Feedback.interview_id.in_(ids)
        )
    )
    return {interview_id: FeedbackStatus(status) for interview_id, status in rows}
