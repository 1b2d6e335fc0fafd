"""The Outbox and Email templates pages: permissions, embedded-mode notice, escaping, editing."""

from __future__ import annotations

import base64
import html
import socket
import time

import pytest
from sqlalchemy import select

from hirewise.auth.models import Role
from hirewise.extensions import db
from hirewise.mail import services
from hirewise.mail.models import EmailTemplate, OutboxMessage, OutboxStatus, TemplateKey
from tests.factories import ApplicationFactory, CandidateFactory

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _message(status: OutboxStatus = OutboxStatus.HELD, **overrides: object) -> OutboxMessage:
    """An email to a candidate (recruiters may read those; user invitations are admin-only)."""
    values: dict = {
        "to_email": "ada@example.com",
        "to_name": "Ada",
        "context": {"subject": "Hi", "body": "Hello"},
        "candidate_id": CandidateFactory().id,
    }
    values.update(overrides)
    message = services.queue_template_email(TemplateKey.GENERIC, **values)
    message.status = status
    db.session.commit()
    return message


ROLES = [Role.ADMIN, Role.RECRUITER, Role.HIRING_MANAGER, Role.INTERVIEWER, None]
OUTBOX_ALLOWED = {Role.ADMIN, Role.RECRUITER}
TEMPLATES_ALLOWED = {Role.ADMIN}


def _expected(role: Role | None, allowed: set[Role]) -> int:
    if role is None:
        return 302  # to the sign-in page
    return 200 if role in allowed else 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", list(OutboxStatus))
def test_outbox_permission_matrix(client, auth, role, status):
    message = _message(status)
    if role is not None:
        auth.login(role)
    expected = _expected(role, OUTBOX_ALLOWED)
    assert client.get("/outbox").status_code == expected
    assert client.get(f"/outbox?status={status.value}").status_code == expected
    assert client.get(f"/outbox/{message.id}").status_code == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", list(TemplateKey))
def test_email_templates_permission_matrix(client, auth, role, key):
    if role is not None:
        auth.login(role)
    expected = _expected(role, TEMPLATES_ALLOWED)
    assert client.get("/admin/email-templates").status_code == expected
    assert client.get(f"/admin/email-templates/{key.value}").status_code == expected
    response = client.post(
        f"/admin/email-templates/{key.value}", data={"subject": "Hacked", "body": "Hacked"}
    )
    assert response.status_code == (302 if role in TEMPLATES_ALLOWED else expected)
    saved = db.session.execute(select(EmailTemplate.subject).where(EmailTemplate.key == key.value)).scalar()
    assert (saved == "Hacked") == (role in TEMPLATES_ALLOWED)


@pytest.mark.parametrize("role", [Role.HIRING_MANAGER, Role.INTERVIEWER])
def test_others_cannot_resend_or_download(client, auth, role):
    message = _message(
        OutboxStatus.FAILED,
        attachments=[{"filename": "a.ics", "content_type": "text/calendar", "content": "BEGIN:VCALENDAR"}],
    )
    auth.login(role)
    assert client.post(f"/outbox/{message.id}/resend").status_code == 403
    assert client.get(f"/outbox/{message.id}/attachments/0").status_code == 403


