"""In-app notifications: who is told of what (only those who may see it), the bell, the list, marking
as read, the email preference and the daily digest."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hirewise.assessments.attempts import submit_attempt
from hirewise.assessments.models import Assessment, AssessmentAttempt, AssessmentInvitation, AttemptStatus
from hirewise.auth.models import Role, User
from hirewise.auth.services import create_api_token
from hirewise.candidates.services import add_note, people_to_mention
from hirewise.db import utcnow
from hirewise.decisions.services import record_decision
from hirewise.errors import PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage
from hirewise.notifications import services
from hirewise.notifications.models import Notification, NotificationKind
from hirewise.tasks.notifications import send_notification_digests
from tests.factories import ApplicationFactory, UserFactory
from tests.integration.test_feedback_services import Setup, build_setup, submitted


@pytest.fixture
def setup() -> Setup:
    return build_setup()


def notified(user: User, kind: NotificationKind | None = None) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.execute(stmt).scalars())


def emails_to(user: User) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.to_email == user.email).order_by(OutboxMessage.id)
    return list(db.session.execute(stmt).scalars())


def demoted_team_member(setup: Setup) -> User:
    """A hiring manager made an interviewer while still listed on the team: may see none of it."""
    user = UserFactory(role=Role.HIRING_MANAGER)
    setup.opening.team.append(user)
    user.role = Role.INTERVIEWER
    db.session.commit()
    return user


def open_attempt(setup: Setup) -> AssessmentAttempt:
    assessment = Assessment(opening_id=setup.opening.id, title="Flask screening")
    invitation = AssessmentInvitation(
        assessment=assessment,
        application=setup.application,
        token_hash="hash-notify",
        expires_at=utcnow() + timedelta(days=7),
        invited_by_id=setup.recruiter.id,
    )
    now = utcnow()
    attempt = AssessmentAttempt(
        invitation=invitation,
        status=AttemptStatus.IN_PROGRESS,
        started_at=now,
        deadline_at=now + timedelta(minutes=30),
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt


# --- who is told of what --------------------------------------------------------------------------


def test_submitted_feedback_reaches_the_hiring_team_who_may_read_it(setup):
    demoted = demoted_team_member(setup)
    submitted(setup.first, setup.first_interview)

    [for_manager] = notified(setup.manager, NotificationKind.FEEDBACK_SUBMITTED)
    assert (
        setup.first.full_name in for_manager.text
        and setup.application.candidate.full_name in for_manager.text
    )
    assert for_manager.link == f"/feedback/{for_manager.object_id}"
    assert len(notified(setup.recruiter, NotificationKind.FEEDBACK_SUBMITTED)) == 1  # the organizer
    assert notified(setup.first) == []  # never the author
    assert notified(setup.second) == []  # a fellow interviewer is not the hiring team
    assert notified(demoted) == []  # on the team, but may not read feedback
    # Immediate by default: one email to the manager, not tied to the candidate's history.
    [email] = [m for m in emails_to(setup.manager) if "submitted feedback" in m.subject]
    assert email.candidate_id is None and email.application_id is None
    assert emails_to(demoted) == []


def test_a_decision_reaches_the_team_who_may_see_the_debrief_without_its_reason(setup):
    other_manager = UserFactory(role=Role.HIRING_MANAGER)
    setup.opening.team.append(other_manager)
    db.session.commit()
    demoted = demoted_team_member(setup)
    record_decision(
        setup.manager, setup.application, kind="advance", reason="Secret reasoning.",
        to_stage_id=setup.opening.stages[4].id, confirm_gate=True,
    )  # fmt: skip
    [notification] = notified(other_manager, NotificationKind.DECISION_RECORDED)
    assert "advance" in notification.text and "Secret reasoning" not in notification.text
    assert notified(setup.manager) == []  # the one who decided
    assert notified(demoted) == [] and notified(setup.first) == []


def test_a_submitted_assessment_reaches_recruiters_who_may_review_it(setup):
    demoted = demoted_team_member(setup)
    submit_attempt(open_attempt(setup))
    [notification] = notified(setup.recruiter, NotificationKind.ASSESSMENT_SUBMITTED)
    assert "Flask screening" in notification.text
    assert notified(demoted) == [] and notified(setup.first) == [] and notified(setup.manager) == []


def test_without_a_recruiter_on_the_team_every_recruiter_who_may_review_is_told(setup):
    attempt = open_attempt(setup)
    attempt.invitation.invited_by_id = None
    db.session.commit()
    other_recruiter = UserFactory(role=Role.RECRUITER)
    submit_attempt(attempt)
    assert len(notified(setup.recruiter)) == 1 and len(notified(other_recruiter)) == 1


def test_a_mention_reaches_only_people_who_may_see_the_note(setup):
    outsider = UserFactory(role=Role.HIRING_MANAGER, full_name="Olive Outsider")
    setup.first.full_name = "Ivy Panel"
    db.session.commit()
    add_note(
        setup.recruiter, setup.application.candidate,
        "@Ivy Panel and @Olive Outsider, please look at the cover letter.", setup.application.id,
    )  # fmt: skip
    [mention] = notified(setup.first, NotificationKind.MENTION)
    assert setup.recruiter.full_name in mention.text
    assert mention.link == f"/applications/{setup.application.id}"
    assert notified(outsider) == []

    # A general note is for staff and the hiring team: an interviewer named in it learns nothing.
    add_note(setup.recruiter, setup.application.candidate, "cc @Ivy Panel")
    assert len(notified(setup.first, NotificationKind.MENTION)) == 1


def test_mentions_match_whole_names_or_the_email_name(setup):
    ada = UserFactory(full_name="Ada Lovelace", email="ada.l@example.com")
    UserFactory(full_name="Ada", email="someone@example.com")
    found = services.mentioned_users("Thanks @ada.l and @Ada Lovelace; no@mail.example here")
    assert ada in found
    assert [u.full_name for u in services.mentioned_users("email me at x@ada.l")] == []


def test_the_names_offered_after_an_at_are_exactly_the_people_a_mention_reaches(setup):
    outsider = UserFactory(role=Role.HIRING_MANAGER, full_name="Olive Outsider")
    departed = UserFactory(role=Role.RECRUITER, full_name="Dora Departed")
    departed.active = False
    demoted = demoted_team_member(setup)
    candidate = setup.application.candidate

    on_application = people_to_mention(setup.recruiter, candidate, setup.application.id)
    assert {setup.recruiter, setup.manager, setup.first, setup.second} <= set(on_application)
    assert not {outsider, departed, demoted} & set(on_application)
    # Naming everyone offered, and the outsider, notifies exactly those offered (but the author).
    add_note(
        setup.recruiter, candidate,
        " ".join(f"@{person.full_name}" for person in [*on_application, outsider]),
        setup.application.id,
    )  # fmt: skip
    told = {n.user for n in db.session.execute(select(Notification)).scalars()}
    assert told == set(on_application) - {setup.recruiter}

    general = people_to_mention(setup.recruiter, candidate)
    assert setup.manager in general and setup.recruiter in general
    assert setup.first not in general and setup.second not in general  # interviewers never read general notes


def test_only_who_may_write_the_note_may_ask_whom_to_mention(setup):
    candidate = setup.application.candidate
    with pytest.raises(PermissionDenied):
        people_to_mention(setup.first, candidate, setup.application.id)  # an interviewer writes no notes
    with pytest.raises(PermissionDenied):
        people_to_mention(setup.manager, candidate)  # general notes are the recruiters'
    other = ApplicationFactory()
    with pytest.raises(ValidationFailed):
        people_to_mention(setup.recruiter, candidate, other.id)


def test_the_note_box_and_the_api_offer_the_same_people(client, auth, setup):
    outsider = UserFactory(role=Role.HIRING_MANAGER, full_name="Olive Outsider")
    candidate = setup.application.candidate
    auth.login(setup.recruiter)
    page = client.get(f"/applications/{setup.application.id}").get_data(as_text=True)
    assert f'data-mentions="/candidates/{candidate.id}/mentionable"' in page
    from_page = client.get(f"/candidates/{candidate.id}/mentionable?application_id={setup.application.id}")
    _, raw = create_api_token(setup.recruiter, "t", "read")
    from_api = client.get(
        f"/api/v1/applications/{setup.application.id}/mentionable", headers={"Authorization": f"Bearer {raw}"}
    )
    assert from_page.status_code == from_api.status_code == 200
    assert from_page.json == from_api.json
    names = [item["full_name"] for item in from_api.json["items"]]
    assert setup.manager.full_name in names and outsider.full_name not in names
    general = client.get(f"/candidates/{candidate.id}/mentionable").json["items"]
    assert setup.first.id not in {item["id"] for item in general}

    _, interviewer_token = create_api_token(setup.first, "t", "read")
    refused = client.get(
        f"/api/v1/applications/{setup.application.id}/mentionable",
        headers={"Authorization": f"Bearer {interviewer_token}"},
    )
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"


# --- reading them -----------------------------------------------------------------------------------


def test_the_bell_the_list_and_marking_read(client, auth, setup):
    submitted(setup.first, setup.first_interview)
    auth.login(setup.manager)
    page = client.get("/").get_data(as_text=True)
    assert 'aria-label="Notifications, 1 unread"' in page
    page = client.get("/notifications").get_data(as_text=True)
    assert f"{setup.first.full_name} submitted feedback" in page
    [notification] = notified(setup.manager)

    response = client.post(f"/notifications/{notification.id}/read", data={"open": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(notification.link)
    db.session.expire_all()
    assert notification.read_at is not None
    assert 'aria-label="Notifications, 0 unread"' in client.get("/").get_data(as_text=True)


def test_nobody_reads_or_marks_another_persons_notifications(client, auth, setup):
    submitted(setup.first, setup.first_interview)
    [notification] = notified(setup.manager)
    auth.login(setup.second)
    assert setup.first.full_name + " submitted" not in client.get("/notifications").get_data(as_text=True)
    assert client.post(f"/notifications/{notification.id}/read").status_code == 404
    db.session.expire_all()
    assert notification.read_at is None


def test_taken_off_the_team_one_stops_seeing_what_one_was_told(client, auth, setup):
    submitted(setup.first, setup.first_interview)
    setup.opening.team.remove(setup.manager)
    db.session.commit()
    assert services.unread_count(setup.manager) == 0
    auth.login(setup.manager)
    assert "submitted feedback" not in client.get("/notifications").get_data(as_text=True)


def test_marking_read_needs_the_csrf_token(client, auth, setup, request):
    submitted(setup.first, setup.first_interview)
    [notification] = notified(setup.manager)
    auth.login(setup.manager)
    request.getfixturevalue("csrf_enabled")
    page = client.get("/notifications").get_data(as_text=True)
    assert client.post(f"/notifications/{notification.id}/read").status_code == 400
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert (
        client.post(f"/notifications/{notification.id}/read", data={"csrf_token": token}).status_code == 302
    )
    assert client.post("/notifications/read-all", data={"csrf_token": token}).status_code == 302


def test_the_api_lists_marks_and_sets_the_preference(client, setup):
    submitted(setup.first, setup.first_interview)
    _, raw = create_api_token(setup.manager, "n", "read,write")
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    body = client.get("/api/v1/notifications?unread=true", headers=headers).get_json()
    [item] = body["items"]
    assert item["kind"] == "feedback_submitted" and item["read_at"] is None
    assert client.post(f"/api/v1/notifications/{item['id']}/read", headers=headers).get_json()["read_at"]
    assert client.get("/api/v1/notifications?unread=true", headers=headers).get_json()["items"] == []
    assert client.post("/api/v1/notifications/read-all", headers=headers).get_json() == {"marked": 0}

    response = client.put("/api/v1/notifications/delivery", headers=headers, json={"delivery": "weekly"})
    assert response.status_code == 422
    response = client.put("/api/v1/notifications/delivery", headers=headers, json={"delivery": "digest"})
    assert response.get_json() == {"delivery": "digest"}

    _, other = create_api_token(setup.second, "n", "read,write")
    db.session.commit()
    response = client.post(
        f"/api/v1/notifications/{item['id']}/read", headers={"Authorization": f"Bearer {other}"}
    )
    assert response.status_code == 404


# --- email: immediate or a daily digest ---------------------------------------------------------------


def test_a_digest_user_gets_one_email_a_day_and_never_twice(client, auth, setup):
    auth.login(setup.manager)
    assert client.post("/notifications/delivery", data={"delivery": "digest"}).status_code == 302
    db.session.expire_all()
    assert setup.manager.notification_delivery == "digest"

    submitted(setup.first, setup.first_interview)
    submitted(setup.second, setup.second_interview)
    assert [m for m in emails_to(setup.manager) if "submitted feedback" in m.subject] == []
    assert send_notification_digests() == 0  # not a day old yet

    later = utcnow() + timedelta(hours=25)
    assert services.send_digests(now=later) == 1
    [digest] = [m for m in emails_to(setup.manager) if "digest" in m.subject]
    assert "2 notifications" in digest.subject
    assert setup.first.full_name in digest.body and setup.second.full_name in digest.body
    assert services.send_digests(now=later + timedelta(hours=1)) == 0
    assert services.send_digests(now=later + timedelta(days=3)) == 0
