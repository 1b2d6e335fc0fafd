"""The admins' settings page: organisation-wide settings, audited, and revoking every API token at once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import g
from sqlalchemy import delete, select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import ApiToken, Role
from hirewise.auth.services import create_api_token
from hirewise.errors import PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.organisation import services
from hirewise.organisation.models import SETTINGS_ID, OrganisationSettings
from tests.factories import UserFactory

URL = "/admin/settings"
REVOKE_URL = "/admin/settings/revoke-api-tokens"
ALLOW = {"hiring_managers_write_code_questions": "y"}


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _flashes(client: Any) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def _api_get(client: Any, raw: str) -> Any:
    response = client.get("/api/v1/openings", headers={"Authorization": f"Bearer {raw}"})
    # The test keeps one app context, so ``g`` outlives the request: forget the token's user, or the
    # next page request would run as that user instead of the one signed in.
    g.pop("_login_user", None)
    return response


def _settings_events() -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.object_type == "organisation_settings").order_by(AuditEvent.id)
    return list(db.session.execute(stmt).scalars())


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.HIRING_MANAGER, Role.INTERVIEWER])
def test_only_admins_see_and_change_the_settings(client, auth, role):
    auth.login(role)
    assert client.get(URL).status_code == 403
    assert client.post(URL, data=ALLOW).status_code == 403
    assert client.post(REVOKE_URL).status_code == 403
    assert 'href="/admin/settings"' not in _text(client.get("/account"))
    assert services.current_settings().hiring_managers_write_code_questions is False


def test_signed_out_is_sent_to_login(client):
    for response in (client.get(URL), client.post(URL, data=ALLOW), client.post(REVOKE_URL)):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_sees_the_page_from_the_menu(client, auth):
    auth.login(Role.ADMIN)
    account = _text(client.get("/account"))
    assert 'href="/admin/settings">Settings</a>' in account
    page = _text(client.get(URL))
    assert "Hiring managers may write code questions" in page
    assert 'name="hiring_managers_write_code_questions"' in page and "checked" not in page
    assert "Revoke every API token" in page and "data-confirm=" in page
    assert "flask rotate-secret" in page


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.HIRING_MANAGER])
def test_service_refuses_non_admins(role):
    with pytest.raises(PermissionDenied):
        services.update_settings(UserFactory(role=role), {"hiring_managers_write_code_questions": True})


# --- changing a setting -------------------------------------------------------------------------


def test_a_change_is_saved_and_audited_with_only_the_changed_field(client, auth):
    admin = auth.login(Role.ADMIN)
    response = client.post(URL, data=ALLOW)
    assert response.status_code == 302 and response.headers["Location"].endswith(URL)
    assert ("success", "The settings were saved.") in _flashes(client)
    db.session.expire_all()
    settings = services.current_settings()
    assert settings.hiring_managers_write_code_questions is True
    assert settings.updated_by_id == admin.id
    page = _text(client.get(URL))
    assert "checked" in page and f"Last changed by {admin.full_name}" in page

    [event] = _settings_events()
    assert event.actor_id == admin.id and event.action == "update" and event.object_id == SETTINGS_ID
    assert event.before == {"hiring_managers_write_code_questions": False}
    assert event.after == {"hiring_managers_write_code_questions": True}
    assert "hiring managers may write code questions: yes" in event.summary

    # Saving the same value again changes nothing, so nothing new is recorded.
    assert client.post(URL, data=ALLOW).status_code == 302
    assert len(_settings_events()) == 1
    # Unticking the box turns it off again.
    assert client.post(URL, data={}).status_code == 302
    db.session.expire_all()
    assert services.current_settings().hiring_managers_write_code_questions is False
    assert _settings_events()[-1].after == {"hiring_managers_write_code_questions": False}


def test_the_forms_need_their_csrf_token(client, auth, request):
    auth.login(Role.ADMIN)
    request.getfixturevalue("csrf_enabled")  # after signing in: the login form is not under test here
    assert client.post(URL, data=ALLOW).status_code == 400
    assert client.post(REVOKE_URL).status_code == 400
    db.session.expire_all()
    assert services.current_settings().hiring_managers_write_code_questions is False

    page = _text(client.get(URL))
    tokens = re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert len(tokens) >= 2, "the settings form and the revoke button each carry the token"
    accepted = client.post(URL, data={**ALLOW, "csrf_token": tokens[0]})
    assert accepted.status_code == 302
    db.session.expire_all()
    assert services.current_settings().hiring_managers_write_code_questions is True
    assert client.post(REVOKE_URL, data={"csrf_token": tokens[-1]}).status_code == 302


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({}, "settings"),
        ({"retention_days": 30}, "retention_days"),
        ({"hiring_managers_write_code_questions": "yes"}, "hiring_managers_write_code_questions"),
        ({"hiring_managers_write_code_questions": 1}, "hiring_managers_write_code_questions"),
    ],
)
def test_the_service_validates(values, field):
    with pytest.raises(ValidationFailed) as raised:
        services.update_settings(UserFactory(role=Role.ADMIN), values)
    assert isinstance(raised.value.details, dict) and field in raised.value.details


def test_reading_falls_back_to_the_defaults_and_saving_recreates_the_row():
    db.session.execute(delete(OrganisationSettings))
    db.session.flush()
    settings = services.current_settings()
    assert settings.hiring_managers_write_code_questions is False
    assert settings not in db.session  # reading never writes
    admin = UserFactory(role=Role.ADMIN)
    services.update_settings(admin, {"hiring_managers_write_code_questions": True})
    db.session.expire_all()
    saved = db.session.get(OrganisationSettings, SETTINGS_ID)
    assert saved is not None and saved.hiring_managers_write_code_questions is True


def test_the_migration_inserted_the_single_row():
    rows = list(db.session.execute(select(OrganisationSettings)).scalars())
    assert [(row.id, row.hiring_managers_write_code_questions) for row in rows] == [(SETTINGS_ID, False)]


# --- revoking every API token -------------------------------------------------------------------


def test_revoke_every_api_token(client, auth):
    owners = [UserFactory(role=role) for role in (Role.RECRUITER, Role.HIRING_MANAGER, Role.ADMIN)]
    raws = [create_api_token(owner, "script", "read,write")[1] for owner in owners]
    create_api_token(owners[0], "second", "read")
    db.session.commit()
    for raw in raws:
        assert _api_get(client, raw).status_code == 200

    admin = auth.login(Role.ADMIN)
    page = _text(client.get(URL))
    active = db.session.execute(select(ApiToken).where(ApiToken.revoked_at.is_(None))).scalars().all()
    assert f'<strong id="active-api-tokens">{len(active)}</strong>' in page
    response = client.post(REVOKE_URL)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{URL}#security")
    assert any(f"{len(active)} API tokens revoked" in message for _, message in _flashes(client))

    for raw in raws:
        refused = _api_get(client, raw)
        assert refused.status_code == 401
        assert refused.get_json()["error"]["status"] == 401
    db.session.expire_all()
    assert db.session.execute(select(ApiToken).where(ApiToken.revoked_at.is_(None))).first() is None
    assert '<strong id="active-api-tokens">0</strong>' in _text(client.get(URL))
    event = (
        db.session.execute(
            select(AuditEvent).where(AuditEvent.object_type == "api_token").order_by(AuditEvent.id.desc())
        )
        .scalars()
        .first()
    )
    assert event is not None and event.actor_id == admin.id and "revoked all" in event.summary

    again = client.post(REVOKE_URL)
    assert again.status_code == 302
    assert ("info", "There were no active API tokens to revoke.") in _flashes(client)
