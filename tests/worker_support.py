"""What the tests that run real processes share: a database both sides reach, a Celery worker started
as a subprocess, a private Redis server on a free port, and rows to give them work.

The database is a temporary SQLite file, or, when ``DATABASE_URL`` names PostgreSQL (CI's second
pass), a throw-away schema of that database.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import celery
import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask_migrate import upgrade
from fpdf import FPDF

from hirewise import create_app
from hirewise.candidates.models import Application, Candidate, Document, ResumeStatus
from hirewise.config import normalize_database_url
from hirewise.extensions import db
from hirewise.kits.models import SkillKind
from hirewise.openings.models import DEFAULT_STAGES, Opening, OpeningSkill, OpeningStatus, Stage

WORKER_TIMEOUT = 60.0
PDF_CONTENT_TYPE = "application/pdf"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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


@contextmanager
def shared_database(tmp_path: Path, name: str) -> Iterator[str]:
    """The URL of a database this process and a worker process both reach."""
    ci_url = os.environ.get("DATABASE_URL", "")
    if ci_url.startswith(("postgres://", "postgresql")):
        with postgresql_schema(ci_url, f"{name}_{os.getpid()}") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / f'{name}.db'}"


@contextmanager
def app_on(
    database_url: str, monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], **config: Any
) -> Iterator[Flask]:
    """An app of the test's own in ``environment``, on the migrated database, inside its app context."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    # create_app makes its Celery app the current one; give the suite's back afterwards.
    previous_celery = celery.current_app._get_current_object()
    app = create_app({"ENV": "testing", "TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **config})
    try:
        with app.app_context():
            upgrade()
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        previous_celery.set_current()
        previous_celery.set_default()


class Workers:
    """Starts ``celery -A hirewise.worker worker`` processes, each in a process group of its own, logging
    to ``log``; stops whatever is left at the end."""

    def __init__(self, environment: dict[str, str], folder: Path) -> None:
        self.environment = environment
        self.folder = folder
        self.log = folder / "worker.log"
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(
        self, extra_environment: dict[str, str] | None = None, *, pool: str = "solo", beat: bool = False
    ) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "celery", "-A", "hirewise.worker", "worker"]
        command += ["--pool", pool, "--concurrency", "1", "-Q", "celery", "--loglevel", "INFO"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        if beat:
            command += ["--beat", "--schedule", str(self.folder / f"beat-{len(self.processes)}")]
        with self.log.open("ab") as log:
            process = subprocess.Popen(
                command,
                env={**os.environ, **self.environment, **(extra_environment or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """``kill -9`` the worker's main process and everything of its process group (its pool)."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)


class PrivateRedis:
    """A Redis server of the test's own on a free port, stopped and started again at will."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "the fault tests need redis-server (Debian package redis-server)"
        command = [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.process = subprocess.Popen(
            [*command, "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.answers():
                return
            time.sleep(0.05)
        raise AssertionError(f"redis-server did not start on port {self.port}")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def fresh(model: type[Any], object_id: int) -> Any:
    db.session.rollback()  # a new transaction sees the worker's commits
    return db.session.get(model, object_id)


def wait_for(
    read: Callable[[], Any], done: Callable[[Any], bool], log: Path, timeout: float = WORKER_TIMEOUT
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = read()
        if done(value):
            return value
        if has_app_context():
            # On SQLite the read's transaction holds the write lock (BEGIN IMMEDIATE): let the worker in.
            db.session.rollback()
        time.sleep(0.2)
    log_text = log.read_text(errors="replace") if log.exists() else "(no log)"
    pytest.fail(f"not done within {timeout:.0f} s; the worker's log:\n{log_text[-4000:]}")


def resume_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(
        0, 8, "Ada Lovelace. Five years building Flask services with blueprints; ships with Docker."
    )
    return bytes(pdf.output())


def new_opening(slug: str = "worker-test") -> Opening:
    opening = Opening(slug=slug, title="Flask Developer", status=OpeningStatus.OPEN)
    opening.stages = [
        Stage(name=name, kind=kind, position=i) for i, (name, kind) in enumerate(DEFAULT_STAGES)
    ]
    opening.skills = [
        OpeningSkill(name="Flask core", kind=SkillKind.MUST_HAVE, weight=3, keywords=["flask", "blueprint"]),
        OpeningSkill(name="Kubernetes", kind=SkillKind.NICE_TO_HAVE, weight=1, keywords=["kubernetes"]),
    ]
    return opening


def application_with_pdf(opening: Opening) -> Application:
    data = resume_pdf()
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


def submitted_attempt(candidate: Candidate, answers: dict[str, dict[str, str]], *, tests: int = 1) -> int:
    """A committed, submitted attempt of ``candidate`` with a code question (``double``, ``tests`` hidden
    tests) and a free-text one, answered by ``answers`` ({kind: response}; kinds left out are not in the
    assessment); returns its id."""
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
                "tests": [{"args": [n], "expected": 2 * n} for n in range(5, 5 + tests)],
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
    opening = new_opening(f"worker-test-{hashlib.sha256(candidate.email.encode()).hexdigest()[:8]}")
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
