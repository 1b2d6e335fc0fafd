"""Email templates and the outbox every email goes through."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hirewise.db import Base, TimestampMixin


class TemplateKey(StrEnum):
    APPLICATION_RECEIVED = "application_received"
    REJECTION = "rejection"
    GENERIC = "generic"
    ASSESSMENT_INVITATION = "assessment_invitation"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    # Embedded mode without SMTP: kept in the outbox, shown on the Outbox page, not delivered.
    HELD = "held"
    FAILED = "failed"


class EmailTemplate(TimestampMixin, Base):
    __tablename__ = "email_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class OutboxMessage(TimestampMixin, Base):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_email: Mapped[str] = mapped_column(String(320))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    template_key: Mapped[str] = mapped_column(String(60), default="")
    # [{"filename", "content_type", "content" (text)}], e.g. calendar invites.
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[OutboxStatus] = mapped_column(String(10), default=OutboxStatus.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(500), default="")
    sent_at: Mapped[datetime | None]
    candidate_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="SET NULL"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
