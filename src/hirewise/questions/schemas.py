"""API shapes of the question bank. Input schemas state the limits (so the spec does); the services check
them again with the rules a schema cannot state (key-point labels used once, skills of the kit)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hirewise.api import PageArgs, page_schema
from hirewise.api.limits import StrictBoolean, line, text
from hirewise.kits.models import Difficulty, QuestionType
from hirewise.kits.services import EXPORT_FORMATS
from hirewise.questions.services import (
    MAX_ANSWER,
    MAX_FOLLOW_UP,
    MAX_FOLLOW_UPS,
    MAX_KEY_POINTS,
    MAX_LABEL,
    MAX_SKILL,
    MAX_TAG,
    MAX_TAGS,
    MAX_TEXT,
)

TYPES = [t.value for t in QuestionType]
DIFFICULTIES = [d.value for d in Difficulty]


class BankKeyPointSchema(Schema):
    label = line(MAX_LABEL, required=True)
    text = text(MAX_TEXT, required=True)


class BankQuestionContentSchema(Schema):
    """The versioned content of a question."""

    text = text(MAX_TEXT)
    type = fields.String(validate=validate.OneOf(TYPES))
    expected_answer = fields.String(validate=validate.Length(max=MAX_ANSWER))
    key_points = fields.List(
        fields.Nested(BankKeyPointSchema),
        validate=validate.Length(max=MAX_KEY_POINTS),
        metadata={"description": "In order; each label once."},
    )
    skill = fields.String(
        validate=validate.Length(max=MAX_SKILL),
        metadata={"description": "Name of the scorecard skill, or empty."},
    )
    difficulty = fields.String(validate=validate.OneOf(DIFFICULTIES))
    tags = fields.List(
        fields.String(validate=validate.Length(max=MAX_TAG)), validate=validate.Length(max=MAX_TAGS)
    )
    follow_ups = fields.List(
        fields.String(validate=validate.Length(max=MAX_FOLLOW_UP)),
        validate=validate.Length(max=MAX_FOLLOW_UPS),
    )


class BankQuestionSchema(BankQuestionContentSchema):
    id = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True, metadata={"description": "Current version; each edit adds one."})
    archived = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class BankQuestionCreateSchema(BankQuestionContentSchema):
    text = text(MAX_TEXT, required=True)


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
    archived = StrictBoolean(
        load_default=True, metadata={"description": "false puts an archived question back in the bank."}
    )


class BankQuestionImportResultSchema(Schema):
    items = fields.List(fields.Nested(BankQuestionSchema))
    count = fields.Integer()


class BankQuestionUploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


BankQuestionPageSchema = page_schema(BankQuestionSchema, "BankQuestionPage")
