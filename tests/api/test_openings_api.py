"""``/api/v1/openings``: every endpoint, its permissions, validation envelope and hostile input."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role, User
from hirewise.auth.services import create_api_token
from hirewise.extensions import db
from hirewise.kits.models import KitQuestion
from hirewise.openings.models import Opening, OpeningSkill, OpeningStatus
from tests.factories import KitFactory, OpeningFactory, UserFactory

BASE = "/api/v1/openings"
XSS = "<script>alert(1)</script>"


class Api:
    """A client that sends one user's bearer token."""

    def __init__(self, client: FlaskClient, user: User | None) -> None:
        self.client = client
        self.user = user
        self.headers = {}
        if user is not None:
            _, raw = create_api_token(user, "t", "read,write")
            self.headers = {"Authorization": f"Bearer {raw}"}

    def open(self, method: str, url: str, json: object = None, **kwargs: object):
        return self.client.open(url, method=method, json=json, headers=self.headers, **kwargs)

    def get(self, url: str, **kwargs: object):
        return self.open("GET", url, **kwargs)

    def post(self, url: str, json: object = None):
        return self.open("POST", url, json)

    def patch(self, url: str, json: object = None):
        return self.open("PATCH", url, json)

    def delete(self, url: str):
        return self.open("DELETE", url)


@pytest.fixture
def api_as(client):
    def make(role: Role | str | None) -> Api:
        return Api(client, None if role is None else UserFactory(role=Role(role)))

    return make


# --- list ---------------------------------------------------------------------------------------


def test_list_is_paginated_and_filtered(api_as):
    api = api_as(Role.RECRUITER)
    for number in range(3):
        OpeningFactory(title=f"Flask Developer {number}", status=OpeningStatus.OPEN)
    OpeningFactory(title="Go Developer", status=OpeningStatus.DRAFT)

    body = api.get(f"{BASE}?per_page=2&page=1&q=flask").get_json()
    assert body["meta"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
    assert len(body["items"]) == 2
    item = body["items"][0]
    assert set(item) >= {"id", "slug", "title", "status", "location", "employment_type", "team", "kit_id"}

    body = api.get(f"{BASE}?status=draft").get_json()
    assert [i["title"] for i in body["items"]] == ["Go Developer"]


def test_list_of_a_hiring_manager_holds_only_their_openings(api_as):
    api = api_as(Role.HIRING_MANAGER)
    mine = OpeningFactory(team=[api.user])
    OpeningFactory()
    body = api.get(BASE).get_json()
    assert [item["id"] for item in body["items"]] == [mine.id]


@pytest.mark.parametrize(
    "payload",
    ["' OR '1'='1", "1; DROP TABLE openings; --", "%' UNION SELECT email FROM users --", "nul\x00byte"],
)
@pytest.mark.parametrize("param", ["q", "status"])
def test_sql_injection_in_filters_gives_no_leak(api_as, param, payload):
    """Free text is searched for literally (200); ``status`` is one of three words, so anything else is
    refused by the schema (422) before a query runs."""
    api = api_as(Role.HIRING_MANAGER)
    OpeningFactory(title="Visible", team=[api.user])
    OpeningFactory(title="Hidden")
    response = api.get(BASE, query_string={param: payload})
    assert "@example.com" not in response.get_data(as_text=True)
    if param == "status":
        assert response.status_code == 422
        assert "status" in response.get_json()["error"]["details"]["query"]
        return
    assert response.status_code == 200
    assert all(item["title"] == "Visible" for item in response.get_json()["items"])


@pytest.mark.parametrize("query", ["page=0", "per_page=1000", "page=abc", "page=100000000000000000000"])
def test_bad_pagination_is_422(api_as, query):
    response = api_as(Role.ADMIN).get(f"{BASE}?{query}")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "unprocessable_entity"


# --- create -------------------------------------------------------------------------------------


def test_create_copies_the_kit_and_returns_201(api_as):
    api = api_as(Role.RECRUITER)
    manager = UserFactory(role=Role.HIRING_MANAGER)
    kit = KitFactory()
    kit.questions.append(
        KitQuestion(text="Why Flask?", skill=kit.skills[1], key_points=[{"label": "a", "text": "b"}])
    )
    db.session.commit()

    response = api.post(
        BASE,
        {
            "title": "Flask Developer",
            "kit_id": kit.id,
            "location": "Remote",
            "employment_type": "contract",
            "description": "**Hi**",
            "status": "open",
            "team_ids": [manager.id],
        },
    )

    assert response.status_code == 201
    body = response.get_json()
    assert body["slug"] == "flask-developer"
    assert body["kit_id"] == kit.id
    assert [s["name"] for s in body["skills"]] == ["Skill 0", "Skill 1"]
    assert body["questions"][0]["skill_id"] == body["skills"][1]["id"]
    assert body["questions"][0]["key_points"] == [{"label": "a", "text": "b"}]
    assert body["stages"][0]["name"] == "Applied"
    assert body["team"] == [{"id": manager.id, "full_name": manager.full_name, "role": "hiring_manager"}]
    assert "password_hash" not in response.get_data(as_text=True)
    assert "email" not in body["team"][0]


def test_create_with_defaults(api_as):
    body = api_as(Role.ADMIN).post(BASE, {"title": "Minimal"}).get_json()
    assert (body["status"], body["employment_type"], body["skills"], body["kit_id"]) == (
        "draft",
        "full_time",
        [],
        None,
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Ok", "status": "archived"}, "status"),
        ({"title": "Ok", "employment_type": "gig"}, "employment_type"),
        ({"title": "Ok", "kit_id": 999999}, "kit_id"),
        ({"title": "Ok", "kit_id": "abc"}, "kit_id"),
        ({"title": "Ok", "team_ids": "all"}, "team_ids"),
        ({"title": "Ok", "team_ids": [1.5]}, "team_ids"),
        ({"title": "Ok", "team_ids": [999999]}, "team_ids"),
        ({"title": "Ok", "unknown": 1}, "unknown"),
    ],
)
def test_create_validation_is_422_with_field_details(api_as, payload, field):
    response = api_as(Role.ADMIN).post(BASE, payload)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["status"] == 422
    details = error["details"].get("json", error["details"])
    assert field in details


