"""Invites at daylight-saving changes mean one instant, read by two independent parsers.

icalendar (which builds the file) and vobject (a separate parser, its own VTIMEZONE reading
through dateutil) must both read the exact UTC instant of every DTSTART and DTEND: for times in
the hour that Europe/Berlin repeats in October, in Australia/Lord_Howe's repeated half hour in
April, and for interviews right beside or across the spring-forward gaps of both zones.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from hirewise.interviews.calendar import Attendee, InviteDetails, build_cancel, build_request

BERLIN, LORD_HOWE = "Europe/Berlin", "Australia/Lord_Howe"


def invite(starts_at: datetime, zone: str, minutes: int = 60) -> InviteDetails:
    return InviteDetails(
        uid="interview-7@hirewise.example",
        sequence=2,
        summary="Technical interview",
        description="",
        starts_at=starts_at,
        duration=timedelta(minutes=minutes),
        timezone=zone,
        organizer=Attendee("recruiter@hirewise.example", "Rita Recruiter", "CHAIR"),
        attendees=[Attendee("ivan@hirewise.example", "Ivan Interviewer")],
    )


def read_with_icalendar(ics: bytes) -> tuple[datetime, datetime]:
    (event,) = Calendar.from_ical(ics).events
    return event.decoded("DTSTART").astimezone(UTC), event.decoded("DTEND").astimezone(UTC)


def read_with_vobject(ics: bytes) -> tuple[datetime, datetime]:
    calendar = vobject.readOne(ics.decode("utf-8"))
    event = calendar.vevent
    start, end = event.dtstart.value, event.dtend.value
    assert start.tzinfo is not None and end.tzinfo is not None, "vobject read a floating time"
    return start.astimezone(UTC), end.astimezone(UTC)


def property_line(ics: bytes, name: str) -> str:
    """The event's own ``name`` line (a VTIMEZONE has DTSTART lines of its own)."""
    text = ics.decode()
    event = text[text.index("BEGIN:VEVENT") : text.index("END:VEVENT")]
    (line,) = [line for line in event.split("\r\n") if line.startswith((f"{name}:", f"{name};"))]
    return line


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# (UTC start, zone, what the local wall clock says there), each in the stretch a zone repeats.
REPEATED_TIMES = [
    # Berlin, 2027-10-31: 03:00 CEST goes back to 02:00 CET, so 02:00-03:00 happens twice.
    pytest.param(utc(2027, 10, 31, 0, 30), BERLIN, "02:30 CEST, the first 02:30", id="berlin-first-0230"),
    pytest.param(utc(2027, 10, 31, 1, 30), BERLIN, "02:30 CET, the second 02:30", id="berlin-second-0230"),
    pytest.param(utc(2027, 10, 31, 1, 0), BERLIN, "02:00 CET, the second 02:00", id="berlin-second-0200"),
    # Lord Howe Island, 2027-04-04: 02:00 (+11) goes back to 01:30 (+10:30): 01:30-02:00 twice.
    pytest.param(utc(2027, 4, 3, 14, 45), LORD_HOWE, "01:45 +11:00, the first", id="lord-howe-first-0145"),
    pytest.param(utc(2027, 4, 3, 15, 15), LORD_HOWE, "01:45 +10:30, the second", id="lord-howe-second-0145"),
]


@pytest.mark.parametrize(("starts_at", "zone", "wall_clock"), REPEATED_TIMES)
@pytest.mark.parametrize("build", [build_request, build_cancel], ids=["request", "cancel"])
def test_a_start_in_a_repeated_hour_is_written_in_utc(starts_at, zone, wall_clock, build) -> None:
    local = starts_at.astimezone(ZoneInfo(zone))
    ambiguous = local.replace(fold=1 - local.fold)
    assert ambiguous.replace(tzinfo=None) == local.replace(tzinfo=None)
    assert ambiguous.utcoffset() != local.utcoffset(), f"{wall_clock} must really happen twice"

    ics = build(invite(starts_at, zone))
    end = starts_at + timedelta(hours=1)
    assert property_line(ics, "DTSTART") == f"DTSTART:{starts_at:%Y%m%dT%H%M%S}Z"
    assert property_line(ics, "DTEND") == f"DTEND:{end:%Y%m%dT%H%M%S}Z"
    assert b"BEGIN:VTIMEZONE" not in ics, "no local time is written, so no zone is needed"
    assert read_with_icalendar(ics) == (starts_at, end)
    assert read_with_vobject(ics) == (starts_at, end)


