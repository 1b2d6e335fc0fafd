"""The candidate's side of scripts/check-image.sh, run inside a container of the image.

On a database that ``flask db upgrade`` has just brought up, it sets up an opening with a one-question code
assessment, then takes the assessment twice as candidates do (start, save the answer, submit: the same
services the candidate's page calls), once with a right answer and once with a wrong one. Submitting queues
the scoring task to Redis; the worker container scores it. Passes when both were scored from code that ran
in the sandbox: every test passed for the right answer, none for the wrong one.
"""

from __future__ import annotations

import secrets
import sys
import time
from datetime import timedelta
from typing import Any

from hirewise import create_app
from hirewise.assessments import attempts
from hirewise.assessments.models import (
    Assessment,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentQuestion,
    ScoringStatus,
)
from hirewise.auth.services import hash_secret
from hirewise.candidates.models import Application, Candidate
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.openings.models import DEFAULT_STAGES, Opening, OpeningStatus, Stage

SCORING_TIMEOUT_SECONDS = 180
EXAMPLES = [{"args": [3], "expected": 6}]
HIDDEN_TESTS = [{"args": [n], "expected": 2 * n} for n in (5, 6, 7)]
# (code, how many tests it passes); the score counts the visible examples and the hidden tests
ANSWERS = {
    "right": ("def double(n):\n    return n * 2\n", len(EXAMPLES) + len(HIDDEN_TESTS)),
    "wrong": ("def double(n):\n    return n + 2\n", 0),
}


def code_assessment() -> Assessment:
    opening = Opening(slug="image-check", title="Image check", status=OpeningStatus.OPEN)
    opening.stages = [
        Stage(name=name, kind=kind, position=i) for i, (name, kind) in enumerate(DEFAULT_STAGES)
    ]
    assessment = Assessment(opening=opening, title="Image check")
    assessment.questions = [
        AssessmentQuestion(
            kind="code",
            prompt="Write double(n).",
            points=3,
            content={
                "function_name": "double",
                "examples": EXAMPLES,
                "tests": HIDDEN_TESTS,
            },
        )
    ]
    db.session.add(assessment)
    db.session.commit()
    return assessment


def submit_as_candidate(assessment: Assessment, name: str, code: str) -> int:
    candidate = Candidate(full_name=f"Candidate {name}", email=f"{name}@example.com")
    application = Application(
        candidate=candidate, opening=assessment.opening, stage=assessment.opening.stages[0]
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        AssessmentInvitation(
            assessment=assessment,
            application=application,
            token_hash=hash_secret(token),
            expires_at=utcnow() + timedelta(days=1),
        )
    )
    db.session.commit()

    invitation = attempts.invitation_for_token(token)
    attempt = attempts.start_attempt(invitation)
    attempts.save_answer(attempt, assessment.questions[0].id, {"code": code})
    attempts.submit_attempt(attempt)  # queues the scoring task for the worker
    return attempt.id


def wait_until_scored(attempt_id: int) -> AssessmentAttempt:
    deadline = time.monotonic() + SCORING_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh transaction sees the worker's commit
        attempt = db.session.get(AssessmentAttempt, attempt_id)
        if attempt is not None and attempt.scoring_status != ScoringStatus.PENDING:
            return attempt
        time.sleep(1)
    raise SystemExit(f"attempt {attempt_id} was not scored within {SCORING_TIMEOUT_SECONDS} s")


def main() -> int:
    app = create_app()
    if app.config["TASK_MODE"] != "celery":
        raise SystemExit("REDIS_URL must be set: the worker container, not this one, runs the scoring")
    failures: list[str] = []
    with app.app_context():
        assessment = code_assessment()
        submitted = {name: submit_as_candidate(assessment, name, code) for name, (code, _) in ANSWERS.items()}
        for name, attempt_id in submitted.items():
            attempt = wait_until_scored(attempt_id)
            answer = attempt.answers[0]
            explanation: dict[str, Any] = answer.explanation or {}
            expected_passed = ANSWERS[name][1]
            print(
                f"{name} answer: scoring {attempt.scoring_status}, {answer.auto_points} of {answer.max_points}"
                f" points, sandbox {explanation.get('sandbox')!r}, run {explanation.get('status')!r},"
                f" {explanation.get('passed')} of {explanation.get('total')} tests passed"
            )
            if attempt.scoring_status != ScoringStatus.SCORED:
                failures.append(f"{name}: scoring {attempt.scoring_status} ({attempt.scoring_error})")
            if not str(explanation.get("sandbox", "")).startswith("bubblewrap"):
                failures.append(f"{name}: the code did not run in the sandbox: {explanation.get('message')}")
            if explanation.get("status") != "completed" or explanation.get("passed") != expected_passed:
                failures.append(f"{name}: expected {expected_passed} passed tests, got {explanation}")
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
