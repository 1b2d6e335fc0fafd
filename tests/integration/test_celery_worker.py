"""A real Celery worker process runs the product's tasks from a real broker.

The other tests run tasks in-process. This one commits rows, queues tasks through the app, starts
``celery -A hirewise.worker worker`` as a subprocess on the same database and broker, and waits
for the worker's results. ``make test`` runs it on a temporary SQLite file with kombu's filesystem
broker; CI's second pass runs it on PostgreSQL (a dedicated schema) and Redis.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from hirewise.candidates.models import Application, Candidate, ResumeStatus
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage, OutboxStatus
from hirewise.tasks import enqueue
from hirewise.tasks.mail import send_message
from hirewise.tasks.resumes import extract_resume
from tests.sandbox_attacks import secret_hunt
from tests.worker_support import (
    Workers,
    app_on,
    application_with_pdf,
    fresh,
    new_opening,
    shared_database,
    submitted_attempt,
    wait_for,
)

pytestmark = pytest.mark.celery_worker


@pytest.fixture(autouse=True)
def _transaction() -> Iterator[None]:
    """Replaces conftest's rollback-per-test: the worker must see committed rows."""
    yield


@dataclass(frozen=True)
class SharedSetup:
    database_url: str
    environment: dict[str, str]


@pytest.fixture
def shared_setup(tmp_path: Path) -> Iterator[SharedSetup]:
    """A database and a broker that this process and the worker process both reach."""
    environment = {
        "HIREWISE_TASKS": "celery",
        "HIREWISE_INSTANCE_PATH": str(tmp_path / "instance"),
        "MAIL_SERVER": "",
    }
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        environment["CELERY_BROKER_URL"] = redis_url
    else:
        environment["CELERY_BROKER_URL"] = "filesystem://"
        environment["FILESYSTEM_BROKER_DIR"] = str(tmp_path / "broker")
    with shared_database(tmp_path, "worker_test") as url:
        yield SharedSetup(url, {**environment, "DATABASE_URL": url})


