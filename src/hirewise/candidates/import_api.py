"""``/api/v1/imports``: candidates from a CSV or JSON Resume file, the same use cases as the pages."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from werkzeug.datastructures import FileStorage

from hirewise.api import api_blueprint, current_api_user
from hirewise.candidates import importing
from hirewise.candidates.import_models import ImportRun
from hirewise.candidates.import_schemas import (
    ImportRunSchema,
    ImportStartSchema,
    ImportUploadArgs,
    ImportUploadSchema,
)
from hirewise.openings.services import get_opening

imports_blp = api_blueprint(
    "imports", "imports", "Imports: candidates from CSV files and JSON Resume, mapped, checked and reported"
)


@imports_blp.route("")
class Imports(MethodView):
    @imports_blp.arguments(ImportUploadArgs, location="query")
    @imports_blp.arguments(ImportUploadSchema, location="files")
    @imports_blp.response(201, ImportRunSchema)
    def post(self, args: dict[str, Any], files: dict[str, FileStorage], **_: Any) -> ImportRun:
        """Upload a file (multipart field ``file``): its encoding and delimiter are detected, each
        column gets a suggested target from its header, and the first rows come back as a preview.
        Nothing is imported until ``/imports/{import_id}/start``."""
        opening = get_opening(args["opening_id"]) if args["opening_id"] else None
        storage = files["file"]
        data = storage.read(importing.max_import_bytes() + 1)
        return importing.upload_import(current_api_user(), opening, storage.filename or "import.csv", data)


@imports_blp.route("/<int:import_id>")
class ImportResource(MethodView):
    @imports_blp.response(200, ImportRunSchema)
    def get(self, import_id: int) -> ImportRun:
        """An import's status and progress; once done, its report of every row not imported
        (line, column, why), merged with a known candidate, or skipped."""
        return importing.get_import_run(current_api_user(), import_id)


@imports_blp.route("/<int:import_id>/start")
class ImportStart(MethodView):
    @imports_blp.arguments(ImportStartSchema, location="json")
    @imports_blp.response(202, ImportRunSchema)
    def post(self, data: dict[str, Any], import_id: int) -> ImportRun:
        """Confirm the column mapping and start the import in the background; poll
        ``GET /imports/{import_id}`` for its progress and report. A second start is refused (409)."""
        user = current_api_user()
        run = importing.get_import_run(user, import_id)
        importing.start_import(user, run, data["mapping"])
        return importing.get_import_run(user, import_id)
