"""Server-side sessions (issue 9): the attacks first, then the pages that list and end sessions.

The cookie holds only a random id; the ``user_sessions`` row (found by the id's SHA-256) is checked on
every request, so a cookie saved before logout, a password change, a role change, an admin's "end all
sessions" or ``flask rotate-secret`` opens nothing afterwards.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role, User
from hirewise.config import load_config
from hirewise.db import utcnow
from hirewise.extensions import db
from tests.factories import PASSWORD, ApplicationFactory, OpeningFactory, UserFactory

NEW_PASSWORD = "a brand new passphrase"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


# --- helpers ------------------------------------------------------------------------------------


def cookies_of(client: FlaskClient) -> dict[str, str]:
    return {cookie.key: cookie.value for cookie in client._cookies.values()}


def replay(app: Flask, cookies: dict[str, str], like: FlaskClient | None = None) -> FlaskClient:
    """A new browser holding copies of ``cookies`` (from the same device and address as ``like``)."""
    other = app.test_client()
    if like is not None:
        other.environ_base = dict(like.environ_base)
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def refused(client: FlaskClient) -> bool:
    """The candidate list sends this browser to the login page."""
    response = client.get("/candidates")
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def signed_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


def sign_in(
    app: Flask, user: User, *, remember: bool = False, device: str | None = None, address: str | None = None
) -> FlaskClient:
    browser = app.test_client()
    if device is not None:
        browser.environ_base["HTTP_USER_AGENT"] = device
    if address is not None:
        browser.environ_base["REMOTE_ADDR"] = address
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    if app.config["WTF_CSRF_ENABLED"]:
        data["csrf_token"] = form_token(browser.get("/login").get_data(as_text=True))
    response = browser.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return browser


def set_cookie_headers(response: Any, name: str) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]


def form_token(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found is not None, "the page carries a CSRF token"
    return found[1]


def session_rows(user: User | None = None) -> list[Any]:
    from hirewise.auth.models import UserSession

    db.session.expire_all()
    stmt = select(UserSession).order_by(UserSession.id)
    if user is not None:
        stmt = stmt.where(UserSession.user_id == user.id)
    return list(db.session.execute(stmt).scalars())


def row_of(client: FlaskClient) -> Any:
    from hirewise.auth.models import UserSession

    value = cookies_of(client)["session"]
    digest = hashlib.sha256(value.encode()).hexdigest()
    db.session.expire_all()
    return db.session.execute(select(UserSession).where(UserSession.token_hash == digest)).scalar_one()


def count_rows() -> int:
    from hirewise.auth.models import UserSession

    return db.session.execute(select(func.count(UserSession.id))).scalar_one()


def audit_summaries() -> list[str]:
    return list(db.session.execute(select(AuditEvent.summary).order_by(AuditEvent.id)).scalars())


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    from hirewise.auth import session_services

    frozen = Clock()
    monkeypatch.setattr(session_services, "clock", frozen)
    return frozen


# --- the attacks: a saved cookie opens nothing once its session has ended ---------------------------


def test_a_session_cookie_saved_before_logout_is_refused_after_it(app, client, auth):
    auth.login(Role.RECRUITER)
    assert client.get("/candidates").status_code == 200
    saved = cookies_of(client)
    auth.logout()
    assert refused(replay(app, saved))


def test_a_session_cookie_is_refused_after_a_password_change_in_another_session(app, client, auth):
    user = auth.login(Role.RECRUITER)
    laptop = cookies_of(client)
    phone = sign_in(app, user)
    response = phone.post(
        "/account",
        data={"pw-current_password": PASSWORD, "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert phone.get("/candidates").status_code == 200, "the session that changed the password stays"
    assert refused(replay(app, laptop))
    assert refused(client)


@pytest.mark.parametrize("change", ["role", "deactivate"])
def test_a_session_cookie_is_refused_after_an_admin_changes_the_role_or_deactivates(
    app, client, auth, change
):
    user = UserFactory(role=Role.RECRUITER)
    browser = sign_in(app, user)
    saved = cookies_of(browser)
    auth.login(Role.ADMIN)
    if change == "role":
        edits = [{"full_name": user.full_name, "role": "hiring_manager", "active": "y"}]
    else:  # deactivated, then active again: the old cookie must not come back to life
        edits = [
            {"full_name": user.full_name, "role": "recruiter"},
            {"full_name": user.full_name, "role": "recruiter", "active": "y"},
        ]
    for data in edits:
        assert client.post(f"/admin/users/{user.id}", data=data).status_code == 302
    assert refused(replay(app, saved))
    assert refused(browser)


def test_an_admin_editing_only_the_name_leaves_the_sessions_alone(app, client, auth):
    user = UserFactory(role=Role.RECRUITER)
    browser = sign_in(app, user)
    auth.login(Role.ADMIN)
    data = {"full_name": "A New Name", "role": "recruiter", "active": "y"}
    assert client.post(f"/admin/users/{user.id}", data=data).status_code == 302
    assert browser.get("/candidates").status_code == 200


def test_a_session_cookie_is_refused_after_flask_rotate_secret(app, client, auth, runner):
    auth.login(Role.RECRUITER)
    saved = cookies_of(client)
    other = sign_in(app, UserFactory(role=Role.ADMIN))
    result = runner.invoke(args=["rotate-secret"])
    assert result.exit_code == 0, result.output
    assert "Ended 2 sessions" in result.output
    assert refused(replay(app, saved))
    assert refused(other)
    assert any("ended all 2 sessions" in summary for summary in audit_summaries())


def test_a_remember_me_cookie_saved_before_logout_is_refused_after_it(app, client):
    user = UserFactory(role=Role.RECRUITER)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    assert client.get("/candidates").status_code == 200
    saved = cookies_of(client)
    client.post("/logout")
    for name, value in saved.items():
        assert refused(replay(app, {name: value})), name
    assert refused(replay(app, saved))


def test_a_flask_login_remember_cookie_signs_nobody_in_and_is_deleted(app):
    """The remember-me cookie of before (Flask-Login's, signed with the key) is not honoured any more."""
    from flask_login.utils import encode_cookie

    user = UserFactory(role=Role.RECRUITER)
    browser = replay(app, {"remember_token": encode_cookie(str(user.id))})
    response = browser.get("/candidates")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert any("Expires=Thu, 01 Jan 1970" in h for h in set_cookie_headers(response, "remember_token"))
    # Only the visitor's "Please log in" message is kept, signed in as nobody.
    assert all(row.user_id is None and "_user_id" not in row.data for row in session_rows())
    assert refused(browser)


def test_a_stolen_cookie_used_from_another_address_is_refused_and_ends_the_session(app):
    user = UserFactory(role=Role.RECRUITER)
    victim = sign_in(app, user, device=FIREFOX, address="203.0.113.7")
    thief = replay(app, cookies_of(victim))
    thief.environ_base.update({"HTTP_USER_AGENT": FIREFOX, "REMOTE_ADDR": "198.51.100.66"})
    assert refused(thief)
    row = row_of(victim)
    assert row.ended_at is not None and row.ended_reason == "protection"
    assert refused(victim), "the session is over for everyone holding the cookie: sign in again"


# --- what the cookie and the table hold --------------------------------------------------------------


def test_the_cookie_holds_only_a_random_id_and_the_database_only_its_hash(app, client):
    user = UserFactory(role=Role.RECRUITER)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    assert set(cookies_of(client)) == {"session"}, "no remember-me cookie of Flask-Login"
    value = cookies_of(client)["session"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value), value  # 256 random bits, nothing signed or encoded
    other = sign_in(app, user)
    assert cookies_of(other)["session"] != value

    rows = session_rows(user)
    assert len(rows) == 2
    digest = hashlib.sha256(value.encode()).hexdigest()
    assert digest in {row.token_hash for row in rows}
    for row in rows:
        stored = json.dumps(row.data) + row.token_hash + row.user_agent + row.ip_address
        assert value not in stored and cookies_of(other)["session"] not in stored
        assert row.data.get("_user_id") == str(user.id)
        assert row.ended_at is None and row.expires_at > utcnow()


@pytest.mark.usefixtures("csrf_enabled")
def test_signing_in_replaces_the_session_id_and_its_form_token(app, client):
    user = UserFactory(role=Role.RECRUITER)
    page = client.get("/login")
    before = cookies_of(client)["session"]
    login_token = form_token(page.get_data(as_text=True))
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": login_token}
    )
    assert response.status_code == 302
    after = cookies_of(client)["session"]
    assert after != before, "a new id on sign-in: a planted id never becomes a signed-in session"
    assert refused(replay(app, {"session": before}))
    assert client.get("/candidates").status_code == 200
    # The form token of the anonymous session is not valid in the signed-in one.
    stale = client.post("/account/sessions/end-others", data={"csrf_token": login_token})
    assert stale.status_code == 400


