"""What each report returns: plain figures, their one-line summary and nothing else. The page, the
CSV export (``tables.py``) and the API (``schemas.py``) all show these objects, so they cannot disagree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hirewise.candidates.models import ApplicationSource
from hirewise.openings.models import OpeningStatus
from hirewise.reports.stats import Spread, rate
from hirewise.text import counted


@dataclass(frozen=True)
class ReportFilters:
    opening_id: int | None = None
    hiring_manager_id: int | None = None
    source: ApplicationSource | None = None
    opening_status: OpeningStatus | None = None
    date_from: date | None = None
    date_to: date | None = None
    stuck_days: int = 14

    def as_query(self) -> dict[str, Any]:
        """The filters as query-string arguments (for links to the CSV exports)."""
        values = {
            "opening_id": self.opening_id,
            "hiring_manager_id": self.hiring_manager_id,
            "source": self.source.value if self.source else None,
            "opening_status": self.opening_status.value if self.opening_status else None,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "stuck_days": self.stuck_days,
        }
        return {key: value for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class FunnelStage:
    stage: str
    kind: str
    reached: int  # reached this stage or a later one (not counting Rejected)
    current: int  # in this stage now
    conversion_percent: float | None  # of those who reached it, the share that reached the next stage


@dataclass(frozen=True)
class DropOff:
    stage: str  # the stage the applications were rejected from
    reason: str
    applications: int


@dataclass(frozen=True)
class FunnelReport:
    applications: int
    hired: int
    stages: list[FunnelStage]
    drop_off: list[DropOff]

    @property
    def summary(self) -> str:
        if not self.applications:
            return "No applications match these filters."
        text = (
            f"{counted(self.applications, 'application')}, {self.hired} hired "
            f"({rate(self.hired, self.applications)}% of applications)."
        )
        by_stage: dict[str, int] = defaultdict(int)
        for row in self.drop_off:
            by_stage[row.stage] += row.applications
        if by_stage:
            stage, count = max(by_stage.items(), key=lambda item: item[1])
            text += f" Most rejections happen at {stage} ({count})."
        return text


@dataclass(frozen=True)
class StageSpeed:
    stage: str
    stays: int
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class StuckApplication:
    application_id: int
    candidate: str
    opening: str
    stage: str
    days_in_stage: float


@dataclass(frozen=True)
class SpeedReport:
    stuck_days: int
    stages: list[StageSpeed]
    first_action: Spread
    time_to_hire: Spread
    stuck_count: int
    stuck: list[StuckApplication] = field(default_factory=list)

    @property
    def summary(self) -> str:
        def median(spread: Spread) -> str:
            return "—" if spread.median_days is None else f"{spread.median_days} days"

        slowest = max(
            (row for row in self.stages if row.median_days is not None),
            key=lambda r: r.median_days or 0,
            default=None,
        )
        text = (
            f"Median time to first action {median(self.first_action)}, "
            f"median time to hire {median(self.time_to_hire)} ({self.time_to_hire.count} hires)"
        )
        if slowest is not None:
            text += f"; the slowest stage is {slowest.stage} (median {slowest.median_days} days)"
        return text + f"; {self.stuck_count} applications stuck for more than {self.stuck_days} days."


@dataclass(frozen=True)
class SourceRow:
    source: str
    applications: int
    interviews: int  # applications with at least one interview (not cancelled)
    offers: int  # applications that reached the Offer stage or were hired
    hires: int

    @property
    def hire_rate_percent(self) -> float | None:
        return rate(self.hires, self.applications)


@dataclass(frozen=True)
class SourcesReport:
    sources: list[SourceRow]

    @property
    def summary(self) -> str:
        if not self.sources:
            return "No applications match these filters."
        most = max(self.sources, key=lambda row: row.applications)
        best = max(self.sources, key=lambda row: (row.hires, -row.applications))
        return (
            f"{most.source.capitalize()} brings the most applications ({most.applications}); "
            f"{best.source} the most hires ({best.hires})."
        )


@dataclass(frozen=True)
class QuestionScores:
    question_id: int
    position: int
    prompt: str
    answers: int
    mean_percent: float | None
    distribution: list[int]


@dataclass(frozen=True)
class AssessmentScores:
    assessment_id: int
    title: str
    opening: str
    pass_mark_percent: int
    invited: int
    started: int
    submitted: int
    scored: int
    passed: int
    completion_percent: float | None  # submitted of invited
    pass_percent: float | None  # passed of scored
    distribution: list[int]  # scored attempts per SCORE_BUCKETS
    time_taken: Spread
    questions: list[QuestionScores]

    @property
    def median_minutes(self) -> float | None:
        return (
            None if self.time_taken.median_seconds is None else round(self.time_taken.median_seconds / 60, 1)
        )

    @property
    def p90_minutes(self) -> float | None:
        return None if self.time_taken.p90_seconds is None else round(self.time_taken.p90_seconds / 60, 1)


@dataclass(frozen=True)
class AssessmentsReport:
    assessments: list[AssessmentScores]

    @property
    def summary(self) -> str:
        invited = sum(row.invited for row in self.assessments)
        if not invited:
            return "No assessment invitations match these filters."
        submitted = sum(row.submitted for row in self.assessments)
        scored = sum(row.scored for row in self.assessments)
        passed = sum(row.passed for row in self.assessments)
        return (
            f"{counted(invited, 'invitation')}, {submitted} completed ({rate(submitted, invited)}%); "
            f"{passed} of {counted(scored, 'scored attempt')} passed ({rate(passed, scored) or 0}%)."
        )


@dataclass(frozen=True)
class InterviewerWeek:
    interviewer_id: int
    interviewer: str
    week: date  # the Monday
    interviews: int


@dataclass(frozen=True)
class InterviewerFeedback:
    interviewer_id: int
    interviewer: str
    interviews: int
    feedback_due: int  # the interview is over and its grace period too, or feedback is in
    on_time: int  # submitted within the grace period after the interview ended
    late: int
    missing: int  # due and still not submitted

    @property
    def on_time_percent(self) -> float | None:
        return rate(self.on_time, self.feedback_due)


@dataclass(frozen=True)
class InterviewsReport:
    grace_hours: int
    weeks: list[InterviewerWeek]
    interviewers: list[InterviewerFeedback]

    @property
    def summary(self) -> str:
        total = sum(row.interviews for row in self.interviewers)
        if not total:
            return "No interviews match these filters."
        due = sum(row.feedback_due for row in self.interviewers)
        on_time = sum(row.on_time for row in self.interviewers)
        week_count = len({row.week for row in self.weeks})
        return (
            f"{counted(total, 'interviewer slot')} over {counted(week_count, 'week')}; feedback on time (within {self.grace_hours} h) "
            f"for {on_time} of {due} due ({rate(on_time, due) or 0}%)."
        )
