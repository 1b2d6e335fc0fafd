"""Openings pages: who may do what, escaping of user text, hostile filters and query counts."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hirewise.auth.models import Role
from hirewise.extensions import db
from hirewise.openings.models import Opening, OpeningStatus
from tests.conftest import AuthActions, sql_count
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory

ROLES = ["admin", "recruiter", "hm_on_team", "hm_off_team", "interviewer", "anonymous"]
XSS = "<script>alert(1)</script>"
SQL_INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE openings; --",
    "%' UNION SELECT email FROM users --",
    "open' --",
    "nul\x00byte",
]


def _sign_in(auth: AuthActions, who: str, opening: Opening) -> None:
    if who == "anonymous":
        return
    if who.startswith("hm_"):
        manager = UserFactory(role=Role.HIRING_MANAGER)
        if who == "hm_on_team":
            opening.team.append(manager)
            db.session.commit()
        auth.login(manager)
        return
    auth.login(Role(who))


def _skill_form(prefix: str) -> dict[str, object]:
    values = {"name": "Matrix skill", "kind": "must_have", "weight": 2, "pass_bar": 3.0}
    return {f"{prefix}-{key}": value for key, value in values.items()}


# (method, url template, form data, {role: expected status}); "{o}" is the opening id, "{s}" a skill id.
VIEW = {"admin": 200, "recruiter": 200, "hm_on_team": 200, "hm_off_team": 403, "interviewer": 403}
EDIT_REDIRECT = {"admin": 302, "recruiter": 302, "hm_on_team": 302, "hm_off_team": 403, "interviewer": 403}
CASES = [
    ("GET", "/", None, dict.fromkeys(ROLES[:5], 200)),
    ("GET", "/openings", None, {**dict.fromkeys(ROLES[:4], 200), "interviewer": 403}),
    (
        "GET",
        "/openings/new",
        None,
        {"admin": 200, "recruiter": 200, "hm_on_team": 403, "hm_off_team": 403, "interviewer": 403},
    ),
    (
        "POST",
        "/openings/new",
        {"title": "Matrix", "kit_id": 0, "employment_type": "full_time", "status": "draft"},
        {"admin": 302, "recruiter": 302, "hm_on_team": 403, "hm_off_team": 403, "interviewer": 403},
    ),
    ("GET", "/openings/{o}", None, VIEW),
    ("GET", "/openings/{o}/edit", None, VIEW),
    (
        "POST",
        "/openings/{o}/edit",
        {"title": "Renamed", "employment_type": "full_time", "status": "open"},
        EDIT_REDIRECT,
    ),
    ("POST", "/openings/{o}/team", {}, EDIT_REDIRECT),
    ("POST", "/openings/{o}/status", {"status-status": "closed"}, EDIT_REDIRECT),
    ("POST", "/openings/{o}/skills", _skill_form("new_skill"), EDIT_REDIRECT),
    ("GET", "/openings/{o}/skills/{s}/edit", None, VIEW),
    ("GET", "/openings/{o}/skills/{s}/row", None, VIEW),
    ("POST", "/openings/{o}/skills/{s}", "skill-form", EDIT_REDIRECT),
    ("POST", "/openings/{o}/skills/{s}/delete", {}, EDIT_REDIRECT),
]
MATRIX = [
    pytest.param(method, url, data, who, expected.get(who, 302), id=f"{who}-{method}-{url}")
    for method, url, data, expected in CASES
    for who in ROLES
]


@pytest.mark.parametrize(("method", "url", "data", "who", "expected"), MATRIX)
def test_permission_matrix(client: FlaskClient, auth, method, url, data, who, expected):
    opening = OpeningFactory(title="Matrix opening")
    skill = opening.skills[1]
    _sign_in(auth, who, opening)
    if data == "skill-form":
        data = {**_skill_form(f"skill{skill.id}"), f"skill{skill.id}-name": "Docker"}
    response = client.open(url.format(o=opening.id, s=skill.id), method=method, data=data)
    assert response.status_code == expected
    if who == "anonymous":
        assert "/login" in response.headers["Location"]
    db.session.expire_all()
    changed = db.session.get(Opening, opening.id)
    if expected == 403:
        assert changed.title == "Matrix opening" and changed.status == "open" and len(changed.skills) == 2


# --- escaping -----------------------------------------------------------------------------------


def test_user_text_is_escaped_everywhere(client, auth):
    opening = OpeningFactory(title=f"Dev {XSS}", location=f"Remote {XSS}", description=XSS)
    opening.skills[0].name = f"Skill {XSS}"
    opening.skills[0].keywords = [XSS]
    db.session.commit()
    auth.login(Role.ADMIN)

    for url in ("/", "/openings", f"/openings/{opening.id}", f"/openings/{opening.id}/edit"):
        page = client.get(url).get_data(as_text=True)
        assert XSS not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url


@pytest.mark.parametrize(
    ("markdown", "forbidden", "kept"),
    [
        ("Hi <script>alert(1)</script> there", "<script>", "Hi"),
        ("[click](javascript:alert(1))", 'href="javascript:', "click"),
        ("<javascript:alert(1)>", 'href="javascript:', "alert(1)"),
        ("[ok](https://example.com)", "<script", 'href="https://example.com" rel="nofollow noopener"'),
        ('<img src=x onerror="alert(1)">', "<img", "&lt;img"),
        ("<a href='https://evil.test' onclick='x()'>a</a>", "<a href='https://evil.test'", "&lt;a"),
    ],
)
def test_markdown_description_is_sanitized(client, auth, markdown, forbidden, kept):
    opening = OpeningFactory(description=markdown)
    auth.login(Role.RECRUITER)
    page = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    description = page.split('id="description"', 1)[1].split("</details>", 1)[0]
    assert forbidden not in description
    assert kept in description


def test_created_opening_with_hostile_fields_renders_escaped(client, auth):
    auth.login(Role.RECRUITER)
    response = client.post(
        "/openings/new",
        data={"title": XSS, "kit_id": 0, "location": XSS, "employment_type": "full_time", "status": "open"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert XSS not in page
    assert "&lt;script&gt;" in page


def test_skill_names_are_escaped_in_the_htmx_row(client, auth):
    opening = OpeningFactory()
    skill = opening.skills[0]
    auth.login(Role.RECRUITER)
    row = client.post(
        f"/openings/{opening.id}/skills/{skill.id}",
        data={
            f"skill{skill.id}-{k}": v
            for k, v in {
                "name": XSS,
                "kind": "must_have",
                "weight": 2,
                "pass_bar": 3,
                "keywords": XSS,
            }.items()
        },
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert XSS not in row
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in row


# --- hostile filters ----------------------------------------------------------------------------


@pytest.mark.parametrize("payload", SQL_INJECTIONS)
@pytest.mark.parametrize("param", ["q", "status"])
def test_sql_injection_in_filters_is_harmless(client, auth, param, payload):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    OpeningFactory(title="Visible opening", team=[manager])
    OpeningFactory(title="Hidden opening")
    auth.login(manager)

    response = client.get("/openings", query_string={param: payload})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hidden opening" not in page
    assert "@example.com" not in page.split("<main", 1)[1]
    hidden = select(func.count()).select_from(Opening).where(Opening.title == "Hidden opening")
    assert db.session.execute(hidden).scalar_one() == 1


def test_absurd_page_numbers_are_harmless(client, auth):
    auth.login(Role.RECRUITER)
    OpeningFactory(title="Only opening")
    for page in ("100000000000000000000", "-5", "abc"):
        response = client.get("/openings", query_string={"page": page})
        assert response.status_code == 200


# --- query counts -------------------------------------------------------------------------------


def _openings_with_applications(count: int, team: list) -> None:
    for number in range(count):
        opening = OpeningFactory(title=f"Counted {number}", team=team)
        ApplicationFactory(opening=opening)
        ApplicationFactory(opening=opening, stage=opening.stages[2])
    OpeningFactory(title="Closed counted", status=OpeningStatus.CLOSED, team=team)


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.HIRING_MANAGER])
@pytest.mark.parametrize("url", ["/", "/openings"])
def test_list_pages_use_a_constant_number_of_queries(app, client, auth, url, role):
    user = auth.login(role)
    team = [user, UserFactory(role=Role.RECRUITER)]

    _openings_with_applications(2, team)
    db.session.expire_all()
    with sql_count(app) as few:
        assert client.get(url).status_code == 200

    _openings_with_applications(10, team)
    db.session.expire_all()
    with sql_count(app) as many:
        page = client.get(url).get_data(as_text=True)

    assert page.count("Counted ") >= 12
    assert len(many) == len(few), "\n".join(many)
