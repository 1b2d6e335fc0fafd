"""Accepting an uploaded résumé: size, real type by content, and a safe stored filename."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from hirewise.candidates.resumes import (
    DOCX_CONTENT_TYPE,
    NOT_A_DOCX,
    PDF_CONTENT_TYPE,
    docx_archive_problem,
)
from hirewise.errors import ValidationFailed

UNSUPPORTED_TYPE = "Upload a PDF or Word (.docx) file."
EMPTY_FILE = "The résumé file is empty."
EXTENSIONS = {PDF_CONTENT_TYPE: ".pdf", DOCX_CONTENT_TYPE: ".docx"}


@dataclass(frozen=True)
class ResumeUpload:
    filename: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def _sniff(data: bytes) -> str | None:
    # The content decides, never the name or the browser's claimed type: a renamed PNG is a PNG.
    if data.startswith(b"%PDF-"):
        return PDF_CONTENT_TYPE
    if data.startswith(b"PK\x03\x04"):
        return DOCX_CONTENT_TYPE
    return None


def validate_resume(upload: ResumeUpload, max_bytes: int) -> str:
    """The upload's content type if it is an acceptable résumé, else ``ValidationFailed``."""
    if not upload.data:
        raise ValidationFailed(EMPTY_FILE, {"resume": [EMPTY_FILE]})
    if len(upload.data) > max_bytes:
        message = f"The résumé is larger than {_megabytes(max_bytes)}."
        raise ValidationFailed(message, {"resume": [message]})
    content_type = _sniff(upload.data)
    if content_type is None:
        raise ValidationFailed(UNSUPPORTED_TYPE, {"resume": [UNSUPPORTED_TYPE]})
    if content_type == DOCX_CONTENT_TYPE:
        problem = docx_archive_problem(upload.data)
        if problem == NOT_A_DOCX:
            raise ValidationFailed(UNSUPPORTED_TYPE, {"resume": [UNSUPPORTED_TYPE]})
        if problem:
            message = f"This Word file cannot be accepted: {problem}"
            raise ValidationFailed(message, {"resume": [message]})
    return content_type


def safe_filename(filename: str, content_type: str) -> str:
    """A filename safe in a Content-Disposition header and on any disk, with the right extension."""
    name = unicodedata.normalize("NFKC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"[^\w\s.()-]", "", stem, flags=re.UNICODE)
    stem = re.sub(r"\s+", " ", stem).strip(" .")[:120] or "resume"
    return stem + EXTENSIONS.get(content_type, "")
