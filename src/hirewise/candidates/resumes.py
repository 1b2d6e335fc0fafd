"""Reading résumés: text extraction from PDF and DOCX, and skill detection by keyword.

No Flask, no database, so the web process, the worker and the tests use them alike. Extraction
runs the parsers in a child process (:mod:`hirewise.candidates.resume_reader`) under memory, CPU
and wall-clock limits, killed when over: a crafted file costs at most those, and the résumé is
then "could not be read" with the reason. Every way a file can be unreadable ends in
:class:`ResumeUnreadable` with a sentence a recruiter understands.
"""

from __future__ import annotations

import io
import json
import logging
import re
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hirewise.candidates import resume_reader
from hirewise.candidates.resume_reader import DOCX_CONTENT_TYPE, OTHER_TYPE, PDF_CONTENT_TYPE

# Zip-bomb limits for DOCX, checked on the archive directory before anything is decompressed.
MAX_DOCX_ENTRIES = 1_000
MAX_DOCX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_DOCX_RATIO = 100
# Small entries compress extremely well (an empty stylesheet) without being a threat.
RATIO_CHECK_MIN_BYTES = 1024 * 1024
SNIPPET_CHARS = 120
NOT_A_DOCX = "it is not a valid Word (.docx) file."
READER_STOPPED = "the reader stopped on it (is the file damaged?)."

_KIND_LABELS = {PDF_CONTENT_TYPE: "PDF", DOCX_CONTENT_TYPE: "Word file"}
_READER = Path(resume_reader.__file__)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadingLimits:
    """What reading one résumé may cost. A real résumé needs a fraction of a second and ~60 MB."""

    memory_mb: int = 256  # the reader's whole address space, the interpreter and parsers included
    cpu_seconds: int = 5
    wall_seconds: float = 10.0


DEFAULT_LIMITS = ReadingLimits()


def time_reason(limits: ReadingLimits) -> str:
    seconds = min(float(limits.cpu_seconds), limits.wall_seconds)
    unit = "second" if seconds == 1 else "seconds"
    return (
        f"reading it takes longer than {seconds:g} {unit}, the limit for a résumé "
        "(is the file damaged, or built to be slow to read?)."
    )


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


def _run_reader(data: bytes, content_type: str, limits: ReadingLimits) -> dict[str, Any]:
    """Run the reader in a child process; its JSON answer, or a reason when it was stopped."""
    command = [
        sys.executable,
        "-I",  # isolated: no PYTHON* variables, no user site-packages, not the current directory
        "-B",
        str(_READER),
        content_type,
        str(limits.memory_mb * 1024 * 1024),
        str(limits.cpu_seconds),
    ]
    process = subprocess.Popen(  # noqa: S603 - our own program, no shell
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={},  # nothing of the worker's environment (database URL, keys) reaches the parser
        cwd="/",
    )
    try:
        output, _ = process.communicate(data, timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return {"reason": time_reason(limits), "stopped": "wall-clock"}
    if process.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return {"reason": time_reason(limits), "stopped": "cpu"}
    try:
        answer = json.loads(output)
    except ValueError:
        answer = None
    if process.returncode != 0 or not isinstance(answer, dict):
        log.warning("résumé reader exited with %s", process.returncode)
        return {"reason": READER_STOPPED, "stopped": f"exit {process.returncode}"}
    return answer


def extract_text(data: bytes, content_type: str, limits: ReadingLimits = DEFAULT_LIMITS) -> str:
    """The résumé's plain text, whitespace tidied and capped at ``MAX_TEXT_CHARS``, read within ``limits``."""
    if content_type not in _KIND_LABELS:
        raise ResumeUnreadable(content_type, OTHER_TYPE)
    if content_type == DOCX_CONTENT_TYPE:
        problem = docx_archive_problem(data)
        if problem:
            raise ResumeUnreadable(content_type, problem)
    answer = _run_reader(data, content_type, limits)
    log.info(
        "résumé read: %s bytes of %s, peak %s kB, %s",
        len(data),
        content_type,
        answer.get("peak_kb", "?"),
        answer.get("stopped") or ("text" if "text" in answer else "refused"),
    )
    text = answer.get("text")
    if isinstance(text, str):
        return text
    reason = answer.get("reason")
    raise ResumeUnreadable(content_type, reason if isinstance(reason, str) else READER_STOPPED)


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
