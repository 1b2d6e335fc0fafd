"""The candidate runs a code question's visible examples on their code before submitting.

Only the examples the question shows run, never its hidden tests (those run only at scoring), in the
same sandbox and with the same limits as scoring (``hirewise.scoring.sandbox.run_code_tests``). The
code is the candidate's, so it runs where scoring runs: in a background task, on the Celery worker in
production (inline in embedded mode and in tests, where the run is over when the request returns).
The request writes an :class:`AssessmentExampleRun` row and queues the task; the page and the API
poll the row.

Running also saves the code as the question's answer, as the Save button would. Runs are limited
per attempt (``ASSESSMENT_EXAMPLE_RUNS_PER_MINUTE``, ``ASSESSMENT_EXAMPLE_RUNS_PER_ATTEMPT``) and
taken only while the attempt is in progress.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from hirewise.assessments import attempts
from hirewise.assessments.models import (
    AssessmentAttempt,
    AssessmentExampleRun,
    AssessmentQuestion,
    ExampleRunStatus,
    QuestionKind,
)
from hirewise.db import use_case, utcnow
from hirewise.errors import DomainError, NotFound, ValidationFailed
from hirewise.extensions import db
from hirewise.scoring.sandbox import CodeTestCase, run_code_tests

log = logging.getLogger(__name__)

RUNS_PER_MINUTE = 10
RUNS_PER_ATTEMPT = 60
COULD_NOT_RUN = "The examples could not be run this time. Your code was saved; try again in a moment."


class TooManyRuns(DomainError):
    status = 429
    code = "too_many_requests"


def runs_per_minute() -> int:
    return int(current_app.config.get("ASSESSMENT_EXAMPLE_RUNS_PER_MINUTE", RUNS_PER_MINUTE))


def runs_per_attempt() -> int:
    return int(current_app.config.get("ASSESSMENT_EXAMPLE_RUNS_PER_ATTEMPT", RUNS_PER_ATTEMPT))


def _visible_cases(question: AssessmentQuestion) -> list[CodeTestCase]:
    """The question's examples, as the candidate sees them. The hidden tests are never read here."""
    return [
        CodeTestCase(
            args=tuple(case["args"]), expected=case["expected"], visible=True, name=case.get("name", "")
        )
        for case in question.content.get("examples", [])
    ]


def _refusal(attempt: AssessmentAttempt, question: AssessmentQuestion) -> DomainError | None:
    if not question.content.get("examples"):
        return ValidationFailed("This question has no examples to run.")
    now = attempts.clock()
    counts = select(func.count()).where(AssessmentExampleRun.attempt_id == attempt.id)
    total = db.session.execute(counts).scalar_one()
    if total >= runs_per_attempt():
        return TooManyRuns(
            f"You have run the examples {runs_per_attempt()} times, as often as one sitting allows. "
            "Your code was saved; the hidden tests run when you submit."
        )
    recent = db.session.execute(
        counts.where(AssessmentExampleRun.created_at > now - timedelta(minutes=1))
    ).scalar_one()
    if recent >= runs_per_minute():
        return TooManyRuns(
            f"You can run the examples {runs_per_minute()} times a minute. Your code was saved; "
            "wait a moment and run them again."
        )
    return None


@use_case
def request_run(
    attempt: AssessmentAttempt, question_id: int, code: Any, signals: Mapping[str, Any] | None = None
) -> AssessmentExampleRun:
    """Save the code as the answer and queue a run of the question's examples on it.

    Refused while the attempt is not in progress (409), for a question that is not code or has no
    examples (422), and past the limits (429); the code is saved even then, so nothing typed is lost.
    """
    now = attempts.lock_open(attempt)
    question = attempts.question_of(attempt, question_id)
    if question.kind != QuestionKind.CODE:
        raise ValidationFailed("Only code questions have examples to run.")
    answer = attempts.store_answer(attempt, question, {"code": code}, signals, now)
    problem = _refusal(attempt, question)
    if problem is not None:
        db.session.commit()  # the code is kept, as the Save button would keep it
        raise problem
    source = str(answer.response.get("code", ""))
    run = AssessmentExampleRun(
        attempt_id=attempt.id,
        question_id=question.id,
        code=source,
        code_sha256=hashlib.sha256(source.encode()).hexdigest(),
        status=ExampleRunStatus.QUEUED,
        created_at=now,
    )
    db.session.add(run)
    db.session.flush()
    from hirewise.tasks import enqueue
    from hirewise.tasks.assessments import run_examples

    enqueue(run_examples, run.id)
    db.session.commit()
    return run


