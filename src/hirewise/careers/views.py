"""The public careers site: open openings and the application form. No sign-in."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_limiter.errors import RateLimitExceeded
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from hirewise.candidates.documents import ResumeUpload
from hirewise.candidates.fields import split_links
from hirewise.candidates.services import submit_application
from hirewise.careers.forms import ApplyForm
from hirewise.errors import DomainError
from hirewise.extensions import limiter
from hirewise.form_recovery import recover_text_fields
from hirewise.openings.models import Opening
from hirewise.openings.services import get_public_opening, list_public_openings
from hirewise.privacy.services import record_application_consent

bp = Blueprint("careers", __name__, template_folder="templates")
log = logging.getLogger(__name__)
FORM_FIELDS = ("full_name", "email", "phone", "links", "resume", "cover_letter", "consent")
TEXT_FIELDS = ("full_name", "email", "phone", "links", "cover_letter", "consent")


@bp.get("/careers")
def index() -> str:
    return render_template("careers/index.html", openings=list_public_openings())


@bp.get("/careers/<slug>")
def opening(slug: str) -> str:
    return render_template("careers/opening.html", opening=get_public_opening(slug))


@bp.route("/careers/<slug>/apply", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["APPLY_RATE_LIMIT"], methods=["POST"])
def apply(slug: str) -> Response | str | tuple[str, int]:
    found = get_public_opening(slug)
    form = ApplyForm()
    if not form.is_submitted():
        return _form_page(form, found)
    if form.is_bot:
        # Indistinguishable from a real success, so the bot learns nothing; nothing is stored.
        log.info("careers honeypot filled on %s; application discarded", slug)
        return redirect(url_for("careers.applied", slug=slug))
    if not form.validate():
        return _form_page(form, found), 422
    upload = form.resume.data
    try:
        application = submit_application(
            found,
            full_name=form.full_name.data or "",
            email=form.email.data or "",
            phone=form.phone.data or "",
            links=split_links(form.links.data),
            cover_letter=form.cover_letter.data or "",
            resume=ResumeUpload(filename=upload.filename or "", data=upload.read()),
            consent=bool(form.consent.data),
        )
    except DomainError as exc:
        _attach_errors(form, exc)
        return _form_page(form, found, problem=exc.message), exc.status
    # The consent log: what was agreed to, the version of the text, when and on which page.
    record_application_consent(application.candidate_id, request.path)
    return redirect(url_for("careers.applied", slug=slug))


@bp.get("/careers/<slug>/applied")
def applied(slug: str) -> str:
    return render_template("careers/applied.html", opening=get_public_opening(slug))


def _form_page(form: ApplyForm, found: Opening, problem: str = "") -> str:
    return render_template(
        "careers/apply.html",
        form=form,
        opening=found,
        problem=problem,
        retention_days=current_app.config["DATA_RETENTION_DAYS"],
        max_megabytes=current_app.config["MAX_RESUME_BYTES"] // (1024 * 1024),
        max_bytes=current_app.config["MAX_RESUME_BYTES"],
    )


def _attach_errors(form: ApplyForm, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    for name, messages in details.items():
        if name in FORM_FIELDS:
            field = getattr(form, name)
            field.errors = [*field.errors, *(messages if isinstance(messages, list) else [messages])]


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(exc: RequestEntityTooLarge) -> tuple[str, int]:
    """The form again, with what the person typed, and the size limit on the résumé field.

    The apply page's script refuses a too-large file before it is sent; this is for browsers
    without it: the text fields are read back from the refused body (they come before the file).
    """
    limit = current_app.config["MAX_RESUME_BYTES"] // (1024 * 1024)
    message = f"The upload is too large: a résumé may be at most {limit} MB. Please choose a smaller file."
    slug = (request.view_args or {}).get("slug")
    if request.endpoint != "careers.apply" or request.method != "POST" or not isinstance(slug, str):
        return render_template("careers/problem.html", title="File too large", message=message), 413
    typed = recover_text_fields(request, TEXT_FIELDS, max_read=2 * current_app.config["MAX_CONTENT_LENGTH"])
    form = ApplyForm(formdata=MultiDict(typed))
    form.resume.errors = [message]
    return _form_page(form, get_public_opening(slug), problem=message), 413


@bp.errorhandler(RateLimitExceeded)
def too_many_applications(exc: RateLimitExceeded) -> tuple[str, int]:
    message = (
        "We received too many applications from your network in a short time. "
        "Please wait a few minutes, then try again."
    )
    return render_template("careers/problem.html", title="Please slow down", message=message), 429
