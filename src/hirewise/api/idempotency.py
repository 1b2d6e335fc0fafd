"""``Idempotency-Key`` on API POSTs: a client that retries a request it saw no answer to gets the
first answer again, instead of creating or sending twice.

The key is recorded (per user) before the route runs and committed at once, so a second request with
the same key, even one arriving while the first still runs, finds it: while the first runs the second
gets 409; afterwards it gets the stored response with ``Idempotent-Replayed: true``. A key sent again
with a different request (method, path or body) is a 422. A response of 500 or more forgets the key,
so the client may retry. Keys are kept for ``KEEP_FOR`` and then removed by the periodic cleanup.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from apispec import APISpec, BasePlugin
from flask import Response, g, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from hirewise.api.models import IdempotencyKey
from hirewise.auth.models import User
from hirewise.db import utcnow
from hirewise.errors import Conflict, ValidationFailed
from hirewise.extensions import db

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEEP_FOR = timedelta(hours=24)
_PENDING = "idempotency_key_id"  # on flask.g: the key row this request fills in


def _request_hash() -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.full_path.encode(), request.get_data(cache=True)):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _clean_key(raw: str) -> str:
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ValidationFailed(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters, e.g. a UUID.",
            {HEADER: ["invalid key"]},
        )
    return key


def begin(user: User) -> Response | None:
    """Record this POST's key before it runs; the stored response if the key was already answered."""
    raw = request.headers.get(HEADER)
    if raw is None or request.method != "POST":
        return None
    key = _clean_key(raw)
    fingerprint = _request_hash()
    row = IdempotencyKey(
        user_id=user.id,
        key=key,
        method=request.method,
        path=request.full_path[:2000],
        request_hash=fingerprint,
    )
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _replay(user, key, fingerprint)
    g.setdefault(_PENDING, row.id)
    return None


def _replay(user: User, key: str, fingerprint: str) -> Response:
    stmt = select(IdempotencyKey).where(IdempotencyKey.user_id == user.id, IdempotencyKey.key == key)
    earlier = db.session.execute(stmt).scalar_one()
    if earlier.request_hash != fingerprint:
        raise ValidationFailed(
            f"This {HEADER} was used for a different request; send a new key with a new request.",
            {HEADER: ["already used for another request"]},
        )
    if earlier.status_code is None:
        raise Conflict(f"The request with this {HEADER} is still running; retry in a moment.")
    response = Response(
        earlier.response_body or "", status=earlier.status_code, content_type=earlier.content_type
    )
    response.headers[REPLAYED_HEADER] = "true"
    return response


def finish(response: Response) -> Response:
    """Store the response under the request's key (``after_request`` of every API blueprint)."""
    row_id = g.pop(_PENDING, None)
    if row_id is None:
        return response
    db.session.rollback()  # whatever the route left uncommitted is not part of its answer
    if response.status_code >= 500:
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row_id))
    else:
        db.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == row_id)
            .values(
                status_code=response.status_code,
                content_type=response.content_type or "",
                response_body=response.get_data(as_text=True),
                completed_at=utcnow(),
            )
        )
    db.session.commit()
    return response


def abandon(_: BaseException | None = None) -> None:
    """A request that ended without a response (an unhandled error) forgets its key, so it can be retried."""
    row_id = g.pop(_PENDING, None)
    if row_id is None:
        return
    db.session.rollback()
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row_id))
    db.session.commit()


def remove_expired() -> int:
    """Delete keys older than ``KEEP_FOR``; returns how many (run by the periodic cleanup)."""
    result: Any = db.session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - KEEP_FOR)
    )
    db.session.commit()
    return int(result.rowcount or 0)


class IdempotencyKeyPlugin(BasePlugin):  # type: ignore[misc]
    """Documents the optional header on every POST that takes a bearer token."""

    def init_spec(self, spec: APISpec) -> None:
        spec.components.parameter(
            "IdempotencyKey",
            "header",
            {
                "name": HEADER,
                "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
                "description": (
                    "Any unique string (a UUID). Retrying the same request with the same key within "
                    "24 hours returns the first response (with `Idempotent-Replayed: true`) instead of "
                    "acting twice; 409 while the first is still running; 422 if the key was used for "
                    "a different request."
                ),
            },
        )

    def operation_helper(self, path: str | None = None, operations: Any = None, **kwargs: Any) -> None:
        post = (operations or {}).get("post")
        if post is None or post.get("security") == []:
            return  # the candidate's routes take no token, so no key either
        post.setdefault("parameters", []).append("IdempotencyKey")  # a reference to the component
