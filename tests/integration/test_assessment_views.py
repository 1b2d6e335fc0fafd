"""The hiring team's assessment pages: building, inviting, reviewing and overriding, and who may do what."""

from __future__ import annotations

import re
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import select

from hirewise.assessments import attempts, services
from hirewise.assessments.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentQuestion,
)
from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role, User
from hirewise.auth.services import create_api_token
from hirewise.candidates.models import Application
from hirewise.errors import ValidationFailed
from hirewise.extensions import db
from hirewise.kits.services import ensure_builtin_kits
from hirewise.mail.models import OutboxMessage
from hirewise.openings.services import create_opening
from hirewise.questions.models import BankQuestion
from tests.assessment_samples import ADD_CODE as CODE
from tests.assessment_samples import FREE_TEXT, MC
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory

SIGNALS_NOTE = "Signals only, not verdicts"
FACTORY_ANSWER = (
    "The create_app function builds and returns the app. It lets tests and production create several "
    "instances with different configurations."
)


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _flashes(client: Any) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


@pytest.fixture
def team() -> dict[str, Any]:
    """An opening with a team hiring manager, a recruiter, an assessment with three questions, two applications."""
    manager = UserFactory(role=Role.HIRING_MANAGER)
    recruiter = UserFactory(role=Role.RECRUITER)
    opening = OpeningFactory(team=[manager])
    assessment = services.create_assessment(recruiter, opening, {"title": "Backend screening"})
    questions = [services.add_question(recruiter, assessment, values) for values in (MC, FREE_TEXT, CODE)]
    return {
        "manager": manager,
        "recruiter": recruiter,
        "opening": opening,
        "assessment": assessment,
        "questions": questions,
        "application": ApplicationFactory(opening=opening),
        "other_application": ApplicationFactory(opening=opening),
    }


def _submitted(
    actor: User,
    assessment: Assessment,
    application: Application,
    *,
    text: str = FACTORY_ANSWER,
    signals: dict[str, int] | None = None,
) -> AssessmentAttempt:
    """A candidate takes the assessment through the private link and submits; scoring runs inline."""
    issued = services.invite(actor, assessment, [application])
    attempt = attempts.start_attempt(attempts.invitation_for_token(issued[0].token))
    mc, free_text, code = assessment.questions
    attempts.save_answer(attempt, mc.id, attempts.shown_response(attempt, mc, {"selected": ["a"]}), signals)
    attempts.save_answer(attempt, free_text.id, {"text": text}, signals)
    attempts.save_answer(attempt, code.id, {"code": "def add(a, b):\n    return a + b\n"}, signals)
    attempts.submit_attempt(attempt)
    db.session.expire_all()
    return db.session.get(AssessmentAttempt, attempt.id)  # type: ignore[return-value]


