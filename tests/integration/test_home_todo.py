"""The signed-in home is a to-do list per role, showing only what security.py lets the user see."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hirewise.assessments.models import Assessment, AssessmentAttempt, AssessmentInvitation, AttemptStatus
from hirewise.auth.models import Role, User
from hirewise.auth.services import create_api_token
from hirewise.candidates.models import Application
from hirewise.db import utcnow
from hirewise.decisions.services import record_decision
from hirewise.extensions import db
from hirewise.home import services as home
from hirewise.interviews.models import Interview
from tests.conftest import sql_count
from tests.factories import ApplicationFactory, CandidateFactory, UserFactory
from tests.integration.test_feedback_services import Setup, build_setup, submitted


@pytest.fixture
def setup() -> Setup:
    return build_setup()


def move_to_the_past(interview: Interview, hours_ago: float) -> None:
    interview.starts_at = utcnow() - timedelta(hours=hours_ago)
    db.session.commit()


def bearer(user: User) -> dict[str, str]:
    _, raw = create_api_token(user, "todo", "read")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def submitted_attempt(application: Application) -> AssessmentAttempt:
    assessment = Assessment(opening_id=application.opening_id, title="Flask screening")
    invitation = AssessmentInvitation(
        assessment=assessment,
        application=application,
        token_hash=f"hash-{application.id}",
        expires_at=utcnow() + timedelta(days=7),
    )
    now = utcnow()
    attempt = AssessmentAttempt(
        invitation=invitation,
        status=AttemptStatus.SUBMITTED,
        started_at=now - timedelta(minutes=20),
        deadline_at=now + timedelta(minutes=10),
        submitted_at=now,
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt


# --- interviewers -------------------------------------------------------------------------------


def test_an_interviewer_sees_the_interview_booked_with_them_and_another_does_not(client, auth, setup):
    candidate = setup.application.candidate.full_name
    auth.login(setup.first)
    page = client.get("/").get_data(as_text=True)
    assert "No assigned applications yet" not in page
    assert setup.first_interview.title in page and candidate in page
    assert f"/interviews/{setup.first_interview.id}" in page
    assert f'/interviews/{setup.second_interview.id}"' not in page

    auth.logout()
    auth.login(Role.INTERVIEWER)
    page = client.get("/").get_data(as_text=True)
    assert candidate not in page
    assert "Nothing on your list" in page


def test_feedback_due_until_it_is_submitted(setup):
    move_to_the_past(setup.first_interview, hours_ago=3)
    todo = home.todo_for(setup.first)
    assert [i.id for i in todo.feedback_due] == [setup.first_interview.id]
    assert todo.upcoming_interviews == []
    assert home.todo_for(setup.second).feedback_due == []

    submitted(setup.first, setup.first_interview)
    assert home.todo_for(setup.first).feedback_due == []


def test_an_interview_still_running_is_not_yet_feedback_due(setup):
    move_to_the_past(setup.first_interview, hours_ago=0.5)  # a 60-minute interview
    todo = home.todo_for(setup.first)
    assert todo.feedback_due == []
    assert [i.id for i in todo.upcoming_interviews] == [setup.first_interview.id]


def test_a_cancelled_interview_leaves_the_list(setup):
    from hirewise.interviews.services import cancel_interview

    cancel_interview(setup.recruiter, setup.first_interview)
    assert home.todo_for(setup.first).upcoming_interviews == []


# --- recruiters ---------------------------------------------------------------------------------


def test_a_recruiter_sees_new_applications_todays_interviews_and_overdue_feedback(app, setup):
    recruiter = setup.recruiter
    fresh = ApplicationFactory(opening=setup.opening)
    todo = home.todo_for(recruiter)
    assert fresh.id in [a.id for a in todo.new_applications]
    assert todo.todays_interviews == [] and todo.overdue_feedback == []

    # An interview earlier today, and one two days ago whose feedback is overdue.
    now = utcnow()
    setup.first_interview.starts_at = now.replace(hour=0, minute=5, second=0, microsecond=0)
    db.session.commit()
    move_to_the_past(setup.second_interview, hours_ago=48)
    todo = home.todo_for(recruiter, now=now.replace(hour=23, minute=0))
    assert [i.id for i in todo.todays_interviews] == [setup.first_interview.id]
    assert [row.interview.id for row in todo.overdue_feedback] == [setup.second_interview.id]
    assert [person.id for person in todo.overdue_feedback[0].missing] == [setup.second.id]

    submitted(setup.second, setup.second_interview)
    assert home.todo_for(recruiter).overdue_feedback == []


def test_a_moved_or_old_application_is_no_longer_new(setup):
    from hirewise.candidates.services import move_application

    fresh = ApplicationFactory(opening=setup.opening)
    old = ApplicationFactory(opening=setup.opening, applied_at=utcnow() - timedelta(days=8))
    moved = ApplicationFactory(opening=setup.opening)
    move_application(setup.recruiter, moved, setup.opening.stages[1].id, "Screened.", confirm_gate=True)
    ids = [a.id for a in home.todo_for(setup.recruiter).new_applications]
    assert fresh.id in ids
    assert old.id not in ids and moved.id not in ids


def test_submitted_assessments_await_review_until_the_application_moves(setup):
    from hirewise.candidates.services import move_application

    attempt = submitted_attempt(setup.application)
    assert [a.id for a in home.todo_for(setup.recruiter).assessments_to_review] == [attempt.id]
    # Interviewers never review assessments, even on the application's panel.
    assert home.todo_for(setup.first).assessments_to_review == []
    move_application(setup.recruiter, setup.application, setup.opening.stages[2].id, "")
    assert home.todo_for(setup.recruiter).assessments_to_review == []


def test_interviewers_get_no_recruiter_or_manager_sections(setup):
    move_to_the_past(setup.first_interview, hours_ago=48)
    todo = home.todo_for(setup.first)
    assert todo.new_applications == [] and todo.todays_interviews == []
    assert todo.overdue_feedback == [] and todo.debriefs == []
    assert not todo.shows_recruiter_sections and not todo.shows_debriefs


# --- hiring managers ----------------------------------------------------------------------------


def test_a_debrief_awaits_a_decision_once_all_feedback_is_in(client, auth, setup):
    move_to_the_past(setup.first_interview, hours_ago=5)
    move_to_the_past(setup.second_interview, hours_ago=5)
    submitted(setup.first, setup.first_interview)
    assert home.todo_for(setup.manager).debriefs == []  # one interviewer still to submit

    submitted(setup.second, setup.second_interview)
    assert [a.id for a in home.todo_for(setup.manager).debriefs] == [setup.application.id]
    assert home.todo_for(UserFactory(role=Role.HIRING_MANAGER)).debriefs == []  # not on the team
    assert home.todo_for(setup.first).debriefs == []

    auth.login(setup.manager)
    page = client.get("/").get_data(as_text=True)
    assert "Debriefs awaiting a decision" in page
    assert f"/applications/{setup.application.id}/debrief" in page

    record_decision(
        setup.manager, setup.application, kind="advance", reason="Strong on Flask.",
        to_stage_id=setup.opening.stages[4].id,
    )  # fmt: skip
    assert home.todo_for(setup.manager).debriefs == []


def test_a_hiring_manager_on_a_panel_sees_their_interview_but_not_the_teams_lists(setup):
    other_manager = UserFactory(role=Role.HIRING_MANAGER)
    from tests.integration.test_interview_services import schedule

    interview = schedule(setup.recruiter, setup.application, [other_manager])
    todo = home.todo_for(other_manager)
    assert [i.id for i in todo.upcoming_interviews] == [interview.id]
    assert todo.debriefs == [] and todo.new_applications == []


# --- bounded and eager ----------------------------------------------------------------------------


def test_the_lists_are_bounded_and_take_a_fixed_number_of_queries(app, setup):
    from tests.integration.test_interview_services import schedule

    recruiter = setup.recruiter
    for _ in range(3):
        application = ApplicationFactory(opening=setup.opening, candidate=CandidateFactory())
        schedule(recruiter, application, [setup.first])
    db.session.expire_all()
    with sql_count(app) as few:
        small = home.todo_for(setup.first)
        for interview in small.upcoming_interviews:
            _ = (interview.application.candidate.full_name, interview.application.opening.title)
    for _ in range(home.LIMIT + 2):
        application = ApplicationFactory(opening=setup.opening, candidate=CandidateFactory())
        schedule(recruiter, application, [setup.first])
    db.session.expire_all()
    with sql_count(app) as many:
        todo = home.todo_for(setup.first)
        for interview in todo.upcoming_interviews:
            _ = (interview.application.candidate.full_name, interview.application.opening.title)
    assert len(todo.upcoming_interviews) == home.LIMIT and todo.more["upcoming_interviews"]
    assert len(many) == len(few)


# --- API ------------------------------------------------------------------------------------------


def test_the_api_returns_the_same_lists(client, setup):
    response = client.get("/api/v1/me/todo", headers=bearer(setup.first))
    assert response.status_code == 200
    body = response.get_json()
    assert [i["id"] for i in body["upcoming_interviews"]] == [setup.first_interview.id]
    assert body["upcoming_interviews"][0]["candidate"]["full_name"] == setup.application.candidate.full_name
    assert body["feedback_due"] == [] and body["debriefs"] == [] and body["new_applications"] == []

    outsider = UserFactory(role=Role.INTERVIEWER)
    body = client.get("/api/v1/me/todo", headers=bearer(outsider)).get_json()
    assert body["upcoming_interviews"] == []

    fresh = ApplicationFactory(opening=setup.opening)
    body = client.get("/api/v1/me/todo", headers=bearer(setup.recruiter)).get_json()
    assert fresh.id in [a["id"] for a in body["new_applications"]]


def test_the_api_needs_a_token(client):
    assert client.get("/api/v1/me/todo").status_code == 401
