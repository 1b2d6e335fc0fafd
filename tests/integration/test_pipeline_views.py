"""The board and the list of an opening: moves (form and script), bulk actions, search, query counts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from hirewise.auth.models import Role
from hirewise.candidates.models import Application, ResumeStatus, StageMove
from hirewise.extensions import db
from tests.conftest import sql_count
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    OpeningFactory,
    UserFactory,
    without_must_haves,
)

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def stage(opening, name):
    return next(s for s in opening.stages if s.name == name)


def fill(opening, count: int) -> list[Application]:
    skills = [
        {"skill_id": opening.skills[0].id, "skill": "Flask core", "keyword": "flask", "snippet": "flask"}
    ]
    return [
        ApplicationFactory(
            opening=opening,
            detected_skills=skills,
            resume_status=ResumeStatus.EXTRACTED,
            resume_text="long text " * 200,
            stage=opening.stages[i % 5],
        )
        for i in range(count)
    ]


def reload(application: Application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


# --- the board ----------------------------------------------------------------------------------


def test_board_shows_columns_counts_cards_and_loads_sortable_only_here(client, auth):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    applications = fill(opening, 3)
    page = client.get(f"/openings/{opening.id}/board").get_data(as_text=True)
    for stage_row in opening.stages:
        assert f'data-stage-id="{stage_row.id}"' in page
    assert f'data-count-for="{opening.stages[0].id}">1<' in page
    assert applications[0].candidate.full_name in page
    assert "Flask core" in page
    assert "vendor/sortable/Sortable.min.js" in page and "js/board.js" in page
    assert 'id="reject-dialog"' in page
    applications_page = client.get(f"/openings/{opening.id}/applications").get_data(as_text=True)
    assert "Sortable.min.js" not in applications_page


def test_board_and_list_issue_a_constant_number_of_statements(app, client, auth):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    fill(opening, 3)
    counts = {}
    for size in (3, 30):
        if size == 30:
            fill(opening, 27)
        for url in (f"/openings/{opening.id}/board", f"/openings/{opening.id}/applications?per_page=50"):
            db.session.expire_all()
            with sql_count(app) as statements:
                response = client.get(url)
            assert response.status_code == 200
            counts[(url, size)] = len(statements)
            # Lists never read résumé text or file contents.
            assert not any("resume_text" in s or "documents" in s for s in statements)
    assert counts[(f"/openings/{opening.id}/board", 3)] == counts[(f"/openings/{opening.id}/board", 30)]
    list_url = f"/openings/{opening.id}/applications?per_page=50"
    assert counts[(list_url, 3)] == counts[(list_url, 30)]


def test_move_by_plain_form_post(client, auth):
    auth.login(Role.RECRUITER)
    [application] = fill(without_must_haves(OpeningFactory()), 1)
    screen = stage(application.opening, "Screen")
    board_url = f"/openings/{application.opening_id}/board"
    response = client.post(
        f"/applications/{application.id}/move", data={"stage_id": screen.id, "next": board_url}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(board_url)
    assert reload(application).stage_id == screen.id
    # An off-site "next" is ignored.
    response = client.post(
        f"/applications/{application.id}/move",
        data={"stage_id": stage(application.opening, "Offer").id, "next": "//evil.example/x"},
    )
    assert response.headers["Location"].endswith(f"/applications/{application.id}")


def test_moving_to_rejected_without_reason_asks_for_one(client, auth):
    auth.login(Role.RECRUITER)
    [application] = fill(OpeningFactory(), 1)
    rejected = stage(application.opening, "Rejected")
    response = client.post(f"/applications/{application.id}/move", data={"stage_id": rejected.id})
    assert (
        response.status_code == 302
        and f"/applications/{application.id}/reject" in response.headers["Location"]
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Salary expectations do not match" in page
    response = client.post(
        f"/applications/{application.id}/reject", data={"reason_choice": "Other", "reason": ""}
    )
    assert response.status_code == 200 and "Give a reason" in response.get_data(as_text=True)
    response = client.post(
        f"/applications/{application.id}/reject",
        data={"reason_choice": "Candidate withdrew", "reason": "moved abroad", "notify": "y"},
    )
    assert response.status_code == 302
    application = reload(application)
    assert application.stage_id == rejected.id
    assert application.rejection_reason == "Candidate withdrew: moved abroad"


def test_move_by_script_returns_json_and_errors_as_json(client, auth):
    auth.login(Role.RECRUITER)
    [application] = fill(without_must_haves(OpeningFactory()), 1)
    headers = {"Accept": "application/json"}
    url = f"/applications/{application.id}/move"
    interview = stage(application.opening, "Interview")
    body = client.post(url, data={"stage_id": interview.id}, headers=headers).get_json()
    assert body["ok"] is True and body["stage"] == "Interview"
    assert body["counts"][str(interview.id)] == 1
    response = client.post(url, data={"stage_id": OpeningFactory().stages[0].id}, headers=headers)
    assert response.status_code == 422 and response.get_json()["ok"] is False
    rejected = stage(application.opening, "Rejected")
    response = client.post(url, data={"stage_id": rejected.id}, headers=headers)
    assert response.status_code == 422 and "reason" in response.get_json()["message"]
    response = client.post(
        url, data={"stage_id": rejected.id, "reason_choice": "Opening filled"}, headers=headers
    )
    assert response.get_json()["ok"] is True
    assert db.session.execute(select(func.count(StageMove.id))).scalar_one() == 2


def test_script_moves_need_the_csrf_header(client, auth, request):
    auth.login(Role.RECRUITER)
    [application] = fill(without_must_haves(OpeningFactory()), 1)
    request.getfixturevalue("csrf_enabled")
    page = client.get(f"/openings/{application.opening_id}/board").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    url = f"/applications/{application.id}/move"
    data = {"stage_id": stage(application.opening, "Screen").id}
    refused = client.post(url, data=data, headers={"Accept": "application/json"})
    assert refused.status_code == 400
    accepted = client.post(url, data=data, headers={"Accept": "application/json", "X-CSRFToken": token})
    assert accepted.status_code == 200 and accepted.get_json()["ok"] is True


# --- the list -----------------------------------------------------------------------------------


def test_list_filters_sorts_and_paginates(client, auth):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    alice = ApplicationFactory(opening=opening, candidate=CandidateFactory(full_name="Alice Archer"))
    bob = ApplicationFactory(
        opening=opening,
        candidate=CandidateFactory(full_name="Bob Baker"),
        stage=stage(opening, "Screen"),
        resume_text="Ran Kubernetes clusters",
        detected_skills=[
            {"skill_id": opening.skills[1].id, "skill": "Docker", "keyword": "docker", "snippet": "d"}
        ],
        source="referral",
    )
    url = f"/openings/{opening.id}/applications"

    def names(query: str) -> list[str]:
        page = client.get(url + query).get_data(as_text=True)
        return re.findall(r">(Alice Archer|Bob Baker)</a>", page)

    assert names("?sort=name") == ["Alice Archer", "Bob Baker"]
    assert names("?sort=-name") == ["Bob Baker", "Alice Archer"]
    assert names("?sort=-stage") == ["Bob Baker", "Alice Archer"]
    assert names("?q=kubernetes") == ["Bob Baker"]
    assert names(f"?q={alice.candidate.email}") == ["Alice Archer"]
    assert names(f"?stage_id={bob.stage_id}") == ["Bob Baker"]
    assert names("?source=referral") == ["Bob Baker"]
    assert names(f"?skill={opening.skills[1].id}") == ["Bob Baker"]
    assert names(f"?skill={opening.skills[0].id}") == []
    fill(opening, 30)
    first = client.get(url).get_data(as_text=True)
    assert "Page 1 of 2" in first and "page=2" in first


@pytest.mark.parametrize(
    "attack", ["' OR 1=1 --", "%", "_", "\\", "'; DROP TABLE candidates; --", '" OR ""="']
)
def test_search_with_injection_strings_is_safe(client, auth, attack):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    ApplicationFactory(opening=opening, candidate=CandidateFactory(full_name="Visible Person"))
    for path in (f"/openings/{opening.id}/applications", "/candidates"):
        response = client.get(path, query_string={"q": attack, "stage_id": attack, "sort": attack})
        assert response.status_code == 200
        assert "Visible Person" not in response.get_data(as_text=True)
    response = client.get(f"/openings/{opening.id}/applications", query_string={"skill": attack})
    assert response.status_code == 200


def test_bulk_move_and_reject_from_the_list(client, auth):
    auth.login(Role.RECRUITER)
    opening = without_must_haves(OpeningFactory())
    applications = fill(opening, 3)
    ids = [str(a.id) for a in applications]
    url = f"/openings/{opening.id}/applications/bulk"
    offer = stage(opening, "Offer")
    response = client.post(url, data={"action": "move", "stage_id": offer.id, "application_ids": ids[:2]})
    assert response.status_code == 302
    assert [reload(a).stage_id for a in applications[:2]] == [offer.id, offer.id]
    page = client.post(
        url, data={"action": "reject", "application_ids": ids}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Give a reason for the rejection." in page
    client.post(url, data={"action": "reject", "reason_choice": "Opening filled", "application_ids": ids})
    assert {reload(a).stage.name for a in applications} == {"Rejected"}


def test_xss_payloads_are_escaped_everywhere(client, auth):
    user = auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    application = ApplicationFactory(
        opening=opening,
        candidate=CandidateFactory(full_name=XSS, links=["javascript:alert(1)"]),
        cover_letter=XSS,
        resume_status=ResumeStatus.EXTRACTED,
        resume_text=f"I use flask {XSS}",
        detected_skills=[
            {"skill_id": opening.skills[0].id, "skill": XSS, "keyword": "flask", "snippet": f"flask {XSS}"}
        ],
    )
    from hirewise.candidates import services

    services.add_note(user, application.candidate, XSS, application.id)
    pages = [
        f"/openings/{opening.id}/board",
        f"/openings/{opening.id}/applications",
        f"/applications/{application.id}",
        f"/candidates/{application.candidate_id}",
        "/candidates",
    ]
    for url in pages:
        page = client.get(url).get_data(as_text=True)
        assert XSS not in page, url
        assert ESCAPED in page, url
        assert 'href="javascript:' not in page
    detail = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert f"<mark>flask</mark> {ESCAPED}" in detail


def test_hiring_manager_off_the_team_sees_nothing_of_the_opening(client, auth):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    opening = OpeningFactory()
    application = ApplicationFactory(opening=opening)
    auth.login(manager)
    assert client.get(f"/openings/{opening.id}/board").status_code == 403
    assert client.get(f"/openings/{opening.id}/applications").status_code == 403
    response = client.post(
        f"/applications/{application.id}/move", data={"stage_id": stage(opening, "Screen").id}
    )
    assert response.status_code == 403
    assert reload(application).stage.name == "Applied"
