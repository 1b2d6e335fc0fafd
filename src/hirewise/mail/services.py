"""Use cases of email: templates an admin edits, and the outbox every email goes through.

Queueing an email never commits: it joins the caller's use case (an application, a rejection),
so the email exists if and only if what it announces does. The caller also calls
:func:`deliver_later` before its commit, which queues ``tasks.mail.send_message`` for each message in
the same transaction; the send task starts once that transaction has committed.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hirewise.audit.services import changed, record, snapshot
from hirewise.auth.models import User
from hirewise.candidates.models import Candidate
from hirewise.errors import Conflict, NotFound, ValidationFailed
from hirewise.extensions import db
from hirewise.mail.defaults import DEFAULT_TEMPLATES, SAMPLE_CONTEXT, DefaultTemplate
from hirewise.mail.models import EmailTemplate, OutboxMessage, OutboxStatus, TemplateKey
from hirewise.mail.rendering import RenderedEmail, check_sources, html_version, render_pair, single_line
from hirewise.paging import paginate
from hirewise.security import outbox_messages_visible_to

log = logging.getLogger(__name__)

TEMPLATE_FIELDS = ("subject", "body")
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A media type with optional parameters, e.g. "text/calendar; method=REQUEST; charset=utf-8".
_CONTENT_TYPE = re.compile(
    r"^[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*(?:; ?[a-z0-9-]+=[a-z0-9._-]+)*$", re.IGNORECASE
)
MAX_ATTACHMENT_CHARS = 2_000_000
RESENDABLE = (OutboxStatus.FAILED, OutboxStatus.HELD)


# --- templates ----------------------------------------------------------------------------------


def _template_key(key: TemplateKey | str) -> TemplateKey:
    try:
        return TemplateKey(key)
    except ValueError:
        raise NotFound(f"There is no email template called '{key}'.") from None


def template_info(key: TemplateKey | str) -> DefaultTemplate:
    """Name, description, placeholders and default text of a template key."""
    return DEFAULT_TEMPLATES[_template_key(key)]


def _from_default(default: DefaultTemplate) -> EmailTemplate:
    # Transient (never added to the session) until an admin saves an edit.
    return EmailTemplate(key=default.key.value, name=default.name, subject=default.subject, body=default.body)


def _stored_template(key: TemplateKey) -> EmailTemplate | None:
    stmt = select(EmailTemplate).where(EmailTemplate.key == key.value)
    return db.session.execute(stmt).scalar_one_or_none()


def get_template(key: TemplateKey | str) -> EmailTemplate:
    """The saved template of ``key``, or an unsaved one holding the default text."""
    template_key = _template_key(key)
    return _stored_template(template_key) or _from_default(DEFAULT_TEMPLATES[template_key])


def list_templates() -> list[EmailTemplate]:
    stored = {t.key: t for t in db.session.execute(select(EmailTemplate)).scalars()}
    return [stored.get(key.value) or _from_default(default) for key, default in DEFAULT_TEMPLATES.items()]


def ensure_default_templates() -> None:
    """Store the default text of every template that has no row yet. Idempotent; commits."""
    existing = set(db.session.execute(select(EmailTemplate.key)).scalars())
    created = [
        _from_default(default) for key, default in DEFAULT_TEMPLATES.items() if key.value not in existing
    ]
    if not created:
        return
    db.session.add_all(created)
    db.session.flush()
    for template in created:
        record(None, "create", "email_template", template.id, f"Default email template “{template.name}”")
    db.session.commit()


def sample_context(key: TemplateKey | str) -> dict[str, Any]:
    info = template_info(key)
    context: dict[str, Any] = {name: SAMPLE_CONTEXT.get(name, "") for name in info.placeholders}
    context["company_name"] = current_app.config["COMPANY_NAME"]
    return context


def render_template_email(template: EmailTemplate, context: Mapping[str, Any]) -> RenderedEmail:
    """Subject (one line) and plain-text body; ValidationFailed names the field and the problem."""
    return render_pair(template.subject, template.body, context)


def preview_template(
    template: EmailTemplate,
    context: Mapping[str, Any] | None = None,
    *,
    subject: str | None = None,
    body: str | None = None,
) -> RenderedEmail:
    """Render ``template`` (or an unsaved draft of its ``subject``/``body``) with sample data."""
    info = template_info(template.key)
    values = {**sample_context(info.key), **(context or {})}
    draft_subject = template.subject if subject is None else subject
    draft_body = template.body if body is None else _normalize_newlines(body)
    return check_sources(draft_subject, draft_body, info.placeholders, values)


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def update_template(actor: User, template: EmailTemplate, *, subject: str, body: str) -> EmailTemplate:
    """Save an admin's edit after checking syntax, placeholders and a sample rendering."""
    info = template_info(template.key)
    subject, body = subject.strip(), _normalize_newlines(body)
    check_sources(subject, body, info.placeholders, sample_context(info.key))
    before = snapshot(template, TEMPLATE_FIELDS)
    if template.id is None:
        db.session.add(template)
    template.subject, template.body, template.updated_by_id = subject, body, actor.id
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("Someone else saved this template at the same time. Reload and try again.") from None
    old, new = changed(before, snapshot(template, TEMPLATE_FIELDS))
    record(
        actor,
        "update",
        "email_template",
        template.id,
        f"Edited email template “{info.name}”",
        before=old,
        after=new,
    )
    db.session.commit()
    return template


