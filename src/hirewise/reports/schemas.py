"""The reports' filters (one schema for the page, the CSV links and the API) and their API shapes."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from hirewise.api.limits import ident
from hirewise.candidates.models import ApplicationSource
from hirewise.openings.models import OpeningStatus
from hirewise.reports.figures import ReportFilters


class ReportArgsSchema(Schema):
    opening_id = ident(strict=False, metadata={"description": "One opening."})
    hiring_manager_id = ident(
        strict=False,
        metadata={"description": "The openings whose hiring team includes this user (per team)."},
    )
    source = fields.Enum(
        ApplicationSource, by_value=True, metadata={"description": "The applications' source."}
    )
    opening_status = fields.Enum(OpeningStatus, by_value=True)
    date_from = fields.Date(
        metadata={"description": "Applied (interviews: held) on or after this day (UTC)."}
    )
    date_to = fields.Date(metadata={"description": "Applied (interviews: held) on or before this day (UTC)."})
    stuck_days = fields.Integer(
        load_default=14,
        validate=validate.Range(min=1, max=365),
        metadata={"description": "Speed report: an application is stuck after this many days in one stage."},
    )

    @validates_schema
    def _range_in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("The start of the date range is after its end.", "date_to")

    @post_load
    def _filters(self, data: dict[str, Any], **kwargs: Any) -> ReportFilters:
        return ReportFilters(**data)


class FunnelStageSchema(Schema):
    stage = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    reached = fields.Integer(dump_only=True, metadata={"description": "Reached this stage or a later one."})
    current = fields.Integer(dump_only=True, metadata={"description": "In this stage now."})
    conversion_percent = fields.Float(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Of those who reached it, % reaching the next."},
    )


class DropOffSchema(Schema):
    stage = fields.String(dump_only=True, metadata={"description": "The stage rejected from."})
    reason = fields.String(dump_only=True)
    applications = fields.Integer(dump_only=True)


class FunnelSchema(Schema):
    summary = fields.String(dump_only=True)
    applications = fields.Integer(dump_only=True)
    hired = fields.Integer(dump_only=True)
    stages = fields.List(fields.Nested(FunnelStageSchema), dump_only=True)
    drop_off = fields.List(fields.Nested(DropOffSchema), dump_only=True)


class SpreadSchema(Schema):
    count = fields.Integer(dump_only=True)
    median_days = fields.Float(dump_only=True, allow_none=True)
    p90_days = fields.Float(dump_only=True, allow_none=True)


class StageSpeedSchema(Schema):
    stage = fields.String(dump_only=True)
    stays = fields.Integer(dump_only=True, metadata={"description": "Completed stays in this stage."})
    median_days = fields.Float(dump_only=True, allow_none=True)
    p90_days = fields.Float(dump_only=True, allow_none=True)


class StuckSchema(Schema):
    application_id = fields.Integer(dump_only=True)
    candidate = fields.String(dump_only=True)
    opening = fields.String(dump_only=True)
    stage = fields.String(dump_only=True)
    days_in_stage = fields.Float(dump_only=True)


class SpeedSchema(Schema):
    summary = fields.String(dump_only=True)
    stuck_days = fields.Integer(dump_only=True)
    stages = fields.List(fields.Nested(StageSpeedSchema), dump_only=True)
    first_action = fields.Nested(SpreadSchema, dump_only=True)
    time_to_hire = fields.Nested(SpreadSchema, dump_only=True)
    stuck_count = fields.Integer(dump_only=True)
    stuck = fields.List(
        fields.Nested(StuckSchema),
        dump_only=True,
        metadata={"description": "The longest first (50 at most)."},
    )


class SourceRowSchema(Schema):
    source = fields.String(dump_only=True)
    applications = fields.Integer(dump_only=True)
    interviews = fields.Integer(dump_only=True)
    offers = fields.Integer(dump_only=True)
    hires = fields.Integer(dump_only=True)
    hire_rate_percent = fields.Float(dump_only=True, allow_none=True)


class SourcesSchema(Schema):
    summary = fields.String(dump_only=True)
    sources = fields.List(fields.Nested(SourceRowSchema), dump_only=True)


class QuestionScoresSchema(Schema):
    question_id = fields.Integer(dump_only=True)
    position = fields.Integer(dump_only=True)
    prompt = fields.String(dump_only=True)
    answers = fields.Integer(dump_only=True)
    mean_percent = fields.Float(dump_only=True, allow_none=True)
    distribution = fields.List(fields.Integer(), dump_only=True)


class AssessmentScoresSchema(Schema):
    assessment_id = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)
    opening = fields.String(dump_only=True)
    pass_mark_percent = fields.Integer(dump_only=True)
    invited = fields.Integer(dump_only=True)
    started = fields.Integer(dump_only=True)
    submitted = fields.Integer(dump_only=True)
    scored = fields.Integer(dump_only=True)
    passed = fields.Integer(dump_only=True)
    completion_percent = fields.Float(dump_only=True, allow_none=True)
    pass_percent = fields.Float(dump_only=True, allow_none=True)
    distribution = fields.List(
        fields.Integer(),
        dump_only=True,
        metadata={"description": "Scored attempts per 0-19, 20-39, 40-59, 60-79, 80-100 %."},
    )
    median_minutes = fields.Float(dump_only=True, allow_none=True)
    p90_minutes = fields.Float(dump_only=True, allow_none=True)
    questions = fields.List(fields.Nested(QuestionScoresSchema), dump_only=True)


class AssessmentsSchema(Schema):
    summary = fields.String(dump_only=True)
    assessments = fields.List(fields.Nested(AssessmentScoresSchema), dump_only=True)


class InterviewerWeekSchema(Schema):
    interviewer_id = fields.Integer(dump_only=True)
    interviewer = fields.String(dump_only=True)
    week = fields.Date(dump_only=True, metadata={"description": "The Monday of the week."})
    interviews = fields.Integer(dump_only=True)


class InterviewerFeedbackSchema(Schema):
    interviewer_id = fields.Integer(dump_only=True)
    interviewer = fields.String(dump_only=True)
    interviews = fields.Integer(dump_only=True)
    feedback_due = fields.Integer(dump_only=True)
    on_time = fields.Integer(dump_only=True)
    late = fields.Integer(dump_only=True)
    missing = fields.Integer(dump_only=True)
    on_time_percent = fields.Float(dump_only=True, allow_none=True)


class InterviewsSchema(Schema):
    summary = fields.String(dump_only=True)
    grace_hours = fields.Integer(dump_only=True)
    weeks = fields.List(fields.Nested(InterviewerWeekSchema), dump_only=True)
    interviewers = fields.List(fields.Nested(InterviewerFeedbackSchema), dump_only=True)
