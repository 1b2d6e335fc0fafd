"""Each report as a table (headers and rows) and as a chart: the page shows both, the CSV export is
the same table, so the page, the CSV and the API (the same report object) cannot disagree."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from hirewise.candidates.transfer import BOM, spreadsheet_safe
from hirewise.reports.charts import MAX_SERIES, Series, bar_chart
from hirewise.reports.figures import (
    AssessmentsReport,
    FunnelReport,
    InterviewsReport,
    SourcesReport,
    SpeedReport,
)
from hirewise.reports.stats import SCORE_BUCKETS, bucket_label


@dataclass(frozen=True)
class Table:
    caption: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]


def _blank(value: Any) -> Any:
    return "" if value is None else value


def funnel_tables(report: FunnelReport) -> list[Table]:
    return [
        Table(
            "Applications per stage",
            ("Stage", "Reached (or passed)", "In stage now", "Conversion to next stage (%)"),
            [(row.stage, row.reached, row.current, _blank(row.conversion_percent)) for row in report.stages],
        ),
        Table(
            "Drop-off: rejections by stage and reason",
            ("Rejected from stage", "Reason", "Applications"),
            [(row.stage, row.reason, row.applications) for row in report.drop_off],
        ),
    ]


def speed_tables(report: SpeedReport) -> list[Table]:
    rows: list[Sequence[Any]] = [
        (f"In stage: {row.stage}", row.stays, _blank(row.median_days), _blank(row.p90_days))
        for row in report.stages
    ]
    for label, spread in (
        ("Time to first action", report.first_action),
        ("Time to hire", report.time_to_hire),
    ):
        rows.append((label, spread.count, _blank(spread.median_days), _blank(spread.p90_days)))
    return [
        Table(
            "Time in each stage, to first action and to hire",
            ("Measure", "Count", "Median (days)", "90th percentile (days)"),
            rows,
        ),
        Table(
            f"Stuck for more than {report.stuck_days} days ({report.stuck_count}; the longest first)",
            ("Application", "Candidate", "Opening", "Stage", "Days in stage"),
            [
                (row.application_id, row.candidate, row.opening, row.stage, row.days_in_stage)
                for row in report.stuck
            ],
        ),
    ]


def sources_tables(report: SourcesReport) -> list[Table]:
    return [
        Table(
            "Applications, interviews, offers and hires per source",
            ("Source", "Applications", "Interviewed", "Offers", "Hires", "Hire rate (%)"),
            [
                (
                    row.source,
                    row.applications,
                    row.interviews,
                    row.offers,
                    row.hires,
                    _blank(row.hire_rate_percent),
                )
                for row in report.sources
            ],
        )
    ]


def assessments_tables(report: AssessmentsReport) -> list[Table]:
    buckets = [bucket_label(index) for index in range(len(SCORE_BUCKETS))]
    return [
        Table(
            "Per assessment",
            (
                "Assessment", "Opening", "Invited", "Started", "Submitted", "Completion (%)", "Scored",
                "Passed", "Pass rate (%)", "Median time (min)", "90th percentile time (min)", *buckets,
            ),
            [
                (
                    row.title, row.opening, row.invited, row.started, row.submitted, _blank(row.completion_percent),
                    row.scored, row.passed, _blank(row.pass_percent), _blank(row.median_minutes),
                    _blank(row.p90_minutes), *row.distribution,
                )
                for row in report.assessments
            ],
        ),
        Table(
            "Per question",
            ("Assessment", "Question", "Prompt", "Answers", "Mean score (%)", *buckets),
            [
                (row.title, question.position + 1, question.prompt, question.answers, _blank(question.mean_percent), *question.distribution)
                for row in report.assessments
                for question in row.questions
            ],
        ),
    ]  # fmt: skip


def interviews_tables(report: InterviewsReport) -> list[Table]:
    return [
        Table(
            f"Feedback on time (within {report.grace_hours} h of the interview's end)",
            ("Interviewer", "Interviews", "Feedback due", "On time", "Late", "Missing", "On time (%)"),
            [
                (
                    row.interviewer,
                    row.interviews,
                    row.feedback_due,
                    row.on_time,
                    row.late,
                    row.missing,
                    _blank(row.on_time_percent),
                )
                for row in report.interviewers
            ],
        ),
        Table(
            "Interviews per week per interviewer",
            ("Week of", "Interviewer", "Interviews"),
            [(row.week.isoformat(), row.interviewer, row.interviews) for row in report.weeks],
        ),
    ]


TABLES: dict[str, Callable[[Any], list[Table]]] = {
    "funnel": funnel_tables,
    "speed": speed_tables,
    "sources": sources_tables,
    "assessments": assessments_tables,
    "interviews": interviews_tables,
}


def chart(name: str, report: Any) -> Markup:
    """The report's chart, with the report's one-line summary as its description."""
    summary = report.summary
    if name == "funnel":
        stages = [row for row in report.stages if row.kind != "rejected"]
        return bar_chart(
            "chart-funnel", "Funnel: applications that reached each stage", summary,
            [row.stage for row in stages], [Series("Reached", [row.reached for row in stages])],
        )  # fmt: skip
    if name == "speed":
        return bar_chart(
            "chart-speed", "Days in each stage", summary, [row.stage for row in report.stages],
            [Series("Median", [row.median_days for row in report.stages]), Series("90th percentile", [row.p90_days for row in report.stages])],
            unit=" d",
        )  # fmt: skip
    if name == "sources":
        rows = report.sources
        return bar_chart(
            "chart-sources", "Applications, interviews, offers and hires per source", summary, [row.source for row in rows],
            [
                Series("Applications", [row.applications for row in rows]), Series("Interviewed", [row.interviews for row in rows]),
                Series("Offers", [row.offers for row in rows]), Series("Hires", [row.hires for row in rows]),
            ],
        )  # fmt: skip
    if name == "assessments":
        shown = report.assessments[:MAX_SERIES]
        return bar_chart(
            "chart-assessments", "Score distribution per assessment (scored attempts)", summary,
            [bucket_label(index) for index in range(len(SCORE_BUCKETS))],
            [Series(f"{row.title} ({row.opening})", row.distribution) for row in shown],
        )  # fmt: skip
    weeks = sorted({row.week for row in report.weeks})
    people = sorted({(row.interviewer_id, row.interviewer) for row in report.weeks}, key=lambda p: p[1])
    counts = {(row.interviewer_id, row.week): row.interviews for row in report.weeks}
    series = [
        Series(name_, [counts.get((person, week), 0) for week in weeks])
        for person, name_ in people[: MAX_SERIES - 1]
    ]
    if len(people) >= MAX_SERIES:
        others = people[MAX_SERIES - 1 :]
        series.append(
            Series("Others", [sum(counts.get((person, week), 0) for person, _ in others) for week in weeks])
        )
    return bar_chart(
        "chart-interviews", "Interviews per week per interviewer", summary,
        [f"Week of {week.isoformat()}" for week in weeks], series, stacked=True,
    )  # fmt: skip


def to_csv(name: str, report: Any) -> bytes:
    """The report's tables one after the other (a caption row, headers, rows, a blank line), UTF-8
    with a byte-order mark, every cell guarded against formula injection like the other exports."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet_safe(report.summary)])
    writer.writerow([])
    for table in TABLES[name](report):
        writer.writerow([spreadsheet_safe(table.caption)])
        writer.writerow([spreadsheet_safe(header) for header in table.headers])
        writer.writerows([spreadsheet_safe(value) for value in row] for row in table.rows)
        writer.writerow([])
    return (BOM + buffer.getvalue()).encode("utf-8")
