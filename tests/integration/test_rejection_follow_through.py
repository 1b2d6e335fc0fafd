"""Rejecting (or withdrawing) an application cancels its scheduled interviews and revokes its open
assessment links, in the same transaction, and says so before and after."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select

from hirewise.assessments import attempts
from hirewise.assessments import services as assessments
from hirewise.assessments.models import AssessmentInvitation, AttemptStatus
from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role
from hirewise.candidates import services
from hirewise.candidates.follow_through import rejection_follow_through
from hirewise.candidates.models import Application
from hirewise.db import utcnow
from hirewise.decisions import services as decisions
from hirewise.errors import ValidationFailed
from hirewise.extensions import db
from hirewise.interviews import services as interviews
from hirewise.interviews.models import Interview, InterviewStatus
from hirewise.mail.models import OutboxMessage
from hirewise.openings.models import StageKind
from tests.assessment_samples import MC
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_assessment_attempts import build_assessment, invite_one
from tests.integration.test_interview_services import next_year_at, schedule

SUMMARY = (
    "2 scheduled interviews will be cancelled and their attendees notified; "
    "1 open assessment link will be revoked"
)


def _cancel_messages(interview: Interview) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(
        OutboxMessage.application_id == interview.application_id,
        OutboxMessage.subject == f"Cancelled: Interview: {interview.title}",
    )
    return list(db.session.execute(stmt).scalars())


def _calendar(message: OutboxMessage) -> Any:
    [attachment] = message.attachments
    calendar = Calendar.from_ical(attachment["content"])
    [event] = calendar.walk("VEVENT")
    return calendar, event


def _audit(action: str, object_type: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.object_type == object_type)
    return list(db.session.execute(stmt).scalars())


def _stage(application: Application, name: str) -> int:
    return next(stage.id for stage in application.opening.stages if stage.name == name)


@pytest.fixture
def world() -> dict[str, Any]:
    """An application with two future interviews, a past one, a cancelled one and an open assessment link."""
    recruiter = UserFactory(role=Role.RECRUITER, full_name="Rita Recruiter")
    alice = UserFactory(role=Role.INTERVIEWER, full_name="Alice Interviewer")
    bob = UserFactory(role=Role.INTERVIEWER, full_name="Bob Interviewer")
    opening = OpeningFactory()
    application = ApplicationFactory(opening=opening)
    technical = schedule(recruiter, application, [alice, bob], title="Technical")
    culture = schedule(recruiter, application, [bob], title="Culture", starts_at=next_year_at(14))
    past = schedule(recruiter, application, [alice], title="Screening call", starts_at=next_year_at(9))
    past.starts_at = utcnow() - timedelta(days=2)
    cancelled = schedule(recruiter, application, [alice], title="Old slot", starts_at=next_year_at(16))
    interviews.cancel_interview(recruiter, cancelled)
    db.session.commit()
    assessment = build_assessment(recruiter, opening, MC)
    issued = invite_one(recruiter, assessment, application)
    return {
        "recruiter": recruiter,
        "alice": alice,
        "bob": bob,
        "application": application,
        "technical": technical,
        "culture": culture,
        "past": past,
        "cancelled": cancelled,
        "assessment": assessment,
        "invitation": issued.invitation,
    }


def test_the_preview_says_what_rejecting_will_do(world):
    preview = rejection_follow_through(world["application"])
    assert [i.title for i in preview.interviews] == ["Technical", "Culture"]
    assert [i.id for i in preview.invitations] == [world["invitation"].id]
    assert preview.summary == SUMMARY
    assert rejection_follow_through(ApplicationFactory()).summary == ""


def test_rejecting_cancels_future_interviews_and_revokes_open_links(world):
    recruiter, application = world["recruiter"], world["application"]
    technical, culture = world["technical"], world["culture"]
    sequences = {technical.id: technical.calendar_sequence, culture.id: culture.calendar_sequence}

    result = services.reject_application(recruiter, application, "Candidate withdrew")

    assert result.application is application and application.stage.kind == StageKind.REJECTED
    assert [i.id for i in result.follow_through.interviews] == [technical.id, culture.id]
    assert [i.id for i in result.follow_through.invitations] == [world["invitation"].id]
    db.session.expire_all()
    for interview in (technical, culture):
        assert interview.status == InterviewStatus.CANCELLED
        assert interview.calendar_sequence == sequences[interview.id] + 1
        messages = _cancel_messages(interview)
        expected = {u.email for u in interview.interviewers} | {application.candidate.email}
        assert {m.to_email for m in messages} == expected, "every attendee gets the cancellation"
        for message in messages:
            calendar, event = _calendar(message)
            assert str(calendar["METHOD"]) == "CANCEL"
            assert str(event["UID"]) == interview.calendar_uid
            assert int(event["SEQUENCE"]) == sequences[interview.id] + 1
            # The rejection reason is the debrief's: interviewers and the candidate are not told it.
            assert "Candidate withdrew" not in message.body
    assert world["past"].status == InterviewStatus.SCHEDULED, "a past interview is history, not cancelled"
    assert len(_cancel_messages(world["cancelled"])) == 2, "an already cancelled interview is left alone"
    invitation = db.session.get(AssessmentInvitation, world["invitation"].id)
    assert invitation is not None and invitation.revoked_at is not None
    assert assessments.invitation_state(invitation) == "revoked"

    cancelled_events = [e for e in _audit("update", "interview") if e.summary.startswith("cancelled")]
    assert {e.object_id for e in cancelled_events} >= {technical.id, culture.id}
    assert [e.object_id for e in _audit("revoke", "assessment_invitation")] == [world["invitation"].id]
    assert len(_audit("reject", "application")) == 1


def test_rejecting_stops_an_attempt_in_progress_and_keeps_a_submitted_one(world):
    recruiter, application = world["recruiter"], world["application"]
    attempt = attempts.start_attempt(world["invitation"])
    services.reject_application(recruiter, application, "Opening filled")
    db.session.expire_all()
    assert attempt.invitation.revoked_at is not None
    with pytest.raises(attempts.AssessmentClosed, match="withdrawn"):
        attempts.submit_attempt(attempt)
    assert attempt.status == AttemptStatus.IN_PROGRESS


def test_a_submitted_assessment_is_not_revoked():
    recruiter = UserFactory(role=Role.RECRUITER)
    assessment = build_assessment(recruiter, OpeningFactory(), MC)
    issued = invite_one(recruiter, assessment)
    attempt = attempts.start_attempt(issued.invitation)
    attempts.submit_attempt(attempt)
    application = issued.invitation.application
    assert rejection_follow_through(application).summary == ""
    result = services.reject_application(recruiter, application, "Opening filled")
    assert result.follow_through.invitations == []
    assert issued.invitation.revoked_at is None


def test_a_failed_follow_through_rolls_the_whole_rejection_back(world):
    recruiter, application = world["recruiter"], world["application"]
    stage_id = application.stage_id
    before = db.session.query(OutboxMessage).count()
    # A title a calendar cannot carry (not possible through the services): the CANCEL cannot be built.
    world["culture"].title = "Culture\x01"
    db.session.commit()
    with pytest.raises(ValidationFailed):
        services.reject_application(recruiter, application, "Opening filled")
    db.session.expire_all()
    assert application.stage_id == stage_id
    assert world["technical"].status == InterviewStatus.SCHEDULED
    assert db.session.get(AssessmentInvitation, world["invitation"].id).revoked_at is None
    assert db.session.query(OutboxMessage).count() == before
    assert _audit("reject", "application") == []


def test_moving_bulk_rejecting_and_deciding_to_reject_follow_through_too(world):
    recruiter, application = world["recruiter"], world["application"]
    services.move_application(recruiter, application, _stage(application, "Rejected"), "Opening filled")
    assert world["technical"].status == InterviewStatus.CANCELLED

    other = ApplicationFactory(opening=application.opening)
    interview = schedule(recruiter, other, [world["alice"]], title="Bulk")
    services.bulk_reject(recruiter, [other.id], "Opening filled")
    assert interview.status == InterviewStatus.CANCELLED

    decided = ApplicationFactory(opening=application.opening)
    interview = schedule(recruiter, decided, [world["alice"]], title="Decided")
    decisions.record_decision(recruiter, decided, kind="reject", reason="Below the bar")
    assert interview.status == InterviewStatus.CANCELLED


# --- pages and API ------------------------------------------------------------------------------


def test_reject_page_says_what_will_happen_before_confirming(client, auth, world):
    application = world["application"]
    auth.login(world["recruiter"])
    page = client.get(f"/applications/{application.id}/reject").get_data(as_text=True)
    assert SUMMARY in page
    assert "Technical" in page and "Culture" in page and "“Screening”" in page  # what is stopped, by name
    assert "Screening call" not in page and "Old slot" not in page
    response = client.post(
        f"/applications/{application.id}/reject",
        data={"reason_choice": "Candidate withdrew", "reason": ""},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "2 scheduled interviews cancelled" in text and "1 open assessment link revoked" in text
    assert world["technical"].status == InterviewStatus.CANCELLED


def test_moving_to_rejected_from_the_application_page_goes_through_the_confirmation(client, auth, world):
    application = world["application"]
    auth.login(world["recruiter"])
    response = client.post(
        f"/applications/{application.id}/move",
        data={"stage_id": _stage(application, "Rejected"), "reason_choice": "Opening filled"},
    )
    assert response.status_code == 302
    assert f"/applications/{application.id}/reject" in response.headers["Location"]
    assert application.stage.kind == StageKind.ACTIVE, "nothing happens before the confirmation"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert SUMMARY in page
    assert '<option selected value="Opening filled">' in page or 'value="Opening filled" selected' in page


def test_the_board_dialog_lists_it_first_and_the_dragged_move_says_what_it_did(client, auth, world):
    application = world["application"]
    auth.login(world["alice"])  # an interviewer may not reject, nor ask what rejecting would stop
    assert client.get(f"/applications/{application.id}/follow-through").status_code == 403
    auth.logout()
    auth.login(world["recruiter"])
    fragment = client.get(f"/applications/{application.id}/follow-through").get_data(as_text=True)
    assert SUMMARY in fragment and "Technical" in fragment and "<html" not in fragment
    assert world["technical"].status == InterviewStatus.SCHEDULED, "asking changes nothing"

    moved = client.post(
        f"/applications/{application.id}/move",
        data={"stage_id": _stage(application, "Rejected"), "reason_choice": "Opening filled"},
        headers={"Accept": "application/json"},
    ).get_json()
    assert moved["ok"] is True and moved["stage"] == "Rejected"
    assert moved["also"] == (
        "2 scheduled interviews cancelled and their attendees notified; 1 open assessment link revoked"
    )
    assert world["technical"].status == InterviewStatus.CANCELLED
    assert client.get(f"/applications/{application.id}/follow-through").get_data(as_text=True).strip() == ""


def test_debrief_warns_what_a_reject_decision_will_cancel(client, auth, world):
    auth.login(world["recruiter"])
    page = client.get(f"/applications/{world['application'].id}/debrief").get_data(as_text=True)
    assert SUMMARY in page


def test_api_reject_says_what_was_cancelled_and_revoked(client, world):
    from hirewise.auth.services import create_api_token

    application = world["application"]
    _, raw = create_api_token(world["recruiter"], "t", "read,write")
    response = client.post(
        f"/api/v1/applications/{application.id}/reject",
        json={"reason": "Opening filled"},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["rejection_reason"] == "Opening filled" and body["stage"]["name"] == "Rejected"
    follow = body["follow_through"]
    assert [i["id"] for i in follow["cancelled_interviews"]] == [world["technical"].id, world["culture"].id]
    assert follow["cancelled_interviews"][0]["title"] == "Technical"
    assert [i["id"] for i in follow["revoked_assessment_invitations"]] == [world["invitation"].id]
    assert follow["revoked_assessment_invitations"][0]["assessment_title"] == world["assessment"].title
    assert follow["summary"] == (
        "2 scheduled interviews cancelled and their attendees notified; 1 open assessment link revoked"
    )


def test_api_bulk_reject_says_what_was_cancelled(client, world):
    from hirewise.auth.services import create_api_token

    application = world["application"]
    quiet = ApplicationFactory(opening=application.opening)
    _, raw = create_api_token(world["recruiter"], "t", "read,write")
    response = client.post(
        "/api/v1/applications/bulk-reject",
        json={"application_ids": [application.id, quiet.id], "reason": "Opening filled"},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["count"] == 2
    follow = body["follow_through"]
    assert len(follow["cancelled_interviews"]) == 2 and len(follow["revoked_assessment_invitations"]) == 1
    assert follow["summary"].startswith("2 scheduled interviews cancelled")
