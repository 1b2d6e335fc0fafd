"""A candidate takes the Flask Developer screening on a phone in Chromium: the options' values are this
attempt's own opaque ids, the code question's examples run on the page, and the recruiter's review shows
the score the answers deserve."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import uuid4

from sqlalchemy import select

from hirewise.assessments import services as assessment_services
from hirewise.assessments.builtin import add_kit_assessment
from hirewise.assessments.models import AssessmentAttempt, AttemptStatus, ScoringStatus
from hirewise.auth import services as auth_services
from hirewise.auth.models import Role
from hirewise.candidates import services as candidate_services
from hirewise.extensions import db
from hirewise.kits import services as kit_services
from hirewise.openings import services as opening_services
from hirewise.openings.models import OpeningStatus

PHONE = {"width": 390, "height": 844}
PASSWORD = "a long e2e password"
SLUGIFY = (
    'import re\n\ndef slugify(title):\n    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")\n'
)
WRONG_SLUGIFY = "def slugify(title):\n    return title.lower()\n"


@dataclass
class Screening:
    link: str
    invitation_id: int
    recruiter_email: str
    correct: dict[str, list[str]]  # prompt -> texts of its correct options
    real_ids: set[str]
    hidden_names: list[str]


def _prepare(live_server) -> Screening:
    tag = uuid4().hex[:8]
    app = live_server.app
    app.config["BASE_URL"] = live_server.url
    with app.test_request_context(base_url=live_server.url):
        [kit] = [k for k in kit_services.ensure_builtin_kits() if k.slug == "flask-developer"]
        recruiter = auth_services.create_user(
            None,
            email=f"screen.recruiter.{tag}@example.com",
            full_name="Rita Screening",
            role=Role.RECRUITER,
            password=PASSWORD,
        )
        opening = opening_services.create_opening(
            recruiter, title=f"Screening on a phone {tag}", kit_id=kit.id, status=OpeningStatus.OPEN
        )
        candidate = candidate_services.create_candidate(
            recruiter, full_name="Sam Screening", email=f"sam.{tag}@example.com"
        )
        application = candidate_services.add_application(recruiter, candidate, opening)
        assessment = add_kit_assessment(recruiter, opening)
        correct = {
            question.prompt: [o["text"] for o in question.content["options"] if o["correct"]]
            for question in assessment.questions
            if question.kind == "multiple_choice"
        }
        real_ids = {
            option["id"]
            for question in assessment.questions
            if question.kind == "multiple_choice"
            for option in question.content["options"]
        }
        [code] = [q for q in assessment.questions if q.kind == "code"]
        hidden = [case["name"] for case in code.content["tests"]]
        [issued] = assessment_services.invite(recruiter, assessment, [application])
        return Screening(issued.link, issued.invitation.id, recruiter.email, correct, real_ids, hidden)


def test_the_flask_screening_on_a_phone_with_opaque_option_ids(live_server, browser):
    screening = _prepare(live_server)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(screening.link)
        page.get_by_role("button", name=re.compile("Start the 25-minute assessment")).click()
        page.wait_for_selector("#countdown")
        seen_values: set[str] = set()
        for number in range(1, 10):
            assert page.get_by_text(f"Question {number} of 9").is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            prompt = page.locator(".take-question p.prewrap").first.inner_text().strip()
            inputs = page.locator('input[name="selected"]')
            if inputs.count():
                values = [inputs.nth(i).get_attribute("value") or "" for i in range(inputs.count())]
                assert not set(values) & screening.real_ids, values  # neither a/b/c/d/e ...
                assert all(len(value) >= 16 for value in values), values  # ... but opaque, random ids
                seen_values |= set(values)
                for text in screening.correct[prompt]:
                    page.get_by_label(text, exact=True).check()
                page.wait_for_selector("#autosave-status:has-text('Saved at')")
                if number == 1:  # a reload shows the same ids in the same order, the choice kept
                    page.reload()
                    again = page.locator('input[name="selected"]')
                    assert [again.nth(i).get_attribute("value") for i in range(again.count())] == values
                    assert page.get_by_label(screening.correct[prompt][0], exact=True).is_checked()
            elif page.get_by_label("Your code").count():
                box = page.get_by_label("Your code")
                box.fill(WRONG_SLUGIFY)
                page.get_by_role("button", name="Run the examples").click()
                results = page.locator(".example-run")
                results.locator("text=0 of 2 examples passed").wait_for()
                assert "hello-world" in results.inner_text() and "failed" in results.inner_text()
                box.fill(SLUGIFY)
                page.get_by_role("button", name="Run the examples").click()
                results.locator("text=2 of 2 examples passed").wait_for()
                shown = results.inner_text()
                assert "flask-sqlalchemy-2" in shown and "failed" not in shown
                assert "-runs" not in page.url, "the script showed the results in place, no page load"
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
                assert not any(name in page.content() for name in screening.hidden_names)
            if number < 9:
                page.get_by_role("button", name=re.compile("Save and continue")).click()
                page.wait_for_selector(f"text=Question {number + 1} of 9")
        assert len(seen_values) == 4 + 4 + 5 + 4 + 4, "every option had an id of its own"
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Submit my answers").click()
        page.wait_for_selector("text=Submitted")
    finally:
        context.close()

    with live_server.app.app_context():
        attempt = db.session.execute(
            select(AssessmentAttempt).where(AssessmentAttempt.invitation_id == screening.invitation_id)
        ).scalar_one()
        assert attempt.status == AttemptStatus.SUBMITTED
        assert attempt.scoring_status == ScoringStatus.SCORED, attempt.scoring_error
        attempt_id = attempt.id

    # The recruiter's review: every multiple-choice point (11) and the code (10); the blank free texts 0.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login")
        page.get_by_label("Email").fill(screening.recruiter_email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"{live_server.url}/assessment-attempts/{attempt_id}/review")
        summary = page.locator("#summary-title").locator("xpath=..").inner_text()
        assert re.search(r"21 / 36 \(58\.3%\)", summary), summary
        assert page.locator("#all-attempts").get_by_text("(this attempt)").is_visible()
    finally:
        context.close()
