"""HTML forms of the hiring team's assessment pages. They check shape only; the services own the rules.

The settings form hands the services typed values (a number field gives an int), which they load
with the same schema as the API (``schemas.AssessmentSettingsSchema``): a bad value gets the same
message in the browser as through the API, and a person who types no number at all gets that field's
message too, with what they typed still in the field. The question and invitation forms hand their
numbers on as typed; those services read them.
"""

from __future__ import annotations

import json
import re
from abc import ABCMeta, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.form import FormMeta
from wtforms.validators import StopValidation

from hirewise.assessments.models import (
    Assessment,
    AssessmentQuestion,
    AssessmentStatus,
    Layout,
    QuestionKind,
)
from hirewise.assessments.schemas import AssessmentSettingsSchema, AssessmentUpdateSchema
from hirewise.assessments.validation import MAX_POINTS, TIME_LIMIT_RANGE, VALID_DAYS_RANGE
from hirewise.openings.models import Opening
from hirewise.questions.models import BankQuestion

CORRECT_MARK = "*"
LAYOUT_LABELS = {
    Layout.ONE_PER_PAGE: "One question per page",
    Layout.ALL_ON_ONE_PAGE: "All questions on one page",
}
NO_SKILL = ""
_WHOLE_NUMBER = re.compile(r"^[+-]?[0-9]{1,9}$")  # ASCII digits: str.isdigit also takes "²"


def _number(label: str, low: int, high: int, **kwargs: Any) -> StringField:
    return StringField(
        label, render_kw={"type": "number", "min": low, "max": high, "inputmode": "numeric"}, **kwargs
    )


class WholeNumberField(StringField):
    """A number field that keeps what was typed (to show it again) and gives ``number``, an int, to the
    services. Text that is no whole number is refused with the message of the schema's field, so the
    browser says what the API says."""

    def __init__(self, label: str, low: int, high: int, *, message: str, **kwargs: Any) -> None:
        render_kw = {"type": "number", "min": low, "max": high, "step": 1, "inputmode": "numeric"}
        super().__init__(label, render_kw=render_kw, **kwargs)
        self.message = message

    @property
    def number(self) -> int | None:
        text = (self.data or "").strip()
        return int(text) if _WHOLE_NUMBER.match(text) else None

    def pre_validate(self, form: Any) -> None:
        if self.number is None:
            raise StopValidation(self.message)


def _settings_number(label: str, name: str, low: int, high: int) -> WholeNumberField:
    message = str(AssessmentSettingsSchema().fields[name].error_messages["invalid"])
    return WholeNumberField(label, low, high, message=message)


class AssessmentForm(FlaskForm):
    title = StringField("Title")
    instructions = TextAreaField(
        "Instructions for the candidate",
        description="Shown before the candidate starts the timer.",
        render_kw={"rows": 4},
    )
    time_limit_minutes = _settings_number("Time limit (minutes)", "time_limit_minutes", *TIME_LIMIT_RANGE)
    pass_mark_percent = _settings_number("Pass mark (%)", "pass_mark_percent", 0, 100)
    invitation_valid_days = _settings_number(
        "Days a link stays valid", "invitation_valid_days", *VALID_DAYS_RANGE
    )
    # The services check the choice, so the browser and the API get the same message.
    layout = SelectField(
        "Layout", choices=[SelectChoice(k.value, v) for k, v in LAYOUT_LABELS.items()], validate_choice=False
    )
    status = SelectField(
        "Status",
        choices=[
            SelectChoice(AssessmentStatus.ACTIVE.value, "Active"),
            SelectChoice(AssessmentStatus.ARCHIVED.value, "Archived"),
        ],
        validate_choice=False,
    )

    def with_defaults(self) -> AssessmentForm:
        self.time_limit_minutes.data = "30"
        self.pass_mark_percent.data = "60"
        self.invitation_valid_days.data = "7"
        return self

    def fill_from(self, assessment: Assessment) -> AssessmentForm:
        self.title.data = assessment.title
        self.instructions.data = assessment.instructions
        self.time_limit_minutes.data = str(assessment.time_limit_minutes)
        self.pass_mark_percent.data = str(assessment.pass_mark_percent)
        self.invitation_valid_days.data = str(assessment.invitation_valid_days)
        self.layout.data = str(assessment.layout)
        self.status.data = str(assessment.status)
        return self

    def values(self, *, with_status: bool) -> dict[str, Any]:
        """What create_assessment/update_assessment take, typed; a number that was not one is left out
        (``validate`` has refused the form then)."""
        values: dict[str, Any] = {
            "title": self.title.data or "",
            "instructions": self.instructions.data or "",
            "layout": self.layout.data,
        }
        for field in (self.time_limit_minutes, self.pass_mark_percent, self.invitation_valid_days):
            if field.number is not None:
                values[field.name] = field.number
        if with_status:
            values["status"] = self.status.data
        return values

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if not valid:
            # Show every problem at once: the settings' own messages too, not only the numbers'.
            schema = AssessmentUpdateSchema()
            for name, messages in schema.validate(self.values(with_status=bool(self.status.data))).items():
                field = getattr(self, name, None)
                if field is not None and not field.errors:
                    field.errors = list(messages)
        return valid


