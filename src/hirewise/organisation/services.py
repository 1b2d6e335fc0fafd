"""Use cases of the organisation settings: read them (everyone's permissions depend on them), change them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hirewise.audit.services import changed, record, snapshot
from hirewise.auth.models import User
from hirewise.errors import PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.organisation.models import SETTINGS_ID, OrganisationSettings
from hirewise.security import can_manage_organisation

# Every setting, with its type and how the audit log and flash messages name it.
FIELDS: dict[str, type] = {"hiring_managers_write_code_questions": bool}
LABELS = {"hiring_managers_write_code_questions": "hiring managers may write code questions"}
TYPE_PROBLEMS: dict[type, str] = {bool: "Must be true or false."}


def current_settings() -> OrganisationSettings:
    """The organisation's settings. The migration creates the row; without it, the defaults (unsaved).

    Reading never writes, so a GET request or a permission check has no transaction to finish.
    """
    return db.session.get(OrganisationSettings, SETTINGS_ID) or OrganisationSettings.defaults()


def clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The settings to change, checked; ``ValidationFailed`` names every unknown or wrongly typed one."""
    if not values:
        raise ValidationFailed("Send at least one setting to change.", {"settings": ["No setting was sent."]})
    problems: dict[str, list[str]] = {}
    for name, value in values.items():
        kind = FIELDS.get(name)
        if kind is None:
            problems[name] = ["Unknown setting."]
        elif not isinstance(value, kind):
            problems[name] = [TYPE_PROBLEMS[kind]]
    if problems:
        raise ValidationFailed(f"The settings are not valid: {', '.join(sorted(problems))}.", problems)
    return dict(values)


def _describe(values: Mapping[str, Any]) -> str:
    def shown(value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    return "; ".join(f"{LABELS.get(name, name)}: {shown(value)}" for name, value in values.items())


def update_settings(actor: User, values: Mapping[str, Any]) -> OrganisationSettings:
    """Change some settings (admins only). The audit log records only the settings that changed."""
    if not can_manage_organisation(actor):
        raise PermissionDenied("Only admins change the organisation settings.")
    clean = clean_values(values)
    settings = db.session.get(OrganisationSettings, SETTINGS_ID)
    if settings is None:  # a database the migration's row was deleted from
        settings = OrganisationSettings.defaults()
        db.session.add(settings)
    before = snapshot(settings, FIELDS)
    for name, value in clean.items():
        setattr(settings, name, value)
    old, new = changed(before, snapshot(settings, FIELDS))
    if new:
        settings.updated_by_id = actor.id
        record(
            actor,
            "update",
            "organisation_settings",
            settings.id,
            f"changed the organisation settings: {_describe(new)}",
            before=old,
            after=new,
        )
    db.session.commit()
    return settings
