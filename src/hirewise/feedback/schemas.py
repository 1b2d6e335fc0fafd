"""API shapes of feedback: what a reader sees, and what an interviewer sends."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hirewise.api import PageArgs, page_schema
from hirewise.feedback.models import Recommendation
from hirewise.feedback.services import MAX_TEXT


class FeedbackPersonSchema(Schema):
    id = fields.Integer()
    full_name = fields.String()


class FeedbackRatingSchema(Schema):
    skill_id = fields.Integer(allow_none=True)
    skill_name = fields.String()
    rating = fields.Integer(
        allow_none=True, metadata={"description": "1 strong no .. 4 strong yes; null = not assessed"}
    )


class FeedbackAnswerSchema(Schema):
    question_id = fields.Integer(allow_none=True)
    question = fields.Dict(
        attribute="question_snapshot", metadata={"description": "text, expected_answer, key_points as asked"}
    )
    notes = fields.String()
    covered_key_points = fields.List(fields.Integer())


class FeedbackRevisionSchema(Schema):
    version = fields.Integer()
    created_at = fields.DateTime()
    snapshot = fields.Dict()


class FeedbackSchema(Schema):
    id = fields.Integer()
    interview_id = fields.Integer()
    application_id = fields.Integer()
    interviewer = fields.Nested(FeedbackPersonSchema)
    status = fields.String()
    recommendation = fields.String(allow_none=True)
    summary = fields.String()
    version = fields.Integer()
    submitted_at = fields.DateTime(allow_none=True)
    ratings = fields.List(fields.Nested(FeedbackRatingSchema))
    answers = fields.List(fields.Nested(FeedbackAnswerSchema))
    revisions = fields.List(fields.Nested(FeedbackRevisionSchema))


FeedbackPageSchema = page_schema(FeedbackSchema, "FeedbackPage")


class FeedbackListArgs(PageArgs):
    application_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))


# Object keys are ids: JSON keys are strings, so the spec says which strings.
_ID_KEY = fields.String(validate=validate.Regexp(r"^[1-9][0-9]{0,17}$", error="Not an id."))


class AnswerInputSchema(Schema):
    notes = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))
    covered_key_points = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=0, max=99)),
        load_default=list,
        validate=validate.Length(max=100),
        metadata={"description": "Indexes of the question's key points the answer covered"},
    )


class FeedbackInputSchema(Schema):
    interview_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    ratings = fields.Dict(
        keys=_ID_KEY,
        values=fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=4)),
        load_default=dict,
        metadata={"description": "skill_id -> 1..4, or null for not assessed"},
    )
    answers = fields.Dict(
        keys=_ID_KEY,
        values=fields.Nested(AnswerInputSchema),
        load_default=dict,
        metadata={"description": "question_id -> notes and covered key point indexes"},
    )
    recommendation = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf([r.value for r in Recommendation])
    )
    summary = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))
