"""The reports: every figure's query. The HTML page, the CSV export and the API all call these.

Each report runs a fixed number of SQL statements whatever the number of rows (aggregates in SQL;
rows are fetched only where the statistic is computed in Python). Medians and 90th percentiles use
``percentile_cont`` on PostgreSQL and the same interpolation in Python on SQLite (``stats.py``).

Filters: ``applied_at`` (applications) or ``starts_at`` (interviews) within the date range, the
application's source, the opening (one opening, the openings of a hiring manager's team — "per
team" — or their status), always within what ``security.py`` lets the user see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    Subquery,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import True_

from hirewise.assessments.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentQuestion,
    AttemptStatus,
    ScoringStatus,
)
from hirewise.assessments.totals import shown_percent_sql
from hirewise.auth.models import User
from hirewise.candidates.models import Application, ApplicationSource, Candidate, StageMove
from hirewise.db import utcnow
from hirewise.errors import NotFound, PermissionDenied
from hirewise.extensions import db
from hirewise.feedback.models import Feedback, FeedbackStatus
from hirewise.interviews.models import Interview, InterviewStatus, interview_interviewers
from hirewise.openings.models import Opening, OpeningStatus, Stage, StageKind, opening_members
from hirewise.openings.services import team_choices
from hirewise.reports.figures import (
    AssessmentScores,
    AssessmentsReport,
    DropOff,
    FunnelReport,
    FunnelStage,
    InterviewerFeedback,
    InterviewerWeek,
    InterviewsReport,
    QuestionScores,
    ReportFilters,
    SourceRow,
    SourcesReport,
    SpeedReport,
    StageSpeed,
    StuckApplication,
)
from hirewise.reports.stats import SCORE_BUCKETS, Spread, rate
from hirewise.security import (
    can_view_interview_reports,
    can_view_pipeline_reports,
    interview_statistics_visible_to,
    report_openings_visible_to,
)

STUCK_LIST_LIMIT = 50
OFFER_STAGE_NAME = "offer"


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _within(column: Any, filters: ReportFilters) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.date_from is not None:
        conditions.append(column >= _start_of(filters.date_from))
    if filters.date_to is not None and filters.date_to < date.max:
        conditions.append(column < _start_of(filters.date_to + timedelta(days=1)))
    return conditions


def _opening_conditions(filters: ReportFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.opening_id is not None:
        conditions.append(Opening.id == filters.opening_id)
    if filters.opening_status is not None:
        conditions.append(Opening.status == filters.opening_status)
    if filters.hiring_manager_id is not None:
        conditions.append(
            exists(
                select(opening_members.c.opening_id).where(
                    opening_members.c.opening_id == Opening.id,
                    opening_members.c.user_id == filters.hiring_manager_id,
                )
            )
        )
    return conditions


def _check_opening(user: User, filters: ReportFilters, *, pipeline: bool = True) -> None:
    """Reports of one opening the user may not see are refused (as its page would be), not emptied."""
    if filters.opening_id is None:
        return
    opening = db.session.get(Opening, filters.opening_id)
    if opening is None:
        raise NotFound(f"No opening with id {filters.opening_id}.")
    if pipeline:
        visible = db.session.execute(
            select(Opening.id).where(Opening.id == opening.id, report_openings_visible_to(user))
        ).first()
        if visible is None:
            raise PermissionDenied("You cannot see the reports of this opening.")


def _require_pipeline(user: User, filters: ReportFilters) -> None:
    if not can_view_pipeline_reports(user):
        raise PermissionDenied("Only recruiters, admins and hiring managers see the hiring reports.")
    _check_opening(user, filters)
    _room_to_sort()


# Enough memory for PostgreSQL to sort and hash a few hundred thousand stage moves without spilling
# to disk (the default 4 MB made the percentiles external merges); for this transaction only.
REPORT_WORK_MEM = "64MB"


def _room_to_sort() -> None:
    if _on_postgresql():
        db.session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))


_Select = TypeVar("_Select", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class _Scope:
    """The applications a report counts (``rows``), and whether that is every application."""

    rows: Subquery
    everything: bool

    def restrict(self, stmt: _Select, application_id: Any) -> _Select:
        """``stmt`` limited to the applications in scope. Across every application (staff, no
        filter) the join filters nothing (every move and invitation has its application: a NOT NULL
        foreign key), so PostgreSQL goes without it: one hash join less over the moves. SQLite keeps it: without it, it reads the moves through the stage index and
        takes twice as long as scanning them beside the scope."""
        if self.everything and _on_postgresql():
            return stmt
        return stmt.join(self.rows, self.rows.c.application_id == application_id)


def _scope(user: User, filters: ReportFilters) -> _Scope:
    """The applications a report counts: visible to ``user`` and matching every filter."""
    on_openings = [
        condition
        for condition in (report_openings_visible_to(user), *_opening_conditions(filters))
        if not isinstance(condition, True_)
    ]
    on_applications = [
        *((Application.source == filters.source,) if filters.source is not None else ()),
        *_within(Application.applied_at, filters),
    ]
    stmt = select(
        Application.id.label("application_id"),
        Application.opening_id,
        Application.source,
        Application.applied_at,
        Application.stage_id,
        Application.stage_entered_at,
    )
    if on_openings:  # staff across every opening need no join: one hash join less per report
        stmt = stmt.join(Opening, Opening.id == Application.opening_id).where(*on_openings)
    return _Scope(
        stmt.where(*on_applications).subquery("scope"), everything=not on_openings and not on_applications
    )


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _seconds(interval: ColumnElement[Any]) -> ColumnElement[float]:
    """An interval in seconds as a double on PostgreSQL: ``extract`` answers a numeric since
    PostgreSQL 14, whose sorting made the percentiles of 400,000 stays a quarter slower, and SQLite's
    figures are doubles (``timedelta.total_seconds``) anyway."""
    return func.date_part("epoch", interval, type_=Float)


def _spreads(rows: Select[Any, Any, Any]) -> dict[Any, Spread]:
    """Median and p90 of ``ended - started`` per ``key``; ``rows`` selects (key, started, ended).
    One statement: the aggregate on PostgreSQL, the rows on SQLite (percentiles in Python)."""
    if _on_postgresql():
        measured = rows.subquery("measured")
        seconds = _seconds(measured.c.ended - measured.c.started)
        aggregate = select(
            measured.c.key,
            func.count(),
            func.percentile_cont(0.5).within_group(seconds),
            func.percentile_cont(0.9).within_group(seconds),
        ).group_by(measured.c.key)
        return {
            key: Spread(count, float(median), float(p90))
            for key, count, median, p90 in db.session.execute(aggregate)
        }
    grouped: dict[Any, list[float]] = defaultdict(list)
    for key, started, ended in db.session.execute(rows):
        grouped[key].append((ended - started).total_seconds())
    return {key: Spread.of(seconds) for key, seconds in grouped.items()}


@dataclass(frozen=True)
class _Stages:
    """The stages of the openings a report covers: each opening's, and their names in pipeline order
    (across openings a stage is known by its name, placed at its earliest position)."""

    order: list[tuple[str, StageKind]]
    by_opening: dict[int, list[tuple[str, StageKind, int]]]
    # The ids of the stages known by each (name, kind): a move only ever enters a stage of its
    # application's opening, so these are every stage the moves of the applications in scope enter.
    ids: dict[tuple[str, StageKind], list[int]]

    def ids_of_kind(self, kind: StageKind) -> list[int]:
        return [stage_id for (_, of_kind), ids in self.ids.items() if of_kind == kind for stage_id in ids]


def _stages(user: User, filters: ReportFilters) -> _Stages:
    rows = db.session.execute(
        select(Stage.opening_id, Stage.name, Stage.kind, Stage.position, Stage.id)
        .join(Opening, Opening.id == Stage.opening_id)
        .where(report_openings_visible_to(user), *_opening_conditions(filters))
    ).all()
    by_opening: dict[int, list[tuple[str, StageKind, int]]] = defaultdict(list)
    first_position: dict[tuple[str, StageKind], int] = {}
    ids: dict[tuple[str, StageKind], list[int]] = defaultdict(list)
    for opening_id, name, kind, position, stage_id in rows:
        by_opening[opening_id].append((name, StageKind(kind), position))
        key = (name, StageKind(kind))
        first_position[key] = min(position, first_position.get(key, position))
        ids[key].append(stage_id)
    order = sorted(first_position, key=lambda key: (first_position[key], key[0]))
    return _Stages(order, dict(by_opening), dict(ids))


# --- funnel -------------------------------------------------------------------------------------


def funnel(user: User, filters: ReportFilters) -> FunnelReport:
    _require_pipeline(user, filters)
    in_scope = _scope(user, filters)
    scope = in_scope.rows
    stages = _stages(user, filters)
    order = stages.order
    # How far each application got (its furthest stage, Rejected aside), counted per opening and
    # position; an application reached every stage of its opening up to that position. The moves
    # are folded per application first, so only one row per application meets the scope's join.
    furthest_per_application = (
        in_scope.restrict(
            select(StageMove.application_id, func.max(Stage.position).label("position")).select_from(
                StageMove
            ),
            StageMove.application_id,
        )
        .join(Stage, Stage.id == StageMove.to_stage_id)
        .where(Stage.kind != StageKind.REJECTED)
        .group_by(StageMove.application_id)
        .subquery("furthest")
    )
    reached: dict[str, int] = defaultdict(int)
    for opening_id, position, count in db.session.execute(
        select(scope.c.opening_id, furthest_per_application.c.position, func.count())
        .select_from(furthest_per_application)
        .join(scope, scope.c.application_id == furthest_per_application.c.application_id)
        .group_by(scope.c.opening_id, furthest_per_application.c.position)
    ):
        for name, kind, stage_position in stages.by_opening.get(opening_id, []):
            if kind != StageKind.REJECTED and stage_position <= position:
                reached[name] += count
    current = dict(
        db.session.execute(
            select(Stage.name, func.count())
            .select_from(scope)
            .join(Stage, Stage.id == scope.c.stage_id)
            .group_by(Stage.name)
        ).all()
    )
    from_stage, to_stage = aliased(Stage), aliased(Stage)
    applications = func.count(distinct(StageMove.application_id))
    drop_off = [
        DropOff(stage or "(entered rejected)", reason or "(no reason given)", count)
        for stage, reason, count in db.session.execute(
            in_scope.restrict(
                select(from_stage.name, StageMove.reason, applications).select_from(StageMove),
                StageMove.application_id,
            )
            .join(to_stage, to_stage.id == StageMove.to_stage_id)
            .outerjoin(from_stage, from_stage.id == StageMove.from_stage_id)
            .where(to_stage.kind == StageKind.REJECTED)
            .group_by(from_stage.name, StageMove.reason)
            .order_by(applications.desc(), from_stage.name, StageMove.reason)
        )
    ]
    pipeline = [(name, kind) for name, kind in order if kind != StageKind.REJECTED]
    rows = []
    for index, (name, kind) in enumerate(pipeline):
        here = reached.get(name, 0)
        following = reached.get(pipeline[index + 1][0], 0) if index + 1 < len(pipeline) else None
        rows.append(
            FunnelStage(
                name,
                kind.value,
                here,
                current.get(name, 0),
                None if following is None else rate(following, here),
            )
        )
    rows.extend(
        FunnelStage(name, kind.value, 0, current.get(name, 0), None)
        for name, kind in order
        if kind == StageKind.REJECTED
    )
    hired = sum(row.reached for row in rows if row.kind == StageKind.HIRED)
    return FunnelReport(sum(current.values()), hired, rows, drop_off)


# --- speed --------------------------------------------------------------------------------------


def _stays(in_scope: _Scope, stages: _Stages) -> dict[str, Spread]:
    """Median and p90 of the completed stays in each active stage, by stage name. PostgreSQL takes
    each name's stays through the stage index, one aggregate per name (no join with the stages, no
    sort of every stay by name before the percentiles sort them again: a third of the time); SQLite
    groups the rows in Python."""
    if not _on_postgresql():
        return _spreads(
            in_scope.restrict(
                select(
                    Stage.name.label("key"),
                    StageMove.moved_at.label("started"),
                    StageMove.left_at.label("ended"),
                ).select_from(StageMove),
                StageMove.application_id,
            )
            .join(Stage, Stage.id == StageMove.to_stage_id)
            .where(Stage.kind == StageKind.ACTIVE, StageMove.left_at.is_not(None))
        )
    seconds = _seconds(StageMove.left_at - StageMove.moved_at)
    per_name = [
        in_scope.restrict(
            select(
                literal(name).label("key"),
                func.count(),
                func.percentile_cont(0.5).within_group(seconds),
                func.percentile_cont(0.9).within_group(seconds),
            ).select_from(StageMove),
            StageMove.application_id,
        ).where(StageMove.to_stage_id.in_(ids), StageMove.left_at.is_not(None))
        for (name, kind), ids in stages.ids.items()
        if kind == StageKind.ACTIVE
    ]
    if not per_name:
        return {}
    return {
        key: Spread(count, float(median), float(p90))
        for key, count, median, p90 in db.session.execute(union_all(*per_name))
        if count
    }


def speed(user: User, filters: ReportFilters, *, now: datetime | None = None) -> SpeedReport:
    _require_pipeline(user, filters)
    now = now or utcnow()
    in_scope = _scope(user, filters)
    scope = in_scope.rows
    stages = _stages(user, filters)
    order = stages.order
    stays = _stays(in_scope, stages)
    # The first action is the first move out of the stage the application entered the pipeline in:
    # when its entry (the move from no stage) was left.
    first_action = _spreads(
        select(
            literal("all").label("key"),
            scope.c.applied_at.label("started"),
            StageMove.left_at.label("ended"),
        )
        .join(scope, scope.c.application_id == StageMove.application_id)
        .where(StageMove.from_stage_id.is_(None), StageMove.left_at.is_not(None))
    )
    hire = _spreads(
        select(
            literal("all").label("key"),
            scope.c.applied_at.label("started"),
            func.min(StageMove.moved_at).label("ended"),
        )
        .join(scope, scope.c.application_id == StageMove.application_id)
        # The hired stages by id, not through a join: PostgreSQL then reads the hires alone
        # through the stage index instead of every move.
        .where(StageMove.to_stage_id.in_(stages.ids_of_kind(StageKind.HIRED)))
        .group_by(scope.c.application_id, scope.c.applied_at)
    )
    threshold = now - timedelta(days=filters.stuck_days)
    stuck_conditions = (Stage.kind == StageKind.ACTIVE, scope.c.stage_entered_at < threshold)
    # The longest stuck first, with how many are stuck in all (counted before the limit), in one
    # pass; candidates and openings are joined to the listed rows only.
    stuck = (
        select(
            scope.c.application_id,
            scope.c.opening_id,
            Stage.name,
            scope.c.stage_entered_at,
            func.count().over().label("stuck_count"),
        )
        .join(Stage, Stage.id == scope.c.stage_id)
        .where(*stuck_conditions)
        .order_by(scope.c.stage_entered_at, scope.c.application_id)
        .limit(STUCK_LIST_LIMIT)
        .subquery("stuck")
    )
    stuck_rows = db.session.execute(
        select(
            stuck.c.application_id,
            Candidate.full_name,
            Opening.title,
            stuck.c.name,
            stuck.c.stage_entered_at,
            stuck.c.stuck_count,
        )
        .join(Application, Application.id == stuck.c.application_id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .join(Opening, Opening.id == stuck.c.opening_id)
        .order_by(stuck.c.stage_entered_at, stuck.c.application_id)
    ).all()
    stuck_count = stuck_rows[0].stuck_count if stuck_rows else 0
    empty = Spread(0, None, None)
    return SpeedReport(
        stuck_days=filters.stuck_days,
        stages=[
            StageSpeed(name, stays[name].count, stays[name].median_days, stays[name].p90_days)
            if name in stays
            else StageSpeed(name, 0, None, None)
            for name, kind in order
            if kind == StageKind.ACTIVE
        ],
        first_action=first_action.get("all", empty),
        time_to_hire=hire.get("all", empty),
        stuck_count=stuck_count,
        stuck=[
            StuckApplication(app_id, name, title, stage, round((now - entered).total_seconds() / 86_400, 1))
            for app_id, name, title, stage, entered, _ in stuck_rows
        ],
    )


# --- sources ------------------------------------------------------------------------------------


def sources(user: User, filters: ReportFilters) -> SourcesReport:
    _require_pipeline(user, filters)
    scope = _scope(user, filters).rows

    # One pass over the moves and one over the interviews, each grouped per application, then per source.
    offer_or_hire = (func.lower(Stage.name) == OFFER_STAGE_NAME) | (Stage.kind == StageKind.HIRED)
    progress = (
        select(
            StageMove.application_id,
            func.max(case((offer_or_hire, 1), else_=0)).label("offer"),
            func.max(case((Stage.kind == StageKind.HIRED, 1), else_=0)).label("hired"),
        )
        .join(Stage, Stage.id == StageMove.to_stage_id)
        .where(offer_or_hire)
        .group_by(StageMove.application_id)
        .subquery("progress")
    )
    interviewed = (
        select(Interview.application_id)
        .where(Interview.status != InterviewStatus.CANCELLED)
        .group_by(Interview.application_id)
        .subquery("interviewed")
    )
    stmt = (
        select(
            scope.c.source,
            func.count(),
            func.count(interviewed.c.application_id),
            func.coalesce(func.sum(progress.c.offer), 0),
            func.coalesce(func.sum(progress.c.hired), 0),
        )
        .select_from(scope)
        .outerjoin(progress, progress.c.application_id == scope.c.application_id)
        .outerjoin(interviewed, interviewed.c.application_id == scope.c.application_id)
        .group_by(scope.c.source)
        .order_by(func.count().desc(), scope.c.source)
    )
    return SourcesReport(
        [
            SourceRow(str(source), count, int(interviews or 0), int(offers or 0), int(hires or 0))
            for source, count, interviews, offers, hires in db.session.execute(stmt)
        ]
    )


# --- assessments --------------------------------------------------------------------------------


def _bucket(percent: ColumnElement[Any]) -> ColumnElement[int]:
    """The index in ``SCORE_BUCKETS`` of a percentage (80 % and over is the top bucket)."""
    bounds = [(index, low) for index, (low, _) in enumerate(SCORE_BUCKETS) if low > 0]
    return case(*((percent >= low, index) for index, low in reversed(bounds)), else_=0)


def _assessment_uptake(
    in_scope: _Scope,
) -> tuple[dict[int, tuple[int, int, int]], dict[int, Spread]]:
    """Per assessment: invited, started and submitted (invitations not revoked), and the time the
    submitted attempts took. PostgreSQL reads invitations and attempts once for both (aggregates
    with FILTER); SQLite runs the two queries (its percentiles are computed in Python)."""
    submitted_attempt = and_(
        AssessmentAttempt.status == AttemptStatus.SUBMITTED, AssessmentAttempt.submitted_at.is_not(None)
    )
    if _on_postgresql():
        live = AssessmentInvitation.revoked_at.is_(None)
        seconds = _seconds(AssessmentAttempt.submitted_at - AssessmentAttempt.started_at)
        counts: dict[int, tuple[int, int, int]] = {}
        times: dict[int, Spread] = {}
        for assessment_id, invited, started, submitted, measured, median, p90 in db.session.execute(
            in_scope.restrict(
                select(
                    AssessmentInvitation.assessment_id,
                    func.count(AssessmentInvitation.id).filter(live),
                    func.count(AssessmentAttempt.id).filter(live),
                    func.count().filter(live, AssessmentAttempt.status == AttemptStatus.SUBMITTED),
                    func.count().filter(submitted_attempt),
                    func.percentile_cont(0.5).within_group(seconds).filter(submitted_attempt),
                    func.percentile_cont(0.9).within_group(seconds).filter(submitted_attempt),
                ).select_from(AssessmentInvitation),
                AssessmentInvitation.application_id,
            )
            .outerjoin(AssessmentAttempt, AssessmentAttempt.invitation_id == AssessmentInvitation.id)
            .group_by(AssessmentInvitation.assessment_id)
        ):
            if invited:
                counts[assessment_id] = (invited, started, submitted)
            if measured:
                times[assessment_id] = Spread(measured, float(median), float(p90))
        return counts, times
    counts = {
        assessment_id: (invited, started, int(submitted or 0))
        for assessment_id, invited, started, submitted in db.session.execute(
            in_scope.restrict(
                select(
                    AssessmentInvitation.assessment_id,
                    func.count(AssessmentInvitation.id),
                    func.count(AssessmentAttempt.id),
                    func.sum(case((AssessmentAttempt.status == AttemptStatus.SUBMITTED, 1), else_=0)),
                ).select_from(AssessmentInvitation),
                AssessmentInvitation.application_id,
            )
            .outerjoin(AssessmentAttempt, AssessmentAttempt.invitation_id == AssessmentInvitation.id)
            .where(AssessmentInvitation.revoked_at.is_(None))
            .group_by(AssessmentInvitation.assessment_id)
        )
    }
    times = _spreads(
        in_scope.restrict(
            select(
                AssessmentInvitation.assessment_id.label("key"),
                AssessmentAttempt.started_at.label("started"),
                AssessmentAttempt.submitted_at.label("ended"),
            ).select_from(AssessmentInvitation),
            AssessmentInvitation.application_id,
        )
        .join(AssessmentAttempt, AssessmentAttempt.invitation_id == AssessmentInvitation.id)
        .where(submitted_attempt)
    )
    return counts, times


def assessments(user: User, filters: ReportFilters) -> AssessmentsReport:
    _require_pipeline(user, filters)
    in_scope = _scope(user, filters)
    scoped_openings = select(Opening.id).where(
        report_openings_visible_to(user), *_opening_conditions(filters)
    )
    listed = db.session.execute(
        select(Assessment.id, Assessment.title, Opening.title, Assessment.pass_mark_percent)
        .join(Opening, Opening.id == Assessment.opening_id)
        .where(Assessment.opening_id.in_(scoped_openings))
        .order_by(Opening.title, Assessment.title, Assessment.id)
    ).all()
    counts, times = _assessment_uptake(in_scope)
    is_scored = (
        AssessmentAttempt.status == AttemptStatus.SUBMITTED,
        AssessmentAttempt.scoring_status == ScoringStatus.SCORED,
    )
    # Each attempt's total is stored on its row (assessments/totals.py): one row per attempt, no
    # answers added up. An attempt whose answers carry no points or no score yet has no percentage.
    # The percentage as the attempt's page shows it (to one decimal, in decimals): its bucket and its
    # pass are the page's.
    attempt_percent = shown_percent_sql(AssessmentAttempt.total_points, AssessmentAttempt.total_max_points)
    # Buckets computed inside the subquery and grouped by column: PostgreSQL does not match a
    # GROUP BY expression to the SELECT's when each carries its own bound parameters.
    attempts = (
        in_scope.restrict(
            select(
                AssessmentInvitation.assessment_id,
                attempt_percent.label("percent"),
                _bucket(attempt_percent).label("bucket"),
            ).join(AssessmentInvitation, AssessmentInvitation.id == AssessmentAttempt.invitation_id),
            AssessmentInvitation.application_id,
        )
        .where(
            *is_scored,
            AssessmentAttempt.total_max_points > 0,
            AssessmentAttempt.total_points.is_not(None),
        )
        .subquery("attempt_scores")
    )
    # The questions' answers need no assessment: across every application the attempts alone decide.
    scored_attempt_ids = (
        select(AssessmentAttempt.id).where(*is_scored)
        if in_scope.everything
        else in_scope.restrict(
            select(AssessmentAttempt.id).join(
                AssessmentInvitation, AssessmentInvitation.id == AssessmentAttempt.invitation_id
            ),
            AssessmentInvitation.application_id,
        ).where(*is_scored)
    )
    final_points = func.coalesce(AssessmentAnswer.override_points, AssessmentAnswer.auto_points)
    attempt_buckets: dict[int, list[int]] = defaultdict(lambda: [0] * len(SCORE_BUCKETS))
    passes: dict[int, int] = defaultdict(int)
    for assessment_id, bucket, count, passed in db.session.execute(
        select(
            attempts.c.assessment_id,
            attempts.c.bucket,
            func.count(),
            func.sum(case((attempts.c.percent >= Assessment.pass_mark_percent, 1), else_=0)),
        )
        .join(Assessment, Assessment.id == attempts.c.assessment_id)
        .group_by(attempts.c.assessment_id, attempts.c.bucket)
    ):
        attempt_buckets[assessment_id][bucket] = count
        passes[assessment_id] += int(passed or 0)
    questions: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for assessment_id, question_id, position, prompt in db.session.execute(
        select(
            AssessmentQuestion.assessment_id,
            AssessmentQuestion.id,
            AssessmentQuestion.position,
            AssessmentQuestion.prompt,
        )
        .where(AssessmentQuestion.assessment_id.in_([row[0] for row in listed] or [-1]))
        .order_by(AssessmentQuestion.assessment_id, AssessmentQuestion.position, AssessmentQuestion.id)
    ):
        questions[assessment_id].append((question_id, position, prompt))
    answer_percent = 100.0 * final_points / AssessmentAnswer.max_points
    question_buckets: dict[int, list[int]] = defaultdict(lambda: [0] * len(SCORE_BUCKETS))
    question_totals: dict[int, float] = defaultdict(float)
    answers = (
        select(
            AssessmentAnswer.question_id,
            answer_percent.label("percent"),
            _bucket(answer_percent).label("bucket"),
        )
        .where(
            AssessmentAnswer.attempt_id.in_(scored_attempt_ids),
            AssessmentAnswer.max_points > 0,
            final_points.is_not(None),
        )
        .subquery("answer_scores")
    )
    for question_id, bucket, count, total in db.session.execute(
        select(answers.c.question_id, answers.c.bucket, func.count(), func.sum(answers.c.percent)).group_by(
            answers.c.question_id, answers.c.bucket
        )
    ):
        question_buckets[question_id][bucket] = count
        question_totals[question_id] += float(total)
    report = []
    for assessment_id, title, opening_title, pass_mark in listed:
        invited, started, submitted = counts.get(assessment_id, (0, 0, 0))
        distribution = attempt_buckets.get(assessment_id, [0] * len(SCORE_BUCKETS))
        scored, passed = sum(distribution), passes.get(assessment_id, 0)
        question_rows = []
        for question_id, position, prompt in questions.get(assessment_id, []):
            per_bucket = question_buckets.get(question_id, [0] * len(SCORE_BUCKETS))
            answered = sum(per_bucket)
            mean = round(question_totals[question_id] / answered, 1) if answered else None
            question_rows.append(
                QuestionScores(question_id, position, prompt[:120], answered, mean, per_bucket)
            )
        report.append(
            AssessmentScores(
                assessment_id=assessment_id,
                title=title,
                opening=opening_title,
                pass_mark_percent=pass_mark,
                invited=invited,
                started=started,
                submitted=submitted,
                scored=scored,
                passed=passed,
                completion_percent=rate(submitted, invited),
                pass_percent=rate(passed, scored),
                distribution=distribution,
                time_taken=times.get(assessment_id, Spread(0, None, None)),
                questions=question_rows,
            )
        )
    return AssessmentsReport(report)


# --- interviews ---------------------------------------------------------------------------------


def interviews(user: User, filters: ReportFilters, *, now: datetime | None = None) -> InterviewsReport:
    """Interviews per week per interviewer and feedback on time. Interviewers see their own rows only."""
    if not can_view_interview_reports(user):
        raise PermissionDenied("You cannot see interview statistics.")
    _check_opening(user, filters, pipeline=False)
    _room_to_sort()
    now = now or utcnow()
    grace_hours: int = current_app.config["FEEDBACK_REMINDER_HOURS"]
    grace = timedelta(hours=grace_hours)
    submitted = aliased(Feedback)
    seats = (
        select(
            interview_interviewers.c.user_id,
            User.full_name,
            Interview.starts_at,
            Interview.duration_minutes,
            submitted.submitted_at,
        )
        .join(Interview, Interview.id == interview_interviewers.c.interview_id)
        .join(User, User.id == interview_interviewers.c.user_id)
        .join(Application, Application.id == Interview.application_id)
        .join(Opening, Opening.id == Application.opening_id)
        .outerjoin(
            submitted,
            and_(
                submitted.interview_id == Interview.id,
                submitted.interviewer_id == interview_interviewers.c.user_id,
                submitted.status == FeedbackStatus.SUBMITTED,
            ),
        )
        .where(
            Interview.status != InterviewStatus.CANCELLED,
            interview_statistics_visible_to(user),
            *_opening_conditions(filters),
            *((Application.source == filters.source,) if filters.source is not None else ()),
            *_within(Interview.starts_at, filters),
        )
    )
    # (interviewer, week) -> [interviews, on time, late, missing]
    tally = (
        _interview_weeks_sql(seats, grace_hours, now)
        if _on_postgresql()
        else _interview_weeks(seats, grace, now)
    )
    names = {interviewer_id: name for interviewer_id, name, _ in tally}
    totals: dict[int, list[int]] = defaultdict(
        lambda: [0, 0, 0, 0, 0]
    )  # interviews, due, on time, late, missing
    for (interviewer_id, _, _), (count, on_time, late, missing) in tally.items():
        row = totals[interviewer_id]
        row[0] += count
        row[1] += on_time + late + missing
        row[2] += on_time
        row[3] += late
        row[4] += missing
    per_week = {(interviewer_id, week): counts[0] for (interviewer_id, _, week), counts in tally.items()}
    return InterviewsReport(
        grace_hours=grace_hours,
        weeks=[
            InterviewerWeek(interviewer_id, names[interviewer_id], week, count)
            for (interviewer_id, week), count in sorted(
                per_week.items(), key=lambda item: (item[0][1], names[item[0][0]])
            )
        ],
        interviewers=[
            InterviewerFeedback(interviewer_id, names[interviewer_id], *counts)
            for interviewer_id, counts in sorted(totals.items(), key=lambda item: names[item[0]])
        ],
    )


_WeekTally = dict[tuple[int, str, date], list[int]]


def _interview_weeks(seats: Select[Any], grace: timedelta, now: datetime) -> _WeekTally:
    """SQLite: the seats' rows, counted in Python."""
    tally: _WeekTally = defaultdict(lambda: [0, 0, 0, 0])
    for interviewer_id, name, starts_at, minutes, submitted_at in db.session.execute(seats):
        day = starts_at.date()
        counts = tally[(interviewer_id, name, day - timedelta(days=day.weekday()))]
        counts[0] += 1
        due_at = starts_at + timedelta(minutes=minutes) + grace
        if submitted_at is not None:
            counts[1 if submitted_at <= due_at else 2] += 1
        elif due_at <= now:
            counts[3] += 1
    return tally


