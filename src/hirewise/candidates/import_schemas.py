"""API schemas of candidate imports: the upload, the column mapping, and a run's status and report."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from hirewise.api.limits import ident
from hirewise.candidates.import_models import ImportStatus
from hirewise.candidates.import_reading import MAX_COLUMNS, Target

TARGETS = [target.value for target in Target]


class ImportUploadArgs(Schema):
    opening_id = ident(
        strict=False,
        load_default=None,
        metadata={"description": "The opening whose pipeline the candidates join; left out: no opening."},
    )


class ImportUploadSchema(Schema):
    file = Upload(
        required=True,
        metadata={
            "description": "A CSV file (.csv, .tsv, .txt: delimiter , ; tab or |, UTF-8 with or without "
            "BOM, or cp1252/latin-1) or a JSON Resume file (.json: one résumé or a list), up to 5 MB."
        },
    )


class ImportStartSchema(Schema):
    mapping = fields.List(
        fields.String(validate=validate.OneOf(TARGETS)),
        required=True,
        validate=validate.Length(min=1, max=MAX_COLUMNS),
        metadata={
            "description": "One target per column of the file, in order (the run's `headers`); "
            "`suggested_mapping` is a good start. Needs `email` and a name (`full_name`, or "
            "`first_name` and/or `last_name`); phone, links, tags and note may take several columns. "
            "A date column of numeric dates with slashes or dashes is `applied_at_day_first` or "
            "`applied_at_month_first`; as `applied_at` its dates must show their order (a day above "
            "12), or the mapping is refused with a 422."
        },
    )


class ImportProblemSchema(Schema):
    line = fields.Integer(
        metadata={"description": "The line in the file (header = 1); in JSON, the résumé's number."}
    )
    column = fields.String(metadata={"description": "The header of the column at fault."})
    message = fields.String(metadata={"description": "Why the row was not imported."})


class ImportMergedSchema(Schema):
    line = fields.Integer()
    email = fields.String()
    candidate_id = fields.Integer(metadata={"description": "The known candidate the row was matched to."})


class ImportSkippedSchema(Schema):
    line = fields.Integer()
    email = fields.String()
    candidate_id = fields.Integer(allow_none=True)
    reason = fields.String(
        metadata={"description": "Already in this opening, or the same email as an earlier line."}
    )


class ImportReportSchema(Schema):
    errors = fields.List(fields.Nested(ImportProblemSchema), load_default=list)
    merged = fields.List(fields.Nested(ImportMergedSchema), load_default=list)
    skipped = fields.List(fields.Nested(ImportSkippedSchema), load_default=list)


class ImportRunSchema(Schema):
    id = fields.Integer()
    opening_id = fields.Integer(allow_none=True)
    filename = fields.String()
    kind = fields.String(validate=validate.OneOf(["csv", "json"]))
    encoding = fields.String(
        metadata={"description": "How the file's text was read: utf-8, utf-8-sig, utf-16, cp1252, latin-1."}
    )
    delimiter = fields.String(metadata={"description": "The CSV delimiter detected; empty for JSON."})
    headers = fields.List(fields.String())
    suggested_mapping = fields.List(
        fields.String(validate=validate.OneOf(TARGETS)),
        attribute="mapping",
        metadata={"description": "The target of each column: recognised from its header, then as confirmed."},
    )
    preview = fields.List(fields.List(fields.String()), metadata={"description": "The first rows."})
    status = fields.String(validate=validate.OneOf([status.value for status in ImportStatus]))
    total_rows = fields.Integer()
    processed_rows = fields.Integer()
    percent = fields.Integer()
    created_count = fields.Integer()
    merged_count = fields.Integer()
    skipped_count = fields.Integer()
    error_count = fields.Integer()
    error = fields.String(metadata={"description": "Why the import failed, when it did."})
    report = fields.Nested(
        ImportReportSchema,
        metadata={"description": "Every row not imported (line, column, why), merged or skipped; when done."},
    )
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
