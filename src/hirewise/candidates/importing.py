"""Importing candidates from a file: upload, column mapping, the background import and its report.

The use cases of the import pages and the ``/api/v1/imports`` API:

1. :func:`upload_import` reads the file (size and type checked; CSV delimiter and encoding detected,
   or JSON Resume), suggests a target for each column and keeps the first rows as a preview;
2. :func:`start_import` takes the confirmed mapping and queues the background task;
3. the task calls :func:`run_import`: every row is checked (progress is written as it goes), the good
   rows are loaded set-wise (:mod:`hirewise.candidates.import_loading`), and every bad, merged and
   skipped row is written to the run's report.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, select, update

from hirewise.audit.services import record
from hirewise.auth.models import User
from hirewise.candidates.import_loading import LoadTarget, load_records
from hirewise.candidates.import_models import ImportRun, ImportStatus
from hirewise.candidates.import_reading import (
    CandidateRecord,
    ImportFileError,
    RowProblem,
    Target,
    check_rows,
    cyclic_gc_paused,
    date_order_of,
    mapping_problems,
    read_table,
    suggest_mapping,
)
from hirewise.db import use_case, utcnow
from hirewise.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.openings.models import Opening
from hirewise.openings.services import first_stage
from hirewise.security import can_create_candidate, can_edit_opening, can_use_import_run
from hirewise.tasks import enqueue

log = logging.getLogger(__name__)

DEFAULT_MAX_IMPORT_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_IMPORT_ROWS = 200_000
ALLOWED_EXTENSIONS = (".csv", ".tsv", ".txt", ".json")
# Progress is written this many times whatever the file's size, so the statements stay constant.
PROGRESS_STEPS = 10
FAILURE_MESSAGE = (
    "The import stopped on an unexpected error; nothing was imported. Try again or ask an admin."
)


def max_import_bytes() -> int:
    return int(current_app.config.get("MAX_IMPORT_BYTES", DEFAULT_MAX_IMPORT_BYTES))


@use_case
def upload_import(actor: User, opening: Opening | None, filename: str, data: bytes) -> ImportRun:
    """Read an uploaded file and keep it, waiting for its column mapping to be confirmed."""
    if not can_create_candidate(actor) or (opening is not None and not can_edit_opening(actor, opening)):
        raise PermissionDenied("You cannot import candidates" + (" into this opening." if opening else "."))
    filename = (filename or "import.csv").strip()[:255]
    if not filename.lower().endswith(ALLOWED_EXTENSIONS):
        raise ValidationFailed(
            "Upload a CSV file (.csv, .tsv, .txt) or a JSON Resume file (.json); "
            "save a spreadsheet as CSV first.",
            {"file": ["Not a CSV or JSON file."]},
        )
    limit = max_import_bytes()
    if len(data) > limit:
        message = f"The file is larger than {limit // (1024 * 1024)} MB; split it into smaller files."
        raise ValidationFailed(message, {"file": [message]})
    if not data.strip():
        raise ValidationFailed("The file is empty.", {"file": ["The file is empty."]})
    try:
        table = read_table(data, filename)
    except ImportFileError as exc:
        raise ValidationFailed(str(exc), {"file": [str(exc)]}) from exc
    max_rows = int(current_app.config.get("MAX_IMPORT_ROWS", DEFAULT_MAX_IMPORT_ROWS))
    if len(table.rows) > max_rows:
        message = f"Import at most {max_rows:,} rows at once; this file has {len(table.rows):,}."
        raise ValidationFailed(message, {"file": [message]})
    run = ImportRun(
        created_by_id=actor.id,
        opening_id=opening.id if opening else None,
        filename=filename,
        kind=table.kind,
        encoding=table.encoding,
        delimiter=table.delimiter,
        data=data,
        headers=table.headers,
        preview=table.preview(),
        mapping=suggest_mapping(table.headers, table.rows),
        total_rows=len(table.rows),
        report={},
    )
    db.session.add(run)
    db.session.commit()
    return run


def get_import_run(actor: User, run_id: int) -> ImportRun:
    run = db.session.get(ImportRun, run_id)
    if run is None:
        raise NotFound("No such import.")
    if not can_use_import_run(actor, run):
        raise PermissionDenied("You cannot see this import.")
    return run


@use_case
def start_import(actor: User, run: ImportRun, mapping: list[str]) -> ImportRun:
    """Confirm the column mapping and queue the import."""
    if not can_use_import_run(actor, run):
        raise PermissionDenied("You cannot start this import.")
    if run.status != ImportStatus.MAPPING:
        raise Conflict("This import has already been started.")
    # The rows are read again only for a date column in no stated order: its dates must tell it.
    rows = read_table(run.data, run.filename).rows if Target.APPLIED_AT.value in mapping else []
    problems = mapping_problems(run.headers, mapping, rows)
    if problems:
        raise ValidationFailed(problems[0], {"mapping": problems})
    if run.opening is not None:
        first_stage(run.opening)  # Conflict now, not a failed task later, when it has no active stage
    # One start wins when two arrive together (a double click, two tabs): the row changes only while
    # it still waits for its mapping, whatever this session read before; the other start is refused.
    started = db.session.execute(
        update(ImportRun)
        .where(ImportRun.id == run.id, ImportRun.status == ImportStatus.MAPPING)
        .values(status=ImportStatus.QUEUED, mapping=list(mapping))
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], started).rowcount != 1:
        raise Conflict("This import has already been started.")
    db.session.expire(run, ["status", "mapping"])
    from hirewise.tasks.imports import import_candidates

    enqueue(import_candidates, run.id)
    db.session.commit()
    return run


def status_of(run: ImportRun) -> dict[str, Any]:
    """What the progress page polls."""
    return {
        "id": run.id,
        "status": run.status.value if isinstance(run.status, ImportStatus) else run.status,
        "total_rows": run.total_rows,
        "processed_rows": run.processed_rows,
        "percent": run.percent,
        "created": run.created_count,
        "merged": run.merged_count,
        "skipped": run.skipped_count,
        "errors": run.error_count,
        "finished": run.finished,
        "error": run.error,
    }


# --- the background import ----------------------------------------------------------------------


def run_import(run_id: int) -> str:
    """The task's work. Idempotent: a run already done or failed is left alone, and the load is one
    transaction, so a run cut off half-way (its worker died) starts again from the file."""
    run = db.session.get(ImportRun, run_id)
    if run is None or run.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return "skipped"
    run.status, run.started_at, run.processed_rows = ImportStatus.RUNNING, utcnow(), 0
    data, filename, mapping = run.data, run.filename, list(run.mapping)
    db.session.commit()
    try:
        with cyclic_gc_paused():
            return _import(run_id, data, filename, mapping)
    except Exception:
        log.exception("import %s failed", run_id)
        db.session.rollback()
        run = db.session.get(ImportRun, run_id)
        if run is not None:
            run.status, run.error, run.finished_at = ImportStatus.FAILED, FAILURE_MESSAGE, utcnow()
            run.data = b""  # never retried (a new upload is): no copy of the people is kept
            db.session.commit()
        return "failed"


def _import(run_id: int, data: bytes, filename: str, mapping: list[str]) -> str:
    table = read_table(data, filename)
    total = len(table.rows)
    step = max(1, math.ceil(total / PROGRESS_STEPS))
    records: list[CandidateRecord] = []
    problems: list[RowProblem] = []
    skipped: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    date_order = date_order_of(table, mapping)
    for start in range(0, total, step):
        for checked in check_rows(table, mapping, start=start, stop=start + step, date_order=date_order):
            if isinstance(checked, list):
                problems.extend(checked)
            elif checked.email in first_line:
                skipped.append(
                    {
                        "line": checked.line,
                        "email": checked.email,
                        "candidate_id": None,
                        "reason": f"same email as line {first_line[checked.email]}",
                    }
                )
            else:
                first_line[checked.email] = checked.line
                records.append(checked)
        _loaded_run(run_id).processed_rows = min(start + step, total)
        db.session.commit()  # the progress bar moves; nothing else is written yet

    run = _loaded_run(run_id)
    opening = run.opening
    actor = run.created_by
    stage_ids = _stage_ids(opening, records)
    now = utcnow()
    target = LoadTarget(
        opening_id=opening.id if opening else None,
        first_stage_id=first_stage(opening).id if opening else None,
        actor_id=actor.id if actor else None,
        retain_until=now + timedelta(days=current_app.config["DATA_RETENTION_DAYS"]),
        now=now,
    )
    outcome = load_records(db.session.connection(), f"import_staging_{run_id}", records, stage_ids, target)
    skipped = sorted(skipped + outcome.skipped, key=lambda item: item["line"])
    run.created_count = outcome.created
    run.merged_count = len(outcome.merged)
    run.skipped_count = len(skipped)
    run.error_count = len(problems)
    run.report = {
        "errors": [problem.as_dict() for problem in problems],
        "merged": outcome.merged,
        "skipped": skipped,
    }
    run.status, run.finished_at = ImportStatus.DONE, utcnow()
    # The file has done its work: the people are in the database and the report says what happened
    # to every row, so the raw copy of their personal data is not kept on.
    run.data = b""
    where = f" into {opening.title}" if opening else ""
    summary = (
        f"imported {run.filename}{where}: {outcome.created} new, {run.merged_count} merged, "
        f"{run.skipped_count} skipped, {run.error_count} with errors"
    )
    if opening is not None:
        record(
            actor,
            "import",
            "opening",
            opening.id,
            summary,
            after={"import_run": run.id},
            opening_id=opening.id,
        )
    else:
        # Into no opening (the API only): organisation-wide, so the audit log's.
        record(actor, "import", "import_run", run.id, summary, after={"import_run": run.id})
    db.session.commit()
    return "done"


def _loaded_run(run_id: int) -> ImportRun:
    run = db.session.get(ImportRun, run_id)
    if run is None:  # deleted with its opening while the task ran
        raise NotFound("The import was removed while it ran.")
    return run


def _stage_ids(opening: Opening | None, records: list[CandidateRecord]) -> list[int | None]:
    """The stage of each record, by the stage's name in the opening (as our export writes it).

    A name the opening does not have starts the application in the first stage, and the name is
    kept in the record's note so nothing from the file is lost."""
    if opening is None:
        return [None] * len(records)
    by_name = {stage.name.casefold(): stage.id for stage in opening.stages}
    ids: list[int | None] = []
    for item in records:
        stage_id = by_name.get(item.stage.casefold()) if item.stage else None
        if item.stage and stage_id is None:
            item.note = "\n".join(filter(None, [item.note, f"Stage in the imported file: {item.stage}"]))
        ids.append(stage_id)
    return ids


def recent_runs(actor: User, opening: Opening | None, limit: int = 5) -> list[ImportRun]:
    stmt = select(ImportRun).order_by(ImportRun.created_at.desc(), ImportRun.id.desc()).limit(limit)
    stmt = (
        stmt.where(ImportRun.opening_id == opening.id)
        if opening
        else stmt.where(ImportRun.opening_id.is_(None))
    )
    return [run for run in db.session.execute(stmt).scalars() if can_use_import_run(actor, run)]
