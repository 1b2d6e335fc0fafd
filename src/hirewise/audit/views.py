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
    found = services.recent(current_user, requested_page(), PAGE_SIZE)
    return render_template("audit/index.html", events=found.items, page=found.page, has_next=found.has_next)
