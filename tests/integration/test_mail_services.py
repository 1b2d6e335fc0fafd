"""Email templates and queueing: defaults, admin edits, fallbacks, the outbox list."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role
from hirewise.errors import Conflict, NotFound, ValidationFailed
from hirewise.extensions import db
from hirewise.mail import services
from hirewise.mail.defaults import APPLICATION_RECEIVED
from hirewise.mail.models import EmailTemplate, OutboxMessage, OutboxStatus, TemplateKey
from tests.factories import CandidateFactory, UserFactory


def _count(model: type) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _queue(**overrides: object) -> OutboxMessage:
    values: dict = {
        "to_email": "ada@example.com",
        "to_name": "Ada Lovelace",
        "context": {"opening_title": "Flask Developer"},
    }
    values.update(overrides)
    return services.queue_template_email(TemplateKey.APPLICATION_RECEIVED, **values)


def test_queue_works_with_an_empty_templates_table(app):
    assert _count(EmailTemplate) == 0
    message = _queue()
    assert message.id is not None
    assert message.status == OutboxStatus.QUEUED
    assert message.subject == "We received your application for Flask Developer"
    assert message.body.startswith("Hello Ada Lovelace,")
    assert app.config["COMPANY_NAME"] in message.body
    assert message.template_key == "application_received"


def test_queue_does_not_commit(app):
    _queue()
    db.session.rollback()
    assert _count(OutboxMessage) == 0


def test_queue_records_an_audit_event_on_the_candidate():
    candidate = CandidateFactory()
    recruiter = UserFactory(role=Role.RECRUITER)
    message = _queue(candidate_id=candidate.id, actor=recruiter)
    assert message.sent_by_id == recruiter.id
    event = db.session.execute(
        select(AuditEvent).where(
            AuditEvent.object_type == "outbox_message", AuditEvent.object_id == message.id
        )
    ).scalar_one()
    assert event.candidate_id == candidate.id
    assert event.actor_id == recruiter.id
    assert "ada@example.com" in event.summary


def test_queue_refuses_a_bad_address_and_unknown_template():
    with pytest.raises(ValidationFailed, match="not a valid email"):
        _queue(to_email="ada@example.com\r\nBcc: x@example.com")
    with pytest.raises(NotFound):
        services.queue_template_email("welcome", to_email="a@example.com", context={})


def test_queue_accepts_the_key_as_a_string_and_fills_missing_placeholders():
    message = services.queue_template_email("rejection", to_email="bob@example.com", context={})
    assert message.body.startswith("Hello there,")
    assert "position at " in message.body


def test_queue_uses_the_saved_template_and_falls_back_when_it_is_broken(app):
    services.ensure_default_templates()
    stored = services.get_template(TemplateKey.APPLICATION_RECEIVED)
    stored.subject = "Thanks, {{ candidate_name }}!"
    db.session.commit()
    assert _queue().subject == "Thanks, Ada Lovelace!"
    # A template saved before a rule existed (or edited in the database) must not block applying.
    stored.body = "{{ no_such_placeholder }}"
    db.session.commit()
    message = _queue()
    assert message.body.startswith("Hello Ada Lovelace,")


def _fallback_events() -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == "render_failed")
    return list(db.session.execute(stmt).scalars())


def test_a_saved_template_over_the_limits_stops_quickly_and_the_reason_is_recorded(app):
    services.ensure_default_templates()
    stored = services.get_template(TemplateKey.APPLICATION_RECEIVED)
    # Written before the limits existed (or straight into the database): 2**40 macro calls.
    stored.body = "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}"
    db.session.commit()
    candidate = CandidateFactory()
    started = time.perf_counter()
    message = _queue(candidate_id=candidate.id)
    assert time.perf_counter() - started < 5  # a generous bound: the render budget is one second
    assert message.body.startswith("Hello Ada Lovelace,")  # the default text went out
    [event] = _fallback_events()
    assert event.object_type == "email_template" and event.object_id == stored.id
    assert event.candidate_id == candidate.id
    assert "takes more than 1 second to render" in event.summary
    assert "The default text was sent instead." in event.summary


def test_a_template_within_the_limits_on_sample_data_is_stopped_on_larger_real_data(app):
    admin = UserFactory(role=Role.ADMIN)
    template = services.get_template(TemplateKey.APPLICATION_RECEIVED)
    cubic = (
        "{% for a in candidate_name %}{% for b in candidate_name %}{% for c in candidate_name %}"
        "{% endfor %}{% endfor %}{% endfor %}Hi {{ candidate_name }}"
    )
    services.update_template(admin, template, subject="Thanks", body=cubic)  # "Ada Lovelace": 1,884 loops
    started = time.perf_counter()
    message = _queue(to_name="A" * 200)  # 8,040,200 loops
    assert time.perf_counter() - started < 5
    assert message.body.startswith("Hello " + "A" * 200)
    [event] = _fallback_events()
    assert "more than 10000 loop iterations" in event.summary


def test_attachments_are_validated_and_kept():
    ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    message = _queue(
        attachments=[{"filename": "invite.ics", "content_type": "text/calendar", "content": ics}]
    )
    assert message.attachments == [
        {"filename": "invite.ics", "content_type": "text/calendar", "content": ics}
    ]
    with pytest.raises(ValidationFailed, match="base64"):
        _queue(
            attachments=[{"filename": "a.pdf", "content_type": "application/pdf", "content": "not base64!"}]
        )
    with pytest.raises(ValidationFailed, match="file name"):
        _queue(attachments=[{"filename": "../../etc/passwd", "content_type": "text/plain", "content": "x"}])


def test_ensure_default_templates_is_idempotent():
    services.ensure_default_templates()
    services.ensure_default_templates()
    keys = sorted(db.session.execute(select(EmailTemplate.key)).scalars())
    assert keys == sorted(key.value for key in TemplateKey)


def test_list_templates_shows_defaults_before_any_is_saved():
    templates = services.list_templates()
    assert [t.key for t in templates] == [key.value for key in TemplateKey]
    assert all(t.id is None for t in templates)


def test_update_template_saves_and_audits_the_change():
    admin = UserFactory(role=Role.ADMIN)
    template = services.get_template("rejection")
    services.update_template(
        admin, template, subject="  About {{ opening_title }}  ", body="Hi {{ candidate_name }}\r\nBye"
    )
    db.session.expire_all()
    saved = db.session.execute(select(EmailTemplate).where(EmailTemplate.key == "rejection")).scalar_one()
    assert saved.subject == "About {{ opening_title }}"
    assert saved.body == "Hi {{ candidate_name }}\nBye"
    assert saved.updated_by_id == admin.id
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "email_template", AuditEvent.action == "update")
    ).scalar_one()
    assert event.after == {"subject": "About {{ opening_title }}", "body": "Hi {{ candidate_name }}\nBye"}
    assert event.before is not None and "{{ company_name }}" in event.before["subject"]


def test_update_template_refuses_bad_syntax_with_the_line_and_keeps_the_old_text():
    admin = UserFactory(role=Role.ADMIN)
    services.ensure_default_templates()
    template = services.get_template("application_received")
    with pytest.raises(ValidationFailed) as caught:
        services.update_template(admin, template, subject="Hi", body="Line one\nLine two {{ candidate_name }")
    assert "line 2" in caught.value.message
    db.session.expire_all()
    assert services.get_template("application_received").body == APPLICATION_RECEIVED.body


def test_update_template_refuses_sandbox_escapes():
    admin = UserFactory(role=Role.ADMIN)
    template = services.get_template("generic")
    with pytest.raises(ValidationFailed, match="unsafe"):
        services.update_template(admin, template, subject="Hi", body="{{ ''.__class__.__mro__ }}")
    assert _count(EmailTemplate) == 0


def test_preview_renders_an_unsaved_draft_with_sample_data(app):
    template = services.get_template("application_received")
    preview = services.preview_template(
        template, subject="Hello {{ candidate_name }}", body="For {{ opening_title }}"
    )
    assert preview.subject == "Hello Ada Lovelace"
    assert preview.body == "For Senior Flask Developer"
    assert template.subject == APPLICATION_RECEIVED.subject  # the draft is not applied


def test_list_outbox_filters_by_status_and_names_candidates():
    candidate = CandidateFactory(full_name="Grace Hopper")
    held = _queue(candidate_id=candidate.id)
    held.status = OutboxStatus.HELD
    _queue(to_email="other@example.com")
    db.session.commit()
    admin = UserFactory(role=Role.ADMIN)
    everything = services.list_outbox(admin, 1, 10)
    assert everything.total == 2
    assert everything.items[0].to_email == "other@example.com"  # newest first
    only_held = services.list_outbox(admin, 1, 10, status="held")
    assert [m.id for m in only_held.items] == [held.id]
    assert only_held.candidate_names == {candidate.id: "Grace Hopper"}
    with pytest.raises(ValidationFailed):
        services.list_outbox(admin, 1, 10, status="' OR 1=1 --")


def test_recruiters_see_only_emails_to_candidates_never_user_invitations(client, auth):
    """An invitation email carries a one-time sign-up link: only admins may read it."""
    candidate = CandidateFactory()
    to_candidate = _queue(candidate_id=candidate.id)
    invitation = _queue(to_email="new.admin@example.com")
    db.session.commit()
    recruiter = UserFactory(role=Role.RECRUITER)
    assert [m.id for m in services.list_outbox(recruiter, 1, 10).items] == [to_candidate.id]
    auth.login(recruiter)
    assert client.get(f"/outbox/{invitation.id}").status_code == 403
    assert client.get(f"/outbox/{to_candidate.id}").status_code == 200
    assert b"new.admin@example.com" not in client.get("/outbox").data


def test_resend_needs_a_failed_or_held_message_and_a_mail_server(app, monkeypatch):
    admin = UserFactory(role=Role.ADMIN)
    message = _queue()
    db.session.commit()
    with pytest.raises(Conflict, match="Only failed or held"):
        services.resend_message(admin, message)
    message.status = OutboxStatus.HELD
    db.session.commit()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    with pytest.raises(Conflict, match="MAIL_SERVER"):
        services.resend_message(admin, message)
