"""Issue 11 §3: stage automations per opening.

Sending an assessment invitation moves the application to the Assessment stage, scheduling an
interview moves it to the Interview stage: forward only, never out of Hired or Rejected, through the
ordinary stage move (stage history, timeline, audit). Each is on by default and can be turned off
on the opening, which is audit-logged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from hirewise.assessments import services as assessments
from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role, User
from hirewise.candidates.models import Application, StageMove
from hirewise.errors import PermissionDenied
from hirewise.extensions import db
from hirewise.interviews import services as interviews
from hirewise.interviews.models import InterviewPlanItem
from hirewise.openings import automation
from hirewise.openings.models import Opening, Stage
from tests.assessment_samples import MC
from tests.conftest import AuthActions
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_assessment_attempts import build_assessment

ASSESSMENT_REASON = "Automatic: assessment invitation sent"
INTERVIEW_REASON = "Automatic: interview scheduled"


@pytest.fixture
def recruiter() -> User:
    return UserFactory(role=Role.RECRUITER)  # type: ignore[no-any-return]


@pytest.fixture
def opening() -> Opening:
    return OpeningFactory()  # type: ignore[no-any-return]


def stage(opening: Opening, name: str) -> Stage:
    return next(s for s in opening.stages if s.name == name)


def in_stage(opening: Opening, name: str) -> Application:
    return ApplicationFactory(opening=opening, stage=stage(opening, name))  # type: ignore[no-any-return]


def invite(actor: User, opening: Opening, *applications: Application) -> None:
    assessment = build_assessment(actor, opening, MC)
    assessments.invite(actor, assessment, list(applications))


def schedule(actor: User, application: Application, **overrides: Any) -> None:
    starts = datetime(datetime.now(UTC).year + 1, 3, 10, 10, tzinfo=ZoneInfo("Europe/Berlin"))
    interviews.schedule_interview(
        actor,
        application,
        **{
            "title": "Technical interview",
            "starts_at": starts,
            "timezone": "Europe/Berlin",
            "duration_minutes": 60,
            "interviewer_ids": [actor.id],
            **overrides,
        },
    )


def moves(application: Application) -> list[StageMove]:
    stmt = select(StageMove).where(StageMove.application_id == application.id).order_by(StageMove.id)
    return list(db.session.execute(stmt).scalars())


# --- assessment invitations ---------------------------------------------------------------------


@pytest.mark.parametrize("start", ["Applied", "Screen"])
def test_an_invitation_moves_the_application_to_assessment(recruiter, opening, start):
    application = in_stage(opening, start)
    invite(recruiter, opening, application)

    assert application.stage.name == "Assessment"
    last = moves(application)[-1]
    assert (last.to_stage.name, last.reason, last.moved_by_id) == (
        "Assessment",
        ASSESSMENT_REASON,
        recruiter.id,
    )
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "application", AuditEvent.action == "move")
    ).scalar_one()
    assert event.opening_id == opening.id and event.candidate_id == application.candidate_id
    assert ASSESSMENT_REASON in event.summary


@pytest.mark.parametrize("start", ["Assessment", "Interview", "Offer", "Hired", "Rejected"])
def test_an_invitation_never_moves_backward_nor_out_of_a_final_stage(recruiter, opening, start):
    application = in_stage(opening, start)
    invite(recruiter, opening, application)
    assert application.stage.name == start
    assert moves(application) == []


def test_a_bulk_invitation_moves_each_application(recruiter, opening):
    applied, interviewing = in_stage(opening, "Applied"), in_stage(opening, "Interview")
    invite(recruiter, opening, applied, interviewing)
    assert (applied.stage.name, interviewing.stage.name) == ("Assessment", "Interview")


def test_an_invitation_moves_nothing_when_turned_off(recruiter, opening):
    automation.update_automations(recruiter, opening, move_on_assessment_invite=False)
    application = in_stage(opening, "Applied")
    invite(recruiter, opening, application)
    assert application.stage.name == "Applied"


def test_an_opening_without_an_assessment_stage_is_left_alone(recruiter, opening):
    stage(opening, "Assessment").name = "Take-home"
    db.session.commit()
    application = in_stage(opening, "Applied")
    invite(recruiter, opening, application)
    assert application.stage.name == "Applied"


# --- interviews ---------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["Applied", "Screen", "Assessment"])
def test_scheduling_an_interview_moves_the_application_to_interview(recruiter, opening, start):
    application = in_stage(opening, start)
    schedule(recruiter, application)
    assert application.stage.name == "Interview"
    assert moves(application)[-1].reason == INTERVIEW_REASON


@pytest.mark.parametrize("start", ["Interview", "Offer", "Hired", "Rejected"])
def test_scheduling_never_moves_backward_nor_out_of_a_final_stage(recruiter, opening, start):
    application = in_stage(opening, start)
    schedule(recruiter, application)
    assert application.stage.name == start
    assert moves(application) == []


def test_a_screening_call_from_the_plan_moves_only_to_its_own_earlier_stage(recruiter, opening):
    """The plan puts the screening call in Screen: scheduling it must not skip to Interview."""
    [screening, technical] = interviews.default_plan(recruiter, opening)
    assert db.session.get(InterviewPlanItem, screening.id).stage.name == "Screen"
    application = in_stage(opening, "Applied")

    schedule(recruiter, application, title="Screening call", plan_item_id=screening.id)
    assert application.stage.name == "Screen"

    schedule(recruiter, application, title="Technical interview", plan_item_id=technical.id)
    assert application.stage.name == "Interview"


def test_scheduling_moves_nothing_when_turned_off(recruiter, opening):
    automation.update_automations(recruiter, opening, move_on_interview_scheduled=False)
    application = in_stage(opening, "Applied")
    schedule(recruiter, application)
    assert application.stage.name == "Applied"


def test_a_closed_opening_is_left_alone(recruiter, opening):
    application = in_stage(opening, "Applied")
    opening.status = "closed"
    db.session.commit()
    schedule(recruiter, application)
    assert application.stage.name == "Applied"


# --- the settings -------------------------------------------------------------------------------


def test_automations_are_on_for_a_new_opening(opening):
    assert opening.auto_move_on_assessment_invite is True
    assert opening.auto_move_on_interview_scheduled is True


def test_changing_the_automations_is_audit_logged_once(recruiter, opening):
    automation.update_automations(
        recruiter, opening, move_on_assessment_invite=False, move_on_interview_scheduled=True
    )
    automation.update_automations(recruiter, opening, move_on_assessment_invite=False)  # no change

    events = list(
        db.session.execute(
            select(AuditEvent).where(AuditEvent.opening_id == opening.id, AuditEvent.object_type == "opening")
        ).scalars()
    )
    assert len(events) == 1
    assert events[0].before == {"auto_move_on_assessment_invite": True}
    assert events[0].after == {"auto_move_on_assessment_invite": False}
    assert events[0].actor_id == recruiter.id


def test_only_who_may_edit_the_opening_changes_the_automations(opening):
    outsider = UserFactory(role=Role.HIRING_MANAGER)
    with pytest.raises(PermissionDenied):
        automation.update_automations(outsider, opening, move_on_assessment_invite=False)
    assert opening.auto_move_on_assessment_invite is True


def test_the_opening_page_shows_and_saves_the_settings(client: FlaskClient, auth: AuthActions, opening):
    auth.login(Role.RECRUITER)
    page = client.get(f"/openings/{opening.id}/settings").get_data(as_text=True)
    assert "Stage automations" in page
    assert f'action="/openings/{opening.id}/automation"' in page

    response = client.post(f"/openings/{opening.id}/automation", data={"move_on_interview_scheduled": "y"})
    assert response.status_code == 302
    db.session.refresh(opening)
    assert opening.auto_move_on_assessment_invite is False
    assert opening.auto_move_on_interview_scheduled is True
    page = client.get(f"/openings/{opening.id}/settings").get_data(as_text=True)
    assert "Stage automations saved." in page
    assert 'name="move_on_assessment_invite" value="y">' in page
    assert 'name="move_on_interview_scheduled" value="y" checked>' in page


@pytest.mark.parametrize(("role", "expected"), [(Role.HIRING_MANAGER, 403), (Role.INTERVIEWER, 403)])
def test_the_settings_form_refuses_who_may_not_edit(
    client: FlaskClient, auth: AuthActions, opening, role, expected
):
    auth.login(role)
    response = client.post(f"/openings/{opening.id}/automation", data={})
    assert response.status_code == expected
    db.session.refresh(opening)
    assert opening.auto_move_on_assessment_invite is True


def test_a_hiring_manager_on_the_team_gets_the_form(client: FlaskClient, auth: AuthActions):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    opening = OpeningFactory(team=[manager])
    auth.login(manager)
    page = client.get(f"/openings/{opening.id}/settings").get_data(as_text=True)
    assert f'action="/openings/{opening.id}/automation"' in page


def test_an_interviewer_sees_no_settings(client: FlaskClient, auth: AuthActions, opening):
    auth.login(Role.INTERVIEWER)
    assert client.get(f"/openings/{opening.id}/settings").status_code == 403


def test_the_settings_post_needs_csrf(client: FlaskClient, auth: AuthActions, opening, request):
    auth.login(Role.RECRUITER)
    request.getfixturevalue("csrf_enabled")
    response = client.post(f"/openings/{opening.id}/automation", data={})
    assert response.status_code == 400
    db.session.refresh(opening)
    assert opening.auto_move_on_assessment_invite is True
