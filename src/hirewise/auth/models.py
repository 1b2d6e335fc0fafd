"""Users, their roles, invitations, personal API tokens and server-side sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hirewise.db import Base, TimestampMixin, utcnow


class Role(StrEnum):
    ADMIN = "admin"
    RECRUITER = "recruiter"
    HIRING_MANAGER = "hiring_manager"
    INTERVIEWER = "interviewer"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(String(32), index=True)
    # None until an invited user sets their own password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    # How in-app notifications also reach them by email: "immediate" or "digest" (once a day).
    notification_delivery: Mapped[str] = mapped_column(
        String(10), default="immediate", server_default="immediate"
    )

    api_tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active and self.password_hash is not None

    def has_role(self, *roles: Role) -> bool:
        return Role(self.role) in roles

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class Invitation(TimestampMixin, Base):
    """A one-time link an admin sends so a new user can set their own password."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > utcnow()


class ApiToken(TimestampMixin, Base):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(100), default="read")
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="api_tokens")

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s for s in self.scopes.split(",") if s)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class SessionEnd(StrEnum):
    """Why a session stopped working (``UserSession.ended_reason``)."""

    SIGNED_OUT = "signed_out"
    REPLACED = "replaced"  # a new sign-in in the same browser got a new id
    PROTECTION = "protection"  # used from another address or browser (Flask-Login's strong protection)
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a reason, not a secret
    ROLE_CHANGED = "role_changed"
    DEACTIVATED = "deactivated"
    ENDED_BY_USER = "ended_by_user"
    ENDED_BY_ADMIN = "ended_by_admin"
    SECRET_ROTATED = "secret_rotated"  # noqa: S105 - a reason, not a secret


class UserSession(Base):
    """A browser's session. The cookie holds a random id; only its SHA-256 is stored here.

    ``user_id`` is None for a visitor who is not signed in but whose session holds something worth
    keeping (the CSRF token of the login form, a flash message). ``data`` is Flask's session dict.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # "Keep me signed in": a lasting cookie, and the long lifetime instead of the idle timeout.
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Written at most once a minute, so a busy page does not write on every request.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The earlier of the idle timeout and the absolute lifetime; set to the end time when ended.
    expires_at: Mapped[datetime] = mapped_column(index=True)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[SessionEnd | None] = mapped_column(String(32))

    user: Mapped[User | None] = relationship()

    @property
    def device(self) -> str:
        return describe_device(self.user_agent)


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("FxiOS/", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe_device(user_agent: str) -> str:
    """A short, human summary of a User-Agent header, e.g. "Firefox on Linux"."""
    if not user_agent:
        return "Unknown device"
    browser = next((name for token, name in _BROWSERS if token in user_agent), "Unknown browser")
    system = next((name for token, name in _SYSTEMS if token in user_agent), "an unknown system")
    return f"{browser} on {system}"
