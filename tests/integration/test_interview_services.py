"""Interview plans and scheduling: the services, the invites they email and the ICS they build."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar
from sqlalchemy import select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role, User
from hirewise.candidates.models import Application
from hirewise.errors import Conflict, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.interviews import services
from hirewise.interviews.models import Interview, InterviewPlanItem, InterviewStatus
from hirewise.kits.models import QuestionType
from hirewise.mail.models import OutboxMessage
from hirewise.openings.models import Opening, OpeningQuestion
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory

BERLIN = "Europe/Berlin"


def next_year_at(hour: int = 10, zone: str = BERLIN) -> datetime:
    return datetime(datetime.now(UTC).year + 1, 3, 10, hour, 0, tzinfo=ZoneInfo(zone))


def add_questions(opening: Opening) -> tuple[OpeningQuestion, OpeningQuestion]:
    flask_skill = opening.skills[0]
    behavioural = OpeningQuestion(
        text="Tell me about a hard bug you fixed.",
        type=QuestionType.BEHAVIOURAL,
        expected_answer="A concrete story with a method.",
        key_points=[{"label": "Method", "text": "Reproduces before fixing"}],
        position=0,
    )
    technical = OpeningQuestion(
        text="How do Flask blueprints work?",
        type=QuestionType.TECHNICAL,
        expected_answer="Blueprints group routes and are registered on the app.",
        key_points=[{"label": "Registration", "text": "register_blueprint with a url_prefix"}],
        skill_id=flask_skill.id,
        position=1,
    )
    opening.questions.extend([behavioural, technical])
    db.session.commit()
    return behavioural, technical


def schedule(actor: User, application: Application, interviewers: list[User], **overrides: Any) -> Interview:
    values: dict[str, Any] = {
        "title": "Technical interview",
        "starts_at": next_year_at(),
        "timezone": BERLIN,
        "duration_minutes": 60,
        "interviewer_ids": [user.id for user in interviewers],
        "location": "Room 4",
        "video_url": "https://meet.example.com/abc",
        "instructions": "Focus on blueprints.",
    }
    values.update(overrides)
    return services.schedule_interview(actor, application, **values)


def invites_of(interview: Interview) -> list[OutboxMessage]:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.application_id == interview.application_id)
        .order_by(OutboxMessage.id)
    )
    return list(db.session.execute(stmt).scalars())


def parse(attachment: dict[str, str]) -> Calendar:
    assert attachment["content_type"].startswith("text/calendar")
    return Calendar.from_ical(attachment["content"])


def event_of(calendar: Calendar) -> Any:
    events = [component for component in calendar.walk("VEVENT")]
    assert len(events) == 1
    return events[0]


@pytest.fixture
def setting() -> dict[str, Any]:
    recruiter = UserFactory(role=Role.RECRUITER, full_name="Rita Recruiter")
    alice = UserFactory(role=Role.INTERVIEWER, full_name="Alice Interviewer")
    bob = UserFactory(role=Role.INTERVIEWER, full_name="Bob Interviewer")
    application = ApplicationFactory()
    return {"recruiter": recruiter, "alice": alice, "bob": bob, "application": application}


def test_default_plan_is_generated_once_from_stages_and_questions():
    opening = OpeningFactory()
    behavioural, technical = add_questions(opening)
    actor = UserFactory(role=Role.RECRUITER)
    items = services.default_plan(actor, opening)
    assert [(i.title, i.duration_minutes, i.stage.name) for i in items] == [
        ("Screening call", 30, "Screen"),
        ("Technical interview", 60, "Interview"),
    ]
    assert items[0].question_ids == [behavioural.id]
    assert items[1].question_ids == [technical.id]
    must_have = [s.id for s in opening.skills if s.kind == "must_have"]
    assert items[1].focus_skill_ids == must_have
    again = services.default_plan(actor, opening)
    assert [i.id for i in again] == [i.id for i in items]
    count = db.session.execute(select(InterviewPlanItem).where(InterviewPlanItem.opening_id == opening.id))
    assert len(list(count.scalars())) == 2


def test_plan_items_are_validated_against_their_opening():
    opening = OpeningFactory()
    other = OpeningFactory()
    add_questions(other)
    actor = UserFactory(role=Role.RECRUITER)
    stage = opening.stages[1]
    with pytest.raises(ValidationFailed) as error:
        services.add_plan_item(
            actor,
            opening,
            stage_id=other.stages[0].id,
            title="",
            duration_minutes=5,
            focus_skill_ids=[other.skills[0].id],
            question_ids=[other.questions[0].id],
        )
    assert set(error.value.details) == {
        "stage_id",
        "title",
        "duration_minutes",
        "focus_skill_ids",
        "question_ids",
    }
    item = services.add_plan_item(actor, opening, stage_id=stage.id, title="Pairing", duration_minutes=90)
    updated = services.update_plan_item(
        actor, item, duration_minutes=120, focus_skill_ids=[opening.skills[1].id]
    )
    assert (updated.duration_minutes, updated.focus_skill_ids) == (120, [opening.skills[1].id])
    with pytest.raises(ValidationFailed):
        services.update_plan_item(actor, item, duration_minutes=481)
    services.remove_plan_item(actor, item)
    assert db.session.get(InterviewPlanItem, item.id) is None


def test_schedule_assigns_interviewers_and_emails_an_invite_to_each(setting):
    recruiter, alice, bob, application = (setting[k] for k in ("recruiter", "alice", "bob", "application"))
    opening = application.opening
    add_questions(opening)
    plan = services.default_plan(recruiter, opening)
    interview = schedule(recruiter, application, [alice, bob], plan_item_id=plan[1].id)

    assert interview.status == InterviewStatus.SCHEDULED
    assert {u.id for u in interview.interviewers} == {alice.id, bob.id}
    assert interview.question_ids == plan[1].question_ids
    assert interview.focus_skill_ids == plan[1].focus_skill_ids
    assert interview.calendar_uid.startswith("interview-") and interview.calendar_uid.endswith("@127.0.0.1")

    messages = invites_of(interview)
    candidate = application.candidate
    assert sorted(m.to_email for m in messages) == sorted([alice.email, bob.email, candidate.email])
    for message in messages:
        assert message.subject == "Interview: Technical interview"
        assert len(message.attachments) == 1
        event = event_of(calendar := parse(message.attachments[0]))
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == interview.calendar_uid
        assert int(event["SEQUENCE"]) == 0
        start = event.decoded("DTSTART")
        assert start == next_year_at()
        assert str(start.tzinfo) == BERLIN or getattr(start.tzinfo, "key", "") == BERLIN
        assert event["DTSTART"].params["TZID"] == BERLIN
        assert event.decoded("DTEND") - start == timedelta(minutes=60)
        assert str(event["ORGANIZER"]) == f"mailto:{recruiter.email}"
        attendees = {str(a) for a in event.get("ATTENDEE")}
        assert attendees == {f"mailto:{alice.email}", f"mailto:{bob.email}", f"mailto:{candidate.email}"}
        assert str(event["LOCATION"]) == "Room 4"
        assert calendar.walk("VTIMEZONE")[0]["TZID"] == BERLIN
    candidate_message = next(m for m in messages if m.to_email == candidate.email)
    assert "Focus on blueprints" not in candidate_message.body
    candidate_event = event_of(parse(candidate_message.attachments[0]))
    assert "Focus on blueprints" not in str(candidate_event["DESCRIPTION"])
    staff_message = next(m for m in messages if m.to_email == alice.email)
    assert "Focus on blueprints" in str(event_of(parse(staff_message.attachments[0]))["DESCRIPTION"])
    assert "Focus on blueprints" in staff_message.body

    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "interview", AuditEvent.object_id == interview.id)
    ).scalar_one()
    assert (event.candidate_id, event.opening_id) == (application.candidate_id, application.opening_id)


def test_reschedule_keeps_the_uid_and_raises_the_sequence(setting):
    recruiter, alice, bob, application = (setting[k] for k in ("recruiter", "alice", "bob", "application"))
    interview = schedule(recruiter, application, [alice, bob])
    uid = interview.calendar_uid
    before = {m.id for m in invites_of(interview)}
    later = next_year_at(15, "America/New_York")
    services.reschedule_interview(
        recruiter,
        interview,
        starts_at=later,
        timezone="America/New_York",
        duration_minutes=45,
        interviewer_ids=[alice.id],
    )
    fresh = [m for m in invites_of(interview) if m.id not in before]
    assert sorted(m.to_email for m in fresh) == sorted([alice.email, bob.email, application.candidate.email])
    for message in fresh:
        calendar = parse(message.attachments[0])
        event = event_of(calendar)
        assert str(event["UID"]) == uid
        assert int(event["SEQUENCE"]) == 1
        expected = "CANCEL" if message.to_email == bob.email else "REQUEST"
        assert str(calendar["METHOD"]) == expected
        if expected == "REQUEST":
            assert event.decoded("DTSTART") == later
            assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert [u.id for u in interview.interviewers] == [alice.id]


def test_removed_interviewer_gets_a_cancel_naming_only_them(setting):
    """RFC 5546 §3.2.5: the CANCEL that uninvites lists the removed attendee, nobody else."""
    recruiter, alice, bob, application = (setting[k] for k in ("recruiter", "alice", "bob", "application"))
    candidate = application.candidate
    interview = schedule(recruiter, application, [alice, bob])
    uid, first_sequence = interview.calendar_uid, interview.calendar_sequence
    before = {m.id for m in invites_of(interview)}
    services.reschedule_interview(
        recruiter,
        interview,
        starts_at=interview.starts_at,
        timezone=interview.timezone,
        duration_minutes=interview.duration_minutes,
        interviewer_ids=[alice.id],
    )
    fresh = {m.to_email: m for m in invites_of(interview) if m.id not in before}
    assert sorted(fresh) == sorted([alice.email, bob.email, candidate.email])

    removal = fresh[bob.email]
    assert removal.subject == "Removed from interview: Technical interview"
    assert "goes ahead without you" in removal.body
    calendar = parse(removal.attachments[0])
    event = event_of(calendar)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert removal.attachments[0]["content_type"] == "text/calendar; method=CANCEL; charset=utf-8"
    assert [str(a) for a in event.attendees] == [f"mailto:{bob.email}"]
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == first_sequence + 1
    assert str(event["ORGANIZER"]) == f"mailto:{recruiter.email}"

    for remaining in (alice.email, candidate.email):
        calendar = parse(fresh[remaining].attachments[0])
        event = event_of(calendar)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == uid
        assert int(event["SEQUENCE"]) == first_sequence + 1
        assert {str(a) for a in event.get("ATTENDEE")} == {
            f"mailto:{alice.email}",
            f"mailto:{candidate.email}",
        }


def test_interview_in_the_repeated_hour_is_sent_in_utc_and_says_which_0230(setting):
    """Europe/Berlin's clocks go back at 01:00 UTC on the last Sunday of October: 02:30 happens twice."""
    recruiter, alice, application = setting["recruiter"], setting["alice"], setting["application"]
    last_day = date(datetime.now(UTC).year + 1, 10, 31)
    last_sunday = last_day - timedelta(days=(last_day.weekday() - 6) % 7)
    second_0230 = datetime.combine(last_sunday, time(1, 30), tzinfo=UTC)
    interview = schedule(recruiter, application, [alice], starts_at=second_0230)
    (message,) = [m for m in invites_of(interview) if m.to_email == alice.email]
    assert "02:30 (Europe/Berlin, UTC+01:00), 60 minutes" in message.body
    ics = message.attachments[0]["content"]
    assert f"\r\nDTSTART:{second_0230:%Y%m%dT%H%M%S}Z\r\n" in ics
    event = event_of(parse(message.attachments[0]))
    assert event.decoded("DTSTART") == second_0230
    assert vobject.readOne(ics).vevent.dtstart.value == second_0230