def test_outbox_explains_embedded_mode(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    auth.login(Role.RECRUITER)
    page = client.get("/outbox").get_data(as_text=True)
    assert "Embedded mode: emails are held here, not sent; set MAIL_SERVER to deliver" in page
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.com")
    assert "Embedded mode" not in client.get("/outbox").get_data(as_text=True)


def test_outbox_lists_messages_with_status_badge_and_candidate_link(client, auth):
    application = ApplicationFactory(candidate=CandidateFactory(full_name="Grace Hopper"))
    message = _message(
        OutboxStatus.HELD,
        to_email=application.candidate.email,
        candidate_id=application.candidate_id,
        application_id=application.id,
    )
    _message(OutboxStatus.FAILED, to_email="failed@example.com")
    auth.login(Role.RECRUITER)
    page = client.get("/outbox").get_data(as_text=True)
    assert f'href="/outbox/{message.id}"' in page
    assert 'class="badge badge-held"' in page
    assert f'href="/candidates/{application.candidate_id}">Grace Hopper</a>' in page
    filtered = client.get("/outbox?status=failed").get_data(as_text=True)
    assert "failed@example.com" in filtered
    assert application.candidate.email not in filtered
    detail = client.get(f"/outbox/{message.id}").get_data(as_text=True)
    assert f'href="/applications/{application.id}"' in detail
    assert '<pre class="email-body">Hello Ada,' in detail


@pytest.mark.parametrize("bad", ["' OR 1=1 --", "held'; DROP TABLE outbox_messages; --", "<script>"])
def test_outbox_filter_ignores_injection_attempts(client, auth, bad):
    _message(OutboxStatus.HELD)
    auth.login(Role.ADMIN)
    response = client.get("/outbox", query_string={"status": bad, "page": "1 OR 1=1"})
    assert response.status_code == 200
    assert "ada@example.com" in response.get_data(as_text=True)
    assert db.session.execute(select(OutboxMessage.id)).first() is not None


def test_outbox_paginates(client, auth):
    for index in range(27):
        _message(to_email=f"person{index}@example.com")
    auth.login(Role.RECRUITER)
    first = client.get("/outbox").get_data(as_text=True)
    assert "person26@example.com" in first and "person1@example.com" not in first
    assert "Page 1 of 2" in first
    second = client.get("/outbox?page=2").get_data(as_text=True)
    assert "person1@example.com" in second and "person0@example.com" in second


def test_outbox_escapes_html_in_subject_body_and_names(client, auth):
    message = _message(to_name=XSS, context={"subject": XSS, "body": XSS})
    auth.login(Role.RECRUITER)
    for url in ("/outbox", f"/outbox/{message.id}"):
        page = client.get(url).get_data(as_text=True)
        assert XSS not in page
        assert ESCAPED in page


def test_attachment_download(client, auth):
    pdf = base64.b64encode(b"%PDF-1.4 tiny").decode()
    message = _message(
        attachments=[
            {"filename": "invite.ics", "content_type": "text/calendar", "content": "BEGIN:VCALENDAR"},
            {"filename": "page.html", "content_type": "text/html", "content": XSS},
            {"filename": "offer.pdf", "content_type": "application/pdf", "content": pdf},
        ]
    )
    auth.login(Role.RECRUITER)
    detail = client.get(f"/outbox/{message.id}").get_data(as_text=True)
    assert f'href="/outbox/{message.id}/attachments/0"' in detail
    ics = client.get(f"/outbox/{message.id}/attachments/0")
    assert ics.status_code == 200
    assert ics.mimetype == "text/calendar"
    assert ics.headers["Content-Disposition"] == "attachment; filename=invite.ics"
    assert ics.data == b"BEGIN:VCALENDAR"
    html = client.get(f"/outbox/{message.id}/attachments/1")
    assert html.mimetype == "application/octet-stream"  # never rendered by the browser
    assert client.get(f"/outbox/{message.id}/attachments/2").data == b"%PDF-1.4 tiny"
    assert client.get(f"/outbox/{message.id}/attachments/3").status_code == 404
    assert client.get("/outbox/999999").status_code == 404


def test_failed_message_can_be_queued_again_from_the_page(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    with socket.socket() as sock:  # a port nothing listens on, so the delivery fails again
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    message = _message(OutboxStatus.FAILED)
    auth.login(Role.RECRUITER)
    assert "Send again" in client.get(f"/outbox/{message.id}").get_data(as_text=True)
    response = client.post(f"/outbox/{message.id}/resend")
    assert response.status_code == 302
    db.session.expire_all()
    again = db.session.get(OutboxMessage, message.id)
    assert again is not None
    assert again.status == OutboxStatus.FAILED
    assert again.attempts == 1
    assert "Connection" in again.error


def test_templates_list_and_edit_with_preview(client, auth, app):
    auth.login(Role.ADMIN)
    listing = client.get("/admin/email-templates").get_data(as_text=True)
    assert "Application received" in listing and "Default text" in listing
    page = client.get("/admin/email-templates/application_received").get_data(as_text=True)
    assert "Ada Lovelace" in page  # the sample preview
    assert "{{ candidate_name }}" in page
    preview = client.post(
        "/admin/email-templates/application_received",
        data={"subject": "Hi {{ candidate_name }}", "body": "Role: {{ opening_title }}", "action": "preview"},
    )
    assert preview.status_code == 200
    assert "Role: Senior Flask Developer" in preview.get_data(as_text=True)
    assert db.session.execute(select(EmailTemplate)).first() is None  # preview does not save
    saved = client.post(
        "/admin/email-templates/application_received",
        data={"subject": "Hi {{ candidate_name }}", "body": "Role: {{ opening_title }}", "action": "save"},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert services.get_template("application_received").body == "Role: {{ opening_title }}"


def test_template_errors_are_shown_on_the_form(client, auth):
    auth.login(Role.ADMIN)
    response = client.post(
        "/admin/email-templates/rejection",
        data={"subject": "Hi", "body": "Hello\n{% if reason %}\nnever closed", "action": "save"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "line 3" in page
    assert "never closed" in page  # what the admin typed is kept
    sandbox = client.post(
        "/admin/email-templates/rejection",
        data={"subject": "Hi", "body": "{{ ''.__class__.__mro__ }}", "action": "preview"},
    )
    assert sandbox.status_code == 422
    assert "unsafe" in sandbox.get_data(as_text=True)
    assert client.get("/admin/email-templates/nope").status_code == 404


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{{ '%999999999s' % 'a' }}", "a format width or precision may be at most 1000"),
        ("{{ 'a'|center(10**8)|length }}", "a text would be longer than 100000 characters"),
        (
            "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
            "its loops run more than 10000 loop iterations",
        ),
    ],
    ids=["format-width", "center", "nested-loops"],
)
def test_expensive_template_is_refused_on_save_with_the_reason_on_its_field(client, auth, body, reason):
    auth.login(Role.ADMIN)
    started = time.perf_counter()
    response = client.post(
        "/admin/email-templates/rejection", data={"subject": "Hi", "body": body, "action": "save"}
    )
    assert time.perf_counter() - started < 5  # a generous bound: the render budget is one second
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert f'<p class="error" role="alert">it goes over a limit of email templates: {reason}' in page
    assert body in page  # what the admin typed is kept
    assert db.session.execute(select(EmailTemplate)).first() is None


def test_template_edit_escapes_html_in_the_preview(client, auth):
    auth.login(Role.ADMIN)
    response = client.post(
        "/admin/email-templates/generic",
        data={"subject": XSS, "body": XSS + " {{ body }}", "action": "preview"},
    )
    page = response.get_data(as_text=True)
    assert XSS not in page
    assert ESCAPED in page


def _outbox_queries(app, client, rows: int) -> int:
    from tests.conftest import sql_count

    for _ in range(rows):
        candidate = CandidateFactory()
        _message(to_email=candidate.email, candidate_id=candidate.id)
    db.session.expire_all()
    with sql_count(app) as statements:
        assert client.get("/outbox").status_code == 200
    return len(statements)


def test_outbox_query_count_does_not_grow_with_rows(app, client, auth):
    auth.login(Role.RECRUITER)
    few = _outbox_queries(app, client, 2)
    many = _outbox_queries(app, client, 20)
    assert many == few
