"""API shapes of openings. Input schemas check types; the services check the business rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hirewise.api import PageArgs, page_schema


class TeamMemberSchema(Schema):
    id = fields.Integer(dump_only=True)
    full_name = fields.String(dump_only=True)
    role = fields.String(dump_only=True)


class StageSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    position = fields.Integer(dump_only=True)


class SkillSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(max=120))
    kind = fields.String(required=True, metadata={"enum": ["must_have", "nice_to_have"]})
    weight = fields.Integer(required=True, strict=True, metadata={"description": "1 to 10"})
    pass_bar = fields.Float(load_default=3.0, allow_nan=False, metadata={"description": "1.0 to 4.0"})
    keywords = fields.List(fields.String(), load_default=list)
    description = fields.String(load_default="")
    position = fields.Integer(dump_only=True)


class SkillUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(max=120))
    kind = fields.String(metadata={"enum": ["must_have", "nice_to_have"]})
    weight = fields.Integer(strict=True, metadata={"description": "1 to 10"})
    pass_bar = fields.Float(allow_nan=False)
    keywords = fields.List(fields.String())
    description = fields.String()


class QuestionSchema(Schema):
    id = fields.Integer(dump_only=True)
    text = fields.String(dump_only=True)
    expected_answer = fields.String(dump_only=True)
    key_points = fields.List(fields.Dict(), dump_only=True)
    difficulty = fields.String(dump_only=True)
    type = fields.String(dump_only=True)
    position = fields.Integer(dump_only=True)
    skill_id = fields.Integer(dump_only=True, allow_none=True)


class OpeningSchema(Schema):
    id = fields.Integer(dump_only=True)
    slug = fields.String(dump_only=True)
    title = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    location = fields.String(dump_only=True)
    employment_type = fields.String(dump_only=True)
    description = fields.String(dump_only=True, metadata={"description": "Markdown"})
    feedback_visibility = fields.String(dump_only=True)
    kit_id = fields.Integer(dump_only=True, allow_none=True)
    team = fields.List(fields.Nested(TeamMemberSchema), dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class OpeningDetailSchema(OpeningSchema):
    skills = fields.List(fields.Nested(SkillSchema), dump_only=True)
    questions = fields.List(fields.Nested(QuestionSchema), dump_only=True)
    stages = fields.List(fields.Nested(StageSchema), dump_only=True)


# Validators, not only documentation: the spec's enum is what the API refuses with a 422.
_STATUS = validate.OneOf(["draft", "open", "closed"])
_EMPLOYMENT = validate.OneOf(["full_time", "part_time", "contract", "internship", "temporary"])
_FEEDBACK_VISIBILITY = validate.OneOf(["never", "after_submit", "always"])


class OpeningCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(max=200))
    kit_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    location = fields.String(load_default="", validate=validate.Length(max=200))
    employment_type = fields.String(load_default="full_time", validate=_EMPLOYMENT)
    description = fields.String(load_default="", metadata={"description": "Markdown"})
    status = fields.String(load_default="draft", validate=_STATUS)
    team_ids = fields.List(fields.Integer(strict=True), load_default=list)


class OpeningUpdateSchema(Schema):
    title = fields.String(validate=validate.Length(max=200))
    location = fields.String(validate=validate.Length(max=200))
    employment_type = fields.String(validate=_EMPLOYMENT)
    description = fields.String(metadata={"description": "Markdown"})
    status = fields.String(validate=_STATUS)
    team_ids = fields.List(fields.Integer(strict=True))
    feedback_visibility = fields.String(validate=_FEEDBACK_VISIBILITY)


class OpeningListArgs(PageArgs):
    # An upper bound keeps the OFFSET within what databases accept (a huge page is a 422, not a 500).
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    status = fields.String(load_default=None, validate=_STATUS)
    q = fields.String(load_default=None, metadata={"description": "Text the title contains"})


OpeningPageSchema = page_schema(OpeningSchema, "OpeningPage")
StagePageSchema = page_schema(StageSchema, "StagePage")
