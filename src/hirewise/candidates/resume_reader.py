"""Text out of a PDF or DOCX résumé, meant to run in a child process with memory and time limits.

Parsers are where a crafted file does its harm: a few kilobytes of PDF can hold a content stream
that costs seconds and hundreds of megabytes to read. So :mod:`hirewise.candidates.resumes` runs
this file as a separate program, ``python -I -B resume_reader.py CONTENT_TYPE MEMORY_BYTES
CPU_SECONDS``, with the document on stdin. Before it imports a parser, the program limits its
own address space, CPU time, file writes and core dumps (``setrlimit``); the parent adds a
wall-clock limit and kills it when over. The program answers one JSON object on stdout:
``{"text": ...}`` or ``{"reason": ...}`` (why the file cannot be read, for a recruiter), with
``peak_kb``, its peak memory.

It is run by path, not as ``hirewise.candidates...``, so that only the standard library, pypdf
and python-docx load in the child (not the app): keep it free of ``hirewise`` imports.
"""

from __future__ import annotations

import io
import json
import logging
import re
import resource
import sys
from typing import Any

PDF_CONTENT_TYPE = "application/pdf"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_PDF_PAGES = 30
MAX_TEXT_CHARS = 100_000
OPEN_FILES = 64  # the interpreter and its imports; the document comes on stdin

ENCRYPTED = "it is encrypted (password-protected)."
TOO_DEEP = "the file is too deeply nested to read safely."
DAMAGED_PDF = "the file is damaged or not a valid PDF."
DAMAGED_DOCX = "the file is damaged or not a valid Word file."
NO_TEXT = "it contains no selectable text (is it a scanned image?)."
OTHER_TYPE = "only PDF and Word (.docx) files can be read."


def memory_reason(megabytes: int) -> str:
    return (
        f"reading it needs more than {megabytes} MB of memory, the limit for a résumé "
        "(is the file damaged, or built to be expensive to read?)."
    )


class Unreadable(Exception):
    """The document cannot be turned into text; ``reason`` says why, for a recruiter."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def tidy(text: str) -> str:
    """Whitespace tidied, NUL bytes removed, capped at ``MAX_TEXT_CHARS``."""
    text = re.sub(r"[ \t\r\f\v]+", " ", text.replace("\x00", ""))
    text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
    return text[:MAX_TEXT_CHARS]


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Unreadable(ENCRYPTED)
        parts: list[str] = []
        size = 0
        for page in reader.pages[:MAX_PDF_PAGES]:
            chunk = page.extract_text() or ""
            parts.append(chunk)
            size += len(chunk)
            if size >= MAX_TEXT_CHARS:
                break
    except (Unreadable, MemoryError):
        raise
    except FileNotDecryptedError as exc:
        raise Unreadable(ENCRYPTED) from exc
    except RecursionError as exc:
        raise Unreadable(TOO_DEEP) from exc
    except Exception as exc:  # pypdf surfaces broken files as many exception types
        raise Unreadable(DAMAGED_PDF) from exc
    return "\n".join(parts)


def _docx_text(data: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        lines = [paragraph.text for paragraph in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                lines.append(" | ".join(cell.text for cell in row.cells))
    except MemoryError:
        raise
    except Exception as exc:  # python-docx and lxml surface broken files as many exception types
        raise Unreadable(DAMAGED_DOCX) from exc
    return "\n".join(lines)


def read_text(data: bytes, content_type: str) -> str:
    """The document's tidied text, in this process and without limits: :func:`main` adds them."""
    if content_type == PDF_CONTENT_TYPE:
        text = _pdf_text(data)
    elif content_type == DOCX_CONTENT_TYPE:
        text = _docx_text(data)
    else:
        raise Unreadable(OTHER_TYPE)
    text = tidy(text)
    if not text:
        raise Unreadable(NO_TEXT)
    return text


def limit_this_process(memory_bytes: int, cpu_seconds: int) -> None:
    """Address space, CPU seconds (SIGXCPU, then SIGKILL a second later), no file writes or core dumps."""
    for kind, value in (
        (resource.RLIMIT_AS, (memory_bytes, memory_bytes)),
        (resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1)),
        (resource.RLIMIT_FSIZE, (0, 0)),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES)),
    ):
        resource.setrlimit(kind, value)


def _peak_kb() -> int:
    """This process's peak resident memory. ``ru_maxrss`` would not do: Linux carries it over from the
    process that forked this one (the worker, however large), while ``VmHWM`` starts afresh at exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> int:
    content_type, memory_bytes, cpu_seconds = argv[0], int(argv[1]), int(argv[2])
    limit_this_process(memory_bytes, cpu_seconds)
    logging.disable(logging.CRITICAL)  # pypdf warns about every oddity; nobody reads the child's stderr
    answer: dict[str, Any]
    try:
        answer = {"text": read_text(sys.stdin.buffer.read(), content_type)}
    except Unreadable as exc:
        answer = {"reason": exc.reason}
    except MemoryError:
        answer = {"reason": memory_reason(memory_bytes // (1024 * 1024))}
    answer["peak_kb"] = _peak_kb()
    sys.stdout.buffer.write(json.dumps(answer).encode("ascii"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
