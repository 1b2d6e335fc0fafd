"""``/api/v1/assessments`` and ``/api/v1/assessment-attempts``: building, inviting, taking, reviewing.

The candidate's side is driven only through the link's token, and time is moved by replacing
``hirewise.assessments.attempts.clock`` (never by sleeping).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from hirewise.assessments import attempts
from hirewise.assessments.models import AssessmentAnswer, AssessmentInvitation
from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role, User
from hirewise.auth.services import create_api_token
from hirewise.candidates.models import Application
from hirewise.db import utcnow
from hirewise.extensions import db, limiter
from hirewise.kits.services import ensure_builtin_kits
from hirewise.openings.models import Opening
from hirewise.openings.services import create_opening
from hirewise.questions.services import create_question as create_bank_question
from tests.assessment_samples import ADD_CODE as CODE
from tests.assessment_samples import FREE_TEXT, MC
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_interview_services import schedule

API = "/api/v1/assessments"
TAKE = "/api/v1/assessment-attempts"


def headers(user: User, scopes: str = "read,write") -> dict[str, str]:
    _, raw = create_api_token(user, "t", scopes)
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


@dataclass
class Team:
    opening: Opening
    application: Application
    second: Application
    recruiter: User
    manager: User
    auth: dict[str, str]


@pytest.fixture
def team() -> Team:
    manager = UserFactory(role=Role.HIRING_MANAGER)
    recruiter = UserFactory(role=Role.RECRUITER)
    opening = OpeningFactory(team=[manager])
    application = ApplicationFactory(opening=opening)
    second = ApplicationFactory(opening=opening)
    return Team(opening, application, second, recruiter, manager, headers(recruiter))


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    frozen = Clock()
    monkeypatch.setattr(attempts, "clock", frozen)
    yield frozen


def build(client: FlaskClient, team: Team, *questions: dict[str, Any], **settings: Any) -> dict[str, Any]:
    created = client.post(
        f"{API}/openings/{team.opening.id}", json={"title": "Screening", **settings}, headers=team.auth
    )
    assert created.status_code == 201, created.get_json()
    assessment_id = created.get_json()["id"]
    for question in questions:
        added = client.post(f"{API}/{assessment_id}/questions", json=question, headers=team.auth)
        assert added.status_code == 201, added.get_json()
    return client.get(f"{API}/{assessment_id}", headers=team.auth).get_json()


def invite(
    client: FlaskClient, team: Team, assessment_id: int, *applications: Application
) -> list[dict[str, Any]]:
    response = client.post(
        f"{API}/{assessment_id}/invitations",
        json={"application_ids": [a.id for a in applications or (team.application,)]},
        headers=team.auth,
    )
    assert response.status_code == 201, response.get_json()
    items: list[dict[str, Any]] = response.get_json()["items"]
    return items


def details(response: Any) -> dict[str, Any]:
    found: dict[str, Any] = response.get_json()["error"]["details"]
    return found


def keys_anywhere(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_anywhere(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_anywhere(item)}
    return set()


def take(client: FlaskClient, team: Team, *questions: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """An assessment with ``questions``, the team's application invited and started; returns it and the token."""
    assessment = build(client, team, *questions)
    token = invite(client, team, assessment["id"])[0]["token"]
    started = client.post(f"{TAKE}/{token}/start")
    assert started.status_code == 200, started.get_json()
    return assessment, token


def question_id(assessment: dict[str, Any], kind: str) -> int:
    return int(next(q["id"] for q in assessment["questions"] if q["kind"] == kind))


MC_TEXTS = {"a": "201 Created", "b": "200 OK", "c": "302 Found"}  # MC's options by their real ids


def shown_id(client: FlaskClient, token: str, question: int, real_id: str) -> str:
    """The id the attempt shows for MC's option ``real_id``: the candidate's API never shows real ids."""
    state = client.get(f"{TAKE}/{token}").get_json()
    options = next(q["options"] for q in state["questions"] if q["id"] == question)
    return str(next(option["id"] for option in options if option["text"] == MC_TEXTS[real_id]))


# --- assessments ---------------------------------------------------------------------------------


