from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from hirewise.audit import services
from hirewise.paging import requested_page
from hirewise.security import can_view_audit_log, require

bp = Blueprint("audit", __name__, template_folder="templates")
PAGE_SIZE = 100


@bp.get("/admin/audit")
@login_required
def index() -> str:
    require(can_view_audit_log(current_user))
    page = requested_page()
    events = services.recent(current_user, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "audit/index.html", events=events[:PAGE_SIZE], page=page, has_next=len(events) > PAGE_SIZE
    )
