"""API shapes of the organisation settings. Input schemas check types; the service checks the rules."""

from __future__ import annotations

from marshmallow import Schema, fields

from hirewise.api.limits import SettingsUpdate, StrictBoolean

CODE_QUESTIONS_HELP = (
    "Whether hiring managers may add and edit code questions (which run a candidate's Python on the "
    "server, in a sandbox). Recruiters and admins always may."
)


class OrganisationSettingsSchema(Schema):
    hiring_managers_write_code_questions = fields.Boolean(metadata={"description": CODE_QUESTIONS_HELP})
    updated_at = fields.DateTime(dump_only=True)
    updated_by_id = fields.Integer(
        dump_only=True, allow_none=True, metadata={"description": "The admin who last changed a setting."}
    )


class OrganisationSettingsUpdateSchema(SettingsUpdate):
    """Settings left out keep their value; unknown settings and an empty body are refused (422)."""

    hiring_managers_write_code_questions = StrictBoolean(metadata={"description": CODE_QUESTIONS_HELP})
