"""The reports page in Chromium, on the history ``flask demo-data`` leaves (six months of it): a recruiter
sees every report as an accessible chart and a table, narrows them with the filters, and downloads CSV
files with the page's figures; an interviewer sees only their own interview statistics and a hiring
manager only their openings.

Other browser tests share the live server's database, so the expected figures are the services' at
the time of the test (their hand-checked values are in tests/integration/test_reports.py), never
fixed numbers.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from hirewise.auth.services import find_user_by_email
from hirewise.db import utcnow
from hirewise.demo import DEMO_PASSWORD
from hirewise.extensions import db
from hirewise.openings.models import Opening
from hirewise.reports import services
from hirewise.reports.services import ReportFilters
from hirewise.reports.tables import TABLES
from hirewise.security import report_openings_visible_to

PIPELINE = ("funnel", "speed", "sources", "assessments")
EVERY_REPORT = (*PIPELINE, "interviews")
NOTHING = ["Nothing for these filters."]

# Every table of a report section, as the reader sees it: caption, headers and each row's cells.
READ_TABLES = """tables => tables.map(table => ({
    caption: table.caption.textContent.trim(),
    headers: [...table.tHead.rows[0].cells].map(cell => cell.textContent.trim()),
    rows: [...table.tBodies[0].rows].map(row => [...row.cells].map(cell => cell.textContent.trim())),
}))"""


def _load_demo_history(live_server) -> None:
    app = live_server.app
    with app.app_context():  # ``flask`` pushes one; the test runner does not
        result = app.test_cli_runner().invoke(args=["demo-data", "--candidates", "2"])
        assert result.exit_code == 0, result.output


def _expected(live_server, email: str, name: str, filters: ReportFilters) -> list[dict[str, Any]]:
    """The report's tables as the page should show them, from the services now."""
    with live_server.app.app_context():
        user = find_user_by_email(email)
        report = services.REPORTS[name](user, filters)
        tables = []
        for table in TABLES[name](report):
            rows = [["" if value is None else str(value) for value in row] for row in table.rows]
            if name == "speed" and table.headers[0] == "Application":
                rows = [[f"#{row[0]}", *row[1:]] for row in rows]  # a link to the application
            tables.append(
                {"caption": table.caption, "headers": list(table.headers), "rows": rows or [NOTHING]}
            )
        return tables


def _on_page(page, name: str) -> list[dict[str, Any]]:
    return page.locator(f"section#{name} table").evaluate_all(READ_TABLES)


