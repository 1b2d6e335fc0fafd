"""Reading résumés well (issue 14): text where real résumés keep it, and skills found the way a reader would.

The files are built here with the same writers as the labelled set in ``bench/resumes``; the skills are
those of the built-in Flask Developer kit, as an opening seeded from it has them.
"""

from __future__ import annotations

import io
import shutil
import zlib

import pytest
from bench.resumes.generate import (
    add_nested_table,
    add_text_box,
    docx_document,
    pdf_scanned,
    pdf_single_column,
    pdf_two_columns,
)
from bench.resumes.run import kit_skills
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from hirewise.candidates.resumes import (
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    ReadingLimits,
    ResumeUnreadable,
    detect_skills,
    extract_text,
    highlight_segments,
)

SKILLS = kit_skills()


def found_skills(text: str) -> set[str]:
    return {entry["skill"] for entry in detect_skills(text, SKILLS)}


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- DOCX: headers and footers, nested tables, text boxes, in reading order --------------------------


def test_docx_header_and_footer_text_is_read_around_the_body():
    data = docx_document(
        header=["Eva Lindqvist · Python · Flask · PostgreSQL"],
        body=["Built internal tools for a payments start-up."],
        footer=["github.com/evalind"],
    )
    lines = lines_of(extract_text(data, DOCX_CONTENT_TYPE))
    assert lines == [
        "Eva Lindqvist · Python · Flask · PostgreSQL",
        "Built internal tools for a payments start-up.",
        "github.com/evalind",
    ]


def test_nested_table_text_is_read_row_by_row():
    def build(document) -> None:
        add_nested_table(document, [("Experience", [["Kestrel Media", "Designed MongoDB schemas"]])])
        document.add_paragraph("After the table.")

    text = extract_text(docx_document(body=["Before the table."], build=build), DOCX_CONTENT_TYPE)
    lines = lines_of(text)
    assert lines[0] == "Before the table."
    assert "Kestrel Media" in lines[1] and "Designed MongoDB schemas" in lines[1]
    assert lines[1].startswith("Experience")
    assert lines[-1] == "After the table."


@pytest.mark.parametrize("drawingml", [True, False], ids=["drawingml-with-vml-fallback", "vml-only"])
def test_text_box_text_is_read_once_where_it_is_anchored(drawingml):
    def build(document) -> None:
        add_text_box(
            document.add_paragraph("Sidebar:"), ["Python, Flask, SQLite", "Jinja2 and HTMX"], drawingml
        )
        document.add_paragraph("Closing line.")

    text = extract_text(docx_document(body=["Greta Novák, Brno"], build=build), DOCX_CONTENT_TYPE)
    assert lines_of(text) == [
        "Greta Novák, Brno",
        "Sidebar:",
        "Python, Flask, SQLite",
        "Jinja2 and HTMX",
        "Closing line.",
    ]


# --- PDF: two columns come out one after the other ---------------------------------------------------


def test_two_column_pdf_is_read_column_by_column():
    left = ["SKILLS", "Python", "Flask", "PostgreSQL", "Docker"]
    right = [
        "Designed the RESTful API of the billing platform",
        "with Flask blueprints and marshmallow schemas.",
        "Tuned slow reports with query optimization",
        "and new indexes; latency fell to 300 ms.",
        "Released through a Jenkins pipeline.",
    ]
    text = extract_text(pdf_two_columns(["Chen Jing", "Backend Engineer"], left, right), PDF_CONTENT_TYPE)
    lines = lines_of(text)
    assert lines[:2] == ["Chen Jing", "Backend Engineer"]
    assert lines[2:] == left + right


def test_dates_aligned_right_stay_beside_their_titles():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    rows = [
        ("Senior Developer, Larkspur Logistics", "2021-2025"),
        ("- Built the shipment API in Flask.", ""),
        ("Developer, Quillmate", "2019-2021"),
        ("- Packaged services in Docker.", ""),
        ("Intern, Fernhill Health", "2018"),
        ("MSc Computer Science, Wroclaw", "2017"),
    ]
    for title, dates in rows:
        pdf.cell(150, 7, title)
        pdf.cell(0, 7, dates, align="R", new_x="LMARGIN", new_y="NEXT")
    lines = lines_of(extract_text(bytes(pdf.output()), PDF_CONTENT_TYPE))
    assert lines == [" ".join(part for part in row if part) for row in rows]


