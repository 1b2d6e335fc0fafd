"""The candidate's side of an assessment, reached only through the private token of an invitation.

The server owns the clock: the deadline is fixed when the attempt starts, every save is checked
against it (plus a small grace for the network), and an attempt left open is submitted at the
deadline by ``submit_overdue_attempts`` (a periodic task) or by whoever touches it first.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from hirewise.assessments import option_ids
from hirewise.assessments.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentQuestion,
    AssessmentStatus,
    AttemptStatus,
    QuestionKind,
    ScoringStatus,
    SubmittedBy,
)
from hirewise.assessments.validation import MAX_CODE_CHARS, MAX_TEXT_ANSWER_CHARS
from hirewise.audit.services import record
from hirewise.auth.services import hash_secret
from hirewise.db import utcnow
from hirewise.errors import Conflict, NotFound, ValidationFailed
from hirewise.extensions import db
from hirewise.notifications.services import notify_assessment_submitted

# Tests replace the clock to move time without sleeping, and the random source (options' order and
# shown ids, drawn at start) with a seeded one to replay the same attempts.
clock: Callable[[], datetime] = utcnow
random_source: random.Random = random.SystemRandom()

MAX_SIGNAL = 1_000_000
REVOKED_MESSAGE = "This link has been withdrawn. Please contact the hiring team."
MAX_TIME_SPENT_SECONDS = 24 * 3600


class AssessmentClosed(Conflict):
    """The link can no longer be used: expired, revoked, or the time is over."""


def grace() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("ASSESSMENT_GRACE_SECONDS", 30)))


def invitation_for_token(token: str) -> AssessmentInvitation:
    """The invitation of a private link. Unknown and malformed tokens are one and the same 404."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise NotFound("This assessment link is not valid. Check that you copied the whole link.")
    stmt = (
        select(AssessmentInvitation)
        .where(AssessmentInvitation.token_hash == hash_secret(token))
        .options(
            joinedload(AssessmentInvitation.assessment).selectinload(Assessment.questions),
            joinedload(AssessmentInvitation.application),
            joinedload(AssessmentInvitation.attempt).selectinload(AssessmentAttempt.answers),
        )
    )
    invitation = db.session.execute(stmt).unique().scalar_one_or_none()
    if invitation is None:
        raise NotFound("This assessment link is not valid. Check that you copied the whole link.")
    return invitation


@dataclass(frozen=True)
class CandidateView:
    """What the candidate page shows; ``state`` is one of ready, in_progress, submitted, expired, revoked."""

    invitation: AssessmentInvitation
    state: str
    attempt: AssessmentAttempt | None
    seconds_left: int


def candidate_view(invitation: AssessmentInvitation) -> CandidateView:
    now = clock()
    attempt = invitation.attempt
    if attempt is not None:
        _submit_if_overdue(attempt, now)
        if attempt.status == AttemptStatus.SUBMITTED:
            return CandidateView(invitation, "submitted", attempt, 0)
        if invitation.revoked_at is not None:
            return CandidateView(invitation, "revoked", attempt, 0)
        left = max(0, int((attempt.deadline_at - now).total_seconds()))
        return CandidateView(invitation, "in_progress", attempt, left)
    if invitation.revoked_at is not None:
        return CandidateView(invitation, "revoked", None, 0)
    if invitation.expires_at <= now:
        return CandidateView(invitation, "expired", None, 0)
    return CandidateView(invitation, "ready", None, invitation.assessment.time_limit_minutes * 60)


