"""Kit pages: the list with the import form, a kit's scorecard and questions, export and delete."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from hirewise.errors import Conflict, DomainError
from hirewise.kits import services
from hirewise.kits.forms import KitImportForm
from hirewise.kits.models import Kit, KitQuestion, KitSkill, SkillKind
from hirewise.kits.validation import MAX_KIT_BYTES
from hirewise.security import can_manage_kits, can_view_kits, require

bp = Blueprint("kits", __name__, template_folder="templates")
CONTENT_TYPES = {"yaml": "text/yaml; charset=utf-8", "json": "application/json"}


@dataclass
class QuestionGroup:
    skill: KitSkill | None
    questions: list[KitQuestion] = field(default_factory=list)


def _question_groups(kit: Kit, skill_id: int | None) -> list[QuestionGroup]:
    """Questions grouped by skill in scorecard order; questions without a skill come last."""
    groups = {skill.id: QuestionGroup(skill) for skill in kit.skills}
    general = QuestionGroup(None)
    for question in kit.questions:
        groups.get(question.skill_id or 0, general).questions.append(question)
    ordered = [*groups.values(), general]
    if skill_id is not None:
        ordered = [g for g in ordered if g.skill is not None and g.skill.id == skill_id]
    return [g for g in ordered if g.questions]


def _render_index(
    form: KitImportForm, message: str = "", errors: list[str] | None = None, status: int = 200
) -> tuple[str, int]:
    page = render_template(
        "kits/index.html",
        kits=services.list_kits(),
        form=form,
        import_message=message,
        import_errors=[error.partition(": ") for error in errors or []],
    )
    return page, status


@bp.get("/kits")
@login_required
def index() -> tuple[str, int]:
    require(can_view_kits(current_user))
    return _render_index(KitImportForm())


@bp.post("/kits/import")
@login_required
def import_kit() -> BaseResponse | tuple[str, int]:
    require(can_manage_kits(current_user))
    form = KitImportForm()
    if not form.validate_on_submit():
        return _render_index(form, "Choose a kit file to import.", status=422)
    upload = form.file.data
    try:
        kit = services.import_kit(
            current_user,
            upload.stream.read(MAX_KIT_BYTES + 1),
            upload.filename,
            replace=bool(form.replace.data),
        )
    except DomainError as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        return _render_index(form, exc.message, list(details.get("errors", [])), exc.status)
    verb = "Imported" if kit.version == 1 else f"Replaced (now version {kit.version})"
    flash(f"{verb}: {kit.name}, {len(kit.skills)} skills and {len(kit.questions)} questions.", "success")
    return redirect(url_for("kits.detail", kit_id=kit.id))


@bp.get("/kits/<int:kit_id>")
@login_required
def detail(kit_id: int) -> str:
    require(can_view_kits(current_user))
    kit = services.get_kit(kit_id)
    skill_id = request.args.get("skill", type=int)
    return render_template(
        "kits/detail.html",
        kit=kit,
        must_have=[s for s in kit.skills if s.kind == SkillKind.MUST_HAVE],
        nice_to_have=[s for s in kit.skills if s.kind == SkillKind.NICE_TO_HAVE],
        groups=_question_groups(kit, skill_id),
        selected_skill=skill_id,
        question_counts={s.id: sum(q.skill_id == s.id for q in kit.questions) for s in kit.skills},
    )


@bp.get("/kits/<int:kit_id>/export")
@login_required
def export(kit_id: int) -> Response:
    require(can_view_kits(current_user))
    kit = services.get_kit(kit_id)
    fmt = request.args.get("format", "yaml")
    text = services.dump_kit(kit, fmt)
    response = Response(text, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{kit.slug}.{fmt}"'
    return response


@bp.post("/kits/<int:kit_id>/delete")
@login_required
def delete(kit_id: int) -> BaseResponse:
    require(can_manage_kits(current_user))
    kit = services.get_kit(kit_id)
    name = kit.name
    try:
        services.delete_kit(current_user, kit)
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("kits.detail", kit_id=kit_id))
    flash(f"Deleted the kit {name}. Openings created from it keep their own copy.", "success")
    return redirect(url_for("kits.index"))
