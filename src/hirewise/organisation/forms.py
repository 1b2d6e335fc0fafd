"""HTML form of the organisation settings. The service checks the rules; the form only reads the boxes."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField

from hirewise.organisation.models import OrganisationSettings


class OrganisationSettingsForm(FlaskForm):
    hiring_managers_write_code_questions = BooleanField(
        "Hiring managers may write code questions",
        description=(
            "Code questions make the server run a candidate's Python in the sandbox. Recruiters and admins "
            "always write them; allow hiring managers only if you trust each of them with that. Code "
            "questions already written keep working either way."
        ),
    )

    def fill_from(self, settings: OrganisationSettings) -> OrganisationSettingsForm:
        self.hiring_managers_write_code_questions.data = settings.hiring_managers_write_code_questions
        return self

    def values(self) -> dict[str, Any]:
        """What ``update_settings`` takes: a checkbox left unticked is False."""
        return {"hiring_managers_write_code_questions": bool(self.hiring_managers_write_code_questions.data)}