def start_attempt(invitation: AssessmentInvitation) -> AssessmentAttempt:
    """Start the timer. Starting twice returns the running attempt: a reload must not reset the clock."""
    now = clock()
    if invitation.attempt is not None:
        _submit_if_overdue(invitation.attempt, now)
        if invitation.attempt.status == AttemptStatus.SUBMITTED:
            raise AssessmentClosed("You have already submitted this assessment. Thank you!")
        return invitation.attempt
    if invitation.revoked_at is not None:
        raise AssessmentClosed(REVOKED_MESSAGE)
    if invitation.expires_at <= now:
        raise AssessmentClosed("This link has expired. Please contact the hiring team for a new one.")
    assessment = invitation.assessment
    if assessment.status != AssessmentStatus.ACTIVE:
        raise AssessmentClosed("This assessment is no longer open. Please contact the hiring team.")
    if not assessment.questions:
        raise AssessmentClosed("This assessment has no questions yet. Please contact the hiring team.")
    question_ids = [question.id for question in assessment.questions]
    attempt = AssessmentAttempt(
        invitation=invitation,
        status=AttemptStatus.IN_PROGRESS,
        started_at=now,
        deadline_at=now + timedelta(minutes=assessment.time_limit_minutes),
        question_order=question_ids,
        # Each option's place and the random id the candidate sees it under: see option_ids.py.
        option_orders=option_ids.draw_orders(assessment.questions, random_source),
        scoring_status=ScoringStatus.PENDING,
        # Every answer row exists from the start, so autosaves only ever update a row: two saves of
        # a first answer racing each other cannot both insert it.
        answers=[
            AssessmentAnswer(question_id=question.id, response={}, max_points=float(question.points))
            for question in assessment.questions
        ],
    )
    db.session.add(attempt)
    try:
        db.session.flush()
    except IntegrityError:
        # A second Start (a double click, two tabs) lost the race to the first: use the first's attempt.
        db.session.rollback()
        db.session.refresh(invitation)
        if invitation.attempt is None:
            raise
        return invitation.attempt
    record(
        None,
        "start",
        "assessment_attempt",
        attempt.id,
        f"candidate started {assessment.title}",
        candidate_id=invitation.application.candidate_id,
        opening_id=assessment.opening_id,
    )
    db.session.commit()
    return attempt


def ordered_questions(attempt: AssessmentAttempt) -> list[AssessmentQuestion]:
    by_id = {question.id: question for question in attempt.invitation.assessment.questions}
    ordered = [by_id[qid] for qid in attempt.question_order if qid in by_id]
    return ordered + [q for q in by_id.values() if q.id not in attempt.question_order]


def shown_options(
    attempt: AssessmentAttempt, question: AssessmentQuestion
) -> list[tuple[str, dict[str, Any]]]:
    """A multiple-choice question's options as this attempt shows them: ``(shown id, option)`` in order.

    The shown id is what the candidate's page and API use (never the option's real id)."""
    return option_ids.shown_options(attempt, question)


def shown_response(
    attempt: AssessmentAttempt, question: AssessmentQuestion, response: Mapping[str, Any]
) -> dict[str, Any]:
    """A stored response as the candidate sees it: chosen options under the ids shown to this attempt."""
    if question.kind != QuestionKind.MULTIPLE_CHOICE:
        return dict(response)
    selected = response.get("selected", [])
    return {
        "selected": option_ids.to_shown(attempt, question, selected if isinstance(selected, list) else [])
    }


def _lock(attempt: AssessmentAttempt) -> None:
    """Re-read the attempt with its row locked until the commit (PostgreSQL ``SELECT ... FOR UPDATE``).

    Saves, the candidate's submit and the deadline sweep all take this lock before they look at the
    status, so an answer can never be written after the attempt was submitted, and a double submit
    closes it once. (SQLite has no row locks; it serialises writers on the whole database.)
    """
    # Lock the attempt's row alone: the attempt may have been loaded with outer joins, which
    # PostgreSQL refuses to lock. Then read the columns that say whether it is still open.
    db.session.execute(
        select(AssessmentAttempt.id).where(AssessmentAttempt.id == attempt.id).with_for_update()
    )
    db.session.refresh(attempt, attribute_names=["status", "submitted_at", "submitted_by", "scoring_status"])