def test_keep_me_signed_in_makes_a_lasting_cookie_and_otherwise_a_browser_session_cookie(client, app):
    user = UserFactory()
    remembered = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    [cookie] = set_cookie_headers(remembered, "session")
    assert "Expires=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert not set_cookie_headers(remembered, "remember_token")
    browser = app.test_client()
    plain = browser.post("/login", data={"email": user.email, "password": PASSWORD})
    [cookie] = set_cookie_headers(plain, "session")
    assert "Expires=" not in cookie and "Max-Age" not in cookie


def test_production_cookie_settings(monkeypatch, tmp_path):
    for name in ("SECRET_KEY_FILE", "SESSION_COOKIE_SECURE", "REDIS_URL", "CELERY_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HIREWISE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-this-test")
    config = load_config(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True and config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_HTTPONLY"] is True and config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert config["SESSION_IDLE_MINUTES"] == 12 * 60
    assert config["SESSION_LIFETIME_HOURS"] == 24 and config["SESSION_REMEMBER_DAYS"] == 30
    monkeypatch.setenv("HIREWISE_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("HIREWISE_SESSION_LIFETIME_HOURS", "8")
    monkeypatch.setenv("HIREWISE_SESSION_REMEMBER_DAYS", "7")
    config = load_config(str(tmp_path))
    assert (
        config["SESSION_IDLE_MINUTES"],
        config["SESSION_LIFETIME_HOURS"],
        config["SESSION_REMEMBER_DAYS"],
    ) == (
        30,
        8,
        7,
    )


# --- anonymous visitors, candidates and the API make no sessions ---------------------------------------


@pytest.fixture
def candidate_link() -> str:
    from hirewise.assessments import services
    from tests.assessment_samples import MC

    recruiter = UserFactory(role=Role.RECRUITER)
    opening = OpeningFactory()
    assessment = services.create_assessment(
        recruiter, opening, {"title": "Screening", "time_limit_minutes": 20}
    )
    services.add_question(recruiter, assessment, {**MC, "skill_id": opening.skills[0].id})
    [issued] = services.invite(recruiter, assessment, [ApplicationFactory(opening=opening)])
    return str(issued.token)


@pytest.mark.usefixtures("csrf_enabled")
def test_anonymous_visitors_candidates_and_the_api_make_no_session(app, client, candidate_link):
    opening = OpeningFactory()
    token_user = UserFactory(role=Role.RECRUITER)
    from hirewise.auth.services import create_api_token

    _, raw = create_api_token(token_user, "script", "read")
    bearer = {"Authorization": f"Bearer {raw}"}
    requests = [
        ("GET", "/careers", {}),
        ("GET", f"/careers/{opening.slug}", {}),
        ("GET", "/healthz", {}),
        ("GET", "/api/v1/openapi.json", {}),
        ("GET", "/api/v1/docs", {}),
        ("GET", "/api/v1/openings", {}),
        ("GET", "/api/v1/openings", bearer),
        ("GET", "/static/css/app.css", {}),
        ("GET", f"/assessment/{candidate_link}", {}),
        ("GET", f"/api/v1/assessment-attempts/{candidate_link}", {}),
    ]
    for method, path, headers in requests:
        response = client.open(path, method=method, headers=headers)
        assert response.status_code < 400 or path == "/api/v1/openings", (path, response.status_code)
        assert "Set-Cookie" not in response.headers, (path, response.headers.getlist("Set-Cookie"))
        assert not cookies_of(client), path
    # The candidate's forms carry a token bound to the private link, not to a session.
    page = client.get(f"/assessment/{candidate_link}").get_data(as_text=True)
    forged = client.post(f"/assessment/{candidate_link}/start")
    assert forged.status_code == 400 and "Set-Cookie" not in forged.headers
    started = client.post(f"/assessment/{candidate_link}/start", data={"csrf_token": form_token(page)})
    assert started.status_code == 302 and "Set-Cookie" not in started.headers
    assert client.get(f"/assessment/{candidate_link}?q=1").status_code == 200
    assert not cookies_of(client)
    assert count_rows() == 0


@pytest.mark.usefixtures("csrf_enabled")
def test_a_form_for_anonymous_visitors_keeps_one_session_for_its_token(client):
    assert client.get("/login").status_code == 200
    assert client.get("/login").status_code == 200
    rows = session_rows()
    assert len(rows) == 1 and rows[0].user_id is None and "csrf_token" in rows[0].data


def test_the_candidate_saves_an_answer_without_a_cookie(client, candidate_link):
    from hirewise.assessments import attempts
    from hirewise.assessments.models import AssessmentInvitation

    assert client.post(f"/assessment/{candidate_link}/start").status_code == 302
    invitation = db.session.execute(select(AssessmentInvitation)).scalars().all()[-1]
    question = invitation.assessment.questions[0]
    [shown] = attempts.shown_response(invitation.attempt, question, {"selected": ["a"]})["selected"]
    response = client.post(
        f"/assessment/{candidate_link}/answers/{question.id}?q=1", data={"selected": shown}
    )
    assert response.status_code == 302 and "Set-Cookie" not in response.headers
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Answer saved." in page
    assert count_rows() == 0


# --- no-store on pages with candidate data -------------------------------------------------------------


def test_pages_of_a_signed_in_user_are_never_stored(client, auth):
    application = ApplicationFactory()
    auth.login(Role.ADMIN)
    for path in (
        "/",
        "/candidates",
        f"/candidates/{application.candidate_id}",
        f"/applications/{application.id}",
        f"/openings/{application.opening_id}",
        "/account",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers.get("Cache-Control", ""), path
    static = client.get("/static/css/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_public_pages_stay_cacheable(client):
    OpeningFactory()
    assert "no-store" not in client.get("/careers").headers.get("Cache-Control", "")


# --- the account page: see and end one's sessions ---------------------------------------------------


def test_the_account_page_lists_the_sessions_and_ends_one_or_all_others(app):
    user = UserFactory(role=Role.RECRUITER)
    laptop = sign_in(app, user, device=FIREFOX, address="203.0.113.7")
    phone = sign_in(app, user, device=IPHONE, address="198.51.100.9")
    desktop = sign_in(app, user, device=CHROME_WINDOWS, address="192.0.2.44")
    page = laptop.get("/account").get_data(as_text=True)
    for text in ("Firefox on Linux", "Safari on iPhone", "Chrome on Windows", "203.0.113.7", "198.51.100.9"):
        assert text in page, text
    assert page.count("This session") == 1
    assert hashlib.sha256(cookies_of(laptop)["session"].encode()).hexdigest() not in page

    phone_row = row_of(phone)
    response = laptop.post(f"/account/sessions/{phone_row.id}/end")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert refused(phone)
    assert signed_in(laptop) and signed_in(desktop)
    ended = session_rows(user)[[row.id for row in session_rows(user)].index(phone_row.id)]
    assert ended.ended_reason == "ended_by_user" and ended.ended_at is not None

    response = laptop.post("/account/sessions/end-others")
    assert response.status_code == 302
    assert refused(desktop)
    assert signed_in(laptop)
    page = laptop.get("/account").get_data(as_text=True)
    assert "Safari on iPhone" not in page and "Chrome on Windows" not in page
    summaries = audit_summaries()
    assert any("ended a session (Safari on iPhone" in s for s in summaries)
    assert any("ended 1 other session" in s for s in summaries)


def test_ending_ones_own_current_session_signs_out(app):
    user = UserFactory(role=Role.RECRUITER)
    browser = sign_in(app, user)
    saved = cookies_of(browser)
    response = browser.post(f"/account/sessions/{row_of(browser).id}/end")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert refused(browser) and refused(replay(app, saved))


def test_nobody_ends_the_session_of_another_user(app, client, auth):
    other = sign_in(app, UserFactory(role=Role.RECRUITER))
    auth.login(Role.ADMIN)
    assert client.post(f"/account/sessions/{row_of(other).id}/end").status_code == 404
    assert signed_in(other)


# --- an admin ends a user's sessions -------------------------------------------------------------------


def test_an_admin_ends_every_session_of_a_user(app, client, auth):
    user = UserFactory(role=Role.RECRUITER)
    browsers = [sign_in(app, user), sign_in(app, user, remember=True)]
    bystander = sign_in(app, UserFactory(role=Role.RECRUITER))
    admin = auth.login(Role.ADMIN)
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "2 active sessions" in page
    response = client.post(f"/admin/users/{user.id}/sessions/end")
    assert response.status_code == 302
    assert all(refused(browser) for browser in browsers)
    assert signed_in(bystander) and client.get("/candidates").status_code == 200
    assert "0 active sessions" in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    event = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert event.actor_id == admin.id and event.object_type == "user" and event.object_id == user.id
    assert f"ended all 2 sessions of {user.email}" in event.summary


def test_only_admins_end_the_sessions_of_a_user(app, client, auth):
    user = UserFactory(role=Role.RECRUITER)
    browser = sign_in(app, user)
    auth.login(Role.RECRUITER)
    assert client.post(f"/admin/users/{user.id}/sessions/end").status_code == 403
    assert signed_in(browser)


# --- CSRF still guards every form ------------------------------------------------------------------------


@pytest.mark.usefixtures("csrf_enabled")
def test_ending_sessions_needs_the_form_token(app, client):
    user = UserFactory(role=Role.RECRUITER)
    token = form_token(client.get("/login").get_data(as_text=True))
    assert (
        client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    other = sign_in(app, user)
    assert client.post("/account/sessions/end-others").status_code == 400
    assert signed_in(other)
    token = form_token(client.get("/account").get_data(as_text=True))
    assert client.post("/account/sessions/end-others", data={"csrf_token": token}).status_code == 302
    assert refused(other)
    assert client.post("/logout").status_code == 400, "logging out needs the token too"
    assert signed_in(client)


# --- lifetimes ---------------------------------------------------------------------------------------------


def test_a_session_unused_for_the_idle_timeout_is_refused(app, clock):
    browser = sign_in(app, UserFactory(role=Role.RECRUITER))
    clock.advance(hours=11, minutes=59)
    assert signed_in(browser), "used again within 12 hours"
    clock.advance(hours=12, minutes=1)
    assert refused(browser)


def test_a_session_in_use_ends_at_its_absolute_lifetime(app, clock):
    browser = sign_in(app, UserFactory(role=Role.RECRUITER))
    for _ in range(3):
        clock.advance(hours=7)
        assert signed_in(browser)
    clock.advance(hours=3, minutes=1)  # 24 hours and a minute after signing in
    assert refused(browser)


def test_keep_me_signed_in_lasts_thirty_days_unused(app, clock):
    browser = sign_in(app, UserFactory(role=Role.RECRUITER), remember=True)
    clock.advance(days=20)
    assert signed_in(browser)
    clock.advance(days=9, hours=23)
    assert signed_in(browser)
    clock.advance(hours=1, minutes=1)
    assert refused(browser)


def test_last_seen_is_written_at_most_once_a_minute(app, clock):
    browser = sign_in(app, UserFactory(role=Role.RECRUITER))
    first = row_of(browser).last_seen_at
    clock.advance(seconds=30)
    assert signed_in(browser)
    assert row_of(browser).last_seen_at == first
    clock.advance(seconds=40)
    assert signed_in(browser)
    assert row_of(browser).last_seen_at > first


def test_shorter_lifetimes_from_the_settings_apply_to_running_sessions(app, clock):
    browser = sign_in(app, UserFactory(role=Role.RECRUITER))
    clock.advance(minutes=31)
    app.config["SESSION_IDLE_MINUTES"] = 30
    try:
        assert refused(browser)
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 12 * 60


# --- saving a session and the view's transaction -----------------------------------------------------------


def test_saving_the_session_never_commits_what_a_failed_use_case_left(app):
    """The session is saved after the view; whatever the view left uncommitted is rolled back first."""
    from hirewise.auth.models import UserSession

    user = UserFactory(role=Role.RECRUITER, full_name="Before")
    interface = app.session_interface
    with app.test_request_context("/login"):
        from flask import request

        session = interface.open_session(app, request)
        assert session is not None
        user.full_name = "Half of a failed use case"
        db.session.flush()
        session["csrf_token"] = "worth keeping"
        response = app.response_class("failed", status=500)
        interface.save_session(app, session, response)
    db.session.expire_all()
    assert db.session.get(User, user.id).full_name == "Before"
    assert db.session.execute(select(func.count(UserSession.id))).scalar_one() == 1
    assert set_cookie_headers(response, "session")


def test_a_session_ended_during_a_request_is_not_revived_by_its_save(app):
    from hirewise.auth import session_services

    user = UserFactory(role=Role.RECRUITER)
    browser = sign_in(app, user)
    cookie = cookies_of(browser)["session"]
    interface = app.session_interface
    with app.test_request_context("/account", headers={"Cookie": f"session={cookie}"}):
        from flask import request

        session = interface.open_session(app, request)
        session_services.end_all_sessions_of(None, user)  # another request, meanwhile
        session["_flashes"] = [("info", "changed while it ended")]
        response = app.response_class("ok")
        interface.save_session(app, session, response)
    row = row_of(browser)
    assert row.ended_at is not None and row.ended_reason == "ended_by_admin"
    assert "_flashes" not in row.data
    assert any("Expires=Thu, 01 Jan 1970" in h for h in set_cookie_headers(response, "session"))


# --- cleanup -------------------------------------------------------------------------------------------------


def test_cleanup_deletes_expired_and_ended_rows_and_keeps_live_ones(app, clock):
    from hirewise.auth.session_services import delete_stale_sessions

    user = UserFactory(role=Role.RECRUITER)
    live = sign_in(app, user)
    ended = sign_in(app, user)
    ended_row_id = row_of(ended).id
    ended.post("/logout")  # ends it, and keeps an anonymous session for the flash message
    assert count_rows() == 3
    clock.advance(hours=1)
    assert signed_in(live)
    assert delete_stale_sessions(now=clock()) == 0, "a recently ended row stays a while"
    clock.advance(days=8)
    assert sign_in(app, user)  # a fresh one, not stale
    removed = delete_stale_sessions(now=clock())
    assert removed == 3  # the ended one, the expired anonymous one and the expired signed-in one
    ids = {row.id for row in session_rows()}
    assert ended_row_id not in ids and len(ids) == 1


@pytest.fixture(autouse=True)
def _user_per_request(app: Flask) -> Iterator[None]:
    """conftest keeps one app context for a whole test, so ``g`` outlives a request, and with it
    Flask-Login's cached user and Flask-WTF's form token; a server takes both from each request's own
    session. Several browsers in one test need that."""

    def forget_user(sender: Flask, **extra: Any) -> None:
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    request_started.connect(forget_user, app)
    yield
    request_started.disconnect(forget_user, app)


@pytest.fixture(autouse=True)
def _restore_config(app: Flask) -> Iterator[None]:
    keys = ("SESSION_IDLE_MINUTES", "SESSION_LIFETIME_HOURS", "SESSION_REMEMBER_DAYS")
    saved = {key: app.config.get(key) for key in keys}
    yield
    app.config.update(saved)
