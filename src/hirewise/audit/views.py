from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from hirewise.audit import services
from hirewise.security import can_view_audit_log, require

bp = Blueprint("audit", __name__, template_folder="templates")
PAGE_SIZE = 100


@bp.get("/admin/audit")
@login_required
def index() -> str:
    require(can_view_audit_log(current_user))
    page = max(1, request.args.get("page", 1, type=int) or 1)
    events = services.recent(limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "audit/index.html", events=events[:PAGE_SIZE], page=page, has_next=len(events) > PAGE_SIZE
    )
