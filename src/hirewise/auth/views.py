"""Sign-in, invitations, the user's own account (password, API tokens, sessions) and user admin."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from hirewise.auth import services, session_services
from hirewise.auth.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    InviteForm,
    LoginForm,
    SetPasswordForm,
    UserEditForm,
)
from hirewise.auth.models import Role, SessionEnd, User
from hirewise.auth.sessions import current_session_id, sign_in, sign_out
from hirewise.errors import DomainError, NotFound
from hirewise.extensions import db, limiter
from hirewise.security import can_manage_users, require, safe_redirect_target

bp = Blueprint("auth", __name__, template_folder="templates")


def _safe_next(target: str | None) -> str:
    return safe_redirect_target(target, url_for("openings.dashboard"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("openings.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            # A new session id; "Keep me signed in" is a lasting session (no remember-me cookie).
            sign_in(user, remember=bool(form.remember.data))
            return redirect(_safe_next(request.args.get("next")))
        flash("Wrong email or password.", "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    sign_out()  # ends this session's row: a copy of its cookie opens nothing
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Response | str:
    invitation = services.find_invitation(token)
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = services.accept_invitation(token, form.password.data or "")
        sign_in(user)
        flash("Welcome to Hirewise. Your password is set.", "success")
        return redirect(url_for("openings.dashboard"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response | str:
    password_form = ChangePasswordForm(prefix="pw")
    token_form = ApiTokenForm(prefix="token")
    new_token = None
    if request.method == "POST" and "pw-password" in request.form and password_form.validate_on_submit():
        try:
            ended = services.change_password(
                current_user,
                password_form.current_password.data or "",
                password_form.password.data or "",
                keep_session_id=current_session_id(),
            )
            others = f" {ended} other session{'' if ended == 1 else 's'} ended." if ended else ""
            flash(f"Password changed.{others}", "success")
            return redirect(url_for("auth.account"))
        except DomainError as exc:
            password_form.current_password.errors = [exc.message]
    if request.method == "POST" and "token-name" in request.form and token_form.validate_on_submit():
        try:
            _, new_token = services.create_api_token(
                current_user, token_form.name.data or "", token_form.scopes.data or []
            )
        except DomainError as exc:
            token_form.scopes.errors = [exc.message]
    tokens = services.list_api_tokens(current_user)
    return render_template(
        "auth/account.html",
        password_form=password_form,
        token_form=token_form,
        tokens=tokens,
        new_token=new_token,
        sessions=session_services.list_active_sessions(current_user),
        current_session_id=current_session_id(),
    )


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Response:
    services.revoke_api_token(current_user, token_id)
    flash("Token revoked. Scripts using it will get 401 from now on.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int) -> Response:
    if session_id == current_session_id():
        sign_out(SessionEnd.ENDED_BY_USER)
        flash("You are signed out.", "info")
        return redirect(url_for("auth.login"))
    session_services.end_session(current_user, session_id)
    flash("Session ended: that browser is signed out.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions() -> Response:
    ended = session_services.end_other_sessions(current_user, current_session_id())
    flash(f"Ended {ended} other session{'' if ended == 1 else 's'}.", "success")
    return redirect(url_for("auth.account"))


def _invitation_link(raw_token: str) -> str:
    return url_for("auth.accept_invitation", token=raw_token, _external=True)


@bp.route("/admin/users", methods=["GET", "POST"])
@login_required
def users() -> Response | str:
    require(can_manage_users(current_user))
    form = InviteForm()
    invite_link = None
    if form.validate_on_submit():
        try:
            user, raw = services.invite_user(
                current_user,
                email=form.email.data or "",
                full_name=form.full_name.data or "",
                role=Role(form.role.data),
                link_for=_invitation_link,
            )
            invite_link = _invitation_link(raw)
            flash(
                f"Invitation emailed to {user.email} (see the Outbox). The one-time link is below too.",
                "success",
            )
            form = InviteForm(formdata=None)
        except DomainError as exc:
            form.email.errors = [exc.message]
    return render_template("auth/users.html", users=services.list_users(), form=form, invite_link=invite_link)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int) -> Response | str:
    require(can_manage_users(current_user))
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        try:
            services.update_user(
                current_user,
                user,
                full_name=form.full_name.data or "",
                role=Role(form.role.data),
                active=bool(form.active.data),
            )
            flash("User updated.", "success")
            return redirect(url_for("auth.users"))
        except DomainError as exc:
            form.role.errors = [exc.message]
    return render_template(
        "auth/edit_user.html",
        form=form,
        user=user,
        session_count=session_services.count_active_sessions(user),
    )


@bp.post("/admin/users/<int:user_id>/sessions/end")
@login_required
def end_user_sessions(user_id: int) -> Response:
    require(can_manage_users(current_user))
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    ended = session_services.end_all_sessions_of(current_user, user)
    flash(f"Ended {ended} session{'' if ended == 1 else 's'} of {user.email}.", "success")
    return redirect(url_for("auth.edit_user", user_id=user.id))
