"""Debrief of one application, hiring decisions, and the ranking and comparison of an opening's applications.

Reads only submitted feedback. The ranking and the comparison issue a fixed number of statements
whatever the number of applications: applications with candidates and stages in one, evidence in
one, recommendation counts in one grouped statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from hirewise.assessments.services import attempt_totals, skill_results, submitted_attempts
from hirewise.audit.services import record
from hirewise.auth.models import User
from hirewise.candidates.fields import MAX_REASON, clean_text
from hirewise.candidates.gate import GateHold, is_advance, require_confirmation
from hirewise.candidates.models import Application
from hirewise.candidates.services import move_application, reject_application
from hirewise.db import use_case, utcnow
from hirewise.decisions.evidence import evidence_for_applications, skill_specs
from hirewise.errors import Conflict, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.feedback.models import (
    RATING_LABELS,
    Decision,
    DecisionKind,
    Feedback,
    FeedbackStatus,
    Recommendation,
)
from hirewise.interviews.models import Interview, InterviewStatus
from hirewise.interviews.services import ends_at
from hirewise.notifications.services import notify_decision_recorded
from hirewise.openings.models import Opening, Stage, StageKind
from hirewise.scoring import FitResult, SkillResult, assessment_to_rating, compute_fit, rank
from hirewise.security import can_decide

MIN_COMPARE = 2
MAX_COMPARE = 5
RANKING_SORTS = ("fit", "name", "stage")
# Best first, the order the debrief and the ranking show the counts in.
RECOMMENDATION_ORDER = (
    Recommendation.STRONG_YES,
    Recommendation.YES,
    Recommendation.NO,
    Recommendation.STRONG_NO,
)
RECOMMENDATION_LABELS = {
    Recommendation.STRONG_YES: "Strong yes",
    Recommendation.YES: "Yes",
    Recommendation.NO: "No",
    Recommendation.STRONG_NO: "Strong no",
}


# --- debrief ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One submitted feedback: an interviewer's scorecard of one interview."""

    feedback_id: int
    interviewer_name: str
    interviewer_email: str
    interview_title: str
    recommendation: str | None
    summary: str


@dataclass(frozen=True)
class Cell:
    rating: int | None
    label: str


@dataclass(frozen=True)
class AssessmentColumn:
    """One submitted assessment attempt, shown beside the interviewers' scorecards."""

    attempt_id: int
    title: str
    percent: float
    passed: bool
    pending: int  # answers without a score yet


@dataclass(frozen=True)
class AssessmentCell:
    points: float
    max_points: float
    rating: float  # the same 1..4 scale as interview ratings (see scoring.assessment_to_rating)


@dataclass(frozen=True)
class SkillRow:
    skill_id: int
    name: str
    kind: str
    weight: float
    pass_bar: float
    cells: list[Cell]  # one per column
    assessment_cells: list[AssessmentCell | None]  # one per assessment column; None: no question of the skill
    score: float | None
    passed: bool | None
    unassessed_must_have: bool


@dataclass(frozen=True)
class Coverage:
    covered: int
    total: int
    notes: str


@dataclass(frozen=True)
class QuestionRow:
    text: str
    cells: list[Coverage | None]  # one per column; None when that interviewer did not ask it


@dataclass(frozen=True)
class PendingScorecard:
    """An interviewer of a scheduled interview who has not submitted feedback on it."""

    interviewer_name: str
    interview_title: str
    starts_at: datetime
    upcoming: bool  # the interview has not ended yet: its feedback is not late


@dataclass(frozen=True)
class ScorecardProgress:
    submitted: int
    expected: int
    pending: list[PendingScorecard]

    @property
    def summary(self) -> str:
        """``1 of 2 scorecards submitted``."""
        return f"{self.submitted} of {self.expected} scorecard{'' if self.expected == 1 else 's'} submitted"


@dataclass(frozen=True)
class Debrief:
    application: Application
    columns: list[Column]
    assessment_columns: list[AssessmentColumn]
    skills: list[SkillRow]
    questions: list[QuestionRow]
    fit: FitResult
    recommendations: dict[str, int]
    decisions: list[Decision] = field(default_factory=list)
    scorecards: ScorecardProgress = field(default_factory=lambda: ScorecardProgress(0, 0, []))

    @property
    def unassessed_must_haves(self) -> list[str]:
        return [row.name for row in self.skills if row.unassessed_must_have]


def _empty_recommendations() -> dict[str, int]:
    return {str(kind): 0 for kind in RECOMMENDATION_ORDER}


