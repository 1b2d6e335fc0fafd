"""A résumé over the size limit never costs the applicant what they typed, with or without JavaScript."""

from __future__ import annotations

from pathlib import Path

from hirewise.auth import services as auth_services
from hirewise.auth.models import Role
from hirewise.extensions import db
from hirewise.kits import services as kit_services
from hirewise.openings import services as opening_services
from hirewise.openings.models import OpeningStatus

COVER_LETTER = "I wrote the first compiler.\nAnd I debugged a moth."


def _apply_url(live_server, title: str) -> str:
    with live_server.app.app_context():
        kit_services.ensure_builtin_kits()
        recruiter = auth_services.create_user(
            None,
            email=f"{title.split()[0].lower()}.limit.recruiter@example.com",
            full_name="Lim Recruiter",
            role=Role.RECRUITER,
            password="a long e2e password",
        )
        db.session.commit()
        kit = kit_services.get_kit_by_slug("flask-developer")
        opening = opening_services.create_opening(
            recruiter, title=title, kit_id=kit.id, status=OpeningStatus.OPEN, location="Remote"
        )
        return f"{live_server.url}/careers/{opening.slug}/apply"


def _too_large(tmp_path: Path, app) -> Path:
    path = tmp_path / "huge-cv.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"0" * (app.config["MAX_RESUME_BYTES"] + 1024 * 1024))
    return path


def _fill(page) -> None:
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace.limit@example.com")
    page.get_by_label("Cover letter (optional)").fill(COVER_LETTER)
    page.locator("input[name=consent]").check()


def test_the_page_refuses_a_too_large_file_before_sending_it(live_server, browser, tmp_path):
    url = _apply_url(live_server, "Scripted Limit Opening")
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    _fill(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.method))
    page.locator("input[type=file]").set_input_files(str(_too_large(tmp_path, live_server.app)))
    alert = page.locator("#resume-size-error")
    assert "larger than 5 MB" in alert.inner_text()
    assert page.locator("input[type=file]").evaluate("input => input.files.length") == 0
    assert "POST" not in requests  # nothing was sent
    assert page.get_by_label("Full name").input_value() == "Grace Hopper"
    assert page.get_by_label("Cover letter (optional)").input_value() == COVER_LETTER
    context.close()


def test_without_javascript_the_413_answer_is_the_form_filled_in(live_server, browser, tmp_path):
    url = _apply_url(live_server, "Plain Limit Opening")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url)
    _fill(page)
    page.locator("input[type=file]").set_input_files(str(_too_large(tmp_path, live_server.app)))
    with page.expect_response(lambda response: response.request.method == "POST") as answered:
        page.get_by_role("button", name="Send application").click()
    assert answered.value.status == 413
    page.wait_for_load_state()
    assert "a résumé may be at most 5 MB" in page.locator("main").inner_text()
    assert page.get_by_label("Full name").input_value() == "Grace Hopper"
    assert page.get_by_label("Email").input_value() == "grace.limit@example.com"
    assert page.get_by_label("Cover letter (optional)").input_value() == COVER_LETTER
    assert page.locator("input[name=consent]").is_checked()
    context.close()


def test_the_page_refuses_a_file_of_another_type_before_sending_it(live_server, browser, tmp_path):
    url = _apply_url(live_server, "Typed Limit Opening")
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    file_input = page.locator("input[type=file]")
    assert ".pdf" in file_input.get_attribute("accept") and ".docx" in file_input.get_attribute("accept")
    _fill(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.method))
    picture = tmp_path / "cv.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    file_input.set_input_files(str(picture))
    assert "PDF or Word (.docx)" in page.locator("#resume-size-error").inner_text()
    assert file_input.evaluate("input => input.files.length") == 0
    assert "POST" not in requests
    assert page.get_by_label("Cover letter (optional)").input_value() == COVER_LETTER

    resume = tmp_path / "cv.PDF"
    resume.write_bytes(b"%PDF-1.4\n" + b"0" * 100)
    file_input.set_input_files(str(resume))
    assert page.locator("#resume-size-error").count() == 0
    context.close()
