"""The import pages: upload a file, confirm its columns, watch the progress, read the report.

Registered on the ``candidates`` blueprint by :func:`register` (called from ``pipeline_views.py``).
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from hirewise.candidates import importing
from hirewise.candidates.import_models import ImportStatus
from hirewise.candidates.import_reading import Target
from hirewise.errors import ValidationFailed
from hirewise.openings.services import get_opening
from hirewise.security import can_create_candidate, can_edit_opening, require

TARGET_LABELS = {
    Target.IGNORE: "Leave out",
    Target.FULL_NAME: "Full name",
    Target.FIRST_NAME: "First name",
    Target.LAST_NAME: "Last name",
    Target.EMAIL: "Email",
    Target.PHONE: "Phone",
    Target.LINKS: "Links",
    Target.SOURCE: "Source",
    Target.TAGS: "Tags (kept as a note)",
    Target.APPLIED_AT: "Applied / created date",
    Target.APPLIED_AT_DAY_FIRST: "Applied date, day/month/year (31/12/2024)",
    Target.APPLIED_AT_MONTH_FIRST: "Applied date, month/day/year (12/31/2024)",
    Target.STAGE: "Stage",
    Target.NOTE: "Note",
}


@login_required
def import_upload(opening_id: int) -> Response | tuple[str, int]:
    opening = get_opening(opening_id)
    require(can_create_candidate(current_user) and can_edit_opening(current_user, opening))
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        flash("Choose a CSV or JSON Resume file to import.", "error")
        return redirect(url_for("candidates.applications", opening_id=opening_id))
    try:
        run = importing.upload_import(
            current_user, opening, storage.filename, storage.read(importing.max_import_bytes() + 1)
        )
    except ValidationFailed as exc:
        flash(exc.message, "error")
        return redirect(url_for("candidates.applications", opening_id=opening_id))
    return redirect(url_for("candidates.import_run", run_id=run.id))


def _render_run(
    run: importing.ImportRun, *, mapping_error: ValidationFailed | None = None
) -> tuple[str, int]:
    html = render_template(
        "candidates/import.html",
        run=run,
        status=importing.status_of(run),
        targets=TARGET_LABELS,
        mapping_error=mapping_error,
        mapping=request.form.getlist("mapping") if mapping_error else run.mapping,
    )
    return html, 422 if mapping_error else 200


@login_required
def import_run(run_id: int) -> tuple[str, int]:
    return _render_run(importing.get_import_run(current_user, run_id))


@login_required
def import_start(run_id: int) -> Response | tuple[str, int]:
    run = importing.get_import_run(current_user, run_id)
    try:
        importing.start_import(current_user, run, request.form.getlist("mapping"))
    except ValidationFailed as exc:
        return _render_run(importing.get_import_run(current_user, run_id), mapping_error=exc)
    run = importing.get_import_run(current_user, run_id)
    if run.status == ImportStatus.DONE:
        flash(
            f"Imported {run.filename}: {run.created_count} new, {run.merged_count} merged, "
            f"{run.skipped_count} skipped, {run.error_count} with errors.",
            "success",
        )
    return redirect(url_for("candidates.import_run", run_id=run_id))


@login_required
def import_status(run_id: int) -> Response:
    """What the progress bar polls (JSON)."""
    response = jsonify(importing.status_of(importing.get_import_run(current_user, run_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/openings/<int:opening_id>/imports", "import_upload", import_upload, methods=["POST"])
    bp.add_url_rule("/imports/<int:run_id>", "import_run", import_run, methods=["GET"])
    bp.add_url_rule("/imports/<int:run_id>/start", "import_start", import_start, methods=["POST"])
    bp.add_url_rule("/imports/<int:run_id>/status", "import_status", import_status, methods=["GET"])
