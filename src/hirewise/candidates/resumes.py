"""Reading résumés: text extraction from PDF and DOCX, and skill detection by keyword.

No Flask, no database, so the web process, the worker and the tests use them alike. Extraction
runs the parsers in a child process (:mod:`hirewise.candidates.resume_reader`) under memory, CPU
and wall-clock limits, killed when over: a crafted file costs at most those, and the résumé is
then "could not be read" with the reason. Every way a file can be unreadable ends in
:class:`ResumeUnreadable` with a sentence a recruiter understands.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hirewise.candidates import resume_reader
from hirewise.candidates.resume_reader import DOCX_CONTENT_TYPE, NO_OCR, OTHER_TYPE, PDF_CONTENT_TYPE

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
    # Text recognition of a scan, on top: ~1 s a page; Tesseract runs under the same memory limit.
    ocr_seconds: float = 30.0


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


def tesseract_path() -> str | None:
    """Tesseract's absolute path when it is installed (Debian package tesseract-ocr): scans are then read with OCR."""
    return shutil.which("tesseract")


def _run_reader(data: bytes, content_type: str, limits: ReadingLimits) -> dict[str, Any]:
    """Read the file in a child process; a PDF without selectable text (a scan) again, in a second
    child that runs Tesseract under the OCR limits. The JSON answer, or a reason when stopped."""
    answer = _run_reader_once(data, content_type, limits, None)
    if not answer.get("scanned"):
        return answer
    tesseract = tesseract_path()
    if tesseract is None:
        return {**answer, "reason": NO_OCR}
    return {**_run_reader_once(data, content_type, limits, tesseract), "ocr": True}


def _run_reader_once(
    data: bytes, content_type: str, limits: ReadingLimits, tesseract: str | None
) -> dict[str, Any]:
    command = [
        sys.executable,
        "-I",  # isolated: no PYTHON* variables, no user site-packages, not the current directory
        "-B",
        str(_READER),
        content_type,
        str(limits.memory_mb * 1024 * 1024),
        str(limits.cpu_seconds),
    ]
    if tesseract:
        command += [tesseract, str(limits.ocr_seconds)]
    process = subprocess.Popen(  # noqa: S603 - our own program, no shell
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={},  # nothing of the worker's environment (database URL, keys) reaches the parser
        cwd="/",
        start_new_session=True,  # its own process group, so that a kill takes Tesseract with it
    )
    # The reader bounds OCR by ocr_seconds itself; the wall clock allows for it and still catches a stuck reader.
    wall_seconds = limits.wall_seconds + (limits.ocr_seconds if tesseract else 0)
    try:
        output, _ = process.communicate(data, timeout=wall_seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
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
        answer.get("stopped")
        or ("text" if "text" in answer else "refused") + (" by OCR" if answer.get("ocr") else ""),
    )
    text = answer.get("text")
    if isinstance(text, str):
        return text
    reason = answer.get("reason")
    raise ResumeUnreadable(content_type, reason if isinstance(reason, str) else READER_STOPPED)


# --- skill detection -----------------------------------------------------------------------------
#
# A skill is found when one of its keywords occurs in the résumé the way a reader would count it.
# Measured on the labelled résumés of bench/resumes (`make bench-resumes`); the rules below come from
# the mistakes seen there and in issue 14:
# - web and e-mail addresses are not prose: "https://…" is no sign of security, "github.com/…" none of DevOps;
# - a keyword inside a longer keyword of another skill belongs to that one: "SQL injection" is security;
# - "js" in "Vue.js" is part of a dotted name, not JavaScript;
# - words with an everyday meaning ("rest", "react", "vue") count only as written for the technology,
#   and everyday words that are also skills ("performance", "security") only in a résumé that names
#   technologies at all: a sales manager's "sales performance" is no skill;
# - the usual other wordings of a keyword count: "unit tests", "py.test", "asynchronous", translations;
# - Chinese and Japanese have no spaces between words, so next to their characters a term matches as is.


class SkillLike(Protocol):
    id: int
    name: str
    keywords: list[Any]


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    keyword: str
    skill_index: int = 0
    weak: bool = False


