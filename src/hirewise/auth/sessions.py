"""Server-side sessions: Flask's session lives in ``user_sessions``; the cookie holds only a random id.

Each request finds its row by the SHA-256 of the cookie's id (like API tokens, the id itself is never
stored). An ended or expired row opens nothing: the request gets a fresh, empty session, so a cookie
saved before logout, a password or role change, an admin's "end all sessions" or ``flask
rotate-secret`` signs nobody in. The user loader accepts only the user whom a sign-in bound to the
row (:func:`signed_in_user`), so neither a planted ``_user_id`` nor Flask-Login's old remember-me
cookie signs anyone in.

Rows are made only for sessions worth keeping: a signed-in user, or a visitor whose session holds
something (the login form's CSRF token, a flash message). The careers pages, the candidate's
assessment link and static files make none and set no cookie; ``/api/v1`` (token-only) reads a
browser's session for its documentation page but never writes one.

Saving and the view's transaction: the session is saved after the view, on the request's own
``db.session``, and only when something changed (the data, the sign-in, or ``last_seen_at``, written
at most once a minute). A view's use case has committed by then; if it failed half-way, what it left
uncommitted is rolled back first (the app context's teardown would discard it a moment later anyway;
tasks it queued are forgotten by the rollback) and only then is the session row written and
committed. So saving never commits half of a failed use case, needs no second connection per request,
and cannot wait on a row lock the same request holds.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import Flask, Request, current_app, g, request, session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSession, SessionInterface
from flask_login import login_user, logout_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import CursorResult, delete, select, update
from werkzeug.wrappers import Response

from hirewise.auth import session_services
from hirewise.auth.models import SessionEnd, User, UserSession
from hirewise.extensions import db

ID_BYTES = 32  # 256 random bits: 43 URL-safe characters in the cookie
_ID_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
TOUCH_EVERY = timedelta(minutes=1)
# Flask-Login's keys mean nothing in a session that no sign-in bound to a user.
LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds")
_serializer = TaggedJSONSerializer()  # Flask's own: tuples (flashes), bytes and Markup survive


def hash_id(raw: str) -> str:
    """The stored form of a session id: its SHA-256, as for API tokens (``auth.services.hash_secret``)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _to_json(data: dict[str, Any]) -> dict[str, Any]:
    stored: dict[str, Any] = json.loads(_serializer.dumps(data))
    return stored


