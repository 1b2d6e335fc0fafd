"""Background work kept in the database: rows written with the use case, claimed once, swept when a
broker was down or a worker died. Inline mode (the suite's) runs rows in this process; the broker and
the worker are attacked for real in tests/fault/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from hirewise.auth.models import Role
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage, OutboxStatus
from hirewise.tasks import enqueue, row_id_of, task_id_for
from hirewise.tasks.housekeeping import remove_finished_tasks
from hirewise.tasks.leases import claim, sweep
from hirewise.tasks.mail import send_message
from hirewise.tasks.models import BackgroundTask, TaskStatus
from tests.factories import ApplicationFactory, UserFactory


def registered(app: Flask, task: Any) -> Any:
    """The task object the app dispatches to (other tests' apps register tasks of their own)."""
    return app.extensions["celery"].tasks[task.name]


@pytest.fixture
def runs(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Counts the real runs of send_message (its effect stays the real one)."""
    calls: list[Any] = []
    task = registered(app, send_message)
    original = task.run

    def counted(message_id: int) -> Any:
        calls.append(message_id)
        return original(message_id)

    monkeypatch.setattr(task, "run", counted)
    return calls


def queued_message() -> OutboxMessage:
    message = OutboxMessage(to_email="ada@example.com", subject="Hello", body="Hi")
    db.session.add(message)
    db.session.flush()
    return message


def rows() -> list[BackgroundTask]:
    db.session.expire_all()
    return list(db.session.execute(select(BackgroundTask).order_by(BackgroundTask.id)).scalars())


def test_a_use_case_writes_its_task_in_its_own_transaction_and_runs_it_after_the_commit(client, auth, runs):
    auth.login(Role.RECRUITER)
    application = ApplicationFactory()
    db.session.commit()
    response = client.post(
        f"/candidates/{application.candidate_id}/email", data={"subject": "Next steps", "body": "Hello"}
    )
    assert response.status_code == 302
    [row] = rows()
    message = db.session.execute(select(OutboxMessage)).scalars().one()
    assert (row.name, row.args) == ("hirewise.tasks.mail.send_message", [message.id])
    assert (row.status, row.attempts, row.last_error) == (TaskStatus.DONE, 1, "")
    assert row.started_at is not None and row.finished_at is not None and row.lease_until is None
    assert message.status == OutboxStatus.HELD and runs == [message.id]


def test_a_second_delivery_of_the_same_row_does_nothing(app, runs):
    message = queued_message()
    row = enqueue(send_message, message.id)
    db.session.commit()
    assert runs == [message.id] and rows()[0].status == TaskStatus.DONE
    duplicate = registered(app, send_message).apply(args=[message.id], task_id=task_id_for(row.id))
    assert duplicate.get() is None
    assert runs == [message.id], "the duplicate did not run the task again"
    assert rows()[0].attempts == 1


def test_claims_take_queued_rows_and_expired_leases_only(app: Flask):
    row = BackgroundTask(name="hirewise.tasks.mail.send_message", args=[1])
    db.session.add(row)
    db.session.commit()
    now = utcnow()
    assert claim(row.id, now) is True
    assert claim(row.id, now + timedelta(seconds=1)) is False, "the lease is held"
    assert claim(row.id, now + timedelta(minutes=11)) is True, "the inline lease of 10 minutes ran out"
    assert rows()[0].attempts == 2
    row.status = TaskStatus.DONE
    db.session.commit()
    assert claim(row.id, now + timedelta(days=1)) is False


def test_a_task_that_raises_marks_its_row_failed_and_the_commit_stands(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog
):
    def broken(message_id: int) -> None:
        raise RuntimeError("SMTP exploded")

    monkeypatch.setattr(registered(app, send_message), "run", broken)
    message = queued_message()
    enqueue(send_message, message.id)
    db.session.commit()  # the use case's commit is not undone, nor turned into an error, by its task
    [row] = rows()
    assert row.status == TaskStatus.FAILED and row.last_error == "RuntimeError: SMTP exploded"
    assert db.session.get(OutboxMessage, message.id) is not None
    assert (
        "background task hirewise.tasks.mail.send_message" in caplog.text and "SMTP exploded" in caplog.text
    )


def _row(status: TaskStatus, *, age: timedelta, lease: timedelta | None = None, attempts: int = 0) -> int:
    message = queued_message()
    now = utcnow()
    row = BackgroundTask(
        name="hirewise.tasks.mail.send_message",
        args=[message.id],
        status=status,
        attempts=attempts,
        created_at=now - age,
        lease_until=now + lease if lease is not None else None,
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def test_the_sweep_sends_what_waited_and_what_a_dead_worker_left_and_gives_up_in_the_end(app, runs):
    waited = _row(TaskStatus.QUEUED, age=timedelta(minutes=5))  # the broker was down at commit time
    fresh = _row(TaskStatus.QUEUED, age=timedelta(seconds=1))  # just committed: its dispatch is under way
    orphaned = _row(TaskStatus.RUNNING, age=timedelta(minutes=5), lease=-timedelta(seconds=1), attempts=1)
    alive = _row(TaskStatus.RUNNING, age=timedelta(minutes=5), lease=timedelta(seconds=20), attempts=1)
    hopeless = _row(TaskStatus.RUNNING, age=timedelta(hours=1), lease=-timedelta(seconds=1), attempts=5)

    assert sweep() == {"sent": 2, "given_up": 1}
    found = {row.id: row for row in rows()}
    assert (found[waited].status, found[waited].attempts) == (TaskStatus.DONE, 1)
    assert (found[orphaned].status, found[orphaned].attempts) == (TaskStatus.DONE, 2)
    assert found[fresh].status == TaskStatus.QUEUED
    assert (found[alive].status, found[alive].attempts) == (TaskStatus.RUNNING, 1)
    assert found[hopeless].status == TaskStatus.FAILED
    assert found[hopeless].last_error == "gave up: its worker stopped during each of 5 attempts"
    assert sorted(runs) == sorted(found[i].args[0] for i in (waited, orphaned))
    assert sweep() == {"sent": 0, "given_up": 0}


def test_finished_rows_are_removed_after_a_week(app):
    old = _row(TaskStatus.DONE, age=timedelta(days=9))
    recent = _row(TaskStatus.DONE, age=timedelta(days=1))
    for row_id, finished in ((old, timedelta(days=8)), (recent, timedelta(days=1))):
        row = db.session.get(BackgroundTask, row_id)
        assert row is not None
        row.finished_at = utcnow() - finished
    db.session.commit()
    assert remove_finished_tasks() == 1
    assert [row.id for row in rows()] == [recent]


def test_task_ids_name_their_rows():
    assert row_id_of(task_id_for(42)) == 42
    assert row_id_of("a-celery-uuid") is None and row_id_of(None) is None and row_id_of("hw-task-x") is None


def test_with_the_broker_down_a_use_case_still_succeeds_once_and_its_task_waits(
    start_app, environment, caplog
):
    """The finding: 'POST /candidates/<id>/email answers 500 after committing the email'."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on: the broker is down
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    environment.setenv("HIREWISE_TASKS", "celery")
    environment.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{dead_port}/0")
    app = start_app()
    with app.app_context():
        from hirewise.auth.services import create_user
        from hirewise.candidates.models import Candidate

        create_user(None, email="rita@example.com", full_name="Rita", role=Role.RECRUITER, password="x" * 12)
        candidate = Candidate(full_name="Ada", email="ada@example.com")
        db.session.add(candidate)
        db.session.commit()
        candidate_id = candidate.id
    client = app.test_client()
    assert client.post("/login", data={"email": "rita@example.com", "password": "x" * 12}).status_code == 302

    response = client.post(
        f"/candidates/{candidate_id}/email", data={"subject": "Next steps", "body": "Hello"}
    )
    assert response.status_code == 302, "a committed email is never answered with an error"
    assert "broker unavailable" in caplog.text
    with app.app_context():
        assert [m.status for m in db.session.execute(select(OutboxMessage)).scalars()] == [
            OutboxStatus.QUEUED
        ]
        [row] = rows()
        assert (row.name, row.status, row.attempts) == (
            "hirewise.tasks.mail.send_message",
            TaskStatus.QUEUED,
            0,
        )
        later = utcnow() + timedelta(minutes=1)
        assert sweep(later) == {"sent": 0, "given_up": 0}, "the sweep, too, leaves it waiting"
        assert rows()[0].dispatched_at is not None


# --- Idempotency-Key --------------------------------------------------------------------------------


def bearer(role: Role = Role.RECRUITER) -> dict[str, str]:
    from hirewise.auth.services import create_api_token

    _, raw = create_api_token(UserFactory(role=role), "script", "read,write")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_a_retried_post_with_the_same_key_creates_once_and_answers_the_same(client, app):
    headers = {**bearer(), "Idempotency-Key": "5b0e6c1e-3e7a-4f7e-9f53-2b1e0d1c9a10"}
    body = {"full_name": "Grace Hopper", "email": "grace@example.com"}
    first = client.post("/api/v1/candidates", json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    again = client.post("/api/v1/candidates", json=body, headers=headers)
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    from hirewise.candidates.models import Candidate

    assert len(db.session.execute(select(Candidate)).scalars().all()) == 1

    reused = client.post("/api/v1/candidates", json={**body, "email": "other@example.com"}, headers=headers)
    assert reused.status_code == 422 and "different request" in reused.get_json()["error"]["message"]
    without = client.post(
        "/api/v1/candidates", json=body, headers={"Authorization": headers["Authorization"]}
    )
    assert without.status_code == 409, "without a key, a repeat is a new request (here a duplicate email)"


def test_keys_are_per_user_validated_and_errors_are_kept_but_crashes_are_not(client, app):
    key = {"Idempotency-Key": "same-key"}
    body = {"full_name": "Ada", "email": "ada@example.com"}
    assert client.post("/api/v1/candidates", json=body, headers={**bearer(), **key}).status_code == 201
    other_user = client.post(
        "/api/v1/candidates", json={**body, "email": "b@example.com"}, headers={**bearer(), **key}
    )
    assert other_user.status_code == 201, "another user's key of the same text is another key"
    for bad in ("", " ", "x" * 256, "naïve"):
        response = client.post("/api/v1/candidates", json=body, headers={**bearer(), "Idempotency-Key": bad})
        assert response.status_code == 422, bad
    headers = {**bearer(), "Idempotency-Key": "invalid-body"}
    first = client.post("/api/v1/candidates", json={"full_name": ""}, headers=headers)
    assert first.status_code == 422
    assert (
        client.post("/api/v1/candidates", json={"full_name": ""}, headers=headers).headers.get(
            "Idempotent-Replayed"
        )
        == "true"
    )


def test_a_key_whose_first_request_still_runs_is_a_conflict(client, app):
    from hirewise.api import idempotency
    from hirewise.api.models import IdempotencyKey
    from hirewise.auth.services import create_api_token

    user = UserFactory(role=Role.RECRUITER)
    _, raw = create_api_token(user, "script", "read,write")
    body = {"full_name": "Ada", "email": "ada@example.com"}
    headers = {"Authorization": f"Bearer {raw}", "Idempotency-Key": "k1"}
    with app.test_request_context("/api/v1/candidates", method="POST", json=body, headers=headers):
        fingerprint = idempotency._request_hash()
    # The first request with the key, still running (its response not stored yet).
    db.session.add(
        IdempotencyKey(
            user_id=user.id, key="k1", method="POST", path="/api/v1/candidates?", request_hash=fingerprint
        )
    )
    db.session.commit()
    response = client.post("/api/v1/candidates", json=body, headers=headers)
    assert response.status_code == 409 and "still running" in response.get_json()["error"]["message"]


def test_the_spec_documents_the_header_on_posts_that_take_a_token(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["parameters"]["IdempotencyKey"]["name"] == "Idempotency-Key"
    posts = {path: item["post"] for path, item in spec["paths"].items() if "post" in item}
    for path, operation in posts.items():
        documented = {"$ref": "#/components/parameters/IdempotencyKey"} in operation.get("parameters", [])
        assert documented == (operation.get("security") != []), path


def test_a_request_that_crashed_forgets_its_key_so_the_retry_runs(client, app, monkeypatch):
    from hirewise.candidates import services as candidate_services

    headers = {**bearer(), "Idempotency-Key": "crash-then-retry"}
    body = {"full_name": "Ada", "email": "ada@example.com"}
    original = candidate_services.create_candidate

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(candidate_services, "create_candidate", crash)
    with pytest.raises(RuntimeError):  # the test app propagates errors instead of answering 500
        client.post("/api/v1/candidates", json=body, headers=headers)
    monkeypatch.setattr(candidate_services, "create_candidate", original)
    retried = client.post("/api/v1/candidates", json=body, headers=headers)
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