def skill_choices(opening: Opening) -> list[SelectChoice]:
    return [SelectChoice(NO_SKILL, "No skill")] + [
        SelectChoice(str(skill.id), skill.name) for skill in opening.skills
    ]


class _AbstractFormMeta(FormMeta, ABCMeta):
    """Lets a form class declare abstract methods (WTForms forms have a metaclass of their own)."""


class QuestionForm(FlaskForm, metaclass=_AbstractFormMeta):
    """The fields every kind shares; subclasses add the kind's rubric fields."""

    kind: QuestionKind
    prompt = TextAreaField("Question", render_kw={"rows": 3})
    points = _number("Points", 1, MAX_POINTS)
    skill_id = SelectField("Skill", choices=[], validate_choice=False)

    def for_opening(self, opening: Opening) -> QuestionForm:
        self.skill_id.choices = skill_choices(opening)
        return self

    def fill_from(self, question: AssessmentQuestion) -> QuestionForm:
        self.prompt.data = question.prompt
        self.points.data = str(question.points)
        self.skill_id.data = str(question.skill_id) if question.skill_id else NO_SKILL
        self.fill_content(question.content)
        return self

    @abstractmethod
    def fill_content(self, content: dict[str, Any]) -> None:
        """Put a stored question's kind-specific content into the form's fields."""

    @abstractmethod
    def content(self, existing: dict[str, Any] | None) -> dict[str, Any]:
        """The kind-specific content the services validate, from the form's fields."""

    def values(self, existing: AssessmentQuestion | None = None) -> dict[str, Any]:
        """What add_question/update_question take; ``existing`` keeps what the form does not show."""
        return {
            "kind": self.kind.value,
            "prompt": self.prompt.data or "",
            "points": self.points.data or "",
            "skill_id": self.skill_id.data or None,
            "content": self.content(existing.content if existing is not None else None),
        }


def parse_options(text: str) -> list[dict[str, Any]]:
    """One option a line; a line starting with "*" is a correct option."""
    options = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        correct = stripped.startswith(CORRECT_MARK)
        options.append({"text": stripped[1:].strip() if correct else stripped, "correct": correct})
    return options


def format_options(options: Iterable[dict[str, Any]]) -> str:
    return "\n".join(
        f"{CORRECT_MARK} {option.get('text', '')}" if option.get("correct") else str(option.get("text", ""))
        for option in options
    )


class MultipleChoiceForm(QuestionForm):
    kind = QuestionKind.MULTIPLE_CHOICE
    options = TextAreaField(
        "Options",
        description='One option per line. Start each correct option with "* ", for example "* 201 Created".',
        render_kw={"rows": 5},
    )
    multiple = BooleanField("Candidates may choose several options (any with more than one correct option)")
    partial_credit = BooleanField("Partial credit: right choices minus wrong ones, when several are correct")
    shuffle = BooleanField("Shuffle the options for each candidate", default=True)

    def fill_content(self, content: dict[str, Any]) -> None:
        self.options.data = format_options(content.get("options", []))
        self.multiple.data = bool(content.get("multiple"))
        self.partial_credit.data = bool(content.get("partial_credit"))
        self.shuffle.data = bool(content.get("shuffle", True))

    def content(self, existing: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "options": parse_options(self.options.data or ""),
            "multiple": bool(self.multiple.data),
            "partial_credit": bool(self.partial_credit.data),
            "shuffle": bool(self.shuffle.data),
        }


class FreeTextForm(QuestionForm):
    kind = QuestionKind.FREE_TEXT
    expected_answer = TextAreaField(
        "Expected answer",
        description="What a strong answer says; the scorer compares answers with it.",
        render_kw={"rows": 4},
    )
    key_points = TextAreaField(
        "Key points",
        description="One per line. Each is checked separately, and the review shows which ones an answer covers.",
        render_kw={"rows": 4},
    )

    def fill_content(self, content: dict[str, Any]) -> None:
        self.expected_answer.data = str(content.get("expected_answer", ""))
        self.key_points.data = "\n".join(
            str(point.get("text", "")) if isinstance(point, dict) else str(point)
            for point in content.get("key_points", [])
        )

    def content(self, existing: dict[str, Any] | None) -> dict[str, Any]:
        # A line is only the point's text: keep the short label a point already had (bank questions
        # bring their own), so saving an unchanged form does not create a new rubric version.
        labels = {
            str(point.get("text", "")).strip(): str(point.get("label", ""))
            for point in (existing or {}).get("key_points", [])
            if isinstance(point, dict)
        }
        points = []
        for line in (self.key_points.data or "").splitlines():
            text = line.strip()
            if text:
                points.append({"text": text, "label": labels.get(text, "")})
        return {"expected_answer": self.expected_answer.data or "", "key_points": points}


