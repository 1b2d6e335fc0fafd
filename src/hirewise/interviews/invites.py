"""Calendar invites of an interview: the ICS for each person and the emails that carry them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, url_for

from hirewise.auth.models import User
from hirewise.errors import ValidationFailed
from hirewise.interviews.calendar import (
    METHOD_CANCEL,
    METHOD_REQUEST,
    Attendee,
    InviteDetails,
    build_cancel,
    build_request,
    invite_attachment,
)
from hirewise.interviews.models import Interview, InterviewStatus
from hirewise.mail.services import queue_template_email


def calendar_host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "hirewise.invalid"


def _interview_link(interview: Interview) -> str:
    path = url_for("interviews.detail", interview_id=interview.id, _external=False)
    return current_app.config["BASE_URL"].rstrip("/") + path


def _invite(interview: Interview, *, for_candidate: bool) -> InviteDetails:
    application = interview.application
    candidate = application.candidate
    organizer_user = interview.organizer
    if organizer_user is not None:
        organizer = Attendee(organizer_user.email, organizer_user.full_name, role="CHAIR")
    else:
        organizer = Attendee(f"no-reply@{calendar_host()}", current_app.config["COMPANY_NAME"], role="CHAIR")
    people = [Attendee(u.email, u.full_name) for u in interview.interviewers]
    people.append(Attendee(candidate.email, candidate.full_name))
    if for_candidate:
        description = (
            f"Your interview for {application.opening.title} with {current_app.config['COMPANY_NAME']}."
        )
    else:
        lines = [f"Interview with {candidate.full_name} for {application.opening.title}."]
        if interview.instructions:
            lines += ["", interview.instructions]
        lines += ["", f"Interview kit: {_interview_link(interview)}"]
        description = "\n".join(lines)
    try:
        return InviteDetails(
            uid=interview.calendar_uid,
            sequence=interview.calendar_sequence,
            summary=interview.title,
            description=description,
            starts_at=interview.starts_at,
            duration=timedelta(minutes=interview.duration_minutes),
            timezone=interview.timezone,
            location=interview.location,
            url=interview.video_url,
            organizer=organizer,
            attendees=people,
        )
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from None


def ics_for(interview: Interview, *, for_candidate: bool = False) -> bytes:
    """The interview's current invite: a REQUEST, or a CANCEL once it is cancelled."""
    details = _invite(interview, for_candidate=for_candidate)
    if interview.status == InterviewStatus.CANCELLED:
        return build_cancel(details)
    return build_request(details)


def send_invites(
    actor: User,
    interview: Interview,
    interviewers: Sequence[User],
    method: str,
    *,
    include_candidate: bool = True,
    reason: str = "",
) -> list[int]:
    build = build_request if method == METHOD_REQUEST else build_cancel
    application = interview.application
    staff_ics = build(_invite(interview, for_candidate=False))
    cancelled = method == METHOD_CANCEL
    subject = f"{'Cancelled: ' if cancelled else ''}Interview: {interview.title}"
    local = interview.starts_at.astimezone(ZoneInfo(interview.timezone))
    when = f"{local:%A %d %B %Y, %H:%M} ({interview.timezone}), {interview.duration_minutes} minutes"
    recipients: list[tuple[str, str, bytes, str]] = []
    for user in interviewers:
        body = _body(interview, when, cancelled, reason, staff=True)
        recipients.append((user.email, user.full_name, staff_ics, body))
    if include_candidate:
        candidate_ics = build(_invite(interview, for_candidate=True))
        body = _body(interview, when, cancelled, reason, staff=False)
        recipients.append((application.candidate.email, application.candidate.full_name, candidate_ics, body))
    message_ids = []
    for email, name, ics, body in recipients:
        message = queue_template_email(
            "generic",
            to_email=email,
            to_name=name,
            context={"subject": subject, "body": body},
            candidate_id=application.candidate_id,
            application_id=application.id,
            actor=actor,
            attachments=[invite_attachment(ics, method)],
        )
        message_ids.append(message.id)
    return message_ids


def _body(interview: Interview, when: str, cancelled: bool, reason: str, *, staff: bool) -> str:
    opening = interview.application.opening.title
    if cancelled:
        text = f'The interview "{interview.title}" for {opening} on {when} is cancelled.'
        return text + (f"\nReason: {reason}" if reason and staff else "")
    lines = [f'You are invited to "{interview.title}" for {opening}.', f"When: {when}"]
    if interview.location:
        lines.append(f"Where: {interview.location}")
    if interview.video_url:
        lines.append(f"Video link: {interview.video_url}")
    if staff:
        lines.append(f"Candidate: {interview.application.candidate.full_name}")
        if interview.instructions:
            lines += ["", interview.instructions]
        lines += ["", f"Interview kit: {_interview_link(interview)}"]
    lines += ["", "The calendar invite is attached."]
    return "\n".join(lines)
