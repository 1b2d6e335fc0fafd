"""A real Celery worker process runs the product's tasks from a real broker.

The other tests run tasks in-process. This one commits rows, queues tasks through the app, starts
``celery -A hirewise.worker worker`` as a subprocess on the same database and broker, and waits
for the worker's results. ``make test`` runs it on a temporary SQLite file with kombu's filesystem
broker; CI's second pass runs it on PostgreSQL (a dedicated schema) and Redis.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import celery
import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from fpdf import FPDF

from hirewise import create_app
from hirewise.candidates.models import Application, Candidate, Document, ResumeStatus
from hirewise.config import normalize_database_url
from hirewise.extensions import db
from hirewise.kits.models import SkillKind
from hirewise.mail.models import OutboxMessage, OutboxStatus
from hirewise.openings.models import DEFAULT_STAGES, Opening, OpeningSkill, OpeningStatus, Stage
from hirewise.tasks import enqueue
from hirewise.tasks.mail import send_message
from hirewise.tasks.resumes import extract_resume
from tests.sandbox_attacks import secret_hunt

pytestmark = pytest.mark.celery_worker

WORKER_TIMEOUT = 60.0
PDF_CONTENT_TYPE = "application/pdf"


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

    ci_url = os.environ.get("DATABASE_URL", "")
    if ci_url.startswith(("postgres://", "postgresql")):
        with postgresql_schema(ci_url, f"worker_test_{os.getpid()}") as url:
            yield SharedSetup(url, {**environment, "DATABASE_URL": url})
    else:
        url = f"sqlite:///{tmp_path / 'worker.db'}"
        yield SharedSetup(url, {**environment, "DATABASE_URL": url})


def _execute_ddl(url: sa.URL, statement: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


@contextmanager
def postgresql_schema(url: str, schema: str) -> Iterator[str]:
    """A throw-away schema, so the shared database keeps nothing of this test; yields its URL."""
    base_url = sa.make_url(normalize_database_url(url))
    _execute_ddl(base_url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    _execute_ddl(base_url, f'CREATE SCHEMA "{schema}"')
    try:
        scoped = base_url.update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        _execute_ddl(base_url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def producer_app(shared_setup: SharedSetup, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """An app of our own that sends tasks to the broker, on the migrated shared database."""
    for name, value in shared_setup.environment.items():
        monkeypatch.setenv(name, value)
    # create_app makes its Celery app the current one; give the suite's back afterwards.
    previous_celery = celery.current_app._get_current_object()
    app = create_app(
        {"ENV": "testing", "TESTING": True, "SQLALCHEMY_DATABASE_URI": shared_setup.database_url}
    )
    try:
        assert app.config["TASK_MODE"] == "celery"
        with app.app_context():
            upgrade()
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        previous_celery.set_current()
        previous_celery.set_default()


@pytest.fixture
def worker(shared_setup: SharedSetup, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Starts the worker on demand (``extra_environment`` adds to its environment) and always stops it."""
    processes: list[subprocess.Popen[bytes]] = []
    log_path = tmp_path / "worker.log"

    def start(extra_environment: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "celery", "-A", "hirewise.worker", "worker"]
        command += ["--pool", "solo", "--concurrency", "1", "-Q", "celery", "--loglevel", "INFO"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                env={**os.environ, **shared_setup.environment, **(extra_environment or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=tmp_path,
            )
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _resume_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(
        0, 8, "Ada Lovelace. Five years building Flask services with blueprints; ships with Docker."
    )
    return bytes(pdf.output())


def _opening() -> Opening:
    opening = Opening(slug="worker-test", title="Flask Developer", status=OpeningStatus.OPEN)
    opening.stages = [
        Stage(name=name, kind=kind, position=i) for i, (name, kind) in enumerate(DEFAULT_STAGES)
    ]
    opening.skills = [
        OpeningSkill(name="Flask core", kind=SkillKind.MUST_HAVE, weight=3, keywords=["flask", "blueprint"]),
        OpeningSkill(name="Kubernetes", kind=SkillKind.NICE_TO_HAVE, weight=1, keywords=["kubernetes"]),
    ]
    return opening


def _application_with_pdf(opening: Opening) -> Application:
    data = _resume_pdf()
    candidate = Candidate(full_name="Ada Lovelace", email="ada@example.com")
    application = Application(
        candidate=candidate, opening=opening, stage=opening.stages[0], resume_status=ResumeStatus.PENDING
    )
    application.resume = Document(
        filename="ada.pdf",
        content_type=PDF_CONTENT_TYPE,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )
    return application


def _fresh(model: type[Any], object_id: int) -> Any:
    db.session.rollback()  # a new transaction sees the worker's commits
    return db.session.get(model, object_id)


def _wait_for(read: Callable[[], Any], done: Callable[[Any], bool], log: Path) -> Any:
    deadline = time.monotonic() + WORKER_TIMEOUT
    while time.monotonic() < deadline:
        value = read()
        if done(value):
            return value
        time.sleep(0.2)
    log_text = log.read_text(errors="replace") if log.exists() else "(no log)"
    pytest.fail(f"the worker did not finish within {WORKER_TIMEOUT:.0f} s; its log:\n{log_text[-4000:]}")


def test_worker_runs_mail_and_resume_tasks(producer_app, worker, tmp_path):
    # A worker stopped by an earlier run may have left unacknowledged (acks_late) messages that the
    # broker redelivers: start from an empty queue so the log below holds only this test's tasks.
    producer_app.extensions["celery"].control.purge()
    opening = _opening()
    application = _application_with_pdf(opening)
    message = OutboxMessage(to_email="ada@example.com", subject="We got your application", body="Thanks!")
    db.session.add_all([opening, application, message])
    db.session.commit()
    message_id, application_id = message.id, application.id

    enqueue(send_message, message_id)
    enqueue(extract_resume, application_id)
    # Nothing ran in this process: the tasks wait in the broker for a worker.
    assert _fresh(OutboxMessage, message_id).status == OutboxStatus.QUEUED
    assert _fresh(Application, application_id).resume_status == ResumeStatus.PENDING

    process = worker()
    log = tmp_path / "worker.log"

    message = _wait_for(
        lambda: _fresh(OutboxMessage, message_id), lambda m: m.status != OutboxStatus.QUEUED, log
    )
    assert message.status == OutboxStatus.HELD  # no MAIL_SERVER: kept on the Outbox page, not sent

    application = _wait_for(
        lambda: _fresh(Application, application_id),
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
    log_text = _wait_for(
        lambda: log.read_text(errors="replace"),
        lambda t: t.count("'held'") >= 2 and "'skipped'" in t,
        log,
    )
    assert "'extracted'" in log_text
    assert log_text.count("'held'") == 2
    assert "'skipped'" in log_text
    assert _fresh(OutboxMessage, message_id).status == OutboxStatus.HELD
    assert _fresh(Application, application_id).resume_status == ResumeStatus.EXTRACTED


def _submitted_attempt(candidate: Candidate, answers: dict[str, dict[str, str]]) -> int:
    """A committed, submitted attempt of ``candidate`` with a code question (``double``) and a free-text
    one, answered by ``answers`` ({kind: response}, kinds left out are not in the assessment); its id."""
    from hirewise.assessments.models import (
        Assessment,
        AssessmentAnswer,
        AssessmentAttempt,
        AssessmentInvitation,
        AssessmentQuestion,
        AttemptStatus,
    )
    from hirewise.db import utcnow

    questions = {
        "code": AssessmentQuestion(
            kind="code",
            prompt="Write double(n).",
            points=2,
            content={
                "function_name": "double",
                "examples": [{"args": [2], "expected": 4}],
                "tests": [{"args": [5], "expected": 10}],
            },
        ),
        "free_text": AssessmentQuestion(
            kind="free_text",
            prompt="What does a blueprint do?",
            points=5,
            content={
                "expected_answer": "It groups routes, templates and static files of one feature.",
                "key_points": [],
            },
        ),
    }
    opening = _opening()
    application = Application(candidate=candidate, opening=opening, stage=opening.stages[0])
    assessment = Assessment(opening=opening, title="Screening")
    assessment.questions = [questions[kind] for kind in answers]
    now = utcnow()
    invitation = AssessmentInvitation(
        assessment=assessment,
        application=application,
        token_hash=hashlib.sha256(candidate.email.encode()).hexdigest(),
        expires_at=now,
    )
    attempt = AssessmentAttempt(
        invitation=invitation,
        status=AttemptStatus.SUBMITTED,
        started_at=now,
        deadline_at=now,
        submitted_at=now,
    )
    attempt.answers = [
        AssessmentAnswer(question=questions[kind], response=response, max_points=questions[kind].points)
        for kind, response in answers.items()
    ]
    db.session.add_all([opening, application, assessment, invitation, attempt])
    db.session.commit()
    return attempt.id


def _scored(attempt_id: int, log: Path) -> Any:
    from hirewise.assessments.models import AssessmentAttempt, ScoringStatus

    scored = _wait_for(
        lambda: _fresh(AssessmentAttempt, attempt_id),
        lambda a: a.scoring_status != ScoringStatus.PENDING,
        log,
    )
    assert scored.scoring_status == ScoringStatus.SCORED, scored.scoring_error
    return scored


def test_worker_scores_a_submitted_assessment_with_code_in_the_sandbox(producer_app, worker, tmp_path):
    from hirewise.assessments.models import AssessmentAttempt, ScoringStatus
    from hirewise.tasks.assessments import score_attempt

    producer_app.extensions["celery"].control.purge()
    attempt_id = _submitted_attempt(
        Candidate(full_name="Grace Hopper", email="grace@example.com"),
        {
            "code": {"code": "def double(n):\n    return 2 * n\n"},
            "free_text": {"text": "A blueprint groups the routes of one feature."},
        },
    )
    enqueue(score_attempt, attempt_id)
    # Nothing ran in this process: the task waits in the broker for a worker.
    assert _fresh(AssessmentAttempt, attempt_id).scoring_status == ScoringStatus.PENDING

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
    attempt_id = _submitted_attempt(
        Candidate(full_name="Mallory", email="mallory@example.com"),
        {"code": {"code": secret_hunt("double", hunted_paths)}},
    )
    enqueue(score_attempt, attempt_id)
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
