"""Enforcing the retention date the careers page promises (GDPR article 5(1)(e)).

A candidate is due when their ``retain_until`` has passed, none of their applications reached a
hired stage (an employee's file is kept under other rules), and they have not renewed their
consent (renewing moves ``retain_until`` forward). ``retention_notice_days`` before the date, the
candidate is emailed a notice with a one-click link to keep their application for another period.

Erasure waits for the notice: a due candidate is erased once a notice was sent for them at least
the notice period ago, or when their date passed longer ago than the notice period (the task was
not running then; they were told the date when they applied). A due candidate under a legal hold
is skipped, and the run's log says so. A dry run decides the same things and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import exists, select

from hirewise.auth.models import User
from hirewise.candidates.models import Application, Candidate
from hirewise.db import utcnow
from hirewise.errors import PermissionDenied
from hirewise.extensions import db
from hirewise.mail.models import TemplateKey
from hirewise.mail.services import deliver_later, queue_template_email
from hirewise.openings.models import Stage, StageKind
from hirewise.paging import Page, paginate
from hirewise.privacy import tokens
from hirewise.privacy.erasure import purge_sqlite_journal
from hirewise.privacy.models import Erasure, ErasureTrigger, LegalHold, RetentionNotice, RetentionRun
from hirewise.privacy.services import candidate_link, current_settings, erase_step
from hirewise.security import can_manage_privacy

NOTICE, ERASE, HELD, WAIT = "notice", "erase", "held", "wait"


@dataclass(frozen=True)
class Planned:
    candidate_id: int
    label: str  # the candidate's name on the preview page; never stored in a run's log
    action: str
    reason: str
    due_at: datetime

    def log_entry(self) -> dict[str, Any]:
        return {
            "candidate_id": self.candidate_id,
            "action": self.action,
            "reason": self.reason,
            "due_at": self.due_at.isoformat(),
        }


def _hired() -> Any:
    return exists(
        select(Application.id)
        .join(Stage, Stage.id == Application.stage_id)
        .where(Application.candidate_id == Candidate.id, Stage.kind == StageKind.HIRED)
    )


def _erased() -> Any:
    return exists(select(Erasure.id).where(Erasure.candidate_id == Candidate.id))


def _held_ids(candidate_ids: list[int]) -> set[int]:
    stmt = select(LegalHold.candidate_id).where(
        LegalHold.candidate_id.in_(candidate_ids), LegalHold.released_at.is_(None)
    )
    return {candidate_id for (candidate_id,) in db.session.execute(stmt)}


def _notices(candidate_ids: list[int]) -> dict[tuple[int, datetime], datetime]:
    stmt = select(RetentionNotice.candidate_id, RetentionNotice.retain_until, RetentionNotice.sent_at).where(
        RetentionNotice.candidate_id.in_(candidate_ids)
    )
    return {(cid, until): sent for cid, until, sent in db.session.execute(stmt)}


def plan(now: datetime | None = None) -> list[Planned]:
    """What a run at ``now`` would do, candidate by candidate (in order of retention date)."""
    now = now or utcnow()
    notice_period = timedelta(days=current_settings().retention_notice_days)
    stmt = (
        select(Candidate.id, Candidate.full_name, Candidate.retain_until)
        .where(Candidate.retain_until.is_not(None), Candidate.retain_until <= now + notice_period)
        .where(~_hired(), ~_erased())
        .order_by(Candidate.retain_until, Candidate.id)
    )
    rows = list(db.session.execute(stmt))
    ids = [row[0] for row in rows]
    held = _held_ids(ids)
    notices = _notices(ids)
    planned: list[Planned] = []
    for candidate_id, name, retain_until in rows:
        assert retain_until is not None  # filtered in the query
        notified_at = notices.get((candidate_id, retain_until))
        if retain_until > now:
            if notified_at is None:
                reason = f"retention date {retain_until:%Y-%m-%d} is within the notice period"
                planned.append(Planned(candidate_id, name, NOTICE, reason, retain_until))
            continue
        if candidate_id in held:
            planned.append(
                Planned(candidate_id, name, HELD, "retention date passed; under a legal hold", retain_until)
            )
        elif notified_at is not None and notified_at <= now - notice_period:
            reason = f"retention date {retain_until:%Y-%m-%d} passed; notified {notified_at:%Y-%m-%d}"
            planned.append(Planned(candidate_id, name, ERASE, reason, retain_until))
        elif retain_until <= now - notice_period:
            reason = f"retention date {retain_until:%Y-%m-%d} passed more than the notice period ago"
            planned.append(Planned(candidate_id, name, ERASE, reason, retain_until))
        elif notified_at is None:
            reason = f"retention date {retain_until:%Y-%m-%d} passed; not notified yet"
            planned.append(Planned(candidate_id, name, NOTICE, reason, now + notice_period))
        else:
            reason = f"notified {notified_at:%Y-%m-%d}; erased after the notice period"
            planned.append(Planned(candidate_id, name, WAIT, reason, notified_at + notice_period))
    return planned


def preview(actor: User, now: datetime | None = None) -> list[Planned]:
    if not can_manage_privacy(actor):
        raise PermissionDenied("Only admins see the retention preview.")
    return plan(now)


def _send_notice(candidate: Candidate) -> None:
    assert candidate.retain_until is not None
    body = "\n\n".join(
        [
            f"We keep your application data until {candidate.retain_until:%d %B %Y}, as we told you when you "
            "applied. After that date it is erased.",
            "To keep your application for another period (for example, to be considered for future "
            "openings), use this link:",
            candidate_link("/privacy/keep", candidate, tokens.LinkPurpose.KEEP),
            "To have your data erased now instead:",
            candidate_link("/privacy/withdraw", candidate, tokens.LinkPurpose.WITHDRAW),
            "You can also download a copy of your data:",
            candidate_link("/privacy/export", candidate, tokens.LinkPurpose.EXPORT),
        ]
    )
    message = queue_template_email(
        TemplateKey.GENERIC,
        to_email=candidate.email,
        to_name=candidate.full_name,
        context={"subject": "Your application data will be erased soon", "body": body},
        candidate_id=candidate.id,
    )
    db.session.add(
        RetentionNotice(
            candidate_id=candidate.id,
            retain_until=candidate.retain_until,
            sent_at=utcnow(),
            outbox_message_id=message.id,
        )
    )
    deliver_later([message.id])


def run(*, dry_run: bool = False, actor: User | None = None, now: datetime | None = None) -> RetentionRun:
    """One retention pass. Each notice and each erasure commits on its own, so one failure (logged in
    the run) never undoes the others; the run row is written first and completed last."""
    if actor is not None and not can_manage_privacy(actor):
        raise PermissionDenied("Only admins start a retention run.")
    now = now or utcnow()
    planned = plan(now)
    retention_run = RetentionRun(
        dry_run=dry_run,
        started_at=utcnow(),
        started_by_id=actor.id if actor is not None else None,
        details=[],
    )
    db.session.add(retention_run)
    db.session.commit()
    run_id = retention_run.id
    details: list[dict[str, Any]] = []
    counts = {NOTICE: 0, ERASE: 0, HELD: 0}
    for item in planned:
        entry = item.log_entry()
        if not dry_run and item.action in (NOTICE, ERASE):
            try:
                candidate = db.session.get(Candidate, item.candidate_id)
                if candidate is None:
                    continue
                if item.action == NOTICE:
                    _send_notice(candidate)
                else:
                    erase_step(None, candidate, ErasureTrigger.RETENTION, item.reason)
                db.session.commit()
            except Exception as exc:  # one candidate's failure is logged; the run goes on
                db.session.rollback()
                current_app.logger.exception(
                    "retention %s of candidate %s failed", item.action, item.candidate_id
                )
                entry["error"] = str(exc)[:300]
                details.append(entry)
                continue
        if item.action in counts:
            counts[item.action] += 1
        details.append(entry)
    finished = db.session.get(RetentionRun, run_id)
    assert finished is not None
    finished.details = details
    finished.notices_sent = counts[NOTICE]
    finished.erased = counts[ERASE]
    finished.held = counts[HELD]
    finished.finished_at = utcnow()
    db.session.commit()
    # Before reading the run again: a read would open a transaction, which the purge waits for.
    if counts[ERASE] and not dry_run:
        purge_sqlite_journal()
    return finished


def past_runs(actor: User, page: int = 1, per_page: int = 20) -> Page[RetentionRun]:
    """The log of past runs (dry runs included), newest first: the admin page's and the API's."""
    if not can_manage_privacy(actor):
        raise PermissionDenied("Only admins see the retention runs.")
    stmt = select(RetentionRun).order_by(RetentionRun.started_at.desc(), RetentionRun.id.desc())
    return paginate(stmt, page, per_page)