def test_create_with_a_non_json_body_is_not_a_500(api_as):
    api = api_as(Role.ADMIN)
    response = api.client.post(
        BASE, data="not json", headers={**api.headers, "Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert "error" in response.get_json()


# --- read, update -------------------------------------------------------------------------------


def test_get_returns_skills_questions_stages_and_team(api_as):
    api = api_as(Role.ADMIN)
    opening = OpeningFactory()
    body = api.get(f"{BASE}/{opening.id}").get_json()
    assert body["id"] == opening.id
    assert {s["name"] for s in body["skills"]} == {"Flask core", "Docker"}
    flask_core = next(s for s in body["skills"] if s["name"] == "Flask core")
    assert flask_core == {
        "id": flask_core["id"],
        "name": "Flask core",
        "kind": "must_have",
        "weight": 3,
        "pass_bar": 3.0,
        "keywords": ["flask", "blueprint"],
        "description": "",
        "position": 0,
    }
    assert [s["kind"] for s in body["stages"]][-2:] == ["hired", "rejected"]
    assert body["questions"] == []


def test_missing_opening_is_404(api_as):
    api = api_as(Role.ADMIN)
    for method in ("GET", "PATCH"):
        response = api.open(method, f"{BASE}/987654", {} if method == "PATCH" else None)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    assert api.get(f"{BASE}/987654/stages").status_code == 404
    assert (
        api.post(f"{BASE}/987654/skills", {"name": "x", "kind": "must_have", "weight": 1}).status_code == 404
    )


def test_patch_changes_only_given_fields_and_audits(api_as):
    api = api_as(Role.RECRUITER)
    manager = UserFactory(role=Role.HIRING_MANAGER)
    opening = OpeningFactory(title="Flask Developer", location="Remote", status=OpeningStatus.DRAFT)

    response = api.patch(f"{BASE}/{opening.id}", {"status": "open", "team_ids": [manager.id]})

    assert response.status_code == 200
    body = response.get_json()
    assert (body["title"], body["location"], body["status"]) == ("Flask Developer", "Remote", "open")
    assert [member["id"] for member in body["team"]] == [manager.id]
    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.opening_id == opening.id).order_by(AuditEvent.id)
    ).scalars()
    assert [(e.before, e.after) for e in events] == [
        ({"status": "draft"}, {"status": "open"}),
        ({"team": []}, {"team": [manager.email]}),
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"title": "  "}, "title"), ({"status": "gone"}, "status"), ({"location": 5}, "location")],
)
def test_patch_validation_is_422(api_as, payload, field):
    opening = OpeningFactory(title="Flask Developer")
    response = api_as(Role.ADMIN).patch(f"{BASE}/{opening.id}", payload)
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert field in details.get("json", details)
    db.session.expire_all()
    assert db.session.get(Opening, opening.id).title == "Flask Developer"


