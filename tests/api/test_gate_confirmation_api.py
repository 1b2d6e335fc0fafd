"""Issue 11 §3 through the API: advancing past a failed or incomplete must-have gate needs
``"confirm_gate": true`` and a reason on move, bulk-move and decisions; the 409 is in the spec."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role
from hirewise.extensions import db
from tests.api.test_applications_api import BASE, Api, stage
from tests.factories import UserFactory
from tests.integration.test_gate_confirmation import REASON, rated, reload

DECISIONS = "/api/v1/decisions/applications"


@pytest.fixture
def recruiter(client) -> Api:
    return Api(client, UserFactory(role=Role.RECRUITER))


def _error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()["error"]


def test_move_past_a_failed_gate(recruiter):
    application = rated(1)
    offer = stage(application.opening, "Offer").id
    url = f"{BASE}/{application.id}/move"

    error = _error(recruiter.post(url, json={"stage_id": offer, "reason": REASON}), 409)
    assert error["code"] == "gate_confirmation_required" and "failed" in error["message"]
    [held] = error["details"]["applications"]
    assert held == {
        "application_id": application.id,
        "candidate": application.candidate.full_name,
        "to_stage_id": offer,
        "gate": "failed",
        "failed_skills": ["Flask core"],
        "unassessed_must_haves": [],
    }
    error = _error(recruiter.post(url, json={"stage_id": offer, "confirm_gate": True, "reason": "  "}), 422)
    assert "reason" in error["details"]
    assert reload(application).stage.name == "Applied"

    response = recruiter.post(url, json={"stage_id": offer, "confirm_gate": True, "reason": REASON})
    assert response.status_code == 200 and response.get_json()["stage"]["name"] == "Offer"
    assert reload(application).stage_moves[-1].reason == REASON
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "application", AuditEvent.action == "move")
    ).scalar_one()
    assert event.after["gate"] == "failed" and event.after["reason"] == REASON


def test_move_without_the_need(recruiter):
    passed = rated(4)
    response = recruiter.post(
        f"{BASE}/{passed.id}/move", json={"stage_id": stage(passed.opening, "Hired").id}
    )
    assert response.status_code == 200
    held = rated(1, at="Offer")
    back = recruiter.post(f"{BASE}/{held.id}/move", json={"stage_id": stage(held.opening, "Screen").id})
    assert back.status_code == 200
    rejected = recruiter.post(
        f"{BASE}/{held.id}/move", json={"stage_id": stage(held.opening, "Rejected").id, "reason": "No"}
    )
    assert rejected.status_code == 200 and reload(held).stage.name == "Rejected"


def test_bulk_move_refuses_the_whole_batch(recruiter):
    passed = rated(4)
    opening = passed.opening
    missing = rated(None, opening=opening)
    ids = [passed.id, missing.id]
    offer = stage(opening, "Offer").id
    url = f"{BASE}/bulk-move"
    error = _error(recruiter.post(url, json={"application_ids": ids, "stage_id": offer}), 409)
    assert error["code"] == "gate_confirmation_required"
    assert [(h["application_id"], h["gate"]) for h in error["details"]["applications"]] == [
        (missing.id, "incomplete")
    ]
    assert error["details"]["applications"][0]["unassessed_must_haves"] == ["Flask core"]
    assert {reload(a).stage.name for a in (passed, missing)} == {"Applied"}
    _error(recruiter.post(url, json={"application_ids": ids, "stage_id": offer, "confirm_gate": True}), 422)
    response = recruiter.post(
        url, json={"application_ids": ids, "stage_id": offer, "confirm_gate": True, "reason": REASON}
    )
    assert response.status_code == 200 and response.get_json()["count"] == 2
    assert {reload(a).stage.name for a in (passed, missing)} == {"Offer"}
    assert reload(missing).stage_moves[-1].reason == REASON


def test_decisions_need_the_confirmation(recruiter):
    application = rated(1, at="Interview")
    url = f"{DECISIONS}/{application.id}"
    error = _error(recruiter.post(url, json={"kind": "hire", "reason": REASON}), 409)
    assert error["code"] == "gate_confirmation_required"
    response = recruiter.post(url, json={"kind": "hire", "reason": REASON, "confirm_gate": True})
    assert response.status_code == 201 and reload(application).stage.name == "Hired"


def test_the_spec_declares_the_fields_and_the_409(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    for name in ("Move", "BulkMove", "DecisionCreate"):
        assert schemas[name]["properties"]["confirm_gate"]["type"] == "boolean", name
    assert "reason" in schemas["BulkMove"]["properties"]
    for path in (
        "/api/v1/applications/{application_id}/move",
        "/api/v1/applications/bulk-move",
        "/api/v1/decisions/applications/{application_id}",
    ):
        conflict = spec["paths"][path]["post"]["responses"]["409"]
        assert "gate_confirmation_required" in conflict["description"], path
