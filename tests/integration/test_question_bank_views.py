"""Question bank pages: list with filters, create, detail with versions, edit, archive, import, export."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hirewise.auth.models import Role
from hirewise.extensions import db
from hirewise.questions import services
from hirewise.questions.models import BankQuestion
from tests.conftest import sql_count
from tests.factories import UserFactory

XSS = "<script>alert(1)</script>"


def make(**fields: Any) -> BankQuestion:
    data: dict[str, Any] = {
        "text": "How do blueprints help structure a Flask app?",
        "expected_answer": "They group routes, templates and static files per feature.",
        "key_points": [{"label": "Grouping", "text": "One feature per blueprint"}],
        "skill": "Flask core",
        "tags": ["flask"],
        "follow_ups": ["How do you register one twice?"],
    }
    data.update(fields)
    return services.create_question(UserFactory(role=Role.RECRUITER), **data)


def form_data(**fields: str) -> dict[str, str]:
    data = {
        "text": "What is the N+1 query problem?",
        "type": "technical",
        "difficulty": "hard",
        "skill": "SQLAlchemy",
        "expected_answer": "One query per row of a list.",
        "key_points": "Cause: lazy loading in a loop\nFix: selectinload or joinedload",
        "follow_ups": "How do you detect it?\n\nHow do you test it?",
        "tags": "orm, Performance, orm",
    }
    data.update(fields)
    return data


def question_count() -> int:
    return db.session.execute(select(func.count()).select_from(BankQuestion)).scalar_one()


def test_list_shows_questions_and_filters(client: FlaskClient, auth):
    auth.login(Role.HIRING_MANAGER)
    make()
    make(text="Describe a hard code review.", type="behavioural", skill="Collaboration", tags=["team"])
    page = client.get("/questions").get_data(as_text=True)
    assert "How do blueprints help" in page and "Describe a hard code review." in page
    assert 'href="/questions/new"' not in page, "hiring managers may not add questions"
    filtered = client.get("/questions?type=behavioural").get_data(as_text=True)
    assert "Describe a hard code review." in filtered and "How do blueprints help" not in filtered
    assert "/questions/export?format=yaml&amp;type=behavioural" in filtered
    assert "How do blueprints help" in client.get("/questions?q=BLUEPRINTS&skill=flask+core").get_data(
        as_text=True
    )
    assert "Describe a hard" in client.get("/questions?tag=team").get_data(as_text=True)


@pytest.mark.parametrize("payload", ["' OR 1=1 --", "%", '"; DROP TABLE bank_questions; --'])
def test_injection_strings_in_filters_give_200_and_nothing(client: FlaskClient, auth, payload):
    auth.login(Role.RECRUITER)
    make()
    for name in ("q", "skill", "type", "difficulty", "tag"):
        response = client.get("/questions", query_string={name: payload})
        assert response.status_code == 200
        assert "How do blueprints help" not in response.get_data(as_text=True), name
    assert question_count() == 1


def test_pagination(client: FlaskClient, auth):
    auth.login(Role.RECRUITER)
    for n in range(27):
        make(text=f"Question number {n:02d}?")
    first = client.get("/questions").get_data(as_text=True)
    second = client.get("/questions?page=2").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert "Question number 00?" in second and "Question number 00?" not in first
    assert client.get(f"/questions?page={10**20}").status_code == 200


def test_create_parses_key_points_lines_and_lists(client: FlaskClient, auth):
    auth.login(Role.RECRUITER)
    response = client.post("/questions/new", data=form_data())
    assert response.status_code == 302
    question = db.session.execute(select(BankQuestion)).scalar_one()
    assert response.headers["Location"].endswith(f"/questions/{question.id}")
    assert question.key_points == [
        {"label": "Cause", "text": "lazy loading in a loop"},
        {"label": "Fix", "text": "selectinload or joinedload"},
    ]
    assert question.follow_ups == ["How do you detect it?", "How do you test it?"]
    assert question.tags == ["orm", "performance"]
    assert (question.type, question.difficulty, question.skill) == ("technical", "hard", "SQLAlchemy")


def test_create_reports_a_bad_key_point_line_and_writes_nothing(client: FlaskClient, auth):
    auth.login(Role.RECRUITER)
    response = client.post(
        "/questions/new", data=form_data(key_points="Cause: fine\njust text without label")
    )
    assert response.status_code == 422
    assert "Line 2: write the key point as" in response.get_data(as_text=True)
    assert question_count() == 0


def test_create_shows_service_errors_on_the_field(client: FlaskClient, auth):
    auth.login(Role.RECRUITER)
    response = client.post("/questions/new", data=form_data(tags=", ".join(f"t{n}" for n in range(25))))
    assert response.status_code == 422
    assert "must have at most 20 entries" in response.get_data(as_text=True)
    assert question_count() == 0


def test_detail_shows_answer_key_points_follow_ups_and_versions(client: FlaskClient, auth):
    auth.login(Role.HIRING_MANAGER)
    question = make()
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "They group routes" in page
    assert "<ol>" in page and "<strong>Grouping</strong>: One feature per blueprint" in page
    assert "How do you register one twice?" in page
    assert f'href="/questions/{question.id}/versions/1"' in page
    assert f"/questions/{question.id}/edit" not in page
    assert client.get("/questions/999999").status_code == 404


def test_edit_makes_a_new_version_and_the_old_one_stays_readable(client: FlaskClient, auth):
    auth.login(Role.RECRUITER)
    question = make()
    edit_page = client.get(f"/questions/{question.id}/edit").get_data(as_text=True)
    assert "Grouping: One feature per blueprint" in edit_page
    response = client.post(f"/questions/{question.id}/edit", data=form_data(text="Rewritten question?"))
    assert response.status_code == 302
    db.session.expire_all()
    assert services.get_question(question.id).version == 2
    old = client.get(f"/questions/{question.id}/versions/1").get_data(as_text=True)
    assert "How do blueprints help" in old and "earlier version" in old
    assert "Rewritten question?" in client.get(f"/questions/{question.id}/versions/2").get_data(as_text=True)
    assert client.get(f"/questions/{question.id}/versions/3").status_code == 404


def test_saving_an_unchanged_form_makes_no_version(client: FlaskClient, auth):
    auth.login(Role.RECRUITER)
    question = make()
    response = client.post(
        f"/questions/{question.id}/edit",
        data={
            "text": question.text,
            "type": "technical",
            "difficulty": "medium",
            "skill": "Flask core",
            "expected_answer": question.expected_answer,
            "key_points": "Grouping: One feature per blueprint",
            "follow_ups": "How do you register one twice?",
            "tags": "flask",
        },
        follow_redirects=True,
    )
    assert "Nothing changed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert services.get_question(question.id).version == 1


def test_archive_and_restore(client: FlaskClient, auth):
    auth.login(Role.ADMIN)
    question = make()
    assert client.post(f"/questions/{question.id}/archive").status_code == 302
    assert "How do blueprints help" not in client.get("/questions").get_data(as_text=True)
    assert "How do blueprints help" in client.get("/questions?archived=1").get_data(as_text=True)
    client.post(f"/questions/{question.id}/archive", data={"archived": "0"})
    db.session.expire_all()
    assert services.get_question(question.id).archived is False


def test_export_downloads_the_filtered_list_as_a_kit_file(client: FlaskClient, auth):
    auth.login(Role.HIRING_MANAGER)
    make()
    make(text="Tell me about a mistake.", type="behavioural", skill="")
    response = client.get("/questions/export?format=yaml&type=technical")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    document = yaml.safe_load(response.get_data(as_text=True))
    assert [q["text"] for q in document["kit"]["questions"]] == [
        "How do blueprints help structure a Flask app?"
    ]
    assert client.get("/questions/export?format=json").get_json()["format"] == "hirewise-kit"
    assert client.get("/questions/export?format=xml").status_code == 422


def test_import_file_adds_questions_and_lists_located_errors(client: FlaskClient, auth):
    auth.login(Role.RECRUITER)
    good = services.dump_questions([make()], "yaml").replace("How do blueprints", "Why do blueprints")
    response = client.post(
        "/questions/import",
        data={"file": (io.BytesIO(good.encode()), "bank.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert question_count() == 2
    bad = good.replace("difficulty: medium", "difficulty: extreme")
    response = client.post(
        "/questions/import",
        data={"file": (io.BytesIO(bad.encode()), "bank.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<code>questions[0].difficulty</code>" in page
    assert question_count() == 2
    assert client.post("/questions/import", data={}).status_code == 422


def test_xss_payloads_are_escaped_on_list_detail_and_version(client: FlaskClient, auth):
    auth.login(Role.RECRUITER)
    question = make(
        text=XSS,
        expected_answer=XSS,
        key_points=[{"label": XSS, "text": XSS}],
        skill=XSS,
        tags=["<b>x</b>"],
        follow_ups=[XSS],
    )
    for url in ("/questions", f"/questions/{question.id}", f"/questions/{question.id}/versions/1"):
        page = client.get(url).get_data(as_text=True)
        assert XSS not in page and "<b>x</b>" not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url


def _list_query_count(app: Flask, client: FlaskClient) -> int:
    with sql_count(app) as statements:
        assert client.get("/questions").status_code == 200
    return len(statements)


def test_list_query_count_does_not_grow_with_questions(app: Flask, client: FlaskClient, auth):
    auth.login(Role.RECRUITER)
    for n in range(3):
        make(text=f"Small {n}?")
    small = _list_query_count(app, client)
    for n in range(27):
        make(text=f"Large {n}?")
    assert _list_query_count(app, client) == small


def test_csrf_is_required_on_posts(client: FlaskClient, auth, request: pytest.FixtureRequest):
    auth.login(Role.RECRUITER)
    request.getfixturevalue("csrf_enabled")  # after signing in: the login form is not under test here
    question = make()
    assert client.post(f"/questions/{question.id}/archive").status_code == 400
    assert client.post("/questions/new", data=form_data()).status_code == 400
    assert question_count() == 1
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    response = client.post(f"/questions/{question.id}/archive", data={"csrf_token": token.group(1)})
    assert response.status_code == 302
