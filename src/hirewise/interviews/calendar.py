"""Calendar invites for interviews: RFC 5545 iCalendar objects with iTIP methods (RFC 5546).

Pure Python (no Flask, no database) so the scheduling service, the ICS download and the tests
share one builder. An interview keeps one ``uid`` for its whole life; every reschedule sends a
REQUEST with a higher ``sequence`` and a cancel sends a CANCEL with a higher one still, which is
how calendar apps know to update or remove the event they already hold instead of adding another.

Times are written in the interview's IANA time zone together with a VTIMEZONE component, so
each attendee's calendar shows the right local time on both sides of a daylight-saving change.
A zone that is UTC itself is written in UTC (``...Z``), which needs no VTIMEZONE. So is an
interview whose start or end falls in the hour a zone repeats when its clocks go back (see
:func:`unambiguous_local`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

from icalendar import Calendar, Event, vCalAddress

PRODID = "-//Hirewise//Interviews//EN"
METHOD_REQUEST = "REQUEST"
METHOD_CANCEL = "CANCEL"
METHODS = (METHOD_REQUEST, METHOD_CANCEL)
ATTENDEE_ROLES = frozenset({"CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT", "NON-PARTICIPANT"})
INVITE_FILENAME = "invite.ics"
MAX_UID_CHARS = 255

# RFC 5545 TEXT excludes control characters other than HTAB; line breaks are escaped by icalendar.
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# "?", "#" and "%" would change the meaning of a mailto: URI (headers, fragment, escapes).
_EMAIL = re.compile(r"^[^@\s\"<>,;:?#%\\]+@[^@\s\"<>,;:?#%\\]+$")
_UID = re.compile(r"^\S+$")


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _require_single_line(value: str, what: str) -> None:
    if _ANY_CONTROL.search(value):
        raise ValueError(f"The {what} must be a single line without control characters.")


def _require_text(value: str, what: str) -> None:
    if _TEXT_CONTROL.search(value):
        raise ValueError(f"The {what} contains control characters that a calendar cannot store.")


@dataclass(frozen=True)
class Attendee:
    """A person on the invite: the organizer, an interviewer or the candidate."""

    email: str
    name: str = ""
    role: str = "REQ-PARTICIPANT"

    def __post_init__(self) -> None:
        if not _EMAIL.match(self.email) or _ANY_CONTROL.search(self.email):
            raise ValueError(f"'{self.email}' is not an email address a calendar invite can use.")
        _require_single_line(self.name, f"name of {self.email}")
        if self.role not in ATTENDEE_ROLES:
            allowed = ", ".join(sorted(ATTENDEE_ROLES))
            raise ValueError(f"'{self.role}' is not an attendee role; use one of {allowed}.")

    @property
    def address(self) -> str:
        return f"mailto:{self.email}"


@dataclass(frozen=True, kw_only=True)
class InviteDetails:
    """Everything one invite says about an interview; validated on construction (ValueError)."""

    uid: str
    sequence: int
    summary: str
    description: str
    starts_at: datetime
    duration: timedelta
    timezone: str
    location: str = ""
    url: str = ""
    organizer: Attendee
    attendees: Sequence[Attendee]

    def __post_init__(self) -> None:
        self._check_identity()
        self._check_time()
        self._check_text()
        self._check_people()
        # A tuple keeps the frozen value really immutable (the caller may pass a list).
        object.__setattr__(self, "attendees", tuple(self.attendees))

    def _check_identity(self) -> None:
        if not _UID.match(self.uid) or _ANY_CONTROL.search(self.uid) or len(self.uid) > MAX_UID_CHARS:
            raise ValueError(
                f"The invite UID must be 1 to {MAX_UID_CHARS} characters without spaces or line breaks."
            )
        if isinstance(self.sequence, bool) or not isinstance(self.sequence, int) or self.sequence < 0:
            raise ValueError("The invite sequence must be a whole number of at least 0.")

    def _check_time(self) -> None:
        if self.starts_at.tzinfo is None or self.starts_at.utcoffset() is None:
            raise ValueError("The interview start needs a time zone (an aware datetime), not a naive time.")
        if self.duration <= timedelta(0):
            raise ValueError("The interview duration must be longer than zero.")
        if self.timezone not in _known_zones():
            raise ValueError(f"'{self.timezone}' is not a known IANA time zone such as Europe/Berlin.")

    def _check_text(self) -> None:
        if not self.summary.strip():
            raise ValueError("The invite needs a summary (the event title).")
        _require_text(self.summary, "summary")
        _require_text(self.description, "description")
        _require_text(self.location, "location")
        if self.url:
            _require_single_line(self.url, "video link")
            parts = urlsplit(self.url)
            if parts.scheme not in ("http", "https") or not parts.netloc or " " in self.url:
                raise ValueError(f"'{self.url}' is not a web link (http:// or https://).")

    def _check_people(self) -> None:
        if not self.attendees:
            raise ValueError("An invite needs at least one attendee.")
        emails = [attendee.email.lower() for attendee in self.attendees]
        duplicates = sorted({email for email in emails if emails.count(email) > 1})
        if duplicates:
            raise ValueError(f"These attendees appear more than once: {', '.join(duplicates)}.")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def start(self) -> datetime:
        """The start in the interview's zone, to the second (iCalendar has no fractions)."""
        return self.starts_at.astimezone(self.zone).replace(microsecond=0)

    @property
    def end(self) -> datetime:
        # Add the duration to the UTC instant: wall-clock arithmetic in the zone would make a
        # one-hour interview across a DST change last zero or two hours.
        return (self.start.astimezone(UTC) + self.duration).astimezone(self.zone)


