"""A small hiring history whose report figures are computed by hand in tests/integration/test_reports*.py.

Day 0 is Monday 2026-06-01 00:00 UTC; "now" is day 30. Opening A (hiring team: the hiring manager)
and opening B (no hiring manager), default stages.

    a1 careers   A  Applied d0 → Screen d2 → Interview d5 → Offer d9 → Hired d10
    a2 referral  A  Applied d0 → Screen d4 → Rejected d8 ("Salary")
    a3 careers   A  Applied d1 → Rejected d2 ("No Flask")
    a4 sourced   A  Applied d3 (still there)
    b1 careers   B  Applied d0 → Screen d6 (still there)

Interviews: X1 for a1 on d5 10:00 (60 min) with I1 (feedback 2 h after the end: on time) and I2
(30 h after: late); X2 for b1 on d12 10:00 with I1 (no feedback: missing); X3 for a2, cancelled, with I2.

Assessment "Screening" of A (pass mark 60 %, two questions of 10 points): a1 scored 10 + 5 (75 %,
30 min), a2 scored 2 overridden to 4, + 3 (35 %, 50 min), a3 invited only, a4 started only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hirewise.assessments.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentQuestion,
    AttemptStatus,
    QuestionKind,
    ScoringStatus,
)
from hirewise.assessments.totals import store_total
from hirewise.auth.models import Role, User
from hirewise.candidates.models import Application, ApplicationSource, StageMove
from hirewise.extensions import db
from hirewise.feedback.models import Feedback, FeedbackStatus
from hirewise.interviews.models import Interview, InterviewStatus
from hirewise.openings.models import Opening
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory

DAY0 = datetime(2026, 6, 1, tzinfo=UTC)
NOW = DAY0 + timedelta(days=30)


def day(n: float) -> datetime:
    return DAY0 + timedelta(days=n)


@dataclass
class World:
    recruiter: User
    manager: User
    interviewer1: User
    interviewer2: User
    opening_a: Opening
    opening_b: Opening
    applications: dict[str, Application]


def with_history(
    opening: Opening, source: ApplicationSource, path: list[tuple[str, float]], reason: str = ""
) -> Application:
    """An application that went through ``path`` ([(stage name, day)]), its moves recorded as the app does."""
    stages = {stage.name: stage for stage in opening.stages}
    application = ApplicationFactory(
        opening=opening,
        source=source,
        stage=stages[path[-1][0]],
        applied_at=day(path[0][1]),
        stage_entered_at=day(path[-1][1]),
        rejection_reason=reason if path[-1][0] == "Rejected" else "",
    )
    previous = None
    for index, (name, when) in enumerate(path):
        left = day(path[index + 1][1]) if index + 1 < len(path) else None
        db.session.add(
            StageMove(
                application_id=application.id,
                from_stage_id=previous,
                to_stage_id=stages[name].id,
                moved_at=day(when),
                left_at=left,
                reason=reason if name == "Rejected" else "",
            )
        )
        previous = stages[name].id
    db.session.commit()
    return application


def _interview(
    application: Application, starts: datetime, people: list[User], uid: str, **fields: object
) -> Interview:
    interview = Interview(
        application_id=application.id, title="Technical", starts_at=starts, calendar_uid=uid, **fields
    )
    interview.interviewers.extend(people)
    db.session.add(interview)
    db.session.flush()
    return interview


def _feedback(interview: Interview, person: User, submitted: datetime) -> None:
    db.session.add(
        Feedback(
            interview_id=interview.id,
            interviewer_id=person.id,
            application_id=interview.application_id,
            status=FeedbackStatus.SUBMITTED,
            submitted_at=submitted,
        )
    )


def _attempt(
    invitation: AssessmentInvitation,
    questions: list[AssessmentQuestion],
    started: datetime,
    minutes: float | None,
    points: list[tuple[float, float | None]] | None = None,
) -> None:
    attempt = AssessmentAttempt(
        invitation_id=invitation.id,
        started_at=started,
        deadline_at=started + timedelta(hours=1),
        status=AttemptStatus.SUBMITTED if minutes is not None else AttemptStatus.IN_PROGRESS,
        submitted_at=started + timedelta(minutes=minutes) if minutes is not None else None,
        scoring_status=ScoringStatus.SCORED if points else ScoringStatus.PENDING,
    )
    db.session.add(attempt)
    db.session.flush()
    for question, (auto, override) in zip(questions, points or [], strict=False):
        db.session.add(
            AssessmentAnswer(
                attempt_id=attempt.id,
                question_id=question.id,
                auto_points=auto,
                override_points=override,
                max_points=float(question.points),
            )
        )
    db.session.flush()
    store_total(attempt)  # as automatic scoring and overrides keep it


def build_world() -> World:
    recruiter = UserFactory(role=Role.RECRUITER, full_name="Rita Recruiter")
    manager = UserFactory(role=Role.HIRING_MANAGER, full_name="Hank Manager")
    interviewer1 = UserFactory(role=Role.INTERVIEWER, full_name="Ivan One")
    interviewer2 = UserFactory(role=Role.INTERVIEWER, full_name="Iris Two")
    opening_a = OpeningFactory(title="Opening A", team=[manager])
    opening_b = OpeningFactory(title="Opening B")
    apps = {
        "a1": with_history(
            opening_a,
            ApplicationSource.CAREERS,
            [("Applied", 0), ("Screen", 2), ("Interview", 5), ("Offer", 9), ("Hired", 10)],
        ),
        "a2": with_history(
            opening_a, ApplicationSource.REFERRAL, [("Applied", 0), ("Screen", 4), ("Rejected", 8)], "Salary"
        ),
        "a3": with_history(
            opening_a, ApplicationSource.CAREERS, [("Applied", 1), ("Rejected", 2)], "No Flask"
        ),
        "a4": with_history(opening_a, ApplicationSource.SOURCED, [("Applied", 3)]),
        "b1": with_history(opening_b, ApplicationSource.CAREERS, [("Applied", 0), ("Screen", 6)]),
    }
    x1 = _interview(apps["a1"], day(5) + timedelta(hours=10), [interviewer1, interviewer2], "x1@test")
    x1_end = x1.starts_at + timedelta(minutes=60)
    _feedback(x1, interviewer1, x1_end + timedelta(hours=2))
    _feedback(x1, interviewer2, x1_end + timedelta(hours=30))
    _interview(apps["b1"], day(12) + timedelta(hours=10), [interviewer1], "x2@test")
    _interview(apps["a2"], day(6), [interviewer2], "x3@test", status=InterviewStatus.CANCELLED)
    assessment = Assessment(opening_id=opening_a.id, title="Screening", pass_mark_percent=60)
    db.session.add(assessment)
    db.session.flush()
    questions = [
        AssessmentQuestion(
            assessment_id=assessment.id,
            position=0,
            kind=QuestionKind.FREE_TEXT,
            prompt="Explain WSGI",
            points=10,
        ),
        AssessmentQuestion(
            assessment_id=assessment.id,
            position=1,
            kind=QuestionKind.FREE_TEXT,
            prompt="=HYPERLINK()",
            points=10,
        ),
    ]
    db.session.add_all(questions)
    db.session.flush()
    invitations = {}
    for key in ("a1", "a2", "a3", "a4"):
        invitations[key] = AssessmentInvitation(
            assessment_id=assessment.id,
            application_id=apps[key].id,
            token_hash=f"hash-{key}-{assessment.id}",
            expires_at=day(20),
        )
        db.session.add(invitations[key])
    db.session.flush()
    _attempt(invitations["a1"], questions, day(1) + timedelta(hours=10), 30, [(10, None), (5, None)])
    _attempt(invitations["a2"], questions, day(1) + timedelta(hours=12), 50, [(2, 4), (3, None)])
    _attempt(invitations["a4"], questions, day(4), None)
    db.session.commit()
    return World(recruiter, manager, interviewer1, interviewer2, opening_a, opening_b, apps)
