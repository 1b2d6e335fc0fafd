"""Recording and reading the audit log. Recording never commits: it joins the caller's use case."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import or_, select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import User
from hirewise.extensions import db


def _json_safe(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return value


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The named attributes of ``obj`` as a JSON-safe dict, for the before/after of an event."""
    return {name: _json_safe(getattr(obj, name)) for name in fields}


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose value differs, so an update event shows what actually changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | None,
    summary: str = "",
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    candidate_id: int | None = None,
    opening_id: int | None = None,
) -> AuditEvent:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        actor_id=actor.id if authenticated and actor is not None else None,
        actor_label=actor.email if authenticated and actor is not None else "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:500],
        before=_json_safe(before) if before is not None else None,
        after=_json_safe(after) if after is not None else None,
        candidate_id=candidate_id,
        opening_id=opening_id,
    )
    db.session.add(event)
    return event


def timeline(
    *,
    candidate_id: int | None = None,
    opening_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    limit: int = 200,
) -> list[AuditEvent]:
    conditions = []
    if candidate_id is not None:
        conditions.append(AuditEvent.candidate_id == candidate_id)
    if opening_id is not None:
        conditions.append(AuditEvent.opening_id == opening_id)
    if object_type is not None and object_id is not None:
        conditions.append((AuditEvent.object_type == object_type) & (AuditEvent.object_id == object_id))
    if not conditions:
        return []
    stmt = (
        select(AuditEvent)
        .where(or_(*conditions))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(stmt).scalars())


def recent(limit: int = 100, offset: int = 0) -> list[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    return list(db.session.execute(stmt).scalars())