# --- who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.ADMIN, "team_manager"])
def test_hiring_team_sees_every_page(client, auth, team, role):
    attempt = _submitted(team["recruiter"], team["assessment"], team["application"])
    auth.login(team["manager"] if role == "team_manager" else role)
    urls = [
        f"/openings/{team['opening'].id}/assessments",
        f"/assessments/{team['assessment'].id}",
        f"/assessment-attempts/{attempt.id}/review",
        f"/applications/{team['application'].id}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    application_page = _text(client.get(f"/applications/{team['application'].id}"))
    assert "Backend screening" in application_page
    assert f"/assessment-attempts/{attempt.id}/review" in application_page


@pytest.mark.parametrize("role", [Role.INTERVIEWER, Role.HIRING_MANAGER])
def test_interviewer_and_manager_off_the_team_see_nothing(client, auth, team, role):
    attempt = _submitted(team["recruiter"], team["assessment"], team["application"])
    answer = attempt.answers[0]
    auth.login(role)
    assessment_id = team["assessment"].id
    gets = [
        f"/openings/{team['opening'].id}/assessments",
        f"/assessments/{assessment_id}",
        f"/assessment-attempts/{attempt.id}/review",
    ]
    for url in gets:
        assert client.get(url).status_code in (403, 404), url
    posts = [
        f"/openings/{team['opening'].id}/assessments",
        f"/openings/{team['opening'].id}/assessments/from-kit",
        f"/assessments/{assessment_id}/settings",
        f"/assessments/{assessment_id}/questions/new/free_text",
        f"/assessments/{assessment_id}/questions/{team['questions'][0].id}/delete",
        f"/assessments/{assessment_id}/rescore",
        f"/assessments/{assessment_id}/invite",
        f"/applications/{team['other_application'].id}/assessment-invitations",
        f"/assessment-invitations/{attempt.invitation_id}/revoke",
        f"/assessment-attempts/{attempt.id}/answers/{answer.id}/override",
        f"/assessment-attempts/{attempt.id}/answers/{answer.id}/override/clear",
    ]
    for url in posts:
        assert client.post(url, data={"points": "0", "reason": "x"}).status_code in (403, 404), url
    db.session.expire_all()
    assert db.session.get(AssessmentAnswer, answer.id).override_points is None  # type: ignore[union-attr]


def test_interviewer_assigned_to_the_application_sees_no_assessment_section(client, auth, team):
    from tests.integration.test_interview_services import schedule

    _submitted(team["recruiter"], team["assessment"], team["application"])
    interviewer = UserFactory(role=Role.INTERVIEWER)
    schedule(team["recruiter"], team["application"], [interviewer])
    auth.login(interviewer)
    page = client.get(f"/applications/{team['application'].id}")
    assert page.status_code == 200
    assert "Backend screening" not in _text(page)


def test_missing_ids_are_404(client, auth, team):
    auth.login(Role.ADMIN)
    assert client.get("/assessments/999999").status_code == 404
    assert client.get("/assessment-attempts/999999/review").status_code == 404
    assert client.get("/openings/999999/assessments").status_code == 404
    kind_url = f"/assessments/{team['assessment'].id}/questions/new/essay"
    assert client.post(kind_url, data={}).status_code == 404


# --- building -----------------------------------------------------------------------------------


def test_list_shows_settings_and_the_opening_links_to_it(client, auth, team):
    auth.login(team["recruiter"])
    page = _text(client.get(f"/openings/{team['opening'].id}/assessments"))
    assert "Backend screening" in page
    assert "<td>10</td>" in page  # 2 + 5 + 3 points
    assert "Create assessment" in page
    assert "screening assessment</button>" not in page  # the factory's opening has no kit
    opening_page = _text(client.get(f"/openings/{team['opening'].id}"))
    assert f"/openings/{team['opening'].id}/assessments" in opening_page


def test_create_assessment_and_its_validation_errors(client, auth, team):
    auth.login(team["recruiter"])
    url = f"/openings/{team['opening'].id}/assessments"
    bad = client.post(
        url, data={"title": "", "time_limit_minutes": "999", "pass_mark_percent": "60", "layout": "x"}
    )
    assert bad.status_code == 422
    body = _text(bad)
    assert "The title is required." in body
    assert "The time limit (minutes) must be a whole number from 1 to 240." in body
    assert "Choose one question per page or all questions on one page." in body
    good = client.post(
        url,
        data={
            "title": "Take-home",
            "time_limit_minutes": "45",
            "pass_mark_percent": "70",
            "invitation_valid_days": "5",
            "layout": "all_on_one_page",
        },
    )
    assert good.status_code == 302
    created = db.session.execute(select(Assessment).where(Assessment.title == "Take-home")).scalar_one()
    assert good.headers["Location"].endswith(f"/assessments/{created.id}")
    assert (created.time_limit_minutes, created.pass_mark_percent, created.layout) == (
        45,
        70,
        "all_on_one_page",
    )


def test_create_from_the_kit(client, auth):
    recruiter = auth.login(Role.RECRUITER)
    kit = next(k for k in ensure_builtin_kits() if k.slug == "flask-developer")
    opening = create_opening(recruiter, title="Flask Developer", kit_id=kit.id)
    page = _text(client.get(f"/openings/{opening.id}/assessments"))
    assert f"Add the {kit.name} screening assessment" in page
    response = client.post(f"/openings/{opening.id}/assessments/from-kit")
    assert response.status_code == 302
    assessment = db.session.execute(
        select(Assessment).where(Assessment.opening_id == opening.id)
    ).scalar_one()
    assert assessment.source == "kit:flask-developer"
    detail = _text(client.get(response.headers["Location"]))
    assert assessment.title in detail
    assert {q.kind for q in assessment.questions} == {"multiple_choice", "free_text", "code"}


def test_settings_are_saved_and_bad_values_shown_next_to_the_field(client, auth, team):
    auth.login(team["manager"])
    assessment = team["assessment"]
    url = f"/assessments/{assessment.id}/settings"
    data = {
        "title": "Renamed",
        "time_limit_minutes": "20",
        "pass_mark_percent": "150",
        "invitation_valid_days": "7",
        "layout": "one_per_page",
        "status": "active",
    }
    bad = client.post(url, data=data)
    assert bad.status_code == 422
    assert "The pass mark (%) must be a whole number from 0 to 100." in _text(bad)
    assert client.post(url, data={**data, "pass_mark_percent": "75", "status": "archived"}).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Assessment, assessment.id)
    assert saved is not None and (saved.title, saved.pass_mark_percent, saved.status) == (
        "Renamed",
        75,
        "archived",
    )


