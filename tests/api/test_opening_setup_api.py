"""``POST /api/v1/openings`` set-up options (issue 11 §1) and ``/openings/<id>/automation`` (§3)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role
from hirewise.extensions import db
from hirewise.kits.services import ensure_builtin_kits
from hirewise.openings.models import Opening
from tests.api.test_openings_api import BASE, api_as  # noqa: F401 - fixture
from tests.factories import KitFactory, OpeningFactory


@pytest.fixture
def flask_kit_id() -> int:
    return next(k.id for k in ensure_builtin_kits() if k.slug == "flask-developer")


# --- creation with set-up -----------------------------------------------------------------------


def test_a_kit_gives_plan_assessment_and_publishing_by_default(api_as, flask_kit_id):  # noqa: F811
    response = api_as(Role.RECRUITER).post(BASE, {"title": "Flask Developer", "kit_id": flask_kit_id})

    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "open"
    setup = body["setup"]
    assert setup["published"] is True
    assert [item["title"] for item in setup["interview_plan"]] == ["Screening call", "Technical interview"]
    assert setup["assessment"]["id"] and setup["assessment"]["title"]
    assert body["automation"] == {"move_on_assessment_invite": True, "move_on_interview_scheduled": True}


def test_the_options_can_be_turned_off(api_as, flask_kit_id):  # noqa: F811
    body = (
        api_as(Role.ADMIN)
        .post(
            BASE,
            {
                "title": "Bare",
                "kit_id": flask_kit_id,
                "with_interview_plan": False,
                "with_assessment": False,
                "publish": False,
            },
        )
        .get_json()
    )
    assert body["status"] == "draft"
    assert body["setup"] == {"interview_plan": [], "assessment": None, "published": False}


def test_without_a_kit_the_old_behaviour_stays(api_as):  # noqa: F811
    body = api_as(Role.ADMIN).post(BASE, {"title": "Minimal"}).get_json()
    assert body["status"] == "draft"
    assert body["setup"] == {"interview_plan": [], "assessment": None, "published": False}


def test_a_custom_kit_without_an_assessment_reports_none(api_as):  # noqa: F811
    kit = KitFactory()
    body = api_as(Role.ADMIN).post(BASE, {"title": "Custom", "kit_id": kit.id}).get_json()
    assert body["setup"]["assessment"] is None
    assert len(body["setup"]["interview_plan"]) == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"publish": "yes"}, "publish"),
        ({"with_assessment": 1}, "with_assessment"),
        ({"with_interview_plan": None}, "with_interview_plan"),
        ({"publish": True, "status": "closed"}, "publish"),
    ],
)
def test_bad_options_are_422_and_create_nothing(api_as, flask_kit_id, payload, field):  # noqa: F811
    response = api_as(Role.ADMIN).post(BASE, {"title": "Refused", "kit_id": flask_kit_id, **payload})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert field in error["details"].get("json", error["details"])
    assert db.session.execute(select(Opening).where(Opening.title == "Refused")).first() is None


def test_the_openapi_spec_documents_the_new_fields(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    create = schemas["OpeningCreate"]
    assert {"with_interview_plan", "with_assessment", "publish"} <= set(create["properties"])
    assert "description" in create["properties"]["publish"]
    assert any("setup" in v.get("properties", {}) for v in schemas.values())
    assert any("move_on_assessment_invite" in v.get("properties", {}) for v in schemas.values())


# --- automations --------------------------------------------------------------------------------


def test_read_and_update_the_automations(api_as):  # noqa: F811
    api = api_as(Role.RECRUITER)
    opening = OpeningFactory()
    url = f"{BASE}/{opening.id}/automation"
    assert api.get(url).get_json() == {"move_on_assessment_invite": True, "move_on_interview_scheduled": True}

    response = api.patch(url, {"move_on_interview_scheduled": False})
    assert response.status_code == 200
    assert response.get_json() == {"move_on_assessment_invite": True, "move_on_interview_scheduled": False}
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.opening_id == opening.id, AuditEvent.object_type == "opening")
    ).scalar_one()
    assert event.after == {"auto_move_on_interview_scheduled": False}


@pytest.mark.parametrize(
    "payload", [{"move_on_interview_scheduled": "no"}, {"other": True}, {"move_on_assessment_invite": None}]
)
def test_bad_automation_input_is_422(api_as, payload):  # noqa: F811
    opening = OpeningFactory()
    response = api_as(Role.ADMIN).patch(f"{BASE}/{opening.id}/automation", payload)
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("admin", 200, 200),
        ("recruiter", 200, 200),
        ("hm_on_team", 200, 200),
        ("hm_off_team", 403, 403),
        ("interviewer", 403, 403),
        (None, 401, 401),
    ],
)
def test_automation_permissions(api_as, role, read, write):  # noqa: F811
    if role in ("hm_on_team", "hm_off_team"):
        api = api_as(Role.HIRING_MANAGER)
        opening = OpeningFactory(team=[api.user] if role == "hm_on_team" else [])
    else:
        api = api_as(role)
        opening = OpeningFactory()
    url = f"{BASE}/{opening.id}/automation"
    assert api.get(url).status_code == read
    assert api.patch(url, {"move_on_assessment_invite": False}).status_code == write
    db.session.refresh(opening)
    assert opening.auto_move_on_assessment_invite is (write != 200)


def test_automations_of_a_missing_opening_are_404(api_as):  # noqa: F811
    assert api_as(Role.ADMIN).get(f"{BASE}/999999/automation").status_code == 404
