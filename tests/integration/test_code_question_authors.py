"""Who writes code questions (issue 8): recruiters and admins; hiring managers when an admin allows it.

Code questions make the server run a candidate's Python in the sandbox. Writing them is limited;
everything else about an existing code question (deleting it, inviting, taking, scoring, reviewing)
stays open to whoever could do it before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import select

from hirewise.assessments import services
from hirewise.assessments.builtin import add_kit_assessment
from hirewise.assessments.models import (
    Assessment,
    AssessmentAttempt,
    AssessmentQuestion,
    QuestionKind,
    ScoringStatus,
)
from hirewise.auth.models import Role, User
from hirewise.auth.services import create_api_token
from hirewise.candidates.models import Application
from hirewise.errors import PermissionDenied
from hirewise.extensions import db
from hirewise.kits.services import ensure_builtin_kits
from hirewise.openings.models import Opening
from hirewise.openings.services import create_opening
from hirewise.organisation.services import update_settings
from hirewise.security import can_write_code_questions
from tests.assessment_samples import ADD_CODE as CODE
from tests.assessment_samples import FREE_TEXT, MC
from tests.conftest import AuthActions
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory

DENIED = "Only recruiters and admins write code questions; an admin can allow hiring managers under Settings."
# The "add a code question" form as the page sends it (prefix "code-").
CODE_FORM = {
    "code-prompt": "Write double(x).",
    "code-points": "4",
    "code-skill_id": "",
    "code-function_name": "double",
    "code-starter_code": "def double(x):\n    pass",
    "code-examples": '[{"args": [2], "expected": 4}]',
    "code-tests": '[{"name": "zero", "args": [0], "expected": 0}]',
}
TAKE = "/api/v1/assessment-attempts"


@dataclass
class Team:
    opening: Opening
    manager: User
    recruiter: User
    assessment: Assessment
    mc: AssessmentQuestion
    code: AssessmentQuestion
    application: Application


@pytest.fixture
def team() -> Team:
    """An opening whose team has a hiring manager; an assessment with a recruiter's MC and code questions."""
    manager = UserFactory(role=Role.HIRING_MANAGER)
    recruiter = UserFactory(role=Role.RECRUITER)
    opening = OpeningFactory(team=[manager])
    assessment = services.create_assessment(recruiter, opening, {"title": "Backend screening"})
    mc = services.add_question(recruiter, assessment, MC)
    code = services.add_question(recruiter, assessment, CODE)
    return Team(opening, manager, recruiter, assessment, mc, code, ApplicationFactory(opening=opening))


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _login(auth: AuthActions, team: Team, role: str) -> User:
    return auth.login(team.manager if role == "team_manager" else Role(role))


def _code_edit_form(question: AssessmentQuestion, **changes: str) -> dict[str, str]:
    """The edit form of a code question as the page fills it in, with some fields changed."""
    content = question.content
    data = {
        "prompt": question.prompt,
        "points": str(question.points),
        "skill_id": "",
        "function_name": content["function_name"],
        "starter_code": content["starter_code"],
        "examples": '[{"args": [1, 2], "expected": 3, "name": "small numbers"}]',
        "tests": '[{"args": [40, 2], "expected": 424242, "name": "secret-hidden-case"}]',
        **changes,
    }
    return {f"q{question.id}-{name}": value for name, value in data.items()}


def _add_code(client: FlaskClient, assessment: Assessment) -> Any:
    return client.post(f"/assessments/{assessment.id}/questions/new/code", data=CODE_FORM)


def _code_questions(assessment: Assessment) -> list[AssessmentQuestion]:
    stmt = select(AssessmentQuestion).where(
        AssessmentQuestion.assessment_id == assessment.id, AssessmentQuestion.kind == QuestionKind.CODE
    )
    return list(db.session.execute(stmt).scalars())


def _allow_hiring_managers(client: FlaskClient, auth: AuthActions, allowed: bool = True) -> None:
    """An admin ticks (or unticks) the box on the settings page."""
    auth.login(Role.ADMIN)
    data = {"hiring_managers_write_code_questions": "y"} if allowed else {}
    assert client.post("/admin/settings", data=data).status_code == 302
    auth.logout()