# --- queueing -----------------------------------------------------------------------------------


def _clean_address(address: str) -> str:
    address = address.strip()
    if len(address) > 320 or not _ADDRESS.match(address):
        raise ValidationFailed(f"'{address}' is not a valid email address.", {"to_email": ["invalid email"]})
    return address


def _clean_attachments(attachments: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """``{"filename", "content_type", "content"}``: text for ``text/*``, base64 for anything else."""
    cleaned = []
    for attachment in attachments:
        filename = single_line(str(attachment.get("filename", "")), 200)
        # The media type is case-insensitive, parameter values (method=REQUEST) are not.
        media_type, separator, parameters = str(attachment.get("content_type", "")).strip().partition(";")
        content_type = media_type.strip().lower() + (separator + parameters if separator else "")
        content = attachment.get("content")
        if not filename or "/" in filename or "\\" in filename:
            raise ValidationFailed("Each attachment needs a plain file name.", {"attachments": [filename]})
        if not _CONTENT_TYPE.match(content_type):
            raise ValidationFailed(f"'{content_type}' is not a content type.", {"attachments": [filename]})
        if not isinstance(content, str) or len(content) > MAX_ATTACHMENT_CHARS:
            raise ValidationFailed(
                f"The attachment {filename} has no usable content.", {"attachments": [filename]}
            )
        if not content_type.startswith("text/"):
            try:
                base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError):
                raise ValidationFailed(
                    f"The attachment {filename} must be base64-encoded.", {"attachments": [filename]}
                ) from None
        cleaned.append({"filename": filename, "content_type": content_type, "content": content})
    return cleaned


def _render_for_sending(
    key: TemplateKey, context: Mapping[str, Any], *, address: str, candidate_id: int | None
) -> RenderedEmail:
    stored = _stored_template(key)
    if stored is not None:
        try:
            return render_template_email(stored, context)
        except ValidationFailed as exc:
            # A broken saved template must not block the use case (an application, a rejection):
            # it fails within the sandbox's budget, the default text goes out, and the audit log
            # (and the candidate's timeline) says why, for an admin to fix the template.
            log.warning("email template %s fails (%s); sending the default text", key.value, exc.message)
            record(
                None,
                "render_failed",
                "email_template",
                stored.id,
                f"Email template “{stored.name}” could not be used for the email to {address}: "
                f"{exc.message} The default text was sent instead.",
                candidate_id=candidate_id,
            )
    return render_template_email(_from_default(DEFAULT_TEMPLATES[key]), context)


