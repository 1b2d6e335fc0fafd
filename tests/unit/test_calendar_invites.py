"""Interview invites are parsed back with icalendar and checked field by field."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event, Timezone

from hirewise.interviews.calendar import (
    PRODID,
    Attendee,
    InviteDetails,
    build_cancel,
    build_request,
    invite_attachment,
)

BERLIN = ZoneInfo("Europe/Berlin")
ORGANIZER = Attendee("recruiter@hirewise.example", "Rita Recruiter", "CHAIR")
INTERVIEWER = Attendee("ivan@hirewise.example", "Ivan Interviewer")
CANDIDATE = Attendee("zoe@example.org", "Zoë Ångström", "OPT-PARTICIPANT")
STARTS_AT = datetime(2026, 6, 15, 14, 0, tzinfo=BERLIN)


def details(**overrides: Any) -> InviteDetails:
    values: dict[str, Any] = {
        "uid": "interview-42@hirewise.example",
        "sequence": 0,
        "summary": "Technical interview: Zoë Ångström (Flask Developer)",
        "description": "Bring your laptop.\nWe will talk about blueprints.",
        "starts_at": STARTS_AT,
        "duration": timedelta(minutes=45),
        "timezone": "Europe/Berlin",
        "location": "Room 4, Berlin office",
        "url": "https://meet.example.com/abc-defg-hij",
        "organizer": ORGANIZER,
        "attendees": [INTERVIEWER, CANDIDATE],
    }
    values.update(overrides)
    return InviteDetails(**values)


def parse(ics: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(ics)
    assert len(calendar.events) == 1
    return calendar, calendar.events[0]


def physical_lines(ics: bytes) -> list[bytes]:
    assert ics.endswith(b"\r\n")
    return ics[: -len(b"\r\n")].split(b"\r\n")


def test_request_carries_every_field() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    ics = build_request(details())
    after = datetime.now(UTC)
    calendar, event = parse(ics)

    assert str(calendar["PRODID"]) == PRODID == "-//Hirewise//Interviews//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "REQUEST"

    assert str(event["UID"]) == "interview-42@hirewise.example"
    assert event.decoded("SEQUENCE") == 0
    assert before <= event.decoded("DTSTAMP") <= after
    assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)

    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.tzinfo is not None and str(start.tzinfo) == "Europe/Berlin"
    assert start == datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
    assert (start.hour, start.minute) == (14, 0)
    assert end == datetime(2026, 6, 15, 12, 45, tzinfo=UTC)
    assert str(end.tzinfo) == "Europe/Berlin"
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event["DTEND"].params["TZID"] == "Europe/Berlin"

    assert str(event["SUMMARY"]) == "Technical interview: Zoë Ångström (Flask Developer)"
    assert str(event["DESCRIPTION"]) == "Bring your laptop.\nWe will talk about blueprints."
    assert str(event["LOCATION"]) == "Room 4, Berlin office"
    assert str(event["URL"]) == "https://meet.example.com/abc-defg-hij"
    assert str(event["STATUS"]) == "CONFIRMED"

    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:recruiter@hirewise.example"
    assert organizer.params["CN"] == "Rita Recruiter"

    attendees = event.attendees
    assert [str(a) for a in attendees] == ["mailto:ivan@hirewise.example", "mailto:zoe@example.org"]
    assert [dict(a.params) for a in attendees] == [
        {"CN": "Ivan Interviewer", "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"},
        {"CN": "Zoë Ångström", "ROLE": "OPT-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"},
    ]

    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Berlin"]
    assert b"\r\nDTSTART;TZID=Europe/Berlin:20260615T140000\r\n" in ics
    assert b"\r\nDTEND;TZID=Europe/Berlin:20260615T144500\r\n" in ics


def test_vtimezone_rules_match_the_zone_database() -> None:
    calendar, event = parse(build_request(details()))
    (vtimezone,) = calendar.timezones
    assert isinstance(vtimezone, Timezone)
    # Build the zone from the VTIMEZONE's own rules, as a client without the IANA name would.
    rules = vtimezone.to_tz(lookup_tzid=False)
    local_start = datetime(2026, 6, 15, 14, 0)
    assert local_start.replace(tzinfo=rules).utcoffset() == timedelta(hours=2)
    assert local_start.replace(tzinfo=rules).utcoffset() == event.decoded("DTSTART").utcoffset()
    assert datetime(2026, 1, 15, 9, 0, tzinfo=rules).utcoffset() == timedelta(hours=1)


def test_reschedule_keeps_the_uid_and_raises_the_sequence() -> None:
    first = details()
    moved = dataclasses.replace(first, sequence=1, starts_at=datetime(2026, 6, 16, 9, 30, tzinfo=BERLIN))
    _, original = parse(build_request(first))
    calendar, update = parse(build_request(moved))

    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(update["UID"]) == str(original["UID"]) == "interview-42@hirewise.example"
    assert (original.decoded("SEQUENCE"), update.decoded("SEQUENCE")) == (0, 1)
    assert update.decoded("DTSTART") == datetime(2026, 6, 16, 7, 30, tzinfo=UTC)
    assert update.decoded("DTEND") == datetime(2026, 6, 16, 8, 15, tzinfo=UTC)
    assert str(update["STATUS"]) == "CONFIRMED"


def test_cancel_uses_method_cancel_with_the_same_uid() -> None:
    ics = build_cancel(details(sequence=2))
    calendar, event = parse(ics)

    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar["PRODID"]) == PRODID
    assert str(event["UID"]) == "interview-42@hirewise.example"
    assert event.decoded("SEQUENCE") == 2
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("DTSTART") == datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
    assert str(event["ORGANIZER"]) == "mailto:recruiter@hirewise.example"
    # A cancellation expects no reply.
    assert [dict(a.params) for a in event.attendees] == [
        {"CN": "Ivan Interviewer", "ROLE": "REQ-PARTICIPANT"},
        {"CN": "Zoë Ångström", "ROLE": "OPT-PARTICIPANT"},
    ]
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Berlin"]


def test_interview_across_the_spring_dst_change_keeps_its_real_length() -> None:
    # 01:30 CET on 29 March 2026; clocks jump from 02:00 to 03:00 during the interview.
    starts_at = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    ics = build_request(details(starts_at=starts_at, duration=timedelta(hours=1)))
    calendar, event = parse(ics)

    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == starts_at
    assert end == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    # Same-zone subtraction in Python is wall-clock time, so measure the length in UTC.
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=1)
    assert (start.utcoffset(), end.utcoffset()) == (timedelta(hours=1), timedelta(hours=2))
    assert b"\r\nDTSTART;TZID=Europe/Berlin:20260329T013000\r\n" in ics
    assert b"\r\nDTEND;TZID=Europe/Berlin:20260329T033000\r\n" in ics

    (vtimezone,) = calendar.timezones
    daylight_starts = [component.decoded("DTSTART") for component in vtimezone.walk("DAYLIGHT")]
    assert datetime(2026, 3, 29, 3, 0) in daylight_starts
    rules = vtimezone.to_tz(lookup_tzid=False)
    assert datetime(2026, 3, 29, 1, 30, tzinfo=rules).utcoffset() == timedelta(hours=1)
    assert datetime(2026, 3, 29, 3, 30, tzinfo=rules).utcoffset() == timedelta(hours=2)


def test_start_given_in_another_zone_is_written_in_the_interview_zone() -> None:
    in_new_york = datetime(2026, 3, 30, 3, 0, tzinfo=ZoneInfo("America/New_York"))
    ics = build_request(details(starts_at=in_new_york))
    _, event = parse(ics)

    assert event.decoded("DTSTART") == in_new_york
    assert b"\r\nDTSTART;TZID=Europe/Berlin:20260330T090000\r\n" in ics


def test_zone_without_daylight_saving_gets_its_vtimezone() -> None:
    ics = build_request(details(timezone="Asia/Kolkata"))
    calendar, event = parse(ics)

    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Kolkata"]
    assert event.decoded("DTSTART") == datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
    assert b"\r\nDTSTART;TZID=Asia/Kolkata:20260615T173000\r\n" in ics
    assert b"TZOFFSETTO:+0530" in ics


def test_utc_interview_is_written_in_utc_without_vtimezone() -> None:
    ics = build_request(details(timezone="UTC"))
    calendar, event = parse(ics)

    assert calendar.timezones == []
    assert b"\r\nDTSTART:20260615T120000Z\r\n" in ics
    assert event.decoded("DTEND") == datetime(2026, 6, 15, 12, 45, tzinfo=UTC)


def test_interview_across_new_year_has_a_vtimezone_covering_both_ends() -> None:
    starts_at = datetime(2026, 12, 31, 23, 30, tzinfo=BERLIN)
    calendar, event = parse(build_request(details(starts_at=starts_at, duration=timedelta(hours=1))))
    rules = calendar.timezones[0].to_tz(lookup_tzid=False)

    assert event.decoded("DTEND") == datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert datetime(2027, 1, 1, 0, 30, tzinfo=rules).utcoffset() == timedelta(hours=1)


def test_fractions_of_a_second_are_dropped() -> None:
    _, event = parse(build_request(details(starts_at=STARTS_AT.replace(microsecond=987_654))))

    assert event.decoded("DTSTART") == STARTS_AT
    assert event.decoded("DTEND") == STARTS_AT + timedelta(minutes=45)


def test_lines_end_with_crlf_and_fold_at_75_octets() -> None:
    description = "Zoë Ångström will present a Flask blueprint — 設計 review. " * 12
    ics = build_request(details(description=description))
    lines = physical_lines(ics)

    assert all(b"\r" not in line and b"\n" not in line for line in lines)
    assert all(len(line) <= 75 for line in lines)
    # Folding never splits a UTF-8 character between two lines.
    assert all(line.decode("utf-8") for line in lines)
    description_lines = [i for i, line in enumerate(lines) if line.startswith(b"DESCRIPTION:")]
    (first,) = description_lines
    assert lines[first + 1].startswith(b" ")
    assert sum(1 for line in lines if line.startswith(b" ")) >= 10

    _, event = parse(ics)
    assert str(event["DESCRIPTION"]) == description


def test_non_ascii_names_survive_the_round_trip() -> None:
    organizer = Attendee("lukasz@hirewise.example", "Łukasz Żółć", "CHAIR")
    candidate = Attendee("zoe@example.org", "Zoë Ångström")
    ics = build_request(details(organizer=organizer, attendees=[candidate], summary="Entretien — Zoë"))
    _, event = parse(ics)

    assert event["ORGANIZER"].params["CN"] == "Łukasz Żółć"
    assert event["ATTENDEE"].params["CN"] == "Zoë Ångström"
    assert str(event["SUMMARY"]) == "Entretien — Zoë"
    assert "Zoë Ångström".encode() in ics


def test_names_with_separators_stay_inside_their_parameter() -> None:
    sneaky = Attendee("eve@example.org", 'Eve "the admin"; ROLE=CHAIR:mailto:boss@example.org')
    _, event = parse(build_request(details(attendees=[sneaky])))

    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:eve@example.org"
    assert attendee.params["CN"] == 'Eve "the admin"; ROLE=CHAIR:mailto:boss@example.org'
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"


@pytest.mark.parametrize("field", ["summary", "description", "location"])
def test_line_breaks_in_text_cannot_inject_properties(field: str) -> None:
    payload = "Hello\r\nATTENDEE:mailto:evil@example.org\nMETHOD:CANCEL\rEND:VEVENT"
    ics = build_request(details(**{field: payload}))
    lines = physical_lines(ics)
    calendar, event = parse(ics)

    assert not any(line.startswith((b"ATTENDEE:mailto:evil", b"METHOD:CANCEL")) for line in lines)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert [str(a) for a in event.attendees] == ["mailto:ivan@hirewise.example", "mailto:zoe@example.org"]
    assert str(event[field.upper()]) == "Hello\nATTENDEE:mailto:evil@example.org\nMETHOD:CANCEL\nEND:VEVENT"


def test_optional_fields_are_left_out_when_empty() -> None:
    _, event = parse(build_request(details(description="", location="", url="")))

    assert "DESCRIPTION" not in event
    assert "LOCATION" not in event
    assert "URL" not in event


def test_video_only_interview_shows_its_link_as_location() -> None:
    _, event = parse(build_request(details(location="")))

    assert str(event["LOCATION"]) == "https://meet.example.com/abc-defg-hij"
    assert str(event["URL"]) == "https://meet.example.com/abc-defg-hij"


def test_organizer_without_name_has_no_cn() -> None:
    _, event = parse(build_request(details(organizer=Attendee("noreply@hirewise.example"))))

    assert str(event["ORGANIZER"]) == "mailto:noreply@hirewise.example"
    assert "CN" not in event["ORGANIZER"].params


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_at": datetime(2026, 6, 15, 14, 0)}, "naive"),
        ({"timezone": "Mars/Olympus_Mons"}, "not a known IANA time zone"),
        ({"timezone": "Europe"}, "not a known IANA time zone"),
        ({"timezone": "../../etc/passwd"}, "not a known IANA time zone"),
        ({"timezone": ""}, "not a known IANA time zone"),
        ({"duration": timedelta(0)}, "longer than zero"),
        ({"duration": timedelta(minutes=-30)}, "longer than zero"),
        ({"sequence": -1}, "sequence"),
        ({"sequence": True}, "sequence"),
        ({"uid": ""}, "UID"),
        ({"uid": "interview 42"}, "UID"),
        ({"uid": "interview-42\r\nMETHOD:CANCEL"}, "UID"),
        ({"uid": "x" * 256}, "UID"),
        ({"summary": "   "}, "summary"),
        ({"summary": "Bell\x07"}, "summary contains control characters"),
        ({"description": "Null\x00byte"}, "description contains control characters"),
        ({"url": "javascript:alert(1)"}, "not a web link"),
        ({"url": "https://meet.example.com/a\r\nATTENDEE:mailto:x@y.z"}, "video link must be a single line"),
        ({"attendees": []}, "at least one attendee"),
        ({"attendees": [INTERVIEWER, Attendee("IVAN@hirewise.example")]}, "more than once"),
    ],
)
def test_invalid_details_are_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        details(**overrides)


@pytest.mark.parametrize(
    ("email", "name", "role", "message"),
    [
        ("ivan.hirewise.example", "", "REQ-PARTICIPANT", "not an email address"),
        ("ivan@", "", "REQ-PARTICIPANT", "not an email address"),
        ("ivan@hirewise.example\r\nATTENDEE:mailto:evil@x.io", "", "REQ-PARTICIPANT", "not an email address"),
        ("ivan@hirewise.example?bcc=evil@x.io", "", "REQ-PARTICIPANT", "not an email address"),
        ("ivan@hirewise.example", "Ivan\r\nROLE=CHAIR", "REQ-PARTICIPANT", "single line"),
        ("ivan@hirewise.example", "Ivan", "BOSS", "not an attendee role"),
        ("ivan@hirewise.example", "Ivan", "chair", "not an attendee role"),
    ],
)
def test_invalid_attendees_are_refused(email: str, name: str, role: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Attendee(email, name, role)


def test_details_are_immutable() -> None:
    invite = details()

    assert invite.attendees == (INTERVIEWER, CANDIDATE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        invite.sequence = 3  # type: ignore[misc]


@pytest.mark.parametrize(("build", "method"), [(build_request, "REQUEST"), (build_cancel, "CANCEL")])
def test_invite_attachment_has_the_outbox_shape(build: Any, method: str) -> None:
    ics = build(details())
    attachment = invite_attachment(ics, method)

    assert attachment == {
        "filename": "invite.ics",
        "content_type": f"text/calendar; method={method}; charset=utf-8",
        "content": ics.decode("utf-8"),
    }
    calendar, _ = parse(attachment["content"].encode("utf-8"))
    assert str(calendar["METHOD"]) == method


def test_invite_attachment_refuses_a_method_that_does_not_match() -> None:
    with pytest.raises(ValueError, match="not a METHOD:CANCEL invite"):
        invite_attachment(build_request(details()), "CANCEL")
    with pytest.raises(ValueError, match="not an invite method"):
        invite_attachment(build_request(details()), "PUBLISH")
