"""Issue 11's "Done when", in real Chromium on demo data: a recruiter creates an opening from the Flask
Developer kit in one form, a person applies on a phone, takes the screening, is interviewed, scored and
advanced; another applicant with a scheduled interview is rejected and everyone gets a calendar CANCEL.

Every click, tick, choice and typed field a person makes is counted per step and printed (``pytest -s``).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

from fpdf import FPDF
from sqlalchemy import select

from hirewise.assessments.models import Assessment, AssessmentAttempt, AttemptStatus
from hirewise.auth.models import Role, User
from hirewise.candidates.models import Application
from hirewise.db import utcnow
from hirewise.demo import DEMO_PASSWORD, DEMO_USERS
from hirewise.extensions import db
from hirewise.interviews import services as interview_services
from hirewise.interviews.models import Interview, InterviewPlanItem, InterviewStatus
from hirewise.mail.models import OutboxMessage
from hirewise.openings.models import Opening, OpeningStatus, StageKind

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}
# `make screenshots` retakes the pictures in docs/; an ordinary run keeps them in its temporary folder,
# so running the suite never changes the working tree.
SCREENSHOTS_DIR = os.environ.get("HIREWISE_SCREENSHOTS_DIR", "")
EMAILS = {demo.role: demo.email for demo in DEMO_USERS}


@dataclass
class Clicks:
    """What a person does, per step: clicks (links, buttons, ticks, choices) and typed fields."""

    step: str = "setup"
    clicks: Counter[str] = field(default_factory=Counter)
    fills: Counter[str] = field(default_factory=Counter)
    visits: Counter[str] = field(default_factory=Counter)
    order: list[str] = field(default_factory=list)

    def start(self, step: str) -> None:
        self.step = step
        self.order.append(step)

    def click(self, locator, **options) -> None:
        self.clicks[self.step] += 1
        locator.click(**options)

    def check(self, locator) -> None:
        self.clicks[self.step] += 1
        locator.check()

    def choose(self, locator, **option) -> None:
        self.clicks[self.step] += 1
        locator.select_option(**option)

    def fill(self, locator, text: str) -> None:
        self.fills[self.step] += 1
        locator.fill(text)

    def upload(self, locator, path: Path) -> None:
        self.clicks[self.step] += 1
        locator.set_input_files(str(path))

    def visit(self, page, url: str):
        """A typed address or a link from an email: counted apart from clicks."""
        self.visits[self.step] += 1
        return page.goto(url)

    def report(self) -> str:
        lines = [f"{'step':<46} clicks  fills  visits"]
        for step in self.order:
            lines.append(f"{step:<46} {self.clicks[step]:>6} {self.fills[step]:>6} {self.visits[step]:>7}")
        total = (sum(self.clicks.values()), sum(self.fills.values()), sum(self.visits.values()))
        lines.append(f"{'total':<46} {total[0]:>6} {total[1]:>6} {total[2]:>7}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Other:
    """A demo applicant with a future interview: the one step 8 rejects."""

    application_id: int
    name: str
    interview_id: int


def _resume_pdf(path: Path) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(
        0,
        8,
        "Margaret Hamilton. Flask blueprints, SQLAlchemy, pytest and Docker.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.output(str(path))
    return path


def _demo_world(live_server) -> Other:
    """``flask demo-data``, then one demo applicant gets an interview tomorrow with the demo interviewer."""
    app = live_server.app
    app.config["BASE_URL"] = live_server.url  # links in emails point at this server
    with app.app_context():  # ``flask`` pushes one; the test runner does not
        result = app.test_cli_runner().invoke(args=["demo-data", "--candidates", "6"])
        assert result.exit_code == 0, result.output
    with app.test_request_context(base_url=live_server.url):
        opening = db.session.execute(
            select(Opening).where(Opening.title == "Senior Flask Developer")
        ).scalar_one()
        applications = db.session.execute(
            select(Application).where(Application.opening_id == opening.id).order_by(Application.id)
        ).scalars()
        application = next(a for a in applications if a.stage.kind == StageKind.ACTIVE)
        users = {user.role: user for user in _demo_users()}
        interview = interview_services.schedule_interview(
            users[Role.RECRUITER],
            application,
            title="Culture chat",
            starts_at=utcnow() + timedelta(days=2),
            timezone="UTC",
            duration_minutes=30,
            interviewer_ids=[users[Role.INTERVIEWER].id],
        )
        other = Other(application.id, application.candidate.full_name, interview.id)
        db.session.remove()
    return other


def _demo_users():
    return db.session.execute(select(User).where(User.email.in_(EMAILS.values()))).scalars()


def _sign_in(browser, base: str, role: Role, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(EMAILS[role])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    return context, page


def _card(page, stage: str, name: str):
    return page.locator(f'.board-cards[data-stage-name="{stage}"] .board-card', has_text=name)


def test_issue_11_hiring_journey_in_chromium(live_server, browser, tmp_path):
    base = live_server.url
    other = _demo_world(live_server)
    tag = uuid4().hex[:6]
    title = f"Flask Developer (journey {tag})"
    applicant = "Margaret Hamilton"
    applicant_email = f"margaret.{tag}@example.com"
    resume = _resume_pdf(tmp_path / "margaret_hamilton_cv.pdf")
    user = Clicks()
    pictures = Path(SCREENSHOTS_DIR) if SCREENSHOTS_DIR else tmp_path / "screenshots"
    pictures.mkdir(exist_ok=True)

    recruiter_context, recruiter = _sign_in(browser, base, Role.RECRUITER)
    try:
        # 1. One form: the kit's interview plan, its screening assessment and publishing are ticked by default.
        user.start("1 create opening from the kit")
        user.click(recruiter.get_by_role("link", name="New opening").first)
        recruiter.wait_for_url("**/openings/new")
        assert recruiter.locator("#kit_id option:checked").inner_text() == "Flask Developer"
        for ticked in ("Add the kit's interview plan", "Add the kit's screening assessment", "Publish now"):
            assert recruiter.get_by_label(ticked).is_checked(), ticked
        user.fill(recruiter.get_by_label("Title"), title)
        user.fill(recruiter.get_by_label("Location"), "Remote (EU)")
        user.check(recruiter.get_by_label(re.compile("^Hank Manager")))
        user.click(recruiter.get_by_role("button", name="Create opening"))
        recruiter.wait_for_url(re.compile(r"/openings/\d+$"))
        opening_id = int(recruiter.url.rsplit("/", 1)[1])
        flashed = recruiter.locator(".flash").first.inner_text()
        assert "published on the careers page" in flashed and "interview plan" in flashed, flashed
        with live_server.app.app_context():
            opening = db.session.get(Opening, opening_id)
            assert opening is not None and opening.status == OpeningStatus.OPEN
            plan = (
                db.session.execute(
                    select(InterviewPlanItem.title).where(InterviewPlanItem.opening_id == opening_id)
                )
                .scalars()
                .all()
            )
            assert "Technical interview" in plan, plan
            assessments = (
                db.session.execute(select(Assessment).where(Assessment.opening_id == opening_id))
                .scalars()
                .all()
            )
            assert len(assessments) == 1 and assessments[0].questions
            stages = {stage.name: stage.id for stage in opening.stages}
            db.session.remove()

        # 2. A person applies on a phone through the careers page.
        user.start("2 apply on a phone with a PDF")
        phone_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        phone_context.set_default_timeout(10_000)
        phone = phone_context.new_page()
        user.visit(phone, f"{base}/careers")
        user.click(phone.get_by_role("link", name=title))
        user.click(phone.get_by_role("link", name="Apply for this position"))
        user.fill(phone.get_by_label("Full name"), applicant)
        user.fill(phone.get_by_label("Email"), applicant_email)
        user.upload(phone.locator("input[type=file]"), resume)
        user.check(phone.locator("input[name=consent]"))
        user.click(phone.get_by_role("button", name="Send application"))
        phone.wait_for_url("**/applied")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        with live_server.app.app_context():
            application_id = db.session.execute(
                select(Application.id).where(
                    Application.opening_id == opening_id, Application.candidate.has(email=applicant_email)
                )
            ).scalar_one()
            db.session.remove()

        # 3. The recruiter invites the application to the assessment: the card moves to Assessment.
        user.start("3 invite to the assessment")
        board_url = f"{base}/openings/{opening_id}/board"
        user.visit(recruiter, board_url)
        assert _card(recruiter, "Applied", applicant).count() == 1
        user.click(_card(recruiter, "Applied", applicant).get_by_role("link", name=applicant))
        recruiter.wait_for_url(f"{base}/applications/{application_id}")
        user.click(recruiter.get_by_role("button", name="Invite to assessment"))
        recruiter.wait_for_url(f"{base}/applications/{application_id}#assessments")
        assert "One-time link for" in recruiter.locator("main").inner_text()
        user.click(recruiter.get_by_role("link", name="Board").first)
        recruiter.wait_for_url(board_url)
        assert _card(recruiter, "Assessment", applicant).count() == 1

        # 4. The candidate opens the link from their email (the outbox), answers and submits.
        user.start("4 take the assessment (candidate)")
        recruiter.goto(f"{base}/outbox")  # stands in for the candidate's mailbox: not counted
        invitation_email = recruiter.locator("tr", has_text=applicant_email).filter(has_text="Screening")
        invitation_email.get_by_role("link").first.click()
        body = recruiter.locator("pre.email-body").inner_text()
        link = re.search(r"https?://\S+/assessment/\S+", body)
        assert link, body
        user.visit(phone, link.group(0))
        user.click(phone.get_by_role("button", name=re.compile("Start the")))
        phone.wait_for_selector("#countdown")
        first_choice = phone.locator('.take-question input[name="selected"]').first
        user.check(first_choice)
        phone.wait_for_selector("#autosave-status:has-text('Saved at')")
        phone.once("dialog", lambda dialog: dialog.accept())
        user.clicks[user.step] += 1  # the "OK" of the "submit now?" confirmation
        user.click(phone.get_by_role("button", name="Submit my answers"))
        phone.wait_for_selector("text=Submitted")
        phone_context.close()
        with live_server.app.app_context():
            attempt = db.session.execute(
                select(AssessmentAttempt).where(
                    AssessmentAttempt.invitation.has(application_id=application_id)
                )
            ).scalar_one()
            assert attempt.status == AttemptStatus.SUBMITTED
            db.session.remove()
        recruiter.reload()
        bell = recruiter.locator("a.bell")
        assert re.search(r"Notifications, [1-9]\d* unread", bell.get_attribute("aria-label") or "")
        user.click(bell)
        recruiter.wait_for_url(f"{base}/notifications")
        notice = recruiter.locator(".notification", has_text=applicant).first.inner_text()
        assert "submitted the assessment" in notice, notice

        # 5. An interview with the demo interviewer: the card moves to Interview.
        user.start("5 schedule an interview")
        user.visit(recruiter, f"{base}/applications/{application_id}")
        user.click(recruiter.get_by_role("link", name="Schedule an interview"))
        recruiter.wait_for_url(f"{base}/applications/{application_id}/interviews/new")
        technical = recruiter.locator("#plan_item_id option", has_text="Technical interview")
        user.choose(recruiter.locator("#plan_item_id"), value=technical.get_attribute("value"))
        tomorrow = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT10:00")
        user.fill(recruiter.get_by_label("Date and time"), tomorrow)
        user.check(recruiter.get_by_label(re.compile("^Ivan Interviewer")))
        user.click(recruiter.get_by_role("button", name="Schedule and send invites"))
        recruiter.wait_for_url(re.compile(r"/interviews/\d+$"))
        interview_id = int(recruiter.url.rsplit("/", 1)[1])
        user.click(recruiter.get_by_role("link", name="Application", exact=True))
        recruiter.wait_for_url(f"{base}/applications/{application_id}")
        user.click(recruiter.get_by_role("link", name="Board").first)
        recruiter.wait_for_url(board_url)
        assert _card(recruiter, "Interview", applicant).count() == 1
        recruiter.screenshot(path=str(pictures / "board.png"), full_page=True)
        recruiter.goto(f"{base}/")
        recruiter.screenshot(path=str(pictures / "home-recruiter.png"), full_page=True)
        recruiter.set_viewport_size(PHONE)
        recruiter.goto(board_url)
        phone_card = _card(recruiter, "Interview", applicant)
        phone_card.scroll_into_view_if_needed()  # one column and a peek of the next: swipe to Interview
        assert phone_card.is_visible()
        assert recruiter.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        recruiter.screenshot(path=str(pictures / "board-phone.png"), full_page=True)
        recruiter.set_viewport_size(DESKTOP)

        interviewer_context, interviewer = _sign_in(browser, base, Role.INTERVIEWER)
        upcoming = interviewer.locator("section[aria-labelledby=todo-upcoming]")
        assert applicant in upcoming.inner_text()
        assert other.name in upcoming.inner_text()
        interviewer.screenshot(path=str(pictures / "home-interviewer.png"), full_page=True)

        # 6. The interviewer submits a scorecard.
        user.start("6 feedback (interviewer)")
        user.click(upcoming.locator("li", has_text=applicant).get_by_role("link").first)
        interviewer.wait_for_url(f"{base}/interviews/{interview_id}")
        user.click(interviewer.get_by_role("link", name="Write feedback"))
        interviewer.wait_for_url(f"{base}/interviews/{interview_id}/feedback")
        skills = interviewer.locator("section[aria-labelledby=skills-title] fieldset")
        assert skills.count() >= 1
        for index in range(skills.count()):
            user.check(skills.nth(index).get_by_label("Yes", exact=True))
        user.check(interviewer.get_by_role("group", name="Recommendation").get_by_label("Yes", exact=True))
        user.fill(interviewer.get_by_label("Summary"), "Clear on blueprints and testing; would hire.")
        user.click(interviewer.get_by_role("button", name="Submit", exact=True))
        interviewer.get_by_text("Your feedback was submitted.").wait_for()
        interviewer_context.close()

        # 7. The hiring manager records the advance decision on the debrief, confirming the gate if asked.
        user.start("7 debrief decision (hiring manager)")
        manager_context, manager = _sign_in(browser, base, Role.HIRING_MANAGER)
        debriefs = manager.locator("section[aria-labelledby=todo-debriefs]")
        user.click(debriefs.get_by_role("link", name=applicant))
        manager.wait_for_url(f"{base}/applications/{application_id}/debrief")
        matrix = manager.locator("section[aria-labelledby=matrix-title]").text_content() or ""
        assert "Ivan Interviewer" in matrix, matrix
        user.choose(manager.get_by_label("Decision", exact=True), value="advance")
        user.choose(manager.get_by_label("Stage to advance to"), label="Offer")
        user.fill(
            manager.get_by_label("Reason", exact=True), "Strong technical interview; ready for an offer."
        )
        gate = re.search(r"Gate (passed|incomplete|failed)", manager.locator("#fit-title + dl").inner_text())
        assert gate, "the debrief states the must-have gate"
        gate_asked = gate.group(1) != "passed"
        if gate_asked:
            # Not confirmed: refused with a 409 and nothing lost. Not counted: a person who reads the
            # form ticks the confirmation (shown while the gate is not passed) before the first submit.
            with manager.expect_response(lambda r: r.url.endswith("/decisions")) as refused:
                manager.get_by_role("button", name="Record decision").click()
            assert refused.value.status == 409
            message = manager.locator("form [role=alert]", has_text="gate").first.inner_text()
            assert "To advance to Offer anyway, confirm and give a reason" in message, message
            assert manager.get_by_label("Reason", exact=True).input_value().startswith("Strong technical")
            user.check(manager.get_by_label(re.compile("Advance anyway")))
        user.click(manager.get_by_role("button", name="Record decision"))
        manager.get_by_text("Decision recorded: advance to a stage.").wait_for()
        assert manager.locator("main p", has_text="Stage:").locator(".badge").inner_text() == "Offer"
        manager_context.close()
        with live_server.app.app_context():
            application = db.session.get(Application, application_id)
            assert application is not None and application.stage_id == stages["Offer"]
            db.session.remove()

        # 8. Rejecting another applicant with a future interview cancels it with a calendar CANCEL.
        user.start("8 reject another applicant")
        user.visit(recruiter, f"{base}/applications/{other.application_id}")
        user.click(recruiter.get_by_role("link", name="Reject…"))
        recruiter.wait_for_url(f"{base}/applications/{other.application_id}/reject")
        follow = recruiter.locator("section[aria-labelledby=follow-through-title]").inner_text()
        assert "Culture chat" in follow and "cancelled" in follow, follow
        user.choose(recruiter.get_by_label("Reason"), label="Opening filled")
        user.click(recruiter.get_by_role("button", name="Reject"))
        recruiter.wait_for_url(f"{base}/applications/{other.application_id}")
        assert "rejected" in recruiter.locator(".flash").first.inner_text()
        user.visit(recruiter, f"{base}/outbox")
        cancelled = recruiter.get_by_role("link", name="Cancelled: Interview: Culture chat")
        assert cancelled.count() >= 2, "the interviewer and the candidate"
        user.click(cancelled.first)
        recruiter.wait_for_url(re.compile(r"/outbox/\d+$"))
        invite = recruiter.locator("a[download]", has_text=".ics").first
        calendar = recruiter.request.get(base + (invite.get_attribute("href") or "")).text()
        assert "METHOD:CANCEL" in calendar, calendar
        with live_server.app.app_context():
            interview = db.session.get(Interview, other.interview_id)
            assert interview is not None and interview.status == InterviewStatus.CANCELLED
            recipients = {
                message.to_email
                for message in db.session.execute(
                    select(OutboxMessage).where(OutboxMessage.subject == "Cancelled: Interview: Culture chat")
                ).scalars()
            }
            assert EMAILS[Role.INTERVIEWER] in recipients and len(recipients) >= 2, recipients
            db.session.remove()
    finally:
        recruiter_context.close()

    print(
        f"\nIssue 11 journey: the must-have gate was {gate.group(1)} at the debrief (confirmation asked: {gate_asked})"
    )
    print(user.report())
