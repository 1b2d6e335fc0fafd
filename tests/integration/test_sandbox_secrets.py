"""The sandbox leak replayed in embedded mode, where the web process itself runs the sandbox.

A recruiter builds a code question and invites an application; the "candidate" answers with code that
hunts for the server's secrets, through the JSON API and through the plain HTML forms; scoring runs
in this process, whose environment holds a canary under the secrets' names. The canary and the app's
real secret key must appear in no response (review page, API), no stored answer and no log line.
"""

from __future__ import annotations

import json
import logging
import secrets
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

import hirewise
from hirewise.assessments.models import AssessmentAnswer, AssessmentAttempt, ScoringStatus
from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role
from tests.api.test_assessments_api import (  # noqa: F401 - team is a fixture
    API,
    TAKE,
    build,
    headers,
    invite,
    question_id,
    team,
)
from tests.sandbox_attacks import secret_hunt

CANARY = "hwcanary-" + secrets.token_hex(16)
SECRET_NAMES = ("SECRET_KEY", "DATABASE_URL", "MAIL_PASSWORD", "REDIS_URL", "HIREWISE_CANARY")

HUNTED_QUESTION = {
    "kind": "code",
    "prompt": "Write add(a, b).",
    "points": 3,
    "content": {
        "function_name": "add",
        "examples": [{"args": [1, 2], "expected": 3, "name": "small numbers"}],
        "tests": [{"args": [40, 2], "expected": 42, "name": "hidden"}],
    },
}


@pytest.fixture
def server_secrets(monkeypatch: pytest.MonkeyPatch) -> str:
    for name in SECRET_NAMES:
        monkeypatch.setenv(name, f"{name.lower()}-{CANARY}")
    return CANARY


def hunt_code(app: Flask) -> str:
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    paths = [database, str(Path(app.instance_path)), str(Path(hirewise.__file__)), str(Path.home())]
    return secret_hunt("add", paths)


def assert_nothing_secret(app: Flask, *texts: str) -> None:
    for text in texts:
        assert CANARY not in text
        assert app.config["SECRET_KEY"] not in text


def stored(attempt_id: int) -> str:
    answers = select(AssessmentAnswer).where(AssessmentAnswer.attempt_id == attempt_id)
    from hirewise.extensions import db

    rows = db.session.execute(answers).scalars().all()
    attempt = db.session.get(AssessmentAttempt, attempt_id)
    assert attempt is not None and attempt.scoring_status == ScoringStatus.SCORED, attempt
    events = db.session.execute(select(AuditEvent)).scalars().all()
    return json.dumps(
        [[row.response, row.explanation, row.auto_points] for row in rows]
        + [attempt.scoring_error]
        + [[event.summary, event.before, event.after] for event in events],
        default=str,
    )


def shown_outcome(answer: dict) -> list[str]:
    outcome: list[str] = answer["explanation"]["outcomes"][0]["actual"]
    assert any(line.startswith("1/environ: ") for line in outcome), "the hunt ran and its output is shown"
    return outcome


def test_the_repro_through_the_api_shows_nothing_secret(app, client, team, server_secrets, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    assessment = build(client, team, HUNTED_QUESTION)
    token = invite(client, team, assessment["id"])[0]["token"]
    assert client.post(f"{TAKE}/{token}/start").status_code == 200
    saved = client.put(
        f"{TAKE}/{token}/answers/{question_id(assessment, 'code')}",
        json={"response": {"code": hunt_code(app)}},
    )
    assert saved.status_code == 200, saved.get_json()
    assert client.post(f"{TAKE}/{token}/submit").status_code == 200  # scored in this process

    attempts = client.get(f"{API}/applications/{team.application.id}/attempts", headers=team.auth)
    attempt_id = attempts.get_json()["items"][0]["id"]
    review = client.get(f"{API}/attempts/{attempt_id}", headers=team.auth)
    assert review.status_code == 200
    outcome = shown_outcome(review.get_json()["answers"][0])
    assert "1/environ: " in outcome and "os.environ: {'PWD': '/tmp'}" in outcome
    assert all(line.endswith(("FileNotFoundError", "PermissionError")) for line in outcome[-4:]), outcome[-4:]
    assert_nothing_secret(app, review.get_data(as_text=True), attempts.get_data(as_text=True))
    assert_nothing_secret(app, stored(attempt_id), caplog.text)


def test_the_repro_through_the_pages_shows_nothing_secret(app, client, auth, team, server_secrets, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    assessment = build(client, team, HUNTED_QUESTION)
    token = invite(client, team, assessment["id"])[0]["token"]
    assert client.post(f"/assessment/{token}/start").status_code == 302
    code_id = question_id(assessment, "code")
    saved = client.post(f"/assessment/{token}/answers/{code_id}", data={"code": hunt_code(app)})
    assert saved.status_code == 302
    assert client.post(f"/assessment/{token}/submit").status_code in (200, 302)
    candidate_page = client.get(f"/assessment/{token}").get_data(as_text=True)

    auth.login(team.recruiter)
    attempts = client.get(f"{API}/applications/{team.application.id}/attempts", headers=team.auth)
    attempt_id = attempts.get_json()["items"][0]["id"]
    review = client.get(f"/assessment-attempts/{attempt_id}/review")
    assert review.status_code == 200
    page = review.get_data(as_text=True)
    assert "1/environ: " in page and "/sandbox/runner.py" in page  # the hunt's output is on the page
    application_page = client.get(f"/applications/{team.application.id}").get_data(as_text=True)
    assert_nothing_secret(app, page, candidate_page, application_page, stored(attempt_id), caplog.text)


def test_a_hiring_manager_cannot_write_the_attack_in_the_first_place(client, team):  # noqa: F811
    team.auth = headers(team.manager)
    created = client.post(f"{API}/openings/{team.opening.id}", json={"title": "Screening"}, headers=team.auth)
    assert created.status_code == 201
    refused = client.post(
        f"{API}/{created.get_json()['id']}/questions", json=HUNTED_QUESTION, headers=team.auth
    )
    assert refused.status_code == 403
    assert "recruiters and admins" in refused.get_json()["error"]["message"]
    assert team.manager.role == Role.HIRING_MANAGER
