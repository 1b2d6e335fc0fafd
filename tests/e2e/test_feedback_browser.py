"""Two interviewers write scorecards in Chromium; neither sees the other's until they submitted their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

from sqlalchemy import select

from hirewise.auth import services as auth_services
from hirewise.auth.models import Role
from hirewise.candidates import services as candidate_services
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.feedback.models import Feedback, FeedbackStatus
from hirewise.interviews import services as interview_services
from hirewise.interviews.plans import default_plan
from hirewise.kits import services as kit_services
from hirewise.openings import services as opening_services
from hirewise.openings.models import OpeningStatus

PASSWORD = "a long e2e password"
NOTES_A = "Alice notes: explained blueprints with a clear example"
NOTES_B = "Bob notes: solid answer on routing rules"


@dataclass(frozen=True)
class Setup:
    interview_id: int
    application_id: int
    email_a: str
    email_b: str
    interviewer_a_id: int


def _prepare(live_server) -> Setup:
    tag = uuid4().hex[:8]
    # A request context: scheduling emails invites whose links are built with url_for.
    with live_server.app.test_request_context(base_url=live_server.url):
        kit_services.ensure_builtin_kits()
        # A user without a password is inactive, hence not allowed to schedule anything.
        recruiter = auth_services.create_user(
            None,
            email=f"fb.recruiter.{tag}@example.com",
            full_name="Rita Recruiter",
            role=Role.RECRUITER,
            password=PASSWORD,
        )
        alice = auth_services.create_user(
            None,
            email=f"fb.alice.{tag}@example.com",
            full_name="Alice Interviewer",
            role=Role.INTERVIEWER,
            password=PASSWORD,
        )
        bob = auth_services.create_user(
            None,
            email=f"fb.bob.{tag}@example.com",
            full_name="Bob Interviewer",
            role=Role.INTERVIEWER,
            password=PASSWORD,
        )
        db.session.commit()
        kit = kit_services.get_kit_by_slug("flask-developer")
        opening = opening_services.create_opening(
            recruiter, title=f"Flask Developer Feedback {tag}", kit_id=kit.id, status=OpeningStatus.OPEN
        )
        application = candidate_services.submit_application(
            opening, full_name="Ada Lovelace", email=f"ada.{tag}@example.com", consent=True
        )
        plan = default_plan(recruiter, opening)
        technical = next(item for item in plan if item.title == "Technical interview")
        interview = interview_services.schedule_interview(
            recruiter,
            application,
            title=technical.title,
            starts_at=utcnow() + timedelta(days=1),
            timezone="Europe/Berlin",
            duration_minutes=technical.duration_minutes,
            interviewer_ids=[alice.id, bob.id],
            plan_item_id=technical.id,
        )
        assert interview.question_ids and interview.focus_skill_ids
        return Setup(interview.id, application.id, alice.email, bob.email, alice.id)


def _sign_in(browser, base_url: str, email: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return context, page


def _fill_and_submit(page, base_url: str, interview_id: int, notes: str, ticks: int) -> None:
    page.goto(f"{base_url}/interviews/{interview_id}/feedback")
    first_question = page.locator("section[aria-labelledby=questions-title] ol > li").first
    boxes = first_question.get_by_role("group", name="Key points the candidate covered").get_by_role(
        "checkbox"
    )
    assert boxes.count() >= ticks
    for index in range(ticks):
        boxes.nth(index).check()
    first_question.get_by_label("Notes").fill(notes)
    skills = page.locator("section[aria-labelledby=skills-title] fieldset")
    assert skills.count() >= 1
    for index in range(skills.count()):
        skills.nth(index).get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name="Recommendation").get_by_label("Yes", exact=True).check()
    page.get_by_label("Summary").fill("Would hire for the platform team.")
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(f"{base_url}/interviews/{interview_id}/feedback")
    page.get_by_text("Your feedback was submitted.").wait_for()


def test_interviewers_see_each_others_feedback_only_after_submitting(live_server, browser):
    base = live_server.url
    setup = _prepare(live_server)

    alice_context, page = _sign_in(browser, base, setup.email_a)
    _fill_and_submit(page, base, setup.interview_id, NOTES_A, ticks=2)
    main = page.locator("main")
    assert main.locator("form.feedback-form").count() == 0
    assert page.get_by_role("button", name="Submit", exact=True).count() == 0
    assert page.get_by_role("link", name="Edit (creates a new version)").is_visible()
    text = main.inner_text()
    assert "Submitted v1" in text
    assert NOTES_A in text
    assert text.count("✔ Covered") >= 2
    alice_context.close()

    with live_server.app.app_context():
        feedback_a = db.session.execute(
            select(Feedback).where(
                Feedback.interview_id == setup.interview_id,
                Feedback.interviewer_id == setup.interviewer_a_id,
            )
        ).scalar_one()
        feedback_a_id = feedback_a.id

    bob_context, page = _sign_in(browser, base, setup.email_b)
    response = page.goto(f"{base}/interviews/{setup.interview_id}")
    assert response is not None and response.status == 200
    detail = page.content()
    assert NOTES_A not in detail
    assert f"/feedback/{feedback_a_id}" not in detail
    assert page.locator(f'a[href$="/feedback/{feedback_a_id}"]').count() == 0

    response = page.goto(f"{base}/feedback/{feedback_a_id}")
    assert response is not None and response.status in (403, 404)
    assert NOTES_A not in page.content()

    _fill_and_submit(page, base, setup.interview_id, NOTES_B, ticks=1)
    page.goto(f"{base}/interviews/{setup.interview_id}")
    link_to_a = page.locator(f'a[href$="/feedback/{feedback_a_id}"]')
    assert link_to_a.count() == 1
    link_to_a.click()
    page.wait_for_url(f"{base}/feedback/{feedback_a_id}")
    assert NOTES_A in page.locator("main").inner_text()
    bob_context.close()

    with live_server.app.app_context():
        feedback_a = db.session.get(Feedback, feedback_a_id)
        assert feedback_a is not None
        assert feedback_a.status == FeedbackStatus.SUBMITTED
        assert feedback_a.version == 1
        first_answer = feedback_a.answers[0]
        assert sorted(first_answer.covered_key_points) == [0, 1]
        assert first_answer.notes == NOTES_A
        assert all(rating.rating == 3 for rating in feedback_a.ratings if rating.skill_id is not None)
        assert feedback_a.recommendation == "yes"
