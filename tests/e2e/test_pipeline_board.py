"""The pipeline board in real Chromium: drag a card, reject with a reason, cancel and revert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hirewise.auth.models import Role
from hirewise.candidates.models import Application
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.interviews import services as interview_services
from hirewise.interviews.models import Interview, InterviewStatus
from hirewise.mail.models import OutboxMessage
from tests.factories import PASSWORD, ApplicationFactory, OpeningFactory, UserFactory, without_must_haves

pytestmark = pytest.mark.e2e


@pytest.fixture
def pipeline(live_server):
    with live_server.app.app_context():
        recruiter = UserFactory(role=Role.RECRUITER)
        opening = without_must_haves(OpeningFactory())
        application = ApplicationFactory(opening=opening)
        stages = {stage.name: stage.id for stage in opening.stages}
        data = {"email": recruiter.email, "opening_id": opening.id, "application_id": application.id}
        db.session.remove()
    return {**data, "stages": stages}


@pytest.fixture
def held(live_server):
    """An application whose must-have gate is incomplete (nobody rated "Flask core" yet)."""
    with live_server.app.app_context():
        recruiter = UserFactory(role=Role.RECRUITER)
        opening = OpeningFactory()
        application = ApplicationFactory(opening=opening)
        stages = {stage.name: stage.id for stage in opening.stages}
        data = {"email": recruiter.email, "opening_id": opening.id, "application_id": application.id}
        db.session.remove()
    return {**data, "stages": stages}


def stage_of(live_server, application_id: int) -> tuple[int, str]:
    with live_server.app.app_context():
        application = db.session.get(Application, application_id)
        result = (application.stage_id, application.rejection_reason)
        db.session.remove()
    return result


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def column(page, stage_id: int):
    return page.locator(f'ul.board-cards[data-stage-id="{stage_id}"]')


def drag(page, from_stage: int, to_stage: int) -> None:
    """Grab the first card of a column by its body (not its link) and drop it on another column."""
    # SortableJS ignores a press on a card still in its 150 ms drop animation (a person is never
    # that fast, a test is). Polled from Python: the page's CSP forbids wait_for_function's eval.
    settled = "Array.from(document.querySelectorAll('.board-card')).every(c => !c.animated)"
    for _ in range(50):
        if page.evaluate(settled):
            break
        page.wait_for_timeout(20)
    handle = column(page, from_stage).locator(".board-card > .muted").first
    handle.drag_to(column(page, to_stage), steps=8)


def test_drag_to_another_stage_and_to_rejected_with_a_reason(page, live_server, pipeline):
    sign_in(page, live_server, pipeline["email"])
    page.goto(f"{live_server.url}/openings/{pipeline['opening_id']}/board")
    stages = pipeline["stages"]
    drag(page, stages["Applied"], stages["Screen"])
    page.wait_for_selector("#board-status:has-text('moved to Screen')")
    assert stage_of(live_server, pipeline["application_id"])[0] == stages["Screen"]
    assert page.locator(f'[data-count-for="{stages["Screen"]}"]').inner_text() == "1"
    assert page.locator(f'[data-count-for="{stages["Applied"]}"]').inner_text() == "0"

    # Cancelling the reason dialog puts the card back where it was.
    drag(page, stages["Screen"], stages["Rejected"])
    page.wait_for_selector("#reject-dialog[open]")
    page.click("#reject-dialog button[value=cancel]")
    page.wait_for_selector("#board-status:has-text('Move cancelled')")
    assert column(page, stages["Screen"]).locator(".board-card").count() == 1
    assert stage_of(live_server, pipeline["application_id"])[0] == stages["Screen"]

    drag(page, stages["Screen"], stages["Rejected"])
    page.wait_for_selector("#reject-dialog[open]")
    page.select_option("#dialog-reason-choice", "Opening filled")
    page.fill("#dialog-reason", "internal hire")
    page.click("#reject-dialog button[value=confirm]")
    page.wait_for_selector("#board-status:has-text('moved to Rejected')")
    stage_id, reason = stage_of(live_server, pipeline["application_id"])
    assert stage_id == stages["Rejected"]
    assert reason == "Opening filled: internal hire"


def test_a_refused_move_reverts_the_card(page, live_server, pipeline):
    sign_in(page, live_server, pipeline["email"])
    page.goto(f"{live_server.url}/openings/{pipeline['opening_id']}/board")
    stages = pipeline["stages"]
    # A stale CSRF token (an expired session, say) makes the server refuse the move.
    page.evaluate("document.body.setAttribute('hx-headers', JSON.stringify({'X-CSRFToken': 'stale'}))")
    drag(page, stages["Applied"], stages["Offer"])
    page.wait_for_selector("#board-status.error")
    assert column(page, stages["Applied"]).locator(".board-card").count() == 1
    assert column(page, stages["Offer"]).locator(".board-card").count() == 0
    assert stage_of(live_server, pipeline["application_id"])[0] == stages["Applied"]


def test_advancing_past_the_gate_asks_for_a_confirmation_and_a_reason(page, live_server, held):
    sign_in(page, live_server, held["email"])
    board = f"{live_server.url}/openings/{held['opening_id']}/board"
    page.goto(board)
    stages = held["stages"]
    drag(page, stages["Applied"], stages["Offer"])
    page.wait_for_url("**/advance?**")
    assert "no evidence yet for Flask core" in page.locator("main").inner_text()
    assert stage_of(live_server, held["application_id"])[0] == stages["Applied"]

    page.get_by_role("button", name="Advance").click()  # not confirmed: refused, nothing lost
    page.get_by_label("Why advance anyway?").fill("Referred by the CTO")
    page.get_by_role("checkbox", name="Advance anyway").check()
    page.get_by_role("button", name="Advance").click()
    page.wait_for_url(board)
    assert column(page, stages["Offer"]).locator(".board-card").count() == 1
    with live_server.app.app_context():
        application = db.session.get(Application, held["application_id"])
        assert application.stage_moves[-1].reason == "Referred by the CTO"
        db.session.remove()


@pytest.fixture
def booked(live_server):
    """An application with an interview next week: rejecting it cancels the interview."""
    with live_server.app.test_request_context(base_url=live_server.url):
        recruiter = UserFactory(role=Role.RECRUITER)
        interviewer = UserFactory(role=Role.INTERVIEWER, full_name="Ivo Interviewer")
        opening = without_must_haves(OpeningFactory())
        application = ApplicationFactory(opening=opening)
        interview = interview_services.schedule_interview(
            recruiter, application, title="Technical interview", starts_at=utcnow() + timedelta(days=7),
            timezone="Europe/Berlin", duration_minutes=60, interviewer_ids=[interviewer.id],
        )  # fmt: skip
        data = {
            "email": recruiter.email, "opening_id": opening.id, "application_id": application.id,
            "interview_id": interview.id, "interviewer_email": interviewer.email,
            "stages": {stage.name: stage.id for stage in opening.stages},
        }  # fmt: skip
        db.session.remove()
    return data


def test_the_reject_dialog_says_which_interviews_it_cancels_before_confirming(page, live_server, booked):
    sign_in(page, live_server, booked["email"])
    page.goto(f"{live_server.url}/openings/{booked['opening_id']}/board")
    stages = booked["stages"]
    # Scheduling the interview moved the card to Interview (the opening's stage automation).
    drag(page, stages["Interview"], stages["Rejected"])
    page.wait_for_selector("#reject-dialog[open]")
    told = page.locator("#reject-dialog-follow-through").inner_text()
    assert "1 scheduled interview will be cancelled and its attendees notified" in told
    assert "Technical interview" in told and "Ivo Interviewer" in told
    with live_server.app.app_context():  # nothing happened yet
        assert db.session.get(Interview, booked["interview_id"]).status == InterviewStatus.SCHEDULED
        db.session.remove()

    page.select_option("#dialog-reason-choice", "Opening filled")
    page.click("#reject-dialog button[value=confirm]")
    page.wait_for_selector("#board-status:has-text('moved to Rejected')")
    assert (
        "1 scheduled interview cancelled and its attendees notified"
        in page.locator("#board-status").inner_text()
    )
    with live_server.app.app_context():
        assert db.session.get(Interview, booked["interview_id"]).status == InterviewStatus.CANCELLED
        to_interviewer = (
            db.session.execute(
                select(OutboxMessage.subject).where(OutboxMessage.to_email == booked["interviewer_email"])
            )
            .scalars()
            .all()
        )
        assert "Cancelled: Interview: Technical interview" in to_interviewer
        db.session.remove()
