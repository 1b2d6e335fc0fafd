"""What mail clients receive: the MIME shape, the HTML part, invites as invitations, and TLS.

Every message goes through a real local SMTP server (aiosmtpd on a free port) and is read back
with Python's email parser, the way a mail client would: the body alternatives (text/plain,
text/html and, for invites, text/calendar with the file's METHOD), ``Auto-Submitted``, and
delivery over implicit TLS (SMTPS, port 465 style) and STARTTLS with a certificate made here.
"""

from __future__ import annotations

import re
import shutil
import ssl
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from hirewise import create_app
from hirewise.auth.models import Role
from hirewise.config import ConfigurationError, load_config
from hirewise.extensions import db
from hirewise.interviews import services as interviews
from hirewise.mail import services
from hirewise.mail.models import OutboxMessage, OutboxStatus, TemplateKey
from hirewise.tasks.mail import send_message
from tests.factories import ApplicationFactory, UserFactory
from tests.integration.test_mail_delivery import _free_port

SENDER = "Hirewise <jobs@hirewise.example>"


@dataclass
class Received:
    """aiosmtpd handler keeping each message and whether its session was encrypted."""

    messages: list[EmailMessage] = field(default_factory=list)
    encrypted: list[bool] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.encrypted.append(server.transport.get_extra_info("ssl_object") is not None)
        return "250 Message accepted"

    def to(self, address: str) -> EmailMessage:
        (found,) = [m for m in self.messages if address in str(m["To"])]
        return found


@dataclass(frozen=True)
class Certificate:
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


@pytest.fixture
def certificate(tmp_path: Path) -> Certificate:
    """A self-signed certificate for 127.0.0.1, made with the openssl command line."""
    openssl = shutil.which("openssl")
    assert openssl, "the openssl command is needed to make a test certificate"
    cert_file, key_file = tmp_path / "smtp-cert.pem", tmp_path / "smtp-key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key_file), "-out", str(cert_file)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return Certificate(cert_file, key_file)


StartServer = Callable[..., Received]


