"""API shapes of the organisation settings. Input schemas check types; the service checks the rules."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

CODE_QUESTIONS_HELP = (
    "Whether hiring managers may add and edit code questions (which run a candidate's Python on the "
    "server, in a sandbox). Recruiters and admins always may."
)


class StrictBoolean(fields.Boolean):
    """JSON ``true`` or ``false`` only; marshmallow's Boolean also takes 1, "yes" or "on"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class OrganisationSettingsSchema(Schema):
    hiring_managers_write_code_questions = fields.Boolean(metadata={"description": CODE_QUESTIONS_HELP})
    updated_at = fields.DateTime(dump_only=True)
    updated_by_id = fields.Integer(
        dump_only=True, allow_none=True, metadata={"description": "The admin who last changed a setting."}
    )


class OrganisationSettingsUpdateSchema(Schema):
    """Settings left out keep their value; unknown settings and an empty body are refused (422)."""

    hiring_managers_write_code_questions = StrictBoolean(metadata={"description": CODE_QUESTIONS_HELP})

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Send at least one setting to change.")