_SETTINGS_FORM = {
    "title": "Typed title",
    "instructions": "Typed instructions",
    "time_limit_minutes": "45",
    "pass_mark_percent": "70",
    "invitation_valid_days": "5",
    "layout": "all_on_one_page",
}


def _assessment_count() -> int:
    return len(db.session.execute(select(Assessment)).scalars().all())


@pytest.mark.parametrize(
    ("field", "form_value", "api_value"),
    [
        ("title", "", ""),
        ("title", "   ", "   "),
        ("title", "x" * 201, "x" * 201),
        ("instructions", "x" * 5_001, "x" * 5_001),
        ("time_limit_minutes", "0", 0),
        ("time_limit_minutes", "thirty", "thirty"),  # the API takes JSON numbers only, with the same words
        ("pass_mark_percent", "101", 101),
        ("pass_mark_percent", "12.5", 12.5),
        ("invitation_valid_days", "61", 61),
        ("invitation_valid_days", "", None),
        ("layout", "sideways", "sideways"),
    ],
)
def test_a_bad_setting_gets_the_same_message_in_the_form_and_the_api(
    client, auth, team, field, form_value, api_value
):
    _, token = create_api_token(team["recruiter"], "same message", "read,write")
    api = client.post(
        f"/api/v1/assessments/openings/{team['opening'].id}",
        json={**_SETTINGS_FORM, "time_limit_minutes": 45, "pass_mark_percent": 70, "invitation_valid_days": 5}
        | {field: api_value},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 422, api.get_json()
    [message] = api.get_json()["error"]["details"]["json"][field]
    before = _assessment_count()
    auth.login(team["recruiter"])
    page = client.post(
        f"/openings/{team['opening'].id}/assessments", data={**_SETTINGS_FORM, field: form_value}
    )
    assert page.status_code == 422
    assert str(escape(message)) in _text(page), f"the form says {message!r} too"
    assert _assessment_count() == before
    with pytest.raises(ValidationFailed) as refused:  # and so does a Python caller of the service
        services.create_assessment(team["recruiter"], team["opening"], {"title": "T", field: api_value})
    assert refused.value.details == {field: [message]}


def test_a_non_number_typed_in_a_number_field_is_refused_and_nothing_typed_is_lost(client, auth, team):
    auth.login(team["recruiter"])
    before = _assessment_count()
    typed = {**_SETTINGS_FORM, "title": "", "time_limit_minutes": "half an hour", "pass_mark_percent": "1e3"}
    page = client.post(f"/openings/{team['opening'].id}/assessments", data=typed)
    assert page.status_code == 422
    body = _text(page)
    for shown in (
        "The time limit (minutes) must be a whole number from 1 to 240.",
        "The pass mark (%) must be a whole number from 0 to 100.",
        "The title is required.",  # every problem at once, not one per attempt
        'value="half an hour"',
        'value="1e3"',
        "Typed instructions",
    ):
        assert shown in body
    assert _assessment_count() == before

    assessment = team["assessment"]
    settings = {**_SETTINGS_FORM, "status": "active", "invitation_valid_days": "a week"}
    edited = client.post(f"/assessments/{assessment.id}/settings", data=settings)
    assert edited.status_code == 422
    assert "Days a link stays valid must be a whole number from 1 to 60." in _text(edited)
    assert 'value="a week"' in _text(edited) and 'value="Typed title"' in _text(edited)
    db.session.expire_all()
    assert db.session.get(Assessment, assessment.id).title == "Backend screening", "nothing was saved"


def test_the_form_hands_the_service_typed_settings(client, auth, team):
    auth.login(team["recruiter"])
    typed = {**_SETTINGS_FORM, "title": "  Padded title  ", "time_limit_minutes": " 045 "}
    assert client.post(f"/openings/{team['opening'].id}/assessments", data=typed).status_code == 302
    created = db.session.execute(select(Assessment).where(Assessment.title == "Padded title")).scalar_one()
    assert (created.time_limit_minutes, created.pass_mark_percent, created.invitation_valid_days) == (
        45,
        70,
        5,
    )
    assert created.instructions == "Typed instructions"


def test_add_a_multiple_choice_question_with_the_correct_marks(client, auth, team):
    auth.login(team["recruiter"])
    assessment = team["assessment"]
    url = f"/assessments/{assessment.id}/questions/new/multiple_choice"
    data = {
        "mc-prompt": "Which are HTTP methods?",
        "mc-points": "3",
        "mc-skill_id": str(team["opening"].skills[0].id),
    }
    bad = client.post(url, data={**data, "mc-options": "GET\nPOST\nFETCH"})
    assert bad.status_code == 422
    assert "Mark at least one option as correct." in _text(bad)
    good = client.post(url, data={**data, "mc-options": "* GET\n* POST\nFETCH\n", "mc-partial_credit": "y"})
    assert good.status_code == 302
    db.session.expire_all()
    question = db.session.get(Assessment, assessment.id).questions[-1]  # type: ignore[union-attr]
    assert question.kind == "multiple_choice" and question.points == 3
    assert [(o["text"], o["correct"]) for o in question.content["options"]] == [
        ("GET", True),
        ("POST", True),
        ("FETCH", False),
    ]
    assert question.content["multiple"] and question.content["partial_credit"]
    assert question.content["shuffle"] is False  # an unticked box in a posted form
    assert question.skill_id == team["opening"].skills[0].id


def test_add_a_free_text_question(client, auth, team):
    auth.login(team["recruiter"])
    url = f"/assessments/{team['assessment'].id}/questions/new/free_text"
    bad = client.post(url, data={"ft-prompt": "Explain CSRF.", "ft-points": "5", "ft-expected_answer": ""})
    assert bad.status_code == 422
    assert "The expected answer is required." in _text(bad)
    good = client.post(
        url,
        data={
            "ft-prompt": "Explain CSRF.",
            "ft-points": "5",
            "ft-expected_answer": "A forged cross-site request rides on the victim's cookies.",
            "ft-key_points": "Cookies are sent automatically\n\nA per-form token stops it\n",
        },
    )
    assert good.status_code == 302
    question = db.session.execute(
        select(AssessmentQuestion).where(AssessmentQuestion.prompt == "Explain CSRF.")
    ).scalar_one()
    assert [p["text"] for p in question.content["key_points"]] == [
        "Cookies are sent automatically",
        "A per-form token stops it",
    ]


def test_add_a_code_question_and_bad_json_is_shown_in_the_form(client, auth, team):
    auth.login(team["recruiter"])
    url = f"/assessments/{team['assessment'].id}/questions/new/code"
    data = {"code-prompt": "Write double(x).", "code-points": "4", "code-function_name": "double"}
    bad = client.post(url, data={**data, "code-tests": "[{'args': [1]}"})
    assert bad.status_code == 422
    assert "The test cases are not valid JSON" in _text(bad)
    missing = client.post(url, data={**data, "code-tests": '[{"args": [1]}]'})
    assert missing.status_code == 422
    assert "Case 1 needs &#34;args&#34; (a list) and &#34;expected&#34;." in _text(missing)
    good = client.post(
        url,
        data={
            **data,
            "code-starter_code": "def double(x):\n    pass",
            "code-examples": '[{"args": [2], "expected": 4}]',
            "code-tests": '[{"name": "zero", "args": [0], "expected": 0}]',
        },
    )
    assert good.status_code == 302
    question = db.session.execute(
        select(AssessmentQuestion).where(AssessmentQuestion.prompt == "Write double(x).")
    ).scalar_one()
    assert question.content["tests"] == [{"args": [0], "expected": 0, "name": "zero"}]
    assert question.content["examples"] == [{"args": [2], "expected": 4, "name": ""}]


def test_add_from_the_question_bank(client, auth, team):
    auth.login(team["recruiter"])
    active = BankQuestion(
        text="What does a blueprint group?",
        expected_answer="Routes, templates and static files of one feature.",
        key_points=[{"label": "Routes", "text": "A blueprint groups routes."}],
        skill="Flask core",
    )
    archived = BankQuestion(text="An archived question", expected_answer="x", archived=True)
    db.session.add_all([active, archived])
    db.session.commit()
    page = _text(client.get(f"/assessments/{team['assessment'].id}"))
    assert "What does a blueprint group?" in page
    assert "An archived question" not in page
    url = f"/assessments/{team['assessment'].id}/questions/from-bank"
    refused = client.post(url, data={"bank_question_id": str(archived.id), "points": "5"})
    assert refused.status_code == 422
    assert "Not a valid choice" in _text(refused)
    bad_points = client.post(url, data={"bank_question_id": str(active.id), "points": "0"})
    assert bad_points.status_code == 422
    assert "Points must be a whole number from 1 to 100." in _text(bad_points)
    assert client.post(url, data={"bank_question_id": str(active.id), "points": "6"}).status_code == 302
    question = db.session.execute(
        select(AssessmentQuestion).where(AssessmentQuestion.bank_question_id == active.id)
    ).scalar_one()
    assert (question.kind, question.points, question.skill_id) == (
        "free_text",
        6,
        team["opening"].skills[0].id,
    )


def _edit_data(question: AssessmentQuestion, **changes: str) -> dict[str, str]:
    """The edit form of a free-text question as the page fills it in, with some fields changed."""
    prefix = f"q{question.id}-"
    data = {
        "prompt": question.prompt,
        "points": str(question.points),
        "skill_id": "",
        "expected_answer": question.content["expected_answer"],
        "key_points": "\n".join(point["text"] for point in question.content["key_points"]),
    }
    data.update(changes)
    return {prefix + name: value for name, value in data.items()}


def test_saving_an_unchanged_question_keeps_its_rubric(client, auth, team):
    auth.login(team["recruiter"])
    question = team["questions"][1]
    url = f"/assessments/{team['assessment'].id}/questions/{question.id}"
    assert client.post(url, data=_edit_data(question)).status_code == 302
    db.session.expire_all()
    saved = db.session.get(AssessmentQuestion, question.id)
    assert saved is not None and saved.rubric_version == 1
    assert [p["label"] for p in saved.content["key_points"]] == ["Factory function", "Configurations"]


def test_editing_a_question_bumps_the_rubric_and_offers_to_rescore(client, auth, team):
    attempt = _submitted(team["recruiter"], team["assessment"], team["application"])
    auth.login(team["recruiter"])
    question = db.session.get(AssessmentQuestion, team["questions"][1].id)
    assert question is not None
    url = f"/assessments/{team['assessment'].id}/questions/{question.id}"
    bad = client.post(url, data=_edit_data(question, points="0"))
    assert bad.status_code == 422
    assert "Points must be a whole number from 1 to 100." in _text(bad)
    response = client.post(
        url, data=_edit_data(question, key_points="A function such as create_app builds and returns the app.")
    )
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "Scores of 1 answers used the previous rubric" in page
    assert "Re-score them" in page
    db.session.expire_all()
    answer = next(
        a for a in db.session.get(AssessmentAttempt, attempt.id).answers if a.question_id == question.id
    )  # type: ignore[union-attr]
    assert answer.rubric_version == 1
    review = _text(client.get(f"/assessment-attempts/{attempt.id}/review"))
    assert "outdated — re-score" in review

    rescore = client.post(
        f"/assessments/{team['assessment'].id}/rescore", data={"question_id": str(question.id)}
    )
    assert rescore.status_code == 302
    db.session.expire_all()
    answer = db.session.get(AssessmentAnswer, answer.id)  # type: ignore[assignment]
    assert answer.rubric_version == 2
    assert "Re-score them" not in _text(client.get(f"/assessments/{team['assessment'].id}"))
    assert "outdated — re-score" not in _text(client.get(f"/assessment-attempts/{attempt.id}/review"))


def test_delete_question_until_candidates_have_answered(client, auth, team):
    auth.login(team["recruiter"])
    assessment_id = team["assessment"].id
    first, second, _ = team["questions"]
    assert client.post(f"/assessments/{assessment_id}/questions/{first.id}/delete").status_code == 302
    db.session.expire_all()
    remaining = db.session.execute(
        select(AssessmentQuestion).where(AssessmentQuestion.assessment_id == assessment_id)
    ).scalars()
    assert sorted((q.id, q.position) for q in remaining) == [(second.id, 0), (team["questions"][2].id, 1)]
    issued = services.invite(
        team["recruiter"], db.session.get(Assessment, assessment_id), [team["application"]]
    )
    attempts.start_attempt(attempts.invitation_for_token(issued[0].token))
    refused = client.post(f"/assessments/{assessment_id}/questions/{second.id}/delete")
    assert refused.status_code == 302
    assert any("questions stay" in m for c, m in _flashes(client) if c == "error")
    assert db.session.get(AssessmentQuestion, second.id) is not None


def test_rescore_all(client, auth, team):
    _submitted(team["recruiter"], team["assessment"], team["application"])
    auth.login(team["recruiter"])
    assessment = team["assessment"]
    assert "Re-score all" in _text(client.get(f"/assessments/{assessment.id}"))
    assert client.post(f"/assessments/{assessment.id}/rescore").status_code == 302
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action == "rescore")).scalars().all()
    assert [e.summary for e in events] == [f"re-scoring 1 attempt(s) of {assessment.title}"]