@pytest.fixture
def start_smtp(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[StartServer]:
    """Start an aiosmtpd server (``Controller`` keyword arguments) and point the app at it."""
    controllers: list[Controller] = []

    def start(*, use_ssl: bool = False, use_tls: bool = False, **options: Any) -> Received:
        received = Received()
        port = _free_port()
        controller = Controller(received, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        settings = {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_USE_SSL": use_ssl,
            "MAIL_USE_TLS": use_tls,
            "MAIL_USERNAME": "",
            "MAIL_PASSWORD": "",
            "MAIL_FROM": SENDER,
        }
        for key, value in settings.items():
            monkeypatch.setitem(app.config, key, value)
        return received

    try:
        yield start
    finally:
        for controller in controllers:
            controller.stop()


def _queued(context: dict[str, Any], **overrides: Any) -> OutboxMessage:
    key = overrides.pop("key", TemplateKey.GENERIC)
    values: dict[str, Any] = {"to_email": "ada@example.com", "to_name": "Ada Lovelace", "context": context}
    values.update(overrides)
    message = services.queue_template_email(key, **values)
    db.session.commit()
    return message


def _status(message_id: int) -> tuple[OutboxStatus, str]:
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    assert message is not None
    return message.status, message.error


class _VisibleText(HTMLParser):
    """The text a reader sees in an HTML part: tags dropped, entities decoded, <br> a line break."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = False
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")
        elif tag in ("head", "style", "script"):
            self.skipping = True
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "script"):
            self.skipping = False

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"[\r\n]", "", data))  # source line breaks are not shown

    @classmethod
    def of(cls, html: str) -> tuple[str, list[str]]:
        reader = cls()
        reader.feed(html)
        return "".join(reader.parts).strip(), reader.links


def _alternatives(email: EmailMessage) -> list[EmailMessage]:
    alternative = email if email.get_content_type() == "multipart/alternative" else None
    if alternative is None:
        assert email.get_content_type() == "multipart/mixed"
        first = next(email.iter_parts())
        assert isinstance(first, EmailMessage)
        alternative = first
    assert alternative.get_content_type() == "multipart/alternative"
    return [part for part in alternative.iter_parts() if isinstance(part, EmailMessage)]


# --- every email ---------------------------------------------------------------------------------


def test_every_email_is_plain_text_and_html_alternatives_marked_auto_generated(start_smtp):
    server = start_smtp()
    body = "Hello Ada,\n\nYour interview kit: https://hirewise.example/interviews/7.\nSee you soon."
    message = _queued({"subject": "Next steps", "body": body})
    assert send_message(message.id) == "sent"

    (email,) = server.messages
    assert email["Auto-Submitted"] == "auto-generated"
    assert email.get_content_type() == "multipart/alternative", "no attachment: no multipart/mixed"
    plain, html = _alternatives(email)
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    plain_text = plain.get_content().replace("\r\n", "\n").strip()
    assert body in plain_text  # the generic template wraps it in a greeting and a signature
    assert email.get_body(preferencelist=("html",)) is not None
    text, links = _VisibleText.of(html.get_content())
    assert text == plain_text, "the HTML part says exactly what the plain text says"
    assert links == ["https://hirewise.example/interviews/7"]
    assert "<title>Next steps</title>" in html.get_content()


def test_html_part_escapes_what_an_admin_template_and_a_candidate_wrote(start_smtp):
    server = start_smtp()
    admin = UserFactory(role=Role.ADMIN)
    template = services.get_template(TemplateKey.APPLICATION_RECEIVED)
    services.update_template(
        admin,
        template,
        subject="Thanks, {{ candidate_name }}",
        body='<b>Dear</b> {{ candidate_name }},\n<a href="https://evil.example">click</a> & relax.',
    )
    name = '<script>alert("x")</script> O\'Brien & Co'
    message = _queued(
        {"opening_title": "Flask Developer"}, key=TemplateKey.APPLICATION_RECEIVED, to_name=name
    )
    assert send_message(message.id) == "sent"

    (email,) = server.messages
    plain, html = _alternatives(email)
    markup = html.get_content()
    assert "<script>" not in markup and "<b>" not in markup and 'href="https://evil.example"' not in markup
    assert "&lt;script&gt;" in markup and "&lt;b&gt;Dear&lt;/b&gt;" in markup
    text, links = _VisibleText.of(markup)
    assert links == [], "text that looks like markup stays text, never a link"
    assert text == plain.get_content().replace("\r\n", "\n").strip()
    assert text.startswith(f"<b>Dear</b> {name},")


def test_outbox_keeps_the_plain_text_it_always_stored(start_smtp):
    start_smtp()
    message = _queued({"subject": "Stored", "body": "Line one\nLine <two>"})
    assert send_message(message.id) == "sent"
    db.session.expire_all()
    stored = db.session.get(OutboxMessage, message.id)
    assert stored is not None
    assert (stored.subject, stored.attachments) == ("Stored", [])
    assert "Line one\nLine <two>" in stored.body


# --- interview invites ---------------------------------------------------------------------------


@pytest.fixture
def scheduled(start_smtp: StartServer) -> dict[str, Any]:
    """An interview scheduled with two interviewers; its invites went through the SMTP server."""
    server = start_smtp()
    recruiter = UserFactory(role=Role.RECRUITER, full_name="Rita Recruiter")
    alice = UserFactory(role=Role.INTERVIEWER, full_name="Alice Interviewer")
    bob = UserFactory(role=Role.INTERVIEWER, full_name="Bob Interviewer")
    application = ApplicationFactory()
    starts_at = datetime(datetime.now(UTC).year + 1, 5, 12, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    interview = interviews.schedule_interview(
        recruiter,
        application,
        title="Technical interview",
        starts_at=starts_at,
        timezone="Europe/Berlin",
        duration_minutes=60,
        interviewer_ids=[alice.id, bob.id],
        location="Room 4",
        video_url="https://meet.example.com/abc",
        instructions="",
    )
    return {
        "server": server,
        "recruiter": recruiter,
        "alice": alice,
        "bob": bob,
        "candidate": application.candidate,
        "interview": interview,
    }


def _invitation(email: EmailMessage) -> tuple[EmailMessage, Calendar]:
    """What a mail client shows as an invitation: the text/calendar alternative, parsed."""
    assert email.get_content_type() == "multipart/mixed"
    parts = _alternatives(email)
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html", "text/calendar"]
    calendar_part = parts[2]
    assert calendar_part.get_content_charset() == "utf-8"
    calendar = Calendar.from_ical(calendar_part.get_content())
    assert calendar_part.get_param("method") == str(calendar["METHOD"])
    (download,) = list(email.iter_attachments())
    assert (download.get_content_type(), download.get_filename()) == ("application/ics", "invite.ics")
    assert download.get_content().decode() == calendar_part.get_content()
    return calendar_part, calendar


def test_an_invite_email_opens_as_an_invitation(scheduled):
    server, interview, alice = scheduled["server"], scheduled["interview"], scheduled["alice"]
    everyone = [scheduled["alice"].email, scheduled["bob"].email, scheduled["candidate"].email]
    assert sorted(str(m["To"]).rpartition("<")[2].rstrip(">") for m in server.messages) == sorted(everyone)

    email = server.to(alice.email)
    assert email["Auto-Submitted"] == "auto-generated"
    calendar_part, calendar = _invitation(email)
    assert calendar_part.get_param("method") == "REQUEST"
    assert str(calendar["METHOD"]) == "REQUEST"
    (event,) = calendar.events
    assert str(event["UID"]) == interview.calendar_uid
    assert int(event["SEQUENCE"]) == 0
    assert str(event["ORGANIZER"]) == f"mailto:{scheduled['recruiter'].email}"
    assert {str(a) for a in event.attendees} == {f"mailto:{address}" for address in everyone}
    assert event.decoded("DTSTART") == interview.starts_at
    assert "Room 4" in email.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def test_a_cancellation_opens_as_a_cancelled_invitation(scheduled):
    server, interview = scheduled["server"], scheduled["interview"]
    server.messages.clear()
    interviews.cancel_interview(scheduled["recruiter"], interview, "Position filled")
    assert len(server.messages) == 3
    for email in server.messages:
        calendar_part, calendar = _invitation(email)
        assert calendar_part.get_param("method") == "CANCEL" == str(calendar["METHOD"])
        (event,) = calendar.events
        assert (str(event["UID"]), int(event["SEQUENCE"])) == (interview.calendar_uid, 1)


def test_a_removed_interviewer_receives_a_cancel_for_themselves_only(scheduled):
    server, interview, alice, bob = (scheduled[k] for k in ("server", "interview", "alice", "bob"))
    server.messages.clear()
    interviews.reschedule_interview(
        scheduled["recruiter"],
        interview,
        starts_at=interview.starts_at,
        timezone=interview.timezone,
        duration_minutes=interview.duration_minutes,
        interviewer_ids=[alice.id],
    )
    calendar_part, calendar = _invitation(server.to(bob.email))
    assert calendar_part.get_param("method") == "CANCEL"
    (event,) = calendar.events
    assert [str(a) for a in event.attendees] == [f"mailto:{bob.email}"]
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (interview.calendar_uid, 1)
    _, update = _invitation(server.to(alice.email))
    assert str(update["METHOD"]) == "REQUEST"
    assert f"mailto:{bob.email}" not in {str(a) for a in update.events[0].attendees}


# --- TLS -----------------------------------------------------------------------------------------


def test_implicit_tls_delivers_both_parts_over_an_encrypted_connection(start_smtp, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert_file))  # trust the test certificate
    server = start_smtp(use_ssl=True, ssl_context=certificate.server_context())
    message = _queued({"subject": "Over SMTPS", "body": "Sent over TLS from the first byte."})
    assert send_message(message.id) == "sent"
    assert server.encrypted == [True]
    (email,) = server.messages
    assert email["Auto-Submitted"] == "auto-generated"
    plain, html = _alternatives(email)
    assert "Sent over TLS from the first byte." in plain.get_content()
    assert "Sent over TLS from the first byte." in _VisibleText.of(html.get_content())[0]


def test_implicit_tls_refuses_a_server_whose_certificate_is_not_trusted(start_smtp, certificate, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    server = start_smtp(use_ssl=True, ssl_context=certificate.server_context())
    message = _queued({"subject": "Hi", "body": "Hello"})
    assert send_message(message.id) == "failed"
    status, error = _status(message.id)
    assert status == OutboxStatus.FAILED and "CERTIFICATE_VERIFY_FAILED" in error
    assert server.messages == []


def test_starttls_upgrades_the_connection_before_sending(start_smtp, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert_file))
    # require_starttls: the server refuses MAIL FROM until the connection is upgraded.
    server = start_smtp(use_tls=True, tls_context=certificate.server_context(), require_starttls=True)
    message = _queued({"subject": "Over STARTTLS", "body": "Upgraded first."})
    assert send_message(message.id) == "sent"
    assert server.encrypted == [True]
    (email,) = server.messages
    assert email["Auto-Submitted"] == "auto-generated"
    assert [part.get_content_type() for part in _alternatives(email)] == ["text/plain", "text/html"]


def test_ssl_and_starttls_together_stop_the_start_up(tmp_path, monkeypatch):
    monkeypatch.setenv("HIREWISE_ENV", "development")
    monkeypatch.setenv("MAIL_USE_SSL", "true")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    with pytest.raises(ConfigurationError, match=r"MAIL_USE_SSL .* MAIL_USE_TLS"):
        load_config(str(tmp_path))
    with pytest.raises(ConfigurationError, match="set only one of them"):
        create_app({"SECRET_KEY": "test-secret-key-for-this-check"})


def test_ssl_alone_means_port_465_and_no_starttls(tmp_path, monkeypatch):
    monkeypatch.setenv("HIREWISE_ENV", "development")
    monkeypatch.setenv("MAIL_USE_SSL", "true")
    monkeypatch.delenv("MAIL_USE_TLS", raising=False)
    monkeypatch.delenv("MAIL_PORT", raising=False)
    config = load_config(str(tmp_path))
    assert (config["MAIL_USE_SSL"], config["MAIL_USE_TLS"], config["MAIL_PORT"]) == (True, False, 465)
    monkeypatch.delenv("MAIL_USE_SSL")
    config = load_config(str(tmp_path))
    assert (config["MAIL_USE_SSL"], config["MAIL_USE_TLS"], config["MAIL_PORT"]) == (False, True, 587)


def test_outbox_page_shows_the_html_version_escaped_in_a_sandboxed_frame(client, auth):
    message = _queued({"subject": "Frame", "body": 'Look: <script>alert("x")</script>'})
    auth.login(Role.ADMIN)  # an email about no candidate: only admins read it
    response = client.get(f"/outbox/{message.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    frame = re.search(r'<iframe class="email-html" sandbox title="[^"]*" srcdoc="([^"]*)"></iframe>', page)
    assert frame is not None, "one sandboxed frame, its whole document inside the srcdoc attribute"
    document = frame.group(1)
    assert "<" not in document and "&lt;p" in document
    # The attribute holds the HTML part escaped once more: the browser shows the script as text.
    assert "&amp;lt;script&amp;gt;" in document
    assert "<script>alert" not in page
