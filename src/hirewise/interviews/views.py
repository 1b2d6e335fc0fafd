"""Interview plan of an opening, scheduling, the interview page with its kit, and "My interviews"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from hirewise.candidates.queries import get_application
from hirewise.errors import DomainError
from hirewise.form_errors import show_domain_errors
from hirewise.interviews import services
from hirewise.interviews.forms import NO_PLAN_ITEM, CancelForm, PlanItemForm, RescheduleForm, ScheduleForm
from hirewise.interviews.models import Interview
from hirewise.openings.services import get_opening
from hirewise.security import (
    can_change_application,
    can_edit_opening,
    can_view_interview,
    can_view_opening,
    require,
)

bp = Blueprint("interviews", __name__, template_folder="templates")


@bp.app_context_processor
def interview_helpers() -> dict[str, Any]:
    """Other features' pages (the application page) list interviews through these."""
    return {
        "interviews_for_application": services.interviews_for_application,
        "interview_local_start": services.local_start,
    }


# --- the interview plan of an opening -----------------------------------------------------------


def _plan_page(opening: Any, add_form: PlanItemForm, status: int = 200) -> tuple[str, int]:
    items = services.list_plan(opening)
    edit_forms = {item.id: PlanItemForm(prefix=f"item{item.id}").for_opening(opening) for item in items}
    if request.method == "GET" or add_form.errors:
        for item in items:
            edit_forms[item.id].fill_from(item)
    skills = {skill.id: skill for skill in opening.skills}
    questions = {question.id: question for question in opening.questions}
    page = render_template(
        "interviews/plan.html",
        opening=opening,
        items=items,
        add_form=add_form,
        edit_forms=edit_forms,
        skills=skills,
        questions=questions,
        can_edit=can_edit_opening(current_user, opening),
    )
    return page, status


@bp.route("/openings/<int:opening_id>/interview-plan", methods=["GET", "POST"])
@login_required
def plan(opening_id: int) -> Any:
    opening = get_opening(opening_id)
    require(can_view_opening(current_user, opening))
    form = PlanItemForm().for_opening(opening)
    if request.method == "GET":
        form.duration_minutes.data = 60
        return _plan_page(opening, form)
    require(can_edit_opening(current_user, opening))
    if form.validate_on_submit():
        try:
            item = services.add_plan_item(current_user, opening, **form.values())
            flash(f"{item.title} was added to the plan.", "success")
            return redirect(url_for("interviews.plan", opening_id=opening.id))
        except DomainError as exc:
            show_domain_errors(form, exc, fallback="title")
    return _plan_page(opening, form, 422)


@bp.post("/openings/<int:opening_id>/interview-plan/defaults")
@login_required
def plan_defaults(opening_id: int) -> Response:
    opening = get_opening(opening_id)
    require(can_edit_opening(current_user, opening))
    items = services.default_plan(current_user, opening)
    flash(f"The plan has {len(items)} interview(s).", "success")
    return redirect(url_for("interviews.plan", opening_id=opening.id))


@bp.post("/openings/<int:opening_id>/interview-plan/<int:item_id>")
@login_required
def plan_item_update(opening_id: int, item_id: int) -> Any:
    opening = get_opening(opening_id)
    require(can_edit_opening(current_user, opening))
    item = services.get_plan_item(opening, item_id)
    form = PlanItemForm(prefix=f"item{item.id}").for_opening(opening)
    if form.validate_on_submit():
        try:
            services.update_plan_item(current_user, item, **form.values())
            flash(f"{item.title} was saved.", "success")
            return redirect(url_for("interviews.plan", opening_id=opening.id))
        except DomainError as exc:
            flash(exc.message, "error")
    else:
        flash(
            "Check the interview's fields: " + "; ".join(e for errs in form.errors.values() for e in errs),
            "error",
        )
    return redirect(url_for("interviews.plan", opening_id=opening.id))


@bp.post("/openings/<int:opening_id>/interview-plan/<int:item_id>/remove")
@login_required
def plan_item_remove(opening_id: int, item_id: int) -> Response:
    opening = get_opening(opening_id)
    require(can_edit_opening(current_user, opening))
    item = services.get_plan_item(opening, item_id)
    services.remove_plan_item(current_user, item)
    flash(f"{item.title} was removed from the plan.", "success")
    return redirect(url_for("interviews.plan", opening_id=opening.id))


# --- scheduling ---------------------------------------------------------------------------------


