"""Résumé reading without Flask: text from real PDF and DOCX files, refusals, skill detection.

The file builders here are imported by the other résumé and upload tests.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
import zlib
from types import SimpleNamespace

import docx
import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from hirewise.candidates.resume_reader import MAX_TEXT_CHARS
from hirewise.candidates.resumes import (
    DEFAULT_LIMITS,
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    ReadingLimits,
    ResumeUnreadable,
    _run_reader,
    detect_skills,
    docx_archive_problem,
    extract_text,
    highlight_segments,
    keyword_pattern,
)

RESUME_LINES = [
    "Jane Doe - Backend engineer",
    "Five years building Flask services with blueprints and SQLAlchemy.",
    "Shipped Docker images through a CI/CD pipeline; some C++ for embedded work.",
]


def make_pdf(lines: list[str] | None = None) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines or RESUME_LINES:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def make_encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_docx(lines: list[str] | None = None) -> bytes:
    document = docx.Document()
    for line in lines or RESUME_LINES:
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Skills"
    table.rows[0].cells[1].text = "PostgreSQL"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def repack_docx(extra: dict[str, bytes]) -> bytes:
    """A real DOCX plus extra entries (deflated), e.g. a bomb of zeros."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(make_docx())) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            target.writestr(entry, source.read(entry.filename))
        for name, content in extra.items():
            target.writestr(name, content)
    return buffer.getvalue()


def make_docx_bomb() -> bytes:
    return repack_docx({"word/media/padding.bin": b"\0" * (20 * 1024 * 1024)})


def crafted_pdf(content: bytes, pages: int = 1) -> bytes:
    """A small, valid PDF whose ``pages`` all draw one Flate-compressed content stream."""
    stream = zlib.compress(content, 9)
    kids = b" ".join(b"%d 0 R" % (5 + page) for page in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    objects += [page] * pages
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# Empty text objects: nothing to extract, but pypdf interprets every operator of the page.
EMPTY_TEXT_OPERATORS = b"BT () Tj ET "


def make_slow_pdf() -> bytes:
    """5 KB that cost pypdf ~2.5 s per page, 30 pages: over a minute unbounded."""
    return crafted_pdf(EMPTY_TEXT_OPERATORS * 170_000, pages=30)


def make_greedy_pdf() -> bytes:
    """20 KB, one page, that cost pypdf ~5 s and ~420 MB unbounded."""
    return crafted_pdf(EMPTY_TEXT_OPERATORS * 850_000)


def skill(skill_id: int, name: str, keywords: list[str]) -> SimpleNamespace:
    return SimpleNamespace(id=skill_id, name=name, keywords=keywords)


# --- extraction ---------------------------------------------------------------------------------


def test_text_from_a_generated_pdf():
    text = extract_text(make_pdf(), PDF_CONTENT_TYPE)
    assert "Jane Doe" in text
    assert "Flask services with blueprints" in text


def test_text_from_a_generated_docx_includes_tables():
    text = extract_text(make_docx(), DOCX_CONTENT_TYPE)
    assert "Five years building Flask services" in text
    assert "Skills | PostgreSQL" in text


def test_long_text_is_capped():
    line = "flask " * 2000
    text = extract_text(make_docx([line] * 12), DOCX_CONTENT_TYPE)
    assert len(text) == MAX_TEXT_CHARS


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        (make_encrypted_pdf(), PDF_CONTENT_TYPE, "it is encrypted"),
        (b"%PDF-1.7\n this is not really a pdf \x00\xff", PDF_CONTENT_TYPE, "damaged or not a valid PDF"),
        (b"PK\x03\x04 not a zip at all", DOCX_CONTENT_TYPE, "not a valid Word"),
        (make_docx_bomb(), DOCX_CONTENT_TYPE, "zip bomb"),
        (b"plain text", "text/plain", "only PDF and Word"),
    ],
    ids=["encrypted-pdf", "malformed-pdf", "malformed-docx", "docx-bomb", "other-type"],
)
def test_unreadable_files_raise_a_human_reason(data, content_type, reason):
    with pytest.raises(ResumeUnreadable) as caught:
        extract_text(data, content_type)
    assert caught.value.message.startswith("Could not read this")
    assert reason in caught.value.message


def test_a_pdf_without_text_is_reported():
    pdf = FPDF()
    pdf.add_page()
    with pytest.raises(ResumeUnreadable, match="no selectable text"):
        extract_text(bytes(pdf.output()), PDF_CONTENT_TYPE)


def test_docx_archive_limits_are_checked_without_extracting():
    assert docx_archive_problem(make_docx()) is None
    assert "zip bomb" in (docx_archive_problem(make_docx_bomb()) or "")
    # Many parts just under the per-part ratio floor still add up to too much data.
    many = {f"word/media/p{i}.bin": b"\0" * (900 * 1024) for i in range(60)}
    assert "more than 50 MB" in (docx_archive_problem(repack_docx(many)) or "")
    crowded = {f"word/media/x{i}.txt": b"x" for i in range(1001)}
    assert "too many parts" in (docx_archive_problem(repack_docx(crowded)) or "")
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "not a valid Word" in (docx_archive_problem(plain_zip.getvalue()) or "")


