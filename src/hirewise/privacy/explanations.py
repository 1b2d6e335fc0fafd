"""What a candidate is told about each automatically scored answer (GDPR article 22).

Built from the explanation the scorer stored with the score (``AssessmentAnswer.explanation``): the
key points of the expected answer the candidate covered, partly covered or missed, the tests their
code passed, the rule that turned them into points, and whether a person has reviewed the score.
Hidden tests stay hidden (the scorer never stores their inputs), and the correct options of a
multiple-choice question are not revealed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hirewise.assessments.models import (
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AttemptStatus,
)
from hirewise.candidates.models import Application, Candidate
from hirewise.extensions import db
from hirewise.privacy.models import ScoreReviewRequest, review_request_still_open

HUMAN_REVIEW_NOTICE = (
    "Answers are scored automatically first; a person on the hiring team reviews the scores, can change "
    "them, and no decision is made on an automatic score alone. You may ask for a person to review any score."
)


def _key_points(explanation: dict[str, Any]) -> list[dict[str, Any]]:
    points = explanation.get("key_points")
    if not isinstance(points, list):
        return []
    return [
        {"key_point": str(point.get("key_point", "")), "status": str(point.get("status", ""))}
        for point in points
        if isinstance(point, dict)
    ]


def _rationale(answer: AssessmentAnswer, explanation: dict[str, Any]) -> str:
    """The scorer's rationale, except for a multiple-choice question, whose rationale names the
    correct options: the candidate is told whether their choice was right, not the answer key."""
    if explanation.get("kind") != "multiple_choice":
        return str(explanation.get("rationale", ""))
    if answer.auto_points is None:
        return ""
    if answer.auto_points >= answer.max_points:
        return "Your choice was correct."
    if answer.auto_points > 0:
        return "Your choice was partly correct."
    return "Your choice was not correct."


def explain_answer(answer: AssessmentAnswer) -> dict[str, Any]:
    explanation = dict(answer.explanation or {})
    key_points = _key_points(explanation)
    return {
        "answer_id": answer.id,
        "question": answer.question.prompt,
        "kind": str(answer.question.kind),
        "response": dict(answer.response or {}),
        "automatic_points": answer.auto_points,
        "final_points": answer.final_points,
        "max_points": answer.max_points,
        "reviewed_by_person": answer.override_points is not None,
        "scorer": answer.scorer,
        "rationale": _rationale(answer, explanation),
        "rule": str(explanation.get("rule", "")),
        "key_points_covered": [p["key_point"] for p in key_points if p["status"] == "covered"],
        "key_points_partly_covered": [p["key_point"] for p in key_points if p["status"] == "partly"],
        "key_points_missed": [p["key_point"] for p in key_points if p["status"] == "missed"],
        "tests_passed": explanation.get("passed"),
        "tests_total": explanation.get("total"),
    }


def submitted_attempts(candidate: Candidate) -> list[AssessmentAttempt]:
    stmt = (
        select(AssessmentAttempt)
        .join(AssessmentAttempt.invitation)
        .join(AssessmentInvitation.application)
        .where(Application.candidate_id == candidate.id, AssessmentAttempt.status == AttemptStatus.SUBMITTED)
        .options(
            selectinload(AssessmentAttempt.answers).selectinload(AssessmentAnswer.question),
            selectinload(AssessmentAttempt.invitation).selectinload(AssessmentInvitation.assessment),
        )
        .order_by(AssessmentAttempt.submitted_at)
    )
    return list(db.session.execute(stmt).scalars().unique())


def explanations_for(candidate: Candidate) -> list[dict[str, Any]]:
    """Each submitted assessment of the candidate with its automatically scored answers explained."""
    requested = {  # still open: once a person has reviewed the score, the candidate may ask again
        answer_id
        for (answer_id,) in db.session.execute(
            select(ScoreReviewRequest.answer_id)
            .join(AssessmentAnswer, AssessmentAnswer.id == ScoreReviewRequest.answer_id)
            .where(ScoreReviewRequest.candidate_id == candidate.id, review_request_still_open())
        )
    }
    assessments = []
    for attempt in submitted_attempts(candidate):
        answers = []
        for answer in attempt.answers:
            if not answer.scorer:
                continue  # not scored (yet): nothing automatic to explain
            explained = explain_answer(answer)
            explained["human_review_requested"] = answer.id in requested
            answers.append(explained)
        assessments.append(
            {
                "attempt_id": attempt.id,
                "application_id": attempt.invitation.application_id,
                "assessment": attempt.invitation.assessment.title,
                "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
                "answers": answers,
            }
        )
    return assessments