def test_single_column_pdf_keeps_its_lines():
    lines = ["Anna Kowalczyk", "Backend developer building web applications in Flask for six years."]
    assert lines_of(extract_text(pdf_single_column(lines), PDF_CONTENT_TYPE)) == lines


# --- skill detection --------------------------------------------------------------------------------


def test_chinese_text_without_spaces_matches_skill_terms():
    assert found_skills("熟悉Python和Flask，使用SQLAlchemy操作MySQL数据库。") == {  # noqa: RUF001
        "Python proficiency",
        "Flask core framework",
        "Database integration",
    }


@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        (
            "Portfolio: https://janedoe.dev and http://example.org/cv",
            {"Security practices", "RESTful API design"},
        ),
        ("Code at github.com/janedoe and gitlab.com/jd", {"DevOps practices"}),
        ("I rest, climb and cook. I wrote the rest of the onboarding flow.", {"RESTful API design"}),
        ("Built components with Vue.js and scripts with Node.js.", {"Frontend basics"}),
        ("Fixed an SQL injection in a legacy endpoint.", {"Database integration"}),
    ],
    ids=["https-in-url", "code-host-in-url", "rest-in-prose", "js-in-vue-js", "sql-injection"],
)
def test_false_matches_are_not_made(text, not_expected):
    assert not found_skills(text) & not_expected


def test_sql_injection_still_counts_for_security():
    assert "Security practices" in found_skills("Fixed an SQL injection in a legacy endpoint.")


def test_rest_in_capitals_and_vue_js_still_count():
    found = found_skills("Designed a REST interface for the Vue.js front end.")
    assert {"RESTful API design", "Frontend frameworks"} <= found


def test_a_non_developer_cv_gets_no_skills():
    cv = "\n".join(
        [
            "Laura Mendes - Regional Sales Manager · https://www.linkedin.com/in/lauramendes",
            "Led a team of 12 account managers; raised regional sales performance by 18%.",
            "Built rapport with clients and helped them react quickly to market changes.",
            "Secured coverage in three trade magazines; won security firms as clients.",
            "Took a sabbatical in 2019 to rest and travel. Skills: negotiation, Excel, Salesforce.",
        ]
    )
    assert found_skills(cv) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wrote asynchronous data collectors for 4,000 stations.", "Asynchronous programming"),
        ("Unit tests for every endpoint.", "Testing and debugging"),
        ("Practised test-driven development on a large codebase.", "Testing and debugging"),
        ("Kept the collectors honest with py.test suites.", "Testing and debugging"),
    ],
    ids=["asynchronous", "unit-tests", "test-driven-development", "py.test"],
)
def test_common_wordings_of_a_skill_are_found(text, expected):
    assert expected in found_skills("Python developer. " + text)


def test_snippet_and_keyword_show_the_words_that_matched():
    found = detect_skills("Python developer. Kept it honest with py.test suites.", SKILLS)
    [entry] = [e for e in found if e["skill"] == "Testing and debugging"]
    assert entry["keyword"] == "py.test"  # the wording found, so that the page can highlight it
    assert ("py.test", True) in highlight_segments(entry["snippet"], entry["keyword"])


# --- scanned PDFs: OCR with Tesseract when installed -------------------------------------------------

SCANNED = [
    "# Nadia Petrova - Python Developer",
    "Backend developer at Rilaworks (2019-2025)",
    "- Flask services backed by PostgreSQL through SQLAlchemy.",
]


@pytest.mark.ocr
def test_a_scanned_pdf_is_read_with_ocr():
    text = extract_text(pdf_scanned(SCANNED), PDF_CONTENT_TYPE)
    assert "Nadia Petrova" in text
    assert {"Python proficiency", "Flask core framework", "Database integration"} <= found_skills(text)


