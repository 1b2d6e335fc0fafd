"""Recording and reading the audit log. Recording never commits: it joins the caller's use case."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import insert, or_, select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import User
from hirewise.extensions import db
from hirewise.paging import Page, paginate
from hirewise.security import event_reasons_visible_to, events_visible_to


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


def event_values(
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
) -> dict[str, Any]:
    """The columns of one audit event, as :func:`record` writes it (for :func:`record_all`)."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return {
        "actor_id": actor.id if authenticated and actor is not None else None,
        "actor_label": actor.email if authenticated and actor is not None else "system",
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "summary": summary[:500],
        "before": _json_safe(before) if before is not None else None,
        "after": _json_safe(after) if after is not None else None,
        "candidate_id": candidate_id,
        "opening_id": opening_id,
    }


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
    event = AuditEvent(
        **event_values(
            actor,
            action,
            object_type,
            object_id,
            summary,
            before=before,
            after=after,
            candidate_id=candidate_id,
            opening_id=opening_id,
        )
    )
    db.session.add(event)
    return event


def record_all(rows: list[dict[str, Any]]) -> None:
    """Many events (:func:`event_values`) in one INSERT: a bulk operation stays set-wise, where adding
    one ORM object per event costs one statement each on SQLite (no batched RETURNING there)."""
    if rows:
        db.session.execute(insert(AuditEvent), rows)


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a timeline as its viewer may read it; shaped like an audit event for the ``timeline`` macro."""

    created_at: datetime
    actor_label: str
    summary: str
    action: str
    object_type: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    event_id: int | None = None


def _without_reason(summary: str, reason: str) -> str:
    """``summary`` without the reason it ends with (": <reason>", perhaps cut short by the 500
    characters a summary keeps). When the reason cannot be found at the end, nothing after the
    first ": " survives, so a reason never shows by accident."""
    for start in range(len(summary) - 1):
        if summary.startswith(": ", start) and reason.startswith(summary[start + 2 :]):
            return summary[:start]
    return summary.split(": ", 1)[0]


def timeline_entry(event: AuditEvent, *, reason_visible: bool = True) -> TimelineEntry:
    """The event as a timeline line; without the reason it carries (``after["reason"]``, also at
    the end of its summary) when the viewer may not read it (``security.can_view_event_reason``)."""
    before, after, summary = event.before, event.after, event.summary
    reason = (after or {}).get("reason") or (before or {}).get("reason")
    if not reason_visible and reason:
        summary = _without_reason(summary, str(reason))
        before = {k: v for k, v in before.items() if k != "reason"} if before else before
        after = {k: v for k, v in after.items() if k != "reason"} if after else after
    return TimelineEntry(
        event.created_at,
        event.actor_label,
        summary,
        event.action,
        event.object_type,
        before,
        after,
        event.id,
    )


def timeline(
    viewer: User,
    *,
    candidate_id: int | None = None,
    opening_id: int | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    exclude_types: Iterable[str] = (),
    limit: int = 200,
) -> list[TimelineEntry]:
    """The events anchored on a candidate, an opening or one object that ``viewer`` may see, newest first.

    Every surface that lists events (the candidate's and the opening's timelines, the API) reads
    them here, through :func:`hirewise.security.events_visible_to`: an event is exactly as visible
    as the object it is about; and the reason of a stage move or a rejection only as
    :func:`hirewise.security.event_reasons_visible_to` says, in the same statement.
    """
    conditions = []
    if candidate_id is not None:
        conditions.append(AuditEvent.candidate_id == candidate_id)
    if opening_id is not None:
        conditions.append(AuditEvent.opening_id == opening_id)
    if object_type is not None and object_id is not None:
        conditions.append((AuditEvent.object_type == object_type) & (AuditEvent.object_id == object_id))
    if not conditions:
        return []
    reason_visible = event_reasons_visible_to(viewer).label("reason_visible")
    stmt = select(AuditEvent, reason_visible).where(or_(*conditions), events_visible_to(viewer))
    excluded = list(exclude_types)
    if excluded:
        stmt = stmt.where(AuditEvent.object_type.not_in(excluded))
    stmt = stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)
    return [
        timeline_entry(event, reason_visible=bool(visible)) for event, visible in db.session.execute(stmt)
    ]


def recent(viewer: User, page: int = 1, per_page: int = 100) -> Page[AuditEvent]:
    """The whole log, newest first, as far as ``viewer`` may see it (admins: all of it)."""
    stmt = select(AuditEvent).where(events_visible_to(viewer)).order_by(AuditEvent.id.desc())
    return paginate(stmt, page, per_page, count_by=AuditEvent.id)
