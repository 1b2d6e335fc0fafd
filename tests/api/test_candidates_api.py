"""``/api/v1/candidates``: list, create, read and update, with permissions and validation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role, User
from hirewise.candidates.models import Application, Candidate
from hirewise.extensions import db
from tests.api.test_applications_api import Api
from tests.factories import ApplicationFactory, CandidateFactory, OpeningFactory, UserFactory

BASE = "/api/v1/candidates"
XSS = "<script>alert(1)</script>"


@pytest.fixture
def api_as(client):
    def make(who: Role | User | None) -> Api:
        return Api(client, who if isinstance(who, User) or who is None else UserFactory(role=Role(who)))

    return make


def test_list_and_search(api_as):
    api = api_as(Role.RECRUITER)
    CandidateFactory(full_name="Alice Zephyr", email="alice@example.com")
    CandidateFactory(full_name="Bob Young")
    body = api.get(BASE).get_json()
    assert body["meta"]["total"] == 2
    assert [c["full_name"] for c in body["items"]] == ["Alice Zephyr", "Bob Young"]
    assert [c["full_name"] for c in api.get(f"{BASE}?q=ALICE@").get_json()["items"]] == ["Alice Zephyr"]
    for attack in ("' OR 1=1 --", "%", "_"):
        response = api.get(BASE, query_string={"q": attack})
        assert response.status_code == 200 and response.get_json()["items"] == []


def test_hiring_manager_and_interviewer_lists(api_as):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    mine = ApplicationFactory(opening=OpeningFactory(team=[manager])).candidate
    CandidateFactory()
    assert [c["id"] for c in api_as(manager).get(BASE).get_json()["items"]] == [mine.id]
    assert api_as(Role.INTERVIEWER).get(BASE).get_json()["items"] == []


def test_create_candidate_optionally_into_an_opening(api_as):
    api = api_as(Role.RECRUITER)
    opening = OpeningFactory()
    response = api.post(
        BASE,
        json={
            "full_name": XSS,
            "email": "New@Example.com",
            "links": ["https://new.dev"],
            "opening_id": opening.id,
            "source": "referral",
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["email"] == "new@example.com" and body["full_name"] == XSS
    application = db.session.execute(
        select(Application).where(Application.candidate_id == body["id"])
    ).scalar_one()
    assert application.opening_id == opening.id and application.source == "referral"
    again = api.post(BASE, json={"full_name": "Again", "email": "new@example.com"})
    assert again.status_code == 409
    assert api.post(BASE, json={"full_name": "X"}).status_code == 422
    assert (
        api.post(BASE, json={"full_name": "X", "email": "x@e.com", "opening_id": 999999}).status_code == 404
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 201),
        (Role.RECRUITER, 201),
        (Role.HIRING_MANAGER, 403),
        (Role.INTERVIEWER, 403),
        (None, 401),
    ],
)
def test_create_permissions(api_as, role, status):
    response = api_as(role).post(BASE, json={"full_name": "Perm Test", "email": "perm@example.com"})
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "get_status", "patch_status"),
    [
        ("admin", 200, 200),
        ("recruiter", 200, 200),
        # Contact details are shared by every opening the person applied to: staff edit them.
        ("on_team", 200, 403),
        ("off_team", 403, 403),
        ("interviewer", 403, 403),
        (None, 401, 401),
    ],
)
def test_read_and_update_permissions(api_as, who, get_status, patch_status):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    candidate = ApplicationFactory(opening=OpeningFactory(team=[manager])).candidate
    user = {"on_team": manager, "off_team": UserFactory(role=Role.HIRING_MANAGER)}.get(who, who)
    api = api_as(Role(user) if isinstance(user, str) else user)
    assert api.get(f"{BASE}/{candidate.id}").status_code == get_status
    response = api.patch(f"{BASE}/{candidate.id}", json={"phone": "+1 222"})
    assert response.status_code == patch_status
    db.session.expire_all()
    assert (db.session.get(Candidate, candidate.id).phone == "+1 222") is (patch_status == 200)


def test_patch_changes_only_given_fields_and_audits(api_as):
    api = api_as(Role.RECRUITER)
    candidate = CandidateFactory(full_name="Before", phone="+1 1")
    CandidateFactory(email="taken@example.com")
    response = api.patch(f"{BASE}/{candidate.id}", json={"full_name": "After"})
    assert response.status_code == 200
    assert response.get_json()["phone"] == "+1 1" and response.get_json()["full_name"] == "After"
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "update")).scalar_one()
    assert event.after == {"full_name": "After"}
    assert api.patch(f"{BASE}/{candidate.id}", json={"email": "taken@example.com"}).status_code == 409
    assert api.patch(f"{BASE}/{candidate.id}", json={"links": ["ftp://x"]}).status_code == 422
    assert api.patch(f"{BASE}/{candidate.id}", json={"full_name": ""}).status_code == 422
    assert api.get(f"{BASE}/999999").status_code == 404
