"""Use cases of users: passwords, sign-in, invitations and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import CursorResult, func, select, update

from hirewise.audit.services import record, snapshot
from hirewise.auth.models import ApiToken, Invitation, Role, SessionEnd, User
from hirewise.auth.session_services import end_user_sessions
from hirewise.db import utcnow
from hirewise.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.security import can_manage_users

_hasher = PasswordHasher()
# Verifying against this keeps an unknown email as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "hw_"  # noqa: S105 - a public marker, not a secret
SCOPES = ("read", "write")
USER_FIELDS = ("email", "full_name", "role", "active")


def hash_secret(secret: str) -> str:
    """Tokens are long random strings, so a fast hash is enough (unlike passwords)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"Password must be at least {MIN_PASSWORD_LENGTH} characters.",
            {"password": [f"at least {MIN_PASSWORD_LENGTH} characters"]},
        )


def normalize_email(email: str) -> str:
    return email.strip().lower()


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == normalize_email(email))).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The user if the email and password match an active account, else None."""
    user = find_user_by_email(email)
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if _hasher.check_needs_rehash(stored):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def list_users() -> list[User]:
    return list(db.session.execute(select(User).order_by(User.full_name)).scalars())


def users_with_roles(*roles: Role) -> list[User]:
    stmt = select(User).where(User.role.in_([r.value for r in roles]), User.active.is_(True))
    return list(db.session.execute(stmt.order_by(User.full_name)).scalars())


def create_user(
    actor: User | None, *, email: str, full_name: str, role: Role, password: str | None = None
) -> User:
    email = normalize_email(email)
    if not email or "@" not in email:
        raise ValidationFailed("A valid email address is required.", {"email": ["invalid email"]})
    if find_user_by_email(email) is not None:
        raise Conflict(f"A user with the email {email} already exists.")
    if password is not None:
        check_password_strength(password)
    user = User(
        email=email,
        full_name=full_name.strip() or email,
        role=Role(role),
        password_hash=hash_password(password) if password else None,
    )
    db.session.add(user)
    db.session.flush()
    record(
        actor,
        "create",
        "user",
        user.id,
        f"created user {email} ({Role(role).label})",
        after=snapshot(user, USER_FIELDS),
    )
    return user


def create_admin(email: str, password: str, full_name: str = "Administrator") -> User:
    user = create_user(None, email=email, full_name=full_name, role=Role.ADMIN, password=password)
    db.session.commit()
    return user


def update_user(actor: User, user: User, *, full_name: str, role: Role, active: bool) -> User:
    if user.id == actor.id and (Role(role) != Role.ADMIN or not active):
        raise ValidationFailed("You cannot remove your own admin role or deactivate yourself.")
    before = snapshot(user, USER_FIELDS)
    user.full_name = full_name.strip() or user.full_name
    user.role = Role(role)
    user.active = active
    record(
        actor,
        "update",
        "user",
        user.id,
        f"updated user {user.email}",
        before=before,
        after=snapshot(user, USER_FIELDS),
    )
    # A new role or a deactivation signs the user out everywhere: no session keeps the old rights.
    reason = None
    if before["active"] and not active:
        reason = SessionEnd.DEACTIVATED
    elif before["role"] != Role(role).value:
        reason = SessionEnd.ROLE_CHANGED
    if reason is not None:
        ended = end_user_sessions(user, reason)
        if ended:
            record(actor, "update", "user", user.id, f"ended {ended} session(s) of {user.email} ({reason})")
    db.session.commit()
    return user


def invite_user(
    actor: User, *, email: str, full_name: str, role: Role, link_for: Callable[[str], str] | None = None
) -> tuple[User, str]:
    """Create the user without a password and a one-time link; returns (user, raw token).

    With ``link_for`` (raw token -> absolute URL) the link is also emailed through the outbox.
    """
    from hirewise.mail.models import TemplateKey
    from hirewise.mail.services import deliver_later, queue_template_email

    user = create_user(actor, email=email, full_name=full_name, role=role)
    raw = secrets.token_urlsafe(32)
    hours = current_app.config["INVITATION_TTL_HOURS"]
    db.session.add(
        Invitation(
            user_id=user.id,
            token_hash=hash_secret(raw),
            invited_by_id=actor.id,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    message_ids = []
    if link_for is not None:
        company = current_app.config["COMPANY_NAME"]
        message = queue_template_email(
            TemplateKey.GENERIC,
            to_email=user.email,
            to_name=user.full_name,
            actor=actor,
            context={
                "candidate_name": user.full_name,
                "subject": f"Your Hirewise account at {company}",
                "body": (
                    f"{actor.full_name} invited you to Hirewise as {Role(role).label.lower()}.\n"
                    f"Choose your password here (the link works once, for {hours} hours):\n{link_for(raw)}"
                ),
            },
        )
        message_ids.append(message.id)
    deliver_later(message_ids)
    db.session.commit()
    return user, raw


def find_invitation(raw_token: str) -> Invitation:
    stmt = select(Invitation).where(Invitation.token_hash == hash_secret(raw_token))
    invitation = db.session.execute(stmt).scalar_one_or_none()
    if invitation is None or not invitation.is_usable():
        raise NotFound(
            "This invitation link is invalid, already used or expired. Ask an admin for a new one."
        )
    return invitation


def accept_invitation(raw_token: str, password: str) -> User:
    invitation = find_invitation(raw_token)
    check_password_strength(password)
    user = invitation.user
    user.password_hash = hash_password(password)
    invitation.accepted_at = utcnow()
    record(user, "update", "user", user.id, f"{user.email} accepted the invitation and set a password")
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str, *, keep_session_id: int | None = None) -> int:
    """Returns how many other sessions ended: all of the user's but ``keep_session_id`` (the one in use)."""
    if not user.password_hash:
        raise ValidationFailed("This account has no password yet.")
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError) as exc:
        raise ValidationFailed("The current password is wrong.", {"current_password": ["wrong"]}) from exc
    check_password_strength(new)
    user.password_hash = hash_password(new)
    record(user, "update", "user", user.id, "changed own password")
    ended = end_user_sessions(user, SessionEnd.PASSWORD_CHANGED, keep=keep_session_id)
    if ended:
        record(user, "update", "user", user.id, f"ended {ended} other session(s) with the password change")
    db.session.commit()
    return ended


