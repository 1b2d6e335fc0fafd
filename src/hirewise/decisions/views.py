"""Debrief page with the decision form, the ranking of an opening and the side-by-side comparison."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from hirewise.candidates.follow_through import rejection_follow_through
from hirewise.candidates.gate import GateConfirmationRequired
from hirewise.candidates.models import Application
from hirewise.candidates.queries import get_application
from hirewise.decisions import services
from hirewise.decisions.forms import KIND_LABELS, NO_STAGE, DecisionForm
from hirewise.errors import DomainError
from hirewise.feedback.models import RATING_LABELS, DecisionKind
from hirewise.form_errors import show_domain_errors
from hirewise.openings.services import get_opening
from hirewise.security import can_decide, can_edit_opening, can_view_debrief, require

bp = Blueprint("decisions", __name__, template_folder="templates")

# Existing badge colours: green for passed, amber for incomplete, red for failed.
GATE_BADGES = {"passed": "badge-hired", "incomplete": "badge-pending", "failed": "badge-failed"}
SORT_LABELS = {"fit": "Fit (gate first)", "name": "Name", "stage": "Stage"}


@bp.context_processor
def decision_helpers() -> dict[str, Any]:
    return {
        "gate_badges": GATE_BADGES,
        "recommendation_labels": {str(k): v for k, v in services.RECOMMENDATION_LABELS.items()},
        "rating_labels": RATING_LABELS,
    }


def _debrief_page(application: Application, form: DecisionForm, status: int = 200) -> tuple[str, int]:
    allowed = can_decide(current_user, application)
    page = render_template(
        "decisions/debrief.html",
        application=application,
        debrief=services.debrief(application),
        form=form,
        can_decide=allowed,
        # Said before a reject decision is recorded: it cancels interviews and revokes assessment links.
        reject_follow_through=rejection_follow_through(application) if allowed else None,
    )
    return page, status


@bp.get("/applications/<int:application_id>/debrief")
@login_required
def debrief(application_id: int) -> Any:
    application = get_application(application_id)
    require(can_view_debrief(current_user, application))
    return _debrief_page(application, DecisionForm().for_opening(application.opening))


@bp.post("/applications/<int:application_id>/decisions")
@login_required
def decide(application_id: int) -> Any:
    application = get_application(application_id)
    require(can_decide(current_user, application))
    form = DecisionForm().for_opening(application.opening)
    if not form.validate():
        return _debrief_page(application, form, 422)
    stage_id = form.to_stage_id.data if form.to_stage_id.data != NO_STAGE else None
    try:
        decision = services.record_decision(
            current_user,
            application,
            kind=form.kind.data or "",
            reason=form.reason.data or "",
            to_stage_id=stage_id,
            confirm_gate=bool(form.confirm_gate.data),
        )
    except GateConfirmationRequired as exc:
        form.confirm_gate.errors = [*form.confirm_gate.errors, exc.message]
        return _debrief_page(get_application(application_id), form, exc.status)
    except DomainError as exc:
        show_domain_errors(form, exc)
        return _debrief_page(get_application(application_id), form, exc.status)
    flash(f"Decision recorded: {KIND_LABELS[DecisionKind(decision.kind)].lower()}.", "success")
    redirect_to: Response = redirect(url_for("decisions.debrief", application_id=application_id))
    return redirect_to


@bp.get("/openings/<int:opening_id>/ranking")
@login_required
def ranking(opening_id: int) -> Any:
    opening = get_opening(opening_id)
    require(can_edit_opening(current_user, opening))
    sort = request.args.get("sort", "fit")
    if sort not in services.RANKING_SORTS:
        sort = "fit"
    return render_template(
        "decisions/ranking.html",
        opening=opening,
        rows=services.ranking(opening, sort),
        sort=sort,
        sort_labels=SORT_LABELS,
        min_compare=services.MIN_COMPARE,
        max_compare=services.MAX_COMPARE,
    )


@bp.get("/openings/<int:opening_id>/compare")
@login_required
def compare(opening_id: int) -> Any:
    opening = get_opening(opening_id)
    require(can_edit_opening(current_user, opening))
    try:
        comparison = services.compare(opening, request.args.getlist("ids"))
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("decisions.ranking", opening_id=opening_id))
    return render_template("decisions/compare.html", opening=opening, comparison=comparison)
