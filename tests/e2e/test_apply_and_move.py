"""A person applies on the careers page with a PDF; a recruiter finds it and drags it to Screen."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from sqlalchemy import select

from hirewise.auth import services as auth_services
from hirewise.auth.models import Role
from hirewise.candidates.models import Application, ResumeStatus
from hirewise.extensions import db
from hirewise.kits import services as kit_services
from hirewise.openings import services as opening_services
from hirewise.openings.models import OpeningStatus

RECRUITER_EMAIL = "e2e.recruiter@example.com"
RECRUITER_PASSWORD = "a long e2e password"


def _resume_pdf(path: Path) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(
        0,
        8,
        "Grace Hopper. Five years building Flask apps with blueprints and SQLAlchemy.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.multi_cell(
        0, 8, "Tested everything with pytest; deployed with Docker.", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.output(str(path))
    return path


def _prepare(live_server) -> int:
    with live_server.app.app_context():
        kit_services.ensure_builtin_kits()
        recruiter = auth_services.create_user(
            None,
            email=RECRUITER_EMAIL,
            full_name="Rita Recruiter",
            role=Role.RECRUITER,
            password=RECRUITER_PASSWORD,
        )
        db.session.commit()
        kit = kit_services.get_kit_by_slug("flask-developer")
        opening = opening_services.create_opening(
            recruiter,
            title="Flask Developer E2E",
            kit_id=kit.id,
            status=OpeningStatus.OPEN,
            location="Remote",
        )
        return opening.id


def test_apply_with_pdf_then_recruiter_moves_it_to_screen(live_server, browser, tmp_path):
    opening_id = _prepare(live_server)
    resume = _resume_pdf(tmp_path / "grace_hopper_cv.pdf")

    # The applicant, in their own browser.
    applicant = browser.new_context(viewport={"width": 390, "height": 844})
    page = applicant.new_page()
    page.goto(f"{live_server.url}/careers")
    page.get_by_role("link", name="Flask Developer E2E").first.click()
    page.get_by_role("link", name="Apply").first.click()
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace.hopper@example.com")
    page.locator("input[type=file]").set_input_files(str(resume))
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Send application").click()
    page.wait_for_url("**/applied")
    assert "confirmation" in page.content().lower()
    applicant.close()

    # The recruiter, in another browser.
    recruiter = browser.new_context(viewport={"width": 1400, "height": 900})
    page = recruiter.new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill(RECRUITER_EMAIL)
    page.get_by_label("Password").fill(RECRUITER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/openings/{opening_id}/board")
    card = page.locator(".board-card", has_text="Grace Hopper")
    applied_column = page.locator('.board-cards[data-stage-name="Applied"]')
    assert applied_column.locator(".board-card", has_text="Grace Hopper").count() == 1

    card.get_by_role("link", name="Grace Hopper").click()
    body = page.locator("main")
    assert "pytest" in body.inner_text()  # the extracted résumé text
    assert "Flask core framework" in body.inner_text()  # a skill detected from the scorecard keywords
    page.go_back()

    screen_column = page.locator('.board-cards[data-stage-name="Screen"]')
    with page.expect_response(lambda r: "/move" in r.url and r.request.method == "POST") as moved:
        card.drag_to(screen_column)
    assert moved.value.ok
    page.reload()
    assert (
        page.locator('.board-cards[data-stage-name="Screen"] .board-card', has_text="Grace Hopper").count()
        == 1
    )
    recruiter.close()

    with live_server.app.app_context():
        application = db.session.execute(select(Application)).scalar_one()
        assert application.stage.name == "Screen"
        assert application.resume_status == ResumeStatus.EXTRACTED
