"""Privacy pages: a candidate's privacy record for staff, the admins' retention page, and the
candidate-facing pages reached from the careers site or a signed link (no sign-in)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from hirewise.errors import DomainError
from hirewise.extensions import limiter
from hirewise.form_errors import show_domain_errors
from hirewise.link_pages import keep_link_page_private
from hirewise.paging import requested_page
from hirewise.privacy import export, retention, services, tokens
from hirewise.privacy.explanations import HUMAN_REVIEW_NOTICE, explanations_for
from hirewise.privacy.forms import (
    ConfirmForm,
    DataRequestForm,
    PrivacySettingsForm,
    ReasonForm,
    ReviewRequestForm,
)
from hirewise.security import can_export_candidate, can_manage_privacy, require

bp = Blueprint("privacy", __name__, template_folder="templates")


@bp.after_request
def signed_link_headers(response: Response) -> Response:
    # The candidate's own pages (scores, keep, withdraw, export) are reached by a signed link; the
    # staff pages of this blueprint have a session and the app-wide headers.
    if request.view_args and "token" in request.view_args:
        return keep_link_page_private(response)
    return response


def zip_download(data: bytes, filename: str) -> Response:
    """An export as a download (the page's and the API's): personal data, never kept in a cache."""
    import io

    response = send_file(
        io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- staff: one candidate -----------------------------------------------------------------------


def _record_page(
    candidate_id: int,
    erase_form: ReasonForm | None = None,
    hold_form: ReasonForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    candidate = services.get_candidate(candidate_id)
    page = render_template(
        "privacy/candidate.html",
        status=services.privacy_status(current_user, candidate),
        erase_form=erase_form or ReasonForm(prefix="erase"),
        hold_form=hold_form or ReasonForm(prefix="hold"),
        confirm_form=ConfirmForm(),
    )
    return page, status


@bp.get("/candidates/<int:candidate_id>/privacy")
@login_required
def candidate_record(candidate_id: int) -> tuple[str, int]:
    return _record_page(candidate_id)


@bp.get("/candidates/<int:candidate_id>/privacy/export")
@login_required
def staff_export(candidate_id: int) -> Any:
    candidate = services.get_candidate(candidate_id)
    require(can_export_candidate(current_user, candidate))
    data = services.export_for_staff(current_user, candidate)
    return zip_download(data, export.archive_filename(candidate))


@bp.post("/candidates/<int:candidate_id>/privacy/erase")
@login_required
def erase(candidate_id: int) -> Any:
    candidate = services.get_candidate(candidate_id)
    form = ReasonForm(prefix="erase")
    status = 422
    if form.validate_on_submit():
        try:
            erasure = services.erase_candidate(current_user, candidate, form.reason.data or "")
            flash(f"Personal data erased: {sum(erasure.rows_changed.values())} rows changed.", "success")
            return redirect(url_for("privacy.candidate_record", candidate_id=candidate_id))
        except DomainError as exc:
            show_domain_errors(form, exc)
            status = exc.status
    return _record_page(candidate_id, erase_form=form, status=status)


@bp.post("/candidates/<int:candidate_id>/privacy/hold")
@login_required
def place_hold(candidate_id: int) -> Any:
    candidate = services.get_candidate(candidate_id)
    form = ReasonForm(prefix="hold")
    if form.validate_on_submit():
        try:
            services.place_hold(current_user, candidate, form.reason.data or "")
            flash(
                "Legal hold placed: this candidate's data cannot be erased until it is released.", "success"
            )
            return redirect(url_for("privacy.candidate_record", candidate_id=candidate_id))
        except DomainError as exc:
            show_domain_errors(form, exc)
            return _record_page(candidate_id, hold_form=form, status=exc.status)
    return _record_page(candidate_id, hold_form=form, status=422)


@bp.post("/candidates/<int:candidate_id>/privacy/release-hold")
@login_required
def release_hold(candidate_id: int) -> Response:
    candidate = services.get_candidate(candidate_id)
    if ConfirmForm().validate_on_submit():
        services.release_hold(current_user, candidate)
        flash("Legal hold released.", "success")
    return redirect(url_for("privacy.candidate_record", candidate_id=candidate_id))


# --- admins: settings and retention -------------------------------------------------------------


def _admin_page(form: PrivacySettingsForm | None = None, status: int = 200) -> tuple[str, int]:
    require(can_manage_privacy(current_user))
    page = render_template(
        "privacy/admin.html",
        form=form or PrivacySettingsForm().fill_from(services.current_settings()),
        planned=retention.preview(current_user),
        runs=retention.past_runs(current_user, requested_page()),
        confirm_form=ConfirmForm(),
        retention_days=current_app.config["DATA_RETENTION_DAYS"],
    )
    return page, status


@bp.get("/admin/privacy")
@login_required
def admin() -> tuple[str, int]:
    return _admin_page()


@bp.post("/admin/privacy/settings")
@login_required
def admin_settings() -> Any:
    require(can_manage_privacy(current_user))
    form = PrivacySettingsForm()
    if form.validate_on_submit():
        try:
            services.update_settings(current_user, form.values())
            flash("The privacy settings were saved.", "success")
            return redirect(url_for("privacy.admin"))
        except DomainError as exc:
            show_domain_errors(form, exc)
    return _admin_page(form, 422)


@bp.post("/admin/privacy/retention-runs")
@login_required
def admin_run_retention() -> Response:
    require(can_manage_privacy(current_user))
    if ConfirmForm().validate_on_submit():
        dry_run = request.form.get("dry_run") == "1"
        finished = retention.run(dry_run=dry_run, actor=current_user)
        kind = "Dry run" if dry_run else "Retention run"
        flash(
            f"{kind} done: {finished.notices_sent} notices, {finished.erased} erasures, "
            f"{finished.held} under legal hold.",
            "success",
        )
    return redirect(url_for("privacy.admin"))


# --- candidates (no sign-in): the careers site and signed links -----------------------------------


@bp.route("/privacy/request", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PRIVACY_REQUEST_RATE_LIMIT"], methods=["POST"])
def data_request() -> Any:
    form = DataRequestForm()
    if form.validate_on_submit():
        services.request_candidate_links(form.email.data or "")
        # The same page whether or not the address belongs to a candidate.
        return render_template("privacy/request_sent.html", link_days=tokens.link_days())
    return render_template(
        "privacy/request.html", form=form, notice=HUMAN_REVIEW_NOTICE
    ), 422 if form.errors else 200


@bp.get("/privacy/export/<token>")
def candidate_export(token: str) -> Any:
    candidate, data = services.export_for_candidate(token)
    return zip_download(data, export.archive_filename(candidate))


@bp.route("/privacy/keep/<token>", methods=["GET", "POST"])
def keep(token: str) -> Any:
    form = ConfirmForm()
    if form.validate_on_submit():
        candidate = services.keep_application(token, request.path.rsplit("/", 1)[0])
        return render_template("privacy/kept.html", retain_until=candidate.retain_until)
    # Opening the link changes nothing (mail scanners open links too): one button does.
    tokens.candidate_for_token(token, tokens.LinkPurpose.KEEP)
    return render_template("privacy/keep.html", form=form)


@bp.route("/privacy/withdraw/<token>", methods=["GET", "POST"])
def withdraw(token: str) -> Any:
    form = ConfirmForm()
    if form.validate_on_submit():
        outcome = services.withdraw_consent(token)
        return render_template("privacy/withdrawn.html", outcome=outcome)
    tokens.candidate_for_token(token, tokens.LinkPurpose.WITHDRAW)
    return render_template("privacy/withdraw.html", form=form)


@bp.get("/privacy/scores/<token>")
def scores(token: str) -> str:
    candidate = services.candidate_for_scores(token)
    return render_template(
        "privacy/scores.html",
        assessments=explanations_for(candidate),
        notice=HUMAN_REVIEW_NOTICE,
        form=ReviewRequestForm(),
        token=token,
    )


@bp.post("/privacy/scores/<token>/answers/<int:answer_id>/review")
def request_review(token: str, answer_id: int) -> Any:
    form = ReviewRequestForm()
    if form.validate_on_submit():
        services.request_human_review(token, answer_id, form.message.data or "")
        flash("Your request was sent: a person on the hiring team will review this score.", "success")
    else:
        flash("The message is too long.", "error")
    return redirect(url_for("privacy.scores", token=token))
