"""Reading résumés: text extraction from PDF and DOCX, and skill detection by keyword.

Pure functions on bytes and strings (no Flask, no database), so the web process, the worker and
the tests use them alike. Every way a file can be unreadable ends in :class:`ResumeUnreadable`
with a sentence a recruiter understands.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

PDF_CONTENT_TYPE = "application/pdf"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

MAX_PDF_PAGES = 30
MAX_TEXT_CHARS = 100_000
# Zip-bomb limits for DOCX, checked on the archive directory before anything is decompressed.
MAX_DOCX_ENTRIES = 1_000
MAX_DOCX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_DOCX_RATIO = 100
# Small entries compress extremely well (an empty stylesheet) without being a threat.
RATIO_CHECK_MIN_BYTES = 1024 * 1024
SNIPPET_CHARS = 120
NOT_A_DOCX = "it is not a valid Word (.docx) file."

_KIND_LABELS = {PDF_CONTENT_TYPE: "PDF", DOCX_CONTENT_TYPE: "Word file"}
log = logging.getLogger(__name__)


class ResumeUnreadable(Exception):
    """The file cannot be turned into text; ``message`` says why, for the recruiter."""

    def __init__(self, content_type: str, reason: str) -> None:
        self.reason = reason
        self.message = f"Could not read this {_KIND_LABELS.get(content_type, 'file')}: {reason}"
        super().__init__(self.message)


def docx_archive_problem(data: bytes) -> str | None:
    """Why ``data`` is not a safe DOCX archive, or None. Reads only the zip directory."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return NOT_A_DOCX
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        return NOT_A_DOCX
    if len(entries) > MAX_DOCX_ENTRIES:
        return "it contains too many parts to be a résumé."
    total = sum(entry.file_size for entry in entries)
    if total > MAX_DOCX_UNCOMPRESSED:
        return "it expands to more than 50 MB when opened."
    compressed = sum(entry.compress_size for entry in entries)
    sizes = [(entry.file_size, entry.compress_size) for entry in entries] + [(total, compressed)]
    if any(
        size >= RATIO_CHECK_MIN_BYTES and size / max(packed, 1) > MAX_DOCX_RATIO for size, packed in sizes
    ):
        return "it expands to far more data than it holds (a zip bomb?)."
    return None


def _limit(text: str) -> str:
    text = re.sub(r"[ \t\r\f\v]+", " ", text.replace("\x00", ""))
    text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
    return text[:MAX_TEXT_CHARS]


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ResumeUnreadable(PDF_CONTENT_TYPE, "it is encrypted (password-protected).")
        parts: list[str] = []
        size = 0
        for page in reader.pages[:MAX_PDF_PAGES]:
            chunk = page.extract_text() or ""
            parts.append(chunk)
            size += len(chunk)
            if size >= MAX_TEXT_CHARS:
                break
    except ResumeUnreadable:
        raise
    except FileNotDecryptedError as exc:
        raise ResumeUnreadable(PDF_CONTENT_TYPE, "it is encrypted (password-protected).") from exc
    except RecursionError as exc:
        raise ResumeUnreadable(PDF_CONTENT_TYPE, "the file is too deeply nested to read safely.") from exc
    except Exception as exc:  # pypdf surfaces broken files as many exception types
        log.info("unreadable PDF: %r", exc)
        raise ResumeUnreadable(PDF_CONTENT_TYPE, "the file is damaged or not a valid PDF.") from exc
    return "\n".join(parts)


def _docx_text(data: bytes) -> str:
    problem = docx_archive_problem(data)
    if problem:
        raise ResumeUnreadable(DOCX_CONTENT_TYPE, problem)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        lines = [paragraph.text for paragraph in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                lines.append(" | ".join(cell.text for cell in row.cells))
    except Exception as exc:  # python-docx and lxml surface broken files as many exception types
        log.info("unreadable DOCX: %r", exc)
        raise ResumeUnreadable(DOCX_CONTENT_TYPE, "the file is damaged or not a valid Word file.") from exc
    return "\n".join(lines)


def extract_text(data: bytes, content_type: str) -> str:
    """The résumé's plain text, whitespace tidied and capped at ``MAX_TEXT_CHARS``."""
    if content_type == PDF_CONTENT_TYPE:
        text = _pdf_text(data)
    elif content_type == DOCX_CONTENT_TYPE:
        text = _docx_text(data)
    else:
        raise ResumeUnreadable(content_type, "only PDF and Word (.docx) files can be read.")
    text = _limit(text)
    if not text:
        raise ResumeUnreadable(content_type, "it contains no selectable text (is it a scanned image?).")
    return text


# --- skill detection -----------------------------------------------------------------------------


class SkillLike(Protocol):
    id: int
    name: str
    keywords: list[Any]


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    keyword: str


# Characters that continue a "word" for our purpose: "c" must not match inside "c++" or "c#".
_WORDISH = r"\w+#"


def keyword_pattern(keyword: str) -> re.Pattern[str] | None:
    """A case-insensitive pattern for ``keyword`` as a whole word; spaces match any whitespace."""
    parts = keyword.strip().split()
    if not parts:
        return None
    body = r"\s+".join(re.escape(part) for part in parts)
    return re.compile(rf"(?<![{_WORDISH}]){body}(?![{_WORDISH}])", re.IGNORECASE)


def _first_match(text: str, keywords: Iterable[Any]) -> _Match | None:
    best: _Match | None = None
    for keyword in keywords:
        pattern = keyword_pattern(str(keyword))
        found = pattern.search(text) if pattern else None
        if found and (best is None or found.start() < best.start):
            best = _Match(found.start(), found.end(), str(keyword).strip())
    return best


def _snippet(text: str, match: _Match) -> str:
    margin = max(0, (SNIPPET_CHARS - (match.end - match.start)) // 2)
    start = max(0, match.start - margin)
    end = min(len(text), match.end + margin)
    snippet = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + snippet + ("…" if end < len(text) else "")


def detect_skills(text: str, skills: Sequence[SkillLike]) -> list[dict[str, Any]]:
    """One entry per skill whose keywords occur in ``text``, with a snippet around the first hit."""
    found: list[dict[str, Any]] = []
    for skill in skills:
        match = _first_match(text, skill.keywords or [])
        if match is not None:
            found.append(
                {
                    "skill_id": skill.id,
                    "skill": skill.name,
                    "keyword": match.keyword,
                    "snippet": _snippet(text, match),
                }
            )
    return found


def highlight_segments(snippet: str, keyword: str) -> list[tuple[str, bool]]:
    """``snippet`` split into (text, is_keyword) parts, for templates that escape every part."""
    pattern = keyword_pattern(keyword)
    if pattern is None:
        return [(snippet, False)]
    segments: list[tuple[str, bool]] = []
    position = 0
    for found in pattern.finditer(snippet):
        if found.start() > position:
            segments.append((snippet[position : found.start()], False))
        segments.append((found.group(0), True))
        position = found.end()
    if position < len(snippet):
        segments.append((snippet[position:], False))
    return segments
