"""The Outbox (every email, sent or held) and the Email templates admin pages."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from hirewise.errors import ValidationFailed
from hirewise.mail import services
from hirewise.mail.forms import EmailTemplateForm
from hirewise.mail.models import OutboxMessage, OutboxStatus
from hirewise.mail.rendering import RenderedEmail
from hirewise.paging import requested_page
from hirewise.security import can_edit_email_templates, can_view_outbox, can_view_outbox_message, require

bp = Blueprint("mail", __name__, template_folder="templates")
PER_PAGE = 25
# Attachments are served as downloads; anything but these is sent as opaque bytes.
DOWNLOADABLE_TYPES = {"text/calendar", "text/plain", "text/csv", "application/pdf"}


def _embedded_mode() -> bool:
    return not current_app.config["MAIL_SERVER"]


def _readable_message(message_id: int) -> OutboxMessage:
    require(can_view_outbox(current_user))
    found = services.get_message(message_id)
    require(can_view_outbox_message(current_user, found))
    return found


@bp.get("/outbox")
@login_required
def outbox() -> str:
    require(can_view_outbox(current_user))
    raw_status = request.args.get("status", "")
    # An unknown filter value (a typo, a crafted URL) shows every message rather than an error.
    status = raw_status if raw_status in {s.value for s in OutboxStatus} else None
    page = requested_page()
    result = services.list_outbox(current_user, page, PER_PAGE, status=status)
    return render_template(
        "mail/outbox.html",
        result=result,
        status=status,
        statuses=list(OutboxStatus),
        embedded=_embedded_mode(),
    )


@bp.get("/outbox/<int:message_id>")
@login_required
def message(message_id: int) -> str:
    found = _readable_message(message_id)
    return render_template(
        "mail/message.html",
        message=found,
        candidate_names=services.candidate_names([found]),
        mail_from=current_app.config["MAIL_FROM"],
        embedded=_embedded_mode(),
        resendable=found.status in services.RESENDABLE and not _embedded_mode(),
        html_part=services.html_part(found),
    )


@bp.get("/outbox/<int:message_id>/attachments/<int:index>")
@login_required
def attachment(message_id: int, index: int) -> Response:
    filename, content_type, data = services.get_attachment(_readable_message(message_id), index)
    served_type = content_type if content_type in DOWNLOADABLE_TYPES else "application/octet-stream"
    response = Response(data, mimetype=served_type)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


@bp.post("/outbox/<int:message_id>/resend")
@login_required
def resend(message_id: int) -> BaseResponse:
    services.resend_message(current_user, _readable_message(message_id))
    flash("The message was queued for delivery again.", "success")
    return redirect(url_for("mail.message", message_id=message_id))


@bp.get("/admin/email-templates")
@login_required
def templates() -> str:
    require(can_edit_email_templates(current_user))
    rows = [(template, services.template_info(template.key)) for template in services.list_templates()]
    return render_template("mail/templates.html", rows=rows)


@bp.route("/admin/email-templates/<key>", methods=["GET", "POST"])
@login_required
def edit_template(key: str) -> BaseResponse | tuple[str, int]:
    require(can_edit_email_templates(current_user))
    template = services.get_template(key)
    info = services.template_info(key)
    form = EmailTemplateForm(obj=template)
    preview: RenderedEmail | None = None
    problem = ""
    status = 200
    if form.validate_on_submit():
        subject, body = form.subject.data or "", form.body.data or ""
        try:
            if request.form.get("action") == "preview":
                preview = services.preview_template(template, subject=subject, body=body)
            else:
                services.update_template(current_user, template, subject=subject, body=body)
                flash(f"Template “{info.name}” saved.", "success")
                return redirect(url_for("mail.templates"))
        except ValidationFailed as exc:
            problem, status = exc.message, exc.status
            _attach_errors(form, exc)
    elif request.method == "POST":
        status = 422
    else:
        try:
            preview = services.preview_template(template)
        except ValidationFailed as exc:
            problem = exc.message
    page = render_template(
        "mail/edit_template.html", form=form, template=template, info=info, preview=preview, problem=problem
    )
    return page, status


def _attach_errors(form: EmailTemplateForm, exc: ValidationFailed) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    for name, messages in details.items():
        if name in ("subject", "body"):
            getattr(form, name).errors = list(messages)
