"""HTML forms of the candidates feature. The services validate again; forms give early feedback."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from hirewise.candidates.fields import MAX_NOTE, MAX_REASON, MAX_SUBJECT
from hirewise.candidates.models import ApplicationSource
from hirewise.openings.models import Opening, Stage

REJECTION_REASONS = (
    "Not enough relevant experience",
    "Must-have skills missing",
    "Assessment below the bar",
    "Salary expectations do not match",
    "Location or work permit",
    "Candidate withdrew",
    "Opening filled",
)
OTHER_REASON = "Other"
MANUAL_SOURCES = (ApplicationSource.SOURCED, ApplicationSource.REFERRAL, ApplicationSource.OTHER)


def compose_reason(choice: str | None, detail: str | None) -> str:
    """One reason from the select of common reasons and the free text next to it."""
    picked = (choice or "").strip()
    text = (detail or "").strip()
    if picked in REJECTION_REASONS:
        return f"{picked}: {text}" if text else picked
    return text


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def stage_choices(stages: Iterable[Stage]) -> list[SelectChoice]:
    return options((stage.id, stage.name) for stage in stages)


def reason_choices() -> list[SelectChoice]:
    return options(
        [("", "Choose a reason…"), *((r, r) for r in REJECTION_REASONS), (OTHER_REASON, "Other (explain)")]
    )


SOURCE_CHOICES = options((s.value, s.value.capitalize()) for s in MANUAL_SOURCES)


class MoveForm(FlaskForm):
    stage_id = SelectField("Move to stage", coerce=int, validate_choice=False)
    reason_choice = SelectField("Reason (when rejecting)", choices=reason_choices(), validate_choice=False)
    reason = StringField("Details", validators=[Optional(), Length(max=MAX_REASON)])
    # Sent by the confirmation page when a move would advance past a failed or incomplete gate.
    confirm_gate = BooleanField("Advance anyway")

    def for_stages(self, stages: Iterable[Stage]) -> MoveForm:
        self.stage_id.choices = stage_choices(stages)
        return self


class RejectForm(FlaskForm):
    reason_choice = SelectField("Reason", choices=reason_choices(), validate_choice=False)
    reason = StringField("Details", validators=[Optional(), Length(max=MAX_REASON)])
    notify = BooleanField("Send the candidate the rejection email")


class AdvanceForm(FlaskForm):
    """Confirms advancing past a failed or incomplete must-have gate (``gate.py``); the service checks."""

    stage_id = IntegerField("Stage", widget=HiddenInput(), validators=[InputRequired()])
    confirm_gate = BooleanField("Advance anyway, although the must-have gate is not passed")
    reason = TextAreaField(
        "Why advance anyway?",
        validators=[Optional(), Length(max=MAX_REASON)],
        description="Kept with the move in the stage history and the audit log.",
    )


class BulkForm(FlaskForm):
    action = SelectField("Action", choices=options([("move", "Move to stage"), ("reject", "Reject")]))
    stage_id = SelectField("Stage", coerce=int, validate_choice=False)
    reason_choice = SelectField("Reason (when rejecting)", choices=reason_choices(), validate_choice=False)
    reason = StringField("Details", validators=[Optional(), Length(max=MAX_REASON)])
    notify = BooleanField("Send the rejection email")
    # Sent by the confirmation page when a move would advance past a failed or incomplete gate.
    confirm_gate = BooleanField("Advance anyway")


class CandidateForm(FlaskForm):
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=320)])
    phone = StringField("Phone", validators=[Optional(), Length(max=50)])
    links = TextAreaField("Links", validators=[Optional(), Length(max=5_000)])


class NewCandidateForm(CandidateForm):
    opening_id = SelectField("Add to opening", coerce=int, validate_choice=False)
    source = SelectField("Source", choices=SOURCE_CHOICES)
    cover_letter = TextAreaField(
        "Notes from the referral or sourcing", validators=[Optional(), Length(max=20_000)]
    )
    resume = FileField("Résumé (PDF or Word .docx, up to 5 MB)")

    def for_openings(self, openings: Iterable[Opening]) -> NewCandidateForm:
        self.opening_id.choices = options([(0, "No opening yet"), *((o.id, o.title) for o in openings)])
        return self


class AddToOpeningForm(FlaskForm):
    opening_id = SelectField("Opening", coerce=int, validate_choice=False)
    source = SelectField("Source", choices=SOURCE_CHOICES)


class NoteForm(FlaskForm):
    body = TextAreaField("Note", validators=[DataRequired(), Length(max=MAX_NOTE)])
    application_id = SelectField("About", coerce=int, validate_choice=False)


class EmailForm(FlaskForm):
    subject = StringField("Subject", validators=[DataRequired(), Length(max=MAX_SUBJECT)])
    body = TextAreaField("Message", validators=[DataRequired(), Length(max=MAX_NOTE)])


class UploadForm(FlaskForm):
    file = FileField("File")
