"""Candidate and application pages: profile, application, résumé download, adding people, moves.

The pipeline pages of an opening (board, list, bulk actions, CSV) are in ``pipeline_views.py``
and registered on this same blueprint at the end of this module.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from hirewise.auth.models import Role
from hirewise.candidates import pipeline_views, queries, services
from hirewise.candidates.fields import split_links
from hirewise.candidates.follow_through import rejection_follow_through
from hirewise.candidates.forms import (
    AddToOpeningForm,
    AdvanceForm,
    CandidateForm,
    EmailForm,
    MoveForm,
    NewCandidateForm,
    NoteForm,
    RejectForm,
    UploadForm,
    compose_reason,
    options,
)
from hirewise.candidates.gate import GateConfirmationRequired, gate_holds
from hirewise.candidates.models import ApplicationSource
from hirewise.candidates.resumes import highlight_segments
from hirewise.candidates.web import page_arg, safe_next, send_resume, uploaded_file, wants_json
from hirewise.errors import DomainError, ValidationFailed
from hirewise.form_errors import show_domain_errors
from hirewise.openings.models import StageKind
from hirewise.openings.services import get_opening, stage_counts
from hirewise.security import (
    can_add_notes,
    can_change_application,
    can_create_candidate,
    can_edit_candidate,
    can_view_application,
    can_view_candidate,
    can_view_move_reasons,
    require,
)

bp = Blueprint("candidates", __name__, template_folder="templates")
PER_PAGE = 25


# --- candidates ---------------------------------------------------------------------------------


@bp.get("/candidates")
@login_required
def index() -> str:
    # Hiring managers search among the candidates of their openings; interviewers see none.
    require(current_user.has_role(Role.ADMIN, Role.RECRUITER, Role.HIRING_MANAGER))
    q = request.args.get("q", "")
    candidates, total = queries.search_candidates(current_user, q, page_arg(), PER_PAGE)
    applications = queries.visible_applications_by_candidate(current_user, [c.id for c in candidates])
    return render_template(
        "candidates/index.html",
        candidates=candidates,
        applications=applications,
        q=q,
        page=page_arg(),
        pages=max(1, -(-total // PER_PAGE)),
        total=total,
    )


@bp.route("/candidates/new", methods=["GET", "POST"])
@login_required
def new() -> Response | str:
    require(can_create_candidate(current_user))
    form = NewCandidateForm().for_openings(queries.openings_for_select(current_user))
    preselected: int | None = request.args.get("opening_id", type=int)
    if request.method == "GET" and preselected:
        form.opening_id.data = preselected
    if form.validate_on_submit():
        try:
            opening = get_opening(form.opening_id.data) if form.opening_id.data else None
            candidate = services.create_candidate(
                current_user,
                full_name=form.full_name.data or "",
                email=form.email.data or "",
                phone=form.phone.data or "",
                links=split_links(form.links.data),
                opening=opening,
                source=ApplicationSource(form.source.data),
                cover_letter=form.cover_letter.data or "",
                resume=uploaded_file("resume"),
            )
            flash(f"{candidate.full_name} was added.", "success")
            return redirect(url_for("candidates.profile", candidate_id=candidate.id))
        except DomainError as exc:
            show_domain_errors(form, exc, fallback="full_name", flash_unplaced=False)
    return render_template("candidates/new.html", form=form)


@bp.get("/candidates/<int:candidate_id>")
@login_required
def profile(candidate_id: int) -> str:
    candidate = queries.get_candidate(candidate_id)
    require(can_view_candidate(current_user, candidate))
    applications = queries.visible_applications_by_candidate(current_user, [candidate.id])[candidate.id]
    note_form = NoteForm()
    can_edit = can_edit_candidate(current_user, candidate)
    general = [(0, "The candidate in general")] if can_edit else []
    note_form.application_id.choices = options(
        [
            *general,
            *((a.id, a.opening.title) for a in applications if can_change_application(current_user, a)),
        ]
    )
    add_form = AddToOpeningForm()
    taken = {a.opening_id for a in candidate.applications}
    add_form.opening_id.choices = options(
        (o.id, o.title) for o in queries.openings_for_select(current_user) if o.id not in taken
    )
    return render_template(
        "candidates/profile.html",
        candidate=candidate,
        applications=applications,
        notes=queries.notes_for(current_user, candidate),
        timeline=queries.candidate_timeline(current_user, candidate),
        note_form=note_form,
        email_form=EmailForm(),
        add_form=add_form,
        can_edit=can_edit,
        can_note=can_add_notes(current_user, candidate),
    )


@bp.route("/candidates/<int:candidate_id>/edit", methods=["GET", "POST"])
@login_required
def edit(candidate_id: int) -> Response | str:
    candidate = queries.get_candidate(candidate_id)
    require(can_edit_candidate(current_user, candidate))
    form = CandidateForm(obj=candidate)
    if request.method == "GET":
        form.links.data = "\n".join(candidate.links or [])
    if form.validate_on_submit():
        try:
            services.update_candidate(
                current_user,
                candidate,
                full_name=form.full_name.data or "",
                email=form.email.data or "",
                phone=form.phone.data or "",
                links=split_links(form.links.data),
            )
            flash("Candidate updated.", "success")
            return redirect(url_for("candidates.profile", candidate_id=candidate.id))
        except DomainError as exc:
            show_domain_errors(form, exc, fallback="full_name", flash_unplaced=False)
    return render_template("candidates/edit.html", form=form, candidate=candidate)


def _profile_action(
    candidate_id: int, action: Any, success: str, allowed: Any = can_edit_candidate
) -> Response:
    candidate = queries.get_candidate(candidate_id)
    require(allowed(current_user, candidate))
    try:
        action(candidate)
        flash(success, "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(safe_next(url_for("candidates.profile", candidate_id=candidate_id)))


@bp.post("/candidates/<int:candidate_id>/notes")
@login_required
def add_note(candidate_id: int) -> Response:
    form = NoteForm()
    application_id = request.form.get("application_id", type=int) or None
    return _profile_action(
        candidate_id,
        lambda c: services.add_note(current_user, c, form.body.data or "", application_id),
        "Note added.",
        allowed=can_add_notes,
    )


@bp.get("/candidates/<int:candidate_id>/mentionable")
@login_required
def mentionable(candidate_id: int) -> Response:
    """The names the note box offers after an @ (application_id: the note's application; none: general)."""
    candidate = queries.get_candidate(candidate_id)
    require(can_view_candidate(current_user, candidate))
    application_id = request.args.get("application_id", type=int) or None
    people = services.people_to_mention(current_user, candidate, application_id)
    return jsonify(items=[{"id": person.id, "full_name": person.full_name} for person in people])


@bp.post("/candidates/<int:candidate_id>/email")
@login_required
def email(candidate_id: int) -> Response:
    form = EmailForm()
    return _profile_action(
        candidate_id,
        lambda c: services.email_candidate(current_user, c, form.subject.data or "", form.body.data or ""),
        "Email queued. It shows on the timeline and in the outbox.",
    )


@bp.post("/candidates/<int:candidate_id>/applications")
@login_required
def add_to_opening(candidate_id: int) -> Response:
    require(can_create_candidate(current_user))
    form = AddToOpeningForm()
    source = request.form.get("source", ApplicationSource.SOURCED.value)
    if source not in {s.value for s in ApplicationSource}:
        source = ApplicationSource.SOURCED.value
    return _profile_action(
        candidate_id,
        lambda c: services.add_application(
            current_user, c, get_opening(form.opening_id.data or 0), source=ApplicationSource(source)
        ),
        "Added to the opening's pipeline.",
    )


# --- applications -------------------------------------------------------------------------------


@bp.get("/applications/<int:application_id>")
@login_required
def application(application_id: int) -> str:
    app_row = queries.get_application_detail(application_id)
    require(can_view_application(current_user, app_row))
    skills = [
        {
            **found,
            "segments": highlight_segments(str(found.get("snippet", "")), str(found.get("keyword", ""))),
        }
        for found in app_row.detected_skills or []
    ]
    move_form = MoveForm().for_stages(app_row.opening.stages)
    move_form.stage_id.data = app_row.stage_id
    return render_template(
        "candidates/application.html",
        application=app_row,
        candidate=app_row.candidate,
        skills=skills,
        move_form=move_form,
        upload_form=UploadForm(),
        notes=queries.notes_for(current_user, app_row.candidate, app_row.id),
        can_change=can_change_application(current_user, app_row),
        show_reasons=can_view_move_reasons(current_user, app_row),
    )


@bp.get("/applications/<int:application_id>/resume")
@login_required
def resume(application_id: int) -> Response:
    app_row = queries.get_application(application_id)
    require(can_view_application(current_user, app_row))
    return send_resume(app_row)


@bp.post("/applications/<int:application_id>/resume")
@login_required
def upload_resume(application_id: int) -> Response:
    app_row = queries.get_application(application_id)
    require(can_change_application(current_user, app_row))
    upload = uploaded_file("file")
    try:
        if upload is None:
            flash("Choose a PDF or Word (.docx) file to upload.", "error")
        else:
            services.replace_resume(current_user, app_row, upload)
            flash("Résumé uploaded.", "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(url_for("candidates.application", application_id=application_id))


@bp.post("/applications/<int:application_id>/move")
@login_required
def move(application_id: int) -> Response | tuple[Response, int]:
    app_row = queries.get_application(application_id)
    require(can_change_application(current_user, app_row))
    form = MoveForm().for_stages(app_row.opening.stages)
    back = safe_next(url_for("candidates.application", application_id=application_id))
    target = next((s for s in app_row.opening.stages if s.id == form.stage_id.data), None)
    reason = compose_reason(form.reason_choice.data, form.reason.data)
    rejecting = target is not None and target.kind == StageKind.REJECTED and not wants_json()
    # The confirmation page asks for the reason and says which interviews and links rejecting stops.
    if rejecting and (not reason or rejection_follow_through(app_row)):
        chosen = {"reason_choice": form.reason_choice.data or None, "reason": form.reason.data or None}
        return redirect(url_for("candidates.reject", application_id=application_id, next=back, **chosen))
    try:
        if not form.validate_on_submit() or target is None:
            raise ValidationFailed("Choose a stage of this opening.")
        if target.kind == StageKind.REJECTED:
            # Only the board's script gets here (a form post goes through the reject page above).
            done = services.reject_application(current_user, app_row, reason).follow_through.done_summary
        else:
            services.move_application(
                current_user, app_row, target.id, reason, confirm_gate=bool(form.confirm_gate.data)
            )
            done = ""
    except GateConfirmationRequired as exc:
        # The confirmation page resubmits the same move, with what was typed here.
        confirm_url = url_for(
            "candidates.advance",
            application_id=application_id,
            stage_id=form.stage_id.data,
            reason=reason or None,
            next=back,
        )
        if wants_json():
            return jsonify(ok=False, code=exc.code, message=exc.message, confirm_url=confirm_url), exc.status
        return redirect(confirm_url)
    except DomainError as exc:
        if wants_json():
            return jsonify(ok=False, message=exc.message), exc.status
        flash(exc.message, "error")
        return redirect(back)
    if wants_json():
        counts = stage_counts([app_row.opening_id]).get(app_row.opening_id, {})
        return jsonify(
            ok=True,
            application_id=app_row.id,
            stage_id=app_row.stage_id,
            stage=app_row.stage.name,
            also=done,
            counts={str(k): v for k, v in counts.items()},
        )
    flash(f"{app_row.candidate.full_name} moved to {app_row.stage.name}.", "success")
    return redirect(back)


@bp.route("/applications/<int:application_id>/advance", methods=["GET", "POST"])
@login_required
def advance(application_id: int) -> Response | tuple[str, int]:
    """Confirm a move that advances past a failed or incomplete must-have gate, with a reason."""
    app_row = queries.get_application(application_id)
    require(can_change_application(current_user, app_row))
    back = safe_next(url_for("candidates.application", application_id=application_id))
    typed = {"stage_id": request.args.get("stage_id", type=int), "reason": request.args.get("reason", "")}
    form = AdvanceForm(data=None if request.method == "POST" else typed)
    target = next((s for s in app_row.opening.stages if s.id == form.stage_id.data), None)
    if request.method == "GET" and target is None:
        flash("Choose a stage of this opening.", "error")
        return redirect(back)
    status = 200
    holds = gate_holds([(app_row, target)]) if target is not None else []
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                services.move_application(
                    current_user,
                    app_row,
                    form.stage_id.data or 0,
                    form.reason.data or "",
                    confirm_gate=bool(form.confirm_gate.data),
                )
                flash(f"{app_row.candidate.full_name} moved to {app_row.stage.name}.", "success")
                return redirect(back)
            except GateConfirmationRequired as exc:
                form.confirm_gate.errors = [*form.confirm_gate.errors, exc.message]
                holds, status = exc.holds, exc.status
            except DomainError as exc:
                show_domain_errors(form, exc, fallback="reason", flash_unplaced=False)
                status = exc.status
    page = render_template(
        "candidates/advance.html",
        form=form,
        holds=holds,
        heading=f"Advance {app_row.candidate.full_name}" + (f" to {target.name}" if target else ""),
        action=url_for("candidates.advance", application_id=application_id),
        hidden=[("stage_id", form.stage_id.data or "")],
        back=back,
    )
    return page, status


@bp.route("/applications/<int:application_id>/reject", methods=["GET", "POST"])
@login_required
def reject(application_id: int) -> Response | str:
    app_row = queries.get_application(application_id)
    require(can_change_application(current_user, app_row))
    # Coming from a move form, the reason already chosen there is kept.
    chosen = {
        "reason_choice": request.args.get("reason_choice", ""),
        "reason": request.args.get("reason", ""),
    }
    form = RejectForm(data=None if request.method == "POST" else chosen)
    back = safe_next(url_for("candidates.application", application_id=application_id))
    if form.validate_on_submit():
        try:
            rejection = services.reject_application(
                current_user,
                app_row,
                compose_reason(form.reason_choice.data, form.reason.data),
                notify=bool(form.notify.data),
            )
            done = rejection.follow_through.done_summary
            flash(f"{app_row.candidate.full_name} was rejected" + (f": {done}." if done else "."), "success")
            return redirect(back)
        except DomainError as exc:
            form.reason.errors = [exc.message]
    return render_template(
        "candidates/reject.html",
        form=form,
        application=app_row,
        back=back,
        follow_through=rejection_follow_through(app_row),
    )


@bp.get("/applications/<int:application_id>/follow-through")
@login_required
def follow_through(application_id: int) -> str:
    """What rejecting the application would stop, as a fragment: the board's reject dialog shows it."""
    app_row = queries.get_application(application_id)
    require(can_change_application(current_user, app_row))
    return render_template(
        "candidates/_follow_through.html", follow_through=rejection_follow_through(app_row)
    )


pipeline_views.register(bp)
