"""``flask demo-data`` leaves six months of history behind, so every report shows something on the
first run, and running it again adds nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from hirewise.auth.services import find_user_by_email
from hirewise.candidates.models import Application, StageMove
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.reports import services
from hirewise.reports.services import ReportFilters


def _counts() -> tuple[int, int]:
    return (
        db.session.execute(select(func.count(Application.id))).scalar_one(),
        db.session.execute(select(func.count(StageMove.id))).scalar_one(),
    )


def test_demo_data_gives_every_report_something_to_show(runner) -> None:
    result = runner.invoke(args=["demo-data", "--candidates", "2"])
    assert result.exit_code == 0, result.output
    recruiter = find_user_by_email("recruiter@example.com")
    everything = ReportFilters()
    funnel = services.funnel(recruiter, everything)
    assert funnel.applications >= 180 and funnel.hired > 0 and funnel.drop_off
    speed = services.speed(recruiter, everything)
    assert speed.time_to_hire.count > 0 and all(row.stays > 0 for row in speed.stages)
    assert speed.stuck_count > 0
    assert len(services.sources(recruiter, everything).sources) >= 3
    assessment = services.assessments(recruiter, everything).assessments[0]
    assert (
        assessment.scored > 0
        and 0 < (assessment.pass_percent or 0) < 100
        and any(assessment.distribution[1:])
    )
    interviews = services.interviews(recruiter, everything)
    assert len({row.week for row in interviews.weeks}) > 10
    assert any(row.late for row in interviews.interviewers) and any(
        row.on_time for row in interviews.interviewers
    )
    oldest = db.session.execute(select(func.min(Application.applied_at))).scalar_one()
    assert utcnow() - oldest > timedelta(days=150)
    manager = find_user_by_email("manager@example.com")
    assert 0 < services.funnel(manager, everything).applications < funnel.applications

    before = _counts()
    assert runner.invoke(args=["demo-data", "--candidates", "2"]).exit_code == 0
    assert _counts() == before
