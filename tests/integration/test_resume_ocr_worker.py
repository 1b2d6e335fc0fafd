"""A real Celery worker reads a scanned résumé with Tesseract, within the OCR time limit it is given.

Set up like tests/integration/test_celery_worker.py: committed rows on a shared database, the task
queued through the app, ``celery -A hirewise.worker worker`` as a subprocess.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.resumes.generate import pdf_scanned

from hirewise.candidates.models import Application, Candidate, Document, ResumeStatus
from hirewise.candidates.resumes import PDF_CONTENT_TYPE
from hirewise.extensions import db
from hirewise.tasks import enqueue
from hirewise.tasks.resumes import extract_resume
from tests.worker_support import Workers, app_on, fresh, new_opening, shared_database, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.ocr]

SCAN = pdf_scanned(
    [
        "# Nadia Petrova - Python Developer",
        "Backend developer at Rilaworks (2019-2025)",
        "- Flask services with blueprints, backed by PostgreSQL.",
    ]
)


@pytest.fixture(autouse=True)
def _transaction() -> Iterator[None]:
    """Replaces conftest's rollback-per-test: the worker must see committed rows."""
    yield


@pytest.fixture
def workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workers]:
    """A producer app on a shared database and broker; the test starts the worker, this stops it."""
    environment = {
        "HIREWISE_TASKS": "celery",
        "HIREWISE_INSTANCE_PATH": str(tmp_path / "instance"),
        "MAIL_SERVER": "",
    }
    if os.environ.get("REDIS_URL"):
        environment["CELERY_BROKER_URL"] = os.environ["REDIS_URL"]
    else:
        environment["CELERY_BROKER_URL"] = "filesystem://"
        environment["FILESYSTEM_BROKER_DIR"] = str(tmp_path / "broker")
    with shared_database(tmp_path, "ocr_worker_test") as url:
        environment["DATABASE_URL"] = url
        with app_on(url, monkeypatch, environment) as app:
            app.extensions["celery"].control.purge()
            started = Workers(environment, tmp_path)
            yield started
            started.stop_all()


def queue_scanned_resume(email: str) -> int:
    opening = new_opening()
    application = Application(
        candidate=Candidate(full_name="Nadia Petrova", email=email),
        opening=opening,
        stage=opening.stages[0],
        resume_status=ResumeStatus.PENDING,
    )
    application.resume = Document(
        filename="scan.pdf",
        content_type=PDF_CONTENT_TYPE,
        size=len(SCAN),
        sha256=hashlib.sha256(SCAN).hexdigest(),
        data=SCAN,
    )
    db.session.add_all([opening, application])
    db.session.commit()
    enqueue(extract_resume, application.id)
    db.session.commit()
    return application.id


@pytest.mark.parametrize(
    ("ocr_seconds", "expected_status"),
    [("30", ResumeStatus.EXTRACTED), ("0.01", ResumeStatus.FAILED)],
    ids=["within-the-limit", "over-the-limit"],
)
def test_the_worker_reads_a_scan_with_ocr_within_its_time_limit(workers, ocr_seconds, expected_status):
    application_id = queue_scanned_resume(f"nadia-{expected_status.value}@example.com")
    process = workers.start({"RESUME_READING_OCR_SECONDS": ocr_seconds})
    application = wait_for(
        lambda: fresh(Application, application_id),
        lambda a: a.resume_status != ResumeStatus.PENDING,
        workers.log,
    )
    assert process.poll() is None, "the worker exited early"
    assert application.resume_status == expected_status, application.resume_error
    if expected_status == ResumeStatus.EXTRACTED:
        assert "Nadia Petrova" in application.resume_text
        assert [skill["skill"] for skill in application.detected_skills] == ["Flask core"]
    else:
        assert application.resume_error.startswith(
            "Could not read this PDF: text recognition (OCR) of this scanned file takes longer than 0.01 seconds"
        )
