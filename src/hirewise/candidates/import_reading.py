"""Reading an import file into checked candidate records: pure Python, no Flask, no database.

One pipeline for every shape people bring: a CSV file from a spreadsheet or another tracker (any of
the usual delimiters, UTF-8 with or without a BOM, or a Windows code page) and JSON Resume documents
(https://jsonresume.org/schema: ``basics``, ``work``, ``education``, ``skills``). Both become a
:class:`Table` (headers and rows), its columns are mapped to candidate fields (:func:`suggest_mapping`
recognises the common headers), and :func:`check_rows` turns each row into a :class:`CandidateRecord`
or the problems found in it, by line and column.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum
from functools import lru_cache
from typing import Any

from email_validator import EmailNotValidError, validate_email

from hirewise.candidates.fields import (
    MAX_LINK,
    MAX_LINKS,
    MAX_NAME,
    MAX_NOTE,
    MAX_PHONE,
    collect_candidate_errors,
    is_web_url,
)

DELIMITERS = ",;\t|"
PREVIEW_ROWS = 5
MAX_COLUMNS = 200
MAX_CELL = 10_000
# Bytes 0x80-0x9F are printable in cp1252 (the euro sign, curly quotes) and control codes in latin-1.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
# The conservative dot-atom most addresses are: accepted without the full validator, which is slow
# on 100,000 rows. Anything else still goes through email_validator.
_SIMPLE_LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_PHONE = re.compile(r"^[0-9+()./\- ]*(?:(?:ext\.?|x)\s*[0-9]+)?$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINK_SEPARATORS = re.compile(r"[\s;,]+")  # as fields.split_links splits a cell


class ImportFileError(ValueError):
    """The file cannot be read at all (not a row's problem): the message says why."""


class Target(StrEnum):
    """What a column of the file becomes."""

    IGNORE = "ignore"
    FULL_NAME = "full_name"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    EMAIL = "email"
    PHONE = "phone"
    LINKS = "links"
    SOURCE = "source"
    TAGS = "tags"
    APPLIED_AT = "applied_at"
    # Numeric dates with slashes or dashes are read in the order the column's data shows (13/04 can
    # only be day first); when every date of the column could be either, its mapping says which.
    APPLIED_AT_DAY_FIRST = "applied_at_day_first"
    APPLIED_AT_MONTH_FIRST = "applied_at_month_first"
    STAGE = "stage"
    NOTE = "note"


# Several columns may feed these (OpenCATS has three phone columns, Greenhouse a website and a social
# media column): the first non-empty phone wins; links, tags and notes are joined.
MULTI_COLUMN_TARGETS = frozenset({Target.PHONE, Target.LINKS, Target.TAGS, Target.NOTE})

_HEADER_WORDS: dict[Target, tuple[str, ...]] = {
    Target.FULL_NAME: ("name", "full name", "fullname", "candidate name", "candidate", "applicant name"),
    Target.FIRST_NAME: ("first name", "firstname", "first", "given name", "forename"),
    Target.LAST_NAME: ("last name", "lastname", "last", "surname", "family name"),
    Target.EMAIL: ("email", "e mail", "email address", "e mail address", "primary email", "personal email"),
    Target.PHONE: (
        "phone",
        "phone number",
        "telephone",
        "mobile",
        "mobile phone",
        "cell phone",
        "cell",
        "home phone",
        "work phone",
        "primary phone",
    ),
    Target.LINKS: (
        "links",
        "link",
        "website",
        "websites",
        "web site",
        "url",
        "linkedin",
        "linkedin url",
        "linkedin profile",
        "github",
        "portfolio",
        "social media",
    ),
    Target.SOURCE: ("source", "candidate source", "application source", "origin"),
    Target.TAGS: ("tags", "tag", "labels", "key skills", "skills"),
    Target.APPLIED_AT: (
        "applied at",
        "applied",
        "applied date",
        "date applied",
        "application date",
        "created",
        "created at",
        "created date",
        "date created",
        "date added",
    ),
    Target.STAGE: ("stage", "current stage"),
    Target.NOTE: ("note", "notes", "comments", "summary"),
}
_HEADER_TARGET = {word: target for target, words in _HEADER_WORDS.items() for word in words}
APPLIED_AT_TARGETS = frozenset(
    {Target.APPLIED_AT, Target.APPLIED_AT_DAY_FIRST, Target.APPLIED_AT_MONTH_FIRST}
)

# What other trackers call the ways people arrive, in our words (ApplicationSource values).
SOURCE_WORDS = {
    "careers": "careers",
    "careers page": "careers",
    "company website": "careers",
    "jobs page": "careers",
    "job board": "careers",
    "applied": "careers",
    "referral": "referral",
    "referred": "referral",
    "employee referral": "referral",
    "sourced": "sourced",
    "prospecting": "sourced",
    "linkedin": "sourced",
    "agency": "sourced",
    "import": "import",
    "api": "api",
    "other": "other",
}


def normalise_header(header: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", header.lower()).split())


@dataclass(frozen=True)
class Table:
    """The file as rows of cells; ``lines[i]`` is the line (or, for JSON, the document) of ``rows[i]``."""

    kind: str  # "csv" or "json"
    encoding: str
    delimiter: str
    headers: list[str]
    rows: list[list[str]]
    lines: list[int]

    def preview(self, count: int = PREVIEW_ROWS) -> list[list[str]]:
        return [row[: len(self.headers)] for row in self.rows[:count]]


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class CandidateRecord:
    line: int
    full_name: str
    email: str
    phone: str
    links: list[str]
    source: str
    stage: str
    applied_at: datetime | None
    note: str
    tags: list[str] = field(default_factory=list)


# --- the file -------------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was read with: UTF-8 (with or without BOM), UTF-16
    with a BOM, else cp1252 (what Excel on Windows writes), else latin-1."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError("This is not a text file; save the spreadsheet as CSV (or JSON Resume).")
    candidates: tuple[str, ...]
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8", "cp1252", "latin-1")
    for encoding in candidates:
        if encoding == "cp1252" and _CP1252_UNDEFINED.intersection(data):
            continue
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileError("The file's characters could not be read; save it as UTF-8.")


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: csv.Sniffer's guess when the first lines agree with it, else the
    candidate that splits the header and the next lines into the same, largest number of columns."""
    sample_lines = text.splitlines()[:20]
    sample = "\n".join(sample_lines)
    try:
        guess = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        guess = None
    scores: dict[str, tuple[int, int]] = {}
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        agreeing = sum(1 for width in widths if width == widths[0])
        scores[delimiter] = (agreeing, widths[0])
    if guess in scores and scores[guess][0] == max(score[0] for score in scores.values()):
        return guess
    if scores:
        return max(scores, key=lambda delimiter: scores[delimiter])
    return ","


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector paused while a large file is read, checked and loaded.

    Its rows and records are hundreds of thousands of small objects that form no cycles and live
    until the load ends; the collector would walk them all again at every collection (measured: a
    third of reading and checking 100,000 rows). The pause is process-wide: in embedded mode other
    request threads' cycles wait until it ends (seconds: a file is at most MAX_IMPORT_BYTES), and
    reference counting frees everything else meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_table(data: bytes, filename: str) -> Table:
    """The file as a :class:`Table`: JSON Resume when it is JSON, else CSV."""
    text, encoding = decode(data)
    stripped = text.lstrip("\ufeff \t\r\n")
    with cyclic_gc_paused():
        if filename.lower().endswith(".json") or stripped.startswith(("{", "[")):
            return _json_resume_table(stripped, encoding)
        return _csv_table(text, encoding)


def _csv_table(text: str, encoding: str) -> Table:
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise ImportFileError("The file is empty: it needs a header row and at least one row.")
        headers = [cell.strip().lstrip("\ufeff") for cell in header]
        if len(headers) > MAX_COLUMNS:
            raise ImportFileError(f"The file has more than {MAX_COLUMNS} columns.")
        rows: list[list[str]] = []
        lines: list[int] = []
        for row in reader:
            if not "".join(row).strip():  # a blank line, or a row of empty cells
                continue
            rows.append(row)
            # The line the row ends on (a quoted cell may span lines); the header is line 1.
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise ImportFileError(f"The CSV file is malformed near line {reader.line_num}: {exc}.") from exc
    if not rows:
        raise ImportFileError("The file has a header row but no rows to import.")
    return Table("csv", encoding, delimiter, headers, rows, lines)


JSON_RESUME_HEADERS = ["name", "email", "phone", "links", "tags", "notes"]


def _json_resume_table(text: str, encoding: str) -> Table:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"The JSON is malformed at line {exc.lineno}: {exc.msg}.") from exc
    resumes = document if isinstance(document, list) else [document]
    if not resumes:
        raise ImportFileError("The JSON file holds no résumé.")
    rows = []
    for resume in resumes:
        if not isinstance(resume, dict) or not isinstance(resume.get("basics"), dict):
            raise ImportFileError(
                "Each résumé must be a JSON Resume object with a 'basics' section (jsonresume.org)."
            )
        rows.append(json_resume_row(resume))
    return Table("json", encoding, "", list(JSON_RESUME_HEADERS), rows, list(range(1, len(rows) + 1)))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _period(item: Mapping[str, Any]) -> str:
    start, end = _text(item.get("startDate")), _text(item.get("endDate"))
    if not (start or end):
        return ""
    return f" ({start or '?'} to {end or 'now'})"


def json_resume_row(resume: Mapping[str, Any]) -> list[str]:
    """One JSON Resume as a row of :data:`JSON_RESUME_HEADERS`: work and education become a note."""
    basics = resume["basics"]
    links = [_text(basics.get("url"))]
    for profile in basics.get("profiles") or []:
        if isinstance(profile, dict):
            links.append(_text(profile.get("url")))
    tags = []
    for skill in resume.get("skills") or []:
        if isinstance(skill, dict) and _text(skill.get("name")):
            tags.append(_text(skill.get("name")))
    notes = []
    for job in resume.get("work") or []:
        if isinstance(job, dict):
            role = " at ".join(part for part in (_text(job.get("position")), _text(job.get("name"))) if part)
            if role:
                notes.append(f"Work: {role}{_period(job)}")
    for school in resume.get("education") or []:
        if isinstance(school, dict):
            study = " ".join(
                part for part in (_text(school.get("studyType")), _text(school.get("area"))) if part
            )
            where = " at ".join(part for part in (study, _text(school.get("institution"))) if part)
            if where:
                notes.append(f"Education: {where}{_period(school)}")
    summary = _text(basics.get("summary"))
    if summary:
        notes.insert(0, summary)
    return [
        _text(basics.get("name")),
        _text(basics.get("email")),
        _text(basics.get("phone")),
        " ".join(link for link in links if link),
        "; ".join(tags),
        "\n".join(notes),
    ]


# --- the mapping ----------------------------------------------------------------------------------


def suggest_mapping(headers: Sequence[str], rows: Sequence[Sequence[str]] = ()) -> list[str]:
    """A target for each column, from its header; a single-column target goes to its first column.

    A date column whose slash dates show their order (a 13 or more in first or second place) is
    suggested as day first or month first."""
    mapping: list[str] = []
    taken: set[str] = set()
    for index, header in enumerate(headers):
        target = _HEADER_TARGET.get(normalise_header(header), Target.IGNORE)
        if target in taken and target not in MULTI_COLUMN_TARGETS:
            target = Target.IGNORE
        taken.add(target)
        if target == Target.APPLIED_AT:
            order = column_date_order(_column(rows, index))
            if order == DAY_FIRST:
                target = Target.APPLIED_AT_DAY_FIRST
            elif order == MONTH_FIRST:
                target = Target.APPLIED_AT_MONTH_FIRST
        mapping.append(target.value)
    return mapping


def _column(rows: Sequence[Sequence[str]], index: int) -> Iterator[str]:
    return (row[index] for row in rows if index < len(row))


def mapping_problems(
    headers: Sequence[str], mapping: Sequence[str], rows: Sequence[Sequence[str]] = ()
) -> list[str]:
    """Why a mapping cannot be used (empty when it can).

    ``rows`` are the file's rows: with them, a column mapped as a date in no stated order is refused
    when its slash dates could be read either way, rather than guessed."""
    if len(mapping) != len(headers):
        return [f"Give a target for each of the {len(headers)} columns."]
    problems = []
    targets = []
    for header, value in zip(headers, mapping, strict=True):
        try:
            targets.append(Target(value))
        except ValueError:
            problems.append(f"Column '{header}': unknown target '{value}'.")
    for target in set(targets) - MULTI_COLUMN_TARGETS - {Target.IGNORE}:
        if targets.count(target) > 1:
            problems.append(f"Only one column can be {target.value.replace('_', ' ')}.")
    if sum(1 for target in targets if target in APPLIED_AT_TARGETS) > 1:
        problems.append("Only one column can be the applied date.")
    if Target.EMAIL not in targets:
        problems.append("Choose the column that holds the email address.")
    if not {Target.FULL_NAME, Target.FIRST_NAME, Target.LAST_NAME} & set(targets):
        problems.append("Choose the column(s) that hold the name (full name, or first and last name).")
    if Target.APPLIED_AT in targets:
        index = targets.index(Target.APPLIED_AT)
        order = column_date_order(_column(rows, index))
        if order == AMBIGUOUS:
            example = next(value for value in _column(rows, index) if _NUMERIC_DATE.match(value.strip()))
            problems.append(
                f"Column '{headers[index]}': a date such as {example.strip()[:20]} can be read day first "
                "or month first, and no date in the file tells which. Choose 'Applied date, day/month/year' "
                "or 'Applied date, month/day/year' (in the API: applied_at_day_first or applied_at_month_first)."
            )
        elif order == MIXED:
            problems.append(
                f"Column '{headers[index]}' has dates written day first and others month first; "
                "correct the file so the column uses one order."
            )
    return problems


# --- the rows -------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _domain_is_valid(domain: str) -> bool:
    try:
        validate_email(f"a@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _quick_email(value: str) -> str | None:
    """The normalised address when it is a plain ``local@domain`` the validator accepts, else None
    (then the full validator decides and explains)."""
    email = value.strip().lower()
    local, at, domain = email.partition("@")
    if (
        not at
        or len(email) > 254
        or len(local) > 64
        or not _SIMPLE_LOCAL.match(local)
        or not domain.isascii()
    ):
        return None
    return email if _domain_is_valid(domain) else None


def _quick_links(cells: list[str]) -> list[str] | None:
    """The links as fields.py cleans them when every one is a plain web address, else None."""
    if not cells:
        return []
    links = list(dict.fromkeys(link for cell in cells for link in _LINK_SEPARATORS.split(cell) if link))
    if len(links) > MAX_LINKS or not all(len(link) <= MAX_LINK and is_web_url(link) for link in links):
        return None
    return links


DAY_FIRST, MONTH_FIRST, AMBIGUOUS, MIXED = "day_first", "month_first", "ambiguous", "mixed"
# 03/04/2024, 3-4-24, 03/04/2024 10:00: the numeric dates whose order the value alone may not tell.
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/-])(\d{1,2})\2(\d{2}|\d{4})(?:[ T].*)?$")
_ORDER_OF_TARGET = {Target.APPLIED_AT_DAY_FIRST: DAY_FIRST, Target.APPLIED_AT_MONTH_FIRST: MONTH_FIRST}


def column_date_order(values: Iterable[str]) -> str | None:
    """How a column writes its numeric dates: DAY_FIRST or MONTH_FIRST when some date shows it (a
    first or second number above 12), MIXED when dates show both, AMBIGUOUS when every one could be
    either, None when there is no such date."""
    day_first = month_first = seen = False
    for value in values:
        match = _NUMERIC_DATE.match(value.strip())
        if match is None:
            continue
        seen = True
        first, second = int(match.group(1)), int(match.group(3))
        day_first = day_first or (first > 12 >= second)
        month_first = month_first or (second > 12 >= first)
    if day_first and month_first:
        return MIXED
    if day_first:
        return DAY_FIRST
    if month_first:
        return MONTH_FIRST
    return AMBIGUOUS if seen else None


def parse_date(value: str, order: str | None = None) -> datetime | None:
    """A date or date-time as trackers write it: ISO 8601 (with T or a space, an offset, ``Z`` or
    ``UTC``), ``YYYY/MM/DD``, ``DD.MM.YYYY``, and numeric dates with slashes or dashes (``03/15/2024``,
    OpenCATS' ``03-15-24``) in the ``order`` given (DAY_FIRST or MONTH_FIRST). Without an order such a
    date is read only when the value itself tells (15/03/2024, 03/15/2024). Times without an offset
    are taken as UTC. ValueError when it is none of these."""
    text = value.strip().removesuffix("UTC").removesuffix("Z").strip()
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        parsed = None
    if parsed is None:
        day_part, _, time_part = text.partition(" ")
        parsed_day = None
        for pattern in ("%Y/%m/%d", "%d.%m.%Y"):
            try:
                parsed_day = datetime.strptime(day_part, pattern).date()
                break
            except ValueError:
                continue
        if parsed_day is None:
            parsed_day = _numeric_day(day_part, order or column_date_order([day_part]))
        moment = time.fromisoformat(time_part) if time_part else time()
        parsed = datetime.combine(parsed_day, moment)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _numeric_day(text: str, order: str | None) -> date:
    match = _NUMERIC_DATE.match(text)
    if match is None or order not in (DAY_FIRST, MONTH_FIRST):
        raise ValueError(text)
    first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    day, month = (first, second) if order == DAY_FIRST else (second, first)
    if len(match.group(4)) == 2:
        year += 2000 if year < 69 else 1900  # as strptime's %y reads two-digit years
    return date(year, month, day)


def source_value(value: str) -> tuple[str, str]:
    """(our source, the file's word when we had to fall back to "other" for it)."""
    word = " ".join(value.lower().split())
    if not word:
        return "import", ""
    known = SOURCE_WORDS.get(word)
    return (known, "") if known else ("other", value.strip())


_GUARDED = re.compile(r"'(?=[=+\-@\t\r])")


def unguard(cell: str) -> str:
    """A cell as written before a spreadsheet-safe export put ' before what looked like a formula."""
    return cell[1:] if _GUARDED.match(cell) else cell


def check_rows(
    table: Table,
    mapping: Sequence[str],
    *,
    start: int = 0,
    stop: int | None = None,
    date_order: str | None = None,
) -> Iterator[CandidateRecord | list[RowProblem]]:
    """Each row from ``start`` to ``stop`` as a record, or the list of its problems.

    ``date_order`` is :func:`date_order_of` the table and mapping (worked out here when not given;
    a caller checking the rows in slices gives it, so the column is read once)."""
    columns: dict[Target, list[int]] = {}
    for index, value in enumerate(mapping):
        target = Target(value)
        if target in APPLIED_AT_TARGETS:
            target = Target.APPLIED_AT
        if target != Target.IGNORE:
            columns.setdefault(target, []).append(index)
    plan = list(columns.items())
    header_of = {target: table.headers[indexes[0]] for target, indexes in plan}
    order = date_order if date_order is not None else date_order_of(table, mapping)
    for offset, row in enumerate(table.rows[start:stop], start=start):
        yield _check_row(_values(row, plan), table.lines[offset], header_of, order)


def date_order_of(table: Table, mapping: Sequence[str]) -> str | None:
    """The order of the applied date column's numeric dates: the mapping's, or the data's."""
    for index, value in enumerate(mapping):
        if value in APPLIED_AT_TARGETS:
            return _ORDER_OF_TARGET.get(Target(value)) or column_date_order(_column(table.rows, index))
    return None


def _values(row: list[str], plan: list[tuple[Target, list[int]]]) -> dict[Target, list[str]]:
    """The non-empty cells of each mapped target, trimmed and without an export's formula guard.
    The hot loop of a large import: plain loops, no regular expression unless a cell starts with '."""
    width = len(row)
    values: dict[Target, list[str]] = {}
    for target, indexes in plan:
        found = []
        for index in indexes:
            if index < width:
                cell = row[index].strip()
                if cell and cell[0] == "'":
                    cell = unguard(cell).strip()
                if cell:
                    found.append(cell)
        values[target] = found
    return values


_NONE: list[str] = []


def _check_row(
    values: Mapping[Target, list[str]],
    line: int,
    header_of: Mapping[Target, str],
    date_order: str | None = None,
) -> CandidateRecord | list[RowProblem]:
    def single(target: Target) -> str:
        found = values.get(target)
        return found[0] if found else ""

    full_name = single(Target.FULL_NAME) or " ".join(
        part for part in (single(Target.FIRST_NAME), single(Target.LAST_NAME)) if part
    )
    full_name = " ".join(_CONTROL.sub("", full_name).split())
    phone = " ".join(single(Target.PHONE).split())
    link_cells = values.get(Target.LINKS, _NONE)
    email_cell = single(Target.EMAIL)
    quick = _quick_email(email_cell)
    problems: list[RowProblem] = []
    quick_links = _quick_links(link_cells)
    if (
        quick is not None
        and quick_links is not None
        and full_name
        and len(full_name) <= MAX_NAME
        and len(phone) <= MAX_PHONE
        and _PHONE.match(phone)
    ):
        email, links = quick, quick_links
    else:
        fields, errors = collect_candidate_errors(full_name, email_cell, phone, link_cells)
        email, links, phone = fields.email, list(fields.links), fields.phone
        name_column = header_of.get(Target.FULL_NAME) or header_of.get(Target.FIRST_NAME) or "name"
        column_of = {
            "full_name": name_column,
            "email": header_of.get(Target.EMAIL, "email"),
            "phone": header_of.get(Target.PHONE, "phone"),
            "links": header_of.get(Target.LINKS, "links"),
        }
        for name, messages in errors.items():
            problems.extend(RowProblem(line, column_of[name], message) for message in messages)
    applied_at = None
    applied_cell = single(Target.APPLIED_AT)
    if applied_cell:
        try:
            applied_at = parse_date(applied_cell, date_order)
        except ValueError:
            problems.append(RowProblem(line, header_of[Target.APPLIED_AT], _date_problem(applied_cell)))
    if problems:
        return problems
    source, unknown_source = source_value(single(Target.SOURCE))
    tag_cells = values.get(Target.TAGS)
    tags = _split_tags(tag_cells) if tag_cells else []
    notes = list(values.get(Target.NOTE, _NONE))
    if unknown_source:
        notes.append(f"Source in the imported file: {unknown_source}")
    if tags:
        notes.append("Tags: " + ", ".join(tags))
    return CandidateRecord(
        line=line,
        full_name=full_name,
        email=email,
        phone=phone,
        links=links,
        source=source,
        stage=single(Target.STAGE),
        applied_at=applied_at,
        note="\n".join(notes)[:MAX_NOTE] if notes else "",
        tags=tags,
    )


def _date_problem(cell: str) -> str:
    if _NUMERIC_DATE.match(cell.strip()):
        return (
            f"Not a date, or not one in the column's order: {cell[:40]} (map the column as "
            "day/month/year or month/day/year)."
        )
    return f"Not a date: {cell[:40]} (use YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY or MM/DD/YYYY)."


def _split_tags(cells: Iterable[str]) -> list[str]:
    tags = (tag.strip() for cell in cells for tag in re.split(r"[;,|]", cell))
    return list(dict.fromkeys(tag[:100] for tag in tags if tag))
