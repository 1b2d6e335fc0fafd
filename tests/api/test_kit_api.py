"""``/api/v1/kits``: permissions, pagination, export, import (JSON and multipart), errors, OpenAPI."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hirewise.auth.models import Role
from hirewise.auth.services import create_api_token
from hirewise.extensions import db
from hirewise.kits import services
from hirewise.kits.models import Kit
from tests.factories import KitFactory, UserFactory

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kits"


def headers_for(role: Role, scopes: str = "read,write") -> dict[str, str]:
    user = UserFactory(role=role)
    _, raw = create_api_token(user, "t", scopes)
    return {"Authorization": f"Bearer {raw}"}


def fixture_document(name: str = "data_engineer.yaml") -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((FIXTURES / name).read_text())
    return document


def kit_count() -> int:
    return db.session.execute(select(func.count()).select_from(Kit)).scalar_one()


ROLES: list[Role | None] = [Role.ADMIN, Role.RECRUITER, Role.HIRING_MANAGER, Role.INTERVIEWER, None]
VIEW = {Role.ADMIN: 200, Role.RECRUITER: 200, Role.HIRING_MANAGER: 200, Role.INTERVIEWER: 403, None: 401}
IMPORT = {Role.ADMIN: 201, Role.RECRUITER: 201, Role.HIRING_MANAGER: 403, Role.INTERVIEWER: 403, None: 401}
DELETE = {Role.ADMIN: 204, Role.RECRUITER: 204, Role.HIRING_MANAGER: 403, Role.INTERVIEWER: 403, None: 401}
ENDPOINTS = {
    "list": ("GET", "/api/v1/kits", VIEW),
    "detail": ("GET", "/api/v1/kits/{id}", VIEW),
    "export": ("GET", "/api/v1/kits/{id}/export?format=json", VIEW),
    "import": ("POST", "/api/v1/kits/import", IMPORT),
    "delete": ("DELETE", "/api/v1/kits/{id}", DELETE),
}
MATRIX = [(endpoint, role, ENDPOINTS[endpoint][2][role]) for endpoint in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize(("endpoint", "role", "expected"), MATRIX)
def test_permission_matrix(client: FlaskClient, endpoint: str, role: Role | None, expected: int) -> None:
    kit = KitFactory()
    method, url, _ = ENDPOINTS[endpoint]
    headers = headers_for(role) if role is not None else {}
    body = fixture_document() if endpoint == "import" else None
    response = client.open(url.format(id=kit.id), method=method, headers=headers, json=body)
    assert response.status_code == expected
    if expected >= 400:
        assert response.get_json()["error"]["status"] == expected
    db.session.expire_all()
    assert kit_count() == {"import": 2 if expected == 201 else 1, "delete": 0 if expected == 204 else 1}.get(
        endpoint, 1
    )


def test_read_only_tokens_cannot_import(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/kits/import", headers=headers_for(Role.ADMIN, "read"), json=fixture_document()
    )
    assert response.status_code == 403
    assert kit_count() == 0


def test_list_is_paginated(client: FlaskClient) -> None:
    services.ensure_builtin_kits()
    for name in ("Alpha", "Beta", "Gamma"):
        KitFactory(name=name)
    headers = headers_for(Role.HIRING_MANAGER)
    page = client.get("/api/v1/kits?per_page=2", headers=headers).get_json()
    assert page["meta"] == {"page": 1, "per_page": 2, "total": 4, "pages": 2}
    first = page["items"][0]
    assert (first["slug"], first["is_builtin"], first["skill_count"], first["question_count"]) == (
        "flask-developer",
        True,
        12,
        11,
    )
    second = client.get("/api/v1/kits?per_page=2&page=2", headers=headers).get_json()
    assert [item["name"] for item in second["items"]] == ["Beta", "Gamma"]
    assert client.get("/api/v1/kits?per_page=1000", headers=headers).status_code == 422


def test_detail_includes_skills_and_questions(client: FlaskClient) -> None:
    [kit] = services.ensure_builtin_kits()
    data = client.get(f"/api/v1/kits/{kit.id}", headers=headers_for(Role.RECRUITER)).get_json()
    assert data["slug"] == "flask-developer" and data["version"] == 1
    assert len(data["skills"]) == 12 and len(data["questions"]) == 11
    skill = data["skills"][0]
    assert (skill["name"], skill["kind"], skill["weight"], skill["pass_bar"]) == (
        "Flask core framework",
        "must_have",
        5,
        3.0,
    )
    assert "blueprint" in skill["keywords"]
    question = data["questions"][10]
    assert question["skill"] == "Performance optimization"
    assert question["skill_id"] == next(
        s["id"] for s in data["skills"] if s["name"] == "Performance optimization"
    )
    assert question["difficulty"] == "hard" and question["type"] == "technical"
    assert len(question["key_points"]) == 5 and set(question["key_points"][0]) == {"label", "text"}
    assert question["expected_answer"]


def test_detail_of_a_missing_kit_is_404_in_the_envelope(client: FlaskClient) -> None:
    response = client.get("/api/v1/kits/424242", headers=headers_for(Role.ADMIN))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_export_json_and_yaml(client: FlaskClient) -> None:
    [kit] = services.ensure_builtin_kits()
    headers = headers_for(Role.HIRING_MANAGER)
    response = client.get(f"/api/v1/kits/{kit.id}/export?format=json", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == services.export_kit(kit)

    response = client.get(f"/api/v1/kits/{kit.id}/export", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/yaml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="flask-developer.yaml"'
    assert yaml.safe_load(response.get_data(as_text=True)) == services.export_kit(kit)

    response = client.get(f"/api/v1/kits/{kit.id}/export?format=xml", headers=headers)
    assert response.status_code == 422


def test_import_json_body(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/kits/import", headers=headers_for(Role.RECRUITER), json=fixture_document()
    )
    assert response.status_code == 201
    data = response.get_json()
    assert data["slug"] == "data-engineer" and data["version"] == 1
    assert [s["name"] for s in data["skills"]] == ["SQL", "Airflow", "Communication"]
    assert data["questions"][0]["skill"] == "SQL"


def test_import_multipart_yaml_file(client: FlaskClient) -> None:
    content = (FIXTURES / "data_engineer.yaml").read_bytes()
    response = client.post(
        "/api/v1/kits/import",
        headers=headers_for(Role.ADMIN),
        data={"file": (io.BytesIO(content), "data_engineer.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    assert response.get_json()["skill_count"] == 3


def test_import_multipart_without_a_file_is_422(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/kits/import",
        headers=headers_for(Role.ADMIN),
        data={"x": "1"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"errors": ["file: is required"]}


def test_import_with_an_empty_body_is_422(client: FlaskClient) -> None:
    response = client.post("/api/v1/kits/import", headers=headers_for(Role.ADMIN))
    assert response.status_code == 422


def test_import_reports_every_problem_in_the_envelope(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/kits/import", headers=headers_for(Role.ADMIN), json=fixture_document("many_problems.yaml")
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "The kit file has 6 problems."
    assert 'questions[1].skill: unknown skill "Flsk"' in error["details"]["errors"]
    assert "skills[1].weight: must be between 1 and 10" in error["details"]["errors"]
    assert kit_count() == 0


def test_import_malformed_json_is_located(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/kits/import",
        headers=headers_for(Role.ADMIN),
        data=(FIXTURES / "malformed.json").read_bytes(),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["errors"] == [
        "line 4, column 23: Expecting property name enclosed in double quotes"
    ]


def test_import_conflict_then_replace(client: FlaskClient) -> None:
    headers = headers_for(Role.ADMIN)
    assert client.post("/api/v1/kits/import", headers=headers, json=fixture_document()).status_code == 201
    response = client.post("/api/v1/kits/import", headers=headers, json=fixture_document())
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"

    document = fixture_document()
    document["kit"]["skills"].pop(1)
    response = client.post("/api/v1/kits/import?replace=true", headers=headers, json=document)
    assert response.status_code == 200
    data = response.get_json()
    assert data["version"] == 2 and [s["name"] for s in data["skills"]] == ["SQL", "Communication"]
    assert kit_count() == 1


def test_export_then_import_round_trip_through_the_api(client: FlaskClient) -> None:
    [kit] = services.ensure_builtin_kits()
    headers = headers_for(Role.ADMIN)
    exported = client.get(f"/api/v1/kits/{kit.id}/export?format=json", headers=headers).get_json()
    exported["kit"]["slug"] = "flask-developer-2"
    created = client.post("/api/v1/kits/import", headers=headers, json=exported).get_json()
    again = client.get(f"/api/v1/kits/{created['id']}/export?format=json", headers=headers).get_json()
    assert again == exported


def test_delete_of_the_builtin_kit_is_409(client: FlaskClient) -> None:
    [kit] = services.ensure_builtin_kits()
    response = client.delete(f"/api/v1/kits/{kit.id}", headers=headers_for(Role.ADMIN))
    assert response.status_code == 409
    assert kit_count() == 1


def test_every_kit_endpoint_is_in_the_openapi_spec(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert set(paths["/api/v1/kits"]) >= {"get"}
    assert set(paths["/api/v1/kits/{kit_id}"]) >= {"get", "delete"}
    assert "get" in paths["/api/v1/kits/{kit_id}/export"]
    operation = paths["/api/v1/kits/import"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"201", "200", "409", "422"} <= set(operation["responses"])
    assert {"application/json", "text/yaml"} <= set(
        paths["/api/v1/kits/{kit_id}/export"]["get"]["responses"]["200"]["content"]
    )
    assert "KitDocument" in spec["components"]["schemas"]
    json.dumps(spec)