# --- inviting -----------------------------------------------------------------------------------


def test_invite_one_from_the_application_page(client, auth, team):
    auth.login(team["recruiter"])
    application = team["application"]
    page = _text(client.get(f"/applications/{application.id}"))
    assert "Invite to assessment" in page
    response = client.post(
        f"/applications/{application.id}/assessment-invitations",
        data={"assessment_id": str(team["assessment"].id), "valid_days": "3"},
    )
    assert response.status_code == 302
    flashes = _flashes(client)
    links = [message for category, message in flashes if category == "link"]
    assert len(links) == 1 and application.candidate.full_name in links[0]
    token = re.search(r"/assessment/([A-Za-z0-9_-]+)$", links[0]).group(1)  # type: ignore[union-attr]
    invitation = attempts.invitation_for_token(token)
    assert invitation.application_id == application.id
    assert (invitation.expires_at - invitation.created_at).days in (2, 3)
    message = db.session.get(OutboxMessage, invitation.outbox_message_id)
    assert message is not None and message.to_email == application.candidate.email
    assert message.template_key == "assessment_invitation"
    page = _text(client.get(f"/applications/{application.id}"))
    assert "Invited" in page

    again = client.post(
        f"/applications/{application.id}/assessment-invitations",
        data={"assessment_id": str(team["assessment"].id)},
    )
    assert again.status_code == 302
    assert any("already has an open invitation" in m for c, m in _flashes(client) if c == "error")


