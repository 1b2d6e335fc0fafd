"""Six months of plausible hiring history for ``flask demo-data``, so every report shows something
on a fresh ``make run``: applications with their stage history (entered, left, rejection reasons),
interviews with feedback (most on time, some late, a few missing) and scored assessment attempts.

Idempotent (nothing is added when the history's candidates exist) and fast: rows are written with
a few multi-row INSERTs, not one ORM object at a time. Only demo data uses this shortcut; the app
itself always goes through the services, which also write the audit log.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from hirewise.assessments.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentQuestion,
    AttemptStatus,
    ScoringStatus,
    SubmittedBy,
)
from hirewise.assessments.totals import store_totals
from hirewise.auth.models import User
from hirewise.candidates.models import Application, ApplicationSource, Candidate, StageMove
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.feedback.models import Feedback, FeedbackStatus, Recommendation
from hirewise.interviews.models import Interview, InterviewStatus, interview_interviewers
from hirewise.openings.models import Opening, StageKind

HISTORY_EMAIL_DOMAIN = "history.example.com"
HISTORY_DAYS = 182
PER_OPENING = 90
STALLED_SHARE = 0.06

FIRST = (
    "Alex",
    "Bea",
    "Cem",
    "Dana",
    "Eli",
    "Femi",
    "Gia",
    "Hugo",
    "Ida",
    "Jay",
    "Kira",
    "Lou",
    "Mina",
    "Nico",
)
LAST = (
    "Andersen",
    "Bakker",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Horvat",
    "Ivanova",
    "Jensen",
)
# (share who move on, days in the stage: low, high) per active stage, in pipeline order.
FLOW = {
    "Applied": (0.6, 0.5, 5.0),
    "Screen": (0.6, 1.0, 8.0),
    "Assessment": (0.65, 1.0, 6.0),
    "Interview": (0.45, 3.0, 14.0),
    "Offer": (0.8, 1.0, 7.0),
}
REASONS = {
    "Applied": ("Not enough Flask experience yet", "Location does not fit", "Duplicate application"),
    "Screen": ("Salary expectations too far apart", "Withdrew", "Not enough Flask experience yet"),
    "Assessment": ("Assessment below the bar", "Did not complete the assessment"),
    "Interview": ("Must-have skills not shown", "Withdrew", "Another candidate was a better fit"),
    "Offer": ("Declined the offer",),
}
SOURCES = (
    (ApplicationSource.CAREERS, 0.5),
    (ApplicationSource.REFERRAL, 0.2),
    (ApplicationSource.SOURCED, 0.2),
    (ApplicationSource.OTHER, 0.1),
)


@dataclass
class _Path:
    """One application's simulated history: [(stage id, entered at)], ending where it is now."""

    applied_at: datetime
    source: ApplicationSource
    steps: list[tuple[int, datetime]] = field(default_factory=list)
    reason: str = ""


def _simulate(rng: random.Random, opening: Opening, now: datetime) -> _Path:
    stages = sorted(opening.stages, key=lambda stage: stage.position)
    active = [stage for stage in stages if stage.kind == StageKind.ACTIVE]
    hired = next(stage for stage in stages if stage.kind == StageKind.HIRED)
    rejected = next(stage for stage in stages if stage.kind == StageKind.REJECTED)
    applied_at = now - timedelta(days=rng.uniform(0, HISTORY_DAYS), hours=rng.uniform(0, 10))
    source = rng.choices([s for s, _ in SOURCES], weights=[w for _, w in SOURCES])[0]
    path = _Path(applied_at, source, [(active[0].id, applied_at)])
    at = applied_at
    for index, stage in enumerate(active):
        share, low, high = FLOW.get(stage.name, (0.6, 1.0, 7.0))
        at = at + timedelta(days=rng.uniform(low, high))
        if at >= now or rng.random() < STALLED_SHARE:
            return path  # still in this stage (some forgotten there: the speed report's stuck list)
        if rng.random() < share:
            following = active[index + 1] if index + 1 < len(active) else hired
            path.steps.append((following.id, at))
            if following is hired:
                return path
        else:
            path.reason = rng.choice(REASONS.get(stage.name, ("Not a fit",)))
            path.steps.append((rejected.id, at))
            return path
    return path


def _ids_by(column: Any, key: Any, values: list[Any]) -> dict[Any, int]:
    return dict(db.session.execute(select(key, column).where(key.in_(values))).all())


