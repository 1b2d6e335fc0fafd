"""Interview pages: plan, scheduling, the interview page, invites, "My interviews" and who sees what."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select

from hirewise.auth.models import Role, User
from hirewise.candidates.models import Application, Document
from hirewise.extensions import db
from hirewise.interviews.models import Interview, InterviewPlanItem, InterviewStatus
from hirewise.mail.models import OutboxMessage
from tests.conftest import sql_count
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_interview_services import add_questions, schedule

XSS = "<script>alert(1)</script>"


def _form(application: Application, interviewers: list[User], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "plan_item_id": "0",
        "title": "Technical interview",
        "starts_at": f"{datetime.now(UTC).year + 1}-03-10T10:00",
        "timezone": "Europe/Berlin",
        "duration_minutes": "60",
        "interviewer_ids": [str(u.id) for u in interviewers],
        "location": "Room 4",
        "video_url": "",
        "instructions": "Ask about blueprints.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def booked() -> dict[str, Any]:
    """An application with one interview, its interviewer, a team hiring manager and an outsider."""
    manager = UserFactory(role=Role.HIRING_MANAGER)
    opening = OpeningFactory(team=[manager])
    add_questions(opening)
    application = ApplicationFactory(opening=opening)
    recruiter = UserFactory(role=Role.RECRUITER)
    assigned = UserFactory(role=Role.INTERVIEWER)
    interview = schedule(recruiter, application, [assigned])
    interview.question_ids = [q.id for q in opening.questions]
    db.session.commit()
    other_application = ApplicationFactory(opening=opening)
    return {
        "manager": manager,
        "opening": opening,
        "application": application,
        "other_application": other_application,
        "recruiter": recruiter,
        "assigned": assigned,
        "interview": interview,
    }


def test_recruiter_schedules_from_the_form_and_invites_land_in_the_outbox(client, auth):
    recruiter = auth.login(Role.RECRUITER)
    application = ApplicationFactory()
    alice = UserFactory(role=Role.INTERVIEWER)
    page = client.get(f"/applications/{application.id}/interviews/new")
    assert page.status_code == 200
    assert "Europe/Berlin" in page.get_data(as_text=True)
    response = client.post(f"/applications/{application.id}/interviews/new", data=_form(application, [alice]))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    interview = db.session.execute(
        select(Interview).where(Interview.application_id == application.id)
    ).scalar_one()
    assert response.headers["Location"].endswith(f"/interviews/{interview.id}")
    assert interview.starts_at == datetime(datetime.now(UTC).year + 1, 3, 10, 9, 0, tzinfo=UTC)
    assert interview.organizer_id == recruiter.id
    messages = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.application_id == application.id)
    ).scalars()
    assert sorted(m.to_email for m in messages) == sorted([alice.email, application.candidate.email])
    detail = client.get(f"/applications/{application.id}")
    assert "Technical interview" in detail.get_data(as_text=True)
    assert "Schedule an interview" in detail.get_data(as_text=True)


def test_schedule_form_shows_errors_without_a_500(client, auth):
    auth.login(Role.RECRUITER)
    application = ApplicationFactory()
    response = client.post(
        f"/applications/{application.id}/interviews/new",
        data=_form(application, [], duration_minutes="5", timezone="Mars/Base"),
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Not a valid choice" in text or "not a known" in text
    response = client.post(
        f"/applications/{application.id}/interviews/new", data=_form(application, [], duration_minutes="5")
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Choose at least one interviewer." in text
    assert db.session.execute(select(Interview)).first() is None


def test_plan_page_generates_defaults_and_adds_edits_removes(client, auth):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    add_questions(opening)
    assert client.get(f"/openings/{opening.id}/interview-plan").status_code == 200
    assert client.post(f"/openings/{opening.id}/interview-plan/defaults").status_code == 302
    client.post(f"/openings/{opening.id}/interview-plan/defaults")
    page = client.get(f"/openings/{opening.id}/interview-plan").get_data(as_text=True)
    assert "Screening call" in page and "Technical interview" in page
    items = list(
        db.session.execute(
            select(InterviewPlanItem).where(InterviewPlanItem.opening_id == opening.id)
        ).scalars()
    )
    assert len(items) == 2
    response = client.post(
        f"/openings/{opening.id}/interview-plan",
        data={"title": XSS, "stage_id": opening.stages[3].id, "duration_minutes": "45"},
    )
    assert response.status_code == 302
    page = client.get(f"/openings/{opening.id}/interview-plan").get_data(as_text=True)
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    bad = client.post(
        f"/openings/{opening.id}/interview-plan",
        data={"title": "Too short", "stage_id": opening.stages[3].id, "duration_minutes": "5"},
    )
    assert bad.status_code == 422
    first = items[0]
    client.post(
        f"/openings/{opening.id}/interview-plan/{first.id}",
        data={
            f"item{first.id}-title": "Phone screen",
            f"item{first.id}-stage_id": first.stage_id,
            f"item{first.id}-duration_minutes": "20",
        },
    )
    db.session.expire_all()
    assert (db.session.get(InterviewPlanItem, first.id).title, first.duration_minutes) == ("Phone screen", 20)
    client.post(f"/openings/{opening.id}/interview-plan/{first.id}/remove")
    db.session.expire_all()
    assert db.session.get(InterviewPlanItem, first.id) is None


def test_detail_shows_the_kit_and_both_times_and_escapes_user_text(client, auth, booked):
    interview = booked["interview"]
    interview.title = XSS
    interview.instructions = XSS
    db.session.commit()
    auth.login(booked["assigned"])
    response = client.get(f"/interviews/{interview.id}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert XSS not in text and text.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2
    assert "Europe/Berlin" in text and "09:00 UTC" in text
    assert "How do Flask blueprints work?" in text
    assert "Blueprints group routes" in text and "register_blueprint with a url_prefix" in text
    assert "Reschedule" not in text and "Cancel the interview" not in text


def test_ics_download_parses_back(client, auth, booked):
    auth.login(booked["recruiter"])
    interview = booked["interview"]
    response = client.get(f"/interviews/{interview.id}/invite.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == interview.calendar_uid


def test_reschedule_and_cancel_through_the_page(client, auth, booked):
    auth.login(booked["manager"])
    interview = booked["interview"]
    response = client.post(
        f"/interviews/{interview.id}/reschedule",
        data={
            "starts_at": f"{datetime.now(UTC).year + 1}-04-01T14:30",
            "timezone": "UTC",
            "duration_minutes": "30",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Interview, interview.id)
    assert moved.calendar_sequence == 1 and moved.timezone == "UTC" and moved.duration_minutes == 30
    bad = client.post(
        f"/interviews/{interview.id}/reschedule",
        data={"starts_at": "1970-01-01T10:00", "timezone": "UTC", "duration_minutes": "30"},
    )
    assert bad.status_code == 422 and "must start in the future" in bad.get_data(as_text=True)
    assert client.post(f"/interviews/{interview.id}/cancel", data={"reason": "Withdrew"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Interview, interview.id).status == InterviewStatus.CANCELLED
    again = client.post(f"/interviews/{interview.id}/cancel", data={}, follow_redirects=True)
    assert "already cancelled" in again.get_data(as_text=True)


ROLE_CASES = [
    # (who, application page, other application, interview page, schedule page, reschedule POST)
    ("admin", 200, 200, 200, 200, 302),
    ("recruiter", 200, 200, 200, 200, 302),
    ("manager_on_team", 200, 200, 200, 200, 302),
    ("manager_off_team", 403, 403, 403, 403, 403),
    ("assigned", 200, 403, 200, 403, 403),
    ("other_interviewer", 403, 403, 403, 403, 403),
]


def _who(who: str, booked: dict[str, Any]) -> User:
    if who == "manager_on_team":
        return booked["manager"]
    if who == "assigned":
        return booked["assigned"]
    role = {
        "admin": Role.ADMIN,
        "recruiter": Role.RECRUITER,
        "manager_off_team": Role.HIRING_MANAGER,
        "other_interviewer": Role.INTERVIEWER,
    }[who]
    return UserFactory(role=role)


@pytest.mark.parametrize(
    ("who", "app_page", "other_app", "interview_page", "schedule_page", "resched"), ROLE_CASES
)
def test_permission_matrix(
    client, auth, booked, who, app_page, other_app, interview_page, schedule_page, resched
):
    auth.login(_who(who, booked))
    application, interview = booked["application"], booked["interview"]
    assert client.get(f"/applications/{application.id}").status_code == app_page
    assert client.get(f"/applications/{booked['other_application'].id}").status_code == other_app
    assert client.get(f"/interviews/{interview.id}").status_code == interview_page
    assert client.get(f"/interviews/{interview.id}/invite.ics").status_code == interview_page
    assert client.get(f"/applications/{application.id}/interviews/new").status_code == schedule_page
    when = {
        "starts_at": f"{datetime.now(UTC).year + 1}-05-01T09:00",
        "timezone": "UTC",
        "duration_minutes": "45",
    }
    assert client.post(f"/interviews/{interview.id}/reschedule", data=when).status_code == resched
    assert client.get("/interviews/mine").status_code == 200


def test_anonymous_is_sent_to_login(client, booked):
    for url in (
        f"/interviews/{booked['interview'].id}",
        "/interviews/mine",
        f"/openings/{booked['opening'].id}/interview-plan",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_assigned_interviewer_sees_the_application_without_change_actions(client, auth, booked):
    auth.login(booked["assigned"])
    application = booked["application"]
    text = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert application.candidate.full_name in text
    assert "Move</button>" not in text and "Reject…" not in text and "Add note" not in text
    assert "Schedule an interview" not in text
    assert f"/openings/{application.opening_id}/board" not in text
    data = b"%PDF-1.4 resume"
    db.session.add(
        Document(
            application_id=application.id,
            filename="cv.pdf",
            content_type="application/pdf",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
        )
    )
    db.session.commit()
    resume = client.get(f"/applications/{application.id}/resume")
    assert resume.status_code == 200 and resume.data == data
    other = booked["other_application"]
    assert client.get(f"/applications/{other.id}/resume").status_code == 403
    assert client.get(f"/candidates/{application.candidate_id}").status_code == 200
    assert client.get(f"/candidates/{other.candidate_id}").status_code == 403
    for url in (
        f"/openings/{application.opening_id}",
        f"/openings/{application.opening_id}/board",
        f"/openings/{application.opening_id}/interview-plan",
        "/kits",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/interviews/{booked['interview'].id}/cancel").status_code == 403


def test_cancelling_ends_the_assignment(client, auth, booked):
    interview = booked["interview"]
    interview.status = InterviewStatus.CANCELLED
    db.session.commit()
    auth.login(booked["assigned"])
    assert client.get(f"/applications/{booked['application'].id}").status_code == 403
    assert client.get(f"/interviews/{interview.id}").status_code == 200


def _book_many(interviewer: User, count: int) -> None:
    recruiter = UserFactory(role=Role.RECRUITER)
    for number in range(count):
        application = ApplicationFactory()
        interview = schedule(recruiter, application, [interviewer, recruiter], title=f"Interview {number}")
        if number % 2:
            interview.starts_at = datetime.now(UTC) - timedelta(days=number)
    db.session.commit()


def test_my_interviews_query_count_does_not_grow(app, client, auth):
    two, ten = UserFactory(role=Role.INTERVIEWER), UserFactory(role=Role.INTERVIEWER)
    _book_many(two, 2)
    _book_many(ten, 10)
    counts = []
    for user, expected in ((two, 2), (ten, 10)):
        auth.login(user)
        with sql_count(app) as statements:
            response = client.get("/interviews/mine")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("/interviews/") >= expected
        counts.append(len(statements))
        auth.logout()
    assert counts[0] == counts[1], counts


def test_upcoming_and_past_appear_on_my_interviews(client, auth, booked):
    auth.login(booked["assigned"])
    text = client.get("/interviews/mine").get_data(as_text=True)
    assert "My interviews" in text and booked["application"].candidate.full_name in text
    assert "No past interviews." in text


def test_xss_in_instructions_is_escaped_in_the_application_card(client, auth, booked):
    booked["interview"].title = XSS
    db.session.commit()
    auth.login(booked["recruiter"])
    text = client.get(f"/applications/{booked['application'].id}").get_data(as_text=True)
    assert XSS not in text and "&lt;script&gt;" in text