def test_cancel_sends_method_cancel_and_refuses_twice(setting):
    recruiter, alice, application = setting["recruiter"], setting["alice"], setting["application"]
    interview = schedule(recruiter, application, [alice])
    before = {m.id for m in invites_of(interview)}
    services.cancel_interview(recruiter, interview, "Candidate withdrew")
    assert interview.status == InterviewStatus.CANCELLED
    fresh = [m for m in invites_of(interview) if m.id not in before]
    assert len(fresh) == 2
    for message in fresh:
        calendar = parse(message.attachments[0])
        assert str(calendar["METHOD"]) == "CANCEL"
        assert int(event_of(calendar)["SEQUENCE"]) == 1
        assert message.subject == "Cancelled: Interview: Technical interview"
    download = Calendar.from_ical(services.ics_for(interview))
    assert str(download["METHOD"]) == "CANCEL"
    with pytest.raises(Conflict):
        services.cancel_interview(recruiter, interview)
    with pytest.raises(Conflict):
        services.reschedule_interview(
            recruiter, interview, starts_at=next_year_at(), timezone=BERLIN, duration_minutes=30
        )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 481}, "duration_minutes"),
        ({"interviewer_ids": []}, "interviewer_ids"),
        ({"interviewer_ids": [2**31 - 1]}, "interviewer_ids"),
        ({"starts_at": datetime(2031, 1, 1, 10, 0)}, "starts_at"),
        ({"starts_at": datetime(1970, 1, 1, 10, 0, tzinfo=UTC)}, "starts_at"),
        ({"title": "  "}, "title"),
        ({"title": "Line\nbreak"}, "title"),
        ({"video_url": "javascript:alert(1)"}, "video_url"),
    ],
)
def test_schedule_refuses_bad_input(setting, overrides, field):
    with pytest.raises(ValidationFailed) as error:
        schedule(setting["recruiter"], setting["application"], [setting["alice"]], **overrides)
    assert field in error.value.details
    assert db.session.execute(select(Interview)).first() is None


