"""Delivering outbox messages through a real local SMTP server (aiosmtpd), or holding them."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from celery.exceptions import Retry
from sqlalchemy import select

from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.mail import services
from hirewise.mail.models import OutboxMessage, OutboxStatus, TemplateKey
from hirewise.tasks.mail import flush_outbox, send_message
from hirewise.tasks.models import BackgroundTask

SMTP_USER, SMTP_PASSWORD = "hirewise", "s3cret-pass"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Recorder:
    """aiosmtpd handler keeping what it received."""

    messages: list[Any] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 Message accepted"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        credentials = (_text(data.login), _text(data.password)) if isinstance(data, LoginPassword) else None
        if credentials == (SMTP_USER, SMTP_PASSWORD):
            self.logins.append(SMTP_USER)
            return AuthResult(success=True, auth_data=data)
        return AuthResult(success=False, handled=False)  # aiosmtpd answers 535


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


@pytest.fixture
def smtp_server(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    recorder = Recorder()
    port = _free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        authenticator=recorder.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    for key, value in {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_FROM": "Hirewise <jobs@hirewise.example>",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    try:
        yield recorder
    finally:
        controller.stop()


@pytest.fixture
def embedded(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")


def _queued(**overrides: Any) -> OutboxMessage:
    values: dict[str, Any] = {"to_email": "ada@example.com", "to_name": "Ada Lovelace", "context": {}}
    values.update(overrides)
    message = services.queue_template_email(TemplateKey.GENERIC, **values)
    db.session.commit()
    return message


def _reloaded(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    found = db.session.get(OutboxMessage, message_id)
    assert found is not None
    return found


def test_embedded_mode_holds_the_message(embedded):
    message = _queued(context={"subject": "Hi", "body": "Hello"})
    assert send_message(message.id) == "held"
    held = _reloaded(message.id)
    assert held.status == OutboxStatus.HELD
    assert held.sent_at is None
    assert held.error == ""


def _queued_for_delivery() -> OutboxMessage:
    """An email and its send task, queued in a use case that has not committed yet."""
    message = services.queue_template_email(
        TemplateKey.GENERIC,
        to_email="ada@example.com",
        to_name="Ada",
        context={"subject": "Hi", "body": "Hello"},
    )
    services.deliver_later([message.id])
    return message


def test_deliver_later_queues_the_task_in_the_transaction_and_it_runs_after_the_commit(embedded):
    message = _queued_for_delivery()
    db.session.flush()
    assert message.status == OutboxStatus.QUEUED, "nothing runs before the use case commits"
    task = db.session.execute(select(BackgroundTask)).scalars().one()
    assert (task.name, task.args, task.status) == ("hirewise.tasks.mail.send_message", [message.id], "queued")
    db.session.commit()
    assert _reloaded(message.id).status == OutboxStatus.HELD
    done = db.session.get(BackgroundTask, task.id)
    assert done is not None and (done.status, done.attempts) == ("done", 1)


def test_a_rolled_back_use_case_queues_nothing(embedded):
    _queued_for_delivery()
    db.session.rollback()
    db.session.commit()  # a later commit of the same session sends nothing either
    assert db.session.execute(select(BackgroundTask)).scalars().all() == []
    assert db.session.execute(select(OutboxMessage)).scalars().all() == []


def test_sent_through_smtp_with_headers_body_and_attachment(smtp_server):
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    message = _queued(
        context={"subject": "Your interview", "body": "See the invite."},
        attachments=[{"filename": "interview.ics", "content_type": "text/calendar", "content": ics}],
    )
    assert send_message(message.id) == "sent"
    sent = _reloaded(message.id)
    assert sent.status == OutboxStatus.SENT
    assert sent.sent_at is not None and sent.sent_at <= utcnow()
    assert sent.attempts == 1
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["ada@example.com"]
    assert envelope.mail_from == "jobs@hirewise.example"
    received = message_from_bytes(envelope.content, policy=policy.default)
    assert received["Subject"] == "Your interview"
    assert received["To"] == "Ada Lovelace <ada@example.com>"
    assert received["Message-ID"].endswith("@hirewise.example>")
    body = received.get_body(preferencelist=("plain",))
    assert body is not None and "See the invite." in body.get_content()
    attachments = list(received.iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in attachments] == [
        ("interview.ics", "text/calendar")
    ]
    assert "BEGIN:VCALENDAR" in attachments[0].get_content()


def test_smtp_login_when_a_username_is_configured(app, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_USERNAME", SMTP_USER)
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", SMTP_PASSWORD)
    message = _queued(context={"subject": "Hi", "body": "Hello"})
    assert send_message(message.id) == "sent"
    assert smtp_server.logins == [SMTP_USER]


def test_wrong_smtp_password_fails_with_the_servers_reason(app, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_USERNAME", SMTP_USER)
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", "wrong")
    message = _queued(context={"subject": "Hi", "body": "Hello"})
    assert send_message(message.id) == "failed"
    failed = _reloaded(message.id)
    assert failed.error.startswith("SMTPAuthenticationError")
    assert smtp_server.messages == []


def test_sending_twice_sends_once(smtp_server):
    message = _queued(context={"subject": "Hi", "body": "Hello"})
    assert send_message(message.id) == "sent"
    assert send_message(message.id) == "sent"
    services.deliver_later([message.id])
    assert len(smtp_server.messages) == 1
    assert _reloaded(message.id).attempts == 1


def test_held_messages_are_left_alone_even_once_smtp_is_configured(app, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    message = _queued(context={"subject": "Hi", "body": "Hello"})
    send_message(message.id)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    assert send_message(message.id) == "held"
    assert smtp_server.messages == []


def test_connection_refused_marks_failed_with_the_reason_then_a_retry_succeeds(app, monkeypatch, smtp_server):
    working_port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())  # nothing listens there
    message = _queued(context={"subject": "Hi", "body": "Hello"})
    assert send_message(message.id) == "failed"
    failed = _reloaded(message.id)
    assert failed.status == OutboxStatus.FAILED
    assert failed.attempts == 1
    assert "ConnectionRefusedError" in failed.error
    assert failed.sent_at is None
    # A failed message is tried again (by a Celery retry, flush or "Send again") and can succeed.
    monkeypatch.setitem(app.config, "MAIL_PORT", working_port)
    assert send_message(message.id) == "sent"
    sent = _reloaded(message.id)
    assert (sent.status, sent.attempts, sent.error) == (OutboxStatus.SENT, 2, "")


def test_starttls_required_but_not_offered_fails_clearly(app, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", True)
    message = _queued(context={"subject": "Hi", "body": "Hello"})
    assert send_message(message.id) == "failed"
    assert "STARTTLS" in _reloaded(message.id).error
    assert smtp_server.messages == []


def test_resend_queues_a_failed_message_again(app, smtp_server, monkeypatch):
    from tests.factories import UserFactory

    working_port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())
    message = _queued(context={"subject": "Hi", "body": "Hello"})
    send_message(message.id)
    monkeypatch.setitem(app.config, "MAIL_PORT", working_port)
    services.resend_message(UserFactory(), _reloaded(message.id))
    assert _reloaded(message.id).status == OutboxStatus.SENT
    assert len(smtp_server.messages) == 1


def test_missing_message_is_ignored():
    assert send_message(987654) == "missing"


def test_flush_outbox_requeues_only_stale_queued_messages(smtp_server):
    an_hour_ago = utcnow() - timedelta(hours=1)
    stale = _queued(context={"subject": "Stale", "body": "x"})
    stale.created_at = stale.updated_at = an_hour_ago
    fresh = _queued(context={"subject": "Fresh", "body": "x"})
    done = _queued(context={"subject": "Done", "body": "x"})
    done.status, done.updated_at = OutboxStatus.HELD, an_hour_ago
    db.session.commit()
    assert flush_outbox() == 1
    assert _reloaded(stale.id).status == OutboxStatus.SENT
    assert _reloaded(fresh.id).status == OutboxStatus.QUEUED
    assert _reloaded(done.id).status == OutboxStatus.HELD
    assert [m.rcpt_tos for m in smtp_server.messages] == [["ada@example.com"]]


@pytest.fixture
def worker_request(app: Any) -> Iterator[Any]:
    """Run send_message as a worker would (not eager), publishing retries to the in-memory broker."""
    conf = (
        send_message.app.conf
    )  # the Celery app the task is bound to (another test may have made a newer one)
    always_eager = conf.task_always_eager
    conf.task_always_eager = False

    def push(message_id: int, retries: int) -> None:
        send_message.push_request(
            id=f"test-{message_id}-{retries}",
            args=[message_id],
            kwargs={},
            retries=retries,
            is_eager=False,
            called_directly=False,
        )

    try:
        yield push
    finally:
        send_message.pop_request()
        conf.task_always_eager = always_eager


def test_worker_retries_a_transient_failure_with_backoff_then_gives_up(app, monkeypatch, worker_request):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    message = _queued(context={"subject": "Hi", "body": "Hello"})
    worker_request(message.id, 0)
    with pytest.raises(Retry) as retried:
        send_message.run(message.id)
    assert retried.value.when == 60
    assert _reloaded(message.id).status == OutboxStatus.FAILED
    send_message.pop_request()
    worker_request(message.id, 2)
    with pytest.raises(Retry) as retried:
        send_message.run(message.id)
    assert retried.value.when == 240  # doubling backoff
    send_message.pop_request()
    worker_request(message.id, 3)
    assert send_message.run(message.id) == "failed"  # the third retry was the last
    failed = _reloaded(message.id)
    assert failed.attempts == 3
    assert "ConnectionRefusedError" in failed.error


def test_calendar_invite_part_keeps_its_method_and_crlf_lines():
    """A text/calendar part must carry method=REQUEST and CRLF lines (RFC 5545) for calendar apps."""
    from datetime import UTC, datetime, timedelta

    from hirewise.interviews.calendar import Attendee, InviteDetails, build_request, invite_attachment
    from hirewise.tasks.mail import build_email

    ics = build_request(
        InviteDetails(
            uid="interview-1@hirewise.test",
            sequence=0,
            summary="Technical interview",
            description="Flask Developer kit",
            starts_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
            duration=timedelta(minutes=60),
            timezone="Europe/Berlin",
            organizer=Attendee("recruiter@example.com", "Rita"),
            attendees=[Attendee("ivan@example.com", "Ivan")],
        )
    )
    message = _queued(
        context={"subject": "Invite", "body": "See the invite"},
        attachments=[invite_attachment(ics, "REQUEST")],
    )
    email = build_email(message, "Hirewise <no-reply@example.com>")
    # Calendar apps look for it among the alternatives of the body, not among the attachments.
    alternative = next(part for part in email.walk() if part.get_content_type() == "multipart/alternative")
    calendar_part = next(
        part for part in alternative.iter_parts() if part.get_content_type() == "text/calendar"
    )
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_content().splitlines() == ics.decode().splitlines()
    (download,) = list(email.iter_attachments())
    assert (download.get_filename(), download.get_content_type()) == ("invite.ics", "application/ics")
    assert download.get_content() == ics
    wire = email.as_bytes()
    assert b"\r\n" in wire and b"\n" not in wire.replace(b"\r\n", b"")  # CRLF only, as RFC 5545 requires
