"""The reports page (every report the user may see, with one set of filters) and the CSV exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required
from marshmallow import ValidationError

from hirewise.auth.models import User
from hirewise.errors import ValidationFailed
from hirewise.reports import services
from hirewise.reports.schemas import ReportArgsSchema
from hirewise.reports.tables import TABLES, chart, to_csv
from hirewise.security import (
    can_view_interview_reports,
    can_view_pipeline_reports,
    require,
)

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")

TITLES = {
    "funnel": "Funnel",
    "speed": "Speed",
    "sources": "Sources",
    "assessments": "Assessments",
    "interviews": "Interviews",
}


def _filters() -> services.ReportFilters:
    # The filter form sends every field, the ones left at "All"/"Any" or blank as empty strings:
    # those are no filter, not a bad value.
    chosen = {name: value for name, value in request.args.items() if value.strip()}
    try:
        filters: services.ReportFilters = ReportArgsSchema().load(chosen)
    except ValidationError as error:
        messages = error.normalized_messages()
        raise ValidationFailed("Check the report filters: " + "; ".join(
            f"{name}: {' '.join(map(str, problems if isinstance(problems, list) else [problems]))}"
            for name, problems in messages.items()
        ), messages) from error  # fmt: skip
    return filters


def _visible_reports(user: User) -> list[str]:
    names = list(services.PIPELINE_REPORTS) if can_view_pipeline_reports(user) else []
    return [*names, "interviews"] if can_view_interview_reports(user) else names


@bp.get("/")
@login_required
def index() -> str:
    names = _visible_reports(current_user)
    require(bool(names))
    filters = _filters()
    reports = []
    for name in names:
        report = services.REPORTS[name](current_user, filters)
        reports.append(
            {
                "name": name,
                "title": TITLES[name],
                "report": report,
                "chart": chart(name, report),
                "tables": TABLES[name](report),
            }
        )
    return render_template(
        "reports/index.html",
        reports=reports,
        filters=filters,
        query=filters.as_query(),
        **services.filter_choices(current_user),
    )


@bp.get("/<name>.csv")
@login_required
def export(name: str) -> Response:
    if name not in services.REPORTS:
        abort(404)
    require(name in _visible_reports(current_user))
    report = services.REPORTS[name](current_user, _filters())
    return Response(
        to_csv(name, report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="hirewise-{name}-report.csv"'},
    )
