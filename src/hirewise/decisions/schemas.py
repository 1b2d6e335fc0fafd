"""API shapes of the debrief, decisions, the ranking and the comparison."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from hirewise.api.limits import StrictBoolean, ident_list
from hirewise.candidates.fields import MAX_REASON
from hirewise.decisions.services import MAX_COMPARE, MIN_COMPARE
from hirewise.feedback.models import DecisionKind

_FIT = {"description": "FitResult.to_dict(): gate, fit, coverage, skills, explanation"}
_RECOMMENDATIONS = {"description": "Submitted recommendations per value: strong_yes, yes, no, strong_no"}


class DecisionCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf([kind.value for kind in DecisionKind]))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=MAX_REASON))
    to_stage_id = fields.Integer(
        load_default=None, allow_none=True, strict=True, metadata={"description": "Required to advance"}
    )
    confirm_gate = StrictBoolean(
        load_default=False,
        metadata={
            "description": (
                "Advance or hire although the must-have gate is failed or incomplete (the reason says "
                "why); without it such a decision is refused with 409 `gate_confirmation_required`."
            )
        },
    )


class DecisionSchema(Schema):
    id = fields.Integer(dump_only=True)
    application_id = fields.Integer(dump_only=True)
    kind = fields.String(dump_only=True)
    reason = fields.String(dump_only=True)
    to_stage_id = fields.Integer(dump_only=True, allow_none=True)
    to_stage = fields.Function(lambda d: d.to_stage.name if d.to_stage else None, dump_only=True)
    decided_by = fields.Function(lambda d: d.decided_by.full_name if d.decided_by else None, dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    fit_snapshot = fields.Dict(dump_only=True, metadata=_FIT)


class ColumnSchema(Schema):
    feedback_id = fields.Integer()
    interviewer_name = fields.String()
    interviewer_email = fields.String()
    interview_title = fields.String()
    recommendation = fields.String(allow_none=True)
    summary = fields.String()


class CellSchema(Schema):
    rating = fields.Integer(allow_none=True)
    label = fields.String()


class SkillRowSchema(Schema):
    skill_id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    weight = fields.Float()
    pass_bar = fields.Float()
    score = fields.Float(allow_none=True)
    passed = fields.Boolean(allow_none=True)
    unassessed_must_have = fields.Boolean()
    cells = fields.List(fields.Nested(CellSchema))


class CoverageSchema(Schema):
    covered = fields.Integer()
    total = fields.Integer()
    notes = fields.String()


class QuestionRowSchema(Schema):
    text = fields.String()
    cells = fields.List(
        fields.Nested(CoverageSchema, allow_none=True),
        metadata={"description": "One per column; null when that interviewer did not ask the question"},
    )


class PendingScorecardSchema(Schema):
    interviewer_name = fields.String()
    interview_title = fields.String()
    starts_at = fields.DateTime()
    upcoming = fields.Boolean(metadata={"description": "The interview has not ended yet"})


class ScorecardProgressSchema(Schema):
    submitted = fields.Integer()
    expected = fields.Integer(
        metadata={"description": "One per interviewer of each interview not cancelled, plus any submitted"}
    )
    summary = fields.String(metadata={"description": "e.g. '1 of 2 scorecards submitted'"})
    pending = fields.List(fields.Nested(PendingScorecardSchema))


class DebriefSchema(Schema):
    application_id = fields.Function(lambda d: d.application.id)
    scorecards = fields.Nested(ScorecardProgressSchema)
    columns = fields.List(fields.Nested(ColumnSchema))
    skills = fields.List(fields.Nested(SkillRowSchema))
    questions = fields.List(fields.Nested(QuestionRowSchema))
    fit = fields.Function(lambda d: d.fit.to_dict(), metadata=_FIT)
    recommendations = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata=_RECOMMENDATIONS)
    decisions = fields.List(fields.Nested(DecisionSchema))


def _fit(row: Any) -> dict[str, Any]:
    result: dict[str, Any] = row.fit.to_dict()
    return result


class RankedApplicationSchema(Schema):
    position = fields.Integer()
    application_id = fields.Integer()
    candidate_name = fields.String()
    stage = fields.String(attribute="stage_name")
    gate = fields.Function(lambda row: row.fit.gate)
    fit_score = fields.Function(
        lambda row: row.fit.fit, metadata={"description": "0..100, null without evidence"}
    )
    coverage = fields.Function(lambda row: row.fit.coverage)
    recommendations = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata=_RECOMMENDATIONS)
    fit = fields.Function(_fit, metadata=_FIT)


class RankingArgs(Schema):
    sort = fields.String(load_default="fit", validate=validate.OneOf(["fit", "name", "stage"]))


class RankingSchema(Schema):
    opening_id = fields.Integer()
    items = fields.List(fields.Nested(RankedApplicationSchema))


class CompareArgs(Schema):
    ids = ident_list(
        min_items=MIN_COMPARE,
        max_items=MAX_COMPARE,
        unique=True,
        strict=False,
        required=True,
        metadata={"description": "Applications of this opening, each once"},
    )


class ComparedSkillSchema(Schema):
    skill_id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    results = fields.Function(
        lambda skill: [result.to_dict() for result in skill.results],
        metadata={"description": "SkillResult per application, in column order"},
    )


class ComparisonSchema(Schema):
    opening_id = fields.Function(lambda c: c.opening.id)
    columns = fields.List(fields.Nested(RankedApplicationSchema))
    skills = fields.List(fields.Nested(ComparedSkillSchema))
