"""Privacy in real Chromium, as people click through it: a candidate asks for their data on the
careers site and downloads the ZIP from the emailed link; an admin places a legal hold, is refused
an erasure, releases the hold and erases; a retention notice's "keep my application" link; the
score explanation page and its "human review" request, which becomes a recruiter's to-do.

The live server runs with CSRF protection on, so every form here proves it carries its token.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from uuid import uuid4

import pytest
from sqlalchemy import func, select

from hirewise.assessments import attempts
from hirewise.assessments import services as assessment_services
from hirewise.auth.models import Role
from hirewise.candidates.models import Candidate
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage
from hirewise.privacy.models import Erasure, LegalHold, ScoreReviewRequest
from hirewise.privacy.tokens import LinkPurpose, make_token
from tests.factories import PASSWORD, ApplicationFactory, OpeningFactory, UserFactory

pytestmark = pytest.mark.e2e

LINK = re.compile(r"https?://[^\s]+?(/privacy/(?:export|scores|withdraw|keep)/[\w.-]+)")


def _links(body: str) -> dict[str, str]:
    """The paths of a privacy email's links, by purpose (the host is the app's BASE_URL)."""
    return {path.split("/")[2]: path for path in LINK.findall(body)}


def _messages_to(live_server, candidate_id: int) -> list[tuple[str, str]]:
    with live_server.app.app_context():
        rows = db.session.execute(
            select(OutboxMessage.subject, OutboxMessage.body)
            .where(OutboxMessage.candidate_id == candidate_id)
            .order_by(OutboxMessage.id)
        ).all()
        db.session.remove()
    return [(subject, body) for subject, body in rows]


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def _candidate(live_server, tag: str, **candidate: object) -> dict[str, object]:
    with live_server.app.app_context():
        application = ApplicationFactory(
            candidate__full_name=f"Priya Privacy {tag}",
            candidate__email=f"priya.{tag}@example.org",
            **{f"candidate__{name}": value for name, value in candidate.items()},
        )
        person = application.candidate
        data = {"id": person.id, "name": person.full_name, "email": person.email}
        db.session.remove()
    return data


def test_a_candidate_asks_for_their_data_and_downloads_the_zip(live_server, browser):
    tag = uuid4().hex[:8]
    live_server.app.config["BASE_URL"] = live_server.url
    candidate = _candidate(live_server, tag)
    stranger = f"nobody.{tag}@example.org"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/privacy/request")
        page.get_by_role("button", name="Email me the links").click()
        page.get_by_label("Your email address").wait_for()
        assert page.locator("main").get_by_text("This field is required").is_visible()

        answers = []
        for address in (stranger, str(candidate["email"]).upper()):
            page.goto(f"{live_server.url}/careers")
            page.locator("#your-data").get_by_role("link", name="Your data").click()
            page.get_by_role("heading", name="Your data").wait_for()
            page.get_by_label("Your email address").fill(address)
            page.get_by_role("button", name="Email me the links").click()
            page.get_by_role("heading", name="Check your email").wait_for()
            answers.append(page.locator("main").inner_text())
        # The same answer either way: the form never tells whether an address applied.
        assert answers[0] == answers[1]
        assert "If this address belongs to someone who applied" in answers[0]

        [(subject, body)] = _messages_to(live_server, int(candidate["id"]))  # type: ignore[call-overload]
        assert subject == "Your data: download a copy"
        with live_server.app.app_context():
            sent_to_stranger = db.session.execute(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.to_email == stranger)
            ).scalar_one()
            db.session.remove()
        assert sent_to_stranger == 0
        links = _links(body)
        assert set(links) == {"export", "scores", "withdraw"}

        # Opening the emailed link downloads the ZIP (a navigation that ends in a download).
        with page.expect_download() as started:
            page.evaluate("url => { window.location.href = url; }", f"{live_server.url}{links['export']}")
        download = started.value
        assert download.suggested_filename.endswith(".zip")
        with open(download.path(), "rb") as handle:
            archive = zipfile.ZipFile(io.BytesIO(handle.read()))
        document = json.loads(archive.read("candidate.json"))
        assert document["profile"]["full_name"] == candidate["name"]
        assert document["profile"]["email"] == candidate["email"]
        assert document["emails"][0]["subject"] == subject

        # A damaged link opens a page that says so, and nothing else.
        response = page.goto(f"{live_server.url}{links['export'][:-3]}abc")
        assert response is not None and response.status == 404
        assert page.get_by_text("This link is not valid any more").is_visible()
        assert str(candidate["name"]) not in page.content()

        # The third link withdraws consent: opening it asks, the button erases, and every link dies.
        page.goto(f"{live_server.url}{links['withdraw']}")
        page.get_by_role("heading", name="Withdraw your consent").wait_for()
        page.get_by_role("button", name="Withdraw consent and erase my data").click()
        page.get_by_text("Your personal data has been erased.").wait_for()
        for path in links.values():
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 404, path
        with live_server.app.app_context():
            gone = db.session.get(Candidate, candidate["id"])
            assert gone is not None and gone.full_name == f"Erased candidate #{candidate['id']}"
            db.session.remove()
    finally:
        context.close()


def test_an_admin_is_refused_erasure_under_a_legal_hold_then_erases(live_server, page):
    tag = uuid4().hex[:8]
    candidate = _candidate(live_server, tag)
    name, email, candidate_id = str(candidate["name"]), str(candidate["email"]), candidate["id"]
    with live_server.app.app_context():
        admin = UserFactory(role=Role.ADMIN, email=f"admin.{tag}@example.com")
        admin_email = admin.email
        db.session.remove()
    sign_in(page, live_server, admin_email)

    # Found in the candidate list, then to their privacy record from the profile.
    page.goto(f"{live_server.url}/candidates")
    page.get_by_label("Search by name or email").fill(name)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=name).click()
    page.get_by_role("heading", name=name, exact=True).wait_for()
    page.get_by_role("link", name="Privacy: export, erase").click()
    page.get_by_role("heading", name="Privacy record").wait_for()

    with page.expect_download() as started:
        page.get_by_role("link", name="Download the ZIP").click()
    with open(started.value.path(), "rb") as handle:
        document = json.loads(zipfile.ZipFile(io.BytesIO(handle.read())).read("candidate.json"))
    assert document["profile"]["email"] == email

    hold_reason = f"Pending employment tribunal claim {tag}"
    hold = page.locator("#legal-hold")
    hold.get_by_label("Reason").fill(hold_reason)
    hold.get_by_role("button", name="Place a legal hold").click()
    page.get_by_text("Legal hold placed").wait_for()
    assert hold.get_by_text("On legal hold").is_visible()
    assert hold_reason in hold.inner_text()

    erase = page.locator("#erase")
    erase.get_by_label("Reason").fill("The candidate asked by email.")
    # Dismissing the confirmation sends nothing (counted below, once the confirmed one is back).
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" and "/erase" in r.url else None)
    page.once("dialog", lambda dialog: dialog.dismiss())
    erase.get_by_role("button", name="Erase").click()

    # Confirmed, but the hold refuses it and the page says why.
    messages: list[str] = []

    def accept(dialog) -> None:
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_response(lambda r: r.url.endswith("/privacy/erase")) as refused:
        erase.get_by_role("button", name="Erase").click()
    assert refused.value.status == 409
    assert messages == ["Erase this candidate's personal data? This cannot be undone."]
    assert len(posted) == 1
    flashes = page.locator(".flashes").inner_text()
    assert "legal hold" in flashes and hold_reason in flashes
    assert page.get_by_role("heading", name="Erase personal data").is_visible()
    with live_server.app.app_context():
        assert db.session.execute(select(Erasure).where(Erasure.candidate_id == candidate_id)).first() is None
        db.session.remove()

    # Released, the erasure goes through.
    page.locator("#legal-hold").get_by_role("button", name="Release the hold").click()
    page.get_by_text("Legal hold released.").wait_for()
    page.locator("#erase").get_by_label("Reason").fill("The candidate asked by email on 3 December.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#erase").get_by_role("button", name="Erase").click()
    page.get_by_text("Personal data erased:").wait_for()
    erased = page.locator("#erasure")
    assert erased.get_by_role("heading", name="Personal data erased").is_visible()
    assert "The candidate asked by email on 3 December." in erased.inner_text()
    assert name not in page.content() and email not in page.content()

    # The profile shows an erased candidate, and neither name nor address finds them any more.
    page.goto(f"{live_server.url}/candidates/{candidate_id}")
    page.get_by_role("heading", name=f"Erased candidate #{candidate_id}", exact=True).wait_for()
    assert name not in page.content() and email not in page.content()
    for query in (name, email, tag):
        page.goto(f"{live_server.url}/candidates")
        page.get_by_label("Search by name or email").fill(query)
        page.get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"/candidates\?q="))
        assert page.get_by_text("No candidates found.").is_visible(), query
    page.goto(f"{live_server.url}/candidates?q=Erased+candidate+%23{candidate_id}")
    assert page.get_by_role("link", name=f"Erased candidate #{candidate_id}").is_visible()

    with live_server.app.app_context():
        [hold_row] = db.session.execute(
            select(LegalHold).where(LegalHold.candidate_id == candidate_id)
        ).scalars()
        assert hold_row.released_at is not None
        db.session.remove()


def test_a_retention_notice_link_keeps_the_application(live_server, browser):
    tag = uuid4().hex[:8]
    live_server.app.config["BASE_URL"] = live_server.url
    candidate = _candidate(live_server, tag, retain_until=utcnow() + timedelta(days=3))
    candidate_id = int(candidate["id"])  # type: ignore[call-overload]
    with live_server.app.app_context():
        admin = UserFactory(role=Role.ADMIN, email=f"retention.admin.{tag}@example.com")
        admin_email = admin.email
        db.session.remove()

    # The admin sees the notice coming on the privacy page and runs retention now.
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    page = staff.new_page()
    try:
        sign_in(page, live_server, admin_email)
        page.get_by_role("link", name="Privacy", exact=True).click()
        page.get_by_role("heading", name="Privacy and retention").wait_for()
        row = page.locator("#preview tr", has_text=str(candidate["name"]))
        assert "notice" in row.inner_text()
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Run now").click()
        page.get_by_text("Retention run done:").wait_for()
    finally:
        staff.close()

    notices = [body for subject, body in _messages_to(live_server, candidate_id) if "erased soon" in subject]
    assert len(notices) == 1
    keep = _links(notices[0])["keep"]

    visitor = browser.new_context(viewport={"width": 1280, "height": 900})
    page = visitor.new_page()
    try:
        page.goto(f"{live_server.url}{keep}")
        page.get_by_role("heading", name="Keep my application").wait_for()
        # Opening the link (as a mail scanner would) changes nothing.
        with live_server.app.app_context():
            before = db.session.get(Candidate, candidate_id).retain_until  # type: ignore[union-attr]
            db.session.remove()
        assert before is not None and before < utcnow() + timedelta(days=4)
        page.get_by_role("button", name="Keep my application").click()
        page.get_by_role("heading", name="Your application is kept").wait_for()
        shown = page.locator("time").get_attribute("datetime")
    finally:
        visitor.close()

    with live_server.app.app_context():
        kept = db.session.get(Candidate, candidate_id)
        assert kept is not None and kept.retain_until is not None
        assert kept.retain_until > utcnow() + timedelta(days=300)
        assert shown is not None and shown.startswith(kept.retain_until.date().isoformat())
        db.session.remove()


ANSWER = "A create_app function builds the app and its configuration, so tests use their own settings."


def _scored_candidate(live_server, tag: str) -> dict[str, object]:
    """A candidate who submitted a one-question free-text assessment, scored automatically."""
    with live_server.app.app_context():
        recruiter = UserFactory(role=Role.RECRUITER, email=f"scores.recruiter.{tag}@example.com")
        opening = OpeningFactory(title=f"Flask Developer Scores {tag}", created_by_id=recruiter.id)
        application = ApplicationFactory(
            opening=opening,
            candidate__full_name=f"Sami Scores {tag}",
            candidate__email=f"sami.{tag}@example.org",
        )
        assessment = assessment_services.create_assessment(recruiter, opening, {"title": "Screening"})
        assessment_services.add_question(
            recruiter,
            assessment,
            {
                "kind": "free_text",
                "prompt": f"Why use an application factory? {tag}",
                "points": 5,
                "content": {"expected_answer": ANSWER, "key_points": ["A function builds the app."]},
                "skill_id": opening.skills[0].id,
            },
        )
        [issued] = assessment_services.invite(recruiter, assessment, [application])
        attempt = attempts.start_attempt(attempts.invitation_for_token(issued.token))
        [question] = assessment.questions
        attempts.save_answer(attempt, question.id, {"text": "A function builds the app for tests."}, None)
        attempts.submit_attempt(attempt)
        candidate = application.candidate
        data = {
            "id": candidate.id,
            "name": candidate.full_name,
            "token": make_token(candidate, LinkPurpose.SCORES),
            "prompt": question.prompt,
            "recruiter": recruiter.email,
        }
        db.session.remove()
    return data


def test_score_explanations_and_a_human_review_request_for_the_recruiter(live_server, browser):
    tag = uuid4().hex[:8]
    seeded = _scored_candidate(live_server, tag)
    visitor = browser.new_context(viewport={"width": 1280, "height": 900})
    page = visitor.new_page()
    try:
        response = page.goto(f"{live_server.url}/privacy/scores/{seeded['token']}")
        assert response is not None and response.headers["cache-control"] == "no-store"
        page.get_by_role("heading", name="How your answers were scored").wait_for()
        assert page.locator("#human-review-notice").inner_text().strip()
        answer = page.locator("article", has_text=str(seeded["prompt"]))
        assert re.search(r"Score: [\d.]+ of 5(\.0)? \(automatic\)", answer.inner_text()), answer.inner_text()
        answer.get_by_label("Anything the reviewer should know (optional)").fill(f"Please look again {tag}")
        answer.get_by_role("button", name="Ask a person to review this score").click()
        page.get_by_text("Your request was sent").wait_for()
        assert page.get_by_text("You asked for a person to review this score.").is_visible()
        assert page.get_by_role("button", name="Ask a person to review this score").count() == 0
    finally:
        visitor.close()

    with live_server.app.app_context():
        [request] = db.session.execute(
            select(ScoreReviewRequest).where(ScoreReviewRequest.candidate_id == seeded["id"])
        ).scalars()
        assert request.message == f"Please look again {tag}"
        answer_id = request.answer_id
        db.session.remove()

    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    page = staff.new_page()
    try:
        sign_in(page, live_server, str(seeded["recruiter"]))
        todo = page.locator("section", has=page.get_by_role("heading", name="Scores to review on request"))
        item = todo.get_by_role("link", name=re.compile(re.escape(str(seeded["name"]))))
        assert f"Please look again {tag}" in todo.inner_text()
        item.click()
        page.wait_for_url(re.compile(rf"/assessment-attempts/\d+/review#answer-{answer_id}$"))
        assert page.locator(f"#answer-{answer_id}").count() == 1
    finally:
        staff.close()
