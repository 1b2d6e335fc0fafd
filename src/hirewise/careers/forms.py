"""The public application form.

The form checks presence and gives the browser hints (accepted file types); the real rules (email
syntax, http/https links, the résumé's type by its content and its size) live in the candidates
services, so the careers page, the API and CSV import cannot disagree.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, EmailField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Length

from hirewise.candidates.fields import MAX_COVER_LETTER, MAX_EMAIL, MAX_NAME, MAX_PHONE

RESUME_ACCEPT = (
    ".pdf,.docx,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
CONSENT_REQUIRED = "Please agree to the processing of your data to apply."


class ApplyForm(FlaskForm):
    full_name = StringField(
        "Full name",
        validators=[DataRequired("Please enter your name."), Length(max=MAX_NAME)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        "Email",
        validators=[DataRequired("Please enter your email address."), Length(max=MAX_EMAIL)],
        render_kw={"autocomplete": "email"},
    )
    phone = TelField(
        "Phone (optional)", validators=[Length(max=MAX_PHONE)], render_kw={"autocomplete": "tel"}
    )
    links = TextAreaField(
        "Links (optional)",
        validators=[Length(max=6000)],
        render_kw={"rows": 3, "placeholder": "https://github.com/you"},
    )
    resume = FileField(
        "Résumé",
        validators=[
            FileRequired("Please attach your résumé."),
            FileAllowed(["pdf", "docx"], "Upload a PDF or Word (.docx) file."),
        ],
        render_kw={"accept": RESUME_ACCEPT},
    )
    cover_letter = TextAreaField(
        "Cover letter (optional)", validators=[Length(max=MAX_COVER_LETTER)], render_kw={"rows": 8}
    )
    consent = BooleanField("", validators=[DataRequired(CONSENT_REQUIRED)])
    # Bots fill every field; people never see this one (hidden with CSS, skipped by keyboard and
    # screen readers). A filled honeypot gets the success page and nothing is stored.
    website = StringField(
        "Leave this field empty",
        render_kw={"tabindex": "-1", "autocomplete": "off"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        company = current_app.config["COMPANY_NAME"]
        self.consent.label.text = (
            f"I agree that {company} stores and processes the data in this application to assess it."
        )

    @property
    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())
