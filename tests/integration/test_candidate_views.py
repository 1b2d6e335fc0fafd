"""Candidate pages: permission matrix, profile, notes, email, adding and editing people."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hirewise.auth.models import Role
from hirewise.candidates import services
from hirewise.candidates.documents import ResumeUpload
from hirewise.candidates.models import Application, Candidate, Note
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage
from tests.factories import ApplicationFactory, CandidateFactory, OpeningFactory, UserFactory
from tests.unit.test_resume_extraction import make_pdf

ROLES = ["admin", "recruiter", "manager_on_team", "manager_off_team", "interviewer", "anonymous"]


@pytest.fixture
def world():
    manager = UserFactory(role=Role.HIRING_MANAGER)
    opening = OpeningFactory(team=[manager])
    application = ApplicationFactory(opening=opening)
    services.replace_resume(UserFactory(role=Role.ADMIN), application, ResumeUpload("cv.pdf", make_pdf()))
    return {"manager": manager, "opening": opening, "application": application}


def sign_in(auth, world, role: str) -> None:
    if role == "anonymous":
        return
    if role == "manager_on_team":
        auth.login(world["manager"])
    elif role == "manager_off_team":
        auth.login(Role.HIRING_MANAGER)
    else:
        auth.login(Role(role))


def status_for(role: str, statuses: str) -> int:
    return int(statuses.split()[ROLES.index(role)])


# Expected status per role, in the order of ROLES.
VIEW_MATRIX = [
    ("/candidates", "200 200 200 200 403 302"),
    ("/candidates/new", "200 200 403 403 403 302"),
    ("/candidates/{candidate}", "200 200 200 403 403 302"),
    # Contact details are shared by every opening the person applied to: staff edit them.
    ("/candidates/{candidate}/edit", "200 200 403 403 403 302"),
    ("/applications/{application}", "200 200 200 403 403 302"),
    ("/applications/{application}/resume", "200 200 200 403 403 302"),
    ("/applications/{application}/reject", "200 200 200 403 403 302"),
    ("/openings/{opening}/board", "200 200 200 403 403 302"),
    ("/openings/{opening}/applications", "200 200 200 403 403 302"),
    ("/openings/{opening}/applications.csv", "200 200 200 403 403 302"),
]
ACTION_MATRIX = [
    (
        "/applications/{application}/move",
        {"stage_id": "screen", "confirm_gate": "y", "reason": "Strong résumé"},
        "302 302 302 403 403 302",
    ),
    ("/candidates/{candidate}/notes", {"body": "Hi", "application_id": "mine"}, "302 302 302 403 403 302"),
    ("/candidates/{candidate}/email", {"subject": "S", "body": "B"}, "302 302 403 403 403 302"),
    ("/candidates/{candidate}/applications", {"opening_id": "other"}, "302 302 403 403 403 302"),
    ("/openings/{opening}/applications/bulk", {"action": "move"}, "302 302 302 403 403 302"),
    ("/openings/{opening}/imports", {}, "302 302 403 403 403 302"),
    ("/applications/{application}/resume", {}, "302 302 302 403 403 302"),
]


def _url(template: str, world) -> str:
    application = world["application"]
    return template.format(
        candidate=application.candidate_id, application=application.id, opening=world["opening"].id
    )


@pytest.mark.parametrize("role", ROLES)
def test_page_permissions(client, auth, world, role):
    sign_in(auth, world, role)
    for template, statuses in VIEW_MATRIX:
        response = client.get(_url(template, world))
        assert response.status_code == status_for(role, statuses), template
        if response.status_code == 302:
            assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_action_permissions(client, auth, world, role):
    sign_in(auth, world, role)
    opening = world["opening"]
    for template, data, statuses in ACTION_MATRIX:
        values = dict(data)
        if values.get("stage_id") == "screen":
            values["stage_id"] = str(opening.stages[1].id)
        if values.get("application_id") == "mine":
            values["application_id"] = str(world["application"].id)
        if values.get("opening_id") == "other":
            values["opening_id"] = str(OpeningFactory().id)
        response = client.post(_url(template, world), data=values)
        assert response.status_code == status_for(role, statuses), template
    db.session.expire_all()
    stage_name = db.session.get(Application, world["application"].id).stage.name
    notes = db.session.execute(select(Note)).scalars().all()
    if role in ("manager_off_team", "interviewer", "anonymous"):
        assert stage_name == "Applied" and notes == []
    else:
        assert stage_name == "Screen" and [n.body for n in notes] == ["Hi"]


def test_hiring_manager_lists_only_candidates_of_their_openings(client, auth, world):
    other = ApplicationFactory(candidate=CandidateFactory(full_name="Hidden Person"))
    auth.login(world["manager"])
    page = client.get("/candidates").get_data(as_text=True)
    assert world["application"].candidate.full_name in page
    assert other.candidate.full_name not in page
    assert client.get("/api/v1/candidates").status_code == 401  # the session never opens the API


def test_add_a_candidate_by_hand_with_resume(client, auth):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    form = client.get(f"/candidates/new?opening_id={opening.id}").get_data(as_text=True)
    assert f'<option selected value="{opening.id}">' in form or f'value="{opening.id}" selected' in form
    response = client.post(
        "/candidates/new",
        data={
            "full_name": "Linus Sourced",
            "email": "linus@example.com",
            "phone": "+1 555 0100",
            "links": "https://github.com/linus\nhttps://linus.dev",
            "opening_id": str(opening.id),
            "source": "referral",
            "resume": (__import__("io").BytesIO(make_pdf()), "linus.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    candidate = db.session.execute(
        select(Candidate).where(Candidate.email == "linus@example.com")
    ).scalar_one()
    assert candidate.links == ["https://github.com/linus", "https://linus.dev"]
    [application] = candidate.applications
    assert application.source == "referral"
    duplicate = client.post(
        "/candidates/new",
        data={"full_name": "Again", "email": "LINUS@example.com", "opening_id": "0", "source": "sourced"},
    )
    assert "already exists" in duplicate.get_data(as_text=True)
    invalid = client.post(
        "/candidates/new",
        data={
            "full_name": "Bad Link",
            "email": "bad@example.com",
            "links": "javascript:alert(1)",
            "opening_id": "0",
            "source": "sourced",
        },
    )
    assert "Not a web address" in invalid.get_data(as_text=True)


def test_profile_notes_email_and_timeline(client, auth, world):
    user = auth.login(Role.RECRUITER)
    application = world["application"]
    candidate_id = application.candidate_id
    client.post(f"/candidates/{candidate_id}/notes", data={"body": "Great SQL answers"})
    client.post(
        f"/candidates/{candidate_id}/notes",
        data={
            "body": "About this one",
            "application_id": str(application.id),
            "next": f"/applications/{application.id}",
        },
    )
    response = client.post(
        f"/candidates/{candidate_id}/email", data={"subject": "Next steps", "body": "Are you free on Monday?"}
    )
    assert response.status_code == 302
    message = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.template_key == "generic")
    ).scalar_one()
    assert message.sent_by_id == user.id and "Are you free on Monday?" in message.body
    empty = client.post(
        f"/candidates/{candidate_id}/email", data={"subject": "", "body": ""}, follow_redirects=True
    )
    assert "Write a subject and a message." in empty.get_data(as_text=True)
    page = client.get(f"/candidates/{candidate_id}").get_data(as_text=True)
    assert "Great SQL answers" in page and "About this one" in page
    assert "Email “Next steps”" in page
    assert world["opening"].title in page
    detail = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "About this one" in detail and "Great SQL answers" not in detail


def test_edit_candidate(client, auth):
    auth.login(Role.RECRUITER)
    candidate = CandidateFactory()
    response = client.post(
        f"/candidates/{candidate.id}/edit",
        data={"full_name": "Renamed", "email": candidate.email, "phone": "", "links": "https://x.dev"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).full_name == "Renamed"
    bad = client.post(f"/candidates/{candidate.id}/edit", data={"full_name": "R", "email": "nope"})
    assert bad.status_code == 200 and "valid email" in bad.get_data(as_text=True).lower()


def test_add_existing_candidate_to_another_opening(client, auth, world):
    auth.login(Role.RECRUITER)
    other = OpeningFactory()
    candidate_id = world["application"].candidate_id
    response = client.post(
        f"/candidates/{candidate_id}/applications",
        data={"opening_id": str(other.id), "source": "sourced"},
        follow_redirects=True,
    )
    assert "Added to the opening" in response.get_data(as_text=True)
    again = client.post(
        f"/candidates/{candidate_id}/applications", data={"opening_id": str(other.id)}, follow_redirects=True
    )
    assert "already in the pipeline" in again.get_data(as_text=True)


def test_missing_objects_are_404(client, auth):
    auth.login(Role.ADMIN)
    for url in (
        "/candidates/99999",
        "/applications/99999",
        "/openings/99999/board",
        "/applications/99999/resume",
    ):
        assert client.get(url).status_code == 404