def scan_in(mode: str, image_format: str) -> bytes:
    """A one-image PDF whose image fpdf2 embeds as Flate grey or RGB, JPEG, or CCITT fax (1 bit)."""
    image = Image.new("L", (1654, 600), 255)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    ImageDraw.Draw(image).text((100, 100), "Jane Scan - Python and Flask developer", font=font, fill=0)
    buffer = io.BytesIO()
    image.convert(mode).save(buffer, format=image_format)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=0, y=0, w=210)
    return bytes(pdf.output())


def one_bit_flate_scan() -> bytes:
    """A PDF whose only image is 1 bit per pixel, Flate-compressed (fpdf2 would write fax instead)."""
    image = Image.new("L", (1654, 600), 255)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    ImageDraw.Draw(image).text((100, 100), "Jane Scan - Python and Flask developer", font=font, fill=0)
    bits = image.convert("1")
    stream = zlib.compress(bits.tobytes())  # Pillow's 1-bit rows are packed and padded as a PDF's are
    content = b"q 595 0 0 216 0 600 cm /Im1 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 1 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (*bits.size, len(stream))
        + stream
        + b"\nendstream",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 3 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
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


@pytest.mark.ocr
@pytest.mark.parametrize(
    "build",
    [
        lambda: scan_in("L", "PNG"),
        lambda: scan_in("RGB", "PNG"),
        lambda: scan_in("RGB", "JPEG"),
        lambda: scan_in("1", "PNG"),
        one_bit_flate_scan,
    ],
    ids=["grey-flate", "rgb-flate", "jpeg", "one-bit-fax", "one-bit-flate"],
)
def test_scans_in_the_usual_image_encodings_are_recognised(build):
    text = extract_text(build(), PDF_CONTENT_TYPE)
    assert "Python and Flask developer" in text


@pytest.mark.ocr
def test_ocr_runs_within_the_time_limit():
    limits = ReadingLimits(ocr_seconds=0.05)
    with pytest.raises(ResumeUnreadable, match=r"text recognition \(OCR\) of this scanned file takes longer"):
        extract_text(pdf_scanned(SCANNED * 12), PDF_CONTENT_TYPE, limits)


@pytest.mark.ocr
def test_ocr_runs_within_the_memory_limit():
    # A full A4 page at 300 dpi: Tesseract needs well over 90 MB for it, the reader alone about 60.
    page = Image.new("L", (2480, 3508), 255)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 42)
    ImageDraw.Draw(page).text((200, 200), "Python Flask developer", font=font, fill=0)
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=0, y=0, w=210, h=297)
    scan = bytes(pdf.output())
    assert "Python Flask developer" in extract_text(scan, PDF_CONTENT_TYPE)
    with pytest.raises(ResumeUnreadable, match=r"text recognition \(OCR\) could not read its images"):
        extract_text(scan, PDF_CONTENT_TYPE, ReadingLimits(memory_mb=90))


@pytest.mark.ocr
def test_a_pdf_with_neither_text_nor_a_scan_says_so():
    pdf = FPDF()
    pdf.add_page()
    with pytest.raises(ResumeUnreadable, match="no selectable text, and no scanned page to recognise"):
        extract_text(bytes(pdf.output()), PDF_CONTENT_TYPE)


def test_without_tesseract_a_scanned_pdf_says_so(monkeypatch):
    from hirewise.candidates import resumes

    monkeypatch.setattr(resumes, "tesseract_path", lambda: None)
    with pytest.raises(ResumeUnreadable) as caught:
        extract_text(pdf_scanned(SCANNED), PDF_CONTENT_TYPE)
    assert "no selectable text" in caught.value.message
    assert "Tesseract" in caught.value.message and "not installed" in caught.value.message


def test_tesseract_is_found_when_installed():
    from hirewise.candidates import resumes

    assert resumes.tesseract_path() == shutil.which("tesseract")