def _sign_in(browser, base: str, email: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    return context, page


def _check_chart(page, name: str) -> None:
    """One SVG chart with role="img", named by its title and described by the report's summary."""
    section = page.locator(f"section#{name}")
    chart = section.get_by_role("img")
    assert chart.count() == 1
    assert chart.evaluate("element => element.tagName.toLowerCase()") == "svg"
    assert chart.is_visible()
    labels = chart.evaluate(
        """svg => svg.getAttribute('aria-labelledby').split(' ')
            .map(id => document.getElementById(id).textContent.trim())"""
    )
    summary = section.locator(".report-summary").text_content().strip()
    assert len(labels) == 2 and labels[0] and summary
    assert labels[1] == summary  # the chart's description is the summary shown above it


def _csv_tables(path) -> list[dict[str, Any]]:
    """The CSV's tables (a caption row, headers, rows, a blank line each, after the summary)."""
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert lines[0] and lines[0][0] and lines[1] == []
    tables, current = [], None
    for line in lines[2:]:
        if not line:
            current = None
        elif current is None:
            current = {"caption": line[0], "headers": None, "rows": []}
            tables.append(current)
        elif current["headers"] is None:
            current["headers"] = line
        else:
            current["rows"].append(line)
    return tables


def _download(page, name: str, tmp_path) -> list[dict[str, Any]]:
    with page.expect_download() as caught:
        page.locator(f"section#{name}").get_by_role("link", name="Download CSV").click()
    download = caught.value
    assert download.suggested_filename == f"hirewise-{name}-report.csv"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return _csv_tables(target)


def _as_csv(tables: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """The page's tables as the CSV writes them: no "nothing" row, applications without their '#'."""
    result = []
    for table in tables:
        rows = [] if table["rows"] == [NOTHING] else table["rows"]
        if name == "speed" and table["headers"][0] == "Application":
            rows = [[row[0].removeprefix("#"), *row[1:]] for row in rows]
        result.append({**table, "rows": rows})
    return result


def _number(tables: list[dict[str, Any]], caption: str, first_cell: str, column: int) -> int:
    [table] = [table for table in tables if table["caption"] == caption]
    [row] = [row for row in table["rows"] if row[0] == first_cell]
    return int(row[column])


def test_a_recruiter_reads_filters_and_downloads_every_report(live_server, browser, tmp_path) -> None:
    _load_demo_history(live_server)
    base = live_server.url
    context, page = _sign_in(browser, base, "recruiter@example.com")
    try:
        page.get_by_role("link", name="Reports").first.click()
        page.wait_for_url(f"{base}/reports/**")
        page.get_by_role("heading", name="Reports", level=1).wait_for()
        assert page.locator("section.report").evaluate_all("sections => sections.map(s => s.id)") == list(
            EVERY_REPORT
        )
        everything = {}
        for name in EVERY_REPORT:
            _check_chart(page, name)
            everything[name] = _on_page(page, name)
            assert everything[name] == _expected(live_server, "recruiter@example.com", name, ReportFilters())
        # Six months of history: every table has figures to show.
        assert all(
            table["rows"] != [NOTHING]
            for name in ("funnel", "sources", "assessments")
            for table in everything[name]
        )
        applications = _number(everything["funnel"], "Applications per stage", "Applied", 1)

        # One opening: every figure is that opening's, and the filter stays chosen.
        with live_server.app.app_context():
            opening_id = db.session.execute(
                select(Opening.id).where(Opening.title == "Senior Flask Developer")
            ).scalar_one()
        page.locator("select[name=opening_id]").select_option(label="Senior Flask Developer")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(f"**/reports/?*opening_id={opening_id}*")
        assert page.locator("select[name=opening_id]").input_value() == str(opening_id)
        one_opening = ReportFilters(opening_id=opening_id)
        narrowed = {}
        for name in EVERY_REPORT:
            _check_chart(page, name)
            narrowed[name] = _on_page(page, name)
            assert narrowed[name] == _expected(live_server, "recruiter@example.com", name, one_opening)
        in_opening = _number(narrowed["funnel"], "Applications per stage", "Applied", 1)
        assert 0 < in_opening < applications
        assert narrowed["assessments"] != everything["assessments"]
        assessment_rows = narrowed["assessments"][0]["rows"]
        assert {row[1] for row in assessment_rows} == {"Senior Flask Developer"}

        # Then the last 60 days of it: fewer applications again.
        since = (utcnow() - timedelta(days=60)).date()
        page.locator("input[name=date_from]").fill(since.isoformat())
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(f"**/reports/?*date_from={since.isoformat()}*")
        recent_filters = ReportFilters(opening_id=opening_id, date_from=since)
        recent = {}
        for name in EVERY_REPORT:
            recent[name] = _on_page(page, name)
            assert recent[name] == _expected(live_server, "recruiter@example.com", name, recent_filters)
        assert 0 < _number(recent["funnel"], "Applications per stage", "Applied", 1) < in_opening

        # Each CSV download keeps the filters and holds the page's figures.
        for name in EVERY_REPORT:
            assert _download(page, name, tmp_path) == _as_csv(recent[name], name)
    finally:
        context.close()


def test_an_interviewer_sees_only_their_interview_statistics(live_server, browser, tmp_path) -> None:
    _load_demo_history(live_server)
    base = live_server.url
    context, page = _sign_in(browser, base, "interviewer@example.com")
    try:
        page.goto(f"{base}/reports/")
        assert page.locator("section.report").evaluate_all("sections => sections.map(s => s.id)") == [
            "interviews"
        ]
        _check_chart(page, "interviews")
        tables = _on_page(page, "interviews")
        assert tables == _expected(live_server, "interviewer@example.com", "interviews", ReportFilters())
        for table in tables:
            names = {row[0] if table["headers"][0] == "Interviewer" else row[1] for row in table["rows"]}
            assert names == {"Ivan Interviewer"}
        # ... while the recruiter's page lists the whole panel of the demo history.
        everyone = _expected(live_server, "recruiter@example.com", "interviews", ReportFilters())
        assert len({row[0] for row in everyone[0]["rows"]}) > 1
        assert _download(page, "interviews", tmp_path) == _as_csv(tables, "interviews")
        # The pipeline reports are not theirs, neither on the page nor as a download.
        assert context.request.get(f"{base}/reports/funnel.csv").status == 403
    finally:
        context.close()


def test_a_hiring_manager_sees_only_their_openings(live_server, browser) -> None:
    _load_demo_history(live_server)
    base = live_server.url
    with live_server.app.app_context():
        manager = find_user_by_email("manager@example.com")
        theirs = set(
            db.session.execute(select(Opening.title).where(report_openings_visible_to(manager))).scalars()
        )
        every = set(db.session.execute(select(Opening.title)).scalars())
    assert "Senior Flask Developer" in theirs and "Flask Developer (API platform)" not in theirs
    assert theirs < every
    context, page = _sign_in(browser, base, "manager@example.com")
    try:
        page.goto(f"{base}/reports/")
        offered = page.locator("select[name=opening_id] option").all_text_contents()
        assert offered[0] == "All openings" and set(offered[1:]) == theirs
        for name in EVERY_REPORT:
            _check_chart(page, name)
            assert _on_page(page, name) == _expected(
                live_server, "manager@example.com", name, ReportFilters()
            )
        assessment_openings = {row[1] for row in _on_page(page, "assessments")[0]["rows"]}
        assert assessment_openings <= theirs and "Flask Developer (API platform)" not in assessment_openings
    finally:
        context.close()
