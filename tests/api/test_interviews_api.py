"""``/api/v1/interviews``: plans, scheduling, rescheduling, cancelling, ICS and visibility."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select

from hirewise.auth.models import Role, User
from hirewise.auth.services import create_api_token
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_interview_services import add_questions, schedule

YEAR = datetime.now(UTC).year + 1


def headers(user: User) -> dict[str, str]:
    _, raw = create_api_token(user, "t", "read,write")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def _payload(application_id: int, interviewer_ids: list[int], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "application_id": application_id,
        "title": "Technical interview",
        "starts_at": f"{YEAR}-03-10T10:00:00+01:00",
        "timezone": "Europe/Berlin",
        "duration_minutes": 60,
        "interviewer_ids": interviewer_ids,
        "video_url": "https://meet.example.com/x",
    }
    data.update(overrides)
    return data


def test_plan_endpoints(client):
    recruiter = UserFactory(role=Role.RECRUITER)
    opening = OpeningFactory()
    add_questions(opening)
    auth = headers(recruiter)
    assert client.get(f"/api/v1/interviews/plans/{opening.id}", headers=auth).get_json() == {"items": []}
    generated = client.post(f"/api/v1/interviews/plans/{opening.id}/defaults", headers=auth)
    assert [i["title"] for i in generated.get_json()["items"]] == ["Screening call", "Technical interview"]
    created = client.post(
        f"/api/v1/interviews/plans/{opening.id}",
        json={"stage_id": opening.stages[3].id, "title": "Pairing", "duration_minutes": 90},
        headers=auth,
    )
    assert created.status_code == 201
    item_id = created.get_json()["id"]
    bad = client.post(
        f"/api/v1/interviews/plans/{opening.id}",
        json={"stage_id": opening.stages[3].id, "title": "Pairing", "duration_minutes": 10},
        headers=auth,
    )
    assert bad.status_code == 422 and "duration_minutes" in bad.get_json()["error"]["details"]["json"]
    patched = client.patch(
        f"/api/v1/interviews/plans/{opening.id}/items/{item_id}", json={"duration_minutes": 120}, headers=auth
    )
    assert patched.get_json()["duration_minutes"] == 120
    assert (
        client.delete(f"/api/v1/interviews/plans/{opening.id}/items/{item_id}", headers=auth).status_code
        == 204
    )
    interviewer = headers(UserFactory(role=Role.INTERVIEWER))
    assert client.get(f"/api/v1/interviews/plans/{opening.id}", headers=interviewer).status_code == 403


def test_schedule_reschedule_cancel_and_ics(client):
    recruiter = UserFactory(role=Role.RECRUITER)
    alice = UserFactory(role=Role.INTERVIEWER)
    application = ApplicationFactory()
    auth = headers(recruiter)
    response = client.post("/api/v1/interviews", json=_payload(application.id, [alice.id]), headers=auth)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["starts_at"].startswith(f"{YEAR}-03-10T09:00:00")
    assert [p["id"] for p in body["interviewers"]] == [alice.id]
    assert body["calendar_sequence"] == 0 and body["status"] == "scheduled"
    interview_id = body["id"]
    sent = db.session.execute(select(OutboxMessage).where(OutboxMessage.application_id == application.id))
    assert len(list(sent.scalars())) == 2

    moved = client.post(
        f"/api/v1/interviews/{interview_id}/reschedule",
        json={
            "starts_at": f"{YEAR}-03-11T10:00:00-05:00",
            "timezone": "America/New_York",
            "duration_minutes": 45,
        },
        headers=auth,
    )
    assert moved.status_code == 200 and moved.get_json()["calendar_sequence"] == 1

    ics = client.get(f"/api/v1/interviews/{interview_id}/ics", headers=auth)
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert str(event["UID"]) == body["calendar_uid"] and int(event["SEQUENCE"]) == 1

    cancelled = client.post(
        f"/api/v1/interviews/{interview_id}/cancel", json={"reason": "No show"}, headers=auth
    )
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    again = client.post(f"/api/v1/interviews/{interview_id}/cancel", json={}, headers=auth)
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"starts_at": f"{YEAR}-03-10T10:00:00"}, 422),
        ({"timezone": "Nowhere/City"}, 422),
        ({"duration_minutes": 0}, 422),
        ({"interviewer_ids": []}, 422),
        ({"title": "<script>alert(1)</script>' OR 1=1 --"}, 201),
    ],
)
def test_schedule_validation(client, overrides, status):
    recruiter = UserFactory(role=Role.RECRUITER)
    alice = UserFactory(role=Role.INTERVIEWER)
    application = ApplicationFactory()
    payload = {**_payload(application.id, [alice.id]), **overrides}
    response = client.post("/api/v1/interviews", json=payload, headers=headers(recruiter))
    assert response.status_code == status, response.get_json()
    if status == 422:
        error = response.get_json()["error"]
        assert error["code"] in ("validation_error", "unprocessable_entity") and error["details"]
    else:
        assert response.get_json()["title"] == overrides["title"]


@pytest.mark.parametrize(
    ("who", "list_total", "detail", "schedule_status"),
    [
        ("admin", 1, 200, 201),
        ("recruiter", 1, 200, 201),
        ("manager_on_team", 1, 200, 201),
        ("manager_off_team", 0, 403, 403),
        ("assigned", 1, 200, 403),
        ("other_interviewer", 0, 403, 403),
    ],
)
def test_visibility_matrix(client, who, list_total, detail, schedule_status):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    assigned = UserFactory(role=Role.INTERVIEWER)
    application = ApplicationFactory(opening=OpeningFactory(team=[manager]))
    interview = schedule(UserFactory(role=Role.RECRUITER), application, [assigned])
    roles = {
        "admin": Role.ADMIN,
        "recruiter": Role.RECRUITER,
        "manager_off_team": Role.HIRING_MANAGER,
        "other_interviewer": Role.INTERVIEWER,
    }
    user = {"manager_on_team": manager, "assigned": assigned}.get(who) or UserFactory(role=roles[who])
    auth = headers(user)
    listed = client.get(f"/api/v1/interviews?application_id={application.id}", headers=auth)
    assert listed.status_code == 200 and listed.get_json()["meta"]["total"] == list_total
    assert client.get(f"/api/v1/interviews/{interview.id}", headers=auth).status_code == detail
    assert client.get(f"/api/v1/interviews/{interview.id}/ics", headers=auth).status_code == detail
    created = client.post("/api/v1/interviews", json=_payload(application.id, [assigned.id]), headers=auth)
    assert created.status_code == schedule_status
    mine = client.get("/api/v1/interviews?mine=true", headers=auth).get_json()
    assert mine["meta"]["total"] == (1 if who == "assigned" else 0)


def test_filters_resist_injection_and_need_a_token(client):
    recruiter = UserFactory(role=Role.RECRUITER)
    response = client.get("/api/v1/interviews?application_id=1%20OR%201=1", headers=headers(recruiter))
    assert response.status_code == 422
    assert client.get("/api/v1/interviews").status_code == 401


def test_every_endpoint_is_in_the_openapi_spec(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/interviews",
        "/api/v1/interviews/{interview_id}",
        "/api/v1/interviews/{interview_id}/reschedule",
        "/api/v1/interviews/{interview_id}/cancel",
        "/api/v1/interviews/{interview_id}/ics",
        "/api/v1/interviews/plans/{opening_id}",
        "/api/v1/interviews/plans/{opening_id}/defaults",
        "/api/v1/interviews/plans/{opening_id}/items/{item_id}",
    ):
        assert path in paths, path
