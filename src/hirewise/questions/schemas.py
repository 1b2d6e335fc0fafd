"""API shapes of the question bank. Input schemas check types; the services check the rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hirewise.api import PageArgs, page_schema
from hirewise.kits.models import Difficulty, QuestionType
from hirewise.kits.services import EXPORT_FORMATS

TYPES = [t.value for t in QuestionType]
DIFFICULTIES = [d.value for d in Difficulty]


class BankKeyPointSchema(Schema):
    label = fields.String(required=True)
    text = fields.String(required=True)


class BankQuestionContentSchema(Schema):
    """The versioned content of a question."""

    text = fields.String()
    type = fields.String(validate=validate.OneOf(TYPES))
    expected_answer = fields.String()
    key_points = fields.List(fields.Nested(BankKeyPointSchema), metadata={"description": "In order."})
    skill = fields.String(metadata={"description": "Name of the scorecard skill, or empty."})
    difficulty = fields.String(validate=validate.OneOf(DIFFICULTIES))
    tags = fields.List(fields.String())
    follow_ups = fields.List(fields.String())


class BankQuestionSchema(BankQuestionContentSchema):
    id = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True, metadata={"description": "Current version; each edit adds one."})
    archived = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class BankQuestionCreateSchema(BankQuestionContentSchema):
    text = fields.String(required=True)


class BankQuestionUpdateSchema(BankQuestionContentSchema):
    """Fields left out keep their value."""


class BankQuestionVersionSchema(Schema):
    question_id = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    snapshot = fields.Nested(BankQuestionContentSchema, dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    created_by_id = fields.Integer(dump_only=True, allow_none=True)


class BankQuestionVersionListSchema(Schema):
    items = fields.List(fields.Nested(BankQuestionVersionSchema))


class BankQuestionFilterSchema(Schema):
    q = fields.String(load_default=None, validate=validate.Length(max=200))
    skill = fields.String(load_default=None, validate=validate.Length(max=120))
    type = fields.String(load_default=None, validate=validate.OneOf(TYPES))
    difficulty = fields.String(load_default=None, validate=validate.OneOf(DIFFICULTIES))
    tag = fields.String(load_default=None, validate=validate.Length(max=40))
    include_archived = fields.Boolean(load_default=False)


class BankQuestionListArgs(PageArgs, BankQuestionFilterSchema):
    pass


class BankQuestionExportArgs(BankQuestionFilterSchema):
    format = fields.String(load_default="yaml", validate=validate.OneOf(EXPORT_FORMATS))


class BankQuestionArchiveSchema(Schema):
    archived = fields.Boolean(
        load_default=True, metadata={"description": "false puts an archived question back in the bank."}
    )


class BankQuestionImportResultSchema(Schema):
    items = fields.List(fields.Nested(BankQuestionSchema))
    count = fields.Integer()


class BankQuestionUploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


BankQuestionPageSchema = page_schema(BankQuestionSchema, "BankQuestionPage")
