"""Scheduling interviews with calendar invites by email; the plan use cases are re-exported here.

Each use case commits once; invite emails are queued in the same transaction and handed to the
send task only after the commit, so a failed use case never emails anyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from hirewise.audit.services import changed, record, snapshot
from hirewise.auth.models import User
from hirewise.candidates.models import Application
from hirewise.db import utcnow
from hirewise.errors import Conflict, NotFound, PermissionDenied
from hirewise.extensions import db
from hirewise.interviews.calendar import METHOD_CANCEL, METHOD_REQUEST
from hirewise.interviews.invites import calendar_host, ics_for, send_invites, send_removal_cancels
from hirewise.interviews.models import Interview, InterviewPlanItem, InterviewStatus, interview_interviewers
from hirewise.interviews.plans import (
    add_plan_item,
    default_plan,
    get_plan_item,
    list_plan,
    remove_plan_item,
    update_plan_item,
)
from hirewise.interviews.validation import (
    COMMON_TIMEZONES,
    DURATION_RANGE,
    MAX_INTERVIEWERS,
    FieldErrors,
    check_duration,
    int_ids,
    known_zones,
    single_line,
)
from hirewise.mail.services import deliver_later
from hirewise.openings.automation import after_interview_scheduled
from hirewise.openings.models import OpeningQuestion, OpeningSkill
from hirewise.security import can_change_application, interviews_visible_to

__all__ = [
    "COMMON_TIMEZONES",
    "DURATION_RANGE",
    "add_plan_item",
    "default_plan",
    "get_plan_item",
    "ics_for",
    "list_plan",
    "remove_plan_item",
    "update_plan_item",
]

INTERVIEW_FIELDS = (
    "title",
    "starts_at",
    "timezone",
    "duration_minutes",
    "location",
    "video_url",
    "status",
    "calendar_sequence",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- interviews ---------------------------------------------------------------------------------


def active_users() -> list[User]:
    """The people who can be chosen as interviewers."""
    return list(
        db.session.execute(select(User).where(User.active).order_by(User.full_name, User.id)).scalars()
    )


def _interview_options() -> list[Any]:
    return [
        joinedload(Interview.application).joinedload(Application.candidate),
        joinedload(Interview.application).joinedload(Application.opening),
        joinedload(Interview.organizer),
        selectinload(Interview.interviewers),
    ]


def get_interview(interview_id: int) -> Interview:
    stmt = select(Interview).where(Interview.id == interview_id).options(*_interview_options())
    interview = db.session.execute(stmt).unique().scalar_one_or_none()
    if interview is None:
        raise NotFound("There is no such interview.")
    return interview


def interviews_query(application_id: int | None = None, interviewer: User | None = None) -> Any:
    """Interviews, soonest first, optionally of one application and/or one interviewer."""
    stmt = select(Interview).options(*_interview_options()).order_by(Interview.starts_at, Interview.id)
    if application_id is not None:
        stmt = stmt.where(Interview.application_id == application_id)
    if interviewer is not None:
        stmt = stmt.where(
            Interview.id.in_(
                select(interview_interviewers.c.interview_id).where(
                    interview_interviewers.c.user_id == interviewer.id
                )
            )
        )
    return stmt


def visible_interviews_query(user: User, *, application_id: int | None = None, mine: bool = False) -> Any:
    """The interviews ``user`` may see (``security.interviews_visible_to``: of applications they may
    see, and those they sit on, whatever their role), optionally only their own."""
    return interviews_query(application_id, user if mine else None).where(interviews_visible_to(user))


def interviews_for_application(application: Application) -> list[Interview]:
    return list(db.session.execute(interviews_query(application.id)).scalars().unique())


@dataclass(frozen=True)
class MyInterviews:
    upcoming: list[Interview]
    past: list[Interview]


def my_interviews(user: User) -> MyInterviews:
    """The user's interviews as an interviewer: upcoming soonest first, past most recent first."""
    interviews = list(db.session.execute(visible_interviews_query(user, mine=True)).scalars().unique())
    now = utcnow()
    upcoming = [i for i in interviews if ends_at(i) > now]
    past = [i for i in reversed(interviews) if ends_at(i) <= now]
    return MyInterviews(upcoming=upcoming, past=past)


def ends_at(interview: Interview) -> datetime:
    return interview.starts_at + timedelta(minutes=interview.duration_minutes)


def zone_of(interview: Interview) -> ZoneInfo:
    return ZoneInfo(interview.timezone)


