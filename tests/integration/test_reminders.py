"""Overdue feedback reminders: once per interval, never twice, none once feedback is submitted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from hirewise.extensions import db
from hirewise.feedback.models import FeedbackReminder
from hirewise.interviews.models import InterviewStatus
from hirewise.mail.models import OutboxMessage
from hirewise.tasks import reminders
from tests.integration.test_feedback_services import Setup, build_setup, submitted


@pytest.fixture
def setup() -> Setup:
    return build_setup()


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    """``at[0] = when`` sets the task's clock."""
    moment: list[datetime] = []
    monkeypatch.setattr(reminders, "clock", lambda: moment[0])
    yield moment


def ended(setup: Setup) -> datetime:
    interview = setup.first_interview
    return interview.starts_at + timedelta(minutes=interview.duration_minutes)


def reminder_emails(to: str) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(
        OutboxMessage.to_email == to, OutboxMessage.subject.startswith("Feedback due")
    )
    return list(db.session.execute(stmt).scalars())


def run(at: list[datetime], when: datetime) -> int:
    at[:] = [when]
    count = reminders.send_feedback_reminders()
    db.session.expire_all()
    return count


def test_no_reminder_before_the_first_interval(setup, at):
    assert run(at, ended(setup) + timedelta(hours=23)) == 0
    assert reminder_emails(setup.first.email) == []


def test_running_twice_sends_once_and_the_next_interval_sends_again(setup, at):
    end = max(ended(setup), setup.second_interview.starts_at + timedelta(hours=1))
    assert run(at, end + timedelta(hours=25)) == 2
    assert run(at, end + timedelta(hours=30)) == 0
    emails = reminder_emails(setup.first.email)
    assert len(emails) == 1
    assert f"/interviews/{setup.first_interview.id}/feedback" in emails[0].body
    assert setup.application.candidate.full_name in emails[0].subject
    assert run(at, end + timedelta(hours=49)) == 2
    assert len(reminder_emails(setup.first.email)) == 2
    rows = db.session.execute(
        select(FeedbackReminder.interval_index).where(FeedbackReminder.user_id == setup.first.id)
    ).scalars()
    assert sorted(rows) == [1, 2]


def test_a_row_already_recorded_is_never_sent_again(setup, at):
    when = ended(setup) + timedelta(hours=26)
    db.session.add(
        FeedbackReminder(interview_id=setup.first_interview.id, user_id=setup.first.id, interval_index=1)
    )
    db.session.commit()
    run(at, when)
    assert reminder_emails(setup.first.email) == []


def test_submitted_feedback_and_cancelled_interviews_get_none(setup, at):
    submitted(setup.first, setup.first_interview)
    setup.second_interview.status = InterviewStatus.CANCELLED
    db.session.commit()
    assert run(at, ended(setup) + timedelta(days=5)) == 0
    assert reminder_emails(setup.first.email) == [] and reminder_emails(setup.second.email) == []


def test_the_interval_follows_the_configuration(app, setup, at):
    app.config["FEEDBACK_REMINDER_HOURS"] = 2
    try:
        # Both interviewers (one per interview, same time) are reminded in intervals 1 and 2.
        assert run(at, ended(setup) + timedelta(hours=3)) == 2
        assert run(at, ended(setup) + timedelta(hours=3, minutes=30)) == 0
        assert run(at, ended(setup) + timedelta(hours=5)) == 2
    finally:
        app.config["FEEDBACK_REMINDER_HOURS"] = 24


def test_the_task_is_registered_and_scheduled(app):
    schedule = app.config["CELERY"]["beat_schedule"]
    assert schedule["feedback-reminders"]["task"] == "hirewise.tasks.reminders.send_feedback_reminders"
    assert app.extensions["celery"].tasks["hirewise.tasks.reminders.send_feedback_reminders"] is not None


def test_a_concurrent_duplicate_hits_the_unique_constraint_and_queues_nothing(setup):
    """Two workers that both missed the other's row: the second insert fails and sends no email."""
    interview, user = setup.first_interview, setup.first
    first = reminders._queue_reminder(interview, user.id, user.email, user.full_name, 1)
    second = reminders._queue_reminder(interview, user.id, user.email, user.full_name, 1)
    db.session.commit()
    assert first is not None and second is None
    assert len(reminder_emails(user.email)) == 1
