"""Kit pages: permissions, import with located errors, detail, export, delete, escaping."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hirewise.auth.models import Role
from hirewise.extensions import db
from hirewise.kits import services
from hirewise.kits.models import Kit
from tests.conftest import AuthActions, sql_count
from tests.factories import KitFactory

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kits"
XSS = "<script>alert(1)</script>"


def upload(name: str, content: bytes | None = None, **fields: Any) -> dict[str, Any]:
    data = content if content is not None else (FIXTURES / name).read_bytes()
    return {"file": (io.BytesIO(data), name), **fields}


def kit_count() -> int:
    return db.session.execute(select(func.count()).select_from(Kit)).scalar_one()


ROLES: list[Role | None] = [Role.ADMIN, Role.RECRUITER, Role.HIRING_MANAGER, Role.INTERVIEWER, None]
VIEW = {Role.ADMIN: 200, Role.RECRUITER: 200, Role.HIRING_MANAGER: 200, Role.INTERVIEWER: 403, None: 302}
MANAGE = {Role.ADMIN: 302, Role.RECRUITER: 302, Role.HIRING_MANAGER: 403, Role.INTERVIEWER: 403, None: 302}
ENDPOINTS = {
    "index": ("GET", "/kits", VIEW),
    "detail": ("GET", "/kits/{id}", VIEW),
    "export": ("GET", "/kits/{id}/export?format=json", VIEW),
    "import": ("POST", "/kits/import", MANAGE),
    "delete": ("POST", "/kits/{id}/delete", MANAGE),
}
MATRIX = [(endpoint, role, ENDPOINTS[endpoint][2][role]) for endpoint in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize(("endpoint", "role", "expected"), MATRIX)
def test_permission_matrix(
    client: FlaskClient, auth: AuthActions, endpoint: str, role: Role | None, expected: int
) -> None:
    kit = KitFactory()
    if role is not None:
        auth.login(role)
    method, url, _ = ENDPOINTS[endpoint]
    url = url.format(id=kit.id)
    if method == "GET":
        response = client.get(url)
    elif endpoint == "import":
        response = client.post(url, data=upload("data_engineer.yaml"), content_type="multipart/form-data")
    else:
        response = client.post(url)
    assert response.status_code == expected
    if role is None:
        assert "/login" in response.headers["Location"]
    db.session.expire_all()
    if endpoint == "delete":
        assert (db.session.get(Kit, kit.id) is None) == (expected == 302 and role is not None)
    if endpoint == "import":
        assert kit_count() == (2 if expected == 302 and role is not None else 1)


def test_index_lists_kits_and_offers_import_to_managers(client: FlaskClient, auth: AuthActions) -> None:
    services.ensure_builtin_kits()
    KitFactory(name="Backend Kit")
    auth.login(Role.RECRUITER)
    body = client.get("/kits").get_data(as_text=True)
    assert "Flask Developer" in body and "Backend Kit" in body
    assert "7 must-have, 5 nice-to-have" in body
    assert 'enctype="multipart/form-data"' in body and 'name="replace"' in body


def test_hiring_managers_see_kits_without_the_import_form(client: FlaskClient, auth: AuthActions) -> None:
    services.ensure_builtin_kits()
    auth.login(Role.HIRING_MANAGER)
    body = client.get("/kits").get_data(as_text=True)
    assert "Flask Developer" in body
    assert "Import a kit" not in body


def test_index_query_count_does_not_grow_with_kits(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login(Role.ADMIN)
    KitFactory()
    db.session.expire_all()
    with sql_count(app) as few:
        assert client.get("/kits").status_code == 200
    for _ in range(6):
        KitFactory(with_skills=4)
    db.session.expire_all()
    with sql_count(app) as many:
        assert client.get("/kits").status_code == 200
    assert len(many) == len(few)


def make_kit(slug: str, questions: int) -> Kit:
    skills = [{"name": f"Skill {i}", "kind": "must_have"} for i in range(max(questions, 1))]
    document = {
        "format": "hirewise-kit",
        "version": 1,
        "kit": {
            "slug": slug,
            "name": slug,
            "skills": skills,
            "questions": [
                {"text": f"Question {i}?", "skill": f"Skill {i}", "key_points": [{"label": "a", "text": "b"}]}
                for i in range(questions)
            ],
        },
    }
    return services.import_kit(None, json.dumps(document), "kit.json")


def test_detail_query_count_does_not_grow_with_questions(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    small, large = make_kit("small", 1), make_kit("large", 15)
    auth.login(Role.ADMIN)
    counts = []
    for kit in (small, large):
        db.session.expire_all()
        with sql_count(app) as statements:
            assert client.get(f"/kits/{kit.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_import_success_redirects_to_the_new_kit(client: FlaskClient, auth: AuthActions) -> None:
    auth.login(Role.RECRUITER)
    response = client.post(
        "/kits/import", data=upload("data_engineer.yaml"), content_type="multipart/form-data"
    )
    assert response.status_code == 302
    kit = services.get_kit_by_slug("data-engineer")
    assert response.headers["Location"].endswith(f"/kits/{kit.id}")
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported: Data Engineer, 3 skills and 2 questions." in body


def test_import_shows_every_problem_with_its_location(client: FlaskClient, auth: AuthActions) -> None:
    auth.login(Role.ADMIN)
    response = client.post(
        "/kits/import", data=upload("many_problems.yaml"), content_type="multipart/form-data"
    )
    assert response.status_code == 422
    body = html.unescape(response.get_data(as_text=True))
    assert "The kit file has 6 problems." in body
    for line in (
        "<code>skills[1].weight</code>: must be between 1 and 10",
        '<code>skills[2].name</code>: duplicate skill "Python"',
        '<code>questions[1].skill</code>: unknown skill "Flsk"',
        "<code>slug</code>: must be lower-case letters",
    ):
        assert line in body
    assert kit_count() == 0


def test_import_of_malformed_yaml_shows_line_and_column(client: FlaskClient, auth: AuthActions) -> None:
    auth.login(Role.ADMIN)
    response = client.post("/kits/import", data=upload("malformed.yaml"), content_type="multipart/form-data")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "The kit file is not valid YAML." in body
    assert "<code>line 6, column 9</code>" in body


def test_import_without_a_file_asks_for_one(client: FlaskClient, auth: AuthActions) -> None:
    auth.login(Role.ADMIN)
    response = client.post("/kits/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a kit file to import." in response.get_data(as_text=True)


def test_import_conflict_and_replace(client: FlaskClient, auth: AuthActions) -> None:
    auth.login(Role.ADMIN)
    client.post("/kits/import", data=upload("data_engineer.yaml"), content_type="multipart/form-data")
    response = client.post(
        "/kits/import", data=upload("data_engineer.yaml"), content_type="multipart/form-data"
    )
    assert response.status_code == 409
    assert "already exists" in html.unescape(response.get_data(as_text=True))

    response = client.post(
        "/kits/import", data=upload("data_engineer.yaml", replace="y"), content_type="multipart/form-data"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert services.get_kit_by_slug("data-engineer").version == 2


def test_import_refuses_files_over_one_megabyte(client: FlaskClient, auth: AuthActions) -> None:
    auth.login(Role.ADMIN)
    big = b"# " + b"x" * (1024 * 1024 + 10)
    response = client.post("/kits/import", data=upload("big.yaml", big), content_type="multipart/form-data")
    assert response.status_code == 422
    assert "The kit file is too large." in response.get_data(as_text=True)


def test_import_needs_the_csrf_token(
    client: FlaskClient, auth: AuthActions, request: pytest.FixtureRequest
) -> None:
    auth.login(Role.ADMIN)
    request.getfixturevalue("csrf_enabled")
    response = client.post(
        "/kits/import", data=upload("data_engineer.yaml"), content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert kit_count() == 0

    page = client.get("/kits").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        "/kits/import",
        data=upload("data_engineer.yaml", csrf_token=token.group(1)),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert kit_count() == 1


def test_detail_shows_the_scorecard_and_questions(client: FlaskClient, auth: AuthActions) -> None:
    [kit] = services.ensure_builtin_kits()
    auth.login(Role.HIRING_MANAGER)
    body = html.unescape(client.get(f"/kits/{kit.id}").get_data(as_text=True))
    assert "Must-have skills" in body and "Nice-to-have skills" in body
    for skill in kit.skills:
        assert skill.name in body
    assert "sqlalchemy, flask-sqlalchemy, orm, postgres, postgresql" in body
    assert "3.0" in body
    for question in kit.questions:
        assert question.text in body
        assert question.expected_answer in body
    assert '<ol class="key-points">' in body
    assert "<strong>Production WSGI server</strong>" in body
    assert "Delete this kit" not in body  # built-in, and a hiring manager anyway


def test_detail_filters_questions_by_skill(client: FlaskClient, auth: AuthActions) -> None:
    [kit] = services.ensure_builtin_kits()
    security = next(s for s in kit.skills if s.name == "Security practices")
    auth.login(Role.RECRUITER)
    body = html.unescape(client.get(f"/kits/{kit.id}?skill={security.id}").get_data(as_text=True))
    assert "What would you do to secure a Flask application?" in body
    assert "What role does Jinja2 play" not in body
    assert f'<option value="{security.id}" selected>' in body


@pytest.mark.parametrize("value", ["1' OR '1'='1", "-1", "abc", "99999"])
def test_detail_filter_ignores_garbage(client: FlaskClient, auth: AuthActions, value: str) -> None:
    kit = services.import_kit(None, (FIXTURES / "data_engineer.yaml").read_bytes(), "data_engineer.yaml")
    auth.login(Role.RECRUITER)
    response = client.get(f"/kits/{kit.id}", query_string={"skill": value})
    assert response.status_code == 200


def test_unknown_kit_is_404(client: FlaskClient, auth: AuthActions) -> None:
    auth.login(Role.ADMIN)
    assert client.get("/kits/987654").status_code == 404
    assert client.get("/kits/987654/export").status_code == 404
    assert client.post("/kits/987654/delete").status_code == 404


def test_xss_in_an_imported_kit_is_escaped(client: FlaskClient, auth: AuthActions) -> None:
    document = {
        "format": "hirewise-kit",
        "version": 1,
        "kit": {
            "slug": "xss",
            "name": f"Kit {XSS}",
            "description": XSS,
            "skills": [{"name": XSS, "kind": "must_have", "description": XSS, "keywords": [XSS]}],
            "questions": [
                {
                    "text": f"Question {XSS}",
                    "skill": XSS,
                    "expected_answer": XSS,
                    "key_points": [{"label": XSS, "text": f"<img src=x onerror=alert(1)> {XSS}"}],
                }
            ],
        },
    }
    kit = services.import_kit(None, json.dumps(document), "xss.json")
    auth.login(Role.ADMIN)
    for url in ("/kits", f"/kits/{kit.id}", f"/kits/{kit.id}?skill={kit.skills[0].id}"):
        body = client.get(url).get_data(as_text=True)
        assert XSS not in body
        assert "<img src=x" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_export_downloads_yaml_and_json(client: FlaskClient, auth: AuthActions) -> None:
    [kit] = services.ensure_builtin_kits()
    auth.login(Role.HIRING_MANAGER)
    response = client.get(f"/kits/{kit.id}/export?format=yaml")
    assert response.status_code == 200
    assert response.mimetype == "text/yaml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="flask-developer.yaml"'
    assert yaml.safe_load(response.get_data(as_text=True)) == services.export_kit(kit)

    response = client.get(f"/kits/{kit.id}/export?format=json")
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="flask-developer.json"'
    assert response.get_json() == services.export_kit(kit)

    assert client.get(f"/kits/{kit.id}/export").mimetype == "text/yaml"
    assert client.get(f"/kits/{kit.id}/export?format=xml").status_code == 422


def test_delete_of_an_imported_kit(client: FlaskClient, auth: AuthActions) -> None:
    kit = services.import_kit(None, (FIXTURES / "data_engineer.yaml").read_bytes(), "data_engineer.yaml")
    auth.login(Role.RECRUITER)
    assert "Yes, delete this kit" in client.get(f"/kits/{kit.id}").get_data(as_text=True)
    response = client.post(f"/kits/{kit.id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("/kits")
    assert "Deleted the kit Data Engineer" in client.get("/kits").get_data(as_text=True)
    assert kit_count() == 0


def test_delete_of_the_builtin_kit_is_refused(client: FlaskClient, auth: AuthActions) -> None:
    [kit] = services.ensure_builtin_kits()
    auth.login(Role.ADMIN)
    assert "Yes, delete this kit" not in client.get(f"/kits/{kit.id}").get_data(as_text=True)
    response = client.post(f"/kits/{kit.id}/delete", follow_redirects=True)
    assert "is a built-in kit and cannot be deleted" in html.unescape(response.get_data(as_text=True))
    assert kit_count() == 1
