"""Recovery from a leaked secret: where the key comes from, `flask rotate-secret`, and revoking every
API token at once.

Each test builds apps of its own on a migrated SQLite file, the way separate processes would start:
"restarting" is building a new app from the same environment.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from flask_login.utils import encode_cookie

from hirewise.auth.models import ApiToken, Role
from hirewise.auth.services import create_api_token, create_user
from hirewise.config import ConfigurationError, load_config
from hirewise.extensions import db

PASSWORD = "a long enough password"


@pytest.fixture(autouse=True)
def _transaction() -> Iterator[None]:
    """Replaces conftest's rollback-per-test: these apps have databases of their own."""
    yield


def sign_in(app: Flask, email: str, *, new_user: bool = True) -> FlaskClient:
    if new_user:
        with app.app_context():
            create_user(None, email=email, full_name="Ada", role=Role.ADMIN, password=PASSWORD)
            db.session.commit()
    client = app.test_client()
    data = {"email": email, "password": PASSWORD, "remember": "y"}
    if app.config["WTF_CSRF_ENABLED"]:
        data["csrf_token"] = form_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert client.get("/candidates").status_code == 200
    return client


def form_token(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found is not None, "the form carries a CSRF token"
    return found[1]


def invoke(app: Flask, *args: str) -> Any:
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def cookies_of(client: FlaskClient) -> dict[str, str]:
    return {cookie.key: cookie.value for cookie in client._cookies.values()}


def client_with(app: Flask, cookies: dict[str, str]) -> FlaskClient:
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


# --- where the key comes from ------------------------------------------------------------------


def test_development_makes_a_random_key_of_its_own_once(environment, tmp_path):
    first = load_config(str(tmp_path / "one"))
    key_file = tmp_path / "one" / "secret_key"
    assert first["SECRET_KEY_FILE"] == str(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == first["SECRET_KEY"] and len(first["SECRET_KEY"]) >= 64
    assert load_config(str(tmp_path / "one"))["SECRET_KEY"] == first["SECRET_KEY"], "kept across restarts"
    assert load_config(str(tmp_path / "two"))["SECRET_KEY"] != first["SECRET_KEY"], (
        "no two installations share one"
    )


def test_a_key_file_can_be_named_and_must_hold_a_key(environment, tmp_path):
    key_file = tmp_path / "mounted-secret"
    key_file.write_text("a-key-from-a-container-secret\n")
    environment.setenv("HIREWISE_ENV", "production")
    environment.setenv("SECRET_KEY_FILE", str(key_file))
    config = load_config(str(tmp_path))
    assert config["SECRET_KEY"] == "a-key-from-a-container-secret"
    assert config["SECRET_KEY_FILE"] == str(key_file)
    key_file.write_text("\n")
    with pytest.raises(ConfigurationError, match="is empty"):
        load_config(str(tmp_path))
    environment.setenv("SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigurationError, match="cannot be read"):
        load_config(str(tmp_path))


def test_production_names_both_ways_to_give_a_key(environment, tmp_path):
    environment.setenv("HIREWISE_ENV", "production")
    with pytest.raises(ConfigurationError, match=r"SECRET_KEY must be set .* SECRET_KEY_FILE"):
        load_config(str(tmp_path))
    assert not (tmp_path / "secret_key").exists(), "production never invents a key"


def test_the_environment_wins_over_any_file(environment, tmp_path):
    environment.setenv("SECRET_KEY", "from-the-environment")
    config = load_config(str(tmp_path))
    assert config["SECRET_KEY"] == "from-the-environment" and config["SECRET_KEY_FILE"] is None
    assert not (tmp_path / "secret_key").exists()


# --- rotation ---------------------------------------------------------------------------------


def test_rotating_the_key_file_ends_every_session_cookie_and_form_token(start_app, tmp_path):
    before = start_app(WTF_CSRF_ENABLED=True)
    client = sign_in(before, "ada@example.com")
    cookies = cookies_of(client)
    # "Keep me signed in" is a lasting server-side session: its random id is the only cookie.
    assert set(cookies) == {"session"}
    with before.app_context():
        # Flask-Login's remember-me cookie, as anyone holding the old (leaked) key could make one.
        remember_cookie = encode_cookie("1")
    old_form_token = form_token(client.get("/account").get_data(as_text=True))
    key_file = tmp_path / "instance" / "secret_key"
    old_key = key_file.read_text()

    result = invoke(before, "rotate-secret")
    assert result.exit_code == 0, result.output
    assert f"Wrote a new secret key to {key_file}" in result.output and "Restart" in result.output
    assert "Ended 1 session" in result.output
    # Sessions end at once, even in a process that still runs with the old key.
    assert client_with(before, cookies).get("/candidates").status_code == 302
    new_key = key_file.read_text()
    assert new_key != old_key and len(new_key.strip()) >= 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not [p for p in key_file.parent.iterdir() if p.name.startswith(".secret_key-")]

    after = start_app(WTF_CSRF_ENABLED=True)  # the restarted process
    assert after.config["SECRET_KEY"] == new_key.strip()
    stale = client_with(after, cookies)
    assert stale.get("/candidates").status_code == 302, "the old session cookie is refused"
    remembered = client_with(after, {"remember_token": remember_cookie})
    assert remembered.get("/candidates").status_code == 302
    assert client_with(before, {"remember_token": remember_cookie}).get("/candidates").status_code == 302
    # A signed session cookie of the old kind, forged with the old (leaked) key, is refused too.
    forger = SecureCookieSessionInterface().get_signing_serializer(before)
    assert forger is not None
    forged = forger.dumps({"_user_id": "1", "_fresh": True})
    assert client_with(after, {"session": forged}).get("/candidates").status_code == 302
    # A form token of the old key no longer validates.
    refused = client_with(after, {"session": cookies["session"]}).post(
        "/login", data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": old_form_token}
    )
    assert refused.status_code == 400
    # Signing in again works, with the new key.
    sign_in(after, "ada@example.com", new_user=False)

    with after.app_context():
        from sqlalchemy import select

        from hirewise.audit.models import AuditEvent

        summaries = db.session.execute(select(AuditEvent.summary)).scalars().all()
        assert "rotated the secret key (flask rotate-secret)" in summaries


def test_a_key_from_the_environment_is_replaced_by_setting_a_new_one(start_app, environment):
    environment.setenv("SECRET_KEY", "the-leaked-key")
    app = start_app()
    result = invoke(app, "rotate-secret")
    assert result.exit_code == 0, result.output
    assert "SECRET_KEY comes from the environment" in result.output and "restart" in result.output
    suggested = result.output.strip().splitlines()[-1]
    assert len(suggested) >= 64 and suggested != "the-leaked-key"


def test_rotation_can_revoke_every_api_token_and_so_can_a_command_of_its_own(start_app):
    app = start_app()
    with app.app_context():
        ada = create_user(None, email="ada@example.com", full_name="Ada", role=Role.ADMIN, password=PASSWORD)
        bob = create_user(
            None, email="bob@example.com", full_name="Bob", role=Role.RECRUITER, password=PASSWORD
        )
        db.session.commit()
        raw = [create_api_token(user, "script", "read")[1] for user in (ada, bob, bob)]
    client = app.test_client()
    for token in raw:
        assert client.get("/api/v1/openings", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    only_bob = invoke(app, "revoke-api-tokens", "--user", "bob@example.com")
    assert only_bob.exit_code == 0 and "Revoked 2 API tokens." in only_bob.output
    statuses = [
        client.get("/api/v1/openings", headers={"Authorization": f"Bearer {token}"}).status_code
        for token in raw
    ]
    assert statuses == [200, 401, 401]

    result = invoke(app, "rotate-secret", "--revoke-api-tokens")
    assert result.exit_code == 0 and "Revoked 1 API tokens" in result.output
    assert client.get("/api/v1/openings", headers={"Authorization": f"Bearer {raw[0]}"}).status_code == 401
    with app.app_context():
        assert db.session.query(ApiToken).filter(ApiToken.revoked_at.is_(None)).count() == 0

    unknown = invoke(app, "revoke-api-tokens", "--user", "nobody@example.com")
    assert unknown.exit_code != 0 and "No user with the email nobody@example.com" in unknown.output