def test_stages_endpoint(api_as):
    opening = OpeningFactory()
    body = api_as(Role.RECRUITER).get(f"{BASE}/{opening.id}/stages").get_json()
    assert [s["name"] for s in body["items"]] == [
        "Applied",
        "Screen",
        "Assessment",
        "Interview",
        "Offer",
        "Hired",
        "Rejected",
    ]
    assert [s["position"] for s in body["items"]] == list(range(7))
    assert body["meta"]["total"] == 7


# --- skills -------------------------------------------------------------------------------------


def test_add_update_and_delete_a_skill(api_as):
    api = api_as(Role.RECRUITER)
    opening = OpeningFactory()

    response = api.post(
        f"{BASE}/{opening.id}/skills",
        {"name": "SQLAlchemy", "kind": "nice_to_have", "weight": 2, "keywords": ["ORM", "alembic"]},
    )
    assert response.status_code == 201
    skill = response.get_json()
    assert (skill["name"], skill["pass_bar"], skill["keywords"]) == ("SQLAlchemy", 3.0, ["orm", "alembic"])

    response = api.patch(f"{BASE}/{opening.id}/skills/{skill['id']}", {"weight": 6, "pass_bar": 2.5})
    assert response.status_code == 200
    assert (response.get_json()["weight"], response.get_json()["pass_bar"], response.get_json()["name"]) == (
        6,
        2.5,
        "SQLAlchemy",
    )

    response = api.delete(f"{BASE}/{opening.id}/skills/{skill['id']}")
    assert response.status_code == 204
    db.session.expire_all()
    assert db.session.get(OpeningSkill, skill["id"]) is None
    actions = db.session.execute(
        select(AuditEvent.action).where(
            AuditEvent.object_type == "opening_skill", AuditEvent.object_id == skill["id"]
        )
    ).scalars()
    assert sorted(actions) == ["create", "delete", "update"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "must_have", "weight": 1}, "name"),
        ({"name": "x", "weight": 1}, "kind"),
        ({"name": "x", "kind": "must_have"}, "weight"),
        ({"name": "x", "kind": "sometimes", "weight": 1}, "kind"),
        ({"name": "x", "kind": "must_have", "weight": 0}, "weight"),
        ({"name": "x", "kind": "must_have", "weight": 11}, "weight"),
        ({"name": "x", "kind": "must_have", "weight": "heavy"}, "weight"),
        ({"name": "x", "kind": "must_have", "weight": 2.5}, "weight"),
        ({"name": "x", "kind": "must_have", "weight": True}, "weight"),
        ({"name": "x", "kind": "must_have", "weight": 1, "pass_bar": 5}, "pass_bar"),
        ({"name": "x", "kind": "must_have", "weight": 1, "pass_bar": "NaN"}, "pass_bar"),
        ({"name": "Flask core", "kind": "must_have", "weight": 1}, "name"),
        ({"name": "x", "kind": "must_have", "weight": 1, "keywords": "a,b"}, "keywords"),
    ],
)
def test_skill_validation_is_422(api_as, payload, field):
    opening = OpeningFactory()
    response = api_as(Role.ADMIN).post(f"{BASE}/{opening.id}/skills", payload)
    assert response.status_code == 422, response.get_json()
    details = response.get_json()["error"]["details"]
    assert field in details.get("json", details)


