"""Assessment background tasks: scoring a submitted attempt, and submitting attempts left open.

Scoring runs code in the sandbox, so it belongs on the worker; both tasks are idempotent.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="hirewise.tasks.assessments.score_attempt")
def score_attempt(attempt_id: int) -> str | None:
    from hirewise.assessments.scoring import score_attempt as score

    status = score(attempt_id)
    return str(status) if status is not None else None


@shared_task(name="hirewise.tasks.assessments.submit_overdue_attempts")
def submit_overdue_attempts() -> list[int]:
    from hirewise.assessments.attempts import submit_overdue_attempts as submit

    return submit()
