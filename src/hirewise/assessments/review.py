"""Results of submitted attempts and their review: totals, per-skill results, overrides, re-scoring.

Automatic scoring itself is in ``scoring.py``; these use cases are the reviewers' side of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from hirewise.assessments.building import max_points, require_manage
from hirewise.assessments.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentQuestion,
    AttemptStatus,
    ScoringStatus,
)
from hirewise.assessments.totals import shown_percent, store_total, total_of
from hirewise.audit.services import record
from hirewise.auth.models import User
from hirewise.candidates.models import Application
from hirewise.db import use_case, utcnow
from hirewise.errors import Conflict, NotFound, PermissionDenied
from hirewise.extensions import db
from hirewise.interviews.validation import FieldErrors
from hirewise.openings.models import Opening, OpeningSkill
from hirewise.security import can_review_assessment

# Shown with every answer's integrity signals, on the review page and in the API.
SIGNALS_NOTE = (
    "Signals only, not verdicts: pastes, window switches, time spent and similarity to other "
    "candidates' answers have innocent explanations (an answer drafted elsewhere, a second monitor, "
    "a common idiom). Weigh them with the answers themselves, and ask the candidate before concluding."
)


@dataclass(frozen=True)
class AttemptTotals:
    points: float
    max_points: float
    percent: float
    passed: bool
    pending: int  # answers not scored yet
    overridden: int


def attempt_totals(attempt: AssessmentAttempt) -> AttemptTotals:
    answers = attempt.answers
    scored, answered_maximum = total_of(answers)
    points = scored or 0.0
    maximum = answered_maximum or float(max_points(attempt.invitation.assessment))
    percent = shown_percent(points, maximum)
    return AttemptTotals(
        points=points,  # to hundredths, as total_of adds them up
        max_points=maximum,
        percent=percent,
        passed=percent >= attempt.invitation.assessment.pass_mark_percent,
        pending=sum(1 for answer in answers if answer.final_points is None),
        overridden=sum(1 for answer in answers if answer.override_points is not None),
    )


def submitted_attempts(application: Application) -> list[AssessmentAttempt]:
    """Every submitted attempt of the application, oldest first, with answers and questions loaded."""
    stmt = (
        select(AssessmentAttempt)
        .join(AssessmentInvitation, AssessmentInvitation.id == AssessmentAttempt.invitation_id)
        .where(
            AssessmentInvitation.application_id == application.id,
            AssessmentAttempt.status == AttemptStatus.SUBMITTED,
        )
        .options(
            joinedload(AssessmentAttempt.invitation)
            .joinedload(AssessmentInvitation.assessment)
            .selectinload(Assessment.questions),
            selectinload(AssessmentAttempt.answers).joinedload(AssessmentAnswer.question),
        )
        .order_by(AssessmentAttempt.submitted_at, AssessmentAttempt.id)
    )
    return list(db.session.execute(stmt).unique().scalars())


def application_attempts(application: Application) -> list[AssessmentAttempt]:
    """Every attempt of the application, at any assessment of its opening, submitted or not, retakes
    included: oldest first, with what their totals and retake marks need loaded."""
    invitation = joinedload(AssessmentAttempt.invitation)
    stmt = (
        select(AssessmentAttempt)
        .join(AssessmentInvitation, AssessmentInvitation.id == AssessmentAttempt.invitation_id)
        .where(AssessmentInvitation.application_id == application.id)
        .options(
            invitation.joinedload(AssessmentInvitation.assessment).selectinload(Assessment.questions),
            invitation.joinedload(AssessmentInvitation.retake_of).joinedload(AssessmentInvitation.attempt),
            selectinload(AssessmentAttempt.answers).joinedload(AssessmentAnswer.question),
        )
        .order_by(AssessmentAttempt.started_at, AssessmentAttempt.id)
    )
    return list(db.session.execute(stmt).unique().scalars())


def retake_of_attempt_id(attempt: AssessmentAttempt) -> int | None:
    """The attempt a retake repeats (None for a first attempt, or when that one was deleted)."""
    earlier = attempt.invitation.retake_of
    return earlier.attempt.id if earlier is not None and earlier.attempt is not None else None


def get_attempt_for_review(user: User, attempt_id: int) -> AssessmentAttempt:
    stmt = (
        select(AssessmentAttempt)
        .where(AssessmentAttempt.id == attempt_id)
        .options(
            joinedload(AssessmentAttempt.invitation).joinedload(AssessmentInvitation.assessment),
            joinedload(AssessmentAttempt.invitation)
            .joinedload(AssessmentInvitation.application)
            .joinedload(Application.candidate),
            selectinload(AssessmentAttempt.answers)
            .joinedload(AssessmentAnswer.question)
            .joinedload(AssessmentQuestion.skill),
            selectinload(AssessmentAttempt.answers).joinedload(AssessmentAnswer.overridden_by),
        )
    )
    attempt = db.session.execute(stmt).scalar_one_or_none()
    if attempt is None or not can_review_assessment(user, attempt.invitation.application):
        raise NotFound("No such attempt.")
    return attempt


def answers_in_question_order(attempt: AssessmentAttempt) -> list[AssessmentAnswer]:
    order = {question.id: question.position for question in attempt.invitation.assessment.questions}
    return sorted(attempt.answers, key=lambda answer: (order.get(answer.question_id, 0), answer.id))


@use_case
def override_score(actor: User, answer: AssessmentAnswer, points: Any, reason: Any) -> AssessmentAnswer:
    """A reviewer's score replaces the automatic one in totals; both stay visible, and the change is audited."""
    application = answer.attempt.invitation.application
    if not can_review_assessment(actor, application):
        raise PermissionDenied("You are not allowed to review this assessment.")
    if answer.attempt.status != AttemptStatus.SUBMITTED:
        raise Conflict("The candidate has not submitted this assessment yet.")
    errors = FieldErrors()
    try:
        value = float(points)
    except (TypeError, ValueError):
        value = -1.0
    if not 0.0 <= value <= answer.max_points:
        errors.add("points", f"The score must be a number from 0 to {answer.max_points:g}.")
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        errors.add("reason", "Say why you change the score; the reason is kept with it.")
    elif len(text) > 2_000:
        errors.add("reason", "The reason must be at most 2,000 characters.")
    errors.raise_if_any()
    before = {"override_points": answer.override_points, "override_reason": answer.override_reason}
    answer.override_points = round(value, 2)
    answer.override_reason = text
    answer.overridden_by_id = actor.id
    answer.overridden_at = utcnow()
    store_total(answer.attempt)
    record(
        actor,
        "override",
        "assessment_answer",
        answer.id,
        f"set the score of a {str(answer.question.kind).replace('_', ' ')} answer to {value:g}/"
        f"{answer.max_points:g} (automatic {answer.auto_points if answer.auto_points is not None else '—'})",
        before=before,
        after={
            "override_points": answer.override_points,
            "override_reason": text,
            "auto_points": answer.auto_points,
        },
        candidate_id=application.candidate_id,
        opening_id=application.opening_id,
    )
    db.session.commit()
    return answer