# --- crafted files: read in a child process with memory and time limits ---------------------------


def test_a_pdf_built_to_be_slow_is_stopped_at_the_time_limit():
    limits = ReadingLimits(cpu_seconds=1, wall_seconds=3)
    started = time.perf_counter()
    with pytest.raises(ResumeUnreadable) as caught:
        extract_text(make_slow_pdf(), PDF_CONTENT_TYPE, limits)
    assert time.perf_counter() - started < limits.wall_seconds + 2
    assert caught.value.message.startswith("Could not read this PDF: reading it takes longer than 1 second")


def test_a_pdf_built_to_need_much_memory_is_stopped_at_the_memory_limit():
    # The default memory limit with room on the clock: on a loaded CI machine the default 10 s of wall
    # time can run out first, and this test is about the memory limit (the time limits have their own).
    limits = ReadingLimits(memory_mb=DEFAULT_LIMITS.memory_mb, cpu_seconds=60, wall_seconds=120)
    started = time.perf_counter()
    answer = _run_reader(make_greedy_pdf(), PDF_CONTENT_TYPE, limits)
    assert time.perf_counter() - started < limits.wall_seconds
    assert answer["reason"].startswith("reading it needs more than 256 MB of memory")
    assert answer["peak_kb"] < DEFAULT_LIMITS.memory_mb * 1024  # measured by the reader itself
    with pytest.raises(ResumeUnreadable, match="needs more than 256 MB of memory"):
        extract_text(make_greedy_pdf(), PDF_CONTENT_TYPE, limits)


def test_the_reader_gets_no_environment_and_no_limits_are_skipped(monkeypatch, tmp_path):
    # The parser is where a crafted file attacks: it must not see the worker's secrets.
    from hirewise.candidates import resumes

    monkeypatch.setenv("DATABASE_URL", "postgresql://hirewise:canary-secret@db/hirewise")
    spy = tmp_path / "spy.py"
    spy.write_text(
        "import json, os, resource, sys\n"
        "from importlib.util import module_from_spec, spec_from_file_location\n"
        f"spec = spec_from_file_location('reader', {str(resumes._READER)!r})\n"
        "reader = module_from_spec(spec); spec.loader.exec_module(reader)\n"
        "reader.limit_this_process(int(sys.argv[2]), int(sys.argv[3]))\n"
        "limits = [resource.getrlimit(k)[0] for k in (resource.RLIMIT_AS, resource.RLIMIT_CPU, resource.RLIMIT_FSIZE)]\n"
        "print(json.dumps({'text': json.dumps([dict(os.environ), sys.flags.isolated, limits])}))\n"
    )
    monkeypatch.setattr(resumes, "_READER", spy)
    environment, isolated, limits = json.loads(extract_text(make_pdf(), PDF_CONTENT_TYPE))
    assert "canary-secret" not in json.dumps(environment)
    assert isolated == 1
    assert limits == [DEFAULT_LIMITS.memory_mb * 1024 * 1024, DEFAULT_LIMITS.cpu_seconds, 0]


# --- skills -------------------------------------------------------------------------------------


def test_detects_skills_with_snippet_around_first_match():
    text = "Intro. " + "x " * 100 + "I love FLASK and blueprints. " + "y " * 100
    found = detect_skills(
        text, [skill(1, "Flask core", ["blueprint", "flask"]), skill(2, "Docker", ["docker"])]
    )
    assert len(found) == 1
    match = found[0]
    assert match["skill_id"] == 1 and match["skill"] == "Flask core"
    assert match["keyword"] == "flask"  # the earliest occurrence wins, whatever the keyword order
    assert "I love FLASK and blueprints." in match["snippet"]
    assert match["snippet"].startswith("…") and match["snippet"].endswith("…")
    assert len(match["snippet"]) <= 125


@pytest.mark.parametrize(
    ("keyword", "text", "expected"),
    [
        ("flask", "Flask-Login and flask.", True),
        ("flask", "flasking around", False),
        ("c++", "Wrote C++ daily", True),
        ("c", "Wrote C++ daily", False),
        ("c#", "Some C# too", True),
        ("ci/cd", "Owned the CI/CD pipeline", True),
        ("ci/cd", "ci/cdx", False),
        ("rest api", "designed a REST\n API", True),
        ("node.js", "nodexjs", False),
        ("", "anything", False),
    ],
)
def test_keywords_match_as_whole_words(keyword, text, expected):
    assert bool(detect_skills(text, [skill(7, "S", [keyword])])) is expected


def test_keyword_pattern_escapes_regex_syntax():
    pattern = keyword_pattern("a.b(c)*")
    assert pattern is not None
    assert pattern.search("xx a.b(c)* yy")
    assert not pattern.search("axb(c)")


def test_highlight_segments_split_on_matches_only():
    segments = highlight_segments("Flask <b>and</b> more flask", "flask")
    assert segments == [("Flask", True), (" <b>and</b> more ", False), ("flask", True)]
    assert highlight_segments("nothing here", "") == [("nothing here", False)]
