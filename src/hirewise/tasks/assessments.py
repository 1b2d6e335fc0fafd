"""Assessment background tasks: scoring a submitted attempt, submitting attempts left open, and running
a candidate's code against a question's examples before they submit.

Scoring and example runs run candidates' code in the sandbox, so they belong on the worker; every
task here is idempotent.
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


@shared_task(name="hirewise.tasks.assessments.run_examples")
def run_examples(run_id: int) -> str | None:
    """Run a candidate's code against a question's visible examples (never the hidden tests)."""
    from hirewise.assessments.example_runs import execute_run

    status = execute_run(run_id)
    return str(status) if status is not None else None
