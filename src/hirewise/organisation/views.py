"""The admins' settings page: organisation-wide settings and the security actions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from hirewise.auth.services import count_active_api_tokens, revoke_all_api_tokens
from hirewise.errors import DomainError
from hirewise.form_errors import show_domain_errors
from hirewise.organisation import services
from hirewise.organisation.forms import OrganisationSettingsForm
from hirewise.security import can_manage_organisation, require

bp = Blueprint("organisation", __name__, template_folder="templates")


def _page(form: OrganisationSettingsForm, status: int = 200) -> tuple[str, int]:
    page = render_template(
        "organisation/settings.html",
        form=form,
        settings=services.current_settings(),
        active_tokens=count_active_api_tokens(),
    )
    return page, status


@bp.route("/admin/settings", methods=["GET", "POST"])
@login_required
def settings() -> Any:
    require(can_manage_organisation(current_user))
    form = OrganisationSettingsForm()
    if not form.is_submitted():
        return _page(form.fill_from(services.current_settings()))
    if form.validate_on_submit():
        try:
            services.update_settings(current_user, form.values())
            flash("The settings were saved.", "success")
            return redirect(url_for("organisation.settings"))
        except DomainError as exc:
            show_domain_errors(form, exc)
    return _page(form, 422)


@bp.post("/admin/settings/revoke-api-tokens")
@login_required
def revoke_api_tokens() -> Response:
    require(can_manage_organisation(current_user))
    count = revoke_all_api_tokens(current_user)
    if count:
        flash(
            f"{count} API token{'' if count == 1 else 's'} revoked. Scripts using them get 401 from now on.",
            "success",
        )
    else:
        flash("There were no active API tokens to revoke.", "info")
    return redirect(url_for("organisation.settings", _anchor="security"))
