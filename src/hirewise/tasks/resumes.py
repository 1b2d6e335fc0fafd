"""Résumé text extraction and skill detection, in the background after an application arrives."""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app

from hirewise.candidates.models import Application, ResumeStatus
from hirewise.candidates.resumes import (
    DEFAULT_LIMITS,
    ReadingLimits,
    ResumeUnreadable,
    detect_skills,
    extract_text,
)
from hirewise.extensions import db

log = logging.getLogger(__name__)
UNEXPECTED_FAILURE = "Could not read this file: something unexpected went wrong while reading it."


@shared_task(name="hirewise.tasks.resumes.extract_resume")
def extract_resume(application_id: int) -> str:
    """Fill ``resume_text`` and ``detected_skills``, or mark the résumé FAILED with a reason.

    Idempotent: only a PENDING résumé is read, so a retry or a duplicate delivery is a no-op.
    A bad file never raises: the application stays, with the reason on it. The parsers run in a
    child process with the memory, CPU and wall-clock limits of :func:`reading_limits`; a scan is
    read with OCR (Tesseract) when it is installed, under the same memory limit and its own time limit.
    """
    application = db.session.get(Application, application_id)
    if application is None or application.resume_status != ResumeStatus.PENDING:
        return "skipped"
    document = application.resume
    if document is None:
        application.resume_status = ResumeStatus.NONE
        db.session.commit()
        return "no résumé"
    read = (document.id, document.sha256)
    data, content_type, limits = document.data, document.content_type, reading_limits()
    # End the read before the reading, which may take seconds: on SQLite an open transaction holds
    # the database's write lock (BEGIN IMMEDIATE), and every other writer would wait for it.
    db.session.commit()
    text, failure = "", None
    try:
        text = extract_text(data, content_type, limits)
    except ResumeUnreadable as exc:
        failure = exc.message
    except Exception:  # a library bug on one odd file must not lose the application
        log.exception("résumé extraction crashed for application %s", application_id)
        failure = UNEXPECTED_FAILURE
    application = db.session.get(Application, application_id)
    if (
        application is None
        or application.resume_status != ResumeStatus.PENDING
        or application.resume is None
        or (application.resume.id, application.resume.sha256) != read
    ):
        return "skipped"  # removed, or replaced meanwhile: the replacement's own task reads it
    if failure is not None:
        _fail(application, failure)
        return "failed"
    application.resume_text = text
    application.detected_skills = detect_skills(text, application.opening.skills)
    application.resume_status = ResumeStatus.EXTRACTED
    application.resume_error = ""
    db.session.commit()
    return "extracted"


def reading_limits() -> ReadingLimits:
    """The limits of one résumé reading: ``RESUME_READING_MEMORY_MB``, ``..._CPU_SECONDS``, ``..._WALL_SECONDS``,
    and ``..._OCR_SECONDS`` for text recognition of a scan."""
    config = current_app.config
    return ReadingLimits(
        memory_mb=int(config.get("RESUME_READING_MEMORY_MB", DEFAULT_LIMITS.memory_mb)),
        cpu_seconds=int(config.get("RESUME_READING_CPU_SECONDS", DEFAULT_LIMITS.cpu_seconds)),
        wall_seconds=float(config.get("RESUME_READING_WALL_SECONDS", DEFAULT_LIMITS.wall_seconds)),
        ocr_seconds=float(config.get("RESUME_READING_OCR_SECONDS", DEFAULT_LIMITS.ocr_seconds)),
    )


def _fail(application: Application, message: str) -> None:
    application.resume_status = ResumeStatus.FAILED
    application.resume_error = message[:500]
    application.resume_text = ""
    application.detected_skills = []
    db.session.commit()