def get_run(attempt: AssessmentAttempt, run_id: int) -> AssessmentExampleRun:
    """One run of this attempt; another attempt's run does not exist for this link."""
    run = db.session.get(AssessmentExampleRun, run_id)
    if run is None or run.attempt_id != attempt.id:
        raise NotFound("No such run of the examples.")
    db.session.refresh(run)  # a worker may have finished it since this session read it
    return run


def latest_runs(attempt: AssessmentAttempt) -> dict[int, AssessmentExampleRun]:
    """The latest run of each question of the attempt."""
    newest = (
        select(func.max(AssessmentExampleRun.id))
        .where(AssessmentExampleRun.attempt_id == attempt.id)
        .group_by(AssessmentExampleRun.question_id)
    )
    stmt = select(AssessmentExampleRun).where(AssessmentExampleRun.id.in_(newest))
    return {run.question_id: run for run in db.session.execute(stmt).scalars()}


def candidate_view(run: AssessmentExampleRun) -> dict[str, Any]:
    """What the candidate sees of a run: per example its arguments, expected and actual values, status."""
    report = run.report if isinstance(run.report, dict) else {}
    found = report.get("outcomes")
    outcomes: list[Any] = found if isinstance(found, list) else []
    results = [
        {
            "name": outcome.get("name", ""),
            "args": outcome.get("args"),
            "expected": outcome.get("expected"),
            "actual": outcome.get("actual"),
            "status": outcome.get("status"),
            "message": outcome.get("message"),
        }
        for outcome in outcomes
        if isinstance(outcome, dict) and outcome.get("visible")
    ]
    return {
        "id": run.id,
        "question_id": run.question_id,
        "status": run.status,
        "code_sha256": run.code_sha256,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        # Why the code did not run through (a syntax error, a time limit...); nothing when it did.
        "message": "" if report.get("status") == "completed" else str(report.get("message", "")),
        "passed": int(report.get("passed", 0) or 0),
        "total": int(report.get("total", 0) or 0),
        "results": results,
    }


# --- the background task's side ------------------------------------------------------------------


def execute_run(run_id: int) -> ExampleRunStatus | None:
    """Run one queued run's examples in the sandbox and keep the report. Idempotent: a run that is over
    stays as it is. The sandbox holds no database transaction (as in scoring)."""
    run = db.session.get(AssessmentExampleRun, run_id)
    if run is None or run.status != ExampleRunStatus.QUEUED:
        status = run.status if run is not None else None
        db.session.commit()
        return status
    source, question = run.code, run.question
    function_name = str(question.content.get("function_name", ""))
    cases = _visible_cases(question)
    db.session.commit()  # ends the read before the slow part
    try:
        report = run_code_tests(source, function_name, cases).to_dict()
        status = (
            ExampleRunStatus.UNAVAILABLE
            if report.get("status") == "sandbox_unavailable"
            else ExampleRunStatus.DONE
        )
    except Exception:  # a bug of ours must not leave the candidate waiting for ever
        log.exception("running the examples of run %s failed", run_id)
        report, status = (
            {"status": "failed", "message": COULD_NOT_RUN, "outcomes": []},
            ExampleRunStatus.FAILED,
        )
    if status == ExampleRunStatus.UNAVAILABLE:
        report["message"] = COULD_NOT_RUN
    run = db.session.get(AssessmentExampleRun, run_id)
    if run is None or run.status != ExampleRunStatus.QUEUED:  # another delivery finished it meanwhile
        db.session.commit()
        return run.status if run is not None else None
    run.status = status
    run.report = report
    run.finished_at = utcnow()
    run.code = ""  # its SHA-256 stays; the answer itself keeps the candidate's code
    db.session.commit()
    return status
