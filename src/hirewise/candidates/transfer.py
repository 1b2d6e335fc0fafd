"""CSV export of an opening's applications, in the shape the import reads back unchanged.

Importing files of candidates (this export, other trackers' CSV, JSON Resume) is
:mod:`hirewise.candidates.importing`."""

from __future__ import annotations

import csv
import io
import re

from hirewise.auth.models import User
from hirewise.candidates.queries import application_search_stmt
from hirewise.errors import PermissionDenied
from hirewise.extensions import db
from hirewise.openings.services import get_opening
from hirewise.security import can_view_opening

EXPORT_COLUMNS = ("name", "email", "phone", "links", "stage", "source", "applied_at", "detected_skills")
# Spreadsheet programs read the file as UTF-8 only when it starts with a byte order mark.
BOM = "\ufeff"
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_START = ("=", "@", "\t", "\r")
# A leading + or - starts a formula too, but a cell holding only digits, spaces and ( ) . / - after it
# cannot call a function or reference a cell: that is a phone number ('+48 601 234 567'), left as is.
_NUMBER_LIKE = re.compile(r"[+-][0-9 ()./-]*")


def spreadsheet_safe(value: object) -> str:
    """The cell as text, prefixed with ' when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) or (text.startswith(("+", "-")) and not _NUMBER_LIKE.fullmatch(text)):
        return "'" + text
    return text


def export_applications_csv(user: User, opening_id: int) -> str:
    """Every application of the opening that ``user`` may see, as CSV text (spreadsheet-safe)."""
    opening = get_opening(opening_id)
    if not can_view_opening(user, opening):
        raise PermissionDenied("You cannot export the applications of this opening.")
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    stmt = application_search_stmt(user, opening_id=opening.id, sort="name")
    for application in db.session.execute(stmt).scalars():
        candidate = application.candidate
        skills = "; ".join(str(found.get("skill", "")) for found in application.detected_skills or [])
        writer.writerow(
            [
                spreadsheet_safe(candidate.full_name),
                spreadsheet_safe(candidate.email),
                spreadsheet_safe(candidate.phone),
                spreadsheet_safe(" ".join(candidate.links or [])),
                spreadsheet_safe(application.stage.name),
                spreadsheet_safe(application.source),
                application.applied_at.isoformat(timespec="seconds"),
                spreadsheet_safe(skills),
            ]
        )
    return buffer.getvalue()
