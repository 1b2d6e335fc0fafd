"""The daily digest of notifications, for the users who chose it over an email per notification."""

from __future__ import annotations

from celery import shared_task

from hirewise.notifications.services import send_digests


@shared_task(name="hirewise.tasks.notifications.send_notification_digests")
def send_notification_digests() -> int:
    """Email each digest user what they were notified of since their last digest (at most daily)."""
    return send_digests()
