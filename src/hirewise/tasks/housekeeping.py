"""Removing records that have served their purpose: ended sessions, answered idempotency keys, finished
task rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from sqlalchemy import delete

from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.tasks.models import BackgroundTask, TaskStatus

# Finished rows stay a week for whoever investigates a problem; failed ones too, with their error.
KEEP_FINISHED_TASKS = timedelta(days=7)


def remove_finished_tasks() -> int:
    cutoff = utcnow() - KEEP_FINISHED_TASKS
    result: Any = db.session.execute(
        delete(BackgroundTask).where(
            BackgroundTask.status.in_([TaskStatus.DONE, TaskStatus.FAILED]),
            BackgroundTask.finished_at < cutoff,
        )
    )
    db.session.commit()
    return int(result.rowcount or 0)


@shared_task(name="hirewise.tasks.housekeeping.remove_expired_records")
def remove_expired_records() -> dict[str, int]:
    from hirewise.api.idempotency import remove_expired
    from hirewise.auth.session_services import delete_stale_sessions

    return {
        "sessions": delete_stale_sessions(),
        "idempotency_keys": remove_expired(),
        "background_tasks": remove_finished_tasks(),
    }
