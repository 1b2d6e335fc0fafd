"""A candidate takes a short assessment in Chromium on a phone-sized screen: countdown, autosave, submit."""

from __future__ import annotations

import re
from uuid import uuid4

from sqlalchemy import select

from hirewise.assessments import services as assessment_services
from hirewise.assessments.models import AssessmentAttempt, AttemptStatus, ScoringStatus
from hirewise.auth import services as auth_services
from hirewise.auth.models import Role
from hirewise.candidates import services as candidate_services
from hirewise.extensions import db
from hirewise.kits import services as kit_services
from hirewise.openings import services as opening_services
from hirewise.openings.models import OpeningStatus

PHONE = {"width": 390, "height": 844}
ANSWER = "A create_app function builds the app and its configuration, so tests use their own settings."


def _prepare(live_server) -> tuple[str, int]:
    tag = uuid4().hex[:8]
    app = live_server.app
    app.config["BASE_URL"] = live_server.url
    with app.test_request_context(base_url=live_server.url):
        [kit] = [k for k in kit_services.ensure_builtin_kits() if k.slug == "flask-developer"]
        recruiter = auth_services.create_user(
            None,
            email=f"as.recruiter.{tag}@example.com",
            full_name="Rita",
            role=Role.RECRUITER,
            password="x" * 16,
        )
        opening = opening_services.create_opening(
            recruiter, title=f"Phone test {tag}", kit_id=kit.id, status=OpeningStatus.OPEN
        )
        candidate = candidate_services.create_candidate(
            recruiter, full_name="Pat Phone", email=f"pat.{tag}@example.com"
        )
        application = candidate_services.add_application(recruiter, candidate, opening)
        assessment = assessment_services.create_assessment(
            recruiter, opening, {"title": "Short screening", "time_limit_minutes": 10}
        )
        skill_id = opening.skills[0].id
        for values in (
            {
                "kind": "multiple_choice",
                "prompt": "Which status code means Created?",
                "content": {
                    "options": [{"text": "201 Created", "correct": True}, {"text": "200 OK"}],
                    "shuffle": False,
                },
            },
            {
                "kind": "free_text",
                "prompt": "Why use an application factory?",
                "points": 5,
                "content": {"expected_answer": ANSWER, "key_points": ["A function builds the app."]},
            },
            {
                "kind": "code",
                "prompt": "Write double(n).",
                "points": 2,
                "content": {
                    "function_name": "double",
                    "examples": [{"args": [2], "expected": 4}],
                    "tests": [{"args": [5], "expected": 10}],
                },
            },
        ):
            assessment_services.add_question(recruiter, assessment, {**values, "skill_id": skill_id})
        [issued] = assessment_services.invite(recruiter, assessment, [application])
        return issued.link, issued.invitation.id


def test_candidate_takes_an_assessment_on_a_phone(live_server, browser):
    link, invitation_id = _prepare(live_server)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(link)
        assert page.get_by_text("Time limit: 10 minutes.").is_visible()
        page.get_by_role("button", name=re.compile("Start the 10-minute assessment")).click()

        countdown = page.locator("#countdown")
        assert re.fullmatch(r"\d+:\d\d", countdown.inner_text())
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # Question 1: tap an option; autosave confirms without leaving the page.
        page.get_by_label("201 Created").check()
        page.wait_for_selector("#autosave-status:has-text('Saved at')")
        page.get_by_role("button", name=re.compile("Save and continue")).click()

        # Question 2: a paste is recorded as a signal with its length.
        textarea = page.get_by_label("Your answer")
        textarea.fill(ANSWER)
        textarea.evaluate(
            """el => { const data = new DataTransfer(); data.setData('text/plain', 'pasted words');
                       el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true})); }"""
        )
        page.wait_for_selector("#autosave-status:has-text('Saved at')")
        page.get_by_role("button", name=re.compile("Save and continue")).click()

        # Question 3: code, then submit (the confirmation dialog is accepted).
        page.get_by_label("Your code").fill("def double(n):\n    return n * 2\n")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Submit my answers").click()
        page.wait_for_selector("text=Submitted")
        assert page.get_by_text("The hiring team will be in touch").is_visible()
    finally:
        context.close()

    with live_server.app.app_context():
        attempt = db.session.execute(
            select(AssessmentAttempt).where(AssessmentAttempt.invitation_id == invitation_id)
        ).scalar_one()
        assert attempt.status == AttemptStatus.SUBMITTED and attempt.submitted_by == "candidate"
        assert attempt.scoring_status == ScoringStatus.SCORED, attempt.scoring_error
        by_kind = {answer.question.kind: answer for answer in attempt.answers}
        assert by_kind["multiple_choice"].auto_points == 1.0
        assert by_kind["code"].auto_points == 2.0
        assert by_kind["free_text"].response["text"] == ANSWER
        assert by_kind["free_text"].paste_count == 1 and by_kind["free_text"].pasted_chars == len(
            "pasted words"
        )
        assert by_kind["free_text"].auto_points is not None and by_kind["free_text"].auto_points >= 4.0
