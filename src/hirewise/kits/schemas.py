"""API schemas of kits: what a staff member sees of a kit, and the kit-format document for the spec.

The document schemas describe the import/export format in the OpenAPI spec. Imports are *not*
validated with them: the kit validator checks the JSON Schema in ``kit-format.schema.json`` and
reports every problem with its location.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from hirewise.kits.models import Difficulty, QuestionType, SkillKind
from hirewise.kits.services import EXPORT_FORMATS


class KitKeyPointSchema(Schema):
    label = fields.String(required=True)
    text = fields.String(required=True)


class KitSkillSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    kind = fields.String(validate=validate.OneOf([k.value for k in SkillKind]))
    description = fields.String()
    weight = fields.Integer()
    pass_bar = fields.Float()
    keywords = fields.List(fields.String())
    position = fields.Integer()


class KitQuestionSchema(Schema):
    id = fields.Integer(dump_only=True)
    text = fields.String()
    skill_id = fields.Integer(allow_none=True)
    skill = fields.Function(
        lambda q: q.skill.name if q.skill else None,
        allow_none=True,
        metadata={"type": "string", "description": "The skill's name; null for a general question"},
    )
    difficulty = fields.String(validate=validate.OneOf([d.value for d in Difficulty]))
    type = fields.String(validate=validate.OneOf([t.value for t in QuestionType]))
    expected_answer = fields.String()
    key_points = fields.List(fields.Nested(KitKeyPointSchema))
    position = fields.Integer()


class KitSummarySchema(Schema):
    id = fields.Integer(dump_only=True)
    slug = fields.String()
    name = fields.String()
    description = fields.String()
    is_builtin = fields.Boolean()
    version = fields.Integer(metadata={"description": "Revision of the kit; each replacing import adds one."})
    skill_count = fields.Function(lambda kit: len(kit.skills), metadata={"type": "integer"})
    question_count = fields.Function(lambda kit: len(kit.questions), metadata={"type": "integer"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class KitSchema(KitSummarySchema):
    skills = fields.List(fields.Nested(KitSkillSchema))
    questions = fields.List(fields.Nested(KitQuestionSchema))


# --- the kit-format document (documentation of import and export) ---------------------------------
# The limits mirror kits/kit-format.schema.json, which is what imports are validated with (a test holds
# the two together), so that the spec states exactly what an import accepts.

_NON_BLANK = validate.Regexp(r"\S")  # JSON Schema patterns search: some character that is not white space


def _non_blank(max_length: int, **kwargs: Any) -> fields.String:
    return fields.String(validate=[validate.Length(max=max_length), _NON_BLANK], **kwargs)


class KitDocumentKeyPointSchema(Schema):
    label = _non_blank(120, required=True)
    text = _non_blank(2000, required=True)


class KitDocumentSkillSchema(Schema):
    name = _non_blank(120, required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in SkillKind]))
    weight = fields.Integer(validate=validate.Range(1, 10), metadata={"default": 1})
    pass_bar = fields.Float(validate=validate.Range(1, 4), metadata={"default": 3.0})
    description = fields.String(validate=validate.Length(max=5000))
    keywords = fields.List(_non_blank(80), validate=validate.Length(max=100))


class KitDocumentQuestionSchema(Schema):
    text = _non_blank(2000, required=True)
    skill = fields.String(
        allow_none=True,
        validate=validate.Length(max=120),
        metadata={"description": "Name of one of the kit's skills, or null for a general question."},
    )
    difficulty = fields.String(validate=validate.OneOf([d.value for d in Difficulty]))
    type = fields.String(validate=validate.OneOf([t.value for t in QuestionType]))
    expected_answer = fields.String(validate=validate.Length(max=10000))
    key_points = fields.List(fields.Nested(KitDocumentKeyPointSchema), validate=validate.Length(max=20))


class KitDocumentBodySchema(Schema):
    slug = fields.String(
        required=True,
        validate=[validate.Length(max=80), validate.Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$")],
    )
    name = _non_blank(120, required=True)
    description = fields.String(validate=validate.Length(max=5000))
    skills = fields.List(
        fields.Nested(KitDocumentSkillSchema), required=True, validate=validate.Length(min=1, max=100)
    )
    questions = fields.List(fields.Nested(KitDocumentQuestionSchema), validate=validate.Length(max=300))


class KitDocumentSchema(Schema):
    """A kit file, version 1 (docs/kit-format.md; JSON Schema in kits/kit-format.schema.json)."""

    format = fields.String(required=True, validate=validate.Equal("hirewise-kit"))
    version = fields.Integer(required=True, validate=validate.Equal(1))
    kit = fields.Nested(KitDocumentBodySchema, required=True)


class KitUploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


# --- arguments and errors ----------------------------------------------------------------------


class ExportArgs(Schema):
    format = fields.String(load_default="yaml", validate=validate.OneOf(EXPORT_FORMATS))


class ImportArgs(Schema):
    replace = fields.Boolean(
        load_default=False,
        metadata={"description": "Replace the skills and questions of an existing kit with the same slug."},
    )


class KitErrorDetailSchema(Schema):
    status = fields.Integer()
    code = fields.String()
    message = fields.String()
    details = fields.Dict(
        metadata={"description": 'For kit files: {"errors": ["<location>: <problem>", ...]}.'}
    )


class KitErrorSchema(Schema):
    error = fields.Nested(KitErrorDetailSchema)