def _format_cases(cases: Sequence[Any]) -> str:
    if not cases:
        return ""
    return json.dumps(
        [
            {k: v for k, v in case.items() if k != "name" or v} if isinstance(case, dict) else case
            for case in cases
        ],
        indent=2,
        ensure_ascii=False,
    )


class CodeForm(QuestionForm):
    kind = QuestionKind.CODE
    function_name = StringField(
        "Function name", description="The Python function the candidate writes, e.g. slugify."
    )
    starter_code = TextAreaField("Starter code", render_kw={"rows": 5, "spellcheck": "false"})
    examples = TextAreaField(
        "Visible examples (JSON)",
        description='Shown to the candidate and run as tests: [{"args": ["Hello World"], "expected": "hello-world"}].',
        render_kw={"rows": 4, "spellcheck": "false"},
    )
    tests = TextAreaField(
        "Hidden tests (JSON)",
        description='Never shown to the candidate: [{"name": "empty string", "args": [""], "expected": ""}].',
        render_kw={"rows": 5, "spellcheck": "false"},
    )

    def fill_content(self, content: dict[str, Any]) -> None:
        self.function_name.data = str(content.get("function_name", ""))
        self.starter_code.data = str(content.get("starter_code", ""))
        self.examples.data = _format_cases(content.get("examples", []))
        self.tests.data = _format_cases(content.get("tests", []))

    def content(self, existing: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "function_name": self.function_name.data or "",
            "starter_code": self.starter_code.data or "",
            "examples": self.examples.data or "",
            "tests": self.tests.data or "",
        }


QUESTION_FORMS: dict[QuestionKind, type[QuestionForm]] = {
    QuestionKind.MULTIPLE_CHOICE: MultipleChoiceForm,
    QuestionKind.FREE_TEXT: FreeTextForm,
    QuestionKind.CODE: CodeForm,
}
# Form prefixes keep the three "add" forms and every question's edit form apart on one page.
ADD_PREFIXES = {QuestionKind.MULTIPLE_CHOICE: "mc", QuestionKind.FREE_TEXT: "ft", QuestionKind.CODE: "code"}


def add_question_form(kind: QuestionKind, opening: Opening, **kwargs: Any) -> QuestionForm:
    """``formdata=None`` gives an untouched form when another form of the page was the one posted."""
    return QUESTION_FORMS[kind](prefix=ADD_PREFIXES[kind], **kwargs).for_opening(opening)


def edit_question_form(question: AssessmentQuestion, opening: Opening, **kwargs: Any) -> QuestionForm:
    return QUESTION_FORMS[question.kind](prefix=f"q{question.id}", **kwargs).for_opening(opening)


class BankQuestionForm(FlaskForm):
    bank_question_id = SelectField("Question from the bank", coerce=int, choices=[])
    points = _number("Points", 1, MAX_POINTS, default="5")

    def for_questions(self, questions: Sequence[BankQuestion]) -> BankQuestionForm:
        self.bank_question_id.choices = [
            SelectChoice(
                question.id, f"{question.text[:110]}{' (' + question.skill + ')' if question.skill else ''}"
            )
            for question in questions
        ]
        return self


class InviteForm(FlaskForm):
    assessment_id = SelectField("Assessment", coerce=int, choices=[])
    valid_days = _number(
        "Days the link stays valid",
        *VALID_DAYS_RANGE,
        description="Leave empty for the assessment's own setting.",
    )
    # A candidate who has submitted the assessment is invited again only as a retake, with a reason.
    retake = BooleanField("Retake: invite again a candidate who has already taken it")
    retake_reason = TextAreaField(
        "Reason for the retake",
        render_kw={"rows": 2},
        description="Required for a retake; kept with the invitation and in the audit log.",
    )

    def for_assessments(self, assessments: Sequence[Assessment]) -> InviteForm:
        self.assessment_id.choices = [
            SelectChoice(
                item.id, f"{item.title} ({len(item.questions)} questions, {item.time_limit_minutes} min)"
            )
            for item in assessments
        ]
        return self


class OverrideForm(FlaskForm):
    points = StringField(
        "Points", render_kw={"type": "number", "min": 0, "step": "0.5", "inputmode": "decimal"}
    )
    reason = TextAreaField("Reason", render_kw={"rows": 2})
