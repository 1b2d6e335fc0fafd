"""``/api/v1/applications``: every endpoint, permissions, validation and hostile input."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hirewise.auth.models import Role, User
from hirewise.auth.services import create_api_token
from hirewise.candidates import services
from hirewise.candidates.documents import ResumeUpload
from hirewise.candidates.models import Application, Note, ResumeStatus
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    OpeningFactory,
    UserFactory,
    without_must_haves,
)
from tests.unit.test_resume_extraction import make_docx, make_pdf

BASE = "/api/v1/applications"


class Api:
    """A test client sending one user's bearer token."""

    def __init__(self, client: FlaskClient, user: User | None, scopes: str = "read,write") -> None:
        self.client = client
        self.user = user
        self.headers: dict[str, str] = {}
        if user is not None:
            _, raw = create_api_token(user, "t", scopes)
            self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, url: str, **kwargs):
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url: str, json=None, **kwargs):
        return self.client.post(url, json=json, headers=self.headers, **kwargs)

    def patch(self, url: str, json=None):
        return self.client.patch(url, json=json, headers=self.headers)


@pytest.fixture
def api_as(client):
    def make(who: Role | str | User | None, scopes: str = "read,write") -> Api:
        user = who if isinstance(who, User) or who is None else UserFactory(role=Role(who))
        return Api(client, user, scopes)

    return make


def stage(opening, name):
    return next(s for s in opening.stages if s.name == name)


def with_resume(**kwargs) -> Application:
    return services.submit_application(
        kwargs.pop("opening", None) or OpeningFactory(),
        full_name=kwargs.pop("full_name", "Resume Holder"),
        email=kwargs.pop("email", "holder@example.com"),
        consent=True,
        resume=ResumeUpload("cv.pdf", make_pdf()),
    )


def test_list_paginates_filters_and_hides_resume_text(api_as):
    api = api_as(Role.RECRUITER)
    opening = OpeningFactory()
    holder = with_resume(opening=opening)
    for _ in range(3):
        ApplicationFactory(opening=opening)
    ApplicationFactory()
    body = api.get(f"{BASE}?opening_id={opening.id}&per_page=2&sort=name").get_json()
    assert body["meta"] == {"page": 1, "per_page": 2, "total": 4, "pages": 2}
    assert len(body["items"]) == 2
    assert all("resume_text" not in item and "cover_letter" not in item for item in body["items"])
    found = api.get(f"{BASE}?q=blueprints&opening_id={opening.id}").get_json()["items"]
    assert [item["id"] for item in found] == [holder.id]
    assert found[0]["detected_skills"][0]["skill"] in {"Flask core", "Docker"}
    skill_id = opening.skills[1].id
    assert [i["id"] for i in api.get(f"{BASE}?skill={skill_id}").get_json()["items"]] == [holder.id]
    assert api.get(f"{BASE}?source=careers&opening_id={opening.id}").get_json()["meta"]["total"] == 4
    assert api.get(f"{BASE}?sort=password").status_code == 422
    assert api.get(f"{BASE}?source=nope").status_code == 422


@pytest.mark.parametrize("attack", ["' OR 1=1 --", "%", "_", "\\%"])
def test_list_search_injection_returns_nothing(api_as, attack):
    api = api_as(Role.ADMIN)
    ApplicationFactory()
    response = api.get(BASE, query_string={"q": attack})
    assert response.status_code == 200
    assert response.get_json()["items"] == []


def test_list_respects_visibility(api_as):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    mine = ApplicationFactory(opening=OpeningFactory(team=[manager]))
    ApplicationFactory()
    assert [i["id"] for i in api_as(manager).get(BASE).get_json()["items"]] == [mine.id]
    assert api_as(Role.INTERVIEWER).get(BASE).get_json()["items"] == []