# Characters that continue a "word" for our purpose: "c" must not match inside "c++" or "c#". Letters of
# scripts written without spaces (CJK) are left out, so "熟悉Python和Flask" has Python and Flask in it.
_WORDISH = r"0-9A-Za-z_#+\u00C0-\u024F\u0370-\u03FF\u0400-\u052F"
# A dotted name ("Vue.js", "Node.js") is one word: no keyword starts or ends at its dot.
_BEFORE = rf"(?<![{_WORDISH}])(?<![{_WORDISH}]\.)"
_AFTER = rf"(?![{_WORDISH}])(?!\.[{_WORDISH}])"

# Other wordings of a kit keyword, found as that keyword: inflections, spellings, expansions, and the
# wording of résumés in other languages (Chinese, Polish, German, French).
KEYWORD_VARIANTS: dict[str, tuple[str, ...]] = {
    "pytest": ("py.test",),
    "unit testing": (
        "unit test",
        "unit tests",
        "unit-tested",
        "单元测试",
        "testy jednostkowe",
        "tests unitaires",
    ),
    "integration testing": ("integration test", "integration tests", "集成测试", "testy integracyjne"),
    "load testing": ("load test", "load tests", "性能测试"),
    "tdd": ("test-driven development", "test driven development", "测试驱动开发"),
    "async": ("asynchronous", "asynchronously", "asynchron", "asynchrone", "asynchroner", "异步"),
    "caching": ("cache", "缓存"),
    "continuous integration": ("持续集成", "intégration continue", "ciągła integracja"),
    "profiling": ("profiled",),
    "security": ("secured", "安全"),
}

# Keywords that are also everyday words count only in these spellings ("REST", never "rest").
CASED_KEYWORDS: dict[str, tuple[str, ...]] = {
    "rest": ("REST",),
    "react": ("React", "REACT"),
    "vue": ("Vue", "VUE"),
    "helm": ("Helm", "HELM"),
    "rq": ("RQ",),
    "flask": ("Flask", "FLASK"),  # "flask" in lower case is also a chemist's glassware: a weak keyword
}

# Everyday words that are also skills: they count only in a résumé that names technologies at all
# (at least TECHNICAL_EVIDENCE distinct keywords that are not everyday words).
WEAK_KEYWORDS = frozenset(
    {
        "flask",
        "performance",
        "optimization",
        "optimisation",
        "security",
        "secured",
        "安全",
        "logging",
        "coverage",
        "scalability",
        "latency",
        "indexing",
        "caching",
        "cache",
        "profiling",
        "profiled",
        "authentication",
        "authorization",
        "debugging",
        "debugger",
        "concurrency",
        "templating",
        "mock",
        "mocking",
        "lambda",
        "decorators",
        "generators",
        "high load",
    }
)
TECHNICAL_EVIDENCE = 2

# Each alternative starts only where a run of its characters starts (the lookbehinds), so that a long
# run of letters costs one attempt, not one per letter.
_URL = re.compile(
    r"(?<![\w.+-])(?:(?:https?|ftp)://|www\.)\S+"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w.-])[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|dev|me|app|info|eu|uk|pl|de|cn|fr|se|no|cz|bg|tr|ch)"
    r"(?![\w-])(?:/\S*)?",
    re.IGNORECASE,
)


def keyword_pattern(keyword: str, *, ignore_case: bool = True) -> re.Pattern[str] | None:
    """A pattern for ``keyword`` as a whole word (a plural "s" allowed); spaces and hyphens in it match
    any run of spaces or hyphens, so "unit testing" finds "unit\\ntesting" and "test-driven" "test driven"."""
    parts = [part for part in re.split(r"[\s-]+", keyword.strip()) if part]
    if not parts:
        return None
    body = r"[\s-]+".join(re.escape(part) for part in parts)
    plural = "(?:e?s)?" if re.fullmatch(r"[A-Za-z]{4,}", parts[-1]) else ""
    return re.compile(rf"{_BEFORE}{body}{plural}{_AFTER}", re.IGNORECASE if ignore_case else 0)


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    keyword: str
    weak: bool


