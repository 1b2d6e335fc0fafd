"""Notifications in the browser: the bell's count, the list, marking as read, the email preference."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from hirewise.api import paginate
from hirewise.errors import DomainError
from hirewise.notifications import services
from hirewise.notifications.models import Delivery
from hirewise.paging import requested_page
from hirewise.security import safe_redirect_target

bp = Blueprint("notifications", __name__, template_folder="templates")
PER_PAGE = 25


@bp.app_context_processor
def notification_helpers() -> dict[str, Any]:
    # A function, so only pages that show the bell (signed-in ones) ask the database.
    return {"unread_notification_count": _unread_count}


def _unread_count() -> int | None:
    try:
        return services.unread_count(current_user)
    except SQLAlchemyError:  # an error page rendered after a failed query still renders
        return None


@bp.get("/notifications")
@login_required
def index() -> str:
    unread_only = request.args.get("unread") == "1"
    result = paginate(
        services.notifications_query(current_user, unread_only=unread_only), requested_page(), PER_PAGE
    )
    return render_template(
        "notifications/index.html", result=result, unread_only=unread_only, deliveries=list(Delivery)
    )


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int) -> Response:
    """Mark as read; with ``open`` set, go on to what the notification is about."""
    notification = services.mark_read(current_user, notification_id)
    if request.form.get("open") and notification.link:
        return redirect(safe_redirect_target(notification.link, url_for("notifications.index")))
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/read-all")
@login_required
def mark_all_read() -> Response:
    count = services.mark_all_read(current_user)
    flash(f"Marked {count} notification{'' if count == 1 else 's'} as read.", "success")
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/delivery")
@login_required
def delivery() -> Response:
    try:
        services.set_delivery(current_user, request.form.get("delivery", ""))
        flash("Your email preference was saved.", "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(url_for("notifications.index"))
