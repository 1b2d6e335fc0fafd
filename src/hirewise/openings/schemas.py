"""API shapes of openings. Input schemas check types; the services check the business rules."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from hirewise.api import PageArgs, page_schema
from hirewise.api.limits import SettingsUpdate, StrictBoolean, ident, ident_list, line
from hirewise.openings.services import KEYWORD_MAX, PASS_BAR_RANGE, SKILL_NAME_MAX, TITLE_MAX, WEIGHT_RANGE


class TeamMemberSchema(Schema):
    id = fields.Integer(dump_only=True)
    full_name = fields.String(dump_only=True)
    role = fields.String(dump_only=True)


class StageSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    position = fields.Integer(dump_only=True)


_SKILL_KIND = validate.OneOf(["must_have", "nice_to_have"])
_WEIGHT = validate.Range(*WEIGHT_RANGE)
_PASS_BAR = validate.Range(*PASS_BAR_RANGE)
_KEYWORDS = validate.Length(max=100)


class SkillSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = line(SKILL_NAME_MAX, required=True)
    kind = fields.String(required=True, validate=_SKILL_KIND)
    weight = fields.Integer(required=True, strict=True, validate=_WEIGHT)
    pass_bar = fields.Float(load_default=3.0, allow_nan=False, validate=_PASS_BAR)
    keywords = fields.List(
        fields.String(validate=validate.Length(max=KEYWORD_MAX)), load_default=list, validate=_KEYWORDS
    )
    description = fields.String(load_default="")
    position = fields.Integer(dump_only=True)


class SkillUpdateSchema(Schema):
    name = line(SKILL_NAME_MAX)
    kind = fields.String(validate=_SKILL_KIND)
    weight = fields.Integer(strict=True, validate=_WEIGHT)
    pass_bar = fields.Float(allow_nan=False, validate=_PASS_BAR)
    keywords = fields.List(fields.String(validate=validate.Length(max=KEYWORD_MAX)), validate=_KEYWORDS)
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


_ON_INVITE = (
    "Sending an assessment invitation moves the application to the Assessment stage (from Applied or Screen)."
)
_ON_SCHEDULE = (
    "Scheduling an interview moves the application to the Interview stage (an interview of the plan "
    "that belongs to an earlier stage, such as the screening call, only that far)."
)
_AUTOMATION_RULES = (
    " Moves go forward only, never out of Hired or Rejected nor on a closed opening, and are recorded "
    "like a move by hand with an 'Automatic: ...' reason. On by default."
)


class AutomationSchema(Schema):
    """The opening's stage automations."""

    move_on_assessment_invite = fields.Boolean(
        dump_only=True, attribute="auto_move_on_assessment_invite", metadata={"description": _ON_INVITE}
    )
    move_on_interview_scheduled = fields.Boolean(
        dump_only=True, attribute="auto_move_on_interview_scheduled", metadata={"description": _ON_SCHEDULE}
    )


class AutomationUpdateSchema(SettingsUpdate):
    """Settings left out keep their value; unknown settings and an empty body are refused (422)."""

    move_on_assessment_invite = StrictBoolean(metadata={"description": _ON_INVITE + _AUTOMATION_RULES})
    move_on_interview_scheduled = StrictBoolean(metadata={"description": _ON_SCHEDULE + _AUTOMATION_RULES})


class OpeningDetailSchema(OpeningSchema):
    skills = fields.List(fields.Nested(SkillSchema), dump_only=True)
    questions = fields.List(fields.Nested(QuestionSchema), dump_only=True)
    stages = fields.List(fields.Nested(StageSchema), dump_only=True)
    automation = fields.Nested(AutomationSchema, dump_only=True)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        if attr == "automation":
            return obj  # the settings are columns of the opening itself
        return super().get_attribute(obj, attr, default)


class PlanItemRefSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)
    stage_id = fields.Integer(dump_only=True)


class AssessmentRefSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)


class OpeningSetupSchema(Schema):
    """What was set up with the new opening (``openings/setup.py``)."""

    interview_plan = fields.List(
        fields.Nested(PlanItemRefSchema),
        dump_only=True,
        metadata={"description": "The interviews of the plan generated with it; empty when none was."},
    )
    assessment = fields.Nested(
        AssessmentRefSchema,
        dump_only=True,
        allow_none=True,
        metadata={"description": "The kit's screening assessment added to it; null when none was."},
    )
    published = fields.Boolean(dump_only=True, metadata={"description": "Whether it was created open."})


class OpeningCreatedSchema(OpeningDetailSchema):
    """The new opening, and in ``setup`` what was set up with it."""

    setup = fields.Nested(OpeningSetupSchema, dump_only=True)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        # Dumps an OpeningSetup: its own parts under "setup", the opening's fields everywhere else.
        if attr == "setup":
            return obj
        return super().get_attribute(obj.opening, attr, default)


# Validators, not only documentation: the spec's enum is what the API refuses with a 422.
_STATUS = validate.OneOf(["draft", "open", "closed"])
_EMPLOYMENT = validate.OneOf(["full_time", "part_time", "contract", "internship", "temporary"])
_FEEDBACK_VISIBILITY = validate.OneOf(["never", "after_submit", "always"])


class OpeningCreateSchema(Schema):
    title = line(TITLE_MAX, required=True)
    kit_id = ident(load_default=None, allow_none=True)
    location = fields.String(load_default="", validate=validate.Length(max=200))
    employment_type = fields.String(load_default="full_time", validate=_EMPLOYMENT)
    description = fields.String(load_default="", metadata={"description": "Markdown"})
    status = fields.String(
        load_default=None,
        validate=_STATUS,
        metadata={"description": "Left out: open when created from a kit, else draft (see publish)."},
    )
    team_ids = ident_list(max_items=100, load_default=list)
    # None (left out) lets the service decide: yes when kit_id is given.
    with_interview_plan = StrictBoolean(
        load_default=None,
        allow_none=False,
        metadata={
            "description": "Generate the interview plan (a screening call and a technical interview from "
            "the kit's questions). Default: true when kit_id is given."
        },
    )
    with_assessment = StrictBoolean(
        load_default=None,
        allow_none=False,
        metadata={
            "description": "Add the kit's screening assessment when the kit ships one (setup.assessment "
            "is null otherwise). Default: true when kit_id is given."
        },
    )
    publish = StrictBoolean(
        load_default=None,
        allow_none=False,
        metadata={
            "description": "Create it open, listed on the careers page. Default: true when kit_id is given "
            "and status is left out. A status that disagrees is refused (422)."
        },
    )


class OpeningUpdateSchema(Schema):
    title = line(TITLE_MAX)
    location = fields.String(validate=validate.Length(max=200))
    employment_type = fields.String(validate=_EMPLOYMENT)
    description = fields.String(metadata={"description": "Markdown"})
    status = fields.String(validate=_STATUS)
    team_ids = ident_list(max_items=100)
    feedback_visibility = fields.String(validate=_FEEDBACK_VISIBILITY)


class OpeningListArgs(PageArgs):
    # An upper bound keeps the OFFSET within what databases accept (a huge page is a 422, not a 500).
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    status = fields.String(load_default=None, validate=_STATUS)
    q = fields.String(load_default=None, metadata={"description": "Text the title contains"})


OpeningPageSchema = page_schema(OpeningSchema, "OpeningPage")
StagePageSchema = page_schema(StageSchema, "StagePage")