def test_skill_of_another_opening_is_404(api_as):
    api = api_as(Role.ADMIN)
    opening = OpeningFactory()
    foreign = OpeningFactory().skills[0].id
    assert api.patch(f"{BASE}/{opening.id}/skills/{foreign}", {"weight": 2}).status_code == 404
    assert api.delete(f"{BASE}/{opening.id}/skills/{foreign}").status_code == 404
    assert api.delete(f"{BASE}/{opening.id}/skills/987654").status_code == 404


def test_xss_in_fields_is_stored_verbatim_and_served_as_json(api_as):
    api = api_as(Role.ADMIN)
    body = api.post(BASE, {"title": XSS, "location": XSS, "description": XSS}).get_json()
    response = api.get(f"{BASE}/{body['id']}")
    assert response.mimetype == "application/json"
    assert response.get_json()["title"] == XSS


# --- permissions --------------------------------------------------------------------------------

ROLES = ["admin", "recruiter", "hm_on_team", "hm_off_team", "interviewer", "anonymous"]
READ = {
    "admin": 200,
    "recruiter": 200,
    "hm_on_team": 200,
    "hm_off_team": 403,
    "interviewer": 403,
    "anonymous": 401,
}
CASES = [
    ("GET", "", None, {**READ, "hm_off_team": 200}),
    ("POST", "", {"title": "Matrix"}, {**READ, "admin": 201, "recruiter": 201, "hm_on_team": 403}),
    ("GET", "/{o}", None, READ),
    ("PATCH", "/{o}", {"title": "Renamed"}, READ),
    ("GET", "/{o}/stages", None, READ),
    (
        "POST",
        "/{o}/skills",
        {"name": "New", "kind": "must_have", "weight": 2},
        {**READ, "admin": 201, "recruiter": 201, "hm_on_team": 201},
    ),
    ("PATCH", "/{o}/skills/{s}", {"weight": 4}, READ),
    ("DELETE", "/{o}/skills/{s}", None, {**READ, "admin": 204, "recruiter": 204, "hm_on_team": 204}),
]


@pytest.mark.parametrize(
    ("method", "path", "payload", "who", "expected"),
    [
        pytest.param(method, path, payload, who, expected[who], id=f"{who}-{method}-{path}")
        for method, path, payload, expected in CASES
        for who in ROLES
    ],
)
def test_permission_matrix(client, method, path, payload, who, expected):
    opening = OpeningFactory(title="Matrix opening")
    skill = opening.skills[1]
    user = None
    if who.startswith("hm_"):
        user = UserFactory(role=Role.HIRING_MANAGER)
        if who == "hm_on_team":
            opening.team.append(user)
            db.session.commit()
    elif who != "anonymous":
        user = UserFactory(role=Role(who))
    api = Api(client, user)

    response = api.open(method, BASE + path.format(o=opening.id, s=skill.id), payload)

    assert response.status_code == expected
    if expected >= 400:
        assert response.get_json()["error"]["status"] == expected
        db.session.expire_all()
        unchanged = db.session.get(Opening, opening.id)
        assert unchanged.title == "Matrix opening" and len(unchanged.skills) == 2


def test_read_only_token_cannot_write(client):
    user = UserFactory(role=Role.ADMIN)
    _, raw = create_api_token(user, "ro", "read")
    response = client.post(BASE, json={"title": "Nope"}, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 403
    assert client.get(BASE, headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_every_endpoint_is_in_the_openapi_spec(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths[BASE]) >= {"get", "post"}
    assert set(paths[BASE + "/{opening_id}"]) >= {"get", "patch"}
    assert "post" in paths[BASE + "/{opening_id}/skills"]
    assert set(paths[BASE + "/{opening_id}/skills/{skill_id}"]) >= {"patch", "delete"}
    assert "get" in paths[BASE + "/{opening_id}/stages"]


def test_patch_feedback_visibility(api_as):
    opening = OpeningFactory()
    api = api_as(Role.RECRUITER)
    response = api.patch(f"{BASE}/{opening.id}", json={"feedback_visibility": "always"})
    assert response.status_code == 200
    assert response.get_json()["feedback_visibility"] == "always"
    assert (
        api.patch(f"{BASE}/{opening.id}", json={"location": "Berlin"}).get_json()["feedback_visibility"]
        == "always"
    )
    bad = api.patch(f"{BASE}/{opening.id}", json={"feedback_visibility": "sometimes"})
    assert bad.status_code == 422