def queue_template_email(
    key: TemplateKey | str,
    *,
    to_email: str,
    to_name: str = "",
    context: dict[str, Any],
    candidate_id: int | None = None,
    application_id: int | None = None,
    actor: User | None = None,
    attachments: Sequence[dict[str, Any]] = (),
) -> OutboxMessage:
    """Render ``key`` and add the message to the outbox. Flushes, does NOT commit."""
    template_key = _template_key(key)
    address = _clean_address(to_email)
    name = single_line(to_name, 200)
    values: dict[str, Any] = {placeholder: "" for placeholder in DEFAULT_TEMPLATES[template_key].placeholders}
    values.update(company_name=current_app.config["COMPANY_NAME"], candidate_name=name or "there")
    values.update(context)
    rendered = _render_for_sending(template_key, values, address=address, candidate_id=candidate_id)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    message = OutboxMessage(
        to_email=address,
        to_name=name,
        subject=rendered.subject,
        body=rendered.body,
        template_key=template_key.value,
        attachments=_clean_attachments(attachments),
        status=OutboxStatus.QUEUED,
        attempts=0,
        error="",
        candidate_id=candidate_id,
        application_id=application_id,
        sent_by_id=actor.id if authenticated and actor is not None else None,
    )
    db.session.add(message)
    db.session.flush()
    record(
        actor,
        "queue",
        "outbox_message",
        message.id,
        f"Email “{rendered.subject}” to {address}",
        candidate_id=candidate_id,
    )
    return message


def deliver_later(message_ids: Sequence[int]) -> None:
    """Queue the send task of each message, in the transaction that created the messages (before its commit)."""
    from hirewise.tasks import enqueue
    from hirewise.tasks.mail import send_message

    for message_id in message_ids:
        enqueue(send_message, message_id)


# --- the outbox ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxPage:
    items: list[OutboxMessage]
    page: int
    per_page: int
    total: int
    pages: int
    candidate_names: dict[int, str]


def candidate_names(messages: Sequence[OutboxMessage]) -> dict[int, str]:
    """One query for the names of the candidates the messages are about."""
    ids = {m.candidate_id for m in messages if m.candidate_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(Candidate.id, Candidate.full_name).where(Candidate.id.in_(ids)))
    return {candidate_id: full_name for candidate_id, full_name in rows}


def list_outbox(
    viewer: User, page: int = 1, per_page: int = 25, status: OutboxStatus | str | None = None
) -> OutboxPage:
    """Newest first, only what ``viewer`` may read; ``status`` narrows the list (unknown: ValidationFailed)."""
    stmt = select(OutboxMessage).where(outbox_messages_visible_to(viewer))
    if status:
        try:
            stmt = stmt.where(OutboxMessage.status == OutboxStatus(status).value)
        except ValueError:
            raise ValidationFailed(f"'{status}' is not an outbox status.", {"status": ["unknown"]}) from None
    found = paginate(stmt.order_by(OutboxMessage.id.desc()), page, per_page, count_by=OutboxMessage.id)
    return OutboxPage(
        found.items, found.page, found.per_page, found.total, found.pages, candidate_names(found.items)
    )


def get_message(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("No such message in the outbox.")
    return message


def html_part(message: OutboxMessage) -> str:
    """The HTML alternative the message is sent with, made from its stored plain text."""
    return html_version(message.subject, message.body)


def get_attachment(message: OutboxMessage, index: int) -> tuple[str, str, bytes]:
    """File name, content type and bytes of the message's ``index``-th attachment."""
    attachments = message.attachments or []
    if not 0 <= index < len(attachments):
        raise NotFound("This message has no such attachment.")
    attachment = attachments[index]
    content_type = attachment["content_type"]
    content = attachment["content"]
    data = content.encode() if content_type.startswith("text/") else base64.b64decode(content)
    return attachment["filename"], content_type, data


def resend_message(actor: User, message: OutboxMessage) -> OutboxMessage:
    """Queue a failed (or, once SMTP is configured, a held) message for another delivery."""
    if message.status not in RESENDABLE:
        raise Conflict("Only failed or held messages can be sent again.")
    if not current_app.config["MAIL_SERVER"]:
        raise Conflict("Set MAIL_SERVER first: without it, messages are held here, not sent.")
    before = snapshot(message, ("status", "error"))
    message.status, message.error = OutboxStatus.QUEUED, ""
    record(
        actor,
        "resend",
        "outbox_message",
        message.id,
        f"Queued “{message.subject}” to {message.to_email} again",
        before=before,
        after=snapshot(message, ("status", "error")),
        candidate_id=message.candidate_id,
    )
    deliver_later([message.id])
    db.session.commit()
    return message