def _submitted_feedback(application: Application) -> list[Feedback]:
    stmt = (
        select(Feedback)
        .where(Feedback.application_id == application.id, Feedback.status == FeedbackStatus.SUBMITTED)
        .options(
            joinedload(Feedback.interviewer),
            joinedload(Feedback.interview),
            selectinload(Feedback.ratings),
            selectinload(Feedback.answers),
        )
        .order_by(Feedback.submitted_at, Feedback.id)
    )
    return list(db.session.execute(stmt).unique().scalars())


def decisions_for(application: Application) -> list[Decision]:
    stmt = (
        select(Decision)
        .where(Decision.application_id == application.id)
        .options(joinedload(Decision.decided_by), joinedload(Decision.to_stage))
        .order_by(Decision.created_at.desc(), Decision.id.desc())
    )
    return list(db.session.execute(stmt).scalars())


def _scorecards(application: Application, feedbacks: list[Feedback]) -> ScorecardProgress:
    """Submitted feedback against what is expected: one scorecard per interviewer of each interview
    not cancelled (and any submitted on one cancelled since)."""
    stmt = (
        select(Interview)
        .where(Interview.application_id == application.id, Interview.status == InterviewStatus.SCHEDULED)
        .options(selectinload(Interview.interviewers))
        .order_by(Interview.starts_at, Interview.id)
    )
    submitted = {(feedback.interview_id, feedback.interviewer_id) for feedback in feedbacks}
    now = utcnow()
    pending = [
        PendingScorecard(user.full_name, interview.title, interview.starts_at, ends_at(interview) > now)
        for interview in db.session.execute(stmt).scalars()
        for user in interview.interviewers
        if (interview.id, user.id) not in submitted
    ]
    return ScorecardProgress(
        submitted=len(submitted), expected=len(submitted) + len(pending), pending=pending
    )


def _question_rows(feedbacks: list[Feedback]) -> list[QuestionRow]:
    order: list[Any] = []
    texts: dict[Any, str] = {}
    cells: dict[Any, list[Coverage | None]] = {}
    for index, feedback in enumerate(feedbacks):
        for answer in feedback.answers:
            # The scorecard lists every question of the interview kit; one left without notes or a
            # covered key point was not asked, which is not the same as a candidate covering nothing.
            asked = bool(answer.covered_key_points) or bool((answer.notes or "").strip())
            snapshot = answer.question_snapshot or {}
            text = str(snapshot.get("text", ""))
            key = answer.question_id if answer.question_id is not None else f"text:{text}"
            if key not in cells:
                order.append(key)
                texts[key] = text
                cells[key] = [None] * len(feedbacks)
            points = snapshot.get("key_points") or []
            covered = {
                i for i in answer.covered_key_points or [] if isinstance(i, int) and 0 <= i < len(points)
            }
            if asked:
                cells[key][index] = Coverage(covered=len(covered), total=len(points), notes=answer.notes)
    return [QuestionRow(text=texts[key], cells=cells[key]) for key in order]


def debrief(application: Application) -> Debrief:
    """Everything the hiring team weighs for one application, from submitted feedback only."""
    opening = application.opening
    feedbacks = _submitted_feedback(application)
    specs = skill_specs(opening)
    fit = compute_fit(specs, evidence_for_applications([application.id])[application.id])
    columns = [
        Column(
            feedback_id=feedback.id,
            interviewer_name=feedback.interviewer.full_name,
            interviewer_email=feedback.interviewer.email,
            interview_title=feedback.interview.title,
            recommendation=str(feedback.recommendation) if feedback.recommendation else None,
            summary=feedback.summary,
        )
        for feedback in feedbacks
    ]
    ratings = [{r.skill_id: r.rating for r in feedback.ratings} for feedback in feedbacks]
    attempts = submitted_attempts(application)
    assessment_columns = []
    per_attempt_skills = []
    for attempt in attempts:
        totals = attempt_totals(attempt)
        assessment_columns.append(
            AssessmentColumn(
                attempt_id=attempt.id,
                title=attempt.invitation.assessment.title,
                percent=totals.percent,
                passed=totals.passed,
                pending=totals.pending,
            )
        )
        per_attempt_skills.append(skill_results(attempt))
    rows = []
    for spec in specs:
        result = fit.skill(spec.skill_id)
        cells = []
        for by_skill in ratings:
            rating = by_skill.get(spec.skill_id)
            cells.append(
                Cell(rating, RATING_LABELS.get(rating, "Not assessed") if rating else "Not assessed")
            )
        assessment_cells: list[AssessmentCell | None] = []
        for by_skill_points in per_attempt_skills:
            got = by_skill_points.get(spec.skill_id)
            assessment_cells.append(
                AssessmentCell(round(got[0], 2), got[1], round(assessment_to_rating(got[0] / got[1]), 2))
                if got
                else None
            )
        rows.append(
            SkillRow(
                skill_id=spec.skill_id,
                name=spec.name,
                kind=spec.kind,
                weight=spec.weight,
                pass_bar=spec.pass_bar,
                cells=cells,
                assessment_cells=assessment_cells,
                score=result.score,
                passed=result.passed,
                unassessed_must_have=spec.skill_id in fit.unassessed_must_haves,
            )
        )
    counts = _empty_recommendations()
    for feedback in feedbacks:
        if feedback.recommendation:
            counts[str(feedback.recommendation)] = counts.get(str(feedback.recommendation), 0) + 1
    return Debrief(
        application=application,
        columns=columns,
        assessment_columns=assessment_columns,
        skills=rows,
        questions=_question_rows(feedbacks),
        fit=fit,
        recommendations=counts,
        decisions=decisions_for(application),
        scorecards=_scorecards(application, feedbacks),
    )