def _require_open(attempt: AssessmentAttempt, now: datetime) -> None:
    if attempt.status == AttemptStatus.SUBMITTED:
        raise AssessmentClosed("This assessment has been submitted; answers can no longer change.")
    if attempt.invitation.revoked_at is not None:
        raise AssessmentClosed(REVOKED_MESSAGE)
    if now > attempt.deadline_at + grace():
        _submit_if_overdue(attempt, now)
        raise AssessmentClosed(
            "The time for this assessment is over. The answers you saved before the deadline were submitted."
        )


def _clean_response(
    attempt: AssessmentAttempt, question: AssessmentQuestion, raw: Mapping[str, Any]
) -> dict[str, Any]:
    """The response to store. Multiple choice comes in the ids shown to this attempt and is stored in
    the options' real ids, which scoring and review use."""
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        selected = raw.get("selected", [])
        if isinstance(selected, str):
            selected = [selected]
        if not isinstance(selected, list):
            raise ValidationFailed("Choose among the options shown.", {"selected": ["Unknown option."]})
        chosen = sorted(set(option_ids.to_real(attempt, question, selected)))
        if not question.content.get("multiple") and len(chosen) > 1:
            raise ValidationFailed("Choose one option.", {"selected": ["Only one option may be chosen."]})
        return {"selected": chosen}
    field, limit = (
        ("code", MAX_CODE_CHARS) if question.kind == QuestionKind.CODE else ("text", MAX_TEXT_ANSWER_CHARS)
    )
    value = raw.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed("The answer must be text.", {field: ["The answer must be text."]})
    if len(value) > limit:
        raise ValidationFailed(
            f"The answer is too long: at most {limit:,} characters.",
            {field: [f"At most {limit:,} characters."]},
        )
    return {field: value.replace("\r\n", "\n").replace("\x00", "")}


def _signal(raw: Mapping[str, Any], name: str, ceiling: int = MAX_SIGNAL) -> int:
    value = raw.get(name, 0)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return 0
    return min(value, ceiling)


def _answer_for(attempt: AssessmentAttempt, question: AssessmentQuestion) -> AssessmentAnswer:
    for answer in attempt.answers:
        if answer.question_id == question.id:
            return answer
    answer = AssessmentAnswer(
        question=question, question_id=question.id, response={}, max_points=float(question.points)
    )
    attempt.answers.append(answer)
    return answer


def lock_open(attempt: AssessmentAttempt) -> datetime:
    """Lock the attempt's row until the commit and check it still takes answers; returns the time checked.

    Past the deadline (and grace) the attempt is submitted as of its deadline and this raises.
    """
    now = clock()
    _lock(attempt)
    _require_open(attempt, now)
    return now


def question_of(attempt: AssessmentAttempt, question_id: int) -> AssessmentQuestion:
    question = next((q for q in attempt.invitation.assessment.questions if q.id == question_id), None)
    if question is None:
        raise NotFound("No such question in this assessment.")
    return question


def save_answer(
    attempt: AssessmentAttempt,
    question_id: int,
    response: Mapping[str, Any],
    signals: Mapping[str, Any] | None = None,
) -> AssessmentAnswer:
    """Autosave one answer with its integrity signals (cumulative counts sent by the page).

    Counts only grow: a page reload that starts again from zero never erases what was recorded.
    """
    now = lock_open(attempt)
    answer = store_answer(attempt, question_of(attempt, question_id), response, signals, now)
    db.session.commit()
    return answer


def store_answer(
    attempt: AssessmentAttempt,
    question: AssessmentQuestion,
    response: Mapping[str, Any],
    signals: Mapping[str, Any] | None,
    now: datetime,
) -> AssessmentAnswer:
    """Write one answer of an attempt locked and checked by :func:`lock_open`; the caller commits."""
    clean = _clean_response(attempt, question, response)
    answer = _answer_for(attempt, question)
    answer.response = clean
    answer.saved_at = now
    signals = signals or {}
    answer.paste_count = max(answer.paste_count or 0, _signal(signals, "paste_count"))
    answer.pasted_chars = max(answer.pasted_chars or 0, _signal(signals, "pasted_chars"))
    answer.blur_count = max(answer.blur_count or 0, _signal(signals, "blur_count"))
    answer.time_spent_seconds = max(
        answer.time_spent_seconds or 0, _signal(signals, "time_spent_seconds", MAX_TIME_SPENT_SECONDS)
    )
    return answer