def test_schedule_refuses_an_inactive_interviewer_and_a_plan_item_of_another_opening(setting):
    recruiter, alice, application = setting["recruiter"], setting["alice"], setting["application"]
    retired = UserFactory(role=Role.INTERVIEWER, active=False)
    with pytest.raises(ValidationFailed) as error:
        schedule(recruiter, application, [alice, retired])
    assert "interviewer_ids" in error.value.details
    other = OpeningFactory()
    foreign = services.add_plan_item(
        recruiter, other, stage_id=other.stages[1].id, title="Other", duration_minutes=30
    )
    with pytest.raises(ValidationFailed) as error:
        schedule(recruiter, application, [alice], plan_item_id=foreign.id)
    assert "plan_item_id" in error.value.details


def test_only_people_who_may_change_the_application_schedule(setting):
    application, alice = setting["application"], setting["alice"]
    outsider = UserFactory(role=Role.HIRING_MANAGER)
    with pytest.raises(PermissionDenied):
        schedule(outsider, application, [alice])
    with pytest.raises(PermissionDenied):
        schedule(alice, application, [alice])


def test_my_interviews_splits_upcoming_and_past(setting):
    recruiter, alice, bob, application = (setting[k] for k in ("recruiter", "alice", "bob", "application"))
    upcoming = schedule(recruiter, application, [alice])
    past = schedule(recruiter, application, [alice, bob], title="Screening call")
    past.starts_at = datetime.now(UTC) - timedelta(days=2)
    db.session.commit()
    mine = services.my_interviews(alice)
    assert [i.id for i in mine.upcoming] == [upcoming.id]
    assert [i.id for i in mine.past] == [past.id]
    assert services.my_interviews(recruiter).upcoming == []
