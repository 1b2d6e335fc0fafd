"""Ranking benchmark: does ranking an opening by fit stay flat in SQL statements, and what does the fit cost?

    python -m bench.ranking [--applications 20,2000] [--feedbacks 5] [--repeat 5]

1. Seeds two openings from the built-in Flask Developer kit with ``--applications`` applications each,
   every application with one interview and ``--feedbacks`` submitted feedbacks rating every skill
   (bulk inserts into a fresh SQLite file, or the database in ``DATABASE_URL``: a throw-away one).
2. Counts the SQL statements of ``decisions.services.ranking`` and of the ranking page
   ``GET /openings/<id>/ranking`` for each size, and says EQUAL when the count does not grow.
3. Times the ranking of the largest opening against listing the same applications without fit
   (one select of the applications with their candidates and stages), best of ``--repeat`` runs.

Exit status 1 when a count differs between the sizes or a page fails.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import insert, select
from sqlalchemy.orm import joinedload

from bench.common import bench_app, counting_statements
from hirewise.auth import services as auth_services
from hirewise.auth.models import Role, User
from hirewise.candidates.models import Application, ApplicationSource, Candidate, ResumeStatus
from hirewise.db import utcnow
from hirewise.decisions.services import ranking
from hirewise.extensions import db
from hirewise.feedback.models import Feedback, FeedbackRating, FeedbackStatus, Recommendation
from hirewise.interviews.models import Interview
from hirewise.kits.services import ensure_builtin_kits
from hirewise.openings.models import Opening, OpeningStatus, StageKind
from hirewise.openings.services import create_opening, get_opening

BATCH_SIZE = 2_000
RECOMMENDATIONS = [member.value for member in Recommendation]


def _rating(application_index: int, feedback_index: int, skill_index: int) -> int | None:
    """A deterministic spread of ratings: some strong, some weak, a few "not assessed"."""
    value = (application_index * 7 + feedback_index * 3 + skill_index * 5) % 9
    return None if value == 8 else 1 + value % 4


def _seed_opening(
    opening: Opening, interviewers: list[User], applications: int, feedbacks: int, tag: str
) -> None:
    active = [stage for stage in opening.stages if stage.kind == StageKind.ACTIVE]
    now = utcnow()
    for start in range(0, applications, BATCH_SIZE):
        indexes = range(start, min(start + BATCH_SIZE, applications))
        people = [
            {
                "full_name": f"Candidate {opening.id}-{i:05d}",
                "email": f"c{opening.id}-{i}-{tag}@bench.example",
                "phone": "",
                "links": [],
                "created_at": now,
                "updated_at": now,
            }
            for i in indexes
        ]
        candidate_ids = (
            db.session.execute(
                insert(Candidate).returning(Candidate.id, sort_by_parameter_order=True), people
            )
            .scalars()
            .all()
        )
        application_rows = [
            {
                "candidate_id": candidate_id,
                "opening_id": opening.id,
                "stage_id": active[i % len(active)].id,
                "source": ApplicationSource.CAREERS.value,
                "applied_at": now,
                "stage_entered_at": now,
                "created_at": now,
                "updated_at": now,
                "resume_status": ResumeStatus.NONE.value,
                "detected_skills": [],
            }
            for i, candidate_id in zip(indexes, candidate_ids, strict=True)
        ]
        application_ids = (
            db.session.execute(
                insert(Application).returning(Application.id, sort_by_parameter_order=True), application_rows
            )
            .scalars()
            .all()
        )
        interview_rows = [
            {
                "application_id": application_id,
                "title": "Technical interview",
                "starts_at": now,
                "calendar_uid": f"{uuid.uuid4()}@bench",
                "focus_skill_ids": [],
                "question_ids": [],
                "created_at": now,
                "updated_at": now,
            }
            for application_id in application_ids
        ]
        interview_ids = (
            db.session.execute(
                insert(Interview).returning(Interview.id, sort_by_parameter_order=True), interview_rows
            )
            .scalars()
            .all()
        )
        feedback_rows = [
            {
                "interview_id": interview_id,
                "interviewer_id": interviewers[f].id,
                "application_id": application_id,
                "status": FeedbackStatus.SUBMITTED.value,
                "recommendation": RECOMMENDATIONS[(i + f) % len(RECOMMENDATIONS)],
                "summary": "",
                "submitted_at": now,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for i, application_id, interview_id in zip(indexes, application_ids, interview_ids, strict=True)
            for f in range(feedbacks)
        ]
        feedback_ids = (
            db.session.execute(
                insert(Feedback).returning(Feedback.id, sort_by_parameter_order=True), feedback_rows
            )
            .scalars()
            .all()
        )
        rating_rows = [
            {
                "feedback_id": feedback_id,
                "skill_id": skill.id,
                "skill_name": skill.name,
                "rating": _rating(n // feedbacks, n % feedbacks, s),
            }
            for n, feedback_id in enumerate(feedback_ids)
            for s, skill in enumerate(opening.skills)
        ]
        db.session.execute(insert(FeedbackRating), rating_rows)
    db.session.commit()


def seed(sizes: list[int], feedbacks: int) -> tuple[str, str, dict[int, int]]:
    tag = secrets.token_hex(3)
    password = secrets.token_urlsafe(16)
    kit = ensure_builtin_kits()[0]
    recruiter = auth_services.create_user(
        None,
        email=f"bench-{tag}@example.com",
        full_name="Bench Recruiter",
        role=Role.RECRUITER,
        password=password,
    )
    interviewers = [
        auth_services.create_user(
            None, email=f"bench-int{i}-{tag}@example.com", full_name=f"Interviewer {i}", role=Role.INTERVIEWER
        )
        for i in range(feedbacks)
    ]
    db.session.commit()
    openings: dict[int, int] = {}
    for size in sizes:
        opening = create_opening(
            recruiter, title=f"Bench ranking {size} {tag}", kit_id=kit.id, status=OpeningStatus.OPEN
        )
        _seed_opening(opening, interviewers, size, feedbacks, tag)
        openings[size] = opening.id
    return recruiter.email, password, openings


def _rank(opening_id: int) -> int:
    return len(ranking(get_opening(opening_id)))


def _list_without_fit(opening_id: int) -> int:
    get_opening(opening_id)
    stmt = (
        select(Application)
        .where(Application.opening_id == opening_id)
        .options(joinedload(Application.candidate), joinedload(Application.stage))
        .order_by(Application.id)
    )
    return len(db.session.execute(stmt).scalars().all())


def _best_time(app: Flask, work: Callable[[int], int], opening_id: int, repeat: int) -> tuple[float, int]:
    best, rows = float("inf"), 0
    for _ in range(repeat):
        with app.app_context():
            started = time.perf_counter()
            rows = work(opening_id)
            best = min(best, time.perf_counter() - started)
            db.session.remove()
    return best, rows


def report(app: Flask, email: str, password: str, openings: dict[int, int], repeat: int) -> bool:
    sizes = sorted(openings)
    client = app.test_client()
    if client.post("/login", data={"email": email, "password": password}).status_code != 302:
        raise SystemExit("in-process sign-in failed")
    print(f"\nSQL statements, {' vs '.join(f'{s:,}' for s in sizes)} applications")
    healthy = True
    service_counts = []
    for size in sizes:
        with app.app_context():
            with counting_statements(app) as statements:
                _rank(openings[size])
            db.session.remove()
        service_counts.append(len(statements))
    page_counts, failures = [], []
    for size in sizes:
        path = f"/openings/{openings[size]}/ranking"
        client.get(path)
        with counting_statements(app) as statements:
            status = client.get(path).status_code
        page_counts.append(len(statements))
        if status != 200:
            failures.append(status)
    for label, counts in (("ranking()", service_counts), ("ranking page", page_counts)):
        verdict = "EQUAL" if len(set(counts)) == 1 else "DIFFERENT"
        if label == "ranking page" and failures:
            verdict = f"FAILED (HTTP {failures[0]})"
        healthy = healthy and verdict == "EQUAL"
        print(f"  {label:<14}" + "".join(f"{c:>8}" for c in counts) + f"  {verdict}")

    largest = openings[sizes[-1]]
    listed, listed_rows = _best_time(app, _list_without_fit, largest, repeat)
    ranked, ranked_rows = _best_time(app, _rank, largest, repeat)
    print(f"\nTime for {sizes[-1]:,} applications (best of {repeat})")
    print(f"  list without fit  {listed * 1000:>9.1f} ms  ({listed_rows:,} rows)")
    print(
        f"  ranking by fit    {ranked * 1000:>9.1f} ms  ({ranked_rows:,} rows)  {ranked / listed:.1f}x the list"
    )
    return healthy and listed_rows == ranked_rows


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ranking", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--applications", default="20,2000", help="comma-separated opening sizes (default 20,2000)"
    )
    parser.add_argument(
        "--feedbacks", type=int, default=5, help="submitted feedbacks per application (default 5)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timing runs, the best is reported (default 5)")
    args = parser.parse_args(argv)
    args.applications = sorted({int(part) for part in args.applications.split(",") if part.strip()})
    if len(args.applications) < 2 or min(args.applications) < 1:
        parser.error("--applications needs at least two different positive counts, e.g. 20,2000")
    if not 1 <= args.feedbacks <= 20 or args.repeat < 1:
        parser.error("--feedbacks must be 1..20 and --repeat at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hirewise-bench-") as tmp:
        workdir = Path(tmp)
        app, _ = bench_app(workdir)
        started = time.monotonic()
        with app.app_context():
            upgrade()
            email, password, openings = seed(args.applications, args.feedbacks)
            db.session.remove()
        total = sum(args.applications)
        print(
            f"Seeded {total:,} applications x {args.feedbacks} submitted feedbacks "
            f"in {time.monotonic() - started:.1f} s"
        )
        healthy = report(app, email, password, openings, args.repeat)
        with app.app_context():
            db.engine.dispose()
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
