"""Reports benchmark: do the reports stay flat in SQL statements as the history grows, and how fast are they?

    python -m bench.reports [--applications 100000] [--small 2000] [--openings 20] [--repeat 3]

1. Seeds ``--applications`` applications with five stage changes each on average (100,000 give
   500,000 stage moves), an interview with one or two interviewers and their feedback for every
   application that reached Interview, and a scored five-question assessment attempt for every one
   that reached Assessment, with bulk multi-row INSERTs, into a fresh SQLite file or the database in
   ``DATABASE_URL`` (a throw-away one: a PostgreSQL database whose name contains "bench" is emptied
   first). A small opening gets ``--small`` of the applications.
2. Counts the SQL statements of each report for the small opening and for every opening, and says
   EQUAL when the count does not grow with the rows.
3. Times each report across every opening (the largest case), in-process (server time, no HTTP),
   best and median of ``--repeat`` runs; PostgreSQL's target is 300 ms per report.

Exit status 1 when a count differs between the sizes.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import insert, select

from bench.common import bench_app, counting_statements
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
from hirewise.auth import services as auth_services
from hirewise.auth.models import Role, User
from hirewise.candidates.models import Application, ApplicationSource, Candidate, StageMove
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.feedback.models import Feedback, FeedbackStatus
from hirewise.interviews.models import Interview, interview_interviewers
from hirewise.kits.services import ensure_builtin_kits
from hirewise.openings.models import Opening, OpeningStatus
from hirewise.openings.services import create_opening
from hirewise.reports import services
from hirewise.reports.services import ReportFilters

BATCH_SIZE = 10_000
TARGET_MS = 300
QUESTIONS = 5
SOURCES = [
    ApplicationSource.CAREERS,
    ApplicationSource.REFERRAL,
    ApplicationSource.SOURCED,
    ApplicationSource.OTHER,
]
# Stage paths by stage name, 3 to 7 moves (5 on average): rejected early, in Interview now, rejected
# after the interview, hired, and sent back to Screen once before reaching Offer.
PATHS = (
    ("Applied", "Screen", "Rejected"),
    ("Applied", "Screen", "Assessment", "Interview"),
    ("Applied", "Screen", "Assessment", "Interview", "Rejected"),
    ("Applied", "Screen", "Assessment", "Interview", "Offer", "Hired"),
    ("Applied", "Screen", "Assessment", "Screen", "Assessment", "Interview", "Offer"),
)


def _reset(app: Flask, database_url: str) -> None:
    with app.app_context():
        url = sa.make_url(database_url)
        if url.get_backend_name() == "postgresql" and "bench" in (url.database or ""):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
        upgrade()


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH_SIZE):
        db.session.execute(insert(model), rows[start : start + BATCH_SIZE])


def _ids(column: Any, key: Any, low: Any) -> dict[Any, int]:
    return dict(db.session.execute(select(key, column).where(column >= low)).all())


def _points(application_id: int, question: int) -> int:
    """The automatic points of an application's answer to a question (of 10)."""
    return (application_id * 3 + question * 7) % 11