def test_an_end_in_the_repeated_hour_puts_both_ends_in_utc() -> None:
    starts_at = utc(2027, 10, 30, 23, 30)  # 01:30 CEST, happens once
    end = utc(2027, 10, 31, 1, 15)  # 02:15 CET, the second 02:15
    ics = build_request(invite(starts_at, BERLIN, minutes=105))
    assert property_line(ics, "DTSTART") == "DTSTART:20271030T233000Z"
    assert property_line(ics, "DTEND") == "DTEND:20271031T011500Z"
    assert read_with_icalendar(ics) == (starts_at, end)
    assert read_with_vobject(ics) == (starts_at, end)


# Times that happen once keep their local time and VTIMEZONE: (UTC start, zone, minutes, local lines).
UNAMBIGUOUS_TIMES = [
    # Just after Berlin's repeated hour: 03:00 CET.
    pytest.param(
        utc(2027, 10, 31, 2, 0), BERLIN, 60, ("20271031T030000", "20271031T040000"), id="berlin-after"
    ),
    # Just before it: 01:00-01:59 CEST (an end at 02:00 would be in the repeated hour).
    pytest.param(
        utc(2027, 10, 30, 23, 0), BERLIN, 59, ("20271031T010000", "20271031T015900"), id="berlin-before"
    ),
    # Berlin's spring gap, 2027-03-28: 02:00 CET jumps to 03:00 CEST; 01:30 CET to 03:30 CEST is 1 hour.
    pytest.param(
        utc(2027, 3, 28, 0, 30), BERLIN, 60, ("20270328T013000", "20270328T033000"), id="berlin-across-gap"
    ),
    pytest.param(
        utc(2027, 3, 28, 1, 0), BERLIN, 30, ("20270328T030000", "20270328T033000"), id="berlin-after-gap"
    ),
    # Lord Howe's spring gap, 2027-10-03: 02:00 (+10:30) jumps to 02:30 (+11).
    pytest.param(
        utc(2027, 10, 2, 15, 0),
        LORD_HOWE,
        60,
        ("20271003T013000", "20271003T030000"),
        id="lord-howe-across-gap",
    ),
    pytest.param(
        utc(2027, 10, 2, 15, 30),
        LORD_HOWE,
        30,
        ("20271003T023000", "20271003T030000"),
        id="lord-howe-after-gap",
    ),
    # Just after Lord Howe's repeated half hour: 02:00 (+10:30).
    pytest.param(
        utc(2027, 4, 3, 15, 30), LORD_HOWE, 60, ("20270404T020000", "20270404T030000"), id="lord-howe-after"
    ),
]


@pytest.mark.parametrize(("starts_at", "zone", "minutes", "local"), UNAMBIGUOUS_TIMES)
def test_times_that_happen_once_keep_their_zone_and_mean_the_same_instant(
    starts_at, zone, minutes, local
) -> None:
    ics = build_request(invite(starts_at, zone, minutes))
    end = starts_at + timedelta(minutes=minutes)
    assert property_line(ics, "DTSTART") == f"DTSTART;TZID={zone}:{local[0]}"
    assert property_line(ics, "DTEND") == f"DTEND;TZID={zone}:{local[1]}"
    assert f"TZID:{zone}".encode() in ics
    assert read_with_icalendar(ics) == (starts_at, end)
    assert read_with_vobject(ics) == (starts_at, end)


def test_vobject_reads_the_zone_from_the_files_vtimezone_not_from_its_name() -> None:
    """The second parser really uses our VTIMEZONE rules: renamed, the zone still gives the instant."""
    starts_at = utc(2027, 10, 2, 15, 0)
    ics = build_request(invite(starts_at, LORD_HOWE)).replace(b"Australia/Lord_Howe", b"Hirewise-Test-Zone")
    assert read_with_vobject(ics) == (starts_at, starts_at + timedelta(hours=1))
    assert read_with_icalendar(ics) == (starts_at, starts_at + timedelta(hours=1))