def _interview_weeks_sql(seats: Select[Any], grace_hours: int, now: datetime) -> _WeekTally:
    """PostgreSQL: the same counts, aggregated in the database (weeks start on Monday, in UTC)."""
    seat = seats.subquery("seat")
    due_at = seat.c.starts_at + func.make_interval(0, 0, 0, 0, 0, seat.c.duration_minutes + grace_hours * 60)
    flags = select(
        seat.c.user_id,
        seat.c.full_name,
        func.date_trunc("week", func.timezone("UTC", seat.c.starts_at)).label("week"),
        case((seat.c.submitted_at <= due_at, 1), else_=0).label("on_time"),
        case((seat.c.submitted_at > due_at, 1), else_=0).label("late"),
        case((and_(seat.c.submitted_at.is_(None), due_at <= now), 1), else_=0).label("missing"),
    ).subquery("flags")
    rows = db.session.execute(
        select(
            flags.c.user_id,
            flags.c.full_name,
            flags.c.week,
            func.count(),
            func.sum(flags.c.on_time),
            func.sum(flags.c.late),
            func.sum(flags.c.missing),
        ).group_by(flags.c.user_id, flags.c.full_name, flags.c.week)
    )
    return {
        (interviewer_id, name, week.date()): [count, int(on_time), int(late), int(missing)]
        for interviewer_id, name, week, count, on_time, late, missing in rows
    }


REPORTS: dict[str, Callable[..., Any]] = {
    "funnel": funnel,
    "speed": speed,
    "sources": sources,
    "assessments": assessments,
    "interviews": interviews,
}
PIPELINE_REPORTS = ("funnel", "speed", "sources", "assessments")


def filter_choices(user: User) -> dict[str, Any]:
    """What the filter form offers: the openings the user's reports cover, and (to those who see the
    pipeline reports) whoever can be on a hiring team, which is what ``hiring_manager_id`` filters by."""
    openings = db.session.execute(
        select(Opening.id, Opening.title).where(report_openings_visible_to(user)).order_by(Opening.title)
    ).all()
    managers = (
        [(member.id, member.full_name) for member in team_choices()]
        if can_view_pipeline_reports(user)
        else []
    )
    return {
        "openings": openings,
        "managers": managers,
        "sources": list(ApplicationSource),
        "statuses": list(OpeningStatus),
    }