@functools.lru_cache(maxsize=4096)
def _rules(keyword: str) -> tuple[_Rule, ...]:
    """How one kit keyword is looked for: its cased spellings, or it and its variants in any case."""
    word = keyword.strip().lower()
    rules: list[_Rule] = []
    if word in CASED_KEYWORDS:
        for spelling in CASED_KEYWORDS[word]:
            pattern = keyword_pattern(spelling, ignore_case=False)
            if pattern is not None:
                rules.append(_Rule(pattern, keyword.strip(), weak=False))
        if word not in WEAK_KEYWORDS:
            return tuple(rules)
    for variant in (keyword.strip(), *KEYWORD_VARIANTS.get(word, ())):
        pattern = keyword_pattern(variant)
        if pattern is not None:
            rules.append(_Rule(pattern, variant, weak=variant.lower() in WEAK_KEYWORDS))
    return tuple(rules)


def mask_addresses(text: str) -> str:
    """``text`` with web and e-mail addresses blanked out, the same length so that offsets still hold."""
    return _URL.sub(lambda found: " " * len(found.group(0)), text)


def _matches(text: str, skills: Sequence[SkillLike]) -> list[_Match]:
    searchable = mask_addresses(text)
    matches: list[_Match] = []
    for index, skill in enumerate(skills):
        for keyword in skill.keywords or []:
            for rule in _rules(str(keyword)):
                matches.extend(
                    _Match(found.start(), found.end(), rule.keyword, index, rule.weak)
                    for found in rule.pattern.finditer(searchable)
                )
    return matches


# A term longer than this (spaces included) is not looked for as the container of another.
MAX_CONTAINER_CHARS = 200


def _outside_other_skills_terms(matches: list[_Match], text: str) -> list[_Match]:
    """``matches`` without those inside a longer term of another skill ("sql" in "SQL injection").

    A Flask extension's name ("Flask-Caching") still counts for Flask itself. Containers are looked
    up by start position, so a text with thousands of matches costs thousands of steps, not millions."""
    by_start: dict[int, list[_Match]] = defaultdict(list)
    for match in matches:
        by_start[match.start].append(match)
    reach = min(MAX_CONTAINER_CHARS, max((match.end - match.start for match in matches), default=0))

    def contained(match: _Match) -> bool:
        for start in range(max(0, match.end - reach), match.start + 1):
            for other in by_start.get(start, ()):
                if (
                    other.skill_index != match.skill_index
                    and match.end <= other.end
                    and other.end - other.start > match.end - match.start
                    and not (other.start == match.start and text[match.end : match.end + 1] == "-")
                ):
                    return True
        return False

    return [match for match in matches if not contained(match)]


def _first_matches(text: str, skills: Sequence[SkillLike]) -> dict[int, _Match]:
    kept = _outside_other_skills_terms(_matches(text, skills), text)
    technical = len({match.keyword.lower() for match in kept if not match.weak}) >= TECHNICAL_EVIDENCE
    first: dict[int, _Match] = {}
    for match in sorted(kept, key=lambda found: (found.start, -found.end)):
        if match.weak and not technical:
            continue
        first.setdefault(match.skill_index, match)
    return first


def _snippet(text: str, match: _Match) -> str:
    margin = max(0, (SNIPPET_CHARS - (match.end - match.start)) // 2)
    start = max(0, match.start - margin)
    end = min(len(text), match.end + margin)
    snippet = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + snippet + ("…" if end < len(text) else "")


def detect_skills(text: str, skills: Sequence[SkillLike]) -> list[dict[str, Any]]:
    """One entry per skill found in ``text``, in the skills' order, with a snippet around the first hit."""
    first = _first_matches(text, skills)
    return [
        {
            "skill_id": skill.id,
            "skill": skill.name,
            "keyword": first[index].keyword,
            "snippet": _snippet(text, first[index]),
        }
        for index, skill in enumerate(skills)
        if index in first
    ]


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
