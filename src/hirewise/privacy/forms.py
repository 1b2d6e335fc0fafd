"""HTML forms of privacy. Limits match the API schemas; the services check the rules."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from hirewise.privacy.models import PrivacySettings
from hirewise.privacy.services import MAX_MESSAGE, MAX_REASON, MIN_REASON, NOTICE_DAYS_RANGE


class ReasonForm(FlaskForm):
    """Erasing, or placing a legal hold: always with a reason."""

    reason = TextAreaField("Reason", validators=[DataRequired(), Length(min=MIN_REASON, max=MAX_REASON)])


class ConfirmForm(FlaskForm):
    """A single button (keep my application, withdraw consent, release a hold, run retention)."""


class PrivacySettingsForm(FlaskForm):
    retention_notice_days = IntegerField(
        "Days of notice before erasure by retention",
        validators=[DataRequired(), NumberRange(*NOTICE_DAYS_RANGE)],
    )
    export_includes_feedback = BooleanField(
        "Candidates' exports include the submitted interview feedback about them",
        description="Off by default: interview feedback is the interviewers' working document.",
    )

    def fill_from(self, settings: PrivacySettings) -> PrivacySettingsForm:
        self.retention_notice_days.data = settings.retention_notice_days
        self.export_includes_feedback.data = settings.export_includes_feedback
        return self

    def values(self) -> dict[str, Any]:
        return {
            "retention_notice_days": int(self.retention_notice_days.data or 0),
            "export_includes_feedback": bool(self.export_includes_feedback.data),
        }


class DataRequestForm(FlaskForm):
    email = EmailField("Your email address", validators=[DataRequired(), Email(), Length(max=320)])


class ReviewRequestForm(FlaskForm):
    message = TextAreaField(
        "Anything the reviewer should know (optional)", validators=[Optional(), Length(max=MAX_MESSAGE)]
    )