def local_start(interview: Interview) -> str:
    """The start as the interviewers read it: local time in the interview's zone."""
    local = interview.starts_at.astimezone(zone_of(interview))
    return f"{local:%a %d %b %Y, %H:%M} {interview.timezone}"


def focus_skills(interview: Interview) -> list[OpeningSkill]:
    """The interview's focus skills in the order it lists them (skills removed since are skipped)."""
    by_id = {skill.id: skill for skill in interview.application.opening.skills}
    return [by_id[i] for i in interview.focus_skill_ids if i in by_id]


def questions(interview: Interview) -> list[OpeningQuestion]:
    by_id = {question.id: question for question in interview.application.opening.questions}
    return [by_id[i] for i in interview.question_ids if i in by_id]


@dataclass(frozen=True)
class _When:
    starts_at: datetime
    timezone: str
    duration_minutes: int


def _check_when(errors: FieldErrors, starts_at: datetime, timezone: str, duration_minutes: Any) -> _When:
    if not isinstance(starts_at, datetime) or starts_at.tzinfo is None or starts_at.utcoffset() is None:
        errors.add("starts_at", "Give the start with its time zone offset.")
    elif starts_at < utcnow() - timedelta(minutes=5):
        errors.add("starts_at", "The interview must start in the future.")
    zone = (timezone or "").strip()
    if zone not in known_zones():
        errors.add("timezone", f"'{zone}' is not a known IANA time zone such as Europe/Berlin.")
    return _When(starts_at, zone, check_duration(errors, duration_minutes))


def _check_interviewers(errors: FieldErrors, interviewer_ids: Iterable[Any]) -> list[User]:
    ids = int_ids(interviewer_ids)
    if not ids:
        errors.add("interviewer_ids", "Choose at least one interviewer.")
        return []
    if len(ids) > MAX_INTERVIEWERS:
        errors.add("interviewer_ids", f"An interview can have at most {MAX_INTERVIEWERS} interviewers.")
        return []
    users = list(db.session.execute(select(User).where(User.id.in_(ids))).scalars())
    found = {user.id: user for user in users if user.active}
    if len(found) != len(ids):
        errors.add("interviewer_ids", "Every interviewer must be an active user.")
    return [found[i] for i in ids if i in found]


def _check_video_url(errors: FieldErrors, video_url: str) -> str:
    url = single_line(errors, "video_url", "The video link", video_url, 500, required=False)
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
            errors.add("video_url", "The video link must be a web address starting with https://.")
    return url


def _check_instructions(errors: FieldErrors, instructions: str) -> str:
    text = (instructions or "").strip()
    if len(text) > 10_000:
        errors.add("instructions", "The instructions must be at most 10,000 characters.")
    elif _CONTROL.search(text):
        errors.add("instructions", "The instructions contain control characters.")
    return text


def _require_change(actor: User, application: Application) -> None:
    if not can_change_application(actor, application):
        raise PermissionDenied("You are not allowed to schedule interviews for this application.")


def schedule_interview(
    actor: User,
    application: Application,
    *,
    title: str,
    starts_at: datetime,
    timezone: str,
    duration_minutes: int,
    interviewer_ids: Iterable[int],
    location: str = "",
    video_url: str = "",
    instructions: str = "",
    plan_item_id: int | None = None,
) -> Interview:
    """Schedule an interview, assign its interviewers and email everyone a calendar invite."""
    _require_change(actor, application)
    errors = FieldErrors()
    clean_title = single_line(errors, "title", "The title", title, 200, required=True)
    when = _check_when(errors, starts_at, timezone, duration_minutes)
    interviewers = _check_interviewers(errors, interviewer_ids)
    clean_location = single_line(errors, "location", "The location", location, 300, required=False)
    url = _check_video_url(errors, video_url)
    notes = _check_instructions(errors, instructions)
    plan_item = None
    if plan_item_id is not None:
        plan_item = db.session.get(InterviewPlanItem, plan_item_id)
        if plan_item is None or plan_item.opening_id != application.opening_id:
            errors.add("plan_item_id", "Choose an interview of this opening's plan.")
    errors.raise_if_any()
    interview = Interview(
        application=application,
        plan_item=plan_item,
        title=clean_title,
        starts_at=when.starts_at,
        timezone=when.timezone,
        duration_minutes=when.duration_minutes,
        location=clean_location,
        video_url=url,
        instructions=notes,
        status=InterviewStatus.SCHEDULED,
        calendar_uid=f"interview-{uuid4()}@{calendar_host()}",
        calendar_sequence=0,
        focus_skill_ids=list(plan_item.focus_skill_ids) if plan_item else [],
        question_ids=list(plan_item.question_ids) if plan_item else [],
        organizer=actor,
        interviewers=interviewers,
    )
    db.session.add(interview)
    db.session.flush()
    message_ids = send_invites(actor, interview, interview.interviewers, METHOD_REQUEST)
    record(
        actor,
        "create",
        "interview",
        interview.id,
        f"scheduled {interview.title} with {', '.join(u.full_name for u in interviewers)}",
        after={**snapshot(interview, INTERVIEW_FIELDS), "interviewer_ids": [u.id for u in interviewers]},
        candidate_id=application.candidate_id,
        opening_id=application.opening_id,
    )
    after_interview_scheduled(actor, application, plan_item.stage if plan_item else None)
    deliver_later(message_ids)
    db.session.commit()
    return interview


