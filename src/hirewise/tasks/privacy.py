"""Enforcing the retention dates: notices before, erasure after (see :mod:`hirewise.privacy.retention`)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="hirewise.tasks.privacy.enforce_retention")
def enforce_retention() -> dict[str, int]:
    from hirewise.privacy.retention import run

    finished = run()
    return {"notices_sent": finished.notices_sent, "erased": finished.erased, "held": finished.held}
