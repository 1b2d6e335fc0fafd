"""Shapes of feedback: what a reader sees, and what an interviewer sends (``ScorecardSchema``, which the
API, the HTML scorecard and the services all load a scorecard with)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from hirewise.api import PageArgs, page_schema
from hirewise.api.limits import MAX_ID
from hirewise.feedback.models import Recommendation


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


MAX_TEXT = 20_000
_NOTES = f"Notes must be text of at most {MAX_TEXT:,} characters."
_SUMMARY = f"The summary must be at most {MAX_TEXT:,} characters."
_RATING = "A rating must be 1 to 4, or none (not assessed)."
_KEY_POINT = "A covered key point is the index of one of the question's key points (0, 1, …)."
_RECOMMENDATION = "Choose strong no, no, yes or strong yes."
_NOT_AN_ID = "Not an id."
_RATINGS = "Ratings are an object: skill id -> 1 to 4, or null for not assessed."
_ANSWERS = "Answers are an object: question id -> notes and covered key points."


class IdKey(fields.String):
    """An object key that is an id: JSON keys are strings, so the spec says which strings (digits); the
    loaded key is the int (an int key, from Python, is taken as it is)."""

    def __init__(self) -> None:
        super().__init__(
            validate=validate.Regexp(r"^[1-9][0-9]{0,17}$", error=_NOT_AN_ID),
            error_messages={"invalid": _NOT_AN_ID},
        )

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID:
            return value
        return int(super().deserialize(value, attr, data, **kwargs))


class AnswerInputSchema(Schema):
    notes = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_TEXT, error=_NOTES),
        error_messages={"invalid": _NOTES, "null": _NOTES},
    )
    covered_key_points = fields.List(
        fields.Integer(
            strict=True,
            validate=validate.Range(min=0, max=99, error=_KEY_POINT),
            error_messages={"invalid": _KEY_POINT, "null": _KEY_POINT},
        ),
        load_default=list,
        validate=validate.Length(max=100, error=_KEY_POINT),
        error_messages={"invalid": _KEY_POINT, "null": _KEY_POINT},
        metadata={"description": "Indexes of the question's key points the answer covered"},
    )


class ScorecardSchema(Schema):
    """A scorecard's editable part, as the API and the HTML form send it (the form's text made typed by
    ``forms.read_feedback_form``); the services load every scorecard with it, so each caller gets the same
    rules and messages. Which skills and questions (and how many key points) an interview has is the
    services' to check."""

    ratings = fields.Dict(
        keys=IdKey(),
        values=fields.Integer(
            allow_none=True,
            strict=True,
            validate=validate.Range(min=1, max=4, error=_RATING),
            error_messages={"invalid": _RATING},
        ),
        load_default=dict,
        error_messages={"invalid": _RATINGS, "null": _RATINGS},
        metadata={"description": "skill_id -> 1..4, or null for not assessed"},
    )
    answers = fields.Dict(
        keys=IdKey(),
        values=fields.Nested(
            AnswerInputSchema,
            error_messages={"type": "An answer is an object: notes and covered_key_points."},
        ),
        load_default=dict,
        error_messages={"invalid": _ANSWERS, "null": _ANSWERS},
        metadata={"description": "question_id -> notes and covered key point indexes"},
    )
    recommendation = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf([r.value for r in Recommendation], error=_RECOMMENDATION),
        error_messages={"invalid": _RECOMMENDATION},
    )
    summary = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_TEXT, error=_SUMMARY),
        error_messages={"invalid": _SUMMARY, "null": _SUMMARY},
    )


class FeedbackInputSchema(ScorecardSchema):
    interview_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
