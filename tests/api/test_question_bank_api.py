"""``/api/v1/questions``: CRUD, versions, filters, import/export, errors and the OpenAPI spec."""

from __future__ import annotations

import io
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hirewise.auth.models import Role
from hirewise.auth.services import create_api_token
from hirewise.extensions import db
from hirewise.questions import services
from hirewise.questions.models import BankQuestion
from tests.factories import UserFactory

BODY = {
    "text": "How would you paginate a large table?",
    "type": "practical",
    "difficulty": "hard",
    "skill": "SQL",
    "expected_answer": "Keyset pagination for deep pages.",
    "key_points": [{"label": "Keyset", "text": "WHERE id > last seen"}],
    "tags": ["sql"],
    "follow_ups": ["What about sorting by a non-unique column?"],
}


def headers_for(role: Role, scopes: str = "read,write") -> dict[str, str]:
    _, raw = create_api_token(UserFactory(role=role), "t", scopes)
    return {"Authorization": f"Bearer {raw}"}


def make(**fields: Any) -> BankQuestion:
    return services.create_question(UserFactory(role=Role.RECRUITER), **{**BODY, **fields})


def count() -> int:
    return db.session.execute(select(func.count()).select_from(BankQuestion)).scalar_one()


def test_create_read_update_and_versions(client: FlaskClient):
    headers = headers_for(Role.RECRUITER)
    response = client.post("/api/v1/questions", json=BODY, headers=headers)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["version"] == 1 and created["key_points"] == BODY["key_points"]
    url = f"/api/v1/questions/{created['id']}"
    assert client.get(url, headers=headers).get_json()["text"] == BODY["text"]

    response = client.patch(url, json={"difficulty": "medium"}, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["version"] == 2
    unchanged = client.patch(url, json={"difficulty": "medium"}, headers=headers).get_json()
    assert unchanged["version"] == 2

    versions = client.get(f"{url}/versions", headers=headers).get_json()["items"]
    assert [(v["version"], v["snapshot"]["difficulty"]) for v in versions] == [(1, "hard"), (2, "medium")]
    first = client.get(f"{url}/versions/1", headers=headers).get_json()
    assert first["snapshot"]["text"] == BODY["text"]
    assert client.get(f"{url}/versions/9", headers=headers).status_code == 404


def test_archive_and_restore(client: FlaskClient):
    headers = headers_for(Role.ADMIN)
    question = make()
    url = f"/api/v1/questions/{question.id}/archive"
    assert client.post(url, headers=headers).get_json()["archived"] is True
    assert client.get("/api/v1/questions", headers=headers).get_json()["meta"]["total"] == 0
    listed = client.get("/api/v1/questions?include_archived=true", headers=headers).get_json()
    assert listed["meta"]["total"] == 1
    assert client.post(url, json={"archived": False}, headers=headers).get_json()["archived"] is False


def test_list_is_paginated_and_filtered(client: FlaskClient):
    headers = headers_for(Role.HIRING_MANAGER)
    for n in range(3):
        make(text=f"SQL question {n}?")
    make(text="Behavioural one?", type="behavioural", skill="Teamwork", tags=["team"])
    page = client.get("/api/v1/questions?per_page=2", headers=headers).get_json()
    assert page["meta"] == {"page": 1, "per_page": 2, "total": 4, "pages": 2}
    assert len(page["items"]) == 2
    for query in ("type=behavioural", "skill=teamwork", "tag=team", "q=BEHAVIOURAL"):
        items = client.get(f"/api/v1/questions?{query}", headers=headers).get_json()["items"]
        assert [i["text"] for i in items] == ["Behavioural one?"], query
    assert client.get("/api/v1/questions?type=bogus", headers=headers).status_code == 422


@pytest.mark.parametrize("payload", ["' OR 1=1 --", "%' OR '1'='1", "'; DROP TABLE bank_questions; --"])
def test_injection_strings_in_filters_give_200_and_nothing(client: FlaskClient, payload: str):
    headers = headers_for(Role.RECRUITER)
    make()
    for name in ("q", "skill", "tag"):
        response = client.get("/api/v1/questions", query_string={name: payload}, headers=headers)
        assert response.status_code == 200
        assert response.get_json()["items"] == [], name
    assert count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "text": " "}, "text"),
        ({**BODY, "key_points": [{"label": "", "text": "x"}]}, "key_points"),
        ({**BODY, "tags": ["x" * 50]}, "tags"),
    ],
)
def test_invalid_bodies_are_422_with_the_field_named(client: FlaskClient, body: dict[str, Any], field: str):
    response = client.post("/api/v1/questions", json=body, headers=headers_for(Role.RECRUITER))
    assert response.status_code == 422
    # The limits are in the schema (and the spec), so the request is refused before the service.
    assert field in response.get_json()["error"]["details"]["json"]
    assert count() == 0


