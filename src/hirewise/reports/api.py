"""``/api/v1/reports/...``: the same figures as the reports page and its CSV exports."""

from __future__ import annotations

from hirewise.api import api_blueprint, current_api_user
from hirewise.reports import services
from hirewise.reports.schemas import (
    AssessmentsSchema,
    FunnelSchema,
    InterviewsSchema,
    ReportArgsSchema,
    SourcesSchema,
    SpeedSchema,
)

blp = api_blueprint("reports", "reports", "Hiring reports: funnel, speed, sources, assessments, interviews")


@blp.get("/funnel")
@blp.arguments(ReportArgsSchema, location="query")
@blp.response(200, FunnelSchema)
def funnel(filters: services.ReportFilters) -> services.FunnelReport:
    """Applications per stage, conversion from stage to stage, drop-off with rejection reasons."""
    return services.funnel(current_api_user(), filters)


@blp.get("/speed")
@blp.arguments(ReportArgsSchema, location="query")
@blp.response(200, SpeedSchema)
def speed(filters: services.ReportFilters) -> services.SpeedReport:
    """Time in each stage (median, 90th percentile), to first action and to hire; stuck applications."""
    return services.speed(current_api_user(), filters)


@blp.get("/sources")
@blp.arguments(ReportArgsSchema, location="query")
@blp.response(200, SourcesSchema)
def sources(filters: services.ReportFilters) -> services.SourcesReport:
    """Applications, interviews, offers and hires per source."""
    return services.sources(current_api_user(), filters)


@blp.get("/assessments")
@blp.arguments(ReportArgsSchema, location="query")
@blp.response(200, AssessmentsSchema)
def assessments(filters: services.ReportFilters) -> services.AssessmentsReport:
    """Score distribution per assessment and per question, pass and completion rates, time taken."""
    return services.assessments(current_api_user(), filters)


@blp.get("/interviews")
@blp.arguments(ReportArgsSchema, location="query")
@blp.response(200, InterviewsSchema)
def interviews(filters: services.ReportFilters) -> services.InterviewsReport:
    """Interviews per week per interviewer and feedback on time; an interviewer gets their own only."""
    return services.interviews(current_api_user(), filters)
