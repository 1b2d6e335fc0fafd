"""Build the labelled résumé files under ``bench/resumes/files`` (committed; rerun only to change them).

Every person here is invented. The files cover the shapes résumés arrive in: PDF in one and two
columns (fpdf2, and LibreOffice's own PDF and DOCX output), DOCX with text in headers and footers,
nested tables and text boxes, Chinese, Polish, German and French text, people who are not
developers, and scans (an image in a PDF, no text layer). Their labels are in ``labels.yaml``.

    python -m bench.resumes.generate            # needs fpdf2, python-docx, Pillow; soffice for the LibreOffice files
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from html import escape
from pathlib import Path

import docx
from docx.oxml import parse_xml
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).with_name("files")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = (
    f'xmlns:w="{W_NS}" xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
)


# --- writers --------------------------------------------------------------------------------------


def _pdf() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", FONT)
    pdf.add_font("DejaVu", "B", FONT_BOLD)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    return pdf


def pdf_single_column(lines: list[str]) -> bytes:
    """One column; a line starting with '# ' is a heading."""
    pdf = _pdf()
    for line in lines:
        heading = line.startswith("# ")
        pdf.set_font("DejaVu", "B" if heading else "", 13 if heading else 10.5)
        pdf.multi_cell(0, 6, line[2:] if heading else line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def pdf_two_columns(header: list[str], left: list[str], right: list[str]) -> bytes:
    """A full-width header, then a narrow left column and a wide right one, written row by row
    (as table-based layouts are): the content stream alternates between the columns."""
    pdf = _pdf()
    y = 18.0
    for line in header:
        pdf.set_font("DejaVu", "B", 15 if y == 18.0 else 10)
        pdf.text(12, y, line)
        y += 7
    y += 4
    pdf.set_font("DejaVu", "", 9.5)
    for row in range(max(len(left), len(right))):
        if row < len(left):
            pdf.text(12, y, left[row])
        if row < len(right):
            pdf.text(78, y, right[row])
        y += 5.2
    return bytes(pdf.output())


def pdf_scanned(lines: list[str]) -> bytes:
    """The text drawn into a 200 dpi greyscale image, and only that image in the PDF."""
    width, height = 1654, 2339  # A4 at 200 dpi
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    body = ImageFont.truetype(FONT, 30)
    bold = ImageFont.truetype(FONT_BOLD, 40)
    y = 140
    for line in lines:
        heading = line.startswith("# ")
        draw.text((140, y), line[2:] if heading else line, font=bold if heading else body, fill=0)
        y += 62 if heading else 48
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=0, y=0, w=210, h=297)
    return bytes(pdf.output())


def _save(document: docx.Document) -> bytes:  # type: ignore[valid-type]
    buffer = io.BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()


def _text_box_xml(lines: list[str], drawingml: bool) -> str:
    paragraphs = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>' for line in lines
    )
    content = f"<w:txbxContent>{paragraphs}</w:txbxContent>"
    vml = (
        '<w:pict><v:shape style="position:absolute;width:200pt;height:300pt">'
        f"<v:textbox>{content}</v:textbox></v:shape></w:pict>"
    )
    if not drawingml:
        return f"<w:r {NAMESPACES}>{vml}</w:r>"
    # What Word writes: DrawingML for new readers, the same text again in VML for old ones.
    drawing = (
        '<w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" '
        'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="page"><wp:posOffset>400000</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="page"><wp:posOffset>900000</wp:posOffset></wp:positionV>'
        '<wp:extent cx="2500000" cy="4000000"/><wp:wrapSquare wrapText="bothSides"/>'
        '<wp:docPr id="%d" name="Text Box"/><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        '<wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2500000" cy="4000000"/>'
        '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>'
        f"<wps:txbx>{content}</wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor>"
        "</w:drawing>"
    ) % (zlib.crc32(lines[0].encode()) % 10000 + 1)
    return (
        f'<w:r {NAMESPACES}><mc:AlternateContent><mc:Choice Requires="wps">{drawing}</mc:Choice>'
        f"<mc:Fallback>{vml}</mc:Fallback></mc:AlternateContent></w:r>"
    )


def add_text_box(paragraph, lines: list[str], drawingml: bool = True) -> None:
    paragraph._p.append(parse_xml(_text_box_xml(lines, drawingml)))


def add_nested_table(document, outer: list[tuple[str, list[list[str]]]]) -> None:
    """A two-column outer table: a label cell, and a cell holding its own table."""
    table = document.add_table(rows=0, cols=2)
    for label, rows in outer:
        cells = table.add_row().cells
        cells[0].text = label
        inner = cells[1].add_table(rows=0, cols=len(rows[0]))
        for values in rows:
            inner_cells = inner.add_row().cells
            for cell, value in zip(inner_cells, values, strict=True):
                cell.text = value


def docx_document(
    body: list[str],
    header: list[str] | None = None,
    footer: list[str] | None = None,
    build: Callable[[docx.Document], None] | None = None,  # type: ignore[valid-type]
) -> bytes:
    document = docx.Document()
    section = document.sections[0]
    for line in header or []:
        section.header.add_paragraph(line)
    for line in footer or []:
        section.footer.add_paragraph(line)
    for line in body:
        if line.startswith("# "):
            document.add_heading(line[2:], level=2)
        else:
            document.add_paragraph(line)
    if build is not None:
        build(document)
    return _save(document)


def libreoffice(html_body: str, target: str) -> bytes:
    """``html_body`` converted by LibreOffice (``soffice --headless --convert-to``) to pdf or docx."""
    soffice = shutil.which("soffice")
    if soffice is None:
        sys.exit("soffice is needed for the LibreOffice files: apt-get install libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "resume.html"
        source.write_text(f"<html><head><meta charset='utf-8'></head><body>{html_body}</body></html>")
        filter_name = "docx:MS Word 2007 XML" if target == "docx" else "pdf:writer_pdf_Export"
        subprocess.run(
            [
                soffice,
                "--headless",
                f"-env:UserInstallation=file://{work}/profile",
                "--infilter=HTML (StarWriter)",
                "--convert-to",
                filter_name,
                "--outdir",
                work,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return (Path(work) / f"resume.{target}").read_bytes()


def html(lines: list[str]) -> str:
    return "".join(
        f"<h2>{escape(line[2:])}</h2>" if line.startswith("# ") else f"<p>{escape(line)}</p>"
        for line in lines
    )


def html_two_columns(header: list[str], left: list[str], right: list[str]) -> str:
    return (
        html(header)
        + '<table width="100%" cellpadding="6"><tr><td width="32%" valign="top">'
        + html(left)
        + '</td><td valign="top">'
        + html(right)
        + "</td></tr></table>"
    )


# --- the résumés ----------------------------------------------------------------------------------


def r01() -> bytes:
    return pdf_single_column(
        [
            "# Anna Kowalczyk - Python Developer",
            "anna.kowalczyk@example.com · https://github.com/akowalczyk · +48 600 100 200",
            "# Summary",
            "Backend developer with six years of Python, building web applications in Flask.",
            "# Experience",
            "Senior Backend Developer, Larkspur Logistics (2021-2025)",
            "- Built a shipment-tracking REST API with Flask and Flask-Smorest, documented in OpenAPI.",
            "- Modelled data in PostgreSQL through SQLAlchemy, with Alembic migrations.",
            "- Wrote unit tests and integration tests with pytest; coverage above 90%.",
            "- Moved background e-mail sending to Celery workers with Redis as the broker.",
            "Backend Developer, Quillmate (2019-2021)",
            "- Maintained a Django monolith; packaged services in Docker and deployed them to AWS ECS.",
            "- Set up GitHub Actions pipelines for tests and deployments.",
            "# Education",
            "MSc Computer Science, Wroclaw University of Science and Technology",
        ]
    )


def r02() -> bytes:
    return pdf_single_column(
        [
            "# Ben Okafor - Full-stack engineer",
            "https://benokafor.dev · https://www.linkedin.com/in/benokafor",
            "# Profile",
            "I build Flask back ends and Vue.js front ends. Outside work I rest, climb and cook.",
            "# Experience",
            "Full-stack Engineer, Fernhill Health (2020-2025)",
            "- Developed patient-portal features in Flask with Jinja2 templates and Vue.js components.",
            "- Fixed an SQL injection found in a legacy report endpoint and added parameterised queries.",
            "- Wrote the rest of the onboarding flow in TypeScript.",
            "- Cut page load times in half by caching rendered fragments in Redis.",
            "# Skills",
            "Python, Flask, Vue.js, TypeScript, Redis, HTML, CSS",
        ]
    )


def r03() -> bytes:
    return pdf_two_columns(
        ["Chen Jing", "Backend Engineer · chen.jing@example.org · Shanghai"],
        [
            "CONTACT",
            "+86 138 0000 0000",
            "",
            "SKILLS",
            "Python",
            "Flask",
            "SQLAlchemy",
            "MySQL",
            "Docker, Kubernetes",
            "Git, Jenkins",
            "",
            "LANGUAGES",
            "Mandarin, English",
        ],
        [
            "EXPERIENCE",
            "Backend Engineer, Orbitline (2019-present)",
            "Designed the RESTful API of the billing platform",
            "with Flask blueprints and marshmallow schemas.",
            "Tuned slow MySQL reports with query optimization",
            "and new indexes; p95 latency fell from 2 s to 300 ms.",
            "Ran every service in Docker on Kubernetes, released",
            "through a Jenkins pipeline.",
            "",
            "Junior Developer, Lanternfish (2017-2019)",
            "Python scripts that reconciled payments nightly.",
        ],
    )


def r04() -> bytes:
    return pdf_two_columns(
        ["Daniel Weber", "Python developer · Hamburg · daniel.weber@example.net"],
        [
            "SKILLS",
            "Python 3",
            "Flask / Werkzeug",
            "PostgreSQL",
            "Redis",
            "Nginx, Gunicorn",
            "HTML & CSS",
            "py.test",
        ],
        [
            "EXPERIENCE",
            "Backend Developer, Tidewater Analytics (2018-2024)",
            "Wrote asynchronous data collectors with asyncio",
            "and aiohttp that poll 4,000 weather stations.",
            "Exposed the results through a JSON REST API",
            "consumed by the dashboards.",
            "Put Redis caching in front of slow aggregate",
            "queries; deployed behind Nginx and Gunicorn.",
            "Kept the collectors honest with py.test suites.",
        ],
    )


def r05() -> bytes:
    return docx_document(
        header=["Eva Lindqvist · Python · Flask · PostgreSQL · Docker"],
        body=[
            "# Experience",
            "Software developer with four years at a fintech start-up, Skarholm Pay.",
            "Built internal tools in Flask and a partner API with Flask-RESTX.",
            "Wrote integration tests with pytest and the Flask test client.",
            "Set up GitLab CI for the team of six.",
        ],
        footer=["github.com/evalind · eva.lindqvist@example.se"],
    )


def r06() -> bytes:
    def build(document) -> None:
        add_nested_table(
            document,
            [
                (
                    "Experience",
                    [
                        [
                            "Kestrel Media",
                            "Backend developer",
                            "Designed MongoDB schemas and queries with PyMongo",
                        ],
                        [
                            "Kestrel Media",
                            "Backend developer",
                            "Secured the public endpoints with JWT and OAuth2",
                        ],
                    ],
                ),
                ("Skills", [["Backend", "Python, Flask, MongoDB"], ["Frontend", "React, JavaScript"]]),
            ],
        )

    return docx_document(body=["# Farid Haddad", "Web developer, Lyon"], build=build)


def r07() -> bytes:
    def build(document) -> None:
        add_text_box(document.add_paragraph(), ["SKILLS", "Python, Flask, SQLite", "Jinja2, Bootstrap, HTMX"])
        add_text_box(
            document.add_paragraph(),
            [
                "Built a booking system for a dental clinic in Flask with SQLite;",
                "server-rendered pages with Jinja2 and HTMX.",
                "Protected every form against CSRF with Flask-WTF.",
            ],
        )

    return docx_document(body=["Greta Novák, Brno"], build=build)


def r08() -> bytes:
    def build(document) -> None:
        add_nested_table(
            document,
            [
                ("Monitoring", [["Errors", "Sentry alerts and structured logging for every service"]]),
                (
                    "Performance",
                    [
                        ["Profiling", "Profiled slow endpoints with py-spy"],
                        ["Queries", "Added indexing to the hottest PostgreSQL tables"],
                    ],
                ),
            ],
        )

    return docx_document(
        header=["Hiro Tanaka — Backend & Platform"],
        body=[
            "Platform engineer who writes Python services.",
            "Terraform on Google Cloud, Kubernetes with Helm charts.",
            "Automated deployments with Argo CD for forty services.",
        ],
        footer=["References on request"],
        build=build,
    )


def r09() -> bytes:
    return libreoffice(
        html(
            [
                "# Inès Moreau - Junior web developer",
                "Bootcamp graduate (Le Wagon, 2024).",
                "Built three projects in Python and Flask, one of them a recipe site with user accounts.",
                "Pages written in HTML5 and CSS3 with some JavaScript for the forms.",
                "Data kept in SQLite; the recipe site is deployed on Heroku.",
                "Version control with Git.",
            ]
        ),
        "pdf",
    )


def r10() -> bytes:
    return libreoffice(
        html(["# Jonas Berg - Data engineer", "Oslo · jonas.berg@example.no"])
        + "<table border='1'><tr><td>2020-2025</td><td>Fjordline Energy</td><td>"
        "Built ETL pipelines in Python with pandas, scheduled with Airflow, loading a PostgreSQL "
        "warehouse.</td></tr><tr><td>2020-2025</td><td>Fjordline Energy</td><td>Ingested meter "
        "readings through Celery workers and RabbitMQ; every service in Docker.</td></tr>"
        "<tr><td>2018-2020</td><td>Norwave</td><td>Wrote unit tests for every transformation.</td></tr>"
        "</table>",
        "docx",
    )


def r11() -> bytes:
    return docx_document(
        body=[
            "李伟 — Python后端工程师",
            "# 专业技能",
            "熟悉Python和Flask，了解Werkzeug原理。",  # noqa: RUF001 - Chinese punctuation
            "使用SQLAlchemy操作MySQL数据库，编写Alembic迁移脚本。",  # noqa: RUF001 - Chinese punctuation
            "用Celery处理异步任务，使用Redis做缓存。",  # noqa: RUF001 - Chinese punctuation
            "使用pytest编写单元测试。",
            "使用Docker部署到阿里云。",
            "熟悉Git和Jenkins持续集成。",
        ]
    )


def r12() -> bytes:
    return pdf_single_column(
        [
            "# Marta Zielińska - Programistka Python",
            "# Doświadczenie",
            "Programistka backend, Sklepik.pl (2020-2025)",
            "• Tworzenie aplikacji webowych we Flasku i Pythonie 3.",
            "• Projektowanie REST API, dokumentacja w Swaggerze.",
            "• Bazy danych: PostgreSQL, SQLAlchemy.",
            "• Testy jednostkowe w pytest, podejście TDD.",
            "• Wdrożenia na AWS (EC2, S3) z użyciem Dockera.",
            "# Umiejętności",
            "Python, Flask, HTML, CSS, JavaScript, Git",
        ]
    )


def r13() -> bytes:
    return pdf_single_column(
        [
            "# Klaus Richter - Softwareentwickler",
            "# Berufserfahrung",
            "Backend-Entwickler, Nordlicht Versicherung (2017-2025)",
            "- Entwicklung von Webanwendungen mit Python und Flask",
            "- Schnittstellen (REST-APIs) mit JSON und OpenAPI",
            "- Datenbankanbindung über SQLAlchemy an Oracle und PostgreSQL",
            "- Testgetriebene Entwicklung mit pytest",
            "- Absicherung gegen XSS und CSRF, Passwort-Hashing mit Argon2",
            "# Kenntnisse",
            "Python, Flask, SQL, Linux, Git",
        ]
    )


def r14() -> bytes:
    return pdf_single_column(
        [
            "# Laura Mendes - Regional Sales Manager",
            "https://www.linkedin.com/in/lauramendes · laura.mendes@example.com",
            "# Experience",
            "Regional Sales Manager, Brightwater Foods (2016-2025)",
            "- Led a team of 12 account managers; raised regional sales performance by 18%.",
            "- Built rapport with clients and helped them react quickly to market changes.",
            "- Owned the CRM data and weekly reports in Excel and Salesforce.",
            "- Secured coverage in three trade magazines; won security firms as clients.",
            "- Took a sabbatical in 2019 to rest and travel.",
            "# Skills",
            "Negotiation, forecasting, presentations, Microsoft Office, Salesforce",
        ]
    )


def r15() -> bytes:
    return docx_document(
        header=["Marek Dvořák · Logistics coordinator"],
        body=[
            "# Experience",
            "Logistics coordinator, Vltava Freight (2015-2025)",
            "Route optimization for 40 trucks saved 12% of fuel a year.",
            "Organised the loading dock and the night shift rota; improved on-time performance.",
            "Health and safety training, site security walk-throughs, forklift licence.",
            "# Tools",
            "Excel (pivot tables), SAP, Microsoft Teams",
        ],
    )


def r16() -> bytes:
    return pdf_scanned(
        [
            "# Nadia Petrova - Python Developer",
            "Sofia, Bulgaria - nadia.petrova@example.bg",
            "# Experience",
            "Backend developer at Rilaworks (2019-2025)",
            "- Flask services backed by PostgreSQL through SQLAlchemy.",
            "- Background processing of invoices with Celery.",
            "- Test suites with pytest; services shipped as Docker images.",
        ]
    )


def r17() -> bytes:
    return pdf_single_column(
        [
            "# Oscar Lindgren - Backend developer",
            "# Experience",
            "Backend developer, Saltmarsh Games (2021-2025)",
            "- Flask APIs in Python 3.11 returning JSON for the Vue.js admin panel;",
            "  built some of its Vue.js components myself.",
            "- Asynchronous processing of match results with a task queue.",
            "- Unit tests for every endpoint, run on each merge request.",
            "- Data in Postgres; a few Node.js scripts for the build.",
        ]
    )


def r18() -> bytes:
    return pdf_single_column(
        [
            "# Priya Raman - Backend developer",
            "# Experience",
            "Backend developer, Juniper Learning (2019-2025)",
            "- Practised test-driven development on a large Flask codebase in Python.",
            "- Wrote unit tests and end-to-end tests with Playwright; mocked external services.",
            "- Mentored the rest of the team on code review.",
            "- Completed OWASP Top 10 training; led the yearly security review.",
        ]
    )


def r19() -> bytes:
    return docx_document(
        header=["Quentin Dubois — Développeur Python"],
        body=[
            "# Expérience",
            "Développeur backend, Ateliers Garonne (2018-2025)",
            "Développement d'applications web avec Flask et SQLAlchemy sur PostgreSQL.",
            "Tests unitaires avec pytest ; intégration continue avec GitLab CI.",
            "Déploiement des conteneurs Docker sur OVHcloud.",
            "Du point de vue du client, les délais de livraison ont été divisés par deux.",
        ],
    )


def r20() -> bytes:
    return pdf_single_column(
        [
            "# Rosa Álvarez - Site reliability engineer",
            "# Experience",
            "SRE, Cordillera Travel (2018-2025)",
            "- Ran 60 services on Kubernetes in AWS; infrastructure in Terraform; some AWS Lambda functions.",
            "- Jenkins and Ansible for builds and releases.",
            "- Python scripts for automation and incident tooling.",
            "- Load testing with Locust before every peak season; cut p99 latency by 40%.",
        ]
    )


def r21() -> bytes:
    def build(document) -> None:
        add_text_box(
            document.add_paragraph(),
            [
                "Tools: Python, pandas, scikit-learn, Jupyter",
                "SQL queries on Google Cloud BigQuery",
            ],
            drawingml=False,
        )
        document.add_paragraph("Built small Flask apps so that analysts could try each model.")

    return docx_document(
        header=["Sam Fischer · Data scientist · Zürich"],
        body=[
            "# Experience",
            "Data scientist, Alpenglow Insurance (2020-2025)",
            "Churn and pricing models for the retail insurance line.",
        ],
        build=build,
    )


def r22() -> bytes:
    return pdf_two_columns(
        ["Tomasz Wróbel", "Application security engineer turned developer · Gdańsk"],
        ["SKILLS", "OWASP Top 10", "XSS, CSRF", "TLS", "bcrypt", "Python", "Flask", "PostgreSQL"],
        [
            "EXPERIENCE",
            "Security engineer, Baltic Payments (2016-2021)",
            "Penetration tests of web applications; wrote",
            "guidance on password hashing with bcrypt.",
            "",
            "Developer, Baltic Payments (2021-2025)",
            "Flask services in Python; enforced row-level",
            "security policies in PostgreSQL.",
        ],
    )


def r23() -> bytes:
    def build(document) -> None:
        add_nested_table(
            document,
            [
                ("Skills", [["Frameworks", "React, TypeScript"], ["Basics", "HTML, CSS, Sass"]]),
                (
                    "Projects",
                    [
                        ["Atlas UI", "Component library with Jest and Cypress tests"],
                        ["Prototypes", "Wrote small Flask endpoints for prototypes"],
                    ],
                ),
            ],
        )

    return docx_document(body=["# Uma Patel - Frontend developer", "Leeds"], build=build)


def r24() -> bytes:
    return libreoffice(
        html_two_columns(
            ["# Viktor Sokolov - Python developer"],
            [
                "Skills",
                "Python",
                "Flask, Flask-SQLAlchemy",
                "MariaDB",
                "Celery, RabbitMQ",
                "Docker Compose",
                "GitHub",
            ],
            [
                "Backend developer, Tallinn Parcel (2019-2025)",
                "Order service in Flask with Flask-SQLAlchemy on MariaDB.",
                "Label printing moved to Celery workers fed by RabbitMQ.",
                "Served by Gunicorn; the whole stack runs with Docker Compose.",
                "Code reviewed and merged on GitHub.",
            ],
        ),
        "pdf",
    )


def r25() -> bytes:
    return docx_document(
        body=[
            "张文 — 全栈开发工程师",
            "精通JavaScript、HTML和CSS，使用Vue.js开发单页应用。",  # noqa: RUF001 - Chinese punctuation
            "后端使用Python的Flask框架编写RESTful接口。",
            "熟悉MongoDB。",
            "了解单元测试。",
        ]
    )


def r26() -> bytes:
    return pdf_two_columns(
        ["Xenia Kraus", "Werkstudentin Informatik · Leipzig"],
        ["KENNTNISSE", "Python", "Django", "Docker", "Git"],
        [
            "ERFAHRUNG",
            "Werkstudentin, Auenwald Software (2023-2025)",
            "REST-Schnittstellen mit Django für eine",
            "Termin-App; asynchrone Programmierung mit asyncio.",
            "Container mit Docker, Versionierung mit Git.",
        ],
    )


def r27() -> bytes:
    return pdf_scanned(
        [
            "# Yusuf Demir - Backend developer",
            "Izmir - yusuf.demir@example.com.tr",
            "# Experience",
            "Backend developer, Egeport (2020-2025)",
            "- REST API in Python and Flask with JWT authentication.",
            "- PostgreSQL database; Redis caching for the product catalogue.",
            "- GitHub Actions runs the tests and deploys each release.",
        ]
    )


def r28() -> bytes:
    return pdf_single_column(
        [
            "# Zofia Mazur - Analytical chemist",
            "# Experience",
            "Analytical chemist, Wisła Pharma (2014-2025)",
            "- Titrations and sample preparation in an Erlenmeyer flask; HPLC method optimization.",
            "- Wrote the laboratory safety and security protocols for the site.",
            "- Kept the instrument logging sheets and calibration records.",
            "# Skills",
            "HPLC, GC-MS, LIMS, Excel",
        ]
    )


RESUMES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "r01_anna_kowalczyk": ("pdf", r01),
    "r02_ben_okafor": ("pdf", r02),
    "r03_chen_jing": ("pdf", r03),
    "r04_daniel_weber": ("pdf", r04),
    "r05_eva_lindqvist": ("docx", r05),
    "r06_farid_haddad": ("docx", r06),
    "r07_greta_novak": ("docx", r07),
    "r08_hiro_tanaka": ("docx", r08),
    "r09_ines_moreau": ("pdf", r09),
    "r10_jonas_berg": ("docx", r10),
    "r11_li_wei": ("docx", r11),
    "r12_marta_zielinska": ("pdf", r12),
    "r13_klaus_richter": ("pdf", r13),
    "r14_laura_mendes": ("pdf", r14),
    "r15_marek_dvorak": ("docx", r15),
    "r16_nadia_petrova": ("pdf", r16),
    "r17_oscar_lindgren": ("pdf", r17),
    "r18_priya_raman": ("pdf", r18),
    "r19_quentin_dubois": ("docx", r19),
    "r20_rosa_alvarez": ("pdf", r20),
    "r21_sam_fischer": ("docx", r21),
    "r22_tomasz_wrobel": ("pdf", r22),
    "r23_uma_patel": ("docx", r23),
    "r24_viktor_sokolov": ("pdf", r24),
    "r25_wen_zhang": ("docx", r25),
    "r26_xenia_kraus": ("pdf", r26),
    "r27_yusuf_demir": ("pdf", r27),
    "r28_zofia_mazur": ("pdf", r28),
}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, (extension, build) in RESUMES.items():
        data = build()
        (OUT / f"{name}.{extension}").write_bytes(data)
        print(f"{name}.{extension}: {len(data):,} bytes")


if __name__ == "__main__":
    main()
