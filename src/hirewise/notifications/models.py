"""One notification for one user about one object (feedback, a decision, an attempt, a note)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hirewise.auth.models import User
from hirewise.db import Base, utcnow


class NotificationKind(StrEnum):
    ASSESSMENT_SUBMITTED = "assessment_submitted"
    FEEDBACK_SUBMITTED = "feedback_submitted"
    DECISION_RECORDED = "decision_recorded"
    MENTION = "mention"
    SCORE_REVIEW_REQUESTED = "score_review_requested"  # a candidate asked for a person to review a score


class Delivery(StrEnum):
    """``User.notification_delivery``: each notification emailed at once, or one email a day."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(String(30))
    # The object it is about ("feedback", "decision", "assessment_attempt", "note") and its application:
    # the list shows a notification only while its application stays visible to the user.
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(500))
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None] = mapped_column(index=True)

    user: Mapped[User] = relationship()
