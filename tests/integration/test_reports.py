"""The reports' figures against a hand computation on tests/reports_world.py, the CSV export and the
API giving the same numbers, who sees what, and SQL statements constant in the number of rows."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from hirewise.auth.models import Role
from hirewise.auth.services import create_api_token
from hirewise.candidates.models import ApplicationSource
from hirewise.errors import PermissionDenied
from hirewise.extensions import db
from hirewise.reports import services
from hirewise.reports.services import ReportFilters
from hirewise.reports.stats import percentile_cont
from tests.conftest import sql_count
from tests.reports_world import NOW, World, build_world, with_history

ALL = ReportFilters()


@pytest.fixture
def world() -> World:
    return build_world()


def test_percentile_cont_interpolates_like_postgresql() -> None:
    assert percentile_cont([1, 2, 4, 6], 0.5) == 3.0
    assert percentile_cont([1, 2, 4, 6], 0.9) == pytest.approx(5.4)
    assert percentile_cont([7], 0.9) == 7.0
    assert percentile_cont([], 0.5) is None


def test_funnel_matches_the_hand_computation(world: World) -> None:
    report = services.funnel(world.recruiter, ALL)
    assert report.applications == 5
    assert report.hired == 1
    rows = {row.stage: (row.reached, row.current, row.conversion_percent) for row in report.stages}
    assert [row.stage for row in report.stages] == [
        "Applied", "Screen", "Assessment", "Interview", "Offer", "Hired", "Rejected",
    ]  # fmt: skip
    assert rows == {
        "Applied": (5, 1, 60.0),
        "Screen": (3, 1, 33.3),
        "Assessment": (1, 0, 100.0),
        "Interview": (1, 0, 100.0),
        "Offer": (1, 0, 100.0),
        "Hired": (1, 1, None),
        "Rejected": (0, 2, None),
    }
    assert [(row.stage, row.reason, row.applications) for row in report.drop_off] == [
        ("Applied", "No Flask", 1),
        ("Screen", "Salary", 1),
    ]
    assert report.summary.startswith("5 applications, 1 hired (20.0% of applications).")


def test_speed_matches_the_hand_computation(world: World) -> None:
    report = services.speed(world.recruiter, ALL, now=NOW)
    stages = {row.stage: (row.stays, row.median_days, row.p90_days) for row in report.stages}
    assert stages == {
        "Applied": (4, 3.0, 5.4),  # 1, 2, 4, 6 days
        "Screen": (2, 3.5, 3.9),  # 3, 4 days
        "Assessment": (0, None, None),
        "Interview": (1, 4.0, 4.0),
        "Offer": (1, 1.0, 1.0),
    }
    assert (report.first_action.count, report.first_action.median_days, report.first_action.p90_days) == (
        4,
        3.0,
        5.4,
    )
    assert (report.time_to_hire.count, report.time_to_hire.median_days, report.time_to_hire.p90_days) == (
        1,
        10.0,
        10.0,
    )
    assert report.stuck_count == 2
    assert [(row.application_id, row.stage, row.days_in_stage) for row in report.stuck] == [
        (world.applications["a4"].id, "Applied", 27.0),
        (world.applications["b1"].id, "Screen", 24.0),
    ]
    longer = services.speed(world.recruiter, ReportFilters(stuck_days=25), now=NOW)
    assert [row.application_id for row in longer.stuck] == [world.applications["a4"].id]


def test_sources_match_the_hand_computation(world: World) -> None:
    report = services.sources(world.recruiter, ALL)
    assert [(r.source, r.applications, r.interviews, r.offers, r.hires) for r in report.sources] == [
        ("careers", 3, 2, 1, 1),  # a1 and b1 were interviewed, a1 hired
        ("referral", 1, 0, 0, 0),  # its interview was cancelled
        ("sourced", 1, 0, 0, 0),
    ]
    assert report.sources[0].hire_rate_percent == 33.3


def test_assessments_match_the_hand_computation(world: World) -> None:
    (row,) = services.assessments(world.recruiter, ALL).assessments
    assert (row.invited, row.started, row.submitted, row.scored, row.passed) == (4, 3, 2, 2, 1)
    assert (row.completion_percent, row.pass_percent) == (50.0, 50.0)
    assert row.distribution == [0, 1, 0, 1, 0]  # 35 % and 75 %
    assert (row.median_minutes, row.p90_minutes) == (40.0, 48.0)
    first, second = row.questions
    assert (first.answers, first.mean_percent, first.distribution) == (
        2,
        70.0,
        [0, 0, 1, 0, 1],
    )  # 100, 40 (override)
    assert (second.answers, second.mean_percent, second.distribution) == (2, 40.0, [0, 1, 1, 0, 0])  # 50, 30


def test_interviews_match_the_hand_computation(world: World) -> None:
    report = services.interviews(world.recruiter, ALL, now=NOW)
    weeks = [(row.week, row.interviewer, row.interviews) for row in report.weeks]
    assert weeks == [
        (date(2026, 6, 1), "Iris Two", 1),
        (date(2026, 6, 1), "Ivan One", 1),
        (date(2026, 6, 8), "Ivan One", 1),
    ]
    people = {
        row.interviewer: (
            row.interviews,
            row.feedback_due,
            row.on_time,
            row.late,
            row.missing,
            row.on_time_percent,
        )
        for row in report.interviewers
    }
    assert people == {"Ivan One": (2, 2, 1, 0, 1, 50.0), "Iris Two": (1, 1, 0, 1, 0, 0.0)}


def test_filters_narrow_every_report(world: World) -> None:
    careers = ReportFilters(source=ApplicationSource.CAREERS)
    assert services.funnel(world.recruiter, careers).applications == 3
    only_a = ReportFilters(opening_id=world.opening_a.id)
    assert services.funnel(world.recruiter, only_a).applications == 4
    team = ReportFilters(hiring_manager_id=world.manager.id)
    assert services.funnel(world.recruiter, team).applications == 4
    early = ReportFilters(date_from=date(2026, 6, 1), date_to=date(2026, 6, 1))  # a1, a2, b1 applied on day 0
    assert services.funnel(world.recruiter, early).applications == 3
    assert services.speed(world.recruiter, early, now=NOW).time_to_hire.count == 1
    second_week = ReportFilters(date_from=date(2026, 6, 8))
    assert [
        row.interviewer for row in services.interviews(world.recruiter, second_week, now=NOW).interviewers
    ] == ["Ivan One"]


def test_a_hiring_manager_sees_their_openings_only(world: World) -> None:
    assert services.funnel(world.manager, ALL).applications == 4
    assert {row.source for row in services.sources(world.manager, ALL).sources} == {
        "careers",
        "referral",
        "sourced",
    }
    with pytest.raises(PermissionDenied):
        services.funnel(world.manager, ReportFilters(opening_id=world.opening_b.id))
    interviews = services.interviews(world.manager, ALL, now=NOW)
    assert {(row.interviewer, row.interviews) for row in interviews.interviewers} == {
        ("Ivan One", 1),
        ("Iris Two", 1),
    }


def test_an_interviewer_sees_only_their_own_interview_statistics(world: World) -> None:
    report = services.interviews(world.interviewer1, ALL, now=NOW)
    assert [(row.interviewer, row.interviews) for row in report.interviewers] == [("Ivan One", 2)]
    for name in services.PIPELINE_REPORTS:
        with pytest.raises(PermissionDenied):
            services.REPORTS[name](world.interviewer1, ALL)


@pytest.mark.parametrize(
    ("role", "pipeline_status", "interviews_status"),
    [
        (Role.ADMIN, 200, 200),
        (Role.RECRUITER, 200, 200),
        (Role.HIRING_MANAGER, 200, 200),
        (Role.INTERVIEWER, 403, 200),
    ],
)
def test_report_access_per_role(client, auth, world: World, role, pipeline_status, interviews_status) -> None:
    user = auth.login(role)
    page = client.get("/reports/")
    assert page.status_code == 200
    assert ('id="funnel"' in page.get_data(as_text=True)) == (pipeline_status == 200)
    assert client.get("/reports/funnel.csv").status_code == pipeline_status
    assert client.get("/reports/interviews.csv").status_code == interviews_status
    _, raw = create_api_token(user, "reports", "read")
    db.session.commit()
    bearer = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/reports/speed", headers=bearer).status_code == pipeline_status
    assert client.get("/api/v1/reports/interviews", headers=bearer).status_code == interviews_status


def test_the_page_shows_accessible_charts_tables_and_summaries(client, auth, world: World) -> None:
    auth.login(world.recruiter)
    body = client.get("/reports/").get_data(as_text=True)
    for name in services.REPORTS:
        assert f'id="{name}"' in body
        assert f'id="chart-{name}-title"' in body
    assert body.count('role="img"') >= 5
    assert "5 applications, 1 hired" in body
    stuck = world.applications["a4"].id  # linked from the speed report's list of stuck applications
    assert f'<a href="/applications/{stuck}">#{stuck}</a>' in body
    assert client.get("/reports/?date_from=2026-06-10&date_to=2026-06-01").status_code == 422
    assert client.get("/reports/?stuck_days=0").status_code == 422
    assert client.get("/reports/nothing.csv").status_code == 404


def test_the_filter_form_as_a_browser_sends_it_leaves_blank_fields_out(client, auth, world: World) -> None:
    auth.login(world.recruiter)
    blank = "hiring_manager_id=&source=&opening_status=&date_from=&date_to=&stuck_days=14"
    body = client.get(f"/reports/?opening_id={world.opening_b.id}&{blank}").get_data(as_text=True)
    assert "1 application, 0 hired" in body  # opening B only, one application: no plural
    assert client.get(f"/reports/funnel.csv?opening_id=&{blank}").status_code == 200
    assert client.get(f"/reports/?opening_id=&{blank.replace('source=', 'source=fax')}").status_code == 422


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _api(client, user, name: str, query: str = "") -> dict:
    _, raw = create_api_token(user, f"reports-{name}", "read")
    db.session.commit()
    response = client.get(f"/api/v1/reports/{name}{query}", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_csv_and_api_give_the_same_numbers(client, auth, world: World) -> None:
    auth.login(world.recruiter)
    query = f"?opening_id={world.opening_a.id}"
    funnel_rows = _csv_rows(client.get(f"/reports/funnel.csv{query}").data)
    funnel_api = _api(client, world.recruiter, "funnel", query)
    assert funnel_rows[0] == [funnel_api["summary"]]
    table = funnel_rows[
        funnel_rows.index(["Stage", "Reached (or passed)", "In stage now", "Conversion to next stage (%)"])
        + 1 :
    ]
    for stage in funnel_api["stages"]:
        row = table.pop(0)
        assert row == [
            stage["stage"],
            str(stage["reached"]),
            str(stage["current"]),
            "" if stage["conversion_percent"] is None else str(stage["conversion_percent"]),
        ]

    speed_rows = _csv_rows(client.get("/reports/speed.csv").data)
    speed_api = _api(client, world.recruiter, "speed")
    by_measure = {row[0]: row[1:] for row in speed_rows if row}
    for stage in speed_api["stages"]:
        expected = [
            str(stage["stays"]),
            *("" if stage[k] is None else str(stage[k]) for k in ("median_days", "p90_days")),
        ]
        assert by_measure[f"In stage: {stage['stage']}"] == expected
    hire = speed_api["time_to_hire"]
    assert by_measure["Time to hire"] == [str(hire["count"]), str(hire["median_days"]), str(hire["p90_days"])]
    assert speed_api["stuck_count"] == 2

    sources_rows = _csv_rows(client.get("/reports/sources.csv").data)
    sources_api = _api(client, world.recruiter, "sources")
    header = sources_rows.index(["Source", "Applications", "Interviewed", "Offers", "Hires", "Hire rate (%)"])
    for offset, row in enumerate(sources_api["sources"], start=1):
        assert sources_rows[header + offset][:5] == [
            row["source"],
            *(str(row[k]) for k in ("applications", "interviews", "offers", "hires")),
        ]

    assessment_rows = _csv_rows(client.get("/reports/assessments.csv").data)
    (assessment,) = _api(client, world.recruiter, "assessments")["assessments"]
    line = next(row for row in assessment_rows if row and row[0] == "Screening")
    assert line[2:11] == [
        str(assessment[k])
        for k in (
            "invited",
            "started",
            "submitted",
            "completion_percent",
            "scored",
            "passed",
            "pass_percent",
            "median_minutes",
            "p90_minutes",
        )
    ]
    assert line[11:] == [str(count) for count in assessment["distribution"]]
    # A prompt that a spreadsheet would run as a formula is defused, as in the applications export.
    assert any(row[:3] == ["Screening", "2", "'=HYPERLINK()"] for row in assessment_rows)

    interview_rows = _csv_rows(client.get("/reports/interviews.csv").data)
    interviews_api = _api(client, world.recruiter, "interviews")
    for person in interviews_api["interviewers"]:
        row = next(r for r in interview_rows if r and r[0] == person["interviewer"])
        assert row[1:6] == [
            str(person[k]) for k in ("interviews", "feedback_due", "on_time", "late", "missing")
        ]
    assert sum(w["interviews"] for w in interviews_api["weeks"]) == 3


def test_api_refuses_bad_filters_with_the_error_envelope(client, world: World) -> None:
    _, raw = create_api_token(world.recruiter, "bad", "read")
    db.session.commit()
    bearer = {"Authorization": f"Bearer {raw}"}
    for query in (
        "?source=fax",
        "?stuck_days=1000",
        "?date_from=2026-06-02&date_to=2026-06-01",
        "?opening_id=0",
    ):
        response = client.get(f"/api/v1/reports/funnel{query}", headers=bearer)
        assert response.status_code == 422, query
        assert response.get_json()["error"]["status"] == 422
    assert client.get("/api/v1/reports/funnel?opening_id=999999", headers=bearer).status_code == 404
    assert client.get("/api/v1/reports/funnel?date_to=9999-12-31", headers=bearer).status_code == 200


def _statements(app, run) -> int:
    with sql_count(app) as statements:
        run()
    return len(statements)


@pytest.mark.parametrize("name", sorted(services.REPORTS))
def test_statements_per_report_do_not_grow_with_the_rows(app, world: World, name: str) -> None:
    def run() -> None:
        kwargs = {"now": NOW} if name in ("speed", "interviews") else {}
        services.REPORTS[name](world.recruiter, ReportFilters(), **kwargs)

    before = _statements(app, run)
    for index in range(6):
        with_history(
            world.opening_a if index % 2 else world.opening_b,
            ApplicationSource.REFERRAL,
            [("Applied", index), ("Screen", index + 1), ("Interview", index + 3)],
        )
    db.session.expire_all()
    assert _statements(app, run) == before
