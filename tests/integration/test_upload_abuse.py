"""Hostile and broken résumé uploads through the web pages: refused clearly or kept as FAILED."""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import func, select

from hirewise.auth.models import Role
from hirewise.candidates import services
from hirewise.candidates.documents import ResumeUpload
from hirewise.candidates.models import Application, Candidate, ResumeStatus
from hirewise.extensions import db
from hirewise.tasks.resumes import extract_resume
from tests.factories import ApplicationFactory, OpeningFactory
from tests.unit.test_resume_extraction import (
    make_docx,
    make_docx_bomb,
    make_encrypted_pdf,
    make_greedy_pdf,
    make_pdf,
    make_slow_pdf,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 256


def post_new_candidate(client, opening, data: bytes, filename: str):
    return client.post(
        "/candidates/new",
        data={
            "full_name": "Upload Tester",
            "email": "upload@example.com",
            "opening_id": str(opening.id),
            "source": "sourced",
            "resume": (io.BytesIO(data), filename),
        },
        content_type="multipart/form-data",
    )


def candidate_count() -> int:
    return db.session.execute(select(func.count(Candidate.id))).scalar_one()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"%PDF-" + b"0" * (5 * 1024 * 1024), "big.pdf", "The résumé is larger than 5 MB."),
        (PNG, "photo.pdf", "Upload a PDF or Word (.docx) file."),
        (b"Dear hiring manager, plain text", "letter.docx", "Upload a PDF or Word (.docx) file."),
        (make_docx_bomb(), "bomb.docx", "zip bomb"),
    ],
    ids=["oversize", "png-named-pdf", "text-named-docx", "docx-zip-bomb"],
)
def test_refused_uploads_show_the_reason_and_create_nothing(client, auth, data, filename, message):
    auth.login(Role.RECRUITER)
    response = post_new_candidate(client, OpeningFactory(), data, filename)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert candidate_count() == 0


def test_a_request_over_the_size_limit_is_a_clean_413(client, auth):
    auth.login(Role.RECRUITER)
    response = post_new_candidate(client, OpeningFactory(), b"%PDF-" + b"0" * (6 * 1024 * 1024), "huge.pdf")
    assert response.status_code == 413
    assert candidate_count() == 0


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"%PDF-1.7\nthis is garbage, not a PDF body\n%%EOF", "broken.pdf", "damaged or not a valid PDF"),
        (make_encrypted_pdf(), "locked.pdf", "encrypted"),
    ],
    ids=["malformed-pdf", "encrypted-pdf"],
)
def test_unreadable_pdfs_keep_the_application_with_a_failed_state(client, auth, data, filename, reason):
    auth.login(Role.RECRUITER)
    response = post_new_candidate(client, OpeningFactory(), data, filename)
    assert response.status_code == 302
    db.session.expire_all()
    application = db.session.execute(select(Application)).scalar_one()
    assert application.resume_status == ResumeStatus.FAILED
    assert application.resume_error.startswith("Could not read this PDF")
    assert reason in application.resume_error
    assert application.resume_text == ""
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Could not read this PDF" in page
    assert f"Download {filename}" in page


@pytest.mark.parametrize(
    ("data", "limits", "reason"),
    [
        (
            make_slow_pdf(),
            {"CPU_SECONDS": 1},
            "reading it takes longer than 1 second, the limit for a résumé",
        ),
        (
            make_greedy_pdf(),
            {"MEMORY_MB": 128},
            "reading it needs more than 128 MB of memory, the limit for a résumé",
        ),
    ],
    ids=["slow-pdf", "greedy-pdf"],
)
def test_a_crafted_pdf_is_stopped_within_the_limits_and_the_application_says_why(
    app, client, auth, monkeypatch, data, limits, reason
):
    for name, value in limits.items():
        monkeypatch.setitem(app.config, f"RESUME_READING_{name}", value)
    auth.login(Role.RECRUITER)
    started = time.perf_counter()
    response = post_new_candidate(client, OpeningFactory(), data, "crafted.pdf")
    assert time.perf_counter() - started < 10 + 5  # the wall-clock limit, and a generous margin
    assert response.status_code == 302
    db.session.expire_all()
    application = db.session.execute(select(Application)).scalar_one()
    assert application.resume_status == ResumeStatus.FAILED
    assert application.resume_error.startswith(f"Could not read this PDF: {reason}")
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Could not read this PDF: reading it" in page
    assert "Download crafted.pdf" in page


def test_extraction_task_is_idempotent_and_tolerates_missing_rows():
    application = services.submit_application(
        OpeningFactory(),
        full_name="Idem Potent",
        email="idem@example.com",
        consent=True,
        resume=ResumeUpload("cv.docx", make_docx()),
    )
    assert application.resume_status == ResumeStatus.EXTRACTED
    assert extract_resume(application.id) == "skipped"
    assert extract_resume(999_999) == "skipped"


def test_upload_and_replace_resume_from_the_application_page(client, auth):
    auth.login(Role.RECRUITER)
    application = ApplicationFactory()
    response = client.post(
        f"/applications/{application.id}/resume",
        data={"file": (io.BytesIO(PNG), "x.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Upload a PDF or Word (.docx) file." in response.get_data(as_text=True)
    response = client.post(
        f"/applications/{application.id}/resume",
        data={"file": (io.BytesIO(make_pdf()), "cv.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Résumé uploaded." in page
    assert "Flask core" in page and "<mark>" in page


def test_resume_download_is_an_attachment_that_is_never_sniffed(client, auth):
    auth.login(Role.RECRUITER)
    pdf = make_pdf()
    application = services.submit_application(
        OpeningFactory(),
        full_name="Down Load",
        email="download@example.com",
        consent=True,
        resume=ResumeUpload('Zoë "CV".pdf', pdf),
    )
    response = client.get(f"/applications/{application.id}/resume")
    assert response.status_code == 200
    assert response.data == pdf
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Zo%C3%AB%20CV.pdf" in disposition
    docx_application = ApplicationFactory()
    services.replace_resume(auth.user, docx_application, ResumeUpload("cv.docx", make_docx()))
    response = client.get(f"/applications/{docx_application.id}/resume")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert client.get(f"/applications/{ApplicationFactory().id}/resume").status_code == 404