# --- the predicate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "by_default", "when_allowed"),
    [
        (Role.ADMIN, True, True),
        (Role.RECRUITER, True, True),
        (Role.HIRING_MANAGER, False, True),
        (Role.INTERVIEWER, False, False),
    ],
)
def test_who_may_write_code_questions(role, by_default, when_allowed):
    user = UserFactory(role=role)
    assert can_write_code_questions(user) is by_default
    update_settings(UserFactory(role=Role.ADMIN), {"hiring_managers_write_code_questions": True})
    assert can_write_code_questions(user) is when_allowed


def test_nobody_signed_out_writes_code_questions():
    from flask_login import AnonymousUserMixin

    assert can_write_code_questions(AnonymousUserMixin()) is False  # type: ignore[arg-type]
    assert can_write_code_questions(None) is False  # type: ignore[arg-type]


# --- the pages: the role matrix ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 302),
        ("recruiter", 302),
        ("team_manager", 403),
        # An interviewer cannot see the opening at all: its assessments are a 404, never probed.
        ("interviewer", 404),
    ],
)
def test_adding_a_code_question_on_the_page(client, auth, team, role, status):
    _login(auth, team, role)
    response = _add_code(client, team.assessment)
    assert response.status_code == status, _text(response)[:300]
    db.session.expire_all()
    assert len(_code_questions(team.assessment)) == (2 if status == 302 else 1)


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 302), ("recruiter", 302), ("team_manager", 403), ("interviewer", 404)]
)
def test_editing_a_code_question_on_the_page(client, auth, team, role, status):
    _login(auth, team, role)
    url = f"/assessments/{team.assessment.id}/questions/{team.code.id}"
    response = client.post(url, data=_code_edit_form(team.code, prompt="Write add(a, b), fast."))
    assert response.status_code == status, _text(response)[:300]
    db.session.expire_all()
    question = db.session.get(AssessmentQuestion, team.code.id)
    assert question is not None
    assert question.prompt == ("Write add(a, b), fast." if status == 302 else CODE["prompt"])
    assert question.rubric_version == (2 if status == 302 else 1)


def test_a_hiring_manager_still_edits_the_other_kinds(client, auth, team):
    auth.login(team.manager)
    mc_form = {
        f"q{team.mc.id}-prompt": "Which code means Created (REST)?",
        f"q{team.mc.id}-points": "2",
        f"q{team.mc.id}-skill_id": "",
        f"q{team.mc.id}-options": "* 201 Created\n200 OK\n302 Found",
        f"q{team.mc.id}-shuffle": "y",
    }
    assert (
        client.post(f"/assessments/{team.assessment.id}/questions/{team.mc.id}", data=mc_form).status_code
        == 302
    )
    added = client.post(
        f"/assessments/{team.assessment.id}/questions/new/free_text",
        data={
            "ft-prompt": FREE_TEXT["prompt"],
            "ft-points": "5",
            "ft-expected_answer": FREE_TEXT["content"]["expected_answer"],
            "ft-key_points": "A factory builds the app.",
        },
    )
    assert added.status_code == 302
    db.session.expire_all()
    assert db.session.get(AssessmentQuestion, team.mc.id).prompt == "Which code means Created (REST)?"  # type: ignore[union-attr]


