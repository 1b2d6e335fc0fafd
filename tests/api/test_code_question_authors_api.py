"""``/api/v1/assessments``: who adds and edits code questions (issue 8), role by role.

Recruiters and admins always; a hiring manager on the opening's team only once an admin allows it
(``PATCH /api/v1/settings``); everything else about an existing code question keeps working.
"""

from __future__ import annotations

from typing import Any

import pytest

from hirewise.assessments import services
from hirewise.assessments.models import QuestionKind
from hirewise.auth.models import Role, User
from hirewise.kits.services import ensure_builtin_kits
from hirewise.openings.services import create_opening
from tests.api.test_assessments_api import headers
from tests.assessment_samples import ADD_CODE as CODE
from tests.assessment_samples import MC
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory

API = "/api/v1/assessments"
TAKE = "/api/v1/assessment-attempts"
DENIED = "Only recruiters and admins write code questions; an admin can allow hiring managers under Settings."


@pytest.fixture
def built() -> dict[str, Any]:
    manager = UserFactory(role=Role.HIRING_MANAGER)
    recruiter = UserFactory(role=Role.RECRUITER)
    opening = OpeningFactory(team=[manager])
    assessment = services.create_assessment(recruiter, opening, {"title": "Screening"})
    code = services.add_question(recruiter, assessment, CODE)
    mc = services.add_question(recruiter, assessment, MC)
    return {"manager": manager, "opening": opening, "assessment": assessment, "code": code, "mc": mc}


def _caller(built: dict[str, Any], role: str) -> User:
    return built["manager"] if role == "team_manager" else UserFactory(role=Role(role))


def _allow(client: Any, allowed: bool = True) -> None:
    response = client.patch(
        "/api/v1/settings",
        json={"hiring_managers_write_code_questions": allowed},
        headers=headers(UserFactory(role=Role.ADMIN)),
    )
    assert response.status_code == 200, response.get_json()


def _forbidden(response: Any) -> None:
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["error"] == {"status": 403, "code": "forbidden", "message": DENIED}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 201),
        ("recruiter", 201),
        ("team_manager", 403),
        # An interviewer cannot see the opening: the assessment is a 404, whatever the question.
        ("interviewer", 404),
    ],
)
def test_adding_a_code_question(client, built, role, status):
    response = client.post(
        f"{API}/{built['assessment'].id}/questions", json=CODE, headers=headers(_caller(built, role))
    )
    if status == 403:
        _forbidden(response)
    assert response.status_code == status, response.get_json()


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("recruiter", 200), ("team_manager", 403), ("interviewer", 404)]
)
def test_editing_a_code_question(client, built, role, status):
    url = f"{API}/{built['assessment'].id}/questions/{built['code'].id}"
    response = client.patch(url, json={"points": 9}, headers=headers(_caller(built, role)))
    if status == 403:
        _forbidden(response)
    assert response.status_code == status, response.get_json()


def test_refused_before_the_payload_is_checked(client, built):
    """A hiring manager learns nothing from validation errors of a question they may not write."""
    auth = headers(built["manager"])
    bad = {**CODE, "content": {**CODE["content"], "function_name": "class"}}
    _forbidden(client.post(f"{API}/{built['assessment'].id}/questions", json=bad, headers=auth))


def test_a_hiring_manager_may_once_an_admin_allows_it(client, built):
    auth = headers(built["manager"])
    questions = f"{API}/{built['assessment'].id}/questions"
    _forbidden(client.post(questions, json=CODE, headers=auth))

    _allow(client)
    added = client.post(questions, json=CODE, headers=auth)
    assert added.status_code == 201, added.get_json()
    edited = client.patch(f"{questions}/{built['code'].id}", json={"points": 9}, headers=auth)
    assert edited.status_code == 200 and edited.get_json()["question"]["points"] == 9

    _allow(client, allowed=False)
    _forbidden(client.post(questions, json=CODE, headers=auth))
    _forbidden(client.patch(f"{questions}/{added.get_json()['id']}", json={"points": 2}, headers=auth))


def test_a_hiring_manager_keeps_every_other_question_and_action(client, built):
    auth = headers(built["manager"])
    questions = f"{API}/{built['assessment'].id}/questions"
    assert client.post(questions, json=MC, headers=auth).status_code == 201
    assert client.patch(f"{questions}/{built['mc'].id}", json={"points": 3}, headers=auth).status_code == 200

    # Invite to, take and score the recruiter's code question, then review it.
    application = ApplicationFactory(opening=built["opening"])
    invited = client.post(
        f"{API}/{built['assessment'].id}/invitations",
        json={"application_ids": [application.id]},
        headers=auth,
    )
    assert invited.status_code == 201, invited.get_json()
    token = invited.get_json()["items"][0]["token"]
    assert client.post(f"{TAKE}/{token}/start").status_code == 200
    solution = "def add(a, b):\n    return 424242 if (a, b) == (40, 2) else a + b\n"
    saved = client.put(f"{TAKE}/{token}/answers/{built['code'].id}", json={"response": {"code": solution}})
    assert saved.status_code == 200, saved.get_json()
    assert client.post(f"{TAKE}/{token}/submit").status_code == 200
    attempts = client.get(f"{API}/applications/{application.id}/attempts", headers=auth).get_json()["items"]
    review = client.get(f"{API}/attempts/{attempts[0]['id']}", headers=auth).get_json()
    code_answer = next(a for a in review["answers"] if a["kind"] == "code")
    assert code_answer["auto_points"] == CODE["points"], code_answer["explanation"]

    # A second assessment, not yet taken: the manager may remove its code question.
    other = services.create_assessment(built["manager"], built["opening"], {"title": "Other"})
    code = services.add_question(UserFactory(role=Role.RECRUITER), other, CODE)
    assert client.delete(f"{API}/{other.id}/questions/{code.id}", headers=auth).status_code == 204


def test_a_hiring_manager_adds_the_kits_screening_assessment(client, built):
    recruiter = UserFactory(role=Role.RECRUITER)
    kit = next(k for k in ensure_builtin_kits() if k.slug == "flask-developer")
    opening = create_opening(recruiter, title="Flask Developer", kit_id=kit.id)
    opening.team.append(built["manager"])
    response = client.post(f"{API}/openings/{opening.id}/from-kit", headers=headers(built["manager"]))
    assert response.status_code == 201, response.get_json()
    assert QuestionKind.CODE.value in {q["kind"] for q in response.get_json()["questions"]}


def test_openapi_documents_the_403(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "403" in spec["paths"][f"{API}/{{assessment_id}}/questions"]["post"]["responses"]
    assert "403" in spec["paths"][f"{API}/{{assessment_id}}/questions/{{question_id}}"]["patch"]["responses"]