# --- decisions ----------------------------------------------------------------------------------


def _decision_kind(kind: str | DecisionKind) -> DecisionKind:
    try:
        return DecisionKind(kind)
    except ValueError:
        choices = ", ".join(member.value for member in DecisionKind)
        message = f"Choose a decision: {choices}."
        raise ValidationFailed(message, {"kind": [message]}) from None


def _target_stage(application: Application, kind: DecisionKind, to_stage_id: int | None) -> Stage:
    stages = sorted(application.opening.stages, key=lambda s: s.position)
    if kind == DecisionKind.HIRE:
        hired = next((stage for stage in stages if stage.kind == StageKind.HIRED), None)
        if hired is None:
            raise Conflict(f"The opening {application.opening.title!r} has no hired stage.")
        target = hired
    elif kind == DecisionKind.REJECT:
        rejected = next((stage for stage in stages if stage.kind == StageKind.REJECTED), None)
        if rejected is None:
            raise Conflict(f"The opening {application.opening.title!r} has no rejected stage.")
        target = rejected
    else:
        found = next((s for s in stages if s.id == to_stage_id and s.kind == StageKind.ACTIVE), None)
        if found is None:
            message = "Choose the stage to advance to (an active stage of this opening)."
            raise ValidationFailed(message, {"to_stage_id": [message]})
        target = found
    if target.id == application.stage_id:
        message = f"The application is already in {target.name}."
        raise Conflict(message, {"to_stage_id" if kind == DecisionKind.ADVANCE else "kind": [message]})
    return target


@use_case
def record_decision(
    actor: User,
    application: Application,
    *,
    kind: str | DecisionKind,
    reason: str,
    to_stage_id: int | None = None,
    confirm_gate: bool = False,
) -> Decision:
    """Record the decision with its reason and the fit it was made on, and move the application.
    Advancing or hiring past a failed or incomplete must-have gate needs ``confirm_gate`` (409
    otherwise); the decision's reason is the reason for going past it."""
    if not can_decide(actor, application):
        raise PermissionDenied("You cannot decide on this application.")
    decision_kind = _decision_kind(kind)
    cleaned = clean_text(reason, "reason", MAX_REASON)
    if not cleaned:
        message = "Give a reason for the decision."
        raise ValidationFailed(message, {"reason": [message]})
    target = _target_stage(application, decision_kind, to_stage_id)
    fit = compute_fit(
        skill_specs(application.opening), evidence_for_applications([application.id])[application.id]
    )
    held = fit.gate != "passed" and is_advance(application, target)
    holds = [GateHold(application, target, fit)] if held else []
    require_confirmation(holds, confirm_gate=confirm_gate, reason=cleaned)
    decision = Decision(
        application_id=application.id,
        decided_by_id=actor.id,
        kind=decision_kind,
        to_stage_id=target.id,
        reason=cleaned,
        fit_snapshot=fit.to_dict(),
    )
    db.session.add(decision)
    db.session.flush()
    record(
        actor,
        "decide",
        "decision",
        decision.id,
        f"decided to {decision_kind.value} {application.candidate.full_name} ({target.name}): {cleaned}",
        after={
            "kind": decision_kind.value,
            "stage": target.name,
            "reason": cleaned,
            "fit": fit.fit,
            "gate": fit.gate,
        },
        candidate_id=application.candidate_id,
        opening_id=application.opening_id,
    )
    notify_decision_recorded(actor, decision)
    # The stage move commits, and with it the decision and its audit event: one transaction.
    if decision_kind == DecisionKind.REJECT:
        reject_application(actor, application, cleaned)
    else:
        move_application(actor, application, target.id, cleaned, confirm_gate=confirm_gate)
    return decision


