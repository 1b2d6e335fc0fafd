"""Delivering outbox messages.

``send_message`` sends one message over SMTP when ``MAIL_SERVER`` is set, and otherwise marks it
HELD: embedded mode keeps every email on the Outbox page instead of sending it. Sent and held
messages are left alone, so a duplicate or retried task never sends twice; the row is locked
(``SELECT ... FOR UPDATE`` on PostgreSQL) while it is being sent.

``flush_outbox`` re-queues messages still QUEUED after a minute: their task was lost (broker
down at commit time, worker killed). Run it periodically with Celery beat, e.g. add to the
``CELERY`` config::

    "beat_schedule": {"flush-outbox": {"task": "hirewise.tasks.mail.flush_outbox", "schedule": 60.0}}

and start ``celery -A hirewise.worker beat`` next to the worker.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from collections.abc import Mapping
from datetime import timedelta
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from typing import Any

from celery import shared_task
from flask import current_app
from sqlalchemy import select

from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage, OutboxStatus
from hirewise.mail.services import html_part
from hirewise.tasks import enqueue

MAX_RETRIES = 3
RETRY_BACKOFF_SECONDS = 60
FLUSH_AFTER = timedelta(minutes=1)
FLUSH_BATCH = 500
DONE = (OutboxStatus.SENT, OutboxStatus.HELD)
# Retrying cannot fix these: the server refused who we are or whom we write to.
PERMANENT_ERRORS = (
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPNotSupportedError,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    ValueError,
)


# The shape every email is sent in (what Gmail and Outlook make of it is tested in
# tests/integration/test_mail_formats.py)::
#
#   multipart/mixed                                  (only when there are attachments)
#     multipart/alternative
#       text/plain; charset=utf-8                    the rendered template
#       text/html; charset=utf-8                     the same text in our escaping layout
#       text/calendar; method=REQUEST; charset=utf-8 (invites) the .ics itself, METHOD as in the file
#     application/ics, filename=invite.ics           (invites) the same .ics as a download
#     ...other attachments
#
# Calendar apps look for the text/calendar part *inside* multipart/alternative, with a ``method``
# parameter equal to the file's METHOD, to show Accept/Decline. The attached copy is
# application/ics, not text/calendar, so that Outlook does not process the invite a second time.
INVITE_DOWNLOAD_TYPE = ("application", "ics")


def _parameters(content_type: str) -> tuple[str, str, dict[str, str]]:
    media_type, _, raw_parameters = content_type.partition(";")
    maintype, _, subtype = media_type.strip().lower().partition("/")
    parameters = dict(
        (name.strip().lower(), value.strip())
        for name, _, value in (part.partition("=") for part in raw_parameters.split(";") if "=" in part)
    )
    parameters.pop("charset", None)  # written by the email library for text parts
    return maintype, subtype, parameters


def _is_invite(maintype: str, subtype: str, parameters: Mapping[str, str]) -> bool:
    return (maintype, subtype) == ("text", "calendar") and "method" in parameters


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    # The SMTP policy writes CRLF line endings everywhere, as RFC 5545 requires inside a calendar part.
    email = EmailMessage(policy=email_policy.SMTP)
    email["From"] = sender
    email["To"] = formataddr((message.to_name, message.to_email))
    email["Subject"] = message.subject
    email["Date"] = formatdate(usegmt=True)
    sender_domain = parseaddr(sender)[1].rpartition("@")[2] or "hirewise.local"
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain=sender_domain)
    # RFC 3834: sent by software, not a person; auto-responders (out of office) must not answer it.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)
    email.add_alternative(html_part(message), subtype="html")
    attachments = [(item, *_parameters(item["content_type"])) for item in message.attachments or []]
    for item, maintype, subtype, parameters in attachments:
        if _is_invite(maintype, subtype, parameters):
            email.add_alternative(item["content"], subtype="calendar", params=parameters)
    for item, maintype, subtype, parameters in attachments:
        if _is_invite(maintype, subtype, parameters):
            download_type, download_subtype = INVITE_DOWNLOAD_TYPE
            email.add_attachment(
                item["content"].encode(),
                maintype=download_type,
                subtype=download_subtype,
                filename=item["filename"],
            )
        elif maintype == "text":
            email.add_attachment(
                item["content"], subtype=subtype, filename=item["filename"], params=parameters
            )
        else:
            email.add_attachment(
                base64.b64decode(item["content"]),
                maintype=maintype,
                subtype=subtype,
                filename=item["filename"],
            )
    return email


def send_over_smtp(email: EmailMessage, config: Mapping[str, Any]) -> None:
    """Deliver over implicit TLS (MAIL_USE_SSL, port 465), STARTTLS (MAIL_USE_TLS) or plain SMTP.

    Both TLS modes verify the server's certificate against the system's CAs (or SSL_CERT_FILE).
    """
    timeout = config.get("MAIL_TIMEOUT", 15)
    server, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    smtp: smtplib.SMTP
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(server, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(server, port, timeout=timeout)
    with smtp:
        if config["MAIL_USE_TLS"] and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def _locked_message(message_id: int) -> OutboxMessage | None:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.execute(stmt).scalar_one_or_none()


def _in_worker(task: Any) -> bool:
    return not (task.request.called_directly or task.request.is_eager)


@shared_task(bind=True, name="hirewise.tasks.mail.send_message", max_retries=MAX_RETRIES)
def send_message(self: Any, message_id: int) -> str:
    """Deliver one outbox message; returns its resulting status."""
    message = _locked_message(message_id)
    if message is None:
        return "missing"
    if message.status in DONE:
        return str(message.status)
    config = current_app.config
    if not config["MAIL_SERVER"]:
        message.status, message.error = OutboxStatus.HELD, ""
        db.session.commit()
        return str(OutboxStatus.HELD)
    try:
        send_over_smtp(build_email(message, config["MAIL_FROM"]), config)
    except (OSError, ValueError) as exc:  # smtplib.SMTPException is an OSError
        message.status = OutboxStatus.FAILED
        message.error = f"{type(exc).__name__}: {exc}"[:500]
        message.attempts += 1
        db.session.commit()
        retry = not isinstance(exc, PERMANENT_ERRORS) and self.request.retries < MAX_RETRIES
        if retry and _in_worker(self):
            raise self.retry(exc=exc, countdown=RETRY_BACKOFF_SECONDS * 2**self.request.retries) from exc
        return str(OutboxStatus.FAILED)
    message.status, message.error = OutboxStatus.SENT, ""
    message.sent_at = utcnow()
    message.attempts += 1
    db.session.commit()
    return str(OutboxStatus.SENT)


@shared_task(name="hirewise.tasks.mail.flush_outbox")
def flush_outbox() -> int:
    """Queue again the messages left QUEUED for over a minute; returns how many."""
    cutoff = utcnow() - FLUSH_AFTER
    stmt = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.QUEUED.value, OutboxMessage.updated_at < cutoff)
        .order_by(OutboxMessage.id)
        .limit(FLUSH_BATCH)
    )
    message_ids = list(db.session.execute(stmt).scalars())
    for message_id in message_ids:
        enqueue(send_message, message_id)
    db.session.commit()
    return len(message_ids)