def _from_json(stored: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = _serializer.loads(json.dumps(stored))
    return data


@dataclass(frozen=True)
class StoredSession:
    """What a request read of its row: enough to decide, later, whether and how to write it."""

    id: int
    user_id: int | None
    data: dict[str, Any]  # as stored (tagged JSON), to see whether the request changed it
    remember: bool
    created_at: datetime
    last_seen_at: datetime


class ServerSession(SecureCookieSession):
    """Flask's session dict, with the row it came from and what a sign-in or sign-out decided."""

    def __init__(
        self,
        initial: dict[str, Any] | None = None,
        *,
        stored: StoredSession | None = None,
        had_cookie: bool = False,
        read_only: bool = False,
    ) -> None:
        super().__init__(initial)
        self.stored = stored
        self.had_cookie = had_cookie
        self.read_only = read_only
        self.user_id = stored.user_id if stored else None
        self.remember = stored.remember if stored else False
        # Set by a sign-in or sign-out: end the stored row and continue under a new id.
        self.end_reason: SessionEnd | None = None

    @property
    def restarting(self) -> bool:
        return self.end_reason is not None

    def restart(self, reason: SessionEnd, *, user_id: int | None, remember: bool) -> None:
        self.end_reason = reason
        self.user_id = user_id
        self.remember = remember
        self.modified = True


class ServerSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> ServerSession | None:
        if app.static_url_path and request.path.startswith(app.static_url_path + "/"):
            return None  # Flask's null session: static files never read or write one
        read_only = request.path.startswith("/api/")
        raw = request.cookies.get(self.get_cookie_name(app))
        if not raw:
            return ServerSession(read_only=read_only)
        stored = _find(raw) if _ID_SHAPE.fullmatch(raw) else None
        if stored is None:  # unknown, ended, expired, or a signed cookie of before
            return ServerSession(had_cookie=True, read_only=read_only)
        return ServerSession(_from_json(stored.data), stored=stored, had_cookie=True, read_only=read_only)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if not isinstance(session, ServerSession) or session.read_only:
            return
        if session.accessed:
            response.vary.add("Cookie")
        _delete_remember_cookie(app, response)
        stored = session.stored
        if (
            stored is not None
            and stored.user_id is not None
            and not session.restarting
            and session.get("_user_id") != str(stored.user_id)
        ):
            # Flask-Login dropped the sign-in: strong session protection saw another address or
            # browser (a copied cookie, most likely). The session ends for every holder of the cookie,
            # and the visitor's new one keeps nothing of it but the "Please log in" message.
            session.pop(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
            session.restart(SessionEnd.PROTECTION, user_id=None, remember=False)
        data = dict(session)
        if session.user_id is None:
            for key in LOGIN_KEYS:
                data.pop(key, None)
        now = session_services.clock()
        if stored is not None and not session.restarting:
            self._save_existing(app, stored, data, response, now)
        else:
            self._save_new(app, session, data, response, now)

    def _save_existing(
        self, app: Flask, stored: StoredSession, data: dict[str, Any], response: Response, now: datetime
    ) -> None:
        stored_data = _to_json(data)
        values: dict[str, Any] = {}
        if stored_data != stored.data:
            values["data"] = stored_data
        if now - stored.last_seen_at >= TOUCH_EVERY:
            values["last_seen_at"] = now
            values["expires_at"] = session_services.expiry(stored.created_at, now, stored.remember)
            values["ip_address"] = _address()
        if not values:
            return
        _discard_unfinished_work()
        # Never revive a row that ended during this request (logout elsewhere, an admin).
        statement = update(UserSession).where(UserSession.id == stored.id, UserSession.ended_at.is_(None))
        result = db.session.execute(statement.values(**values).execution_options(synchronize_session=False))
        db.session.commit()
        if cast(CursorResult[Any], result).rowcount == 0:
            self._delete_cookie(app, response)

    def _save_new(
        self, app: Flask, session: ServerSession, data: dict[str, Any], response: Response, now: datetime
    ) -> None:
        stored = session.stored
        keep = session.user_id is not None or bool(data)
        if stored is None and not keep:
            if session.had_cookie:
                self._delete_cookie(app, response)
            return
        _discard_unfinished_work()
        if stored is not None:  # a sign-in or sign-out: the old id stops working now
            if stored.user_id is None:
                db.session.execute(delete(UserSession).where(UserSession.id == stored.id))
            else:
                reason = session.end_reason or SessionEnd.REPLACED
                ending = update(UserSession).where(
                    UserSession.id == stored.id, UserSession.ended_at.is_(None)
                )
                db.session.execute(ending.values(ended_at=now, ended_reason=reason, expires_at=now))
        raw = secrets.token_urlsafe(ID_BYTES) if keep else None
        if raw is not None:
            db.session.add(
                UserSession(
                    user_id=session.user_id,
                    token_hash=hash_id(raw),
                    data=_to_json(data),
                    remember=session.remember,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=session_services.expiry(now, now, session.remember),
                    user_agent=request.headers.get("User-Agent", "")[:255],
                    ip_address=_address(),
                )
            )
        db.session.commit()
        if raw is None:
            self._delete_cookie(app, response)
            return
        expires = now + timedelta(days=app.config["SESSION_REMEMBER_DAYS"]) if session.remember else None
        response.set_cookie(
            self.get_cookie_name(app),
            raw,
            expires=expires,  # None: a browser-session cookie
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app),
            httponly=self.get_cookie_httponly(app),
            samesite=self.get_cookie_samesite(app),
            partitioned=self.get_cookie_partitioned(app),
        )

    def _delete_cookie(self, app: Flask, response: Response) -> None:
        response.delete_cookie(
            self.get_cookie_name(app),
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app),
            httponly=self.get_cookie_httponly(app),
            samesite=self.get_cookie_samesite(app),
            partitioned=self.get_cookie_partitioned(app),
        )