def test_create_list_get_and_archive(client, team):
    created = client.post(
        f"{API}/openings/{team.opening.id}",
        json={"title": "  Flask screening ", "time_limit_minutes": 20, "layout": "all_on_one_page"},
        headers=team.auth,
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["title"] == "Flask screening" and body["time_limit_minutes"] == 20
    assert (
        body["pass_mark_percent"] == 60 and body["invitation_valid_days"] == 7 and body["status"] == "active"
    )
    assert body["questions"] == [] and body["question_count"] == 0 and body["layout"] == "all_on_one_page"
    assessment_id = body["id"]

    listed = client.get(f"{API}/openings/{team.opening.id}", headers=team.auth).get_json()["items"]
    assert [a["id"] for a in listed] == [assessment_id]

    patched = client.patch(
        f"{API}/{assessment_id}", json={"status": "archived", "pass_mark_percent": 75}, headers=team.auth
    )
    assert patched.status_code == 200
    assert patched.get_json()["status"] == "archived" and patched.get_json()["pass_mark_percent"] == 75
    assert patched.get_json()["title"] == "Flask screening", "fields left out keep their value"
    assert client.get(f"{API}/openings/{team.opening.id}", headers=team.auth).get_json()["items"] == []
    archived = client.get(f"{API}/openings/{team.opening.id}?include_archived=true", headers=team.auth)
    assert [a["id"] for a in archived.get_json()["items"]] == [assessment_id]

    detail = build(client, team, MC, FREE_TEXT)
    assert [q["kind"] for q in detail["questions"]] == ["multiple_choice", "free_text"]
    assert detail["max_points"] == 7 and detail["questions"][0]["content"]["options"][0]["correct"] is True


@pytest.mark.parametrize(
    ("payload", "where", "field"),
    [
        # The limits are in the schema (and so in the spec): refused before the service, under "json".
        ({"title": ""}, "json", "title"),
        ({"title": "   "}, "json", "title"),
        ({"title": "x" * 201}, "json", "title"),
        ({"title": "T", "time_limit_minutes": 0}, "json", "time_limit_minutes"),
        ({"title": "T", "time_limit_minutes": 241}, "json", "time_limit_minutes"),
        ({"title": "T", "pass_mark_percent": 101}, "json", "pass_mark_percent"),
        ({"title": "T", "invitation_valid_days": 61}, "json", "invitation_valid_days"),
        ({"title": "T", "layout": "sideways"}, "json", "layout"),
        ({"title": "T", "time_limit_minutes": "thirty"}, "json", "time_limit_minutes"),
        ({"time_limit_minutes": 30}, "json", "title"),
        ({"title": "T", "unknown": 1}, "json", "unknown"),
    ],
)
def test_bad_settings_are_422_with_the_field_named(client, team, payload, where, field):
    response = client.post(f"{API}/openings/{team.opening.id}", json=payload, headers=team.auth)
    assert response.status_code == 422, response.get_json()
    located = details(response)[where] if where else details(response)
    assert field in located


def test_patch_rejects_unknown_status_and_bad_ranges(client, team):
    assessment = build(client, team)
    bad = client.patch(
        f"{API}/{assessment['id']}", json={"status": "deleted", "time_limit_minutes": 999}, headers=team.auth
    )
    assert bad.status_code == 422
    assert {"status", "time_limit_minutes"} <= set(details(bad)["json"])
    assert client.get(f"{API}/{assessment['id']}", headers=team.auth).get_json()["status"] == "active"


def test_kit_assessment_is_added_from_the_opening_kit(client, team):
    kit = next(k for k in ensure_builtin_kits() if k.slug == "flask-developer")
    opening = create_opening(team.recruiter, title="Flask Developer", kit_id=kit.id)
    response = client.post(f"{API}/openings/{opening.id}/from-kit", headers=team.auth)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["source"] == "kit:flask-developer" and body["question_count"] > 0
    assert {q["kind"] for q in body["questions"]} == {"multiple_choice", "free_text", "code"}

    missing = client.post(f"{API}/openings/{team.opening.id}/from-kit", headers=team.auth)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["message"] == "This opening's kit ships no screening assessment."


def test_kit_assessment_posted_twice_is_added_once(client, team):
    kit = next(k for k in ensure_builtin_kits() if k.slug == "flask-developer")
    opening = create_opening(team.recruiter, title="Flask Developer", kit_id=kit.id)
    url = f"{API}/openings/{opening.id}/from-kit"
    first = client.post(url, headers=team.auth)
    second = client.post(url, headers=team.auth)
    assert (first.status_code, second.status_code) == (201, 200), second.get_json()
    assert second.get_json() == first.get_json()  # the same assessment, unchanged
    listed = client.get(f"{API}/openings/{opening.id}", headers=team.auth).get_json()["items"]
    assert [a["id"] for a in listed] == [first.get_json()["id"]]

    # Archived, it is no longer the opening's: posting again adds a new one.
    archived = client.patch(f"{API}/{first.get_json()['id']}", json={"status": "archived"}, headers=team.auth)
    assert archived.status_code == 200
    third = client.post(url, headers=team.auth)
    assert third.status_code == 201 and third.get_json()["id"] != first.get_json()["id"]
    assert third.get_json()["source"] == "kit:flask-developer"
    everything = client.get(
        f"{API}/openings/{opening.id}", query_string={"include_archived": "true"}, headers=team.auth
    ).get_json()["items"]
    assert sorted((a["id"], a["status"]) for a in everything) == [
        (first.get_json()["id"], "archived"),
        (third.get_json()["id"], "active"),
    ]


def test_openapi_documents_both_answers_of_adding_the_kit_assessment(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    responses = spec["paths"][f"{API}/openings/{{opening_id}}/from-kit"]["post"]["responses"]
    assert {"200", "201"} <= set(responses)
    assert "Already added" in responses["200"]["description"]
    assert "Added" in responses["201"]["description"]
    for status in ("200", "201"):
        assert responses[status]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/AssessmentDetail"
        }


# --- questions -----------------------------------------------------------------------------------


def test_question_add_edit_rubric_versions_and_delete(client, team):
    assessment = build(client, team)
    skill_id = team.opening.skills[0].id
    added = client.post(
        f"{API}/{assessment['id']}/questions", json={**MC, "skill_id": skill_id}, headers=team.auth
    )
    assert added.status_code == 201
    question = added.get_json()
    assert question["skill_name"] == "Flask core" and question["rubric_version"] == 1
    assert [o["id"] for o in question["content"]["options"]] == ["a", "b", "c"]
    url = f"{API}/{assessment['id']}/questions/{question['id']}"

    edited = client.patch(url, json={"prompt": "Which status code means Created (REST)?"}, headers=team.auth)
    assert edited.status_code == 200, edited.get_json()
    result = edited.get_json()
    assert (
        result["rubric_version"] == 2 and result["rubric_changed"] is True and result["outdated_answers"] == 0
    )
    assert result["question"]["prompt"] == "Which status code means Created (REST)?"
    assert result["question"]["skill_id"] == skill_id, "fields left out keep their value"

    unchanged = client.patch(url, json={"skill_id": None}, headers=team.auth).get_json()
    assert unchanged["rubric_changed"] is False and unchanged["rubric_version"] == 2
    assert unchanged["question"]["skill_id"] is None and unchanged["question"]["skill_name"] is None

    rubrics = client.get(f"{url}/rubrics", headers=team.auth)
    assert rubrics.status_code == 200
    assert rubrics.get_json()["current_version"] == 2
    versions = rubrics.get_json()["items"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["snapshot"]["prompt"] == MC["prompt"]
    assert versions[0]["created_by_id"] == team.recruiter.id

    kind_change = client.patch(url, json={"kind": "free_text"}, headers=team.auth)
    assert kind_change.status_code == 422 and "kind" in details(kind_change)

    assert client.delete(url, headers=team.auth).status_code == 204
    assert client.get(f"{API}/{assessment['id']}", headers=team.auth).get_json()["questions"] == []
    assert client.get(f"{url}/rubrics", headers=team.auth).status_code == 404
    assert client.delete(url, headers=team.auth).status_code == 404


@pytest.mark.parametrize(
    ("payload", "where", "field"),
    [
        ({**MC, "content": {"options": [{"text": "only one", "correct": True}]}}, None, "options"),
        ({**MC, "content": {"options": [{"text": "a"}, {"text": "b"}]}}, None, "options"),
        (
            {**MC, "content": {"options": [{"text": ""}, {"text": "b", "correct": True}]}},
            None,
            "options.0.text",
        ),
        ({**FREE_TEXT, "content": {"key_points": ["x"]}}, None, "expected_answer"),
        ({**CODE, "content": {**CODE["content"], "function_name": "class"}}, None, "function_name"),
        ({**CODE, "content": {**CODE["content"], "tests": [{"args": 1}]}}, None, "tests.0"),
        ({**MC, "kind": "essay"}, "json", "kind"),
        ({**MC, "points": 0}, "json", "points"),
        ({**MC, "prompt": "  "}, "json", "prompt"),
        ({**MC, "skill_id": 999999}, None, "skill_id"),
        ({**MC, "points": "2"}, "json", "points"),
        ({**MC, "content": "not an object"}, "json", "content"),
    ],
)
def test_bad_questions_are_422_with_the_field_named(client, team, payload, where, field):
    assessment = build(client, team)
    response = client.post(f"{API}/{assessment['id']}/questions", json=payload, headers=team.auth)
    assert response.status_code == 422, response.get_json()
    located = details(response)[where] if where else details(response)
    assert field in located, located


def test_question_from_the_bank(client, team):
    bank_question = create_bank_question(
        team.recruiter,
        text="What does Flask's application context hold?",
        expected_answer="current_app and g for the duration of a request or CLI command.",
        key_points=[{"label": "current_app", "text": "The app being served"}],
        skill="Flask core",
    )
    assessment = build(client, team)
    response = client.post(
        f"{API}/{assessment['id']}/questions/from-bank",
        json={"bank_question_id": bank_question.id, "points": 4},
        headers=team.auth,
    )
    assert response.status_code == 201, response.get_json()
    question = response.get_json()
    assert question["kind"] == "free_text" and question["points"] == 4
    assert question["bank_question_id"] == bank_question.id
    assert question["skill_name"] == "Flask core", "the bank's skill name is matched to the scorecard"
    assert question["content"]["expected_answer"].startswith("current_app and g")

    default_points = client.post(
        f"{API}/{assessment['id']}/questions/from-bank",
        json={"bank_question_id": bank_question.id},
        headers=team.auth,
    )
    assert default_points.status_code == 201 and default_points.get_json()["points"] == 5
    missing = client.post(
        f"{API}/{assessment['id']}/questions/from-bank", json={"bank_question_id": 999999}, headers=team.auth
    )
    assert missing.status_code == 404
    bad_points = client.post(
        f"{API}/{assessment['id']}/questions/from-bank",
        json={"bank_question_id": bank_question.id, "points": 500},
        headers=team.auth,
    )
    assert bad_points.status_code == 422 and "points" in details(bad_points)["json"]


# --- invitations ---------------------------------------------------------------------------------


def test_invitation_token_is_shown_once_and_only_its_hash_is_stored(client, team):
    assessment = build(client, team, MC)
    items = invite(client, team, assessment["id"], team.application, team.second)
    assert [item["application_id"] for item in items] == [team.application.id, team.second.id]
    for item in items:
        token = item["token"]
        assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 128
        assert item["link"].endswith(f"/assessment/{token}") and item["state"] == "invited"
        assert item["candidate"]["email"] and item["outbox_message_id"] is not None
        stored = db.session.get(AssessmentInvitation, item["id"])
        assert stored is not None and stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        columns = [getattr(stored, c.key) for c in AssessmentInvitation.__table__.columns]
        assert token not in [str(value) for value in columns]
    assert items[0]["token"] != items[1]["token"]

    listed = client.get(f"{API}/{assessment['id']}/invitations", headers=team.auth)
    assert listed.status_code == 200
    rows = listed.get_json()["items"]
    assert {row["state"] for row in rows} == {"invited"}
    assert all("token" not in row and "link" not in row for row in rows), "the token is never shown again"
    assert rows[0]["invited_by"]["id"] == team.recruiter.id


def test_invitation_conflicts_validation_and_revoke(client, team):
    assessment = build(client, team, MC)
    first = invite(client, team, assessment["id"])[0]
    url = f"{API}/{assessment['id']}/invitations"

    again = client.post(url, json={"application_ids": [team.application.id]}, headers=team.auth)
    assert (
        again.status_code == 409 and "already has an open invitation" in again.get_json()["error"]["message"]
    )
    other_opening = ApplicationFactory()
    foreign = client.post(url, json={"application_ids": [other_opening.id]}, headers=team.auth)
    assert (
        foreign.status_code == 409 and "applied to another opening" in foreign.get_json()["error"]["message"]
    )
    assert client.post(url, json={"application_ids": []}, headers=team.auth).status_code == 422
    bad_days = client.post(
        url, json={"application_ids": [team.second.id], "valid_days": 0}, headers=team.auth
    )
    assert bad_days.status_code == 422 and "valid_days" in details(bad_days)["json"]
    wrong_type = client.post(url, json={"application_ids": ["x"]}, headers=team.auth)
    assert wrong_type.status_code == 422 and "application_ids" in details(wrong_type)["json"]
    assert client.post(url, json={"application_ids": [999999]}, headers=team.auth).status_code == 404
    twice = client.post(url, json={"application_ids": [team.second.id, team.second.id]}, headers=team.auth)
    assert twice.status_code == 201 and len(twice.get_json()["items"]) == 1, "one link per application"
    skipping = client.post(
        url,
        json={"application_ids": [team.application.id, team.second.id], "skip_invited": True},
        headers=team.auth,
    )
    assert skipping.status_code == 201 and skipping.get_json()["items"] == [], "both already have open links"

    revoked = client.post(f"{API}/invitations/{first['id']}/revoke", headers=team.auth)
    assert revoked.status_code == 200 and revoked.get_json()["state"] == "revoked"
    assert client.get(f"{TAKE}/{first['token']}").get_json()["state"] == "revoked"
    closed = client.post(f"{TAKE}/{first['token']}/start")
    assert closed.status_code == 409 and "withdrawn" in closed.get_json()["error"]["message"]
    renewed = client.post(
        url, json={"application_ids": [team.application.id], "valid_days": 3}, headers=team.auth
    )
    assert renewed.status_code == 201, "a revoked link no longer blocks a new invitation"
    assert client.post(f"{API}/invitations/999999/revoke", headers=team.auth).status_code == 404

    empty = build(client, team)
    no_questions = client.post(
        f"{API}/{empty['id']}/invitations", json={"application_ids": [team.second.id]}, headers=team.auth
    )
    assert no_questions.status_code == 409
    client.patch(f"{API}/{assessment['id']}", json={"status": "archived"}, headers=team.auth)
    archived = client.post(url, json={"application_ids": [team.second.id]}, headers=team.auth)
    assert archived.status_code == 409


# --- the candidate's side ------------------------------------------------------------------------


def test_candidate_takes_the_assessment_through_the_token(client, team, clock):
    assessment = build(client, team, {**MC, "skill_id": team.opening.skills[0].id}, FREE_TEXT)
    token = invite(client, team, assessment["id"])[0]["token"]
    mc_id, text_id = question_id(assessment, "multiple_choice"), question_id(assessment, "free_text")

    ready = client.get(f"{TAKE}/{token}")
    assert ready.status_code == 200
    body = ready.get_json()
    assert body["state"] == "ready" and body["questions"] == [] and body["deadline_at"] is None
    assert body["assessment"]["title"] == "Screening" and body["seconds_left"] == 30 * 60
    assert ready.headers["Cache-Control"] == "no-store" and ready.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in ready.headers

    early = client.put(f"{TAKE}/{token}/answers/{mc_id}", json={"response": {"selected": ["a"]}})
    assert early.status_code == 409 and "Start" in early.get_json()["error"]["message"]

    started = client.post(f"{TAKE}/{token}/start")
    assert started.status_code == 200
    state = started.get_json()
    assert state["state"] == "in_progress" and state["seconds_left"] == 30 * 60 and state["deadline_at"]
    assert {q["id"] for q in state["questions"]} == {mc_id, text_id}
    assert all(q["response"] is None for q in state["questions"])
    clock.now += timedelta(minutes=5)
    resumed = client.post(f"{TAKE}/{token}/start").get_json()
    assert resumed["deadline_at"] == state["deadline_at"], "starting again never resets the timer"
    assert resumed["seconds_left"] == 25 * 60

    created = shown_id(client, token, mc_id, "a")
    saved = client.put(
        f"{TAKE}/{token}/answers/{mc_id}",
        json={
            "response": {"selected": [created]},
            "signals": {"paste_count": 0, "blur_count": 2, "time_spent_seconds": 40},
        },
    )
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["seconds_left"] == 25 * 60 and saved.get_json()["saved_at"]
    written = client.put(
        f"{TAKE}/{token}/answers/{text_id}",
        json={
            "response": {"text": "create_app builds the app, so tests get their own configuration."},
            "signals": {"paste_count": 1, "pasted_chars": 64, "blur_count": 1, "time_spent_seconds": 90},
        },
    )
    assert written.status_code == 200
    lower = client.put(
        f"{TAKE}/{token}/answers/{mc_id}",
        json={"response": {"selected": [created]}, "signals": {"blur_count": 0, "time_spent_seconds": 5}},
    )
    assert lower.status_code == 200

    shown = client.get(f"{TAKE}/{token}").get_json()
    responses = {q["id"]: q["response"] for q in shown["questions"]}
    assert responses[mc_id] == {"selected": [created]} and responses[text_id]["text"].startswith("create_app")

    unknown_option = client.put(f"{TAKE}/{token}/answers/{mc_id}", json={"response": {"selected": ["z"]}})
    assert unknown_option.status_code == 422 and "selected" in details(unknown_option)
    not_a_dict = client.put(f"{TAKE}/{token}/answers/{mc_id}", json={"response": "a"})
    assert not_a_dict.status_code == 422 and "response" in details(not_a_dict)["json"]
    bad_signal = client.put(
        f"{TAKE}/{token}/answers/{mc_id}",
        json={"response": {"selected": ["a"]}, "signals": {"blur_count": "x"}},
    )
    assert bad_signal.status_code == 422 and "signals" in details(bad_signal)["json"]
    assert client.put(f"{TAKE}/{token}/answers/999999", json={"response": {"text": "x"}}).status_code == 404

    submitted = client.post(f"{TAKE}/{token}/submit")
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["state"] == "submitted" and submitted.get_json()["questions"] == []
    second = client.post(f"{TAKE}/{token}/submit")
    assert second.status_code == 409 and "already been submitted" in second.get_json()["error"]["message"]
    late_edit = client.put(f"{TAKE}/{token}/answers/{mc_id}", json={"response": {"selected": ["b"]}})
    assert late_edit.status_code == 409
    assert client.post(f"{TAKE}/{token}/start").status_code == 409
    assert client.get(f"{TAKE}/{token}").get_json()["state"] == "submitted"

    # The hiring team's side of the same attempt.
    results = client.get(f"{API}/applications/{team.application.id}/attempts", headers=team.auth)
    assert results.status_code == 200
    [summary] = results.get_json()["items"]
    assert summary["status"] == "submitted" and summary["submitted_by"] == "candidate"
    assert summary["scoring_status"] == "scored" and summary["assessment_id"] == assessment["id"]
    assert summary["totals"]["max_points"] == 7 and summary["totals"]["pending"] == 0
    assert 2 <= summary["totals"]["points"] <= 7
    assert summary["skills"] == [
        {
            "skill_id": team.opening.skills[0].id,
            "skill_name": "Flask core",
            "points": 2.0,
            "max_points": 2.0,
            "percent": 100.0,
        }
    ]

    review = client.get(f"{API}/attempts/{summary['id']}", headers=team.auth)
    assert review.status_code == 200
    detail = review.get_json()
    assert detail["signals_note"].startswith("Signals only, not verdicts: ")
    assert detail["candidate"]["id"] == team.application.candidate_id
    choice, text = detail["answers"]
    assert choice["question_id"] == mc_id and choice["response"] == {"selected": ["a"]}
    assert choice["auto_points"] == 2.0 and choice["final_points"] == 2.0 and choice["max_points"] == 2.0
    assert choice["override_points"] is None and choice["scorer"] == "hirewise-choice"
    assert choice["rubric_version"] == 1 and choice["explanation"]["kind"] == "multiple_choice"
    assert choice["signals"] == {
        "paste_count": 0,
        "pasted_chars": 0,
        "blur_count": 2,
        "time_spent_seconds": 40,
        "similarity": None,
        "similar_answer_id": None,
    }, "counts only grow: a later save with lower counts does not erase them"
    assert text["signals"]["paste_count"] == 1 and text["signals"]["pasted_chars"] == 64
    assert text["scorer"] and text["scorer_version"] and text["explanation"]["kind"] == "free_text"
    assert 0 <= text["auto_points"] <= 5


def test_candidate_view_never_shows_what_scores_an_answer(client, team):
    _, token = take(client, team, MC, FREE_TEXT, CODE)
    response = client.get(f"{TAKE}/{token}")
    body = response.get_json()
    assert body["state"] == "in_progress" and len(body["questions"]) == 3
    forbidden = {
        "correct",
        "expected_answer",
        "key_points",
        "tests",
        "content",
        "partial_credit",
        "rubric_version",
    }
    assert not keys_anywhere(body) & forbidden
    raw = response.get_data(as_text=True)
    assert "secret-hidden-case" not in raw and "424242" not in raw
    assert "create_app function builds the app" not in raw and "Factory function" not in raw

    by_kind = {q["kind"]: q for q in body["questions"]}
    choice = by_kind["multiple_choice"]
    assert sorted(o["text"] for o in choice["options"]) == sorted(MC_TEXTS.values())
    ids = [o["id"] for o in choice["options"]]
    assert len(set(ids)) == 3 and not set(ids) & set(MC_TEXTS), "the attempt's own ids, never the real ones"
    assert all(set(option) == {"id", "text"} for option in choice["options"])
    assert choice["multiple"] is False
    code = by_kind["code"]
    assert code["starter_code"].startswith("def add") and code["function_name"] == "add"
    assert code["examples"] == [{"name": "small numbers", "args": [1, 2], "expected": 3}]
    assert set(by_kind["free_text"]) == {"id", "kind", "prompt", "points", "response", "saved_at"}
    order = [q["id"] for q in client.post(f"{TAKE}/{token}/start").get_json()["questions"]]
    assert order == [q["id"] for q in body["questions"]], "the candidate's order is fixed at start"


def test_answers_after_the_deadline_are_rejected_and_the_attempt_closes(client, team, clock, app):
    assessment, token = take(client, team, MC)
    mc_id = question_id(assessment, "multiple_choice")
    a, b = shown_id(client, token, mc_id, "a"), shown_id(client, token, mc_id, "b")
    assert (
        client.put(f"{TAKE}/{token}/answers/{mc_id}", json={"response": {"selected": [a]}}).status_code == 200
    )

    grace = timedelta(seconds=app.config["ASSESSMENT_GRACE_SECONDS"])
    clock.now += timedelta(minutes=30) + grace / 2
    within_grace = client.put(f"{TAKE}/{token}/answers/{mc_id}", json={"response": {"selected": [b]}})
    assert within_grace.status_code == 200 and within_grace.get_json()["seconds_left"] == 0

    clock.now += grace
    late = client.put(f"{TAKE}/{token}/answers/{mc_id}", json={"response": {"selected": [a]}})
    assert late.status_code == 409
    assert "The time for this assessment is over" in late.get_json()["error"]["message"]
    assert client.get(f"{TAKE}/{token}").get_json()["state"] == "submitted"
    assert client.post(f"{TAKE}/{token}/submit").status_code == 409

    [summary] = client.get(
        f"{API}/applications/{team.application.id}/attempts", headers=team.auth
    ).get_json()["items"]
    assert summary["submitted_by"] == "deadline"
    answer = client.get(f"{API}/attempts/{summary['id']}", headers=team.auth).get_json()["answers"][0]
    assert answer["response"] == {"selected": ["b"]}, (
        "the save inside the grace counts, the late one does not"
    )


def test_submit_after_the_deadline_closes_at_the_deadline(client, team, clock):
    _, token = take(client, team, MC)
    clock.now += timedelta(hours=2)
    response = client.post(f"{TAKE}/{token}/submit")
    assert response.status_code == 200 and response.get_json()["state"] == "submitted"
    [summary] = client.get(
        f"{API}/applications/{team.application.id}/attempts", headers=team.auth
    ).get_json()["items"]
    assert summary["submitted_by"] == "deadline" and summary["submitted_at"] == summary["deadline_at"]


def test_expired_and_unknown_links(client, team, clock):
    assessment = build(client, team, MC)
    response = client.post(
        f"{API}/{assessment['id']}/invitations",
        json={"application_ids": [team.application.id], "valid_days": 1},
        headers=team.auth,
    )
    token = response.get_json()["items"][0]["token"]
    clock.now += timedelta(days=1, minutes=1)
    expired = client.get(f"{TAKE}/{token}")
    assert expired.status_code == 200 and expired.get_json()["state"] == "expired"
    assert expired.get_json()["questions"] == []
    start = client.post(f"{TAKE}/{token}/start")
    assert start.status_code == 409 and "expired" in start.get_json()["error"]["message"]
    save = client.put(f"{TAKE}/{token}/answers/{assessment['questions'][0]['id']}", json={"response": {}})
    assert save.status_code == 409
    assert client.post(f"{TAKE}/{token}/submit").status_code == 409

    unknown = "A" * 43
    for method, path in (("GET", ""), ("POST", "/start"), ("POST", "/submit")):
        missing = client.open(f"{TAKE}/{unknown}{path}", method=method)
        assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert client.put(f"{TAKE}/{unknown}/answers/1", json={"response": {}}).status_code == 404
    assert client.get(f"{TAKE}/short").status_code == 404


def test_candidate_routes_are_rate_limited_per_address(client, app, team, monkeypatch):
    assessment = build(client, team, MC)
    token = invite(client, team, assessment["id"])[0]["token"]
    monkeypatch.setitem(app.config, "ASSESSMENT_ATTEMPT_RATE_LIMIT", "3 per minute")
    scanner = {"REMOTE_ADDR": "203.0.113.77"}
    try:
        statuses = [client.get(f"{TAKE}/{token}", environ_base=scanner).status_code for _ in range(3)]
        blocked = client.get(f"{TAKE}/{'B' * 43}", environ_base=scanner)
        other_address = client.get(f"{TAKE}/{token}", environ_base={"REMOTE_ADDR": "198.51.100.4"})
    finally:
        limiter.reset()
    assert statuses == [200, 200, 200]
    assert blocked.status_code == 429 and blocked.get_json()["error"]["status"] == 429
    assert other_address.status_code == 200


def test_the_candidate_page_and_its_api_share_one_bucket_per_address(client, app, team, monkeypatch):
    # ASSESSMENT_ATTEMPT_RATE_LIMIT is one budget per client address for the page *and* its API.
    assessment = build(client, team, MC)
    token = invite(client, team, assessment["id"])[0]["token"]
    monkeypatch.setitem(app.config, "ASSESSMENT_ATTEMPT_RATE_LIMIT", "4 per minute")
    visitor = {"REMOTE_ADDR": "203.0.113.78"}
    page, api = f"/assessment/{token}", f"{TAKE}/{token}"
    try:
        statuses = [client.get(path, environ_base=visitor).status_code for path in (page, api, page, api)]
        page_after = client.get(page, environ_base=visitor)
        api_after = client.get(api, environ_base=visitor)
        other_address = client.get(page, environ_base={"REMOTE_ADDR": "198.51.100.5"})
    finally:
        limiter.reset()
    assert statuses == [200, 200, 200, 200]
    assert page_after.status_code == 429 and "text/html" in page_after.content_type
    assert api_after.status_code == 429 and api_after.get_json()["error"]["status"] == 429
    assert other_address.status_code == 200


# --- review, overrides, rescoring ------------------------------------------------------------------


def submitted_attempt(client: FlaskClient, team: Team, selected: str = "b") -> tuple[dict[str, Any], int]:
    """An MC + free-text assessment the application has submitted; returns it and the attempt id."""
    assessment, token = take(client, team, MC, FREE_TEXT)
    mc_id = question_id(assessment, "multiple_choice")
    client.put(
        f"{TAKE}/{token}/answers/{mc_id}",
        json={"response": {"selected": [shown_id(client, token, mc_id, selected)]}},
    )
    assert client.post(f"{TAKE}/{token}/submit").status_code == 200
    attempts_url = f"{API}/applications/{team.application.id}/attempts"
    return assessment, int(client.get(attempts_url, headers=team.auth).get_json()["items"][0]["id"])


def test_override_is_audited_and_can_be_cleared(client, team):
    _, attempt_id = submitted_attempt(client, team, selected="b")
    answer = client.get(f"{API}/attempts/{attempt_id}", headers=team.auth).get_json()["answers"][0]
    assert answer["auto_points"] == 0.0
    url = f"{API}/attempts/{attempt_id}/answers/{answer['id']}/override"

    overridden = client.post(
        url, json={"points": 1.5, "reason": "200 is defensible for an upsert."}, headers=team.auth
    )
    assert overridden.status_code == 200, overridden.get_json()
    body = overridden.get_json()
    assert body["override_points"] == 1.5 and body["final_points"] == 1.5 and body["auto_points"] == 0.0
    assert body["override_reason"] == "200 is defensible for an upsert."
    assert body["overridden_by"]["id"] == team.recruiter.id
    event = db.session.execute(
        select(AuditEvent).where(
            AuditEvent.object_type == "assessment_answer", AuditEvent.object_id == answer["id"]
        )
    ).scalar_one()
    assert event.action == "override" and event.actor_id == team.recruiter.id
    assert event.after is not None and event.after["override_points"] == 1.5
    totals = client.get(f"{API}/applications/{team.application.id}/attempts", headers=team.auth).get_json()
    assert totals["items"][0]["totals"]["overridden"] == 1

    too_high = client.post(url, json={"points": 3, "reason": "generous"}, headers=team.auth)
    assert too_high.status_code == 422 and "points" in details(too_high)
    blank_reason = client.post(url, json={"points": 1, "reason": "   "}, headers=team.auth)
    assert blank_reason.status_code == 422 and "reason" in details(blank_reason)["json"]
    no_reason = client.post(url, json={"points": 1}, headers=team.auth)
    assert no_reason.status_code == 422 and "reason" in details(no_reason)["json"]
    not_a_number = client.post(url, json={"points": "lots", "reason": "x"}, headers=team.auth)
    assert not_a_number.status_code == 422 and "points" in details(not_a_number)["json"]

    cleared = client.delete(url, headers=team.auth)
    assert cleared.status_code == 200
    assert cleared.get_json()["override_points"] is None and cleared.get_json()["final_points"] == 0.0
    actions = db.session.execute(
        select(AuditEvent.action).where(
            AuditEvent.object_type == "assessment_answer", AuditEvent.object_id == answer["id"]
        )
    ).scalars()
    assert sorted(actions) == ["clear_override", "override"]
    assert (
        client.post(
            f"{API}/attempts/{attempt_id}/answers/999999/override",
            json={"points": 1, "reason": "x"},
            headers=team.auth,
        ).status_code
        == 404
    )


def test_rubric_change_reports_outdated_answers_and_rescore_updates_them(client, team):
    assessment, attempt_id = submitted_attempt(client, team, selected="b")
    mc_id = question_id(assessment, "multiple_choice")
    add = client.post(f"{API}/{assessment['id']}/questions", json=MC, headers=team.auth)
    assert add.status_code == 409, "questions are frozen once candidates have taken the assessment"
    assert client.delete(f"{API}/{assessment['id']}/questions/{mc_id}", headers=team.auth).status_code == 409

    options = [{"text": "201", "correct": True}, {"text": "200", "correct": True}, {"text": "302"}]
    edited = client.patch(
        f"{API}/{assessment['id']}/questions/{mc_id}",
        json={"content": {**MC["content"], "options": options}},
        headers=team.auth,
    )
    assert edited.status_code == 200
    assert edited.get_json()["rubric_changed"] is True and edited.get_json()["outdated_answers"] == 1

    rescored = client.post(f"{API}/{assessment['id']}/rescore", json={}, headers=team.auth)
    assert rescored.status_code == 202 and rescored.get_json() == {"count": 1}
    answer = client.get(f"{API}/attempts/{attempt_id}", headers=team.auth).get_json()["answers"][0]
    assert answer["rubric_version"] == 2 and answer["current_rubric_version"] == 2
    assert answer["auto_points"] == 0.0, (
        "two correct options now: choosing only one of them scores 0 without partial credit"
    )

    none = client.post(
        f"{API}/{assessment['id']}/rescore", json={"attempt_ids": [attempt_id + 1000]}, headers=team.auth
    )
    assert none.status_code == 202 and none.get_json() == {"count": 0}
    no_body = client.post(f"{API}/{assessment['id']}/rescore", headers=team.auth)
    assert no_body.status_code == 202 and no_body.get_json() == {"count": 1}
    bad = client.post(f"{API}/{assessment['id']}/rescore", json={"attempt_ids": "all"}, headers=team.auth)
    assert bad.status_code == 422 and "attempt_ids" in details(bad)["json"]


def test_override_before_submission_is_a_conflict(client, team):
    assessment, token = take(client, team, MC)
    mc_id = question_id(assessment, "multiple_choice")
    client.put(
        f"{TAKE}/{token}/answers/{mc_id}",
        json={"response": {"selected": [shown_id(client, token, mc_id, "a")]}},
    )
    answer = db.session.execute(
        select(AssessmentAnswer).where(AssessmentAnswer.question_id == mc_id)
    ).scalar_one()
    response = client.post(
        f"{API}/attempts/{answer.attempt_id}/answers/{answer.id}/override",
        json={"points": 1, "reason": "early"},
        headers=team.auth,
    )
    assert response.status_code == 409
    listed = client.get(f"{API}/applications/{team.application.id}/attempts", headers=team.auth)
    assert listed.get_json()["items"] == [], "results list submitted attempts only"
    in_progress = client.get(f"{API}/{assessment['id']}/invitations", headers=team.auth).get_json()["items"]
    assert in_progress[0]["state"] == "in progress" and in_progress[0]["attempt_id"] == answer.attempt_id


# --- permissions ---------------------------------------------------------------------------------


def test_hiring_manager_on_the_team_builds_invites_and_reviews(client, team):
    team.auth = headers(team.manager)
    _, attempt_id = submitted_attempt(client, team)
    assert client.get(f"{API}/attempts/{attempt_id}", headers=team.auth).status_code == 200


def test_interviewer_and_outsiders_see_no_assessment_data(client, team):
    assessment, attempt_id = submitted_attempt(client, team)
    answer_id = client.get(f"{API}/attempts/{attempt_id}", headers=team.auth).get_json()["answers"][0]["id"]
    invitation_id = client.get(f"{API}/{assessment['id']}/invitations", headers=team.auth).get_json()[
        "items"
    ][0]["id"]
    question = assessment["questions"][0]["id"]

    interviewer = UserFactory(role=Role.INTERVIEWER)
    schedule(
        team.recruiter, team.application, [interviewer]
    )  # assigned: may see the application, never the screening answers
    outsider = UserFactory(role=Role.HIRING_MANAGER)
    for user in (interviewer, outsider):
        auth = headers(user)
        hidden = [
            client.get(f"{API}/{assessment['id']}", headers=auth),
            client.get(f"{API}/{assessment['id']}/invitations", headers=auth),
            client.get(f"{API}/{assessment['id']}/questions/{question}/rubrics", headers=auth),
            client.patch(f"{API}/{assessment['id']}", json={"title": "Mine"}, headers=auth),
            client.post(f"{API}/{assessment['id']}/questions", json=MC, headers=auth),
            client.post(f"{API}/{assessment['id']}/rescore", json={}, headers=auth),
            client.post(
                f"{API}/{assessment['id']}/invitations",
                json={"application_ids": [team.second.id]},
                headers=auth,
            ),
            client.post(f"{API}/invitations/{invitation_id}/revoke", headers=auth),
            client.get(f"{API}/attempts/{attempt_id}", headers=auth),
            client.post(
                f"{API}/attempts/{attempt_id}/answers/{answer_id}/override",
                json={"points": 2, "reason": "x"},
                headers=auth,
            ),
            client.delete(f"{API}/attempts/{attempt_id}/answers/{answer_id}/override", headers=auth),
        ]
        assert [r.status_code for r in hidden] == [404] * len(hidden), user.role
        forbidden = [
            client.get(f"{API}/openings/{team.opening.id}", headers=auth),
            client.post(f"{API}/openings/{team.opening.id}", json={"title": "Mine"}, headers=auth),
            client.post(f"{API}/openings/{team.opening.id}/from-kit", headers=auth),
            client.get(f"{API}/applications/{team.application.id}/attempts", headers=auth),
        ]
        assert [r.status_code for r in forbidden] == [403] * len(forbidden), user.role
    assert db.session.get(AssessmentAnswer, answer_id).override_points is None


def test_read_only_token_reads_but_cannot_change(client, team):
    assessment = build(client, team, MC)
    read_only = headers(team.recruiter, "read")
    assert client.get(f"{API}/{assessment['id']}", headers=read_only).status_code == 200
    assert client.get(f"{API}/openings/{team.opening.id}", headers=read_only).status_code == 200
    writes = [
        client.post(f"{API}/openings/{team.opening.id}", json={"title": "T"}, headers=read_only),
        client.patch(f"{API}/{assessment['id']}", json={"title": "T"}, headers=read_only),
        client.post(f"{API}/{assessment['id']}/questions", json=MC, headers=read_only),
        client.post(
            f"{API}/{assessment['id']}/invitations",
            json={"application_ids": [team.application.id]},
            headers=read_only,
        ),
        client.post(f"{API}/{assessment['id']}/rescore", json={}, headers=read_only),
    ]
    assert [r.status_code for r in writes] == [403] * len(writes)
    assert "'write' scope" in writes[0].get_json()["error"]["message"]
    assert client.get(f"{API}/{assessment['id']}").status_code == 401


# --- the OpenAPI spec ----------------------------------------------------------------------------


def test_openapi_spec_documents_every_route(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    expected = {
        f"{API}/openings/{{opening_id}}": {"get", "post"},
        f"{API}/openings/{{opening_id}}/from-kit": {"post"},
        f"{API}/{{assessment_id}}": {"get", "patch"},
        f"{API}/{{assessment_id}}/questions": {"post"},
        f"{API}/{{assessment_id}}/questions/from-bank": {"post"},
        f"{API}/{{assessment_id}}/questions/{{question_id}}": {"patch", "delete"},
        f"{API}/{{assessment_id}}/questions/{{question_id}}/rubrics": {"get"},
        f"{API}/{{assessment_id}}/invitations": {"get", "post"},
        f"{API}/invitations/{{invitation_id}}/revoke": {"post"},
        f"{API}/applications/{{application_id}}/attempts": {"get"},
        f"{API}/attempts/{{attempt_id}}": {"get"},
        f"{API}/attempts/{{attempt_id}}/answers/{{answer_id}}/override": {"post", "delete"},
        f"{API}/{{assessment_id}}/rescore": {"post"},
        f"{TAKE}/{{token}}": {"get"},
        f"{TAKE}/{{token}}/start": {"post"},
        f"{TAKE}/{{token}}/answers/{{question_id}}": {"put"},
        f"{TAKE}/{{token}}/submit": {"post"},
    }
    for path, methods in expected.items():
        assert path in spec["paths"], path
        operations = {m: op for m, op in spec["paths"][path].items() if m != "parameters"}
        assert set(operations) == methods, path
        assert all(op.get("summary") for op in operations.values()), f"{path} needs docstrings"
        if path.startswith(TAKE):
            assert all(op["security"] == [] for op in operations.values()), "the token is the credential"
    assert "202" in spec["paths"][f"{API}/{{assessment_id}}/rescore"]["post"]["responses"]
    candidate = json.dumps(spec["components"]["schemas"]["CandidateQuestion"])
    assert "correct" not in candidate and "expected_answer" not in candidate


def test_an_invitation_never_names_a_candidate_of_an_opening_the_caller_cannot_see(client, team):
    assessment = build(client, team, MC)
    hidden = ApplicationFactory()  # another opening, whose team the caller is not on
    manager = UserFactory(role=Role.HIRING_MANAGER)
    team.opening.team.append(manager)
    db.session.commit()
    response = client.post(
        f"{API}/{assessment['id']}/invitations",
        json={"application_ids": [hidden.id]},
        headers=headers(manager),
    )
    assert response.status_code in (403, 404)
    assert hidden.candidate.full_name not in response.get_data(as_text=True)
    too_many = client.post(
        f"{API}/{assessment['id']}/invitations",
        json={"application_ids": list(range(1, 202))},
        headers=team.auth,
    )
    assert too_many.status_code == 422 and "application_ids" in details(too_many)["json"]


def test_json_nested_too_deeply_is_a_client_error_not_a_crash(client, team):
    assessment = build(client, team, MC)
    token = invite(client, team, assessment["id"])[0]["token"]
    started = client.post(f"{TAKE}/{token}/start").get_json()
    question_id = started["questions"][0]["id"]
    deep = '{"response": {"selected": ' + "[" * 5000 + "]" * 5000 + "}}"
    body = client.put(
        f"{TAKE}/{token}/answers/{question_id}", data=deep, headers={"Content-Type": "application/json"}
    )
    assert body.status_code == 400 and body.get_json()["error"]["status"] == 400

    fresh = build(client, team, MC)
    nested_string = {**CODE, "content": {**CODE["content"], "tests": "[" * 5000 + "]" * 5000}}
    created = client.post(f"{API}/{fresh['id']}/questions", json=nested_string, headers=team.auth)
    assert created.status_code == 422 and "nested too deeply" in str(created.get_json()["error"]["details"])
