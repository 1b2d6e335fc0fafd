"""An opening's pipeline pages: the board, the list with bulk actions, CSV export (imports: import_views).

Registered on the ``candidates`` blueprint by :func:`register` (called from ``views.py``), so the
endpoint names stay ``candidates.board``, ``candidates.applications`` and so on.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from hirewise.candidates import import_views, importing, queries, services, transfer
from hirewise.candidates.follow_through import FollowThrough
from hirewise.candidates.forms import AdvanceForm, BulkForm, compose_reason, reason_choices, stage_choices
from hirewise.candidates.gate import GateConfirmationRequired, GateHold, GateReasonRequired
from hirewise.candidates.models import ApplicationSource
from hirewise.candidates.queries import SORTS
from hirewise.candidates.web import page_arg, safe_next
from hirewise.db import utcnow
from hirewise.errors import DomainError
from hirewise.openings.models import Opening
from hirewise.openings.services import get_opening
from hirewise.security import can_create_candidate, can_edit_opening, can_view_opening, require

PER_PAGE = 25
SORT_LABELS = {
    "-applied_at": "Newest first",
    "applied_at": "Oldest first",
    "name": "Name A to Z",
    "-name": "Name Z to A",
    "stage": "Stage (pipeline order)",
    "-stage": "Stage (reverse)",
}


@login_required
def board(opening_id: int) -> str:
    opening = get_opening(opening_id)
    require(can_view_opening(current_user, opening))
    expanded_stage = request.args.get("column", type=int)
    expanded = (
        (expanded_stage, queries.board_column_limit(request.args.get("limit")))
        if expanded_stage is not None
        else None
    )
    columns = queries.board_columns(opening, expanded)
    can_change = can_edit_opening(current_user, opening)
    # Fit and assessment scores weigh the feedback: shown to whoever may read the debrief.
    facts = (
        queries.board_card_facts(opening, [card for column in columns for card in column.cards])
        if can_change
        else {}
    )
    return render_template(
        "candidates/board.html",
        opening=opening,
        columns=columns,
        facts=facts,
        now=utcnow(),
        reasons=reason_choices(),
        can_change=can_change,
    )


def _list_filters() -> dict[str, Any]:
    sort = request.args.get("sort", queries.DEFAULT_SORT)
    return {
        "q": request.args.get("q", "").strip()[:200] or None,
        "stage_id": request.args.get("stage_id", type=int),
        "source": request.args.get("source") or None,
        "skill": request.args.get("skill", type=int),
        "sort": sort if sort in SORTS else queries.DEFAULT_SORT,
    }


def _render_list(opening: Opening) -> tuple[str, int]:
    filters = _list_filters()
    page = page_arg()
    items, total = queries.search_applications(
        current_user, opening_id=opening.id, page=page, per_page=PER_PAGE, **filters
    )
    bulk_form = BulkForm()
    bulk_form.stage_id.choices = stage_choices(opening.stages)
    can_import = can_create_candidate(current_user) and can_edit_opening(current_user, opening)
    html = render_template(
        "candidates/applications.html",
        opening=opening,
        items=items,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        filters=filters,
        sources=list(ApplicationSource),
        sort_labels=SORT_LABELS,
        bulk_form=bulk_form,
        can_change=can_edit_opening(current_user, opening),
        can_import=can_import,
        import_runs=importing.recent_runs(current_user, opening) if can_import else [],
        max_import_bytes=importing.max_import_bytes(),
    )
    return html, 200


@login_required
def applications(opening_id: int) -> tuple[str, int]:
    opening = get_opening(opening_id)
    require(can_view_opening(current_user, opening))
    return _render_list(opening)


def _confirm_bulk_advance(
    opening: Opening, form: BulkForm, ids: list[int], holds: list[GateHold], back: str, status: int
) -> tuple[str, int]:
    """The confirmation page of a bulk move held by the must-have gate: it resubmits the same batch."""
    confirm = AdvanceForm(data={"reason": form.reason.data or ""}, meta={"csrf": False})
    confirm.reason.errors = list(form.reason.errors)
    page = render_template(
        "candidates/advance.html",
        form=confirm,
        holds=holds,
        heading=f"Move {len(ids)} application(s) of {opening.title}",
        action=url_for("candidates.bulk", opening_id=opening.id),
        hidden=[
            ("action", "move"),
            ("stage_id", request.form.get("stage_id", "")),
            *(("application_ids", i) for i in ids),
        ],
        back=back,
    )
    return page, status


@login_required
def bulk(opening_id: int) -> Response | tuple[str, int]:
    opening = get_opening(opening_id)
    require(can_edit_opening(current_user, opening))
    form = BulkForm()
    ids = request.form.getlist("application_ids", type=int)
    back = safe_next(url_for("candidates.applications", opening_id=opening_id))
    try:
        if form.action.data == "reject":
            reason = compose_reason(form.reason_choice.data, form.reason.data)
            rejections = services.bulk_reject(current_user, ids, reason, notify=bool(form.notify.data))
            also = FollowThrough.combined(rejection.follow_through for rejection in rejections).done_summary
            flash(f"{len(rejections)} application(s) rejected" + (f": {also}." if also else "."), "success")
        else:
            stage_id = request.form.get("stage_id", type=int) or 0
            done = services.bulk_move(
                current_user,
                ids,
                stage_id,
                reason=form.reason.data or "",
                confirm_gate=bool(form.confirm_gate.data),
            )
            flash(f"{len(done)} application(s) moved.", "success")
    except (GateConfirmationRequired, GateReasonRequired) as exc:
        form.reason.errors = [exc.message] if isinstance(exc, GateReasonRequired) else []
        return _confirm_bulk_advance(opening, form, ids, exc.holds, back, exc.status)
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(back)


@login_required
def export(opening_id: int) -> Response:
    opening = get_opening(opening_id)
    require(can_view_opening(current_user, opening))
    body = transfer.export_applications_csv(current_user, opening.id)
    return Response(
        body,
        mimetype="text/csv",
        headers={
            # Slugs hold only [a-z0-9-]: safe inside the header as they are.
            "Content-Disposition": f'attachment; filename="{opening.slug}-applications.csv"',
            "Cache-Control": "private, no-store",
        },
    )


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/openings/<int:opening_id>/board", "board", board, methods=["GET"])
    bp.add_url_rule("/openings/<int:opening_id>/applications", "applications", applications, methods=["GET"])
    bp.add_url_rule("/openings/<int:opening_id>/applications/bulk", "bulk", bulk, methods=["POST"])
    bp.add_url_rule("/openings/<int:opening_id>/applications.csv", "export", export, methods=["GET"])
    import_views.register(bp)
