"""Cross-cutting behaviour: security headers, cookies, error pages, CSRF, health check, audit log."""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from hirewise.audit.models import AuditEvent, AuditLogIsAppendOnly
from hirewise.audit.services import record
from hirewise.auth.models import Role
from hirewise.extensions import db
from tests.factories import PASSWORD, UserFactory

PAGES = [
    "/login",
    "/healthz",
    "/api/v1/openapi.json",
    "/api/v1/docs",
    "/static/css/app.css",
    "/no-such-page",
    "/api/v1/no-such-resource",
]


@pytest.fixture
def secure_cookies(app: Flask) -> Iterator[None]:
    """The production cookie setting, for one test (the session app runs over plain http)."""
    app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    try:
        yield
    finally:
        app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)


def _set_cookie(response, name: str) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    assert headers, f"no {name} cookie in {response.headers.getlist('Set-Cookie')}"
    return headers[-1]


# --- security headers ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_every_response_has_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.usefixtures("secure_cookies")
@pytest.mark.parametrize("path", ["/login", "/api/v1/no-such-resource"])
def test_hsts_is_sent_only_with_secure_cookies(client, path):
    response = client.get(path)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_signed_in_pages_have_security_headers(client, auth):
    auth.login(Role.ADMIN)
    response = client.get("/account")
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


# --- cookies ------------------------------------------------------------------------------------


def _cookie_names(response) -> set[str]:
    return {header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie")}


def test_session_cookie_is_httponly_and_lax(client):
    user = UserFactory()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    # "Keep me signed in" is a lasting server-side session: the session cookie is the only one.
    assert _cookie_names(response) == {"session"}
    cookie = _set_cookie(response, "session")
    assert "HttpOnly" in cookie
    assert "Secure" not in cookie
    assert "SameSite=Lax" in cookie
    assert "Expires=" in cookie


@pytest.mark.usefixtures("secure_cookies")
def test_cookies_are_secure_with_the_production_setting(client):
    user = UserFactory()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    assert _cookie_names(response) == {"session"}
    cookie = _set_cookie(response, "session")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    # Deleting a remember-me cookie of before (Flask-Login's) uses the same flags.
    client.set_cookie("remember_token", "1|left-from-before")
    deleted = _set_cookie(client.get("/login"), "remember_token")
    assert "Secure" in deleted and "HttpOnly" in deleted and "SameSite=Lax" in deleted


# --- error pages --------------------------------------------------------------------------------


def test_api_404_is_the_json_envelope(client):
    response = client.get("/api/v1/no-such-resource")
    assert response.status_code == 404
    assert response.is_json
    error = response.get_json()["error"]
    assert error["status"] == 404
    assert error["code"] == "not_found"
    assert error["message"]


def test_api_405_is_the_json_envelope(client):
    response = client.delete("/api/v1/openapi.json")
    assert response.status_code == 405
    assert response.get_json()["error"]["status"] == 405


def test_html_404_is_an_error_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<h1>404</h1>" in page
    assert '"error"' not in page


def test_html_403_is_an_error_page(client, auth):
    auth.login(Role.INTERVIEWER)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "<h1>403</h1>" in response.get_data(as_text=True)


# --- CSRF ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("csrf_enabled")
def test_login_without_csrf_token_is_refused_with_an_html_page(client):
    user = UserFactory()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "The form expired or was not sent from this site" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # not signed in


@pytest.mark.usefixtures("csrf_enabled")
def test_login_with_the_form_csrf_token_succeeds(client):
    user = UserFactory()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    assert token is not None, form
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def test_logout_without_csrf_token_is_refused(app, client, auth):
    auth.login(Role.RECRUITER)  # signs in through the form before CSRF is switched on
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/logout")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert client.get("/account").status_code == 200  # still signed in


# --- health check -------------------------------------------------------------------------------


def test_healthz_reports_database_ok_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert "Set-Cookie" not in response.headers


# --- audit log ----------------------------------------------------------------------------------


def _committed_event() -> AuditEvent:
    actor = UserFactory(role=Role.ADMIN)
    event = record(actor, "update", "user", actor.id, "changed something", before={"a": 1}, after={"a": 2})
    db.session.commit()
    return event


def test_audit_events_cannot_be_updated():
    event = _committed_event()
    event.summary = "rewritten history"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(AuditEvent, event.id).summary == "changed something"


def test_audit_events_cannot_be_deleted():
    event = _committed_event()
    db.session.delete(event)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id) is not None


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 200),
        (Role.RECRUITER, 403),
        (Role.HIRING_MANAGER, 403),
        (Role.INTERVIEWER, 403),
        (None, 302),
    ],
)
def test_audit_log_page_is_admin_only(client, auth, role, status):
    if role is not None:
        auth.login(role)
    response = client.get("/admin/audit")
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].startswith("/login")


def test_audit_log_page_escapes_recorded_text(client, auth):
    admin = auth.login(Role.ADMIN)
    record(admin, "update", "user", admin.id, "<script>alert(1)</script>", after={"x": "<b>bold</b>"})
    db.session.commit()
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


# --- production install -------------------------------------------------------------------------


def _dev_only_modules() -> set[str]:
    """Top-level modules of the ``dev`` extra's distributions: the Docker image (`pip install .`) lacks them."""
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    dev = {
        re.split(r"[<>=\[; ]", spec, maxsplit=1)[0]
        for spec in pyproject["project"]["optional-dependencies"]["dev"]
    }
    dev_names = {name.lower().replace("_", "-") for name in dev}
    return {
        module
        for module, distributions in importlib.metadata.packages_distributions().items()
        if {d.lower().replace("_", "-") for d in distributions} <= dev_names
    }


def test_production_app_starts_without_dev_dependencies(tmp_path):
    blocked = sorted(_dev_only_modules())
    assert {"pytest", "factory"} <= set(blocked)
    code = (
        "import sys\n"
        f"for name in {blocked!r}: sys.modules[name] = None\n"
        "from hirewise import create_app\n"
        "app = create_app()\n"
        "print(app.config['ENV_NAME'])\n"
    )
    environment = {
        **os.environ,
        "HIREWISE_ENV": "production",
        "SECRET_KEY": "a-production-secret-for-this-test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
        "HIREWISE_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    environment.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "production"
