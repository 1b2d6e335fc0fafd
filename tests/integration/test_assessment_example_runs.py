"""The candidate runs a code question's visible examples before submitting: page and JSON API.

Only the examples run (the hidden tests only at scoring), in the sandbox with the scoring limits, as a
background task (inline in tests), rate-limited per attempt and only while the attempt is open.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from hirewise import tasks
from hirewise.assessments import attempts, example_runs, services
from hirewise.assessments.models import AssessmentExampleRun
from hirewise.auth.models import Role
from hirewise.extensions import db
from hirewise.scoring import sandbox
from hirewise.tasks.models import BackgroundTask
from tests.assessment_samples import ADD_CODE, FREE_TEXT, MC
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_assessment_attempts import Clock, build_assessment

TAKE = "/api/v1/assessment-attempts"
RIGHT = "def add(a, b):\n    return a + b\n"
WRONG = "def add(a, b):\n    return a - b\n"
TWO_EXAMPLES = {
    **ADD_CODE,
    "content": {
        **ADD_CODE["content"],
        "examples": [
            {"args": [1, 2], "expected": 3, "name": "small numbers"},
            {"args": [-1, 1], "expected": 0, "name": "opposites"},
        ],
    },
}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    frozen = Clock()
    monkeypatch.setattr(attempts, "clock", frozen)
    yield frozen


@pytest.fixture
def issued():
    recruiter = UserFactory(role=Role.RECRUITER)
    assessment = build_assessment(recruiter, OpeningFactory(), MC, TWO_EXAMPLES, FREE_TEXT, minutes=15)
    [invitation] = services.invite(recruiter, assessment, [ApplicationFactory(opening=assessment.opening)])
    return invitation


@pytest.fixture
def cases_run(monkeypatch: pytest.MonkeyPatch) -> list[sandbox.CodeTestCase]:
    """Every case handed to the sandbox by an example run (the real sandbox still runs them)."""
    seen: list[sandbox.CodeTestCase] = []
    real = example_runs.run_code_tests

    def recording(source: str, function_name: str, tests: Any, *args: Any, **kwargs: Any) -> Any:
        seen.extend(tests)
        return real(source, function_name, tests, *args, **kwargs)

    monkeypatch.setattr(example_runs, "run_code_tests", recording)
    return seen


def _code_question(issued):
    return next(q for q in issued.invitation.assessment.questions if q.kind == "code")


def _number(issued, question) -> int:
    return [q.id for q in attempts.ordered_questions(issued.invitation.attempt)].index(question.id) + 1


def _api_run(client: FlaskClient, issued, code: str) -> Any:
    question = _code_question(issued)
    return client.post(f"{TAKE}/{issued.token}/answers/{question.id}/example-runs", json={"code": code})


# --- the page, without JavaScript --------------------------------------------------------------------


def test_the_page_runs_the_examples_and_shows_each_result(client, issued, clock, cases_run):
    client.post(f"/assessment/{issued.token}/start")
    question = _code_question(issued)
    number = _number(issued, question)
    page = client.get(f"/assessment/{issued.token}?q={number}").get_data(as_text=True)
    run_url = f"/assessment/{issued.token}/answers/{question.id}/run?q={number}"
    assert "Run the examples" in page and f'formaction="{run_url}"' in page

    response = client.post(run_url, data={"code": WRONG, "time_spent_seconds": "9"})
    assert response.status_code == 302
    assert re.search(rf"q={number}", response.headers["Location"])
    # The code in the box was saved with the run: the page comes back with it, not the starter code.
    answer = next(a for a in issued.invitation.attempt.answers if a.question_id == question.id)
    assert answer.response == {"code": WRONG} and answer.time_spent_seconds == 9

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "return a - b" in page
    results = page[page.index('class="example-run') :]
    results = results[: results.index("</section>")]
    assert "small numbers" in results and "opposites" in results
    assert "[1, 2]" in results and "-1" in results  # arguments, expected 3, actual -1
    assert "failed" in results and "0 of 2 examples passed" in results  # -1 for 3, -2 for 0
    assert "secret-hidden-case" not in page and "424242" not in page and "40, 2" not in page
    assert [case.visible for case in cases_run] == [True, True]
    assert [case.args for case in cases_run] == [(1, 2), (-1, 1)]


def test_results_show_passed_examples(client, issued, clock):
    client.post(f"/assessment/{issued.token}/start")
    question = _code_question(issued)
    number = _number(issued, question)
    response = client.post(
        f"/assessment/{issued.token}/answers/{question.id}/run?q={number}", data={"code": RIGHT}
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    results = page[page.index('class="example-run') :]
    results = results[: results.index("</section>")]
    assert results.count("passed") >= 2 and "failed" not in results
    assert "2 of 2 examples passed" in results


# --- the JSON API ------------------------------------------------------------------------------------


def test_the_api_runs_the_examples_only_and_reports_them(client, issued, clock, cases_run):
    client.post(f"{TAKE}/{issued.token}/start")
    response = _api_run(client, issued, WRONG)
    assert response.status_code == 202, response.get_json()
    run = response.get_json()
    assert run["status"] == "done", "inline tasks: done when the POST returns"
    assert run["code_sha256"] == hashlib.sha256(WRONG.encode()).hexdigest()
    assert run["passed"] == 0 and run["total"] == 2
    assert [r["name"] for r in run["results"]] == ["small numbers", "opposites"]
    first = run["results"][0]
    assert first == {
        "name": "small numbers",
        "args": [1, 2],
        "expected": 3,
        "actual": -1,
        "status": "failed",
        "message": "wrong answer",
    }
    raw = response.get_data(as_text=True)
    assert "secret-hidden-case" not in raw and "424242" not in raw
    assert all(case.visible for case in cases_run) and len(cases_run) == 2

    again = client.get(f"{TAKE}/{issued.token}/example-runs/{run['id']}")
    assert again.status_code == 200 and again.get_json() == run
    right = _api_run(client, issued, RIGHT).get_json()
    assert right["passed"] == 2 and {r["status"] for r in right["results"]} == {"passed"}

    stored = db.session.get(AssessmentExampleRun, run["id"])
    assert stored is not None and stored.attempt_id == issued.invitation.attempt.id
    assert stored.code_sha256 == run["code_sha256"] and stored.finished_at is not None
    assert all(o["visible"] for o in stored.report["outcomes"])


def test_another_links_run_is_not_found(client, issued, clock):
    client.post(f"{TAKE}/{issued.token}/start")
    run = _api_run(client, issued, RIGHT).get_json()
    recruiter = UserFactory(role=Role.RECRUITER)
    [other] = services.invite(
        recruiter,
        issued.invitation.assessment,
        [ApplicationFactory(opening=issued.invitation.assessment.opening)],
    )
    client.post(f"{TAKE}/{other.token}/start")
    assert client.get(f"{TAKE}/{other.token}/example-runs/{run['id']}").status_code == 404
    assert client.get(f"/assessment/{other.token}/example-runs/{run['id']}").status_code == 404


def test_only_code_questions_with_examples_run(client, issued, clock):
    client.post(f"{TAKE}/{issued.token}/start")
    choice = next(q for q in issued.invitation.assessment.questions if q.kind == "multiple_choice")
    response = client.post(f"{TAKE}/{issued.token}/answers/{choice.id}/example-runs", json={"code": RIGHT})
    assert response.status_code == 422
    assert (
        client.post(f"{TAKE}/{issued.token}/answers/999999/example-runs", json={"code": RIGHT}).status_code
        == 404
    )
    question = _code_question(issued)
    question.content = {**question.content, "examples": []}
    db.session.commit()
    empty = _api_run(client, issued, RIGHT)
    assert empty.status_code == 422 and "no examples" in empty.get_json()["error"]["message"]


def test_runs_only_while_the_attempt_is_in_progress(client, issued, clock):
    before = _api_run(client, issued, RIGHT)
    assert before.status_code == 409
    client.post(f"{TAKE}/{issued.token}/start")
    assert _api_run(client, issued, RIGHT).status_code == 202
    client.post(f"{TAKE}/{issued.token}/submit")
    after = _api_run(client, issued, RIGHT)
    assert after.status_code == 409
    question = _code_question(issued)
    page = client.post(f"/assessment/{issued.token}/answers/{question.id}/run", data={"code": RIGHT})
    assert page.status_code == 409


def test_runs_stop_at_the_deadline(client, issued, clock):
    client.post(f"{TAKE}/{issued.token}/start")
    clock.advance(minutes=16)
    late = _api_run(client, issued, RIGHT)
    assert (
        late.status_code == 409 and "time for this assessment is over" in late.get_json()["error"]["message"]
    )


def test_runs_are_rate_limited_per_attempt(client, issued, clock):
    client.post(f"{TAKE}/{issued.token}/start")
    per_minute = example_runs.RUNS_PER_MINUTE
    statuses = [_api_run(client, issued, RIGHT).status_code for _ in range(per_minute)]
    assert statuses == [202] * per_minute
    blocked = _api_run(client, issued, RIGHT)
    assert blocked.status_code == 429
    assert "minute" in blocked.get_json()["error"]["message"]
    question = _code_question(issued)
    page = client.post(f"/assessment/{issued.token}/answers/{question.id}/run", data={"code": RIGHT})
    assert page.status_code == 429 and "minute" in page.get_data(as_text=True)
    clock.advance(seconds=61)
    assert _api_run(client, issued, RIGHT).status_code == 202

    per_attempt = example_runs.RUNS_PER_ATTEMPT
    made = per_minute + 1
    while made < per_attempt:
        clock.advance(seconds=61)
        for _ in range(min(per_minute, per_attempt - made)):
            assert _api_run(client, issued, RIGHT).status_code == 202
            made += 1
    clock.advance(seconds=61)
    exhausted = _api_run(client, issued, RIGHT)
    assert exhausted.status_code == 429 and str(per_attempt) in exhausted.get_json()["error"]["message"]
    count = select(AssessmentExampleRun).where(
        AssessmentExampleRun.attempt_id == issued.invitation.attempt.id
    )
    assert len(db.session.execute(count).scalars().all()) == per_attempt


def test_on_a_worker_the_run_is_queued_then_polled(client, issued, clock, monkeypatch):
    """With TASK_MODE=celery the code never runs in the web process: the POST queues a task row."""
    sent: list[tuple[str, list[Any], int]] = []
    monkeypatch.setattr(
        tasks, "dispatch", lambda name, args, row_id: sent.append((name, args, row_id)) or True
    )
    client.post(f"{TAKE}/{issued.token}/start")
    queued = _api_run(client, issued, RIGHT)
    assert queued.status_code == 202
    run = queued.get_json()
    assert run["status"] == "queued" and run["results"] == []
    [(name, args, row_id)] = sent
    assert name == "hirewise.tasks.assessments.run_examples" and args == [run["id"]]
    assert db.session.get(BackgroundTask, row_id) is not None

    question = _code_question(issued)
    page = client.get(f"/assessment/{issued.token}?q={_number(issued, question)}").get_data(as_text=True)
    assert "Running the examples" in page

    example_runs.execute_run(run["id"])  # what the worker does
    done = client.get(f"{TAKE}/{issued.token}/example-runs/{run['id']}").get_json()
    assert done["status"] == "done" and done["passed"] == 2
    polled = client.get(f"/assessment/{issued.token}/example-runs/{run['id']}")
    assert polled.status_code == 200 and polled.get_json()["passed"] == 2
    example_runs.execute_run(run["id"])  # a second delivery changes nothing
    assert db.session.get(AssessmentExampleRun, run["id"]).status == "done"


def test_the_html_post_answers_json_for_the_script(client, issued, clock):
    client.post(f"/assessment/{issued.token}/start")
    question = _code_question(issued)
    response = client.post(
        f"/assessment/{issued.token}/answers/{question.id}/run",
        data={"code": RIGHT},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "done" and body["passed"] == 2
    assert body["poll_url"] == f"/assessment/{issued.token}/example-runs/{body['id']}"