def test_bulk_invite_from_the_applications_list(client, auth, team):
    auth.login(team["manager"])
    opening = team["opening"]
    listing = _text(client.get(f"/openings/{opening.id}/applications"))
    assert f'formaction="/assessments/{team["assessment"].id}/invite"' in listing
    ids = [str(team["application"].id), str(team["other_application"].id)]
    back = f"/openings/{opening.id}/applications?sort=name"
    response = client.post(
        f"/assessments/{team['assessment'].id}/invite",
        data={"application_ids": ids, "valid_days": "", "next": back, "action": "move"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(back)
    links = [m for c, m in _flashes(client) if c == "link"]
    assert len(links) == 2
    invitations = (
        db.session.execute(
            select(AssessmentInvitation).where(AssessmentInvitation.assessment_id == team["assessment"].id)
        )
        .scalars()
        .all()
    )
    assert {i.application_id for i in invitations} == {team["application"].id, team["other_application"].id}
    assert all(i.outbox_message_id for i in invitations)
    detail = _text(client.get(f"/assessments/{team['assessment'].id}"))
    assert team["other_application"].candidate.full_name in detail


def test_bulk_invite_refuses_an_application_of_another_opening(client, auth, team):
    auth.login(team["recruiter"])
    stranger = ApplicationFactory()
    response = client.post(
        f"/assessments/{team['assessment'].id}/invite",
        data={"application_ids": [str(team["application"].id), str(stranger.id)]},
    )
    assert response.status_code == 302
    assert any("applied to another opening" in m for c, m in _flashes(client) if c == "error")
    assert db.session.execute(select(AssessmentInvitation)).scalars().all() == []


def test_manager_cannot_bulk_invite_applications_of_an_opening_off_their_team(client, auth, team):
    auth.login(team["manager"])
    elsewhere = ApplicationFactory()
    response = client.post(
        f"/assessments/{team['assessment'].id}/invite", data={"application_ids": [str(elsewhere.id)]}
    )
    assert response.status_code == 403


def test_revoke_an_invitation(client, auth, team):
    issued = services.invite(team["recruiter"], team["assessment"], [team["application"]])
    auth.login(team["recruiter"])
    page = _text(client.get(f"/assessments/{team['assessment'].id}"))
    assert f"/assessment-invitations/{issued[0].invitation.id}/revoke" in page
    assert client.post(f"/assessment-invitations/{issued[0].invitation.id}/revoke").status_code == 302
    db.session.expire_all()
    invitation = db.session.get(AssessmentInvitation, issued[0].invitation.id)
    assert invitation is not None and invitation.revoked_at is not None
    assert "Revoked" in _text(client.get(f"/assessments/{team['assessment'].id}"))
    with pytest.raises(attempts.AssessmentClosed):
        attempts.start_attempt(attempts.invitation_for_token(issued[0].token))


# --- review and override ------------------------------------------------------------------------


def test_review_shows_answers_explanations_and_signals(client, auth, team):
    signals = {"paste_count": 2, "pasted_chars": 140, "blur_count": 3, "time_spent_seconds": 95}
    _submitted(team["recruiter"], team["assessment"], team["other_application"], text=FACTORY_ANSWER)
    attempt = _submitted(team["recruiter"], team["assessment"], team["application"], signals=signals)
    auth.login(team["manager"])
    response = client.get(f"/assessment-attempts/{attempt.id}/review")
    assert response.status_code == 200
    page = _text(response)
    assert team["application"].candidate.full_name in page
    assert "by the candidate" in page
    assert "Scored" in page
    # multiple choice: the chosen option and the key
    assert "chosen" in page and "correct" in page and "Selected: <strong>a</strong>" in page
    # free text: each key point with its status and the covering sentence
    assert "Factory function" in page and "Configurations" in page
    assert re.search(r"assessment-kp-(covered|partly|missed)", page)
    assert "The create_app function builds and returns the app." in page
    assert "hirewise-freetext" in page
    # code: the candidate's code in a block
    assert '<pre class="assessment-code">def add(a, b):' in page
    # integrity signals, with the note, and the identical answer of the other candidate
    assert SIGNALS_NOTE in page
    assert "2 (140 characters pasted)" in page and "3 times" in page and "1 min 35 s" in page
    assert "100% similar to another candidate" in page
    assert team["other_application"].candidate.full_name in page


def test_review_renders_a_stored_code_and_lexical_explanation(client, auth, team):
    attempt = _submitted(team["recruiter"], team["assessment"], team["application"])
    answers = {a.question.kind: a for a in attempt.answers}
    answers["code"].explanation = {
        "kind": "code",
        "status": "completed",
        "passed": 1,
        "total": 3,
        "message": "",
        "sandbox": "bwrap",
        "rationale": "1 of 3 tests passed.",
        "outcomes": [
            {
                "index": 0,
                "name": "",
                "visible": True,
                "status": "failed",
                "args": [1, 2],
                "expected": 3,
                "actual": 4,
            },
            {"index": 1, "name": "negatives", "visible": False, "status": "passed"},
            {"index": 2, "name": "huge", "visible": False, "status": "timeout", "message": "time limit"},
            "not a dict",
        ],
    }
    answers["free_text"].explanation = {
        "mode": "lexical",
        "rationale": "Covers one of two key points.",
        "key_points": [
            {"key_point": "Factory", "label": "F", "status": "partly", "evidence": None, "similarity": 0.4}
        ],
    }
    db.session.commit()
    auth.login(team["recruiter"])
    page = _text(client.get(f"/assessment-attempts/{attempt.id}/review"))
    assert "1 of 3 tests passed" in page
    assert "<code>[1, 2]</code>" in page and "<code>4</code>" in page
    assert "Hidden tests: 1 passed, 1 failed." in page
    assert "negatives" in page and "huge" in page
    assert "Lexical evidence only" in page
    assert "0.40" in page


def test_override_with_a_reason_is_saved_and_audited(client, auth, team):
    attempt = _submitted(team["recruiter"], team["assessment"], team["application"])
    answer = next(a for a in attempt.answers if a.question.kind == "free_text")
    automatic = answer.auto_points
    reviewer = auth.login(team["manager"])
    url = f"/assessment-attempts/{attempt.id}/answers/{answer.id}/override"

    missing = client.post(url, data={f"a{answer.id}-points": "4", f"a{answer.id}-reason": "  "})
    assert missing.status_code == 422
    assert "Say why you change the score; the reason is kept with it." in _text(missing)
    too_many = client.post(url, data={f"a{answer.id}-points": "9", f"a{answer.id}-reason": "Generous"})
    assert too_many.status_code == 422
    assert "The score must be a number from 0 to 5." in _text(too_many)

    saved = client.post(
        url, data={f"a{answer.id}-points": "4.5", f"a{answer.id}-reason": "Paraphrased well."}
    )
    assert saved.status_code == 302
    db.session.expire_all()
    stored = db.session.get(AssessmentAnswer, answer.id)
    assert stored is not None
    assert (stored.override_points, stored.override_reason, stored.overridden_by_id) == (
        4.5,
        "Paraphrased well.",
        reviewer.id,
    )
    assert stored.auto_points == automatic
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "override", AuditEvent.object_id == answer.id)
    ).scalar_one()
    assert event.actor_id == reviewer.id and event.after["override_reason"] == "Paraphrased well."
    page = _text(client.get(f"/assessment-attempts/{attempt.id}/review"))
    assert "Paraphrased well." in page and reviewer.full_name in page
    assert "Use the automatic score" in page
    assert f"{automatic:g} / 5" in page  # the automatic score stays visible

    cleared = client.post(f"/assessment-attempts/{attempt.id}/answers/{answer.id}/override/clear")
    assert cleared.status_code == 302
    db.session.expire_all()
    stored = db.session.get(AssessmentAnswer, answer.id)
    assert stored is not None and stored.override_points is None
    assert db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "clear_override", AuditEvent.object_id == answer.id)
    ).scalar_one()