def _find(raw: str) -> StoredSession | None:
    statement = select(
        UserSession.id,
        UserSession.user_id,
        UserSession.data,
        UserSession.remember,
        UserSession.created_at,
        UserSession.last_seen_at,
        UserSession.expires_at,
    ).where(UserSession.token_hash == hash_id(raw), UserSession.ended_at.is_(None))
    row = db.session.execute(statement).one_or_none()
    if row is None:
        return None
    # The stored expiry, and the one of the current settings (they may have been shortened since).
    ends = min(row.expires_at, session_services.expiry(row.created_at, row.last_seen_at, row.remember))
    if session_services.clock() >= ends:
        return None
    return StoredSession(row.id, row.user_id, row.data, row.remember, row.created_at, row.last_seen_at)


def _discard_unfinished_work() -> None:
    """Roll back what the view left uncommitted (a use case that failed half-way) before writing."""
    db.session.rollback()


def _address() -> str:
    return (request.remote_addr or "")[:45]  # behind ProxyFix (HIREWISE_PROXY_COUNT), the client's


def _delete_remember_cookie(app: Flask, response: Response) -> None:
    """Flask-Login's remember-me cookie is no longer honoured; delete one a browser still sends."""
    name = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if name not in request.cookies:
        return
    if any(header.startswith(f"{name}=") for header in response.headers.getlist("Set-Cookie")):
        return  # Flask-Login is deleting it already
    response.delete_cookie(
        name,
        domain=app.config.get("REMEMBER_COOKIE_DOMAIN"),
        path=app.config.get("REMEMBER_COOKIE_PATH", "/"),
        secure=app.config.get("REMEMBER_COOKIE_SECURE", False),
        httponly=True,
        samesite=app.config.get("REMEMBER_COOKIE_SAMESITE"),
    )


# --- what views use ---------------------------------------------------------------------------------


def current() -> ServerSession | None:
    found = session._get_current_object()  # type: ignore[attr-defined]
    return found if isinstance(found, ServerSession) else None


def current_session_id() -> int | None:
    """The row id of this request's session (None before its first save, or once it is ending)."""
    found = current()
    if found is None or found.stored is None or found.restarting:
        return None
    return found.stored.id


def sign_in(user: User, *, remember: bool = False) -> bool:
    """Sign ``user`` in under a new session id (never the id the browser came with: no fixation).

    ``remember`` ("Keep me signed in") makes a lasting cookie and the long lifetime. False when the
    user may not sign in (inactive).
    """
    found = current()
    if found is None or not user.is_active:
        return False
    # Nothing of the visitor's session carries over (messages never shown, its CSRF secret): a form
    # token of before is not valid once signed in. The new CSRF secret is made now, so it is saved
    # with the sign-in rather than by the first page that shows a form.
    found.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    generate_csrf()
    found.restart(SessionEnd.REPLACED, user_id=user.id, remember=remember)
    return bool(login_user(user))  # Flask-Login's remember-me cookie is never used


def sign_out(reason: SessionEnd = SessionEnd.SIGNED_OUT) -> None:
    """End this session (its row, at save) and continue as a visitor with an empty one."""
    logout_user()
    found = current()
    if found is not None:
        found.clear()
        found.restart(reason, user_id=None, remember=False)


def signed_in_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user whom a sign-in bound to this request's session row, else None."""
    found = current()
    if found is None or found.user_id is None or str(found.user_id) != user_id:
        return None
    return db.session.get(User, found.user_id)


def init_app(app: Flask) -> None:
    app.session_interface = ServerSessionInterface()
