"""Question bank pages: search and filters, a question with its version history, edit, archive, import, export."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from hirewise.api import paginate
from hirewise.errors import DomainError, ValidationFailed
from hirewise.kits.models import Difficulty, QuestionType
from hirewise.kits.validation import MAX_KIT_BYTES
from hirewise.paging import requested_page
from hirewise.questions import services
from hirewise.questions.forms import QuestionForm, QuestionImportForm
from hirewise.security import can_manage_question_bank, can_view_question_bank, require

bp = Blueprint("questions", __name__, template_folder="templates")
PER_PAGE = 25
FILTERS = ("q", "skill", "type", "difficulty", "tag")
CONTENT_TYPES = {"yaml": "text/yaml; charset=utf-8", "json": "application/json"}


def _filters() -> dict[str, Any]:
    values: dict[str, Any] = {name: request.args.get(name, "").strip()[:200] for name in FILTERS}
    values["include_archived"] = request.args.get("archived") == "1"
    return values


def _filter_args(filters: dict[str, Any]) -> dict[str, str]:
    """The active filters as query arguments, for the export link."""
    args = {name: filters[name] for name in FILTERS if filters[name]}
    if filters["include_archived"]:
        args["archived"] = "1"
    return args


def _render_index(
    import_form: QuestionImportForm, message: str = "", errors: list[str] | None = None, status: int = 200
) -> tuple[str, int]:
    filters = _filters()
    page = paginate(services.list_questions(**filters), requested_page(), PER_PAGE)
    html = render_template(
        "questions/index.html",
        questions=page["items"],
        meta=page["meta"],
        filters=filters,
        filter_args=_filter_args(filters),
        skills=services.skill_names(),
        types=[t.value for t in QuestionType],
        difficulties=[d.value for d in Difficulty],
        import_form=import_form,
        import_message=message,
        import_errors=[error.partition(": ") for error in errors or []],
    )
    return html, status


@bp.get("/questions")
@login_required
def index() -> tuple[str, int]:
    require(can_view_question_bank(current_user))
    return _render_index(QuestionImportForm())


@bp.route("/questions/new", methods=["GET", "POST"])
@login_required
def new() -> BaseResponse | tuple[str, int]:
    require(can_manage_question_bank(current_user))
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            question = services.create_question(current_user, **form.question_fields())
        except ValidationFailed as exc:
            form.show_errors(exc.details)
            flash(exc.message, "error")
        else:
            flash("The question was added to the bank.", "success")
            return redirect(url_for("questions.detail", question_id=question.id))
    status = 422 if request.method == "POST" else 200
    return render_template("questions/form.html", form=form, question=None), status


@bp.get("/questions/<int:question_id>")
@login_required
def detail(question_id: int) -> str:
    require(can_view_question_bank(current_user))
    question = services.get_question(question_id)
    return render_template(
        "questions/detail.html", question=question, versions=list(reversed(question.versions))
    )


@bp.get("/questions/<int:question_id>/versions/<int:version>")
@login_required
def version(question_id: int, version: int) -> str:
    require(can_view_question_bank(current_user))
    question = services.get_question(question_id)
    return render_template(
        "questions/version.html", question=question, version=services.get_version(question, version)
    )


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit(question_id: int) -> BaseResponse | tuple[str, int]:
    require(can_manage_question_bank(current_user))
    question = services.get_question(question_id)
    form = QuestionForm()
    if request.method == "GET":
        form.fill_from(question)
    elif form.validate_on_submit():
        before = question.version
        try:
            services.update_question(current_user, question, **form.question_fields())
        except ValidationFailed as exc:
            form.show_errors(exc.details)
            flash(exc.message, "error")
        else:
            if question.version == before:
                flash("Nothing changed, so no new version was made.", "info")
            else:
                flash(f"Saved as version {question.version}. Earlier versions are kept.", "success")
            return redirect(url_for("questions.detail", question_id=question.id))
    status = 422 if request.method == "POST" else 200
    return render_template("questions/form.html", form=form, question=question), status


@bp.post("/questions/<int:question_id>/archive")
@login_required
def archive(question_id: int) -> BaseResponse:
    require(can_manage_question_bank(current_user))
    question = services.get_question(question_id)
    archived = request.form.get("archived", "1") != "0"
    services.set_archived(current_user, question, archived)
    flash("The question was archived." if archived else "The question is back in the bank.", "success")
    return redirect(url_for("questions.detail", question_id=question_id))


@bp.get("/questions/export")
@login_required
def export() -> Response:
    require(can_view_question_bank(current_user))
    fmt = request.args.get("format", "yaml")
    if fmt not in CONTENT_TYPES:
        raise ValidationFailed(f'Unknown export format "{fmt[:20]}". Use yaml or json.')
    questions = services.questions_for_export(**_filters())
    response = Response(services.dump_questions(questions, fmt), content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="questions.{fmt}"'
    return response


@bp.post("/questions/import")
@login_required
def import_file() -> BaseResponse | tuple[str, int]:
    require(can_manage_question_bank(current_user))
    form = QuestionImportForm()
    if not form.validate_on_submit():
        return _render_index(form, "Choose a kit file to import.", status=422)
    upload = form.file.data
    try:
        questions = services.import_questions(
            current_user, upload.stream.read(MAX_KIT_BYTES + 1), upload.filename
        )
    except DomainError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        errors = details.get("errors") or [f"{key}: {value}" for key, value in details.items()]
        return _render_index(form, exc.message, list(errors), exc.status)
    flash(f"Imported {len(questions)} question{'s' if len(questions) != 1 else ''} into the bank.", "success")
    return redirect(url_for("questions.index"))
