"""The scorecard page, autosave, the feedback page, and the same visibility matrix over HTML."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import escape

from hirewise.auth.models import Role
from hirewise.auth.services import create_api_token
from hirewise.extensions import db
from hirewise.feedback.models import Feedback, FeedbackStatus
from tests.integration.test_feedback_services import Setup, build_setup, matrix, submitted, viewer_for


@pytest.fixture
def setup() -> Setup:
    return build_setup()


XSS = "<script>alert(1)</script>"


def form_data(feedback: Feedback, action: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"action": action, "recommendation": "yes", "summary": "Clear thinker"}
    for rating in feedback.ratings:
        data[f"rating-{rating.skill_id}"] = "3"
    for answer in feedback.answers:
        data[f"notes-{answer.question_id}"] = "Good"
        data[f"covered-{answer.question_id}"] = ["0"]
    data.update(overrides)
    return data


def started(client: Any, setup: Setup) -> Feedback:
    page = client.get(f"/interviews/{setup.first_interview.id}/feedback")
    assert page.status_code == 200
    return db.session.query(Feedback).filter_by(interviewer_id=setup.first.id).one()


def test_the_kit_page_shows_checklist_ratings_and_buttons(client, auth, setup):
    auth.login(setup.first)
    page = client.get(f"/interviews/{setup.first_interview.id}/feedback")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in (
        "How do Flask blueprints work?",
        "register_blueprint with a url_prefix",
        "Strong no",
        "Strong yes",
        "Not assessed",
        "Save draft",
        "Submit",
        'type="checkbox"',
        "hx-post",
        "Blueprints group routes",
    ):
        assert text in html


def test_save_draft_then_submit_then_read_only_then_new_version(client, auth, setup):
    auth.login(setup.first)
    feedback = started(client, setup)
    saved = client.post(f"/interviews/{setup.first_interview.id}/feedback", data=form_data(feedback, "save"))
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Feedback, feedback.id).status == FeedbackStatus.DRAFT
    sent = client.post(f"/interviews/{setup.first_interview.id}/feedback", data=form_data(feedback, "submit"))
    assert sent.status_code == 302
    page = client.get(f"/interviews/{setup.first_interview.id}/feedback").get_data(as_text=True)
    assert "Edit (creates a new version)" in page and "Save draft" not in page
    edit = client.get(f"/interviews/{setup.first_interview.id}/feedback?edit=1").get_data(as_text=True)
    assert "Save new version" in edit and "hx-post" not in edit
    revised = client.post(
        f"/interviews/{setup.first_interview.id}/feedback",
        data=form_data(feedback, "revise", recommendation="strong_yes"),
    )
    assert revised.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Feedback, feedback.id)
    assert stored.version == 2 and stored.recommendation == "strong_yes" and len(stored.revisions) == 2
    history = client.get(f"/feedback/{feedback.id}").get_data(as_text=True)
    assert "Version 1" in history and "Version 2" in history


def test_submit_without_recommendation_keeps_what_was_typed(client, auth, setup):
    auth.login(setup.first)
    feedback = started(client, setup)
    data = form_data(feedback, "submit", recommendation="", summary="Typed summary stays")
    response = client.post(f"/interviews/{setup.first_interview.id}/feedback", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose an overall recommendation." in html and "Typed summary stays" in html


def test_autosave_returns_a_saved_fragment_and_stores_the_draft(client, auth, setup):
    auth.login(setup.first)
    feedback = started(client, setup)
    response = client.post(
        f"/interviews/{setup.first_interview.id}/feedback/autosave",
        data=form_data(feedback, "save", summary="autosaved text"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Saved at" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Feedback, feedback.id).summary == "autosaved text"
    bad = client.post(
        f"/interviews/{setup.first_interview.id}/feedback/autosave",
        data=form_data(feedback, "save", recommendation="maybe"),
    )
    assert bad.status_code == 422 and "Not saved" in bad.get_data(as_text=True)


def test_autosave_of_submitted_feedback_is_refused(client, auth, setup):
    submitted(setup.first, setup.first_interview)
    auth.login(setup.first)
    response = client.post(f"/interviews/{setup.first_interview.id}/feedback/autosave", data={"summary": "x"})
    assert response.status_code == 409


@pytest.mark.parametrize("who", ["second", "recruiter", "manager"])
def test_only_interviewers_open_the_scorecard(client, auth, setup, who):
    auth.login(getattr(setup, who))
    assert client.get(f"/interviews/{setup.first_interview.id}/feedback").status_code == 403
    assert (
        client.post(f"/interviews/{setup.first_interview.id}/feedback/autosave", data={}).status_code == 403
    )


def test_xss_in_notes_and_summary_is_escaped(client, auth, setup):
    auth.login(setup.first)
    feedback = started(client, setup)
    data = form_data(feedback, "submit", summary=XSS)
    data[f"notes-{feedback.answers[0].question_id}"] = XSS
    assert client.post(f"/interviews/{setup.first_interview.id}/feedback", data=data).status_code == 302
    auth.login(setup.recruiter)
    for url in (f"/feedback/{feedback.id}", f"/interviews/{setup.first_interview.id}"):
        html = client.get(url).get_data(as_text=True)
        assert XSS not in html
    html = client.get(f"/feedback/{feedback.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_form_needs_a_csrf_token(client, auth, setup, csrf_enabled):
    auth_user = setup.first
    client.get("/login")
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert (
        client.post(
            "/login",
            data={"email": auth_user.email, "password": "correct horse battery staple", "csrf_token": token},
        ).status_code
        == 302
    )
    page = client.get(f"/interviews/{setup.first_interview.id}/feedback")
    feedback = db.session.query(Feedback).filter_by(interviewer_id=auth_user.id).one()
    refused = client.post(
        f"/interviews/{setup.first_interview.id}/feedback", data=form_data(feedback, "submit")
    )
    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.get(Feedback, feedback.id).status == FeedbackStatus.DRAFT
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    accepted = client.post(
        f"/interviews/{setup.first_interview.id}/feedback",
        data={**form_data(feedback, "submit"), "csrf_token": token},
    )
    assert accepted.status_code == 302


@pytest.mark.parametrize(("visibility", "viewer_name", "allowed"), matrix())
def test_visibility_matrix_over_html(client, auth, setup, visibility, viewer_name, allowed):
    setup.opening.feedback_visibility = visibility
    db.session.commit()
    feedback = submitted(setup.first, setup.first_interview, summary="UNIQUE-SUMMARY-TEXT")
    viewer = viewer_for(setup, viewer_name)
    auth.login(viewer)
    response = client.get(f"/feedback/{feedback.id}")
    assert response.status_code == (200 if allowed else 403)
    if viewer_name in ("own", "other_before", "other_after", "recruiter", "admin", "manager_on_team"):
        interview_page = client.get(f"/interviews/{setup.first_interview.id}")
        assert interview_page.status_code == 200
        listed = f"/feedback/{feedback.id}" in interview_page.get_data(as_text=True)
        assert listed is allowed


def test_my_interviews_lists_feedback_due(client, auth, setup):
    from datetime import timedelta

    setup.first_interview.starts_at = setup.first_interview.starts_at - timedelta(days=800)
    db.session.commit()
    auth.login(setup.first)
    html = client.get("/interviews/mine").get_data(as_text=True)
    assert "Feedback due" in html and f"/interviews/{setup.first_interview.id}/feedback" in html
    detail = client.get(f"/interviews/{setup.first_interview.id}").get_data(as_text=True)
    assert "Write feedback" in detail
    assert setup.first.role == Role.INTERVIEWER


def _api_error(client: Any, setup: Setup, feedback: Feedback, **overrides: Any) -> dict[str, Any]:
    _, token = create_api_token(setup.first, "same message", "read,write")
    body: dict[str, Any] = {
        "interview_id": feedback.interview_id,
        "ratings": {str(r.skill_id): 3 for r in feedback.ratings},
        "answers": {
            str(a.question_id): {"notes": "Good", "covered_key_points": [0]} for a in feedback.answers
        },
        "recommendation": "yes",
        "summary": "Clear thinker",
        **overrides,
    }
    response = client.post("/api/v1/feedback/draft", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422, response.get_json()
    return dict(response.get_json()["error"])


def _messages(details: Any) -> list[str]:
    if isinstance(details, dict):
        return [text for value in details.values() for text in _messages(value)]
    if isinstance(details, list):
        return [text for value in details for text in _messages(value)]
    return [str(details)]


@pytest.mark.parametrize(
    ("bad", "form_value", "api_value", "message"),
    [
        ("rating", "9", 9, "A rating must be 1 to 4, or none (not assessed)."),
        ("rating", "x", "x", "A rating must be 1 to 4, or none (not assessed)."),
        ("covered", "a", ["a"], "A covered key point is the index of one of the question's key points"),
        ("covered", "7", [7], "must be indexes from 0 to"),  # the question has fewer key points
        ("recommendation", "maybe", "maybe", "Choose strong no, no, yes or strong yes."),
        ("notes", "x" * 20_001, "x" * 20_001, "Notes must be text of at most 20,000 characters."),
    ],
)
def test_a_bad_value_gets_the_same_message_in_the_form_and_the_api(
    client, auth, setup, bad, form_value, api_value, message
):
    auth.login(setup.first)
    feedback = started(client, setup)
    skill_id, question_id = feedback.ratings[0].skill_id, feedback.answers[1].question_id
    form_field, api_field = {
        "rating": (f"rating-{skill_id}", {"ratings": {str(skill_id): api_value}}),
        "covered": (
            f"covered-{question_id}",
            {"answers": {str(question_id): {"covered_key_points": api_value}}},
        ),
        "recommendation": ("recommendation", {"recommendation": api_value}),
        "notes": (f"notes-{question_id}", {"answers": {str(question_id): {"notes": api_value}}}),
    }[bad]
    typed = form_data(feedback, "save", summary="Typed summary stays", **{form_field: form_value})
    typed[f"notes-{feedback.answers[0].question_id}"] = "Typed notes stay"
    page = client.post(f"/interviews/{setup.first_interview.id}/feedback", data=typed)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    shown = next(
        text for text in _messages(_api_error(client, setup, feedback, **api_field)) if message in text
    )
    assert escape(shown) in html, "the form shows the API's very message"
    assert "Typed summary stays" in html and "Typed notes stay" in html, "nothing typed is lost"
    autosaved = client.post(f"/interviews/{setup.first_interview.id}/feedback/autosave", data=typed)
    assert autosaved.status_code == 422 and escape(shown) in autosaved.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Feedback, feedback.id)
    assert stored.summary == "" and stored.recommendation is None, "nothing was saved"


def test_the_form_hands_the_services_typed_values(client, auth, setup):
    auth.login(setup.first)
    feedback = started(client, setup)
    skill_id, question_id = feedback.ratings[0].skill_id, feedback.answers[1].question_id
    data = form_data(
        feedback, "save", **{f"rating-{skill_id}": " 4 ", f"covered-{question_id}": ["0", " 0", ""]}
    )
    data[f"rating-{feedback.ratings[1].skill_id}"] = ""  # "Not assessed"
    assert client.post(f"/interviews/{setup.first_interview.id}/feedback", data=data).status_code == 302
    db.session.expire_all()
    stored = db.session.get(Feedback, feedback.id)
    assert [r.rating for r in stored.ratings] == [4, None]
    assert stored.answers[1].covered_key_points == [0]