@bp.route("/applications/<int:application_id>/interviews/new", methods=["GET", "POST"])
@login_required
def schedule(application_id: int) -> Any:
    application = get_application(application_id)
    require(can_change_application(current_user, application))
    plan_items = services.list_plan(application.opening)
    form = ScheduleForm().set_choices(plan_items, services.active_users())
    if request.method == "GET":
        form.duration_minutes.data = 60
        form.timezone.data = "UTC"
    if form.validate_on_submit():
        chosen = next((item for item in plan_items if item.id == form.plan_item_id.data), None)
        try:
            interview = services.schedule_interview(
                current_user,
                application,
                title=form.title.data or (chosen.title if chosen else ""),
                starts_at=form.aware_start(),
                timezone=form.timezone.data or "",
                duration_minutes=form.duration_minutes.data or 0,
                interviewer_ids=form.interviewer_ids.data or [],
                location=form.location.data or "",
                video_url=form.video_url.data or "",
                instructions=form.instructions.data or "",
                plan_item_id=None if form.plan_item_id.data == NO_PLAN_ITEM else form.plan_item_id.data,
            )
            flash(f"{interview.title} was scheduled and the invites were sent.", "success")
            return redirect(url_for("interviews.detail", interview_id=interview.id))
        except DomainError as exc:
            show_domain_errors(form, exc, fallback="title")
    plan_data = {
        str(item.id): {"title": item.title, "duration": item.duration_minutes} for item in plan_items
    }
    status = 422 if request.method == "POST" else 200
    page = render_template(
        "interviews/schedule.html", application=application, form=form, plan_data=plan_data
    )
    return page, status


def _visible_interview(interview_id: int) -> Interview:
    interview = services.get_interview(interview_id)
    require(can_view_interview(current_user, interview))
    return interview


def _detail_page(interview: Interview, reschedule_form: RescheduleForm, status: int = 200) -> tuple[str, int]:
    page = render_template(
        "interviews/detail.html",
        interview=interview,
        application=interview.application,
        ends_at=services.ends_at(interview),
        focus_skills=services.focus_skills(interview),
        questions=services.questions(interview),
        reschedule_form=reschedule_form,
        cancel_form=CancelForm(),
        can_change=can_change_application(current_user, interview.application),
    )
    return page, status


@bp.get("/interviews/<int:interview_id>")
@login_required
def detail(interview_id: int) -> Any:
    interview = _visible_interview(interview_id)
    form = RescheduleForm()
    form.starts_at.data = interview.starts_at.astimezone(services.zone_of(interview)).replace(tzinfo=None)
    form.timezone.data = interview.timezone
    form.duration_minutes.data = interview.duration_minutes
    return _detail_page(interview, form)


@bp.get("/interviews/<int:interview_id>/invite.ics")
@login_required
def ics(interview_id: int) -> Response:
    interview = _visible_interview(interview_id)
    return Response(
        services.ics_for(interview),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="interview-{interview.id}.ics"'},
    )


@bp.post("/interviews/<int:interview_id>/reschedule")
@login_required
def reschedule(interview_id: int) -> Any:
    interview = _visible_interview(interview_id)
    require(can_change_application(current_user, interview.application))
    form = RescheduleForm()
    if form.validate_on_submit():
        try:
            services.reschedule_interview(
                current_user,
                interview,
                starts_at=form.aware_start(),
                timezone=form.timezone.data or "",
                duration_minutes=form.duration_minutes.data or 0,
            )
            flash("The interview was moved and updated invites were sent.", "success")
            return redirect(url_for("interviews.detail", interview_id=interview.id))
        except DomainError as exc:
            show_domain_errors(form, exc, fallback="starts_at")
    return _detail_page(interview, form, 422)


@bp.post("/interviews/<int:interview_id>/cancel")
@login_required
def cancel(interview_id: int) -> Response:
    interview = _visible_interview(interview_id)
    require(can_change_application(current_user, interview.application))
    form = CancelForm()
    try:
        if not form.validate_on_submit():
            flash("The reason must be at most 500 characters.", "error")
        else:
            services.cancel_interview(current_user, interview, form.reason.data or "")
            flash("The interview was cancelled and everyone was told.", "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(url_for("interviews.detail", interview_id=interview.id))


@bp.get("/interviews/mine")
@login_required
def mine() -> str:
    mine = services.my_interviews(current_user)
    return render_template("interviews/mine.html", upcoming=mine.upcoming, past=mine.past)
