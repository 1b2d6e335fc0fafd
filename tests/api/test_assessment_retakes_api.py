"""``POST /api/v1/assessments/{id}/invitations`` refuses a second attempt unless it is a retake with a reason."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from hirewise.audit.models import AuditEvent
from hirewise.extensions import db
from tests.api.test_assessments_api import (  # noqa: F401 - team is a fixture
    API,
    TAKE,
    Team,
    build,
    details,
    invite,
    question_id,
    team,
)
from tests.assessment_samples import MC

REASON = "Asked for by the candidate: the first sitting crashed on their phone."


def _sit(client: FlaskClient, token: str, assessment: dict[str, Any], text: str) -> None:
    """Start, choose the option with ``text`` (by the id shown to this attempt) and submit."""
    state = client.post(f"{TAKE}/{token}/start").get_json()
    mc_id = question_id(assessment, "multiple_choice")
    options = next(q for q in state["questions"] if q["id"] == mc_id)["options"]
    chosen = next(option["id"] for option in options if option["text"] == text)
    assert (
        client.put(f"{TAKE}/{token}/answers/{mc_id}", json={"response": {"selected": [chosen]}}).status_code
        == 200
    )
    assert client.post(f"{TAKE}/{token}/submit").status_code == 200


def test_a_second_invitation_is_refused_and_a_retake_is_allowed_with_a_reason(client, team: Team):  # noqa: F811
    assessment = build(client, team, MC)
    [first] = invite(client, team, assessment["id"])
    _sit(client, first["token"], assessment, "200 OK")  # wrong: 0 of 2
    url = f"{API}/{assessment['id']}/invitations"
    attempts_url = f"{API}/applications/{team.application.id}/attempts"
    [earlier] = client.get(attempts_url, headers=team.auth).get_json()["items"]

    again = client.post(url, json={"application_ids": [team.application.id]}, headers=team.auth)
    assert again.status_code == 409
    error = again.get_json()["error"]
    assert f"attempt #{earlier['id']}" in error["message"] and "0/2 points (0%)" in error["message"]
    assert "retake" in error["message"]
    assert any(f"attempt #{earlier['id']}" in line for line in error["details"]["applications"])

    no_reason = client.post(
        url, json={"application_ids": [team.application.id], "retake": True}, headers=team.auth
    )
    assert no_reason.status_code == 422 and "retake_reason" in details(no_reason)
    blank = client.post(
        url,
        json={"application_ids": [team.application.id], "retake": True, "retake_reason": "  "},
        headers=team.auth,
    )
    assert blank.status_code == 422

    retake = client.post(
        url,
        json={"application_ids": [team.application.id], "retake": True, "retake_reason": REASON},
        headers=team.auth,
    )
    assert retake.status_code == 201, retake.get_json()
    [issued] = retake.get_json()["items"]
    assert issued["retake_reason"] == REASON and issued["retake_of_attempt_id"] == earlier["id"]
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action == "retake")).scalars().all()
    assert [e.object_id for e in events] == [issued["id"]] and REASON in events[0].summary

    listed = client.get(url, headers=team.auth).get_json()["items"]
    by_id = {row["id"]: row for row in listed}
    assert by_id[issued["id"]]["retake_reason"] == REASON
    assert by_id[first["id"]]["retake_reason"] == "" and by_id[first["id"]]["retake_of_attempt_id"] is None

    _sit(client, issued["token"], assessment, "201 Created")
    items = client.get(attempts_url, headers=team.auth).get_json()["items"]
    assert len(items) == 2 and items[0]["id"] == earlier["id"]
    original, second = items
    assert original["retake"] is False and original["retake_reason"] == ""
    assert second["retake"] is True and second["retake_reason"] == REASON
    assert second["retake_of_attempt_id"] == earlier["id"]
    assert [original["totals"]["points"], second["totals"]["points"]] == [0.0, 2.0]
    review = client.get(f"{API}/attempts/{second['id']}", headers=team.auth).get_json()
    assert review["retake"] is True and review["retake_reason"] == REASON


def test_attempts_in_progress_are_listed_only_when_asked_for(client, team: Team):  # noqa: F811
    assessment = build(client, team, MC)
    [first] = invite(client, team, assessment["id"])
    client.post(f"{TAKE}/{first['token']}/start")
    url = f"{API}/applications/{team.application.id}/attempts"
    assert client.get(url, headers=team.auth).get_json()["items"] == []
    items = client.get(f"{url}?include_in_progress=true", headers=team.auth).get_json()["items"]
    assert [row["status"] for row in items] == ["in_progress"] and items[0]["retake"] is False


def test_skipping_reports_who_was_left_out_and_why(client, team: Team):  # noqa: F811
    assessment = build(client, team, MC)
    [first] = invite(client, team, assessment["id"])
    _sit(client, first["token"], assessment, "201 Created")
    response = client.post(
        f"{API}/{assessment['id']}/invitations",
        json={"application_ids": [team.application.id, team.second.id], "skip_invited": True},
        headers=team.auth,
    )
    assert response.status_code == 201
    body = response.get_json()
    assert [item["application_id"] for item in body["items"]] == [team.second.id]
    [skipped] = body["skipped"]
    assert skipped["application_id"] == team.application.id and "attempt #" in skipped["reason"]