def submit_attempt(attempt: AssessmentAttempt) -> AssessmentAttempt:
    """The candidate's Submit. After the deadline (and grace) the attempt is closed as of the deadline."""
    now = clock()
    _lock(attempt)
    if attempt.status == AttemptStatus.SUBMITTED:
        raise AssessmentClosed("This assessment has already been submitted. Thank you!")
    if attempt.invitation.revoked_at is not None:
        raise AssessmentClosed(REVOKED_MESSAGE)
    if now > attempt.deadline_at + grace():
        _close(attempt, SubmittedBy.DEADLINE, attempt.deadline_at)
    else:
        _close(attempt, SubmittedBy.CANDIDATE, now)
    _queue_scoring(attempt.id)
    db.session.commit()
    return attempt


def _close(attempt: AssessmentAttempt, by: SubmittedBy, at: datetime) -> None:
    for question in attempt.invitation.assessment.questions:
        _answer_for(attempt, question)  # an unanswered question is a scored zero, not a gap
    attempt.status = AttemptStatus.SUBMITTED
    attempt.submitted_by = by
    attempt.submitted_at = at
    attempt.scoring_status = ScoringStatus.PENDING
    record(
        None,
        "submit",
        "assessment_attempt",
        attempt.id,
        "candidate submitted the assessment" if by == SubmittedBy.CANDIDATE else "submitted at the deadline",
        candidate_id=attempt.invitation.application.candidate_id,
        opening_id=attempt.invitation.assessment.opening_id,
    )
    notify_assessment_submitted(attempt)


def _submit_if_overdue(attempt: AssessmentAttempt, now: datetime) -> bool:
    # A withdrawn link's attempt is abandoned, not submitted: the hiring team stopped it on purpose.
    if attempt.status != AttemptStatus.IN_PROGRESS or attempt.invitation.revoked_at is not None:
        return False
    if now <= attempt.deadline_at + grace():
        return False
    _lock(attempt)
    if attempt.status != AttemptStatus.IN_PROGRESS:  # closed meanwhile by a submit or another sweep
        return False
    _close(attempt, SubmittedBy.DEADLINE, attempt.deadline_at)
    _queue_scoring(attempt.id)
    db.session.commit()
    return True


def submit_overdue_attempts() -> list[int]:
    """Submit every attempt still open after its deadline and grace; returns their ids. Idempotent."""
    now = clock()
    stmt = (
        select(AssessmentAttempt)
        .join(AssessmentInvitation, AssessmentInvitation.id == AssessmentAttempt.invitation_id)
        .where(
            AssessmentAttempt.status == AttemptStatus.IN_PROGRESS,
            AssessmentAttempt.deadline_at < now - grace(),
            AssessmentInvitation.revoked_at.is_(None),
        )
        .options(
            selectinload(AssessmentAttempt.answers),
            joinedload(AssessmentAttempt.invitation).joinedload(AssessmentInvitation.assessment),
            joinedload(AssessmentAttempt.invitation).joinedload(AssessmentInvitation.application),
        )
        .order_by(AssessmentAttempt.id)
    )
    closed: list[int] = []
    for attempt in db.session.execute(stmt).scalars().unique():
        if _submit_if_overdue(attempt, now):
            closed.append(attempt.id)
    return closed


def _queue_scoring(attempt_id: int) -> None:
    from hirewise.tasks import enqueue
    from hirewise.tasks.assessments import score_attempt

    enqueue(score_attempt, attempt_id)
