"""``/api/v1/decisions``: debrief, recording decisions, ranking and comparison over the API."""

from __future__ import annotations

import pytest

from hirewise.auth.models import Role, User
from hirewise.auth.services import create_api_token
from hirewise.candidates.models import Application
from hirewise.extensions import db
from hirewise.feedback.models import Decision
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_debrief import interviewer, make_feedback


def _headers(user: User, scope: str = "read,write") -> dict[str, str]:
    _, raw = create_api_token(user, "t", scope)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def pair() -> tuple[Application, Application]:
    opening = OpeningFactory()
    strong, weak = ApplicationFactory(opening=opening), ApplicationFactory(opening=opening)
    reviewer = interviewer("Ada")
    make_feedback(strong, reviewer, {"Flask core": 4, "Docker": 2})
    make_feedback(weak, reviewer, {"Flask core": 2, "Docker": 4})
    return strong, weak


def test_debrief_json(client, pair):
    strong, _ = pair
    response = client.get(
        f"/api/v1/decisions/applications/{strong.id}/debrief",
        headers=_headers(UserFactory(role=Role.RECRUITER)),
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["application_id"] == strong.id
    assert body["fit"]["gate"] == "passed"
    assert body["fit"]["fit"] == pytest.approx(100 * (3 * 1.0 + 1 / 3) / 4)
    assert [row["name"] for row in body["skills"]] == ["Flask core", "Docker"]
    assert [cell["rating"] for cell in body["skills"][0]["cells"]] == [4]
    assert body["columns"][0]["interviewer_name"] == "Ada"
    assert body["recommendations"]["yes"] == 1
    assert body["decisions"] == []


def test_record_decision_returns_201_and_moves_the_stage(client, pair):
    strong, _ = pair
    offer = next(stage for stage in strong.opening.stages if stage.name == "Offer")
    response = client.post(
        f"/api/v1/decisions/applications/{strong.id}",
        json={"kind": "advance", "reason": "Great", "to_stage_id": offer.id},
        headers=_headers(UserFactory(role=Role.RECRUITER)),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["kind"] == "advance" and body["to_stage"] == "Offer"
    assert body["fit_snapshot"]["gate"] == "passed"
    db.session.expire_all()
    assert db.session.get(Application, strong.id).stage.name == "Offer"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "payload",
    [
        {"kind": "advance", "reason": "x"},
        {"kind": "fire", "reason": "x"},
        {"kind": "hire"},
        {"kind": "hire", "reason": ""},
        {"kind": "advance", "reason": "x", "to_stage_id": "' OR 1=1"},
    ],
)
def test_invalid_decision_is_422(client, pair, payload):
    strong, _ = pair
    response = client.post(
        f"/api/v1/decisions/applications/{strong.id}",
        json=payload,
        headers=_headers(UserFactory(role=Role.RECRUITER)),
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["status"] == 422
    assert db.session.query(Decision).count() == 0


def test_ranking_and_compare_json(client, pair):
    strong, weak = pair
    headers = _headers(UserFactory(role=Role.ADMIN))
    ranking = client.get(f"/api/v1/decisions/openings/{strong.opening_id}/ranking", headers=headers)
    assert ranking.status_code == 200
    items = ranking.get_json()["items"]
    assert [item["application_id"] for item in items] == [strong.id, weak.id]
    assert [item["gate"] for item in items] == ["passed", "failed"]
    assert items[0]["position"] == 1 and items[0]["fit"]["gate"] == "passed"
    compare = client.get(
        f"/api/v1/decisions/openings/{strong.opening_id}/compare?ids={weak.id}&ids={strong.id}",
        headers=headers,
    )
    assert compare.status_code == 200
    body = compare.get_json()
    assert [column["application_id"] for column in body["columns"]] == [strong.id, weak.id]
    assert [result["score"] for result in body["skills"][0]["results"]] == [4.0, 2.0]
    too_few = client.get(
        f"/api/v1/decisions/openings/{strong.opening_id}/compare?ids={weak.id}", headers=headers
    )
    assert too_few.status_code == 422
    foreign = ApplicationFactory().id
    stranger = client.get(
        f"/api/v1/decisions/openings/{strong.opening_id}/compare?ids={weak.id}&ids={foreign}", headers=headers
    )
    assert stranger.status_code == 422


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("recruiter", 200),
        ("manager_on_team", 200),
        ("manager_off_team", 403),
        ("assigned_interviewer", 403),
        ("anonymous", 401),
    ],
)
def test_api_permissions(client, who, status):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    opening = OpeningFactory(team=[manager])
    first, second = ApplicationFactory(opening=opening), ApplicationFactory(opening=opening)
    assigned = interviewer("Assigned")
    make_feedback(first, assigned, {"Flask core": 3})
    users = {
        "admin": lambda: UserFactory(role=Role.ADMIN),
        "recruiter": lambda: UserFactory(role=Role.RECRUITER),
        "manager_on_team": lambda: manager,
        "manager_off_team": lambda: UserFactory(role=Role.HIRING_MANAGER),
        "assigned_interviewer": lambda: assigned,
    }
    headers = _headers(users[who]()) if who in users else {}
    base = "/api/v1/decisions"
    for url in (
        f"{base}/applications/{first.id}/debrief",
        f"{base}/openings/{opening.id}/ranking",
        f"{base}/openings/{opening.id}/compare?ids={first.id}&ids={second.id}",
    ):
        assert client.get(url, headers=headers).status_code == status, url
    decided = client.post(
        f"{base}/applications/{first.id}", json={"kind": "hire", "reason": "ok"}, headers=headers
    )
    assert decided.status_code == (201 if status == 200 else status)


def test_read_only_token_cannot_decide(client, pair):
    strong, _ = pair
    response = client.post(
        f"/api/v1/decisions/applications/{strong.id}",
        json={"kind": "hire", "reason": "ok"},
        headers=_headers(UserFactory(role=Role.ADMIN), "read"),
    )
    assert response.status_code == 403


def test_endpoints_are_in_the_openapi_spec(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/decisions/applications/{application_id}/debrief",
        "/api/v1/decisions/applications/{application_id}",
        "/api/v1/decisions/openings/{opening_id}/ranking",
        "/api/v1/decisions/openings/{opening_id}/compare",
    ):
        assert path in paths, path
