"""The scorecard page of an interview (write, autosave, submit, revise) and the feedback reading page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from hirewise.db import utcnow
from hirewise.errors import DomainError
from hirewise.feedback import services
from hirewise.feedback.forms import FeedbackForm, covered_name, notes_name, rating_name, read_feedback_form
from hirewise.feedback.models import RATING_LABELS, Feedback, FeedbackStatus, Recommendation
from hirewise.interviews.services import get_interview
from hirewise.security import can_view_feedback, can_write_feedback, require

bp = Blueprint("feedback", __name__, template_folder="templates")

RECOMMENDATION_LABELS = {
    Recommendation.STRONG_NO: "Strong no",
    Recommendation.NO: "No",
    Recommendation.YES: "Yes",
    Recommendation.STRONG_YES: "Strong yes",
}


@bp.app_context_processor
def feedback_helpers() -> dict[str, Any]:
    """Interview and application pages list feedback through these (always filtered by security)."""
    return {
        "feedback_for_application": services.feedback_for_application,
        "own_feedback": services.own_feedback,
        "pending_feedback": services.pending_feedback,
        "feedback_states": services.feedback_states,
        "can_write_feedback": can_write_feedback,
        "rating_labels": RATING_LABELS,
        "recommendation_labels": RECOMMENDATION_LABELS,
    }


def _values_from(feedback: Feedback) -> dict[str, Any]:
    """What the form shows, keyed by the posted field names."""
    values: dict[str, Any] = {
        "recommendation": str(feedback.recommendation) if feedback.recommendation else "",
        "summary": feedback.summary,
    }
    for rating in feedback.ratings:
        values[rating_name(rating.skill_id)] = str(rating.rating) if rating.rating else ""
    for answer in feedback.answers:
        values[notes_name(answer.question_id)] = answer.notes
        values[covered_name(answer.question_id)] = [str(i) for i in answer.covered_key_points or []]
    return values


def _values_posted(feedback: Feedback) -> dict[str, Any]:
    values = dict(_values_from(feedback))
    for name in list(values):
        if name.startswith("covered-"):
            values[name] = request.form.getlist(name)
        else:
            values[name] = request.form.get(name, "")
    return values


def _page(
    feedback: Feedback, form: FeedbackForm, values: dict[str, Any], *, editing: bool, status: int = 200
) -> Any:
    page = render_template(
        "feedback/edit.html",
        feedback=feedback,
        interview=feedback.interview,
        application=feedback.application,
        form=form,
        values=values,
        editing=editing,
        rating_name=rating_name,
        notes_name=notes_name,
        covered_name=covered_name,
    )
    return page, status


@bp.route("/interviews/<int:interview_id>/feedback", methods=["GET", "POST"])
@login_required
def edit(interview_id: int) -> Any:
    interview = get_interview(interview_id)
    require(can_write_feedback(current_user, interview))
    feedback = services.get_or_start_feedback(current_user, interview)
    submitted = feedback.status == FeedbackStatus.SUBMITTED
    form = FeedbackForm()
    if request.method == "GET":
        return _page(feedback, form, _values_from(feedback), editing=not submitted or "edit" in request.args)
    if not form.validate_on_submit():
        flash("The form expired: reload the page and try again.", "error")
        return _page(feedback, form, _values_posted(feedback), editing=True, status=400)
    action = request.form.get("action", "save")
    fields = read_feedback_form(request.form, feedback)
    try:
        if submitted:
            services.edit_submitted(current_user, feedback, **fields)
            flash(f"Your feedback was saved as version {feedback.version}.", "success")
        elif action == "submit":
            services.submit_feedback(current_user, feedback, **fields)
            flash("Your feedback was submitted.", "success")
        else:
            services.save_draft(current_user, feedback, **fields)
            flash("Your draft was saved.", "success")
    except DomainError as exc:
        flash(exc.message, "error")
        fresh = services.get_feedback(feedback.id)
        return _page(fresh, form, _values_posted(fresh), editing=True, status=422)
    return redirect(url_for("feedback.edit", interview_id=interview.id))


@bp.post("/interviews/<int:interview_id>/feedback/autosave")
@login_required
def autosave(interview_id: int) -> Any:
    interview = get_interview(interview_id)
    require(can_write_feedback(current_user, interview))
    feedback = services.get_or_start_feedback(current_user, interview)
    try:
        services.save_draft(current_user, feedback, **read_feedback_form(request.form, feedback))
    except DomainError as exc:
        return render_template("feedback/_saved.html", error=exc.message), exc.status
    return render_template("feedback/_saved.html", saved_at=utcnow(), error=None)


@bp.get("/feedback/<int:feedback_id>")
@login_required
def view(feedback_id: int) -> str:
    feedback = services.get_feedback(feedback_id)
    require(can_view_feedback(current_user, feedback))
    return render_template("feedback/view.html", feedback=feedback, application=feedback.application)