def ensure_report_history(openings: list[Opening], people: list[User], now: datetime | None = None) -> int:
    """Add the history to ``openings`` once; ``people`` sit on interview panels. Returns applications added."""
    marker = select(Candidate.id).where(Candidate.email.like(f"%@{HISTORY_EMAIL_DOMAIN}")).limit(1)
    if db.session.execute(marker).first() is not None or not openings:
        return 0
    now = now or utcnow()
    rng = random.Random(1606)  # noqa: S311 - demo data, reproducible on purpose
    paths: list[tuple[Opening, str, _Path]] = []
    for opening in openings:
        for index in range(PER_OPENING):
            email = f"{FIRST[index % len(FIRST)].lower()}.{LAST[(index * 3) % len(LAST)].lower()}.{opening.id}.{index}@{HISTORY_EMAIL_DOMAIN}"
            paths.append((opening, email, _simulate(rng, opening, now)))
    db.session.execute(
        insert(Candidate),
        [
            {
                "full_name": " ".join(part.capitalize() for part in email.split("@")[0].split(".")[:2]),
                "email": email,
                "consent_at": path.applied_at,
                "retain_until": path.applied_at + timedelta(days=365),
            }
            for _, email, path in paths
        ],
    )
    candidate_ids = _ids_by(Candidate.id, Candidate.email, [email for _, email, _ in paths])
    db.session.execute(
        insert(Application),
        [
            {
                "candidate_id": candidate_ids[email],
                "opening_id": opening.id,
                "stage_id": path.steps[-1][0],
                "source": path.source,
                "applied_at": path.applied_at,
                "stage_entered_at": path.steps[-1][1],
                "rejection_reason": path.reason,
            }
            for opening, email, path in paths
        ],
    )
    application_ids = _ids_by(Application.id, Application.candidate_id, list(candidate_ids.values()))
    moves = []
    for _, email, path in paths:
        application_id = application_ids[candidate_ids[email]]
        for index, (stage_id, entered) in enumerate(path.steps):
            last = index + 1 == len(path.steps)
            moves.append(
                {
                    "application_id": application_id,
                    "from_stage_id": path.steps[index - 1][0] if index else None,
                    "to_stage_id": stage_id,
                    "moved_by_id": None,
                    "moved_at": entered,
                    "left_at": None if last else path.steps[index + 1][1],
                    "reason": path.reason if last and path.reason else "",
                }
            )
    db.session.execute(insert(StageMove), moves)
    reached = {application_ids[candidate_ids[email]]: (opening, path) for opening, email, path in paths}
    _add_interviews(rng, reached, people, now)
    _add_assessments(rng, reached, now)
    db.session.commit()
    return len(paths)


def _entered(opening: Opening, path: _Path, name: str) -> datetime | None:
    stage_ids = {stage.id for stage in opening.stages if stage.name == name}
    return next((at for stage_id, at in path.steps if stage_id in stage_ids), None)


def _add_interviews(
    rng: random.Random, reached: dict[int, tuple[Opening, _Path]], people: list[User], now: datetime
) -> None:
    planned = []
    for application_id, (opening, path) in reached.items():
        entered = _entered(opening, path, "Interview")
        if entered is None:
            continue
        day = (entered + timedelta(days=rng.randint(1, 3))).replace(
            hour=rng.choice((9, 11, 14, 16)), minute=0, second=0, microsecond=0
        )
        panel = rng.sample(people, k=min(len(people), rng.choice((1, 2, 2))))
        planned.append((application_id, day, panel))
    if not planned:
        return
    db.session.execute(
        insert(Interview),
        [
            {
                "application_id": application_id,
                "title": "Technical interview",
                "starts_at": starts_at,
                "duration_minutes": 60,
                "status": InterviewStatus.SCHEDULED,
                "calendar_uid": f"history-{application_id}@hirewise.demo",
            }
            for application_id, starts_at, _ in planned
        ],
    )
    interview_ids = _ids_by(
        Interview.id, Interview.application_id, [application_id for application_id, _, _ in planned]
    )
    db.session.execute(
        insert(interview_interviewers),
        [
            {"interview_id": interview_ids[application_id], "user_id": person.id}
            for application_id, _, panel in planned
            for person in panel
        ],
    )
    feedback = []
    for application_id, starts_at, panel in planned:
        for person in panel:
            ended = starts_at + timedelta(hours=1)
            if ended > now or rng.random() < 0.08:
                continue  # not written yet (or never: the report counts it as missing)
            submitted = ended + timedelta(hours=rng.choice((1, 2, 4, 6, 20, 30, 50)))
            if submitted > now:
                continue
            feedback.append(
                {
                    "interview_id": interview_ids[application_id],
                    "interviewer_id": person.id,
                    "application_id": application_id,
                    "status": FeedbackStatus.SUBMITTED,
                    "recommendation": rng.choice(list(Recommendation)),
                    "summary": "Demo history: feedback written after the interview.",
                    "submitted_at": submitted,
                }
            )
    if feedback:
        db.session.execute(insert(Feedback), feedback)