@pytest.fixture
def producer_app(shared_setup: SharedSetup, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """An app of our own that sends tasks to the broker, on the migrated shared database."""
    with app_on(shared_setup.database_url, monkeypatch, shared_setup.environment) as app:
        assert app.config["TASK_MODE"] == "celery"
        yield app


@pytest.fixture
def worker(shared_setup: SharedSetup, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Starts the worker on demand (``extra_environment`` adds to its environment) and always stops it."""
    workers = Workers(shared_setup.environment, tmp_path)
    yield workers.start
    workers.stop_all()


def test_worker_runs_mail_and_resume_tasks(producer_app, worker, tmp_path):
    # A worker stopped by an earlier run may have left unacknowledged (acks_late) messages that the
    # broker redelivers: start from an empty queue so the log below holds only this test's tasks.
    producer_app.extensions["celery"].control.purge()
    opening = new_opening()
    application = application_with_pdf(opening)
    message = OutboxMessage(to_email="ada@example.com", subject="We got your application", body="Thanks!")
    db.session.add_all([opening, application, message])
    db.session.commit()
    message_id, application_id = message.id, application.id

    enqueue(send_message, message_id)
    enqueue(extract_resume, application_id)
    db.session.commit()  # queued tasks are rows of the committing transaction
    # Nothing ran in this process: the tasks wait in the broker for a worker.
    assert fresh(OutboxMessage, message_id).status == OutboxStatus.QUEUED
    assert fresh(Application, application_id).resume_status == ResumeStatus.PENDING

    process = worker()
    log = tmp_path / "worker.log"

    message = wait_for(
        lambda: fresh(OutboxMessage, message_id), lambda m: m.status != OutboxStatus.QUEUED, log
    )
    assert message.status == OutboxStatus.HELD  # no MAIL_SERVER: kept on the Outbox page, not sent

    application = wait_for(
        lambda: fresh(Application, application_id),
        lambda a: a.resume_status != ResumeStatus.PENDING,
        log,
    )
    assert application.resume_status == ResumeStatus.EXTRACTED, application.resume_error
    assert "Flask services with blueprints" in application.resume_text
    assert [skill["skill"] for skill in application.detected_skills] == ["Flask core"]
    assert process.poll() is None, "the worker exited early"

    # Idempotent: a duplicate delivery is seen by the worker and changes nothing.
    enqueue(send_message, message_id)
    enqueue(extract_resume, application_id)
    db.session.commit()  # queued tasks are rows of the committing transaction
    log_text = wait_for(
        lambda: log.read_text(errors="replace"),
        lambda t: t.count("'held'") >= 2 and "'skipped'" in t,
        log,
    )
    assert "'extracted'" in log_text
    assert log_text.count("'held'") == 2
    assert "'skipped'" in log_text
    assert fresh(OutboxMessage, message_id).status == OutboxStatus.HELD
    assert fresh(Application, application_id).resume_status == ResumeStatus.EXTRACTED


def _scored(attempt_id: int, log: Path) -> Any:
    from hirewise.assessments.models import AssessmentAttempt, ScoringStatus

    scored = wait_for(
        lambda: fresh(AssessmentAttempt, attempt_id),
        lambda a: a.scoring_status != ScoringStatus.PENDING,
        log,
    )
    assert scored.scoring_status == ScoringStatus.SCORED, scored.scoring_error
    return scored


def test_worker_scores_a_submitted_assessment_with_code_in_the_sandbox(producer_app, worker, tmp_path):
    from hirewise.assessments.models import AssessmentAttempt, ScoringStatus
    from hirewise.tasks.assessments import score_attempt

    producer_app.extensions["celery"].control.purge()
    attempt_id = submitted_attempt(
        Candidate(full_name="Grace Hopper", email="grace@example.com"),
        {
            "code": {"code": "def double(n):\n    return 2 * n\n"},
            "free_text": {"text": "A blueprint groups the routes of one feature."},
        },
    )
    enqueue(score_attempt, attempt_id)
    db.session.commit()
    # Nothing ran in this process: the task waits in the broker for a worker.
    assert fresh(AssessmentAttempt, attempt_id).scoring_status == ScoringStatus.PENDING

    worker()
    scored = _scored(attempt_id, tmp_path / "worker.log")
    by_kind = {answer.question.kind: answer for answer in scored.answers}
    assert by_kind["code"].auto_points == 2.0
    assert by_kind["code"].explanation["sandbox"].startswith("bubblewrap")
    assert by_kind["free_text"].auto_points is not None and by_kind["free_text"].explanation["key_points"]


def test_code_run_by_the_worker_reads_none_of_its_secrets(producer_app, worker, tmp_path, shared_setup):
    """The sandbox leak on the production path: a worker whose environment holds the secrets scores
    an answer that hunts for them; neither the stored result nor the worker's log may hold one."""
    import secrets as random_secrets

    from hirewise.tasks.assessments import score_attempt

    canary = "hwcanary-" + random_secrets.token_hex(16)
    secrets_of_the_worker = {
        "SECRET_KEY": f"secret-key-{canary}",
        "MAIL_PASSWORD": f"mail-password-{canary}",
        "HIREWISE_CANARY": canary,
    }
    producer_app.extensions["celery"].control.purge()
    hunted_paths = [str(tmp_path / "instance" / "secret_key"), str(Path(__file__))]
    if shared_setup.database_url.startswith("sqlite:///"):
        hunted_paths.append(shared_setup.database_url.removeprefix("sqlite:///"))
    attempt_id = submitted_attempt(
        Candidate(full_name="Mallory", email="mallory@example.com"),
        {"code": {"code": secret_hunt("double", hunted_paths)}},
    )
    enqueue(score_attempt, attempt_id)
    db.session.commit()
    worker(secrets_of_the_worker)
    log = tmp_path / "worker.log"
    scored = _scored(attempt_id, log)
    answer = scored.answers[0]
    assert answer.explanation["sandbox"].startswith("bubblewrap")
    shown = answer.explanation["outcomes"][0]["actual"]
    # bwrap's PID 1 has an empty environment; the code's own holds only the PWD bwrap sets.
    assert "1/environ: " in shown and "os.environ: {'PWD': '/tmp'}" in shown
    assert all(line.endswith("FileNotFoundError") for line in shown[-len(hunted_paths) :])
    stored = json.dumps([answer.explanation, answer.response, answer.auto_points, scored.scoring_error])
    for secret in (canary, shared_setup.database_url, shared_setup.environment["CELERY_BROKER_URL"]):
        if secret.startswith("filesystem"):
            continue  # kombu's filesystem broker has no secret in its URL
        assert secret not in stored
    assert canary not in log.read_text(errors="replace")


def test_worker_runs_a_candidates_examples_and_never_the_hidden_tests(producer_app, worker, tmp_path):
    """ "Run the examples" in production: the web process only queues; the worker runs the code."""
    import hashlib

    from hirewise.assessments.models import AssessmentAttempt, AssessmentExampleRun, ExampleRunStatus
    from hirewise.tasks.assessments import run_examples

    producer_app.extensions["celery"].control.purge()
    code = "def double(n):\n    return 2 * n\n"
    attempt_id = submitted_attempt(
        Candidate(full_name="Katherine Johnson", email="katherine@example.com"),
        {"code": {"code": code}},
        tests=3,
    )
    attempt = fresh(AssessmentAttempt, attempt_id)
    run = AssessmentExampleRun(
        attempt_id=attempt_id,
        question_id=attempt.answers[0].question_id,
        code=code,
        code_sha256=hashlib.sha256(code.encode()).hexdigest(),
    )
    db.session.add(run)
    db.session.flush()
    run_id = run.id
    enqueue(run_examples, run_id)
    db.session.commit()
    assert fresh(AssessmentExampleRun, run_id).status == ExampleRunStatus.QUEUED, "nothing ran here"

    worker()
    done = wait_for(
        lambda: fresh(AssessmentExampleRun, run_id),
        lambda r: r.status != ExampleRunStatus.QUEUED,
        tmp_path / "worker.log",
    )
    assert done.status == ExampleRunStatus.DONE, done.report
    assert done.report["sandbox"].startswith("bubblewrap")
    assert [(o["args"], o["actual"], o["visible"]) for o in done.report["outcomes"]] == [([2], 4, True)]
    assert done.finished_at is not None and done.code == ""
