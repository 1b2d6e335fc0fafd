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
    unambiguous_local,
)
from hirewise.interviews.models import Interview, InterviewStatus
from hirewise.mail.services import queue_template_email


def calendar_host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "hirewise.invalid"


def _interview_link(interview: Interview) -> str:
    path = url_for("interviews.detail", interview_id=interview.id, _external=False)
    return current_app.config["BASE_URL"].rstrip("/") + path


def _invite(interview: Interview, *, for_candidate: bool, only: User | None = None) -> InviteDetails:
    """The invite of ``interview``; ``only`` lists that one person as the sole attendee."""
    application = interview.application
    candidate = application.candidate
    organizer_user = interview.organizer
    if organizer_user is not None:
        organizer = Attendee(organizer_user.email, organizer_user.full_name, role="CHAIR")
    else:
        organizer = Attendee(f"no-reply@{calendar_host()}", current_app.config["COMPANY_NAME"], role="CHAIR")
    if only is not None:
        people = [Attendee(only.email, only.full_name)]
    else:
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
    reason: str = "",
) -> list[int]:
    """Email ``interviewers`` and the candidate the interview's ``method`` invite, everyone listed."""
    build = build_request if method == METHOD_REQUEST else build_cancel
    application = interview.application
    staff_ics = build(_invite(interview, for_candidate=False))
    cancelled = method == METHOD_CANCEL
    subject = f"{'Cancelled: ' if cancelled else ''}Interview: {interview.title}"
    when = _when(interview)
    recipients: list[tuple[str, str, bytes, str]] = []
    for user in interviewers:
        body = _body(interview, when, cancelled, reason, staff=True)
        recipients.append((user.email, user.full_name, staff_ics, body))
    candidate_ics = build(_invite(interview, for_candidate=True))
    body = _body(interview, when, cancelled, reason, staff=False)
    recipients.append((application.candidate.email, application.candidate.full_name, candidate_ics, body))
    return [
        _queue(actor, interview, email, name, subject, body, ics, method)
        for email, name, ics, body in recipients
    ]


def send_removal_cancels(actor: User, interview: Interview, removed: Sequence[User]) -> list[int]:
    """A METHOD:CANCEL to each interviewer taken off ``interview``, which itself goes ahead.

    RFC 5546 §3.2.5: a CANCEL that uninvites attendees lists only the attendees being removed; one
    listing everybody else would say that they were the ones uninvited. So each removed
    interviewer gets a CANCEL naming them alone, with the UID and the new SEQUENCE of the updated
    REQUEST that the remaining people get without them (:func:`send_invites`).
    """
    subject = f"Removed from interview: {interview.title}"
    opening = interview.application.opening.title
    when = _when(interview)
    body = (
        f'You are no longer an interviewer on "{interview.title}" for {opening} on {when}. '
        "It goes ahead without you; the calendar cancellation is attached."
    )
    return [
        _queue(
            actor,
            interview,
            user.email,
            user.full_name,
            subject,
            body,
            build_cancel(_invite(interview, for_candidate=False, only=user)),
            METHOD_CANCEL,
        )
        for user in removed
    ]


def _queue(
    actor: User, interview: Interview, email: str, name: str, subject: str, body: str, ics: bytes, method: str
) -> int:
    application = interview.application
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
    return message.id


def _when(interview: Interview) -> str:
    local = interview.starts_at.astimezone(ZoneInfo(interview.timezone))
    zone = interview.timezone
    if not unambiguous_local(local):
        # The night clocks go back, 02:30 happens twice: the offset tells the reader which one.
        offset = f"{local:%z}"  # e.g. +0100
        zone += f", UTC{offset[:3]}:{offset[3:]}"
    return f"{local:%A %d %B %Y, %H:%M} ({zone}), {interview.duration_minutes} minutes"


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