# --- ranking and comparison ---------------------------------------------------------------------


@dataclass(frozen=True)
class RankedApplication:
    position: int  # 1 = best by gate, then fit
    application: Application
    candidate_name: str
    stage_name: str
    stage_position: int
    fit: FitResult
    recommendations: dict[str, int]

    @property
    def application_id(self) -> int:
        return self.application.id


def _applications_of(opening: Opening, application_ids: Sequence[int] | None = None) -> list[Application]:
    stmt = (
        select(Application)
        .where(Application.opening_id == opening.id)
        .options(joinedload(Application.candidate), joinedload(Application.stage))
        .order_by(Application.id)
    )
    if application_ids is not None:
        stmt = stmt.where(Application.id.in_(list(application_ids)))
    return list(db.session.execute(stmt).scalars())


def recommendation_counts(application_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Submitted recommendations per application, in one grouped statement."""
    counts = {application_id: _empty_recommendations() for application_id in application_ids}
    if not counts:
        return counts
    stmt = (
        select(Feedback.application_id, Feedback.recommendation, func.count())
        .where(
            Feedback.application_id.in_(list(counts)),
            Feedback.status == FeedbackStatus.SUBMITTED,
            Feedback.recommendation.is_not(None),
        )
        .group_by(Feedback.application_id, Feedback.recommendation)
    )
    for application_id, recommendation, count in db.session.execute(stmt):
        counts[application_id][str(recommendation)] = count
    return counts


def _ranked(opening: Opening, applications: list[Application]) -> list[RankedApplication]:
    ids = [application.id for application in applications]
    specs = skill_specs(opening)
    evidence = evidence_for_applications(ids)
    recommendations = recommendation_counts(ids)
    fits = {application_id: compute_fit(specs, evidence[application_id]) for application_id in ids}
    by_id = {application.id: application for application in applications}
    return [
        RankedApplication(
            position=index,
            application=by_id[application_id],
            candidate_name=by_id[application_id].candidate.full_name,
            stage_name=by_id[application_id].stage.name,
            stage_position=by_id[application_id].stage.position,
            fit=fits[application_id],
            recommendations=recommendations[application_id],
        )
        for index, application_id in enumerate(rank(fits), start=1)
    ]


def ranking(opening: Opening, sort: str = "fit") -> list[RankedApplication]:
    """Every application of the opening with its fit; best first (gate, then fit) unless sorted otherwise."""
    rows = _ranked(opening, _applications_of(opening))
    if sort == "name":
        return sorted(rows, key=lambda row: (row.candidate_name.lower(), row.position))
    if sort == "stage":
        return sorted(rows, key=lambda row: (row.stage_position, row.position))
    return rows


@dataclass(frozen=True)
class ComparedSkill:
    skill_id: int
    name: str
    kind: str
    results: list[SkillResult]  # one per column


@dataclass(frozen=True)
class Comparison:
    opening: Opening
    columns: list[RankedApplication]  # in ranking order
    skills: list[ComparedSkill]


def _compare_ids(application_ids: Sequence[Any]) -> list[int]:
    try:
        ids = list(dict.fromkeys(int(i) for i in application_ids))
    except (TypeError, ValueError):
        message = "Application ids must be whole numbers."
        raise ValidationFailed(message, {"ids": [message]}) from None
    if not MIN_COMPARE <= len(ids) <= MAX_COMPARE:
        message = f"Choose {MIN_COMPARE} to {MAX_COMPARE} applications to compare."
        raise ValidationFailed(message, {"ids": [message]})
    return ids


def compare(opening: Opening, application_ids: Sequence[Any]) -> Comparison:
    """2 to 5 applications of the opening side by side: per-skill scores, gate, fit, recommendations."""
    ids = _compare_ids(application_ids)
    applications = _applications_of(opening, ids)
    missing = sorted(set(ids) - {application.id for application in applications})
    if missing:
        message = f"Not applications of this opening: {', '.join(map(str, missing))}."
        raise ValidationFailed(message, {"ids": [message]})
    columns = _ranked(opening, applications)
    skills = [
        ComparedSkill(
            spec.skill_id, spec.name, spec.kind, [column.fit.skill(spec.skill_id) for column in columns]
        )
        for spec in skill_specs(opening)
    ]
    return Comparison(opening=opening, columns=columns, skills=skills)
