"""Importing candidates in Chromium, as the embedded default runs it: upload, the mapping step with
the date order read from the file, then the progress bar while the import runs in its own thread,
and the report once the page has reloaded itself."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

from sqlalchemy import select

from hirewise.auth import services as auth_services
from hirewise.auth.models import Role
from hirewise.candidates.models import Application, Candidate
from hirewise.extensions import db
from hirewise.openings import services as opening_services
from hirewise.openings.models import OpeningStatus

PASSWORD = "a long e2e password"
ROWS = 20_000


def _recruiter_and_opening(live_server, tag: str) -> tuple[str, int]:
    with live_server.app.test_request_context(base_url=live_server.url):
        recruiter = auth_services.create_user(
            None,
            email=f"rita.{tag}@example.com",
            full_name=f"Rita {tag}",
            role=Role.RECRUITER,
            password=PASSWORD,
        )
        db.session.commit()
        opening = opening_services.create_opening(recruiter, title=f"Import {tag}", status=OpeningStatus.OPEN)
        db.session.commit()
        return recruiter.email, opening.id


def _european_file(folder: Path, tag: str) -> Path:
    """Day-first dates, most of them ambiguous (03/04/2024); the days above 12 tell the order."""
    lines = ["Full name;Email;Applied"]
    lines += [
        f"Zoë Person {n} {tag};person{n}.{tag}@example.com;{1 + n % 28:02d}/{1 + n % 12:02d}/2024"
        for n in range(ROWS)
    ]
    path = folder / "people.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    return path


def test_a_recruiter_imports_a_large_file_and_watches_it_progress(live_server, browser, tmp_path) -> None:
    tag = uuid4().hex[:6]
    email, opening_id = _recruiter_and_opening(live_server, tag)
    config = live_server.app.config
    config["INLINE_LONG_TASKS_IN_THREAD"] = (
        True  # as `make run` has it (the suite's default runs it in the request)
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)

        page.goto(f"{live_server.url}/openings/{opening_id}/applications")
        page.get_by_label("File").set_input_files(str(_european_file(tmp_path, tag)))
        page.get_by_role("button", name="Upload and check columns").click()
        page.get_by_role("heading", name="Which column is which?").wait_for()
        assert "encoding cp1252" in page.content() and "delimiter semicolon" in page.content()
        date_column = page.get_by_label("Column Applied becomes")
        assert (
            date_column.locator("option:checked").inner_text() == "Applied date, day/month/year (31/12/2024)"
        )

        page.get_by_role("button", name=f"Import {ROWS} row(s)").click()
        bar = page.locator("progress#import-bar")
        bar.wait_for()
        # The page came back while the rows are still being checked and loaded.
        assert page.get_by_role("heading", name="Importing…").is_visible()
        page.get_by_role(
            "heading", name="Imported", exact=True
        ).wait_for()  # the page reloads itself when done
        assert (
            f"{ROWS} new, 0 merged, 0 skipped, 0 with errors" in page.locator("#import-counts").inner_text()
        )
        assert bar.get_attribute("value") == "100"
    finally:
        config["INLINE_LONG_TASKS_IN_THREAD"] = False
        context.close()

    with live_server.app.app_context():
        applied = db.session.execute(
            select(Application.applied_at)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .where(Candidate.email == f"person13.{tag}@example.com")
        ).scalar_one()
        assert applied.date().isoformat() == "2024-02-14"  # 14/02/2024, day first