def test_the_page_offers_code_forms_only_to_who_may_write_them(client, auth, team):
    edit_action = f'action="/assessments/{team.assessment.id}/questions/{team.code.id}"'
    add_action = f'action="/assessments/{team.assessment.id}/questions/new/code"'
    mc_edit_action = f'action="/assessments/{team.assessment.id}/questions/{team.mc.id}"'
    delete_action = f'action="/assessments/{team.assessment.id}/questions/{team.code.id}/delete"'

    auth.login(team.manager)
    page = _text(client.get(f"/assessments/{team.assessment.id}"))
    assert add_action not in page and edit_action not in page
    assert page.count(DENIED) == 2  # instead of the add form and instead of the code question's edit form
    assert mc_edit_action in page and delete_action in page
    assert "Add multiple choice question" in page and "Add code question" not in page
    auth.logout()

    auth.login(team.recruiter)
    page = _text(client.get(f"/assessments/{team.assessment.id}"))
    assert add_action in page and edit_action in page and DENIED not in page
    auth.logout()

    _allow_hiring_managers(client, auth)
    auth.login(team.manager)
    page = _text(client.get(f"/assessments/{team.assessment.id}"))
    assert add_action in page and edit_action in page and DENIED not in page


def test_a_hiring_manager_may_once_an_admin_allows_it_on_the_settings_page(client, auth, team):
    auth.login(team.manager)
    assert _add_code(client, team.assessment).status_code == 403
    auth.logout()

    _allow_hiring_managers(client, auth)
    auth.login(team.manager)
    assert _add_code(client, team.assessment).status_code == 302
    url = f"/assessments/{team.assessment.id}/questions/{team.code.id}"
    assert client.post(url, data=_code_edit_form(team.code, points="5")).status_code == 302
    # The API reads the same setting.
    _, raw = create_api_token(team.manager, "t", "read,write")
    db.session.commit()
    api = client.post(
        f"/api/v1/assessments/{team.assessment.id}/questions",
        json=CODE,
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert api.status_code == 201, api.get_json()
    g.pop("_login_user", None)  # one app context for the whole test: forget the token's user
    auth.logout()

    _allow_hiring_managers(client, auth, allowed=False)
    auth.login(team.manager)
    assert _add_code(client, team.assessment).status_code == 403
    db.session.expire_all()
    assert len(_code_questions(team.assessment)) == 3


def test_a_hiring_manager_may_once_an_admin_allows_it_through_the_api(client, auth, team):
    admin = UserFactory(role=Role.ADMIN)
    _, raw = create_api_token(admin, "t", "read,write")
    db.session.commit()
    patched = client.patch(
        "/api/v1/settings",
        json={"hiring_managers_write_code_questions": True},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert patched.status_code == 200, patched.get_json()
    g.pop("_login_user", None)  # one app context for the whole test: forget the token's user
    auth.login(team.manager)
    assert _add_code(client, team.assessment).status_code == 302


def test_the_service_refuses_whatever_the_surface(team):
    with pytest.raises(PermissionDenied, match="Only recruiters and admins write code questions"):
        services.add_question(team.manager, team.assessment, CODE)
    with pytest.raises(PermissionDenied, match="an admin can allow hiring managers under Settings"):
        services.update_question(team.manager, team.code, {"prompt": "Mine now"})
    db.session.rollback()
    assert db.session.get(AssessmentQuestion, team.code.id).prompt == CODE["prompt"]  # type: ignore[union-attr]
    assert services.add_question(team.manager, team.assessment, MC).kind == QuestionKind.MULTIPLE_CHOICE


# --- what keeps working -------------------------------------------------------------------------


def test_a_hiring_manager_adds_the_kits_screening_assessment_with_its_code_question(client, auth):
    recruiter = UserFactory(role=Role.RECRUITER)
    manager = UserFactory(role=Role.HIRING_MANAGER)
    kit = next(k for k in ensure_builtin_kits() if k.slug == "flask-developer")
    opening = create_opening(recruiter, title="Flask Developer", kit_id=kit.id)
    opening.team.append(manager)
    db.session.commit()
    auth.login(manager)
    response = client.post(f"/openings/{opening.id}/assessments/from-kit")
    assert response.status_code == 302
    assessment = db.session.execute(
        select(Assessment).where(Assessment.opening_id == opening.id)
    ).scalar_one()
    assert QuestionKind.CODE in {q.kind for q in assessment.questions}
    # The service, as the API calls it, too.
    again = add_kit_assessment(manager, opening)
    assert QuestionKind.CODE in {q.kind for q in again.questions}
    # Shipped, not written by the manager: editing the code question is still the authors' job.
    code = next(q for q in again.questions if q.kind == QuestionKind.CODE)
    with pytest.raises(PermissionDenied):
        services.update_question(manager, code, {"points": 7})


def test_a_hiring_manager_deletes_a_code_question(client, auth, team):
    auth.login(team.manager)
    response = client.post(f"/assessments/{team.assessment.id}/questions/{team.code.id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(AssessmentQuestion, team.code.id) is None


def _take(client: FlaskClient, token: str, assessment: Assessment) -> None:
    """The candidate answers through the private link: the code answer passes every test."""
    started = client.post(f"{TAKE}/{token}/start")
    assert started.status_code == 200
    shown = {question["id"]: question for question in started.get_json()["questions"]}
    for question in assessment.questions:
        if question.kind == QuestionKind.CODE:
            body = {
                "response": {"code": "def add(a, b):\n    return 424242 if (a, b) == (40, 2) else a + b\n"}
            }
        else:  # option "a", under the id this attempt shows it with
            text = next(o["text"] for o in question.content["options"] if o["id"] == "a")
            option = next(o for o in shown[question.id]["options"] if o["text"] == text)
            body = {"response": {"selected": [option["id"]]}}
        saved = client.put(f"{TAKE}/{token}/answers/{question.id}", json=body)
        assert saved.status_code == 200, saved.get_json()
    assert client.post(f"{TAKE}/{token}/submit").status_code == 200


def _invite_on_the_page(client: FlaskClient, assessment: Assessment, application: Application) -> str:
    response = client.post(
        f"/applications/{application.id}/assessment-invitations", data={"assessment_id": str(assessment.id)}
    )
    assert response.status_code == 302
    with client.session_transaction() as session:
        links = [message for category, message in session.get("_flashes", []) if category == "link"]
    match = re.search(r"/assessment/([A-Za-z0-9_-]+)$", links[-1])
    assert match is not None, links
    return match.group(1)


def test_a_hiring_manager_invites_to_and_reviews_an_existing_code_question(client, auth, team):
    auth.login(team.manager)
    token = _invite_on_the_page(client, team.assessment, team.application)
    _take(client, token, team.assessment)
    db.session.expire_all()
    attempt = db.session.execute(select(AssessmentAttempt)).scalars().one()
    assert attempt.scoring_status == ScoringStatus.SCORED
    code_answer = next(a for a in attempt.answers if a.question_id == team.code.id)
    assert code_answer.auto_points == code_answer.max_points == CODE["points"], code_answer.explanation
    assert client.get(f"/assessment-attempts/{attempt.id}/review").status_code == 200


def test_code_questions_a_hiring_manager_wrote_keep_working_once_disallowed(client, auth, team):
    _allow_hiring_managers(client, auth)
    auth.login(team.manager)
    assessment = services.create_assessment(team.manager, team.opening, {"title": "Manager's screening"})
    assert _add_code(client, assessment).status_code == 302
    question = _code_questions(assessment)[0]
    auth.logout()
    _allow_hiring_managers(client, auth, allowed=False)

    auth.login(team.manager)
    url = f"/assessments/{assessment.id}/questions/{question.id}"
    assert client.post(url, data=_code_edit_form(question, points="9")).status_code == 403
    token = _invite_on_the_page(client, assessment, team.application)
    assert client.post(f"{TAKE}/{token}/start").status_code == 200
    saved = client.put(
        f"{TAKE}/{token}/answers/{question.id}",
        json={"response": {"code": "def double(x):\n    return 2 * x\n"}},
    )
    assert saved.status_code == 200
    assert client.post(f"{TAKE}/{token}/submit").status_code == 200
    db.session.expire_all()
    attempt = db.session.execute(select(AssessmentAttempt)).scalars().one()
    assert attempt.scoring_status == ScoringStatus.SCORED
    assert attempt.answers[0].auto_points == 4.0, attempt.answers[0].explanation
    assert client.get(f"/assessment-attempts/{attempt.id}/review").status_code == 200
