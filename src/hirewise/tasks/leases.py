"""Leases on background work, and the sweep that hands on what is waiting or was left behind.

A worker *claims* a task's row before running it: the row becomes RUNNING with a lease. A worker
renews the lease while the task runs (a heartbeat), so the lease can be short whatever the task's
length: when a worker dies (even ``kill -9`` of its main process), renewals stop and the lease runs
out within ``TASK_LEASE_SECONDS``. The sweep, run every ``TASK_SWEEP_SECONDS`` by Celery beat (or by
the embedded scheduler), then sends such rows again, and sends rows still QUEUED after
``TASK_DISPATCH_GRACE_SECONDS`` (their broker was down at commit time). A row whose lease ran out
``TASK_MAX_ATTEMPTS`` times is FAILED rather than tried forever.

A claim succeeds only on a QUEUED row or a RUNNING row whose lease has run out, in one conditional
UPDATE, so of two deliveries of the same row one runs and the other does nothing; the tasks are
idempotent besides, so one cut off half-way can run again safely.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from celery import Task, shared_task
from celery.exceptions import Retry
from flask import Flask, current_app
from sqlalchemy import CursorResult, and_, func, or_, select, update

from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.tasks.models import BackgroundTask, TaskStatus

log = logging.getLogger(__name__)

SWEEP_BATCH = 500
# Inline tasks run in the web process; one not marked runs_long renews no lease and keeps it this long.
INLINE_LEASE = timedelta(minutes=10)


def _lease_length() -> timedelta:
    if current_app.config["TASK_MODE"] != "celery":
        return INLINE_LEASE
    return timedelta(seconds=current_app.config["TASK_LEASE_SECONDS"])


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


def claim(row_id: int, now: datetime | None = None) -> bool:
    """Take the row for this worker; False if it is done, failed, or held by a live lease elsewhere."""
    now = now or utcnow()
    stmt = (
        update(BackgroundTask)
        .where(
            BackgroundTask.id == row_id,
            or_(
                BackgroundTask.status == TaskStatus.QUEUED,
                and_(BackgroundTask.status == TaskStatus.RUNNING, BackgroundTask.lease_until < now),
            ),
        )
        .values(
            status=TaskStatus.RUNNING,
            started_at=now,
            lease_until=now + _lease_length(),
            attempts=BackgroundTask.attempts + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    claimed = _rowcount(db.session.execute(stmt)) == 1
    db.session.commit()
    return claimed


def _settle(row_id: int, status: TaskStatus, error: str = "") -> None:
    now = utcnow()
    values: dict[str, Any] = {
        "status": status,
        "last_error": error[:2000],
        "updated_at": now,
        "lease_until": None,
    }
    if status in (TaskStatus.DONE, TaskStatus.FAILED):
        values["finished_at"] = now
    db.session.execute(
        update(BackgroundTask)
        .where(BackgroundTask.id == row_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def renew(app: Flask, row_id: int) -> bool:
    """Push the lease forward while the row is still ours and running; False once it is not."""
    with app.app_context():
        now = utcnow()
        stmt = (
            update(BackgroundTask)
            .where(BackgroundTask.id == row_id, BackgroundTask.status == TaskStatus.RUNNING)
            .values(lease_until=now + _lease_length())
            .execution_options(synchronize_session=False)
        )
        renewed = _rowcount(db.session.execute(stmt)) == 1
        db.session.commit()
        return renewed


class _Heartbeat:
    """Renews a row's lease every third of its length, in a thread, while a task runs (on a worker, or
    a long task inline)."""

    def __init__(self, app: Flask, row_id: int, every: float) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, args=(app, row_id, every), name=f"lease-{row_id}", daemon=True
        )

    def _beat(self, app: Flask, row_id: int, every: float) -> None:
        while not self._stop.wait(every):
            try:
                if not renew(app, row_id):
                    return
            except Exception:  # a failed renewal is retried at the next beat; the lease has slack
                log.exception("could not renew the lease of background task %s", row_id)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_claimed(task: Task, row_id: int, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    """Run a row-backed task once: claim it, run it (renewing the lease on a worker), settle the row."""
    if not claim(row_id):
        log.info("background task %s is done or held by another worker; this delivery does nothing", row_id)
        return None
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        # On a worker, and for a long task run inline (an import in a thread of the web process, which
        # may outlast the inline lease), the lease is renewed while the task runs: the sweep must not
        # take it for a dead one and start it a second time.
        if app.config["TASK_MODE"] == "celery" or getattr(task, "runs_long", False):
            with _Heartbeat(app, row_id, every=_lease_length().total_seconds() / 3):
                result = task.run(*args, **kwargs)
        else:
            result = task.run(*args, **kwargs)
    except Retry:
        db.session.rollback()
        _settle(row_id, TaskStatus.QUEUED, "retrying")  # so the retried delivery can claim it
        raise
    except Exception as exc:
        db.session.rollback()
        _settle(row_id, TaskStatus.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    _settle(row_id, TaskStatus.DONE)
    return result


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Hand on rows waiting for a broker or left by a dead worker; give up on rows that died too often.

    Returns how many rows were sent again and how many were given up.
    """
    from hirewise.tasks import dispatch

    now = now or utcnow()
    config = current_app.config
    grace = timedelta(seconds=config["TASK_DISPATCH_GRACE_SECONDS"])
    expired = and_(BackgroundTask.status == TaskStatus.RUNNING, BackgroundTask.lease_until < now)
    given_up = db.session.execute(
        update(BackgroundTask)
        .where(expired, BackgroundTask.attempts >= config["TASK_MAX_ATTEMPTS"])
        .values(
            status=TaskStatus.FAILED,
            finished_at=now,
            updated_at=now,
            lease_until=None,
            last_error=f"gave up: its worker stopped during each of {config['TASK_MAX_ATTEMPTS']} attempts",
        )
        .execution_options(synchronize_session=False)
    )
    waiting = and_(
        BackgroundTask.status == TaskStatus.QUEUED,
        func.coalesce(BackgroundTask.dispatched_at, BackgroundTask.created_at) < now - grace,
    )
    due = list(
        db.session.execute(
            select(BackgroundTask.id, BackgroundTask.name, BackgroundTask.args)
            .where(or_(waiting, expired))
            .order_by(BackgroundTask.id)
            .limit(SWEEP_BATCH)
        ).all()
    )
    if due:
        db.session.execute(
            update(BackgroundTask)
            .where(BackgroundTask.id.in_([row.id for row in due]))
            .values(dispatched_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    sent = 0
    for row in due:
        try:
            sent += dispatch(row.name, list(row.args), row.id)
        except Exception:  # an inline task that raised is FAILED on its row; the sweep goes on
            log.exception("background task %s failed when the sweep ran it", row.id)
    return {"sent": sent, "given_up": _rowcount(given_up)}


@shared_task(name="hirewise.tasks.leases.sweep_background_tasks")
def sweep_background_tasks() -> dict[str, int]:
    return sweep()
