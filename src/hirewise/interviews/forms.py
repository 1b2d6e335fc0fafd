"""HTML forms of interview plans and interviews. They check shape only; the services own the rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from hirewise.auth.models import User
from hirewise.interviews.models import InterviewPlanItem
from hirewise.interviews.services import COMMON_TIMEZONES, DURATION_RANGE
from hirewise.openings.models import Opening

NO_PLAN_ITEM = 0
DURATION_HINT = f"Minutes, {DURATION_RANGE[0]} to {DURATION_RANGE[1]}."


def _checkboxes(label: str) -> SelectMultipleField:
    return SelectMultipleField(
        label, coerce=int, choices=[], option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False)
    )


def _duration_field() -> IntegerField:
    return IntegerField(
        "Duration (minutes)",
        validators=[InputRequired()],
        description=DURATION_HINT,
        render_kw={"min": DURATION_RANGE[0], "max": DURATION_RANGE[1]},
    )


def _timezone_field() -> SelectField:
    return SelectField("Time zone", choices=[SelectChoice(zone, zone) for zone in COMMON_TIMEZONES])


class PlanItemForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    stage_id = SelectField("Stage", coerce=int, choices=[])
    duration_minutes = _duration_field()
    focus_skill_ids = _checkboxes("Focus skills")
    question_ids = _checkboxes("Questions")

    def for_opening(self, opening: Opening) -> PlanItemForm:
        self.stage_id.choices = [SelectChoice(stage.id, stage.name) for stage in opening.stages]
        self.focus_skill_ids.choices = [SelectChoice(skill.id, skill.name) for skill in opening.skills]
        self.question_ids.choices = [
            SelectChoice(question.id, f"{question.text[:120]} ({question.type})")
            for question in opening.questions
        ]
        return self

    def fill_from(self, item: InterviewPlanItem) -> PlanItemForm:
        self.title.data = item.title
        self.stage_id.data = item.stage_id
        self.duration_minutes.data = item.duration_minutes
        self.focus_skill_ids.data = list(item.focus_skill_ids)
        self.question_ids.data = list(item.question_ids)
        return self

    def values(self) -> dict[str, Any]:
        """The submitted plan interview, as add_plan_item/update_plan_item take it."""
        return {
            "stage_id": self.stage_id.data,
            "title": self.title.data or "",
            "duration_minutes": self.duration_minutes.data or 0,
            "focus_skill_ids": self.focus_skill_ids.data or [],
            "question_ids": self.question_ids.data or [],
        }


class WhenForm(FlaskForm):
    starts_at = DateTimeLocalField("Date and time", format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    timezone = _timezone_field()
    duration_minutes = _duration_field()

    def aware_start(self) -> datetime:
        """The local date and time read in the chosen zone (the service validates the zone)."""
        local: datetime = self.starts_at.data  # type: ignore[assignment]
        zone = self.timezone.data or "UTC"
        return local.replace(tzinfo=ZoneInfo(zone if zone in COMMON_TIMEZONES else "UTC"))


class ScheduleForm(WhenForm):
    plan_item_id = SelectField("From the interview plan", coerce=int, choices=[])
    title = StringField("Title", validators=[Optional(), Length(max=200)])
    interviewer_ids = _checkboxes("Interviewers")
    location = StringField("Location", validators=[Length(max=300)])
    video_url = StringField("Video link", validators=[Length(max=500)])
    instructions = TextAreaField(
        "Instructions for the interviewers",
        description="Only the interviewers see these; the candidate's invite leaves them out.",
        render_kw={"rows": 4},
    )

    def set_choices(self, plan: Sequence[InterviewPlanItem], users: Sequence[User]) -> ScheduleForm:
        self.plan_item_id.choices = [SelectChoice(NO_PLAN_ITEM, "None: a custom interview")] + [
            SelectChoice(item.id, f"{item.title} ({item.stage.name}, {item.duration_minutes} min)")
            for item in plan
        ]
        self.interviewer_ids.choices = [
            SelectChoice(user.id, f"{user.full_name} ({user.role.replace('_', ' ')})") for user in users
        ]
        return self


class RescheduleForm(WhenForm):
    pass


class CancelForm(FlaskForm):
    reason = StringField("Reason (optional)", validators=[Length(max=500)])