def test_bulk_invite_button_posts_the_list_form_with_its_csrf_token(app, client, auth, team, request):
    auth.login(team["recruiter"])  # before CSRF is switched on: the login helper posts no token
    request.getfixturevalue("csrf_enabled")
    listing = _text(client.get(f"/openings/{team['opening'].id}/applications"))
    form = listing[listing.index('id="bulk-form"') :]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    action = re.search(r'formaction="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    without_token = client.post(action, data={"application_ids": [str(team["application"].id)]})
    assert without_token.status_code == 400
    response = client.post(
        action, data={"csrf_token": token, "application_ids": [str(team["application"].id)]}
    )
    assert response.status_code == 302
    assert (
        db.session.execute(select(AssessmentInvitation)).scalar_one().application_id == team["application"].id
    )


def test_questions_cannot_be_added_or_removed_once_a_candidate_started(client, auth):
    from tests.integration.test_assessment_attempts import MC, build_assessment

    recruiter = auth.login(Role.RECRUITER)
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "Delete question" in page and "Add a question" in page

    [issued] = services.invite(recruiter, assessment, [ApplicationFactory(opening=assessment.opening)])
    attempts.start_attempt(issued.invitation)
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "Delete question" not in page and "Add a question" not in page
    assert "can be edited" in page and "Edit this question" in page


def test_a_board_column_is_invited_at_once_leaving_out_the_already_invited(client, auth):
    from tests.integration.test_assessment_attempts import MC, build_assessment

    recruiter = auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    assessment = build_assessment(recruiter, opening, MC)
    first_stage = opening.stages[0]
    column = [ApplicationFactory(opening=opening, stage=first_stage) for _ in range(3)]
    services.invite(recruiter, assessment, [column[0]])

    board = client.get(f"/openings/{opening.id}/board").get_data(as_text=True)
    assert "Invite this column to an assessment" in board and "Invite to Screening" in board
    form = {
        "application_ids": [str(a.id) for a in column],
        "skip_invited": "1",
        "next": f"/openings/{opening.id}/board",
    }
    response = client.post(f"/assessments/{assessment.id}/invite", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/openings/{opening.id}/board"
    )
    invited = (
        db.session.execute(
            select(AssessmentInvitation.application_id).where(
                AssessmentInvitation.assessment_id == assessment.id
            )
        )
        .scalars()
        .all()
    )
    assert sorted(invited) == sorted(a.id for a in column)  # the first once, the two others now
    page = client.get(f"/openings/{opening.id}/board").get_data(as_text=True)
    assert "1 already invited or already assessed; they were left out." in page


def test_a_large_batch_points_to_the_outbox_instead_of_flashing_every_link(client, auth):
    from tests.integration.test_assessment_attempts import MC, build_assessment

    recruiter = auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    assessment = build_assessment(recruiter, opening, MC)
    applications = [ApplicationFactory(opening=opening) for _ in range(12)]
    response = client.post(
        f"/assessments/{assessment.id}/invite",
        data={"application_ids": [str(a.id) for a in applications]},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "12 invitation(s) emailed through the outbox." in page
    assert "on the Outbox page" in page and "One-time link for" not in page


def test_review_page_costs_the_same_statements_for_3_or_9_answers(app, client, auth):
    from tests.conftest import sql_count
    from tests.integration.test_assessment_attempts import answer_all, build_assessment

    recruiter = auth.login(Role.RECRUITER)
    counts = []
    for questions in ((MC, FREE_TEXT, CODE), (MC, FREE_TEXT, CODE) * 3):
        assessment = build_assessment(recruiter, OpeningFactory(), *questions)
        [issued] = services.invite(recruiter, assessment, [ApplicationFactory(opening=assessment.opening)])
        attempt = attempts.start_attempt(issued.invitation)
        answer_all(attempt, code="def add(a, b):\n    return a + b\n", text="create_app builds the app.")
        attempts.submit_attempt(attempt)
        for answer in attempt.answers:  # each by another reviewer: one lazy load per answer would show
            services.override_score(UserFactory(role=Role.RECRUITER), answer, 0, "Checked by hand.")
        db.session.expire_all()
        with sql_count(app) as statements:
            assert client.get(f"/assessment-attempts/{attempt.id}/review").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
