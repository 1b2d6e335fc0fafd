"""A worker killed with ``kill -9`` in the middle of scoring: its lease runs out and another worker
scores the attempt, within a minute, once.

A private Redis on a free port is the broker; leases and the sweep run on short test settings (a
6-second lease renewed every 2 seconds, a sweep every 2 seconds) so the test is quick; production's
defaults (30 s and 15 s) recover within a minute the same way.
"""

from __future__ import annotations

import re
import time

import pytest

from hirewise.assessments.models import AssessmentAttempt, ScoringStatus
from hirewise.candidates.models import Candidate
from hirewise.extensions import db
from hirewise.tasks import enqueue, task_id_for
from hirewise.tasks.assessments import score_attempt
from hirewise.tasks.models import BackgroundTask, TaskStatus
from tests.worker_support import (
    Workers,
    app_on,
    fresh,
    shared_database,
    submitted_attempt,
    wait_for,
)

pytestmark = [pytest.mark.fault, pytest.mark.celery_worker]

# Each test of the code question sleeps, so scoring takes a few seconds: long enough to be cut off.
SLOW_SOLUTION = "import time\ndef double(n):\n    time.sleep(1.2)\n    return 2 * n\n"


def test_a_worker_killed_mid_scoring_leaves_nothing_pending(tmp_path, monkeypatch, redis, fault_environment):
    environment = {
        **fault_environment,
        "CELERY_BROKER_URL": redis.url,
        "TASK_LEASE_SECONDS": "6",
    }
    with shared_database(tmp_path, "fault_kill") as url:
        environment["DATABASE_URL"] = url
        workers = Workers(environment, tmp_path)
        try:
            with app_on(url, monkeypatch, environment) as app:
                attempt_id = submitted_attempt(
                    Candidate(full_name="Grace Hopper", email="grace@example.com"),
                    {"code": {"code": SLOW_SOLUTION}},
                    tests=4,
                )
                row = enqueue(score_attempt, attempt_id)
                db.session.commit()
                row_id = row.id

                first = workers.start(pool="prefork")
                wait_for(
                    lambda: fresh(BackgroundTask, row_id),
                    lambda r: r.status == TaskStatus.RUNNING,
                    workers.log,
                )
                time.sleep(1.0)  # well inside the scoring
                workers.kill(first)  # kill -9 of the main process and its pool child
                assert fresh(AssessmentAttempt, attempt_id).scoring_status == ScoringStatus.PENDING

                killed_at = time.monotonic()
                workers.start(pool="prefork", beat=True)
                scored = wait_for(
                    lambda: fresh(AssessmentAttempt, attempt_id),
                    lambda a: a.scoring_status != ScoringStatus.PENDING,
                    workers.log,
                )
                recovered_in = time.monotonic() - killed_at
                assert scored.scoring_status == ScoringStatus.SCORED, scored.scoring_error
                assert recovered_in < 60, f"scored {recovered_in:.0f} s after the kill"
                assert scored.answers[0].auto_points == 2.0
                settled = wait_for(
                    lambda: fresh(BackgroundTask, row_id),
                    lambda r: r.status != TaskStatus.RUNNING,
                    workers.log,
                )  # the row is settled just after the attempt's commit
                assert (settled.status, settled.attempts) == (TaskStatus.DONE, 2)
                scored_at = scored.scored_at

                # A late duplicate (the killed worker's message, redelivered) changes nothing.
                app.extensions["celery"].send_task(
                    score_attempt.name, args=[attempt_id], task_id=task_id_for(row_id)
                )
                finished = re.compile(rf"score_attempt\[{task_id_for(row_id)}\] succeeded in [\d.]+s: (\S+)")
                outcomes = wait_for(
                    lambda: finished.findall(workers.log.read_text(errors="replace")),
                    lambda found: len(found) >= 2,
                    workers.log,
                )
                assert outcomes == ["'scored'", "None"], "scored once; the duplicate did nothing"
                assert fresh(AssessmentAttempt, attempt_id).scored_at == scored_at
                assert fresh(BackgroundTask, row_id).attempts == 2
        finally:
            workers.stop_all()
