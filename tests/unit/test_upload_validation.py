"""validate_resume decides by content and size, never by the filename."""

from __future__ import annotations

import pytest

from hirewise.candidates.documents import ResumeUpload, safe_filename, validate_resume
from hirewise.candidates.resumes import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE
from hirewise.errors import ValidationFailed
from tests.unit.test_resume_extraction import make_docx, make_docx_bomb, make_pdf

FIVE_MB = 5 * 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_accepts_pdf_and_docx_by_content():
    assert validate_resume(ResumeUpload("cv.pdf", make_pdf()), FIVE_MB) == PDF_CONTENT_TYPE
    assert validate_resume(ResumeUpload("cv.docx", make_docx()), FIVE_MB) == DOCX_CONTENT_TYPE
    # A real PDF with a wrong extension is still a PDF.
    assert validate_resume(ResumeUpload("cv.txt", make_pdf()), FIVE_MB) == PDF_CONTENT_TYPE


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (ResumeUpload("big.pdf", b"%PDF-" + b"0" * FIVE_MB), "The résumé is larger than 5 MB."),
        (ResumeUpload("photo.pdf", PNG), "Upload a PDF or Word (.docx) file."),
        (ResumeUpload("notes.docx", b"just some text"), "Upload a PDF or Word (.docx) file."),
        (ResumeUpload("page.pdf", b"<html><script>alert(1)</script>"), "Upload a PDF or Word (.docx) file."),
        (ResumeUpload("empty.pdf", b""), "The résumé file is empty."),
    ],
    ids=["oversize", "png-named-pdf", "text-named-docx", "html-named-pdf", "empty"],
)
def test_refuses_bad_uploads(upload, message):
    with pytest.raises(ValidationFailed) as caught:
        validate_resume(upload, FIVE_MB)
    assert caught.value.message == message
    assert caught.value.details == {"resume": [message]}


def test_refuses_a_zip_that_is_not_a_docx():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.sh", "rm -rf /")
    with pytest.raises(ValidationFailed, match=r"Upload a PDF or Word \(.docx\) file."):
        validate_resume(ResumeUpload("cv.docx", buffer.getvalue()), FIVE_MB)


def test_refuses_a_docx_zip_bomb():
    with pytest.raises(ValidationFailed, match="zip bomb"):
        validate_resume(ResumeUpload("cv.docx", make_docx_bomb()), FIVE_MB)


@pytest.mark.parametrize(
    ("filename", "content_type", "expected"),
    [
        ("My CV.pdf", PDF_CONTENT_TYPE, "My CV.pdf"),
        ("../../etc/passwd", PDF_CONTENT_TYPE, "passwd.pdf"),
        ("C:\\Users\\me\\cv.docx", DOCX_CONTENT_TYPE, "cv.docx"),
        ('evil"; filename=x.html', PDF_CONTENT_TYPE, "evil filenamex.pdf"),
        ("photo.png", PDF_CONTENT_TYPE, "photo.pdf"),
        ("", DOCX_CONTENT_TYPE, "resume.docx"),
        ("Zoë Ünal.pdf", PDF_CONTENT_TYPE, "Zoë Ünal.pdf"),
    ],
)
def test_safe_filename(filename, content_type, expected):
    assert safe_filename(filename, content_type) == expected
