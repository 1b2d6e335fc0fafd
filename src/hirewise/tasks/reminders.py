"""Reminding interviewers whose feedback is overdue, once per reminder interval.

An interview's interval ``n`` starts ``n * FEEDBACK_REMINDER_HOURS`` after it ended. Each
reminder is a ``FeedbackReminder`` row, unique per (interview, interviewer, interval), written in
the same transaction as the queued email: a second run, or a concurrent worker, finds the row (or
hits the unique constraint) and sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from celery import shared_task
from flask import current_app
from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from hirewise.candidates.models import Application
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.feedback.models import Feedback, FeedbackReminder, FeedbackStatus
from hirewise.interviews.models import Interview, InterviewStatus
from hirewise.mail.models import TemplateKey
from hirewise.mail.services import deliver_later, queue_template_email

# Tests replace the clock to move time without sleeping.
clock: Callable[[], datetime] = utcnow


def _feedback_link(interview_id: int) -> str:
    # Built from the URL map, not url_for: a worker has no request to take the host from.
    path = current_app.url_map.bind("hirewise.invalid").build("feedback.edit", {"interview_id": interview_id})
    return current_app.config["BASE_URL"].rstrip("/") + path


def _overdue_interviews(now: datetime, every: timedelta) -> list[Interview]:
    # An interview ends after it starts, so this bound never misses one; the end is checked below.
    stmt = (
        select(Interview)
        .where(Interview.status != InterviewStatus.CANCELLED, Interview.starts_at <= now - every)
        .options(
            selectinload(Interview.interviewers),
            joinedload(Interview.application).joinedload(Application.candidate),
            joinedload(Interview.application).joinedload(Application.opening),
        )
        .order_by(Interview.id)
    )
    interviews = db.session.execute(stmt).scalars().unique()
    return [i for i in interviews if i.starts_at + timedelta(minutes=i.duration_minutes) <= now - every]


def _queue_reminder(interview: Interview, user_id: int, email: str, name: str, interval: int) -> int | None:
    """Insert the reminder row and queue its email in one savepoint; None if it already exists."""
    application = interview.application
    try:
        with db.session.begin_nested():
            db.session.add(
                FeedbackReminder(interview_id=interview.id, user_id=user_id, interval_index=interval)
            )
            db.session.flush()
            message = queue_template_email(
                TemplateKey.GENERIC,
                to_email=email,
                to_name=name,
                context={
                    "subject": f"Feedback due: {interview.title} with {application.candidate.full_name}",
                    "body": (
                        f"Your feedback on {interview.title} with {application.candidate.full_name} "
                        f"({application.opening.title}) is due. Please write it here:\n"
                        f"{_feedback_link(interview.id)}"
                    ),
                },
                application_id=application.id,
            )
    except IntegrityError:
        return None
    return message.id


@shared_task(name="hirewise.tasks.reminders.send_feedback_reminders")
def send_feedback_reminders() -> int:
    """Email every interviewer whose feedback is overdue, once per interval. Returns how many were queued."""
    now = clock()
    every = timedelta(hours=current_app.config["FEEDBACK_REMINDER_HOURS"])
    interviews = _overdue_interviews(now, every)
    if not interviews:
        return 0
    ids = [interview.id for interview in interviews]
    submitted = {
        tuple(row)
        for row in db.session.execute(
            select(Feedback.interview_id, Feedback.interviewer_id).where(
                Feedback.interview_id.in_(ids), Feedback.status == FeedbackStatus.SUBMITTED
            )
        )
    }
    due: list[tuple[Interview, int, str, str, int]] = []
    for interview in interviews:
        ended = interview.starts_at + timedelta(minutes=interview.duration_minutes)
        interval = int((now - ended) / every)
        for person in interview.interviewers:
            if person.active and (interview.id, person.id) not in submitted:
                due.append((interview, person.id, person.email, person.full_name, interval))
    if not due:
        return 0
    keys = [(interview.id, user_id, interval) for interview, user_id, _, _, interval in due]
    sent = {
        tuple(row)
        for row in db.session.execute(
            select(
                FeedbackReminder.interview_id, FeedbackReminder.user_id, FeedbackReminder.interval_index
            ).where(
                tuple_(
                    FeedbackReminder.interview_id, FeedbackReminder.user_id, FeedbackReminder.interval_index
                ).in_(keys)
            )
        )
    }
    message_ids = []
    for interview, user_id, email, name, interval in due:
        if (interview.id, user_id, interval) in sent:
            continue
        message_id = _queue_reminder(interview, user_id, email, name, interval)
        if message_id is not None:
            message_ids.append(message_id)
    deliver_later(message_ids)
    db.session.commit()
    return len(message_ids)
