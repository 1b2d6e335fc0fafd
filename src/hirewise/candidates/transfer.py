"""CSV export of an opening's applications and all-or-nothing CSV import of candidates."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select

from hirewise.audit.services import record
from hirewise.auth.models import User
from hirewise.candidates.fields import collect_candidate_errors, split_links
from hirewise.candidates.models import Application, ApplicationSource, Candidate
from hirewise.candidates.queries import application_search_stmt
from hirewise.candidates.services import new_application, new_candidate
from hirewise.errors import PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.openings.models import Opening
from hirewise.openings.services import get_opening
from hirewise.security import can_create_candidate, can_edit_opening, can_view_opening

EXPORT_COLUMNS = ("name", "email", "phone", "stage", "source", "applied_at", "detected_skills")
IMPORT_COLUMNS = ("full_name", "email", "phone", "links", "source")
REQUIRED_IMPORT_COLUMNS = ("full_name", "email")
MAX_IMPORT_ROWS = 2_000
MAX_IMPORT_BYTES = 2 * 1024 * 1024
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_applications_csv(user: User, opening_id: int) -> str:
    """Every application of the opening that ``user`` may see, as CSV text (spreadsheet-safe)."""
    opening = get_opening(opening_id)
    if not can_view_opening(user, opening):
        raise PermissionDenied("You cannot export the applications of this opening.")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    stmt = application_search_stmt(user, opening_id=opening.id, sort="name")
    for application in db.session.execute(stmt).scalars():
        candidate = application.candidate
        skills = "; ".join(str(found.get("skill", "")) for found in application.detected_skills or [])
        writer.writerow(
            [
                _cell(candidate.full_name),
                _cell(candidate.email),
                _cell(candidate.phone),
                _cell(application.stage.name),
                _cell(application.source),
                application.applied_at.isoformat(timespec="seconds"),
                _cell(skills),
            ]
        )
    return buffer.getvalue()


@dataclass
class ImportResult:
    created_candidates: int = 0
    reused_candidates: int = 0
    applications: list[Application] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.applications)


def _read_rows(csv_bytes: bytes) -> list[dict[str, str]]:
    if len(csv_bytes) > MAX_IMPORT_BYTES:
        raise ValidationFailed("The CSV file is larger than 2 MB; split it into smaller files.")
    try:
        text = csv_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("The CSV file must be UTF-8 encoded.") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_IMPORT_COLUMNS if name not in header]
    if missing:
        raise ValidationFailed(
            f"The CSV needs a header row with the columns {', '.join(IMPORT_COLUMNS)}; "
            f"missing: {', '.join(missing)}."
        )
    reader.fieldnames = header
    try:
        rows = [{key: (value or "") for key, value in row.items() if key} for row in reader]
    except csv.Error as exc:
        raise ValidationFailed(f"The CSV file is malformed: {exc}.") from exc
    if not rows:
        raise ValidationFailed("The CSV file has no rows to import.")
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationFailed(f"Import at most {MAX_IMPORT_ROWS} rows at once.")
    return rows


def _source(value: str) -> ApplicationSource | None:
    cleaned = value.strip().lower() or ApplicationSource.IMPORT.value
    try:
        return ApplicationSource(cleaned)
    except ValueError:
        return None


def import_candidates_csv(actor: User, opening: Opening, csv_bytes: bytes) -> ImportResult:
    """Add every row to the opening's pipeline, or nothing at all if any row is wrong.

    Rows are numbered as in a spreadsheet (the header is row 1). A row whose email already
    belongs to a candidate adds that candidate to the opening.
    """
    if not (can_create_candidate(actor) and can_edit_opening(actor, opening)):
        raise PermissionDenied("You cannot import candidates into this opening.")
    rows = _read_rows(csv_bytes)
    problems: list[str] = []
    valid = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        fields, errors = collect_candidate_errors(
            row.get("full_name", ""),
            row.get("email", ""),
            row.get("phone", ""),
            split_links(row.get("links")),
        )
        messages = [message for field_errors in errors.values() for message in field_errors]
        source = _source(row.get("source", ""))
        if source is None:
            allowed = ", ".join(member.value for member in ApplicationSource)
            messages.append(f"Source must be one of: {allowed}.")
        if fields.email and fields.email in seen:
            messages.append(f"Same email as row {seen[fields.email]}.")
        elif fields.email:
            seen[fields.email] = number
        if messages:
            problems.append(f"Row {number}: {' '.join(messages)}")
        else:
            valid.append((fields, source or ApplicationSource.IMPORT, number))
    existing = {
        candidate.email: candidate
        for candidate in db.session.execute(
            select(Candidate).where(Candidate.email.in_(list(seen)))
        ).scalars()
    }
    already_applied = set(
        db.session.execute(
            select(Candidate.email)
            .join(Application, Application.candidate_id == Candidate.id)
            .where(Application.opening_id == opening.id, Candidate.email.in_(list(seen)))
        ).scalars()
    )
    for fields, _, number in valid:
        if fields.email in already_applied:
            problems.append(f"Row {number}: {fields.email} is already in the pipeline of {opening.title}.")
    if problems:
        problems.sort(key=lambda line: int(line.split(":", 1)[0].removeprefix("Row ")))
        noun = "row has" if len(problems) == 1 else "rows have"
        raise ValidationFailed(f"{len(problems)} {noun} errors; nothing was imported.", problems)

    result = ImportResult()
    for fields, source, _ in valid:
        candidate = existing.get(fields.email)
        if candidate is None:
            candidate = new_candidate(actor, fields, consent=False)
            result.created_candidates += 1
        else:
            result.reused_candidates += 1
        result.applications.append(new_application(actor, candidate, opening, source=source))
    record(
        actor,
        "import",
        "opening",
        opening.id,
        f"imported {result.total} candidates from CSV into {opening.title}",
        opening_id=opening.id,
    )
    db.session.commit()
    return result