def test_schema_errors_are_422(client: FlaskClient):
    headers = headers_for(Role.RECRUITER)
    assert client.post("/api/v1/questions", json={"type": "technical"}, headers=headers).status_code == 422
    assert client.post("/api/v1/questions", json={**BODY, "type": "quiz"}, headers=headers).status_code == 422
    assert client.post("/api/v1/questions", json={**BODY, "extra": 1}, headers=headers).status_code == 422
    assert client.get(f"/api/v1/questions/{10**20}", headers=headers).status_code == 404
    assert client.get("/api/v1/questions/999999", headers=headers).status_code == 404


def test_export_and_import_round_trip(client: FlaskClient):
    headers = headers_for(Role.RECRUITER)
    make()
    document = client.get("/api/v1/questions/export?format=json", headers=headers).get_json()
    assert document["format"] == "hirewise-kit"
    assert [s["name"] for s in document["kit"]["skills"]] == ["SQL"]
    text = client.get("/api/v1/questions/export", headers=headers).get_data(as_text=True)
    assert yaml.safe_load(text) == document

    document["kit"]["questions"].append({"text": "Imported question?", "skill": "SQL"})
    response = client.post("/api/v1/questions/import", json=document, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["count"] == 2
    assert count() == 2

    upload = {"file": (io.BytesIO(text.replace("How would you", "Would you").encode()), "bank.yaml")}
    response = client.post(
        "/api/v1/questions/import", data=upload, headers=headers, content_type="multipart/form-data"
    )
    assert response.status_code == 201
    assert count() == 3


def test_import_errors_are_422_with_locations_and_nothing_written(client: FlaskClient):
    headers = headers_for(Role.RECRUITER)
    document = services.export_questions([make()])
    document["kit"]["questions"][0]["skill"] = "Unknown"
    document["kit"]["questions"].append({"text": "", "type": "quiz"})
    before = count()
    response = client.post("/api/v1/questions/import", json=document, headers=headers)
    assert response.status_code == 422
    errors = response.get_json()["error"]["details"]["errors"]
    assert 'questions[0].skill: unknown skill "Unknown"' in errors
    assert any(e.startswith("questions[1].text:") for e in errors)
    assert any(e.startswith("questions[1].type:") for e in errors)
    assert count() == before
    empty = client.post("/api/v1/questions/import", data=b"", headers=headers)
    assert empty.status_code == 422


def test_every_endpoint_is_in_the_openapi_spec(client: FlaskClient):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    expected = {
        "/api/v1/questions": {"get", "post"},
        "/api/v1/questions/{question_id}": {"get", "patch"},
        "/api/v1/questions/{question_id}/archive": {"post"},
        "/api/v1/questions/{question_id}/versions": {"get"},
        "/api/v1/questions/{question_id}/versions/{version}": {"get"},
        "/api/v1/questions/export": {"get"},
        "/api/v1/questions/import": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