def unambiguous_local(instant: datetime) -> bool:
    """Whether ``instant``'s wall-clock time in its zone names that instant and no other.

    When clocks go back (Europe/Berlin 2027-10-31 03:00 -> 02:00, Australia/Lord_Howe's half
    hour in April) the local times in the repeated stretch happen twice, and ``DTSTART;TZID=...``
    cannot say which: RFC 5545 picks the first, so the second is read an hour (or half an hour)
    early, and JavaScript parsers differ even on the first. A local time in a spring-forward gap
    never comes out of a real instant, but it is refused the same way for safety.
    """
    wall_clock = instant.replace(tzinfo=None)
    zone = instant.tzinfo
    readings = {wall_clock.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)}
    return readings == {instant.astimezone(UTC)}


def _calendar_times(details: InviteDetails) -> tuple[datetime, datetime]:
    """DTSTART and DTEND as written: local with TZID where unambiguous, otherwise both in UTC.

    Local time with a VTIMEZONE is kept where it is exact because calendar apps then show the
    interview's own zone (and keep it if the attendee travels). Both ends switch to UTC together,
    rather than only the ambiguous one, because some clients mishandle an event whose DTSTART and
    DTEND are in different zones. A UTC time (``...Z``) means one instant in every parser.
    """
    start, end = details.start, details.end
    if unambiguous_local(start) and unambiguous_local(end):
        return start, end
    return start.astimezone(UTC), end.astimezone(UTC)


def _organizer(person: Attendee) -> vCalAddress:
    address = vCalAddress(person.address)
    if person.name:
        address.params["CN"] = person.name
    return address


def _attendee(person: Attendee, *, expects_reply: bool) -> vCalAddress:
    address = vCalAddress(person.address)
    if person.name:
        address.params["CN"] = person.name
    address.params["ROLE"] = person.role
    if expects_reply:
        address.params["PARTSTAT"] = "NEEDS-ACTION"
        address.params["RSVP"] = "TRUE"
    return address


def _event(details: InviteDetails, *, status: str, expects_reply: bool) -> Event:
    event = Event()
    event.add("uid", details.uid)
    event.add("sequence", details.sequence)
    event.add("dtstamp", datetime.now(UTC).replace(microsecond=0))
    start, end = _calendar_times(details)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", details.summary)
    if details.description:
        event.add("description", details.description)
    # Most calendar apps never show URL, so a video-only interview puts its link in LOCATION too.
    location = details.location or details.url
    if location:
        event.add("location", location)
    if details.url:
        event.add("url", details.url)
    event.add("organizer", _organizer(details.organizer))
    for person in details.attendees:
        event.add("attendee", _attendee(person, expects_reply=expects_reply))
    event.add("status", status)
    return event


def _calendar(details: InviteDetails, method: str, event: Event) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(event)
    # The VTIMEZONE only has to cover the event; a short window keeps the file small.
    calendar.add_missing_timezones(
        first_date=date(details.start.year, 1, 1), last_date=date(details.end.year + 1, 1, 1)
    )
    return calendar.to_ical()


def build_request(details: InviteDetails) -> bytes:
    """A METHOD:REQUEST invite: the first one, or an update with a higher ``sequence``."""
    event = _event(details, status="CONFIRMED", expects_reply=True)
    return _calendar(details, METHOD_REQUEST, event)


def build_cancel(details: InviteDetails) -> bytes:
    """A METHOD:CANCEL for the interview's ``uid``; pass a ``sequence`` above the last request's."""
    event = _event(details, status="CANCELLED", expects_reply=False)
    return _calendar(details, METHOD_CANCEL, event)


def invite_attachment(ics: bytes, method: str) -> dict[str, Any]:
    """The ``attachments`` entry of ``hirewise.mail.services.queue_template_email`` for ``ics``."""
    if method not in METHODS:
        raise ValueError(f"'{method}' is not an invite method; use {' or '.join(METHODS)}.")
    if f"\r\nMETHOD:{method}\r\n".encode() not in ics:
        raise ValueError(f"This calendar file is not a METHOD:{method} invite.")
    return {
        "filename": INVITE_FILENAME,
        "content_type": f"text/calendar; method={method}; charset=utf-8",
        "content": ics.decode("utf-8"),
    }
