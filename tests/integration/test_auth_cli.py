"""Operator commands: ``flask create-admin`` and ``flask create-token``."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hirewise.auth import services
from hirewise.auth.models import ApiToken, Role
from hirewise.extensions import db
from tests.factories import UserFactory

PASSWORD_ARG = "an admin passphrase"


def test_create_admin_with_a_password(runner, client):
    result = runner.invoke(
        args=["create-admin", "Boss@Example.com", "--password", PASSWORD_ARG, "--name", "Boss"]
    )
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.com" in result.output
    assert PASSWORD_ARG not in result.output
    user = services.find_user_by_email("boss@example.com")
    assert user is not None
    assert user.role == Role.ADMIN
    assert user.full_name == "Boss"
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    response = client.post("/login", data={"email": "boss@example.com", "password": PASSWORD_ARG})
    assert response.status_code == 302


def test_create_admin_with_a_generated_password_prints_it(runner, client):
    result = runner.invoke(args=["create-admin", "gen@example.com", "--password", "-"])
    assert result.exit_code == 0, result.output
    match = re.search(r"Generated password: (\S+)", result.output)
    assert match is not None, result.output
    generated = match.group(1)
    assert len(generated) >= 12
    response = client.post("/login", data={"email": "gen@example.com", "password": generated})
    assert response.status_code == 302


def test_create_admin_prompts_for_the_password(runner):
    result = runner.invoke(
        args=["create-admin", "prompt@example.com"], input=f"{PASSWORD_ARG}\n{PASSWORD_ARG}\n"
    )
    assert result.exit_code == 0, result.output
    assert services.authenticate("prompt@example.com", PASSWORD_ARG) is not None


def test_create_admin_refuses_a_duplicate_email(runner):
    existing = UserFactory(role=Role.RECRUITER)
    result = runner.invoke(args=["create-admin", existing.email.upper(), "--password", PASSWORD_ARG])
    assert result.exit_code != 0
    assert "already exists" in result.output
    db.session.expire_all()
    assert services.find_user_by_email(existing.email).role == Role.RECRUITER


def test_create_admin_refuses_a_short_password(runner):
    result = runner.invoke(args=["create-admin", "short@example.com", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert services.find_user_by_email("short@example.com") is None


def test_create_token_prints_a_working_token(runner, client):
    user = UserFactory(role=Role.RECRUITER)
    result = runner.invoke(args=["create-token", user.email, "--scope", "read,write", "--name", "sync"])
    assert result.exit_code == 0, result.output
    raw = result.output.strip()
    assert raw.startswith("hw_")
    token = services.user_for_api_token(raw)
    assert token is not None
    assert token[1].scope_set == {"read", "write"}
    assert token[1].name == "sync"

    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/openings", headers=headers).status_code == 200
    response = client.post("/api/v1/openings", headers=headers, json={"title": "Platform Engineer"})
    assert response.status_code == 201, response.get_data(as_text=True)


def test_create_token_defaults_to_read_only(runner, client):
    user = UserFactory(role=Role.RECRUITER)
    result = runner.invoke(args=["create-token", user.email])
    assert result.exit_code == 0, result.output
    headers = {"Authorization": f"Bearer {result.output.strip()}"}
    assert client.get("/api/v1/openings", headers=headers).status_code == 200
    assert client.post("/api/v1/openings", headers=headers, json={"title": "X"}).status_code == 403


@pytest.mark.parametrize("scope", ["admin", "read,delete", ","])
def test_create_token_refuses_a_bad_scope(runner, scope):
    user = UserFactory()
    result = runner.invoke(args=["create-token", user.email, "--scope", scope])
    assert result.exit_code != 0
    assert "Scopes must be a non-empty subset of read, write" in result.output
    assert db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id)).first() is None


def test_create_token_for_an_unknown_email_fails(runner):
    result = runner.invoke(args=["create-token", "ghost@example.com"])
    assert result.exit_code != 0
    assert "No user with the email ghost@example.com" in result.output
