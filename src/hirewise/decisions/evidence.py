"""Loading the scoring inputs (scorecard and evidence) from the database, for many applications at once.

Each evidence source is one function that loads its evidence for a list of applications in a single
statement; ``evidence_for_applications`` merges every source into one dict, so the number of
statements depends on the number of sources, never on the number of applications: interview
ratings and assessment results, one skill matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import func, select

from hirewise.assessments.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentQuestion,
    AttemptStatus,
)
from hirewise.auth.models import User
from hirewise.extensions import db
from hirewise.feedback.models import Feedback, FeedbackRating, FeedbackStatus
from hirewise.openings.models import Opening
from hirewise.scoring import Evidence, SkillSpec

EvidenceLoader = Callable[[Sequence[int]], dict[int, list[Evidence]]]


def skill_specs(opening: Opening) -> list[SkillSpec]:
    """The opening's scorecard as the scoring module reads it, in scorecard order."""
    return [SkillSpec.of(skill) for skill in sorted(opening.skills, key=lambda s: (s.position, s.id))]


def interview_evidence(application_ids: Sequence[int]) -> dict[int, list[Evidence]]:
    """Every rating of submitted feedback (drafts and "not assessed" are not evidence), one statement."""
    found: dict[int, list[Evidence]] = {}
    if not application_ids:
        return found
    stmt = (
        select(
            Feedback.application_id, Feedback.id, User.email, FeedbackRating.skill_id, FeedbackRating.rating
        )
        .join(FeedbackRating, FeedbackRating.feedback_id == Feedback.id)
        .join(User, User.id == Feedback.interviewer_id)
        .where(
            Feedback.application_id.in_(list(application_ids)),
            Feedback.status == FeedbackStatus.SUBMITTED,
            FeedbackRating.rating.is_not(None),
            FeedbackRating.skill_id.is_not(None),
        )
        .order_by(Feedback.application_id, Feedback.id, FeedbackRating.id)
    )
    for application_id, feedback_id, email, skill_id, rating in db.session.execute(stmt):
        if skill_id is None or rating is None:  # excluded in SQL; narrows the types
            continue
        found.setdefault(application_id, []).append(
            Evidence.from_rating(skill_id, rating, author=email, reference=f"feedback:{feedback_id}")
        )
    return found


def assessment_evidence(application_ids: Sequence[int]) -> dict[int, list[Evidence]]:
    """Per skill of each submitted attempt: its share of the points (overrides counted), one statement.

    Unscored answers are left out rather than counted as zero, like an interviewer's "not assessed".
    """
    found: dict[int, list[Evidence]] = {}
    if not application_ids:
        return found
    final_points = func.coalesce(AssessmentAnswer.override_points, AssessmentAnswer.auto_points)
    stmt = (
        select(
            AssessmentInvitation.application_id,
            AssessmentAttempt.id,
            Assessment.title,
            AssessmentQuestion.skill_id,
            func.sum(final_points),
            func.sum(AssessmentAnswer.max_points),
        )
        .join(AssessmentAttempt, AssessmentAttempt.invitation_id == AssessmentInvitation.id)
        .join(Assessment, Assessment.id == AssessmentInvitation.assessment_id)
        .join(AssessmentAnswer, AssessmentAnswer.attempt_id == AssessmentAttempt.id)
        .join(AssessmentQuestion, AssessmentQuestion.id == AssessmentAnswer.question_id)
        .where(
            AssessmentInvitation.application_id.in_(list(application_ids)),
            AssessmentAttempt.status == AttemptStatus.SUBMITTED,
            AssessmentQuestion.skill_id.is_not(None),
            final_points.is_not(None),
            AssessmentAnswer.max_points > 0,
        )
        .group_by(
            AssessmentInvitation.application_id,
            AssessmentAttempt.id,
            Assessment.title,
            AssessmentQuestion.skill_id,
        )
        .order_by(AssessmentInvitation.application_id, AssessmentAttempt.id, AssessmentQuestion.skill_id)
    )
    for application_id, attempt_id, title, skill_id, points, maximum in db.session.execute(stmt):
        if skill_id is None or not maximum:
            continue
        fraction = min(1.0, max(0.0, float(points or 0.0) / float(maximum)))
        found.setdefault(application_id, []).append(
            Evidence.from_assessment(skill_id, fraction, author=title, reference=f"attempt:{attempt_id}")
        )
    return found


EVIDENCE_SOURCES: tuple[EvidenceLoader, ...] = (interview_evidence, assessment_evidence)


def evidence_for_applications(application_ids: Sequence[int]) -> dict[int, list[Evidence]]:
    """``{application_id: [Evidence, ...]}`` for every id given (empty list without evidence)."""
    ids = list(dict.fromkeys(int(i) for i in application_ids))
    merged: dict[int, list[Evidence]] = {application_id: [] for application_id in ids}
    for load in EVIDENCE_SOURCES:
        for application_id, items in load(ids).items():
            merged[application_id].extend(items)
    return merged