@use_case
def clear_override(actor: User, answer: AssessmentAnswer) -> AssessmentAnswer:
    application = answer.attempt.invitation.application
    if not can_review_assessment(actor, application):
        raise PermissionDenied("You are not allowed to review this assessment.")
    if answer.override_points is not None:
        record(
            actor,
            "clear_override",
            "assessment_answer",
            answer.id,
            "returned an answer to its automatic score",
            before={"override_points": answer.override_points, "override_reason": answer.override_reason},
            candidate_id=application.candidate_id,
            opening_id=application.opening_id,
        )
        answer.override_points = None
        answer.override_reason = ""
        answer.overridden_by_id = None
        answer.overridden_at = None
        store_total(answer.attempt)
        db.session.commit()
    return answer


def attempts_to_rescore(question: AssessmentQuestion) -> list[int]:
    stmt = (
        select(AssessmentAnswer.attempt_id)
        .where(
            AssessmentAnswer.question_id == question.id,
            AssessmentAnswer.rubric_version.is_not(None),
            AssessmentAnswer.rubric_version < question.rubric_version,
        )
        .distinct()
    )
    return [int(attempt_id) for attempt_id in db.session.execute(stmt).scalars()]


@use_case
def request_rescore(actor: User, assessment: Assessment, attempt_ids: Iterable[int] | None = None) -> int:
    """Queue automatic scoring again for the given attempts (default: every submitted one). Returns how many."""
    require_manage(actor, assessment.opening)
    stmt = (
        select(AssessmentAttempt.id)
        .join(AssessmentInvitation, AssessmentInvitation.id == AssessmentAttempt.invitation_id)
        .where(
            AssessmentInvitation.assessment_id == assessment.id,
            AssessmentAttempt.status == AttemptStatus.SUBMITTED,
        )
    )
    if attempt_ids is not None:
        stmt = stmt.where(AssessmentAttempt.id.in_(list(attempt_ids)))
    ids = [int(i) for i in db.session.execute(stmt).scalars()]
    if not ids:
        return 0
    for attempt in db.session.execute(
        select(AssessmentAttempt).where(AssessmentAttempt.id.in_(ids))
    ).scalars():
        attempt.scoring_status = ScoringStatus.PENDING
    record(
        actor,
        "rescore",
        "assessment",
        assessment.id,
        f"re-scoring {len(ids)} attempt(s) of {assessment.title}",
        opening_id=assessment.opening_id,
    )
    from hirewise.tasks import enqueue
    from hirewise.tasks.assessments import score_attempt

    for attempt_id in ids:
        enqueue(score_attempt, attempt_id)
    db.session.commit()
    return len(ids)


def skill_results(attempt: AssessmentAttempt) -> dict[int, tuple[float, float]]:
    """``{skill_id: (points, max_points)}`` over the scored answers of questions tied to a skill."""
    results: dict[int, tuple[float, float]] = {}
    for answer in attempt.answers:
        skill_id = answer.question.skill_id
        if skill_id is None or answer.final_points is None or not answer.max_points:
            continue
        got, maximum = results.get(skill_id, (0.0, 0.0))
        results[skill_id] = (got + answer.final_points, maximum + answer.max_points)
    return results


def skill_names(opening: Opening) -> dict[int, str]:
    return {skill.id: skill.name for skill in opening.skills}


def opening_skill(opening: Opening, skill_id: int) -> OpeningSkill | None:
    return next((skill for skill in opening.skills if skill.id == skill_id), None)
