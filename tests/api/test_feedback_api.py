"""``/api/v1/feedback``: drafts, submit, versions, reading with the visibility rule, OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest

from hirewise.auth.models import User
from hirewise.auth.services import create_api_token
from hirewise.extensions import db
from hirewise.feedback import services
from hirewise.feedback.models import Feedback
from tests.integration.test_feedback_services import Setup, build_setup, matrix, submitted, viewer_for


@pytest.fixture
def setup() -> Setup:
    return build_setup()


def headers(user: User) -> dict[str, str]:
    _, raw = create_api_token(user, "t", "read,write")
    return {"Authorization": f"Bearer {raw}"}


def payload(feedback: Feedback, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "interview_id": feedback.interview_id,
        "ratings": {str(r.skill_id): 3 for r in feedback.ratings},
        "answers": {str(a.question_id): {"notes": "ok", "covered_key_points": [0]} for a in feedback.answers},
        "recommendation": "yes",
        "summary": "API summary",
    }
    data.update(overrides)
    return data


def test_draft_submit_and_new_version_through_the_api(client, setup):
    auth = headers(setup.first)
    feedback = services.get_or_start_feedback(setup.first, setup.first_interview)
    draft = client.post("/api/v1/feedback/draft", json=payload(feedback, recommendation=None), headers=auth)
    assert draft.status_code == 200, draft.get_json()
    body = draft.get_json()
    assert body["status"] == "draft" and body["ratings"][0]["rating"] == 3
    assert body["answers"][1]["question"]["text"] == "How do Flask blueprints work?"
    sent = client.post("/api/v1/feedback/submit", json=payload(feedback), headers=auth)
    assert sent.status_code == 200 and sent.get_json()["status"] == "submitted"
    assert sent.get_json()["version"] == 1
    again = client.post("/api/v1/feedback/submit", json=payload(feedback, recommendation="no"), headers=auth)
    assert again.get_json()["version"] == 2 and len(again.get_json()["revisions"]) == 2
    locked = client.post("/api/v1/feedback/draft", json=payload(feedback), headers=auth)
    assert locked.status_code == 409


def test_draft_starts_feedback_from_the_interview(client, setup):
    response = client.post(
        "/api/v1/feedback/draft",
        json={"interview_id": setup.first_interview.id, "summary": "first words"},
        headers=headers(setup.first),
    )
    assert response.status_code == 200 and response.get_json()["summary"] == "first words"
    assert len(response.get_json()["ratings"]) == 2


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"recommendation": "maybe"}, 422),
        ({"ratings": {"1": 9}}, 422),
        ({"ratings": {"1": "x"}}, 422),
        ({"answers": {"1": {"covered_key_points": ["a"]}}}, 422),
        ({"summary": "x" * 30000}, 422),
        ({"interview_id": 2**31 + 5}, 422),
        ({"interview_id": 999999}, 404),
    ],
)
def test_bad_input_is_a_clean_4xx(client, setup, overrides, status):
    feedback = services.get_or_start_feedback(setup.first, setup.first_interview)
    response = client.post(
        "/api/v1/feedback/submit", json=payload(feedback, **overrides), headers=headers(setup.first)
    )
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["status"] == status


def test_submit_needs_recommendation_and_a_rating(client, setup):
    feedback = services.get_or_start_feedback(setup.first, setup.first_interview)
    response = client.post(
        "/api/v1/feedback/submit",
        json=payload(feedback, recommendation=None, ratings={}),
        headers=headers(setup.first),
    )
    assert response.status_code == 422
    assert set(response.get_json()["error"]["details"]) == {"recommendation", "ratings"}


def test_others_cannot_write_on_an_interview_they_are_not_on(client, setup):
    response = client.post(
        "/api/v1/feedback/draft",
        json={"interview_id": setup.first_interview.id, "summary": "x"},
        headers=headers(setup.recruiter),
    )
    assert response.status_code == 403


@pytest.mark.parametrize(("visibility", "viewer_name", "allowed"), matrix())
def test_visibility_matrix_over_the_api(client, setup, visibility, viewer_name, allowed):
    setup.opening.feedback_visibility = visibility
    db.session.commit()
    feedback = submitted(setup.first, setup.first_interview)
    viewer = viewer_for(setup, viewer_name)
    auth = headers(viewer)
    one = client.get(f"/api/v1/feedback/{feedback.id}", headers=auth)
    assert one.status_code == (200 if allowed else 403)
    listed = client.get(f"/api/v1/feedback?application_id={setup.application.id}", headers=auth).get_json()
    assert (feedback.id in [item["id"] for item in listed["items"]]) is allowed
    everything = client.get("/api/v1/feedback", headers=auth).get_json()
    assert (feedback.id in [item["id"] for item in everything["items"]]) is allowed


def test_sql_injection_in_the_filter_is_a_clean_4xx(client, setup):
    submitted(setup.first, setup.first_interview)
    response = client.get("/api/v1/feedback?application_id=1%20OR%201=1", headers=headers(setup.second))
    assert response.status_code == 422


def test_all_feedback_endpoints_are_in_the_spec(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/feedback",
        "/api/v1/feedback/{feedback_id}",
        "/api/v1/feedback/draft",
        "/api/v1/feedback/submit",
    ):
        assert path in paths, sorted(paths)
