"""HTML forms of openings. They check shape only; the services own the business rules."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from hirewise.auth.models import User
from hirewise.kits.models import Kit, SkillKind
from hirewise.openings.models import EmploymentType, FeedbackVisibility, OpeningStatus
from hirewise.openings.services import PASS_BAR_RANGE, WEIGHT_RANGE

STATUS_OPTIONS = [(s.value, s.value.capitalize()) for s in OpeningStatus]
STATUS_CHOICES = [SelectChoice(value, label) for value, label in STATUS_OPTIONS]
EMPLOYMENT_CHOICES = [SelectChoice(e.value, e.label) for e in EmploymentType]
KIND_CHOICES = [SelectChoice(k.value, k.label) for k in SkillKind]
NO_KIT = 0
DESCRIPTION_HINT = (
    "Markdown: **bold**, *italic*, lists with '-', [links](https://example.com) and ## headings. "
    "HTML is not allowed."
)


def _team_field(label: str) -> SelectMultipleField:
    return SelectMultipleField(
        label, coerce=int, choices=[], option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False)
    )


def team_options(users: Sequence[User]) -> list[SelectChoice]:
    return [SelectChoice(user.id, f"{user.full_name} ({user.role.replace('_', ' ')})") for user in users]


class OpeningDetailsForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    location = StringField("Location", validators=[Length(max=200)])
    employment_type = SelectField("Employment type", choices=EMPLOYMENT_CHOICES)
    description = TextAreaField("Description", description=DESCRIPTION_HINT, render_kw={"rows": 10})
    status = SelectField("Status", choices=STATUS_CHOICES)


VISIBILITY_CHOICES = [
    SelectChoice(FeedbackVisibility.AFTER_SUBMIT.value, "After they submit their own (recommended)"),
    SelectChoice(FeedbackVisibility.NEVER.value, "Never"),
    SelectChoice(FeedbackVisibility.ALWAYS.value, "Always"),
]


class OpeningEditForm(OpeningDetailsForm):
    feedback_visibility = SelectField("Interviewers see each other's feedback", choices=VISIBILITY_CHOICES)


class OpeningCreateForm(OpeningDetailsForm):
    # "Publish now" replaces the status: a new opening is either on the careers page or a draft.
    status = None
    kit_id = SelectField("Hiring kit", coerce=int, choices=[])
    team_ids = _team_field("Hiring team")
    with_interview_plan = BooleanField("Add the kit's interview plan", default=True)
    with_assessment = BooleanField("Add the kit's screening assessment", default=True)
    publish = BooleanField("Publish now", default=True)

    def set_choices(self, kits: Sequence[Kit], users: Sequence[User]) -> None:
        self.kit_id.choices = [SelectChoice(NO_KIT, "No kit: start with an empty scorecard")] + [
            SelectChoice(kit.id, kit.name) for kit in kits
        ]
        self.team_ids.choices = team_options(users)


class AutomationForm(FlaskForm):
    """The opening's stage automations (``openings/automation.py``); an unticked box turns one off."""

    move_on_assessment_invite = BooleanField(
        "Sending an assessment invitation moves the application to Assessment"
    )
    move_on_interview_scheduled = BooleanField("Scheduling an interview moves the application to Interview")


class TeamForm(FlaskForm):
    team_ids = _team_field("Hiring team")


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=STATUS_CHOICES)


class SkillForm(FlaskForm):
    name = StringField("Skill", validators=[DataRequired(), Length(max=120)])
    kind = SelectField("Kind", choices=KIND_CHOICES)
    weight = IntegerField(
        "Weight",
        default=1,
        validators=[InputRequired(), NumberRange(min=WEIGHT_RANGE[0], max=WEIGHT_RANGE[1])],
    )
    pass_bar = DecimalField(
        "Pass bar",
        default=3.0,
        places=1,
        validators=[InputRequired(), NumberRange(min=PASS_BAR_RANGE[0], max=PASS_BAR_RANGE[1])],
    )
    keywords = StringField("Keywords", validators=[Optional(), Length(max=1000)])
    description = TextAreaField("Description", validators=[Optional()], render_kw={"rows": 2})
