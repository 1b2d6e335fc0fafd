"""Signing in and out, rate limits, invitations, user administration and the auth permission matrix."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from hirewise.audit.models import AuditEvent
from hirewise.auth import services
from hirewise.auth.models import Invitation, Role, User
from hirewise.db import utcnow
from hirewise.extensions import db, limiter
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a brand new passphrase"


def _login(client, email: str, password: str = PASSWORD, next_url: str | None = None):
    path = "/login" if next_url is None else f"/login?next={next_url}"
    return client.post(path, data={"email": email, "password": password})


def _reload(user: User) -> User:
    db.session.expire_all()
    found = db.session.get(User, user.id)
    assert found is not None
    return found


# --- sign in and out ----------------------------------------------------------------------------


def test_login_redirects_to_the_dashboard_and_records_the_time(client):
    user = UserFactory(role=Role.RECRUITER)
    response = _login(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert _reload(user).last_login_at is not None
    assert client.get("/account").status_code == 200


def test_login_email_is_case_insensitive(client):
    user = UserFactory(email="mixed.case@example.com")
    assert _login(client, "Mixed.Case@Example.COM").status_code == 302
    assert client.get("/account").get_data(as_text=True).count(user.email) >= 1


def test_signed_in_user_visiting_login_is_sent_home(client, auth):
    auth.login(Role.RECRUITER)
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_logout_ends_the_session(client, auth):
    auth.login(Role.RECRUITER)
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("wrong password!", "Wrong email or password"),
        (PASSWORD.upper(), "Wrong email or password"),
        ("", "This field is required."),
    ],
)
def test_wrong_password_is_refused(client, password, message):
    user = UserFactory()
    response = _login(client, user.email, password)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    assert _reload(user).last_login_at is None


def test_unknown_email_gets_the_same_message(client):
    response = _login(client, "nobody@example.com")
    assert response.status_code == 200
    assert "Wrong email or password" in response.get_data(as_text=True)


def test_inactive_user_cannot_sign_in(client):
    user = UserFactory(active=False)
    response = _login(client, user.email)
    assert response.status_code == 200
    assert "Wrong email or password" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_deactivated_user_loses_an_open_session(client, auth):
    user = auth.login(Role.RECRUITER)
    assert client.get("/account").status_code == 200
    user.active = False
    db.session.commit()
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_invited_user_without_password_cannot_sign_in(client):
    user = UserFactory(password_hash=None)
    assert _login(client, user.email).status_code == 200
    assert client.get("/account").status_code == 302


def test_passwords_are_stored_as_argon2id_hashes():
    user = services.create_admin("hash.check@example.com", NEW_PASSWORD)
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "%2F%2Fevil.example",
        "/%09/evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_parameter_cannot_redirect_to_another_site(client, target):
    user = UserFactory()
    response = _login(client, user.email, next_url=target)
    assert response.status_code == 302
    location = response.headers["Location"]
    # Browsers drop tabs and newlines before parsing a URL; the result must stay on this site.
    parsed = urlsplit(re.sub(r"[\t\r\n]", "", location))
    assert parsed.scheme in ("", "http")
    assert parsed.netloc in ("", "localhost")
    assert "evil.example" not in parsed.netloc
    assert not location.startswith("javascript:")


def test_next_parameter_keeps_a_local_path(client):
    user = UserFactory()
    response = _login(client, user.email, next_url="/account")
    assert response.headers["Location"] == "/account"


# --- rate limit ---------------------------------------------------------------------------------


@pytest.fixture
def strict_login_limit(app: Flask) -> Iterator[None]:
    original = app.config["LOGIN_RATE_LIMIT"]
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    try:
        yield
    finally:
        app.config["LOGIN_RATE_LIMIT"] = original
        limiter.reset()


@pytest.mark.usefixtures("strict_login_limit")
def test_login_posts_are_rate_limited(client):
    user = UserFactory()
    for _ in range(3):
        assert _login(client, user.email, "wrong password!").status_code == 200
    response = _login(client, user.email)  # even the right password, once over the limit
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert client.get("/account").status_code == 302
    assert client.get("/login").status_code == 200  # only POST is limited


# --- invitations --------------------------------------------------------------------------------


def _invite(client, email: str = "new.person@example.com", role: Role = Role.HIRING_MANAGER) -> str:
    response = client.post(
        "/admin/users", data={"full_name": "New Person", "email": email, "role": role.value}
    )
    assert response.status_code == 200
    match = re.search(r'<code id="invite-link">([^<]+)</code>', response.get_data(as_text=True))
    assert match is not None, response.get_data(as_text=True)
    return urlsplit(match.group(1)).path


def test_admin_invites_a_user_who_sets_a_password_and_is_signed_in(client, auth):
    admin = auth.login(Role.ADMIN)
    link = _invite(client)
    auth.logout()

    invited = services.find_user_by_email("new.person@example.com")
    assert invited is not None
    assert invited.role == Role.HIRING_MANAGER
    assert invited.password_hash is None

    form = client.get(link)
    assert form.status_code == 200
    assert "new.person@example.com" in form.get_data(as_text=True)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/account").status_code == 200

    invited = _reload(invited)
    assert invited.password_hash is not None and invited.password_hash.startswith("$argon2id$")
    invitation = db.session.execute(select(Invitation).where(Invitation.user_id == invited.id)).scalar_one()
    assert invitation.accepted_at is not None
    assert invitation.invited_by_id == admin.id
    assert link.rsplit("/", 1)[-1] not in invitation.token_hash  # only the hash is stored

    auth.logout()
    assert _login(client, invited.email, NEW_PASSWORD).status_code == 302


def test_invitation_link_works_only_once(client, auth):
    auth.login(Role.ADMIN)
    link = _invite(client)
    auth.logout()
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    auth.logout()
    for response in (client.get(link), client.post(link, data={"password": "x" * 12, "confirm": "x" * 12})):
        assert response.status_code == 404
        assert "invalid, already used or expired" in response.get_data(as_text=True)


def test_expired_invitation_shows_a_404_message(client):
    admin = UserFactory(role=Role.ADMIN)
    user, raw = services.invite_user(admin, email="late@example.com", full_name="Late", role=Role.RECRUITER)
    invitation = db.session.execute(select(Invitation).where(Invitation.user_id == user.id)).scalar_one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/invitations/{raw}")
    assert response.status_code == 404
    assert "Ask an admin for a new one" in response.get_data(as_text=True)


def test_unknown_invitation_token_is_404(client):
    response = client.get("/invitations/not-a-real-token")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short", "short", "between 10 and 200 characters"),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "The passwords differ."),
    ],
)
def test_invitation_refuses_weak_or_mismatched_passwords(client, password, confirm, message):
    admin = UserFactory(role=Role.ADMIN)
    user, raw = services.invite_user(admin, email="weak@example.com", full_name="Weak", role=Role.RECRUITER)
    response = client.post(f"/invitations/{raw}", data={"password": password, "confirm": confirm})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _reload(user).password_hash is None


def test_inviting_an_existing_email_shows_an_error(client, auth):
    auth.login(Role.ADMIN)
    existing = UserFactory()
    response = client.post(
        "/admin/users", data={"full_name": "Twin", "email": existing.email.upper(), "role": "recruiter"}
    )
    assert response.status_code == 200
    assert "already exists" in response.get_data(as_text=True)
    assert 'id="invite-link"' not in response.get_data(as_text=True)


def test_invite_form_escapes_user_input(client, auth):
    auth.login(Role.ADMIN)
    _invite(client, email="xss@example.com")
    user = services.find_user_by_email("xss@example.com")
    assert user is not None
    user.full_name = "<script>alert(1)</script>"
    db.session.commit()
    page = client.get("/admin/users").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- user administration ------------------------------------------------------------------------


def test_admin_changes_a_role_and_the_audit_log_has_before_and_after(client, auth):
    admin = auth.login(Role.ADMIN)
    user = UserFactory(role=Role.RECRUITER)
    response = client.post(
        f"/admin/users/{user.id}", data={"full_name": user.full_name, "role": "hiring_manager", "active": "y"}
    )
    assert response.status_code == 302
    assert _reload(user).role == Role.HIRING_MANAGER

    event = (
        db.session.execute(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "user",
                AuditEvent.object_id == user.id,
                AuditEvent.action == "update",
            )
            .order_by(AuditEvent.id.desc())
        )
        .scalars()
        .first()
    )
    assert event is not None
    assert event.actor_id == admin.id
    assert event.before is not None and event.before["role"] == "recruiter"
    assert event.after is not None and event.after["role"] == "hiring_manager"

    page = client.get("/admin/audit").get_data(as_text=True)
    assert f"updated user {user.email}" in page
    assert "hiring_manager" in page


def test_admin_deactivates_a_user_who_can_no_longer_sign_in(client, auth):
    auth.login(Role.ADMIN)
    user = UserFactory(role=Role.RECRUITER)
    response = client.post(f"/admin/users/{user.id}", data={"full_name": user.full_name, "role": "recruiter"})
    assert response.status_code == 302
    assert _reload(user).active is False
    auth.logout()
    assert _login(client, user.email).status_code == 200
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize(
    "data",
    [
        {"full_name": "Me", "role": "recruiter", "active": "y"},
        {"full_name": "Me", "role": "admin"},
    ],
    ids=["demote", "deactivate"],
)
def test_admin_cannot_demote_or_deactivate_themself(client, auth, data):
    admin = auth.login(Role.ADMIN)
    response = client.post(f"/admin/users/{admin.id}", data=data)
    assert response.status_code == 200
    assert "You cannot remove your own admin role or deactivate yourself." in response.get_data(as_text=True)
    admin = _reload(admin)
    assert admin.role == Role.ADMIN
    assert admin.active is True


def test_editing_an_unknown_user_is_404(client, auth):
    auth.login(Role.ADMIN)
    assert client.get("/admin/users/999999").status_code == 404


def test_unknown_role_is_a_form_error_not_a_crash(client, auth):
    auth.login(Role.ADMIN)
    user = UserFactory(role=Role.RECRUITER)
    response = client.post(
        f"/admin/users/{user.id}", data={"full_name": "X", "role": "superuser", "active": "y"}
    )
    assert response.status_code == 200
    assert _reload(user).role == Role.RECRUITER


def test_user_changes_own_password(client, auth):
    user = auth.login(Role.INTERVIEWER)
    response = client.post(
        "/account",
        data={"pw-current_password": PASSWORD, "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    auth.logout()
    assert _login(client, user.email, PASSWORD).status_code == 200
    assert _login(client, user.email, NEW_PASSWORD).status_code == 302


def test_wrong_current_password_does_not_change_it(client, auth):
    user = auth.login(Role.INTERVIEWER)
    response = client.post(
        "/account",
        data={
            "pw-current_password": "not my password",
            "pw-password": NEW_PASSWORD,
            "pw-confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "The current password is wrong." in response.get_data(as_text=True)
    auth.logout()
    assert _login(client, user.email, PASSWORD).status_code == 302


# --- permission matrix --------------------------------------------------------------------------

ROLES = [Role.ADMIN, Role.RECRUITER, Role.HIRING_MANAGER, Role.INTERVIEWER, None]


def _expected(role: Role | None, admin_only: bool, admin_status: int) -> int:
    if role is None:
        return 302
    if admin_only and role != Role.ADMIN:
        return 403
    return admin_status


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
@pytest.mark.parametrize(
    ("method", "path", "admin_only", "allowed_status"),
    [
        ("GET", "/admin/users", True, 200),
        ("POST", "/admin/users", True, 200),
        ("GET", "/admin/users/{other}", True, 200),
        # No form data: the form falls back to the user's current values and saves them unchanged.
        ("POST", "/admin/users/{other}", True, 302),
        ("GET", "/admin/audit", True, 200),
        ("GET", "/account", False, 200),
        ("POST", "/account", False, 200),
    ],
)
def test_auth_permission_matrix(client, auth, role, method, path, admin_only, allowed_status):
    other = UserFactory(role=Role.INTERVIEWER, full_name="Other Person")
    if role is not None:
        auth.login(role)
    url = path.format(other=other.id)
    response = client.open(url, method=method, data={})
    assert response.status_code == _expected(role, admin_only, allowed_status)
    if role is None:
        assert response.headers["Location"].startswith("/login")
    assert _reload(other).role == Role.INTERVIEWER


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_nobody_can_revoke_another_users_token(client, auth, role):
    owner = UserFactory()
    token, _ = services.create_api_token(owner, "owner's", "read")
    if role is not None:
        auth.login(role)
    response = client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == (302 if role is None else 404)
    db.session.expire_all()
    assert services.list_api_tokens(owner)[0].revoked_at is None


def test_invitation_link_is_emailed_through_the_outbox(client, auth):
    from hirewise.mail.models import OutboxMessage, OutboxStatus

    auth.login(Role.ADMIN)
    link = _invite(client)
    message = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.to_email == "new.person@example.com")
    ).scalar_one()
    assert link in message.body
    assert "Your Hirewise account" in message.subject
    assert message.status == OutboxStatus.HELD  # embedded mode: kept in the Outbox, not sent