def seed(applications: int, small: int, opening_count: int) -> tuple[User, int, int]:
    """Returns the recruiter, the small opening's id and a large one's."""
    kit = ensure_builtin_kits()[0]
    recruiter = auth_services.create_user(
        None,
        email="bench-reports@example.com",
        full_name="Bench Recruiter",
        role=Role.RECRUITER,
        password=secrets.token_urlsafe(16),
    )
    panel = [
        auth_services.create_user(
            None,
            email=f"bench-interviewer-{i}@example.com",
            full_name=f"Interviewer {i:02d}",
            role=Role.INTERVIEWER,
            password=None,
        )
        for i in range(12)
    ]
    db.session.commit()
    openings = [
        create_opening(recruiter, title=f"Bench opening {i}", kit_id=kit.id, status=OpeningStatus.OPEN)
        for i in range(opening_count)
    ]
    db.session.commit()
    assessments = {}
    for opening in openings:
        assessment = Assessment(opening_id=opening.id, title="Bench screening", pass_mark_percent=60)
        db.session.add(assessment)
        db.session.flush()
        assessments[opening.id] = (
            assessment.id,
            [
                AssessmentQuestion(
                    assessment_id=assessment.id,
                    position=q,
                    kind=QuestionKind.FREE_TEXT,
                    prompt=f"Q{q}",
                    points=10,
                )
                for q in range(QUESTIONS)
            ],
        )
        db.session.add_all(assessments[opening.id][1])
    db.session.commit()
    stage_ids = {opening.id: {stage.name: stage.id for stage in opening.stages} for opening in openings}
    now = utcnow()
    started = time.perf_counter()

    def opening_of(index: int) -> Opening:
        return openings[0] if index < small else openings[1 + index % (len(openings) - 1)]

    _insert(
        Candidate,
        [
            {"full_name": f"Bench Candidate {i}", "email": f"bench-{i}@example.com"}
            for i in range(applications)
        ],
    )
    candidate_ids = _ids(Candidate.id, Candidate.email, 0)
    plans: list[tuple[Opening, tuple[str, ...], list[datetime]]] = []
    rows = []
    for i in range(applications):
        opening = opening_of(i)
        path = PATHS[i % len(PATHS)]
        applied = now - timedelta(days=i % 180, minutes=i % 1440)
        times = [applied]
        for step in range(1, len(path)):
            times.append(times[-1] + timedelta(days=1 + (i * 7 + step * 3) % 9, hours=(i + step) % 24))
        plans.append((opening, path, times))
        rows.append(
            {
                "candidate_id": candidate_ids[f"bench-{i}@example.com"],
                "opening_id": opening.id,
                "stage_id": stage_ids[opening.id][path[-1]],
                "source": SOURCES[i % len(SOURCES)],
                "applied_at": applied,
                "stage_entered_at": times[-1],
                "rejection_reason": "Bench reason" if path[-1] == "Rejected" else "",
            }
        )
    _insert(Application, rows)
    application_ids = dict(db.session.execute(select(Application.candidate_id, Application.id)).all())
    ids = [application_ids[candidate_ids[f"bench-{i}@example.com"]] for i in range(applications)]
    moves = []
    for application_id, (opening, path, times) in zip(ids, plans, strict=True):
        for step, name in enumerate(path):
            moves.append(
                {
                    "application_id": application_id,
                    "from_stage_id": stage_ids[opening.id][path[step - 1]] if step else None,
                    "to_stage_id": stage_ids[opening.id][name],
                    "moved_at": times[step],
                    "left_at": times[step + 1] if step + 1 < len(path) else None,
                    "reason": f"Reason {step % 4}" if name == "Rejected" else "",
                }
            )
    _insert(StageMove, moves)
    interviewed = [
        (application_id, times[path.index("Interview")] + timedelta(days=1))
        for application_id, (_, path, times) in zip(ids, plans, strict=True)
        if "Interview" in path
    ]
    _insert(
        Interview,
        [
            {"application_id": a, "title": "Technical", "starts_at": at, "calendar_uid": f"bench-{a}@bench"}
            for a, at in interviewed
        ],
    )
    interview_ids = dict(db.session.execute(select(Interview.application_id, Interview.id)).all())
    seats = [
        (interview_ids[a], a, panel[(a + k * 5) % len(panel)].id, at)
        for a, at in interviewed
        for k in range(1 + a % 2)
    ]
    _insert(interview_interviewers, [{"interview_id": i, "user_id": u} for i, _, u, _ in seats])
    _insert(
        Feedback,
        [
            {
                "interview_id": i,
                "interviewer_id": u,
                "application_id": a,
                "status": FeedbackStatus.SUBMITTED,
                "submitted_at": at + timedelta(hours=2 + (a * 7) % 40),
            }
            for i, a, u, at in seats
            if a % 10
        ],
    )
    assessed = [
        (application_id, opening, times[path.index("Assessment")])
        for application_id, (opening, path, times) in zip(ids, plans, strict=True)
        if "Assessment" in path
    ]
    _insert(
        AssessmentInvitation,
        [
            {
                "assessment_id": assessments[o.id][0],
                "application_id": a,
                "token_hash": f"bench-{a}",
                "expires_at": at + timedelta(days=7),
            }
            for a, o, at in assessed
        ],
    )
    invitation_ids = dict(
        db.session.execute(select(AssessmentInvitation.application_id, AssessmentInvitation.id)).all()
    )
    _insert(
        AssessmentAttempt,
        [
            {
                "invitation_id": invitation_ids[a],
                "status": AttemptStatus.SUBMITTED,
                "started_at": at + timedelta(hours=3),
                "deadline_at": at + timedelta(hours=4),
                "submitted_at": at + timedelta(hours=3, minutes=10 + a % 40),
                "scoring_status": ScoringStatus.SCORED,
                # What scoring stores with the answers below (hirewise.assessments.totals).
                "total_points": float(sum(_points(a, q) for q in range(QUESTIONS))),
                "total_max_points": 10.0 * QUESTIONS,
            }
            for a, _, at in assessed
            if a % 7
        ],
    )
    attempt_ids = dict(
        db.session.execute(select(AssessmentAttempt.invitation_id, AssessmentAttempt.id)).all()
    )
    _insert(
        AssessmentAnswer,
        [
            {
                "attempt_id": attempt_ids[invitation_ids[a]],
                "question_id": question.id,
                "auto_points": float(_points(a, q)),
                "max_points": 10.0,
            }
            for a, o, _ in assessed
            if a % 7
            for q, question in enumerate(assessments[o.id][1])
        ],
    )
    db.session.commit()
    print(
        f"Seeded {applications:,} applications, {len(moves):,} stage moves, {len(interviewed):,} interviews, "
        f"{len(assessed):,} assessment invitations in {time.perf_counter() - started:.1f} s"
    )
    return recruiter, openings[0].id, openings[1].id


