"""Who may use which question bank route: role x endpoint x status, HTML and API."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from hirewise.auth.models import Role
from hirewise.auth.services import create_api_token
from hirewise.questions import services
from hirewise.questions.models import BankQuestion
from tests.factories import UserFactory

VIEWERS = {Role.ADMIN, Role.RECRUITER, Role.HIRING_MANAGER}
MANAGERS = {Role.ADMIN, Role.RECRUITER}
ROLES: list[Role | None] = [Role.ADMIN, Role.RECRUITER, Role.HIRING_MANAGER, Role.INTERVIEWER, None]

# (method, url, data, who may, status when allowed)
HTML_ROUTES = [
    ("GET", "/questions", None, VIEWERS, 200),
    ("GET", "/questions/{id}", None, VIEWERS, 200),
    ("GET", "/questions/{id}/versions/1", None, VIEWERS, 200),
    ("GET", "/questions/export?format=json", None, VIEWERS, 200),
    ("GET", "/questions/new", None, MANAGERS, 200),
    ("POST", "/questions/new", {"text": "New?", "type": "technical", "difficulty": "easy"}, MANAGERS, 302),
    ("GET", "/questions/{id}/edit", None, MANAGERS, 200),
    (
        "POST",
        "/questions/{id}/edit",
        {"text": "Edited?", "type": "technical", "difficulty": "easy"},
        MANAGERS,
        302,
    ),
    ("POST", "/questions/{id}/archive", {}, MANAGERS, 302),
    ("POST", "/questions/import", {}, MANAGERS, 422),
]
API_ROUTES = [
    ("GET", "/api/v1/questions", None, VIEWERS, 200),
    ("POST", "/api/v1/questions", {"text": "New?"}, MANAGERS, 201),
    ("GET", "/api/v1/questions/{id}", None, VIEWERS, 200),
    ("PATCH", "/api/v1/questions/{id}", {"text": "Edited?"}, MANAGERS, 200),
    ("POST", "/api/v1/questions/{id}/archive", {}, MANAGERS, 200),
    ("GET", "/api/v1/questions/{id}/versions", None, VIEWERS, 200),
    ("GET", "/api/v1/questions/{id}/versions/1", None, VIEWERS, 200),
    ("GET", "/api/v1/questions/export", None, VIEWERS, 200),
    ("POST", "/api/v1/questions/import", {}, MANAGERS, 422),
]


@pytest.fixture
def question() -> BankQuestion:
    return services.create_question(UserFactory(role=Role.ADMIN), text="Existing question?")


def _expected(role: Role | None, allowed: set[Role], status: int, anonymous: int) -> int:
    if role is None:
        return anonymous
    return status if role in allowed else 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "data", "allowed", "status"), HTML_ROUTES)
def test_html_permission_matrix(
    client: FlaskClient, auth: Any, question: BankQuestion, role, method, url, data, allowed, status
):
    if role is not None:
        auth.login(role)
    response = client.open(url.format(id=question.id), method=method, data=data)
    assert response.status_code == _expected(role, allowed, status, 302)
    if role is None:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "data", "allowed", "status"), API_ROUTES)
def test_api_permission_matrix(
    client: FlaskClient, question: BankQuestion, role, method, url, data, allowed, status
):
    headers = {}
    if role is not None:
        _, raw = create_api_token(UserFactory(role=role), "t", "read,write")
        headers["Authorization"] = f"Bearer {raw}"
    response = client.open(url.format(id=question.id), method=method, json=data, headers=headers)
    assert response.status_code == _expected(role, allowed, status, 401), response.get_json()


def test_a_read_only_token_cannot_write(client: FlaskClient, question: BankQuestion):
    _, raw = create_api_token(UserFactory(role=Role.ADMIN), "t", "read")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(f"/api/v1/questions/{question.id}", headers=headers).status_code == 200
    assert (
        client.patch(f"/api/v1/questions/{question.id}", json={"text": "x?"}, headers=headers).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("role", "shown"), [(Role.RECRUITER, True), (Role.HIRING_MANAGER, True), (Role.INTERVIEWER, False)]
)
def test_nav_link_only_for_those_who_may_view(client: FlaskClient, auth: Any, role: Role, shown: bool):
    auth.login(role)
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert ('href="/questions"' in page) is shown
