"""``/api/v1/feedback``: read feedback (with the visibility rule), save drafts and submit."""

from __future__ import annotations

from typing import Any

from hirewise.api import api_blueprint, current_api_user, paginate
from hirewise.feedback import services
from hirewise.feedback.models import Feedback
from hirewise.feedback.schemas import (
    FeedbackInputSchema,
    FeedbackListArgs,
    FeedbackPageSchema,
    FeedbackSchema,
)

blp = api_blueprint("feedback", "feedback", "Interview feedback: drafts, submissions and versions")


@blp.get("")
@blp.arguments(FeedbackListArgs, location="query")
@blp.response(200, FeedbackPageSchema)
def list_feedback(args: dict[str, Any]) -> dict[str, Any]:
    """Feedback the caller may read, newest first, optionally of one application."""
    stmt = services.visible_feedback_query(current_api_user(), args["application_id"])
    return paginate(stmt, args["page"], args["per_page"])


@blp.get("/<int:feedback_id>")
@blp.response(200, FeedbackSchema)
def get_feedback(feedback_id: int) -> Feedback:
    """One feedback with its ratings, answers and version history."""
    return services.viewable_feedback(current_api_user(), feedback_id)


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in ("ratings", "answers", "recommendation", "summary")}


@blp.post("/draft")
@blp.arguments(FeedbackInputSchema, location="json")
@blp.response(200, FeedbackSchema)
def save_draft(data: dict[str, Any]) -> Feedback:
    """Save the caller's draft on an interview (started from the interview kit if needed)."""
    return services.save_for_interview(
        current_api_user(), data["interview_id"], submit=False, **_fields(data)
    )


@blp.post("/submit")
@blp.arguments(FeedbackInputSchema, location="json")
@blp.response(200, FeedbackSchema)
def submit(data: dict[str, Any]) -> Feedback:
    """Submit the caller's feedback; on submitted feedback this records a new version."""
    return services.save_for_interview(current_api_user(), data["interview_id"], submit=True, **_fields(data))
