"""``/api/v1/settings``: the organisation-wide settings, for admins only."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role, User
from hirewise.extensions import db
from hirewise.organisation.services import current_settings
from tests.api.test_assessments_api import headers
from tests.factories import UserFactory

URL = "/api/v1/settings"
FIELD = "hiring_managers_write_code_questions"


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body: dict[str, Any] = response.get_json()["error"]
    assert body["status"] == status and body["message"]
    return body


@pytest.fixture
def admin() -> User:
    return UserFactory(role=Role.ADMIN)


def test_admin_reads_and_changes_the_settings(client, admin):
    auth = headers(admin)
    read = client.get(URL, headers=auth)
    assert read.status_code == 200
    assert read.get_json()[FIELD] is False and read.get_json()["updated_by_id"] is None

    changed = client.patch(URL, json={FIELD: True}, headers=auth)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()[FIELD] is True and changed.get_json()["updated_by_id"] == admin.id
    assert client.get(URL, headers=auth).get_json()[FIELD] is True
    db.session.expire_all()
    assert current_settings().hiring_managers_write_code_questions is True

    [event] = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "organisation_settings")
    ).scalars()
    assert event.actor_id == admin.id
    assert (event.before, event.after) == ({FIELD: False}, {FIELD: True})

    unchanged = client.patch(URL, json={FIELD: True}, headers=auth)
    assert unchanged.status_code == 200
    count = db.session.execute(
        select(AuditEvent.id).where(AuditEvent.object_type == "organisation_settings")
    ).all()
    assert len(count) == 1, "a PATCH that changes nothing records nothing"


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.HIRING_MANAGER, Role.INTERVIEWER])
def test_other_roles_get_403(client, role):
    auth = headers(UserFactory(role=role))
    assert error(client.get(URL, headers=auth), 403)["message"] == (
        "Only admins see and change the organisation settings."
    )
    error(client.patch(URL, json={FIELD: True}, headers=auth), 403)
    # Refused before the body is read: a bad body is still a 403, not a 422.
    error(client.patch(URL, json={"unknown": 1}, headers=auth), 403)
    db.session.expire_all()
    assert current_settings().hiring_managers_write_code_questions is False


def test_signed_out_is_401_and_read_only_tokens_cannot_change(client, admin):
    error(client.get(URL), 401)
    error(client.patch(URL, json={FIELD: True}), 401)
    read_only = headers(admin, "read")
    assert client.get(URL, headers=read_only).status_code == 200
    refused = error(client.patch(URL, json={FIELD: True}, headers=read_only), 403)
    assert "'write' scope" in refused["message"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({}, "_schema"),
        ({"retention_days": 30}, "retention_days"),
        ({FIELD: True, "retention_days": 30}, "retention_days"),
        ({FIELD: "yes"}, FIELD),
        ({FIELD: None}, FIELD),
        ({FIELD: [True]}, FIELD),
        ({FIELD: 1}, FIELD),
        ({FIELD: "true"}, FIELD),
    ],
)
def test_bad_patches_are_422_with_the_field_named(client, admin, body, where):
    response = client.patch(URL, json=body, headers=headers(admin))
    details = error(response, 422)["details"]["json"]
    assert where in details, details
    db.session.expire_all()
    assert current_settings().hiring_managers_write_code_questions is False


def test_a_patch_without_a_body_is_422(client, admin):
    response = client.patch(URL, data="", headers=headers(admin))
    assert error(response, 422)["message"] == "This operation needs a JSON body."
    empty = client.patch(URL, json={}, headers=headers(admin))
    assert error(empty, 422)["details"]["json"] == {"_schema": ["Send at least one setting to change."]}


def test_openapi_spec_documents_the_settings(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = spec["paths"][URL]
    assert {m for m in operations if m != "parameters"} == {"get", "patch"}
    assert all(op.get("summary") for m, op in operations.items() if m != "parameters")
    assert "403" in operations["get"]["responses"] and "422" in operations["patch"]["responses"]
    schema = spec["components"]["schemas"]["OrganisationSettingsUpdate"]
    assert schema["properties"][FIELD]["type"] == "boolean"
