"""Use cases of server-side sessions: a user's list, ending one, some or all of them, and cleanup.

A session is ended, not deleted: its row keeps ``ended_at`` and ``ended_reason``, and the session
interface (:mod:`hirewise.auth.sessions`) refuses its cookie from the next request on.
:func:`delete_stale_sessions` removes old rows later. A row is named by its primary key, which opens
nothing; the id in the cookie is never stored, shown or logged.

``end_user_sessions`` joins the caller's use case (a password or role change ends sessions in the
same transaction as the change); the other functions are use cases of their own and commit once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import ColumnElement, CursorResult, and_, delete, or_, select, update

from hirewise.audit.services import record
from hirewise.auth.models import SessionEnd, User, UserSession
from hirewise.db import utcnow
from hirewise.errors import NotFound, PermissionDenied
from hirewise.extensions import db
from hirewise.security import can_manage_users
from hirewise.text import counted

# Ended and expired sessions of users stay this long before the cleanup deletes them; those of
# visitors who never signed in (a login form's CSRF token) go as soon as they expire.
KEEP_ENDED = timedelta(days=7)


def clock() -> datetime:
    """Now, for every session decision (tests move it rather than sleep)."""
    return utcnow()


def expiry(created_at: datetime, last_seen_at: datetime, remember: bool) -> datetime:
    """When a session stops working under the current settings.

    "Keep me signed in" lasts ``SESSION_REMEMBER_DAYS`` from sign-in, used or not. Any other session
    ends ``SESSION_IDLE_MINUTES`` after it was last used, and at the latest ``SESSION_LIFETIME_HOURS``
    after it began, however busy.
    """
    config = current_app.config
    if remember:
        return created_at + timedelta(days=config["SESSION_REMEMBER_DAYS"])
    idle = last_seen_at + timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    return min(idle, created_at + timedelta(hours=config["SESSION_LIFETIME_HOURS"]))


def _live(now: datetime) -> list[ColumnElement[bool]]:
    return [UserSession.ended_at.is_(None), UserSession.expires_at > now]


def list_active_sessions(user: User) -> list[UserSession]:
    now = clock()
    stmt = select(UserSession).where(UserSession.user_id == user.id, *_live(now))
    rows = db.session.execute(stmt.order_by(UserSession.last_seen_at.desc())).scalars()
    # The settings may have been shortened since a row's expiry was written.
    return [row for row in rows if expiry(row.created_at, row.last_seen_at, row.remember) > now]


def count_active_sessions(user: User) -> int:
    return len(list_active_sessions(user))


def _end(conditions: list[ColumnElement[bool]], reason: SessionEnd) -> int:
    now = clock()
    stmt = (
        update(UserSession)
        .where(*conditions, *_live(now))
        .values(ended_at=now, ended_reason=reason, expires_at=now)
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[Any], db.session.execute(stmt))
    return result.rowcount


def end_user_sessions(user: User, reason: SessionEnd, *, keep: int | None = None) -> int:
    """End every live session of ``user`` but the one with id ``keep``; returns how many.

    Part of the caller's use case: no audit record, no commit.
    """
    conditions = [UserSession.user_id == user.id]
    if keep is not None:
        conditions.append(UserSession.id != keep)
    return _end(conditions, reason)


def end_session(user: User, session_id: int) -> UserSession:
    """The user ends one of their own sessions (a lost phone, a shared computer)."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id:
        raise NotFound("No such session.")
    if row.ended_at is None:
        now = clock()
        row.ended_at, row.ended_reason, row.expires_at = now, SessionEnd.ENDED_BY_USER, now
        where = row.ip_address or "unknown address"
        record(user, "update", "user_session", row.id, f"ended a session ({row.device}, {where})")
        db.session.commit()
    return row


def end_other_sessions(user: User, current_session_id: int | None) -> int:
    ended = end_user_sessions(user, SessionEnd.ENDED_BY_USER, keep=current_session_id)
    record(user, "update", "user", user.id, f"ended {counted(ended, 'other session')}")
    db.session.commit()
    return ended


def end_all_sessions_of(actor: User | None, user: User) -> int:
    """An admin (or an operator: ``actor`` None) signs ``user`` out everywhere."""
    if actor is not None and not can_manage_users(actor):
        raise PermissionDenied("Only admins can end the sessions of a user.")
    ended = end_user_sessions(user, SessionEnd.ENDED_BY_ADMIN)
    record(actor, "update", "user", user.id, f"ended all {counted(ended, 'session')} of {user.email}")
    db.session.commit()
    return ended


def end_every_session(actor: User | None, reason: SessionEnd = SessionEnd.SECRET_ROTATED) -> int:
    """Everyone signs in again (after a leak: ``flask rotate-secret``); ``actor`` None is an operator."""
    if actor is not None and not can_manage_users(actor):
        raise PermissionDenied("Only admins can end every session.")
    ended = _end([], reason)
    record(
        actor,
        "update",
        "user_session",
        None,
        f"ended all {counted(ended, 'session')} of every user ({reason})",
    )
    db.session.commit()
    return ended


def delete_stale_sessions(now: datetime | None = None, keep_ended: timedelta = KEEP_ENDED) -> int:
    """Periodic cleanup: delete sessions that ended or expired (a visitor's at once, a user's after
    ``keep_ended``); returns how many. Idempotent, one statement, one commit."""
    now = now or clock()
    stmt = delete(UserSession).where(
        or_(
            and_(UserSession.user_id.is_(None), UserSession.expires_at <= now),
            UserSession.expires_at <= now - keep_ended,
        )
    )
    result = cast(CursorResult[Any], db.session.execute(stmt.execution_options(synchronize_session=False)))
    db.session.commit()
    return result.rowcount