# --- API tokens ---------------------------------------------------------------------------------


def parse_scopes(scopes: str | list[str]) -> str:
    items = scopes.split(",") if isinstance(scopes, str) else list(scopes)
    cleaned = sorted({s.strip() for s in items if s.strip()})
    unknown = [s for s in cleaned if s not in SCOPES]
    if unknown or not cleaned:
        raise ValidationFailed(
            f"Scopes must be a non-empty subset of {', '.join(SCOPES)}.", {"scopes": unknown}
        )
    return ",".join(cleaned)


def create_api_token(user: User, name: str, scopes: str | list[str]) -> tuple[ApiToken, str]:
    """Returns the token row and the raw secret, which is never stored and shown only once."""
    if not name.strip():
        raise ValidationFailed("Give the token a name.", {"name": ["required"]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:100],
        prefix=raw[:10],
        token_hash=hash_secret(raw),
        scopes=parse_scopes(scopes),
    )
    db.session.add(token)
    db.session.flush()
    record(user, "create", "api_token", token.id, f"created API token {token.name} ({token.scopes})")
    db.session.commit()
    return token, raw


def list_api_tokens(user: User) -> list[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    return list(db.session.execute(stmt).scalars())


def revoke_api_token(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(user, "update", "api_token", token.id, f"revoked API token {token.name}")
        db.session.commit()
    return token


def count_active_api_tokens() -> int:
    return db.session.execute(
        select(func.count(ApiToken.id)).where(ApiToken.revoked_at.is_(None))
    ).scalar_one()


def revoke_all_api_tokens(actor: User | None, *, user: User | None = None) -> int:
    """Revoke every active token (or every one of ``user``) in one statement, after a leak; returns how many.

    ``actor`` None is an operator at the command line.
    """
    if actor is not None and not can_manage_users(actor):
        raise PermissionDenied("Only admins can revoke every API token.")
    stmt = update(ApiToken).where(ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    if user is not None:
        stmt = stmt.where(ApiToken.user_id == user.id)
    result = cast(CursorResult[Any], db.session.execute(stmt.execution_options(synchronize_session=False)))
    revoked = result.rowcount
    whose = f"of {user.email}" if user is not None else "of every user"
    record(actor, "update", "api_token", None, f"revoked all {revoked} active API tokens {whose}")
    db.session.commit()
    return revoked


def user_for_api_token(raw: str) -> tuple[User, ApiToken] | None:
    stmt = select(ApiToken).where(ApiToken.token_hash == hash_secret(raw), ApiToken.revoked_at.is_(None))
    token = db.session.execute(stmt).scalar_one_or_none()
    if token is None or not token.user.is_active:
        return None
    now = utcnow()
    # Touch at most once a minute: a busy script should not write on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        db.session.commit()
    return token.user, token


def count_users() -> int:
    return db.session.execute(select(func.count(User.id))).scalar_one()