def test_create_application_reuses_candidates_and_conflicts_on_duplicates(api_as):
    api = api_as(Role.RECRUITER)
    opening = OpeningFactory()
    payload = {"opening_id": opening.id, "full_name": "Api Person", "email": "api@example.com"}
    response = api.post(BASE, json=payload)
    assert response.status_code == 201
    body = response.get_json()
    assert body["source"] == "api" and body["stage"]["name"] == "Applied"
    assert body["candidate"]["email"] == "api@example.com"
    duplicate = api.post(BASE, json=payload)
    assert duplicate.status_code == 409
    assert duplicate.get_json()["error"]["message"] == (
        "You have already applied to this opening with this email address."
    )
    second = api.post(BASE, json={**payload, "opening_id": OpeningFactory().id}).get_json()
    assert second["candidate"]["id"] == body["candidate"]["id"]
    careers = api.post(BASE, json={**payload, "opening_id": OpeningFactory().id, "source": "careers"})
    assert careers.status_code == 422 and "consent" in careers.get_json()["error"]["details"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"full_name": "X", "email": "x@example.com"}, 422),
        ({"opening_id": 999_999, "full_name": "X", "email": "x@example.com"}, 404),
        ({"opening_id": "OPENING", "full_name": "", "email": "x@example.com"}, 422),
        ({"opening_id": "OPENING", "full_name": "X", "email": "nope"}, 422),
        ({"opening_id": "OPENING", "full_name": "X", "email": "x@e.com", "links": ["javascript:x"]}, 422),
        ({"opening_id": "OPENING", "full_name": "X", "email": "x@e.com", "source": "magic"}, 422),
    ],
)
def test_create_application_validation(api_as, payload, status):
    opening = OpeningFactory()
    body = {k: (opening.id if v == "OPENING" else v) for k, v in payload.items()}
    response = api_as(Role.RECRUITER).post(BASE, json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["status"] == status


def test_create_needs_permission_on_the_opening(api_as):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    opening = OpeningFactory(team=[manager])
    payload = {"opening_id": opening.id, "full_name": "X", "email": "x@example.com"}
    assert api_as(manager).post(BASE, json=payload).status_code == 403
    assert api_as(Role.RECRUITER, scopes="read").post(BASE, json=payload).status_code == 403
    assert api_as(None).post(BASE, json=payload).status_code == 401


def test_detail_includes_resume_text_and_history(api_as):
    application = with_resume()
    body = api_as(Role.RECRUITER).get(f"{BASE}/{application.id}").get_json()
    assert body["resume_status"] == "extracted"
    assert "Flask services with blueprints" in body["resume_text"]
    assert body["resume"]["filename"] == "cv.pdf" and len(body["resume"]["sha256"]) == 64
    assert body["stage_moves"][0]["from_stage_id"] is None
    assert api_as(Role.RECRUITER).get(f"{BASE}/999999").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("recruiter", 200),
        ("on_team", 200),
        ("off_team", 403),
        ("interviewer", 403),
        (None, 401),
    ],
)
def test_detail_permissions(api_as, who, status):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    application = ApplicationFactory(opening=OpeningFactory(team=[manager]))
    user = {"on_team": manager, "off_team": UserFactory(role=Role.HIRING_MANAGER)}.get(who, who)
    api = api_as(Role(user) if isinstance(user, str) else user)
    for url in (f"{BASE}/{application.id}", f"{BASE}/{application.id}/notes"):
        assert api.get(url).status_code == status


