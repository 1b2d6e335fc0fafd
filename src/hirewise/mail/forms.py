"""Forms of the email pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from hirewise.mail.rendering import MAX_BODY_CHARS, MAX_SUBJECT_CHARS


class EmailTemplateForm(FlaskForm):
    subject = StringField("Subject", validators=[DataRequired(), Length(max=MAX_SUBJECT_CHARS)])
    body = TextAreaField("Body (plain text)", validators=[DataRequired(), Length(max=MAX_BODY_CHARS)])