def reschedule_interview(
    actor: User,
    interview: Interview,
    *,
    starts_at: datetime,
    timezone: str,
    duration_minutes: int,
    interviewer_ids: Iterable[int] | None = None,
    location: str | None = None,
    video_url: str | None = None,
) -> Interview:
    """Move an interview; everyone gets an updated invite (same UID, higher SEQUENCE).

    Interviewers taken off the interview get a cancellation instead.
    """
    _require_change(actor, interview.application)
    if interview.status == InterviewStatus.CANCELLED:
        raise Conflict("This interview was cancelled; schedule a new one instead.")
    errors = FieldErrors()
    when = _check_when(errors, starts_at, timezone, duration_minutes)
    ids = [u.id for u in interview.interviewers] if interviewer_ids is None else interviewer_ids
    interviewers = _check_interviewers(errors, ids)
    new_location = interview.location if location is None else location
    clean_location = single_line(errors, "location", "The location", new_location, 300, required=False)
    url = _check_video_url(errors, interview.video_url if video_url is None else video_url)
    errors.raise_if_any()
    before = {
        **snapshot(interview, INTERVIEW_FIELDS),
        "interviewer_ids": [u.id for u in interview.interviewers],
    }
    removed = [u for u in interview.interviewers if u.id not in {i.id for i in interviewers}]
    interview.starts_at = when.starts_at
    interview.timezone = when.timezone
    interview.duration_minutes = when.duration_minutes
    interview.location = clean_location
    interview.video_url = url
    interview.interviewers = interviewers
    interview.calendar_sequence += 1
    message_ids = send_invites(actor, interview, interviewers, METHOD_REQUEST)
    message_ids += send_removal_cancels(actor, interview, removed)
    after = {**snapshot(interview, INTERVIEW_FIELDS), "interviewer_ids": [u.id for u in interviewers]}
    old, new = changed(before, after)
    record(
        actor,
        "update",
        "interview",
        interview.id,
        f"rescheduled {interview.title}",
        before=old,
        after=new,
        candidate_id=interview.application.candidate_id,
        opening_id=interview.application.opening_id,
    )
    deliver_later(message_ids)
    db.session.commit()
    return interview


def cancel_interview(
    actor: User, interview: Interview, reason: str = "", *, commit: bool = True
) -> Interview:
    """Cancel an interview and send everyone a METHOD:CANCEL for it.

    ``commit=False`` makes it a step of a larger use case (rejecting the application), which commits.
    """
    _require_change(actor, interview.application)
    if interview.status == InterviewStatus.CANCELLED:
        raise Conflict("This interview is already cancelled.")
    errors = FieldErrors()
    clean_reason = single_line(errors, "reason", "The reason", reason, 500, required=False)
    errors.raise_if_any()
    interview.status = InterviewStatus.CANCELLED
    interview.calendar_sequence += 1
    message_ids = send_invites(actor, interview, interview.interviewers, METHOD_CANCEL, reason=clean_reason)
    record(
        actor,
        "update",
        "interview",
        interview.id,
        f"cancelled {interview.title}" + (f": {clean_reason}" if clean_reason else ""),
        before={"status": InterviewStatus.SCHEDULED.value},
        after={"status": InterviewStatus.CANCELLED.value, "reason": clean_reason},
        candidate_id=interview.application.candidate_id,
        opening_id=interview.application.opening_id,
    )
    deliver_later(message_ids)
    if commit:
        db.session.commit()
    return interview