def test_resume_upload_and_download(api_as):
    api = api_as(Role.RECRUITER)
    application = ApplicationFactory()
    url = f"{BASE}/{application.id}/resume"
    assert api.get(url).status_code == 404
    bad = api.post(
        url, data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n"), "x.pdf")}, content_type="multipart/form-data"
    )
    assert bad.status_code == 422
    assert bad.get_json()["error"]["message"] == "Upload a PDF or Word (.docx) file."
    missing = api.post(url, data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    docx_bytes = make_docx()
    ok = api.post(url, data={"file": (io.BytesIO(docx_bytes), "cv.docx")}, content_type="multipart/form-data")
    assert ok.status_code == 200
    assert ok.get_json()["resume_status"] == "extracted"
    download = api.get(url)
    assert download.status_code == 200 and download.data == docx_bytes
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    garbage = api.post(
        url, data={"file": (io.BytesIO(b"%PDF-1.4 nonsense"), "x.pdf")}, content_type="multipart/form-data"
    )
    assert garbage.status_code == 200
    body = garbage.get_json()
    assert body["resume_status"] == ResumeStatus.FAILED
    assert body["resume_error"].startswith("Could not read this PDF")


def test_move_and_reject(api_as):
    api = api_as(Role.RECRUITER)
    application = ApplicationFactory(opening=without_must_haves(OpeningFactory()))
    opening = application.opening
    moved = api.post(f"{BASE}/{application.id}/move", json={"stage_id": stage(opening, "Screen").id})
    assert moved.status_code == 200 and moved.get_json()["stage"]["name"] == "Screen"
    foreign = api.post(f"{BASE}/{application.id}/move", json={"stage_id": OpeningFactory().stages[0].id})
    assert foreign.status_code == 422
    no_reason = api.post(f"{BASE}/{application.id}/move", json={"stage_id": stage(opening, "Rejected").id})
    assert no_reason.status_code == 422
    assert api.post(f"{BASE}/{application.id}/reject", json={"reason": ""}).status_code == 422
    rejected = api.post(f"{BASE}/{application.id}/reject", json={"reason": "Skills", "notify": True})
    assert rejected.status_code == 200
    assert rejected.get_json()["rejection_reason"] == "Skills"
    assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 1
    off_team = api_as(Role.HIRING_MANAGER)
    assert off_team.post(f"{BASE}/{application.id}/move", json={"stage_id": 1}).status_code == 403
    assert api.post(f"{BASE}/999999/reject", json={"reason": "x"}).status_code == 404


def test_bulk_move_and_reject(api_as):
    api = api_as(Role.RECRUITER)
    opening = without_must_haves(OpeningFactory())
    ids = [ApplicationFactory(opening=opening).id for _ in range(3)]
    moved = api.post(
        f"{BASE}/bulk-move", json={"application_ids": ids, "stage_id": stage(opening, "Offer").id}
    )
    assert moved.status_code == 200
    assert moved.get_json()["count"] == 3
    assert {item["stage"]["name"] for item in moved.get_json()["items"]} == {"Offer"}
    assert api.post(f"{BASE}/bulk-move", json={"application_ids": [], "stage_id": 1}).status_code == 422
    missing = api.post(f"{BASE}/bulk-move", json={"application_ids": [*ids, 999999], "stage_id": 1})
    assert missing.status_code == 404
    rejected = api.post(f"{BASE}/bulk-reject", json={"application_ids": ids, "reason": "Filled"})
    assert rejected.status_code == 200
    assert {item["stage"]["name"] for item in rejected.get_json()["items"]} == {"Rejected"}
    foreign = ApplicationFactory()
    manager = UserFactory(role=Role.HIRING_MANAGER)
    opening.team.append(manager)
    db.session.commit()
    denied = api_as(manager).post(
        f"{BASE}/bulk-reject", json={"application_ids": [ids[0], foreign.id], "reason": "x"}
    )
    assert denied.status_code == 403


def test_notes(api_as):
    api = api_as(Role.RECRUITER)
    application = ApplicationFactory()
    url = f"{BASE}/{application.id}/notes"
    created = api.post(url, json={"body": "<b>Strong</b> candidate"})
    assert created.status_code == 201
    assert created.get_json()["application_id"] == application.id
    assert api.post(url, json={"body": ""}).status_code == 422
    services.add_note(api.user, application.candidate, "General note, not on this application")
    items = api.get(url).get_json()["items"]
    assert [item["body"] for item in items] == ["<b>Strong</b> candidate"]
    assert db.session.execute(select(func.count(Note.id))).scalar_one() == 2
    assert api_as(Role.HIRING_MANAGER).post(url, json={"body": "x"}).status_code == 403


def test_every_endpoint_is_in_the_openapi_spec(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    expected = {
        "/api/v1/candidates": {"get", "post"},
        "/api/v1/candidates/{candidate_id}": {"get", "patch"},
        "/api/v1/candidates/{candidate_id}/timeline": {"get"},
        "/api/v1/applications": {"get", "post"},
        "/api/v1/applications/{application_id}": {"get"},
        "/api/v1/applications/{application_id}/resume": {"get", "post"},
        "/api/v1/applications/{application_id}/move": {"post"},
        "/api/v1/applications/{application_id}/reject": {"post"},
        "/api/v1/applications/bulk-move": {"post"},
        "/api/v1/applications/bulk-reject": {"post"},
        "/api/v1/applications/{application_id}/notes": {"get", "post"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    upload = paths["/api/v1/applications/{application_id}/resume"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload


def test_candidate_refs_never_leak_between_openings(api_as):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    shared = CandidateFactory()
    ApplicationFactory(candidate=shared, opening=OpeningFactory(team=[manager]))
    hidden = ApplicationFactory(candidate=shared)
    body = api_as(manager).get(BASE).get_json()
    assert hidden.id not in [item["id"] for item in body["items"]]
