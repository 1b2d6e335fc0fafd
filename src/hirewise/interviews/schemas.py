"""API shapes of interview plans and interviews. Schemas state the limits (so the spec does); the services
check them again with the rules a schema cannot state (stages of this opening, who may do what)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hirewise.api import PageArgs, page_schema
from hirewise.api.limits import ident, ident_list, line, optional_line
from hirewise.interviews.validation import DURATION_RANGE, MAX_INTERVIEWERS

_TIMEZONE = {"description": "IANA time zone, e.g. Europe/Berlin or UTC"}
_DURATION = validate.Range(*DURATION_RANGE)


class PlanItemSchema(Schema):
    id = fields.Integer(dump_only=True)
    opening_id = fields.Integer(dump_only=True)
    stage_id = ident(required=True)
    title = line(200, required=True)
    duration_minutes = fields.Integer(load_default=60, strict=True, validate=_DURATION)
    focus_skill_ids = ident_list(load_default=list)
    question_ids = ident_list(load_default=list)
    position = fields.Integer(dump_only=True)


class PlanItemUpdateSchema(Schema):
    stage_id = ident()
    title = line(200)
    duration_minutes = fields.Integer(strict=True, validate=_DURATION)
    focus_skill_ids = ident_list()
    question_ids = ident_list()


class PlanSchema(Schema):
    items = fields.List(fields.Nested(PlanItemSchema))


class PersonSchema(Schema):
    id = fields.Integer(dump_only=True)
    full_name = fields.String(dump_only=True)
    email = fields.String(dump_only=True)


class InterviewSchema(Schema):
    id = fields.Integer(dump_only=True)
    application_id = fields.Integer(dump_only=True)
    candidate_id = fields.Integer(dump_only=True, attribute="application.candidate_id")
    opening_id = fields.Integer(dump_only=True, attribute="application.opening_id")
    plan_item_id = fields.Integer(dump_only=True, allow_none=True)
    title = fields.String(dump_only=True)
    starts_at = fields.AwareDateTime(dump_only=True)
    timezone = fields.String(dump_only=True, metadata=_TIMEZONE)
    duration_minutes = fields.Integer(dump_only=True)
    location = fields.String(dump_only=True)
    video_url = fields.String(dump_only=True)
    instructions = fields.String(dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": ["scheduled", "cancelled"]})
    calendar_uid = fields.String(dump_only=True)
    calendar_sequence = fields.Integer(dump_only=True)
    focus_skill_ids = fields.List(fields.Integer(), dump_only=True)
    question_ids = fields.List(fields.Integer(), dump_only=True)
    organizer = fields.Nested(PersonSchema, dump_only=True, allow_none=True)
    interviewers = fields.List(fields.Nested(PersonSchema), dump_only=True)


InterviewPageSchema = page_schema(InterviewSchema, "InterviewPage")


class InterviewListArgs(PageArgs):
    application_id = fields.Integer(load_default=None, allow_none=True)
    mine = fields.Boolean(
        load_default=False, metadata={"description": "Only interviews you are an interviewer on"}
    )


class _WhenSchema(Schema):
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with an offset"})
    timezone = fields.String(required=True, validate=validate.Length(max=64), metadata=_TIMEZONE)
    duration_minutes = fields.Integer(required=True, strict=True, validate=_DURATION)


class InterviewCreateSchema(_WhenSchema):
    application_id = ident(required=True)
    title = line(200, required=True)
    interviewer_ids = ident_list(min_items=1, max_items=MAX_INTERVIEWERS, required=True)
    location = optional_line(300, load_default="")
    video_url = optional_line(500, load_default="")
    instructions = fields.String(load_default="", metadata={"description": "Seen by the interviewers only"})
    plan_item_id = ident(load_default=None, allow_none=True)


class InterviewRescheduleSchema(_WhenSchema):
    interviewer_ids = ident_list(min_items=1, max_items=MAX_INTERVIEWERS, load_default=None, allow_none=True)
    location = optional_line(300, load_default=None, allow_none=True)
    video_url = optional_line(500, load_default=None, allow_none=True)


class InterviewCancelSchema(Schema):
    reason = optional_line(500, load_default="")
