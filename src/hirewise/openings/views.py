"""Openings in the browser: the signed-in dashboard, the list, creation, details and the scorecard."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from hirewise.api import paginate
from hirewise.audit.services import timeline
from hirewise.auth.models import Role
from hirewise.errors import DomainError
from hirewise.form_errors import show_domain_errors
from hirewise.home.services import todo_for
from hirewise.openings import automation, services
from hirewise.openings.forms import (
    NO_KIT,
    STATUS_OPTIONS,
    AutomationForm,
    OpeningCreateForm,
    OpeningEditForm,
    SkillForm,
    StatusForm,
    TeamForm,
    team_options,
)
from hirewise.openings.models import Opening, OpeningSkill
from hirewise.openings.setup import OpeningSetup, set_up_opening
from hirewise.paging import requested_page
from hirewise.security import (
    can_create_opening,
    can_edit_opening,
    can_list_openings,
    can_view_opening,
    require,
)

bp = Blueprint("openings", __name__, template_folder="templates")
PER_PAGE = 25
NEW_SKILL_PREFIX = "new_skill"
OPENING_EVENTS = 200


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _opening_for_edit(opening_id: int) -> Opening:
    opening = services.get_opening(opening_id)
    require(can_edit_opening(current_user, opening))
    return opening


def _skill_form(skill: OpeningSkill, formdata: Any = None) -> SkillForm:
    form = SkillForm(formdata=formdata, obj=skill, prefix=f"skill{skill.id}")
    if formdata is None:
        form.keywords.data = ", ".join(skill.keywords or [])
    return form


def _skill_values(form: SkillForm) -> dict[str, Any]:
    return {
        "name": form.name.data or "",
        "kind": form.kind.data,
        "weight": form.weight.data,
        "pass_bar": float(form.pass_bar.data) if form.pass_bar.data is not None else None,
        "keywords": form.keywords.data or "",
        "description": form.description.data or "",
    }


def _set_up_message(result: OpeningSetup) -> str:
    state = "published on the careers page" if result.published else "saved as a draft"
    added = []
    if result.interview_plan:
        added.append(f"its interview plan ({len(result.interview_plan)} interviews)")
    if result.assessment is not None:
        added.append(f"the screening assessment “{result.assessment.title}”")
    extras = f", with {' and '.join(added)}" if added else ""
    return f"Opening “{result.opening.title}” created and {state}{extras}."


@bp.get("/")
@login_required
def dashboard() -> str:
    todo = todo_for(current_user)
    if current_user.has_role(Role.INTERVIEWER):
        return render_template("openings/dashboard.html", rows=[], interviewer=True, todo=todo)
    return render_template(
        "openings/dashboard.html", rows=services.dashboard(current_user), interviewer=False, todo=todo
    )


@bp.get("/openings")
@login_required
def index() -> str:
    require(can_list_openings(current_user))
    status = request.args.get("status", "")
    q = request.args.get("q", "")
    page = requested_page()
    result = paginate(services.openings_query(current_user, status=status, q=q), page, PER_PAGE)
    return render_template(
        "openings/index.html", result=result, status=status, q=q, status_choices=STATUS_OPTIONS
    )


@bp.route("/openings/new", methods=["GET", "POST"])
@login_required
def new() -> Response | Any:
    require(can_create_opening(current_user))
    form = OpeningCreateForm()
    kits = services.available_kits()
    form.set_choices(kits, services.team_choices())
    if request.method == "GET":
        form.kit_id.data = services.default_kit_id(kits) or NO_KIT
    if form.validate_on_submit():
        from_kit = bool(form.kit_id.data)
        try:
            result = set_up_opening(
                current_user,
                title=form.title.data or "",
                kit_id=form.kit_id.data or None,
                location=form.location.data or "",
                employment_type=form.employment_type.data,
                description=form.description.data or "",
                team_ids=form.team_ids.data or [],
                with_interview_plan=from_kit and form.with_interview_plan.data,
                with_assessment=from_kit and form.with_assessment.data,
                publish=form.publish.data,
            )
        except DomainError as exc:
            show_domain_errors(form, exc)
        else:
            flash(_set_up_message(result), "success")
            return redirect(url_for("openings.detail", opening_id=result.opening.id))
    return render_template("openings/new.html", form=form), 422 if form.errors else 200


@bp.get("/openings/<int:opening_id>")
@login_required
def detail(opening_id: int) -> Any:
    """The Overview tab: a read-only summary; every editing form is on the Settings tab."""
    opening = services.get_opening(opening_id)
    require(can_view_opening(current_user, opening))
    return render_template(
        "openings/detail.html",
        opening=opening,
        counts=services.stage_counts([opening.id])[opening.id],
        events=timeline(current_user, opening_id=opening.id, limit=OPENING_EVENTS),
        max_events=OPENING_EVENTS,
    )


def _render_settings(opening: Opening, skill_form: SkillForm | None = None, status: int = 200) -> Any:
    team_form = TeamForm(prefix="team", formdata=None)
    team_form.team_ids.choices = team_options(services.team_choices())
    team_form.team_ids.data = [member.id for member in opening.team]
    return render_template(
        "openings/settings.html",
        opening=opening,
        skill_form=skill_form or SkillForm(prefix=NEW_SKILL_PREFIX, formdata=None),
        team_form=team_form,
        status_form=StatusForm(prefix="status", formdata=None, status=opening.status),
    ), status


@bp.get("/openings/<int:opening_id>/settings")
@login_required
def settings(opening_id: int) -> Any:
    """The Settings tab: status, details, scorecard and hiring team, for whoever may edit the opening."""
    return _render_settings(_opening_for_edit(opening_id))


@bp.route("/openings/<int:opening_id>/edit", methods=["GET", "POST"])
@login_required
def edit(opening_id: int) -> Response | Any:
    opening = _opening_for_edit(opening_id)
    form = OpeningEditForm(obj=opening)
    if form.validate_on_submit():
        try:
            services.update_opening(
                current_user,
                opening,
                title=form.title.data or "",
                location=form.location.data or "",
                employment_type=form.employment_type.data,
                description=form.description.data or "",
                status=form.status.data,
                feedback_visibility=form.feedback_visibility.data,
            )
        except DomainError as exc:
            show_domain_errors(form, exc)
        else:
            flash("Opening saved.", "success")
            return redirect(url_for("openings.settings", opening_id=opening.id))
    return render_template("openings/edit.html", form=form, opening=opening), 422 if form.errors else 200


@bp.post("/openings/<int:opening_id>/team")
@login_required
def team(opening_id: int) -> Response:
    opening = _opening_for_edit(opening_id)
    form = TeamForm(prefix="team")
    form.team_ids.choices = team_options(services.team_choices())
    if not form.validate_on_submit():
        flash("Choose hiring team members from the list.", "error")
    else:
        try:
            services.set_team(current_user, opening, form.team_ids.data or [])
            flash("Hiring team saved.", "success")
        except DomainError as exc:
            flash(exc.message, "error")
    return redirect(url_for("openings.settings", opening_id=opening.id, _anchor="team"))


@bp.post("/openings/<int:opening_id>/status")
@login_required
def status(opening_id: int) -> Response:
    opening = _opening_for_edit(opening_id)
    form = StatusForm(prefix="status")
    if not form.validate_on_submit():
        flash("Choose draft, open or closed.", "error")
    else:
        services.set_status(current_user, opening, form.status.data)
        flash(f"The opening is now {opening.status}.", "success")
    return redirect(url_for("openings.settings", opening_id=opening.id))


@bp.post("/openings/<int:opening_id>/skills")
@login_required
def add_skill(opening_id: int) -> Any:
    opening = _opening_for_edit(opening_id)
    form = SkillForm(prefix=NEW_SKILL_PREFIX)
    if form.validate_on_submit():
        try:
            skill = services.add_skill(current_user, opening, **_skill_values(form))
        except DomainError as exc:
            show_domain_errors(form, exc)
        else:
            flash(f"Skill “{skill.name}” added.", "success")
            return redirect(url_for("openings.settings", opening_id=opening.id, _anchor="scorecard"))
    return _render_settings(opening, skill_form=form, status=422)


@bp.get("/openings/<int:opening_id>/skills/<int:skill_id>/edit")
@login_required
def edit_skill(opening_id: int, skill_id: int) -> str:
    opening = _opening_for_edit(opening_id)
    skill = services.get_skill(opening, skill_id)
    template = "openings/_skill_edit_row.html" if _is_htmx() else "openings/skill_edit.html"
    return render_template(template, opening=opening, skill=skill, form=_skill_form(skill))


@bp.get("/openings/<int:opening_id>/skills/<int:skill_id>/row")
@login_required
def skill_row(opening_id: int, skill_id: int) -> str:
    opening = services.get_opening(opening_id)
    require(can_view_opening(current_user, opening))
    skill = services.get_skill(opening, skill_id)
    return render_template("openings/_skill_row.html", opening=opening, skill=skill)


@bp.post("/openings/<int:opening_id>/skills/<int:skill_id>")
@login_required
def update_skill(opening_id: int, skill_id: int) -> Any:
    opening = _opening_for_edit(opening_id)
    skill = services.get_skill(opening, skill_id)
    form = _skill_form(skill, formdata=request.form)
    if form.validate_on_submit():
        try:
            services.update_skill(current_user, skill, **_skill_values(form))
        except DomainError as exc:
            show_domain_errors(form, exc)
        else:
            if _is_htmx():
                return render_template("openings/_skill_row.html", opening=opening, skill=skill)
            flash(f"Skill “{skill.name}” saved.", "success")
            return redirect(url_for("openings.settings", opening_id=opening.id, _anchor=f"skill-{skill.id}"))
    if _is_htmx():
        # htmx swaps only 2xx responses: the row comes back as a form showing its errors.
        return render_template("openings/_skill_edit_row.html", opening=opening, skill=skill, form=form)
    return render_template("openings/skill_edit.html", opening=opening, skill=skill, form=form), 422


@bp.post("/openings/<int:opening_id>/skills/<int:skill_id>/delete")
@login_required
def remove_skill(opening_id: int, skill_id: int) -> Response:
    opening = _opening_for_edit(opening_id)
    skill = services.get_skill(opening, skill_id)
    name = skill.name
    services.remove_skill(current_user, skill)
    flash(f"Skill “{name}” removed. Its questions stay on the opening.", "success")
    return redirect(url_for("openings.settings", opening_id=opening.id, _anchor="scorecard"))


@bp.post("/openings/<int:opening_id>/automation")
@login_required
def save_automation(opening_id: int) -> Response:
    """Save the stage automations (the form is on the Settings tab, ``_automations.html``)."""
    opening = _opening_for_edit(opening_id)
    form = AutomationForm()
    if not form.validate_on_submit():
        flash("The form expired; reload the page and try again.", "error")
    else:
        automation.update_automations(
            current_user,
            opening,
            move_on_assessment_invite=form.move_on_assessment_invite.data,
            move_on_interview_scheduled=form.move_on_interview_scheduled.data,
        )
        flash("Stage automations saved.", "success")
    return redirect(url_for("openings.settings", opening_id=opening.id, _anchor="automation"))
