"""The debrief says how many scorecards are in and who is pending, and which questions were not asked."""

from __future__ import annotations

from datetime import timedelta

from hirewise.auth.models import Role
from hirewise.db import utcnow
from hirewise.decisions import services
from hirewise.extensions import db
from hirewise.feedback.models import FeedbackStatus
from hirewise.interviews.models import InterviewStatus
from tests.factories import ApplicationFactory, UserFactory
from tests.integration.test_debrief import interviewer, make_feedback, make_interview


def test_scorecards_submitted_and_who_is_pending(client, auth):
    application = ApplicationFactory()
    ada, bob, carl, dora = (
        interviewer(n) for n in ("Ada Lovelace", "Bob Pending", "Carl Cancelled", "Dora Draft")
    )
    panel = make_interview(application, [ada, bob], title="Technical")
    make_feedback(application, ada, {"Flask core": 3}, interview=panel)
    dropped = make_interview(application, [carl], title="Dropped")
    dropped.status = InterviewStatus.CANCELLED
    later = make_interview(application, [dora], title="Culture")
    later.starts_at = utcnow() + timedelta(days=3)
    make_feedback(application, dora, {"Flask core": 2}, interview=later, status=FeedbackStatus.DRAFT)
    db.session.commit()

    progress = services.debrief(application).scorecards
    assert (progress.submitted, progress.expected) == (1, 3)
    assert [(p.interviewer_name, p.interview_title, p.upcoming) for p in progress.pending] == [
        ("Bob Pending", "Technical", False),
        ("Dora Draft", "Culture", True),
    ]

    auth.login(UserFactory(role=Role.RECRUITER))
    page = client.get(f"/applications/{application.id}/debrief").get_data(as_text=True)
    assert "1 of 3 scorecards submitted" in page
    assert "Bob Pending" in page and "Dora Draft" in page
    assert "Carl Cancelled" not in page


def test_all_scorecards_in_and_no_interviews():
    application = ApplicationFactory()
    assert services.debrief(application).scorecards.expected == 0
    make_feedback(application, interviewer("Ada"), {"Flask core": 3})
    progress = services.debrief(application).scorecards
    assert (progress.submitted, progress.expected, progress.pending) == (1, 1, [])


def test_a_question_left_blank_shows_not_asked(client, auth):
    application = ApplicationFactory()
    make_feedback(
        application,
        interviewer("Ada Asker"),
        {"Flask core": 3},
        answers=[("Explain blueprints", 4, [1, 2], "Good"), ("Explain signals", 4, [], "")],
    )
    make_feedback(
        application,
        interviewer("Bob Blank"),
        {"Flask core": 3},
        answers=[("Explain blueprints", 4, [], ""), ("Explain signals", 4, [], "Could not say anything")],
    )
    blueprints, signals = services.debrief(application).questions
    assert [(c.covered, c.total) if c else None for c in blueprints.cells] == [(2, 4), None]
    assert [(c.covered, c.total) if c else None for c in signals.cells] == [None, (0, 4)]

    auth.login(UserFactory(role=Role.RECRUITER))
    page = client.get(f"/applications/{application.id}/debrief").get_data(as_text=True)
    assert page.count("not asked") == 2
    assert "0/4 key points" in page  # asked, with notes, and nothing covered: a real zero
    assert page.count("0/4 key points") == 1


def test_debrief_api_reports_scorecards(client):
    from hirewise.auth.services import create_api_token

    application = ApplicationFactory()
    ada, bob = interviewer("Ada"), interviewer("Bob")
    panel = make_interview(application, [ada, bob])
    make_feedback(application, ada, {"Flask core": 3}, interview=panel)
    _, raw = create_api_token(UserFactory(role=Role.RECRUITER), "t", "read")
    body = client.get(
        f"/api/v1/decisions/applications/{application.id}/debrief",
        headers={"Authorization": f"Bearer {raw}"},
    ).get_json()
    assert body["scorecards"]["submitted"] == 1 and body["scorecards"]["expected"] == 2
    assert body["scorecards"]["summary"] == "1 of 2 scorecards submitted"
    assert [p["interviewer_name"] for p in body["scorecards"]["pending"]] == ["Bob"]
