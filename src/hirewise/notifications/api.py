"""``/api/v1/notifications``: the caller's notifications, marking them read, the email preference."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from hirewise.api import api_blueprint, current_api_user, paginate
from hirewise.notifications import services
from hirewise.notifications.models import Notification
from hirewise.notifications.schemas import (
    DeliverySchema,
    NotificationListArgs,
    NotificationPageSchema,
    NotificationSchema,
    ReadAllSchema,
)

blp = api_blueprint("notifications", "notifications", "The caller's notifications and how they are emailed")


@blp.get("")
@blp.arguments(NotificationListArgs, location="query")
@blp.response(200, NotificationPageSchema)
def list_notifications(args: dict[str, Any]) -> dict[str, Any]:
    """The caller's notifications, newest first (those about applications they may still see)."""
    stmt = services.notifications_query(current_api_user(), unread_only=args["unread"])
    return paginate(stmt, args["page"], args["per_page"])


@blp.post("/<int:notification_id>/read")
@blp.response(200, NotificationSchema)
def read(notification_id: int) -> Notification:
    """Mark one notification as read."""
    return services.mark_read(current_api_user(), notification_id)


@blp.post("/read-all")
@blp.response(200, ReadAllSchema)
def read_all() -> dict[str, int]:
    """Mark every unread notification as read."""
    return {"marked": services.mark_all_read(current_api_user())}


@blp.route("/delivery")
class Delivery(MethodView):
    @blp.response(200, DeliverySchema)
    def get(self) -> dict[str, str]:
        """How notifications also reach the caller by email."""
        return {"delivery": current_api_user().notification_delivery}

    @blp.arguments(DeliverySchema, location="json")
    @blp.response(200, DeliverySchema)
    def put(self, data: dict[str, Any]) -> dict[str, str]:
        """Choose an email per notification (immediate) or one a day (digest)."""
        user = services.set_delivery(current_api_user(), data["delivery"])
        return {"delivery": user.notification_delivery}
