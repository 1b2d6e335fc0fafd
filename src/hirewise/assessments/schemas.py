"""API shapes of assessments, for the hiring team and for the candidate.

Schemas state the limits (lengths, ranges, choices), so that the OpenAPI spec says them and the API
refuses early; the services check them again with the rules a schema cannot state (required content per
kind, who may do what), so the API, the HTML forms and the shipped kit files are held to the same rules.
An assessment's settings have no other rule: the services load them with ``AssessmentSettingsSchema``
itself, and its messages are the ones every caller reads. The
candidate's shapes are whitelists: nothing that scores an answer is declared on them, so it cannot
be dumped even if a caller hands it in by mistake.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, missing, validate

from hirewise.api.limits import OneLine, StrictBoolean, ident, ident_list, text
from hirewise.assessments.invitations import MAX_BULK_INVITATIONS, MAX_RETAKE_REASON_CHARS
from hirewise.assessments.models import AssessmentStatus, Layout, QuestionKind
from hirewise.assessments.validation import MAX_POINTS, MAX_PROMPT_CHARS, TIME_LIMIT_RANGE, VALID_DAYS_RANGE

_LAYOUTS = {"enum": [layout.value for layout in Layout]}
_STATUSES = {"enum": [status.value for status in AssessmentStatus]}
_KINDS = {"enum": [kind.value for kind in QuestionKind]}
_KIND = validate.OneOf([kind.value for kind in QuestionKind])
_POINTS = validate.Range(min=1, max=MAX_POINTS)
MAX_INSTRUCTIONS = 5_000
MAX_OVERRIDE_REASON_CHARS = 2_000  # as review.override_score checks it
_CONTENT = {
    "description": (
        "What the kind needs. multiple_choice: options [{text, correct}], multiple, partial_credit, "
        "shuffle. free_text: expected_answer, key_points [{label, text}]. code: function_name, "
        "starter_code, examples and tests [{args: [...], expected, name}]."
    )
}
# --- hiring team: assessments and questions ---------------------------------------------------------


class AssessmentListArgs(Schema):
    include_archived = fields.Boolean(load_default=False)


def _whole_number(label: str, low: int, high: int, default: int) -> fields.Integer:
    """A JSON integer from ``low`` to ``high``; anything else gets the one message a person can act on."""
    message = f"{label} must be a whole number from {low} to {high}."
    return fields.Integer(
        strict=True,
        load_default=default,
        validate=validate.Range(min=low, max=high, error=message),
        error_messages={"invalid": message, "null": message, "too_large": message},
    )


def _choice(choices: list[str], message: str, default: str) -> fields.String:
    return fields.String(
        load_default=default,
        validate=validate.OneOf(choices, error=message),
        error_messages={"invalid": message, "null": message},
    )


class _StrippedString(fields.String):
    """Text checked as it was sent (so the limits are the spec's) and kept without surrounding spaces."""

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        loaded = super().deserialize(value, attr, data, **kwargs)
        return loaded.strip() if isinstance(loaded, str) else loaded


_TITLE_REQUIRED = "The title is required."
_INSTRUCTIONS = f"The instructions must be text of at most {MAX_INSTRUCTIONS:,} characters."


class AssessmentSettingsSchema(Schema):
    """Every rule of an assessment's settings, in one place: the API loads its bodies with it (so the
    spec states the limits), and ``building.create_assessment``/``update_assessment`` load whatever they
    are given with it (the HTML form hands them typed values), so each caller gets the same messages."""

    title = _StrippedString(
        required=True,
        validate=[
            validate.Length(max=200, error="The title must be at most 200 characters."),
            OneLine(blank=_TITLE_REQUIRED, broken="The title must be a single line."),
        ],
        error_messages={"required": _TITLE_REQUIRED, "null": _TITLE_REQUIRED, "invalid": _TITLE_REQUIRED},
        metadata={"minLength": 1},  # OneLine refuses "" (as blank), with its own message
    )
    instructions = _StrippedString(
        load_default="",
        validate=validate.Length(max=MAX_INSTRUCTIONS, error=_INSTRUCTIONS),
        error_messages={"invalid": _INSTRUCTIONS, "null": _INSTRUCTIONS},
        metadata={"description": "Shown to the candidate before starting"},
    )
    time_limit_minutes = _whole_number("The time limit (minutes)", *TIME_LIMIT_RANGE, default=30)
    pass_mark_percent = _whole_number("The pass mark (%)", 0, 100, default=60)
    layout = _choice(
        [layout.value for layout in Layout],
        "Choose one question per page or all questions on one page.",
        Layout.ONE_PER_PAGE.value,
    )
    invitation_valid_days = _whole_number("Days a link stays valid", *VALID_DAYS_RANGE, default=7)
    status = _choice(
        [status.value for status in AssessmentStatus],
        "Choose active or archived.",
        AssessmentStatus.ACTIVE.value,
    )


class AssessmentCreateSchema(AssessmentSettingsSchema):
    """A new assessment is active: it is archived by an update."""

    class Meta:
        exclude = ("status",)


class AssessmentUpdateSchema(AssessmentSettingsSchema):
    """Settings left out keep their value: nothing is required, and no default applies (nor is stated)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)
        for field in self.fields.values():  # each instance has its own copies of the fields
            field.load_default = missing


class AssessmentSchema(Schema):
    id = fields.Integer()
    opening_id = fields.Integer()
    title = fields.String()
    instructions = fields.String()
    time_limit_minutes = fields.Integer()
    pass_mark_percent = fields.Integer()
    layout = fields.String(metadata=_LAYOUTS)
    invitation_valid_days = fields.Integer()
    status = fields.String(metadata=_STATUSES)
    source = fields.String(
        metadata={"description": "Where the questions came from, e.g. kit:flask-developer"}
    )
    question_count = fields.Function(lambda assessment: len(assessment.questions))
    max_points = fields.Function(lambda assessment: sum(q.points for q in assessment.questions))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class AssessmentListSchema(Schema):
    items = fields.List(fields.Nested(AssessmentSchema))


class AssessmentQuestionSchema(Schema):
    id = fields.Integer()
    assessment_id = fields.Integer()
    position = fields.Integer()
    kind = fields.String(metadata=_KINDS)
    prompt = fields.String()
    points = fields.Integer()
    skill_id = fields.Integer(allow_none=True)
    skill_name = fields.String(attribute="skill.name", dump_default=None, allow_none=True)
    bank_question_id = fields.Integer(allow_none=True)
    content = fields.Dict(metadata=_CONTENT)
    rubric_version = fields.Integer(
        metadata={"description": "Bumped by every change to what a score depends on"}
    )


class AssessmentDetailSchema(AssessmentSchema):
    questions = fields.List(fields.Nested(AssessmentQuestionSchema))


class AssessmentQuestionCreateSchema(Schema):
    kind = fields.String(required=True, validate=_KIND)
    prompt = text(MAX_PROMPT_CHARS, required=True)
    points = fields.Integer(strict=True, validate=_POINTS, metadata={"description": "Default 1"})
    skill_id = ident(allow_none=True, metadata={"description": "A skill of the opening"})
    content = fields.Dict(load_default=dict, metadata=_CONTENT)


class AssessmentQuestionUpdateSchema(Schema):
    kind = fields.String(
        validate=_KIND, metadata={"description": "Cannot change; add a new question instead"}
    )
    prompt = text(MAX_PROMPT_CHARS)
    points = fields.Integer(strict=True, validate=_POINTS)
    skill_id = ident(allow_none=True)
    content = fields.Dict(metadata={"description": "Replaces the whole content. " + _CONTENT["description"]})


class AssessmentQuestionUpdateResultSchema(Schema):
    question = fields.Nested(AssessmentQuestionSchema)
    rubric_version = fields.Integer(attribute="question.rubric_version")
    rubric_changed = fields.Boolean(
        metadata={"description": "True when the edit created a new rubric version"}
    )
    outdated_answers = fields.Integer(
        metadata={"description": "Scored answers computed against an older rubric; rescore to update them"}
    )


class BankQuestionAddSchema(Schema):
    bank_question_id = ident(required=True)
    points = fields.Integer(strict=True, validate=_POINTS, metadata={"description": "Default 5"})


class AssessmentRubricSchema(Schema):
    version = fields.Integer()
    snapshot = fields.Dict(metadata={"description": "kind, prompt, points and content at this version"})
    created_at = fields.DateTime()
    created_by_id = fields.Integer(allow_none=True)


class AssessmentRubricListSchema(Schema):
    question_id = fields.Integer()
    current_version = fields.Integer()
    items = fields.List(fields.Nested(AssessmentRubricSchema))


# --- invitations ---------------------------------------------------------------------------------


class AssessmentPersonSchema(Schema):
    id = fields.Integer()
    full_name = fields.String()


class InvitedCandidateSchema(AssessmentPersonSchema):
    email = fields.String()


class InvitationCreateSchema(Schema):
    application_ids = ident_list(
        min_items=1,
        max_items=MAX_BULK_INVITATIONS,
        required=True,
        metadata={"description": "Applications to the same opening"},
    )
    valid_days = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(*VALID_DAYS_RANGE),
        metadata={"description": "Default: the assessment's setting"},
    )
    skip_invited = StrictBoolean(
        load_default=False,
        metadata={
            "description": "Leave out applications already invited or assessed instead of refusing the whole batch"
        },
    )
    retake = StrictBoolean(
        load_default=False,
        metadata={
            "description": "Invite again applications that have already submitted this assessment (refused "
            "with 409 otherwise); needs retake_reason"
        },
    )
    retake_reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=MAX_RETAKE_REASON_CHARS),
        metadata={"description": "Why: required with retake; audit-logged"},
    )


class InvitationSchema(Schema):
    id = fields.Integer()
    assessment_id = fields.Integer()
    application_id = fields.Integer()
    candidate = fields.Nested(InvitedCandidateSchema)
    state = fields.String(
        metadata={"enum": ["invited", "in progress", "submitted", "scored", "expired", "revoked"]}
    )
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    invited_by = fields.Nested(AssessmentPersonSchema, allow_none=True)
    attempt_id = fields.Integer(allow_none=True)
    outbox_message_id = fields.Integer(allow_none=True)
    retake_reason = fields.String(metadata={"description": "Empty unless the invitation is a retake"})
    retake_of_attempt_id = fields.Integer(
        allow_none=True, metadata={"description": "A retake: the submitted attempt it repeats"}
    )


class InvitationListSchema(Schema):
    items = fields.List(fields.Nested(InvitationSchema))


class IssuedInvitationSchema(InvitationSchema):
    token = fields.String(metadata={"description": "Shown this once; only its SHA-256 is stored"})
    link = fields.String(metadata={"description": "The candidate's private link, also emailed to them"})


class SkippedApplicationSchema(Schema):
    application_id = fields.Integer()
    reason = fields.String(metadata={"description": "Open invitation, or the attempt already submitted"})


class IssuedInvitationListSchema(Schema):
    items = fields.List(fields.Nested(IssuedInvitationSchema))
    skipped = fields.List(
        fields.Nested(SkippedApplicationSchema),
        metadata={"description": "With skip_invited: the applications left out, and why"},
    )


# --- results and review --------------------------------------------------------------------------


class AttemptTotalsSchema(Schema):
    points = fields.Float()
    max_points = fields.Float()
    percent = fields.Float()
    passed = fields.Boolean()
    pending = fields.Integer(metadata={"description": "Answers without a score yet"})
    overridden = fields.Integer(metadata={"description": "Answers whose score a reviewer set"})


class AttemptSkillResultSchema(Schema):
    skill_id = fields.Integer()
    skill_name = fields.String()
    points = fields.Float()
    max_points = fields.Float()
    percent = fields.Float()


class AttemptSummarySchema(Schema):
    id = fields.Integer()
    invitation_id = fields.Integer()
    application_id = fields.Integer()
    assessment_id = fields.Integer()
    assessment_title = fields.String()
    pass_mark_percent = fields.Integer()
    status = fields.String(metadata={"enum": ["in_progress", "submitted"]})
    scoring_status = fields.String(metadata={"enum": ["pending", "scored", "failed"]})
    scoring_error = fields.String()
    submitted_by = fields.String(allow_none=True, metadata={"enum": ["candidate", "deadline", None]})
    started_at = fields.DateTime()
    deadline_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    scored_at = fields.DateTime(allow_none=True)
    retake = fields.Boolean(metadata={"description": "Invited again after a submitted attempt"})
    retake_reason = fields.String()
    retake_of_attempt_id = fields.Integer(allow_none=True)
    totals = fields.Nested(AttemptTotalsSchema)
    skills = fields.List(fields.Nested(AttemptSkillResultSchema))


class AttemptListArgs(Schema):
    include_in_progress = fields.Boolean(
        load_default=False, metadata={"description": "Also the attempts the candidate has not submitted yet"}
    )


class AttemptSummaryListSchema(Schema):
    items = fields.List(fields.Nested(AttemptSummarySchema))


class IntegritySignalsSchema(Schema):
    paste_count = fields.Integer()
    pasted_chars = fields.Integer()
    blur_count = fields.Integer(metadata={"description": "Times the page lost focus"})
    time_spent_seconds = fields.Integer()
    similarity = fields.Float(
        allow_none=True, metadata={"description": "0..1 to the most similar other candidate's answer"}
    )
    similar_answer_id = fields.Integer(allow_none=True)


class AnswerReviewSchema(Schema):
    id = fields.Integer()
    question_id = fields.Integer()
    position = fields.Integer()
    kind = fields.String(metadata=_KINDS)
    prompt = fields.String()
    skill_id = fields.Integer(allow_none=True)
    response = fields.Dict(
        metadata={"description": '{"selected": [...]} | {"text": "..."} | {"code": "..."}'}
    )
    saved_at = fields.DateTime()
    auto_points = fields.Float(allow_none=True)
    override_points = fields.Float(allow_none=True)
    override_reason = fields.String()
    overridden_by = fields.Nested(AssessmentPersonSchema, allow_none=True)
    overridden_at = fields.DateTime(allow_none=True)
    final_points = fields.Float(
        allow_none=True, metadata={"description": "The override if any, else auto_points"}
    )
    max_points = fields.Float()
    explanation = fields.Dict(metadata={"description": "How the automatic score was computed, as stored"})
    scorer = fields.String()
    scorer_version = fields.String()
    rubric_version = fields.Integer(allow_none=True, metadata={"description": "The rubric the score used"})
    current_rubric_version = fields.Integer()
    signals = fields.Nested(IntegritySignalsSchema)


class AttemptReviewSchema(AttemptSummarySchema):
    candidate = fields.Nested(InvitedCandidateSchema)
    answers = fields.List(fields.Nested(AnswerReviewSchema))
    signals_note = fields.String()


class ScoreOverrideSchema(Schema):
    points = fields.Float(
        required=True,
        validate=validate.Range(min=0, max=MAX_POINTS),
        metadata={"description": "0 to the question's points"},
    )
    reason = text(
        MAX_OVERRIDE_REASON_CHARS,
        required=True,
        metadata={"description": "Kept with the score and in the audit log"},
    )


class RescoreSchema(Schema):
    attempt_ids = ident_list(
        max_items=1000,
        load_default=None,
        allow_none=True,
        metadata={"description": "Default: every submitted attempt of the assessment"},
    )


class RescoreResultSchema(Schema):
    count = fields.Integer(metadata={"description": "Attempts queued for scoring"})


# --- the candidate's side ------------------------------------------------------------------------


class CandidateOptionSchema(Schema):
    id = fields.String(
        metadata={
            "description": "This attempt's own random id for the option (send it back in selected); "
            "the same option has another id in every other attempt"
        }
    )
    text = fields.String()


class CandidateExampleSchema(Schema):
    name = fields.String()
    args = fields.List(fields.Raw())
    expected = fields.Raw()


class CandidateQuestionSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata=_KINDS)
    prompt = fields.String()
    points = fields.Integer()
    options = fields.List(fields.Nested(CandidateOptionSchema), metadata={"description": "multiple_choice"})
    multiple = fields.Boolean(metadata={"description": "multiple_choice: more than one option may be chosen"})
    function_name = fields.String(metadata={"description": "code"})
    starter_code = fields.String(metadata={"description": "code"})
    examples = fields.List(fields.Nested(CandidateExampleSchema), metadata={"description": "code"})
    response = fields.Dict(allow_none=True, metadata={"description": "The candidate's saved answer, if any"})
    saved_at = fields.DateTime(allow_none=True)


class CandidateAssessmentSchema(Schema):
    title = fields.String()
    instructions = fields.String()
    time_limit_minutes = fields.Integer()
    layout = fields.String(metadata=_LAYOUTS)
    question_count = fields.Integer()


class CandidateStateSchema(Schema):
    state = fields.String(metadata={"enum": ["ready", "in_progress", "submitted", "expired", "revoked"]})
    assessment = fields.Nested(CandidateAssessmentSchema)
    seconds_left = fields.Integer()
    deadline_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(metadata={"description": "Until when the link can be started"})
    submitted_at = fields.DateTime(allow_none=True)
    questions = fields.List(
        fields.Nested(CandidateQuestionSchema),
        metadata={"description": "In the candidate's order, while in progress"},
    )


class CandidateSignalsSchema(Schema):
    paste_count = fields.Integer(strict=True)
    pasted_chars = fields.Integer(strict=True)
    blur_count = fields.Integer(strict=True)
    time_spent_seconds = fields.Integer(strict=True)


class AnswerSaveSchema(Schema):
    response = fields.Dict(
        required=True,
        metadata={
            "description": '{"selected": [option ids as shown to this attempt]} | {"text": "..."} | {"code": "..."}'
        },
    )
    signals = fields.Nested(
        CandidateSignalsSchema,
        load_default=dict,
        metadata={"description": "Cumulative counts for this question since the page opened"},
    )


class AnswerSavedSchema(Schema):
    saved_at = fields.DateTime()
    seconds_left = fields.Integer()


class ExampleRunRequestSchema(Schema):
    code = fields.String(
        required=True, metadata={"description": "The code to run; saved as the question's answer too"}
    )
    signals = fields.Nested(
        CandidateSignalsSchema,
        load_default=dict,
        metadata={"description": "Cumulative counts for this question since the page opened"},
    )


class ExampleResultSchema(Schema):
    name = fields.String()
    args = fields.List(fields.Raw())
    expected = fields.Raw()
    actual = fields.Raw(allow_none=True, metadata={"description": "What the candidate's function returned"})
    status = fields.String(metadata={"enum": ["passed", "failed", "error", "timeout"]})
    message = fields.String(allow_none=True, metadata={"description": "Why it failed, e.g. wrong answer"})


class ExampleRunSchema(Schema):
    id = fields.Integer()
    question_id = fields.Integer()
    status = fields.String(
        metadata={
            "enum": ["queued", "done", "unavailable", "failed"],
            "description": "queued: poll the run until it is over (a worker runs it)",
        }
    )
    code_sha256 = fields.String(metadata={"description": "SHA-256 of the code that was run"})
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    message = fields.String(metadata={"description": "Why the code did not run through, if it did not"})
    passed = fields.Integer()
    total = fields.Integer()
    results = fields.List(
        fields.Nested(ExampleResultSchema),
        metadata={"description": "One per visible example; never hidden tests"},
    )