def _run(name: str, user: User, filters: ReportFilters) -> Any:
    return services.REPORTS[name](user, filters)


def measure(app: Flask, recruiter_id: int, openings: tuple[int, int], repeat: int, postgresql: bool) -> bool:
    flat = True
    everything = ReportFilters()
    small, large = (ReportFilters(opening_id=opening_id) for opening_id in openings)
    print(
        "\nSQL statements for the small and a large opening, then across every opening (timed):\n"
        f"{'report':<12} {'small':>6} {'large':>6} {'':>6} {'all':>4} {'best ms':>8} {'median ms':>9}"
    )
    for name in services.REPORTS:
        counts = []
        for filters in (small, large, everything):
            with app.app_context():
                user = db.session.get(User, recruiter_id)
                with counting_statements(app) as statements:
                    _run(name, user, filters)
                counts.append(len(statements))
        timings = []
        with app.app_context():
            user = db.session.get(User, recruiter_id)
            for _ in range(repeat):
                db.session.expire_all()
                started = time.perf_counter()
                _run(name, user, everything)
                timings.append((time.perf_counter() - started) * 1000)
        equal = counts[0] == counts[1]
        flat = flat and equal
        best, median = min(timings), statistics.median(timings)
        verdict = ("within" if best <= TARGET_MS else "OVER") + f" {TARGET_MS} ms" if postgresql else ""
        print(
            f"{name:<12} {counts[0]:>6} {counts[1]:>6} {'EQUAL' if equal else 'GROWS':>6} {counts[2]:>4} "
            f"{best:>8.0f} {median:>9.0f}  {verdict}"
        )
    return flat


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=2_000, help="applications of the small opening")
    parser.add_argument("--openings", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the data an earlier run left in DATABASE_URL instead of seeding",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app, database_url = bench_app(Path(tmp))
        with app.app_context():
            recruiter = db.session.execute(
                select(User).where(User.email == "bench-reports@example.com")
            ).scalar_one_or_none() if args.reuse else None  # fmt: skip
            if recruiter is None:
                _reset(app, database_url)
                recruiter, *openings = seed(args.applications, args.small, args.openings)
            else:
                openings = list(
                    db.session.execute(select(Opening.id).order_by(Opening.id).limit(2)).scalars()
                )
            recruiter_id = recruiter.id
            postgresql = db.engine.dialect.name == "postgresql"
            if postgresql:
                with db.engine.begin() as conn:
                    conn.exec_driver_sql("ANALYZE")
        flat = measure(app, recruiter_id, (openings[0], openings[1]), args.repeat, postgresql)
        with app.app_context():
            db.engine.dispose()
    return 0 if flat else 1


if __name__ == "__main__":
    sys.exit(main())
