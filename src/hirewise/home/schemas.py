"""API shape of the to-do list: ids, names and times only, never scores, feedback or notes."""

from __future__ import annotations

from marshmallow import Schema, fields


class NamedSchema(Schema):
    id = fields.Integer(dump_only=True)
    full_name = fields.String(dump_only=True)


class OpeningRefSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)


class TodoInterviewSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)
    starts_at = fields.AwareDateTime(dump_only=True)
    duration_minutes = fields.Integer(dump_only=True)
    timezone = fields.String(dump_only=True)
    application_id = fields.Integer(dump_only=True)
    candidate = fields.Nested(NamedSchema, attribute="application.candidate", dump_only=True)
    opening = fields.Nested(OpeningRefSchema, attribute="application.opening", dump_only=True)


class TodoApplicationSchema(Schema):
    id = fields.Integer(dump_only=True)
    applied_at = fields.AwareDateTime(dump_only=True)
    stage = fields.String(attribute="stage.name", dump_only=True)
    candidate = fields.Nested(NamedSchema, dump_only=True)
    opening = fields.Nested(OpeningRefSchema, dump_only=True)


class TodoAttemptSchema(Schema):
    id = fields.Integer(dump_only=True)
    submitted_at = fields.AwareDateTime(dump_only=True)
    assessment = fields.String(attribute="invitation.assessment.title", dump_only=True)
    application_id = fields.Integer(attribute="invitation.application_id", dump_only=True)
    candidate = fields.Nested(NamedSchema, attribute="invitation.application.candidate", dump_only=True)
    opening = fields.Nested(OpeningRefSchema, attribute="invitation.application.opening", dump_only=True)


class TodoOverdueSchema(Schema):
    interview = fields.Nested(TodoInterviewSchema, dump_only=True)
    missing = fields.List(fields.Nested(NamedSchema), dump_only=True)


class TodoScoreReviewSchema(Schema):
    """A candidate's request for a person to review an automatic score (GDPR article 22)."""

    id = fields.Integer(dump_only=True)
    requested_at = fields.AwareDateTime(dump_only=True)
    answer_id = fields.Integer(dump_only=True)
    attempt_id = fields.Integer(attribute="answer.attempt_id", dump_only=True)
    application_id = fields.Integer(dump_only=True)
    candidate = fields.Nested(NamedSchema, attribute="application.candidate", dump_only=True)
    opening = fields.Nested(OpeningRefSchema, attribute="application.opening", dump_only=True)


class TodoSchema(Schema):
    upcoming_interviews = fields.List(fields.Nested(TodoInterviewSchema), dump_only=True)
    feedback_due = fields.List(fields.Nested(TodoInterviewSchema), dump_only=True)
    new_applications = fields.List(fields.Nested(TodoApplicationSchema), dump_only=True)
    assessments_to_review = fields.List(fields.Nested(TodoAttemptSchema), dump_only=True)
    overdue_feedback = fields.List(fields.Nested(TodoOverdueSchema), dump_only=True)
    todays_interviews = fields.List(fields.Nested(TodoInterviewSchema), dump_only=True)
    debriefs = fields.List(fields.Nested(TodoApplicationSchema), dump_only=True)
    score_reviews = fields.List(fields.Nested(TodoScoreReviewSchema), dump_only=True)
    more = fields.Dict(
        keys=fields.String(),
        values=fields.Boolean(),
        dump_only=True,
        metadata={"description": "Per list: true when it holds more than the rows shown."},
    )
