"""Redis stops: signing in, applying, a candidate's answers and an email to a candidate all still work,
once each; when Redis is back, the work they queued runs, once each.

The app runs as in production (rate limits in Redis, tasks through Redis to a real worker with beat),
on a private Redis on a free port that the test stops and starts again.
"""

from __future__ import annotations

import io
import logging
import time

import pytest
from sqlalchemy import func, select

from hirewise.assessments import services as assessment_services
from hirewise.assessments.models import AssessmentAttempt, ScoringStatus
from hirewise.auth.models import Role
from hirewise.auth.services import create_user
from hirewise.candidates.models import Application, Candidate, ResumeStatus
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage, OutboxStatus
from hirewise.tasks.models import BackgroundTask, TaskStatus
from tests.worker_support import (
    Workers,
    app_on,
    new_opening,
    resume_pdf,
    shared_database,
    wait_for,
)

pytestmark = [pytest.mark.fault, pytest.mark.celery_worker]

PASSWORD = "a long enough password"
CODE = {
    "kind": "code",
    "prompt": "Write double(n).",
    "points": 2,
    "content": {
        "function_name": "double",
        "examples": [{"args": [2], "expected": 4}],
        "tests": [{"args": [5], "expected": 10}],
    },
}


def background_rows() -> list[BackgroundTask]:
    db.session.rollback()
    return list(db.session.execute(select(BackgroundTask).order_by(BackgroundTask.id)).scalars())


def test_with_redis_down_nothing_a_user_does_is_lost_and_it_runs_once_when_redis_is_back(
    tmp_path, monkeypatch, redis, fault_environment, caplog
):
    caplog.set_level(logging.WARNING)
    environment = {
        **fault_environment,
        "REDIS_URL": redis.url,
    }
    with shared_database(tmp_path, "fault_redis") as url:
        environment["DATABASE_URL"] = url
        workers = Workers(environment, tmp_path)
        try:
            # As in production: rate limits live in Redis (not the tests' memory), errors are responses.
            with app_on(
                url, monkeypatch, environment, ENV="development", TESTING=False, WTF_CSRF_ENABLED=False
            ) as app:
                assert (
                    app.config["RATELIMIT_STORAGE_URI"] == redis.url and app.config["TASK_MODE"] == "celery"
                )
                recruiter = create_user(
                    None, email="rita@example.com", full_name="Rita", role=Role.RECRUITER, password=PASSWORD
                )
                opening = new_opening("outage")
                known = Application(
                    candidate=Candidate(full_name="Bob", email="bob@example.com"),
                    opening=opening,
                    stage=opening.stages[0],
                )
                db.session.add_all([opening, known])
                db.session.commit()
                assessment = assessment_services.create_assessment(recruiter, opening, {"title": "Screening"})
                code = assessment_services.add_question(recruiter, assessment, CODE)
                [issued] = assessment_services.invite(recruiter, assessment, [known])
                workers.start(beat=True)
                wait_for(
                    background_rows,
                    lambda rows: rows and all(r.status == TaskStatus.DONE for r in rows),
                    workers.log,
                )
                before = {row.id for row in background_rows()}

                redis.stop()
                client = app.test_client()
                signed_in = client.post("/login", data={"email": "rita@example.com", "password": PASSWORD})
                assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:300]
                applied = client.post(
                    "/careers/outage/apply",
                    data={
                        "full_name": "Ada Lovelace",
                        "email": "ada@example.com",
                        "consent": "y",
                        "resume": (io.BytesIO(resume_pdf()), "ada-cv.pdf", "application/pdf"),
                    },
                    content_type="multipart/form-data",
                )
                assert applied.status_code == 302, applied.get_data(as_text=True)[:300]
                candidate_page = f"/assessment/{issued.token}"
                assert client.post(f"{candidate_page}/start").status_code == 302
                saved = client.post(
                    f"{candidate_page}/answers/{code.id}", data={"code": "def double(n):\n    return 2 * n\n"}
                )
                assert saved.status_code == 302
                assert client.post(f"{candidate_page}/submit").status_code in (200, 302)
                emailed = client.post(
                    f"/candidates/{known.candidate_id}/email", data={"subject": "Next", "body": "Hi"}
                )
                assert emailed.status_code == 302, emailed.get_data(as_text=True)[:300]
                assert "falling back to in-memory storage" in caplog.text

                waiting = [row for row in background_rows() if row.id not in before]
                assert sorted(row.name.rsplit(".", 1)[1] for row in waiting) == [
                    "extract_resume",
                    "score_attempt",
                    "send_message",  # "we got your application"
                    "send_message",  # the recruiter's email
                    "send_message",  # Rita's notification: the assessment was submitted
                ]
                assert all(row.status == TaskStatus.QUEUED and row.attempts == 0 for row in waiting)
                applications = db.session.execute(
                    select(func.count())
                    .select_from(Application)
                    .join(Candidate)
                    .where(Candidate.email == "ada@example.com")
                ).scalar_one()
                assert applications == 1

                redis.start()  # the same port; empty, as after a restart without persistence
                came_back = time.monotonic()
                wait_for(
                    background_rows,
                    lambda rows: all(r.status in (TaskStatus.DONE, TaskStatus.FAILED) for r in rows),
                    workers.log,
                )
                assert time.monotonic() - came_back < 60
                done = [row for row in background_rows() if row.id not in before]
                assert [(row.status, row.attempts) for row in done] == [(TaskStatus.DONE, 1)] * 5, [
                    (row.name, row.status, row.attempts, row.last_error) for row in done
                ]
                db.session.rollback()
                ada = db.session.execute(
                    select(Application).join(Candidate).where(Candidate.email == "ada@example.com")
                ).scalar_one()
                assert ada.resume_status == ResumeStatus.EXTRACTED
                attempt = db.session.execute(select(AssessmentAttempt)).scalar_one()
                assert attempt.scoring_status == ScoringStatus.SCORED
                messages = (
                    db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
                )
                # The invitation, "we got your application", the recruiter's email, the notification.
                assert [m.status for m in messages] == [OutboxStatus.HELD] * 4
                assert all(m.attempts <= 1 for m in messages)
        finally:
            workers.stop_all()
