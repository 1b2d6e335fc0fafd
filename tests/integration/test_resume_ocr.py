"""A scanned résumé read by the background task: OCR with Tesseract when installed, a clear reason when not."""

from __future__ import annotations

import pytest
from bench.resumes.generate import pdf_scanned

from hirewise.candidates import resumes, services
from hirewise.candidates.documents import ResumeUpload
from hirewise.candidates.models import ResumeStatus
from tests.factories import OpeningFactory

SCAN = pdf_scanned(
    [
        "# Nadia Petrova - Python Developer",
        "Backend developer at Rilaworks (2019-2025)",
        "- Flask services backed by PostgreSQL, shipped as Docker images.",
    ]
)


def apply_with_scan(email: str):
    return services.submit_application(
        OpeningFactory(),
        full_name="Nadia Petrova",
        email=email,
        consent=True,
        resume=ResumeUpload("scan.pdf", SCAN),
    )


@pytest.mark.ocr
def test_a_scanned_resume_is_read_with_ocr_and_its_skills_detected():
    application = apply_with_scan("nadia@example.com")
    assert application.resume_status == ResumeStatus.EXTRACTED
    assert "Nadia Petrova" in application.resume_text
    assert {found["skill"] for found in application.detected_skills} == {"Flask core", "Docker"}


@pytest.mark.ocr
def test_ocr_over_its_time_limit_fails_the_resume_with_the_reason(app, monkeypatch):
    monkeypatch.setitem(app.config, "RESUME_READING_OCR_SECONDS", 0.01)
    application = apply_with_scan("slow-scan@example.com")
    assert application.resume_status == ResumeStatus.FAILED
    assert application.resume_error.startswith(
        "Could not read this PDF: text recognition (OCR) of this scanned file takes longer than 0.01 seconds"
    )


def test_without_tesseract_the_resume_says_ocr_is_not_installed(monkeypatch):
    monkeypatch.setattr(resumes, "tesseract_path", lambda: None)
    application = apply_with_scan("no-ocr@example.com")
    assert application.resume_status == ResumeStatus.FAILED
    assert "no selectable text" in application.resume_error
    assert "Tesseract (the Debian package tesseract-ocr)" in application.resume_error