def _add_assessments(rng: random.Random, reached: dict[int, tuple[Opening, _Path]], now: datetime) -> None:
    opening_ids = list({opening.id for opening, _ in reached.values()})
    assessment_of = dict(
        db.session.execute(
            select(Assessment.opening_id, Assessment.id).where(Assessment.opening_id.in_(opening_ids))
        ).all()
    )
    questions: dict[int, list[tuple[int, int]]] = {}
    for assessment_id, question_id, points in db.session.execute(
        select(AssessmentQuestion.assessment_id, AssessmentQuestion.id, AssessmentQuestion.points).where(
            AssessmentQuestion.assessment_id.in_(list(assessment_of.values()) or [-1])
        )
    ):
        questions.setdefault(assessment_id, []).append((question_id, points))
    invited = []
    for application_id, (opening, path) in reached.items():
        entered = _entered(opening, path, "Assessment")
        if entered is None or opening.id not in assessment_of:
            continue
        invited.append((application_id, assessment_of[opening.id], entered))
    if not invited:
        return
    db.session.execute(
        insert(AssessmentInvitation),
        [
            {
                "assessment_id": assessment_id,
                "application_id": application_id,
                "token_hash": hashlib.sha256(f"demo-history-{application_id}".encode()).hexdigest(),
                "expires_at": entered + timedelta(days=7),
            }
            for application_id, assessment_id, entered in invited
        ],
    )
    invitation_ids = _ids_by(
        AssessmentInvitation.id, AssessmentInvitation.application_id, [row[0] for row in invited]
    )
    taken = []
    for application_id, assessment_id, entered in invited:
        started = entered + timedelta(hours=rng.uniform(2, 48))
        if rng.random() < 0.15 or started + timedelta(hours=1) > now:
            continue  # invited, never started
        ability = rng.betavariate(4, 2.5)
        taken.append((invitation_ids[application_id], assessment_id, started, rng.uniform(12, 45), ability))
    if not taken:
        return
    db.session.execute(
        insert(AssessmentAttempt),
        [
            {
                "invitation_id": invitation_id,
                "status": AttemptStatus.SUBMITTED,
                "started_at": started,
                "deadline_at": started + timedelta(minutes=45),
                "submitted_at": started + timedelta(minutes=minutes),
                "submitted_by": SubmittedBy.CANDIDATE,
                "scoring_status": ScoringStatus.SCORED,
                "scored_at": started + timedelta(minutes=minutes + 1),
            }
            for invitation_id, _, started, minutes, _ in taken
        ],
    )
    attempt_ids = _ids_by(AssessmentAttempt.id, AssessmentAttempt.invitation_id, [row[0] for row in taken])
    answers = []
    for invitation_id, assessment_id, started, minutes, ability in taken:
        per_question = minutes * 60 / max(1, len(questions.get(assessment_id, [])))
        for question_id, points in questions.get(assessment_id, []):
            share = min(1.0, max(0.0, rng.gauss(ability, 0.2)))
            answers.append(
                {
                    "attempt_id": attempt_ids[invitation_id],
                    "question_id": question_id,
                    "response": {"text": "Demo history answer"},
                    "saved_at": started + timedelta(minutes=minutes),
                    "time_spent_seconds": int(per_question),
                    "auto_points": round(share * points, 1),
                    "max_points": float(points),
                    "scorer": "demo",
                    "scored_at": started + timedelta(minutes=minutes + 1),
                }
            )
    if answers:
        db.session.execute(insert(AssessmentAnswer), answers)
        store_totals(list(attempt_ids.values()))
