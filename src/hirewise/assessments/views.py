"""The hiring team's assessment pages: building an opening's assessments, inviting, reviewing results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from hirewise.assessments import services
from hirewise.assessments.builtin import builtin_for, ensure_kit_assessment, kit_assessment
from hirewise.assessments.forms import (
    ADD_PREFIXES,
    AssessmentForm,
    BankQuestionForm,
    InviteForm,
    OverrideForm,
    QuestionForm,
    add_question_form,
    edit_question_form,
)
from hirewise.assessments.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentQuestion,
    AttemptStatus,
    QuestionKind,
)
from hirewise.candidates.models import Application
from hirewise.candidates.queries import get_application
from hirewise.candidates.web import safe_next
from hirewise.errors import DomainError, NotFound, PermissionDenied
from hirewise.extensions import db
from hirewise.form_errors import show_domain_errors
from hirewise.openings.models import Opening
from hirewise.openings.services import get_opening
from hirewise.questions.models import BankQuestion
from hirewise.security import (
    can_invite_to_assessment,
    can_manage_assessments,
    can_review_assessment,
    can_view_opening,
    can_write_code_questions,
    require,
)

bp = Blueprint("assessments", __name__, template_folder="templates")


@bp.app_context_processor
def assessment_helpers() -> dict[str, Any]:
    """The application page and the applications list show invitations and invite through these."""
    return {
        "assessment_invitations_for": services.invitations_for_application,
        "assessment_invitation_state": services.invitation_state,
        "assessment_attempt_totals": services.attempt_totals,
        "active_assessments_of": services.list_assessments,
        "assessment_invite_form": _invite_form,
    }


def _invite_form(application: Application) -> InviteForm:
    return InviteForm(formdata=None).for_assessments(services.list_assessments(application.opening))


# --- an opening's assessments -------------------------------------------------------------------


def _invitation_counts(assessments: Sequence[Assessment]) -> dict[int, int]:
    if not assessments:
        return {}
    stmt = (
        select(AssessmentInvitation.assessment_id, func.count())
        .where(AssessmentInvitation.assessment_id.in_([a.id for a in assessments]))
        .group_by(AssessmentInvitation.assessment_id)
    )
    return {int(assessment_id): int(count) for assessment_id, count in db.session.execute(stmt)}


def _index_page(opening: Opening, form: AssessmentForm, status: int = 200) -> tuple[str, int]:
    assessments = services.list_assessments(opening, include_archived=True)
    page = render_template(
        "assessments/index.html",
        opening=opening,
        assessments=assessments,
        invitation_counts=_invitation_counts(assessments),
        max_points=services.max_points,
        builtin=builtin_for(opening),
        kit_assessment=kit_assessment(opening),
        form=form,
        can_manage=can_manage_assessments(current_user, opening),
    )
    return page, status


@bp.route("/openings/<int:opening_id>/assessments", methods=["GET", "POST"])
@login_required
def index(opening_id: int) -> Any:
    opening = get_opening(opening_id)
    require(can_view_opening(current_user, opening))
    form = AssessmentForm()
    if request.method == "GET":
        return _index_page(opening, form.with_defaults())
    require(can_manage_assessments(current_user, opening))
    if form.validate_on_submit():
        try:
            assessment = services.create_assessment(current_user, opening, form.values(with_status=False))
            flash(f"{assessment.title} was created. Add its questions below.", "success")
            return redirect(url_for("assessments.detail", assessment_id=assessment.id))
        except DomainError as exc:
            show_domain_errors(form, exc, fallback="title")
    return _index_page(opening, form, 422)


@bp.post("/openings/<int:opening_id>/assessments/from-kit")
@login_required
def from_kit(opening_id: int) -> Response:
    opening = get_opening(opening_id)
    require(can_manage_assessments(current_user, opening))
    try:
        result = ensure_kit_assessment(current_user, opening)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("assessments.index", opening_id=opening.id))
    assessment = result.assessment
    if result.created:
        flash(f"{assessment.title} was added with {len(assessment.questions)} questions.", "success")
    else:  # a second click, or another member of the team was quicker
        flash(f"This opening already has {assessment.title}; here it is.", "info")
    return redirect(url_for("assessments.detail", assessment_id=assessment.id))


# --- one assessment: settings, questions, invitations -------------------------------------------


def _bank_questions() -> list[BankQuestion]:
    stmt = (
        select(BankQuestion)
        .where(BankQuestion.archived.is_(False))
        .order_by(BankQuestion.skill, BankQuestion.id)
    )
    return list(db.session.execute(stmt).scalars())


def _detail_page(
    assessment: Assessment,
    *,
    settings_form: AssessmentForm | None = None,
    add_form: QuestionForm | None = None,
    bank_form: BankQuestionForm | None = None,
    edit_form: tuple[int, QuestionForm] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The page with every form fresh except the one that was posted and failed, which keeps its errors."""
    opening = assessment.opening
    if settings_form is None:
        settings_form = AssessmentForm(formdata=None).fill_from(assessment)
    add_forms = {kind: add_question_form(kind, opening, formdata=None) for kind in QuestionKind}
    if add_form is not None:
        add_forms[add_form.kind] = add_form
    edit_forms: dict[int, QuestionForm] = {}
    for question in assessment.questions:
        if edit_form is not None and edit_form[0] == question.id:
            edit_forms[question.id] = edit_form[1]
        else:
            edit_forms[question.id] = edit_question_form(question, opening, formdata=None).fill_from(question)
    if bank_form is None:
        bank_form = BankQuestionForm(formdata=None)
    bank_form.for_questions(_bank_questions())
    invitations = services.invitations_for_assessment(assessment)
    page = render_template(
        "assessments/detail.html",
        assessment=assessment,
        opening=opening,
        settings_form=settings_form,
        add_forms=add_forms,
        add_prefixes=ADD_PREFIXES,
        bank_form=bank_form,
        edit_forms=edit_forms,
        outdated=services.outdated_answer_counts(assessment),
        invitations=invitations,
        questions_locked=services.has_attempts(assessment),
        invitation_state=services.invitation_state,
        attempt_totals=services.attempt_totals,
        has_submissions=any(
            i.attempt is not None and i.attempt.status == AttemptStatus.SUBMITTED for i in invitations
        ),
        max_points=services.max_points(assessment),
        can_manage=can_manage_assessments(current_user, opening),
        can_write_code=can_write_code_questions(current_user),
        code_question_authors=services.CODE_QUESTION_AUTHORS,
    )
    return page, status


def _managed_assessment(assessment_id: int) -> Assessment:
    assessment = services.get_visible_assessment(current_user, assessment_id)
    require(can_manage_assessments(current_user, assessment.opening))
    return assessment


@bp.get("/assessments/<int:assessment_id>")
@login_required
def detail(assessment_id: int) -> Any:
    assessment = services.get_visible_assessment(current_user, assessment_id)
    return _detail_page(assessment)


@bp.post("/assessments/<int:assessment_id>/settings")
@login_required
def update(assessment_id: int) -> Any:
    assessment = _managed_assessment(assessment_id)
    form = AssessmentForm()
    if form.validate_on_submit():
        try:
            services.update_assessment(current_user, assessment, form.values(with_status=True))
            flash(f"{assessment.title} was saved.", "success")
            return redirect(url_for("assessments.detail", assessment_id=assessment.id))
        except DomainError as exc:
            show_domain_errors(form, exc, fallback="title")
    return _detail_page(assessment, settings_form=form, status=422)


@bp.post("/assessments/<int:assessment_id>/questions/new/<kind>")
@login_required
def add_question(assessment_id: int, kind: str) -> Any:
    assessment = _managed_assessment(assessment_id)
    try:
        question_kind = QuestionKind(kind)
    except ValueError:
        abort(404)
    if question_kind == QuestionKind.CODE:
        require(can_write_code_questions(current_user))
    form = add_question_form(question_kind, assessment.opening)
    if form.validate_on_submit():
        try:
            services.add_question(current_user, assessment, form.values())
            flash("The question was added.", "success")
            return redirect(url_for("assessments.detail", assessment_id=assessment.id, _anchor="questions"))
        except DomainError as exc:
            show_domain_errors(form, exc, fallback="prompt")
    return _detail_page(assessment, add_form=form, status=422)


@bp.post("/assessments/<int:assessment_id>/questions/from-bank")
@login_required
def add_bank_question(assessment_id: int) -> Any:
    assessment = _managed_assessment(assessment_id)
    form = BankQuestionForm().for_questions(_bank_questions())
    if form.validate_on_submit():
        bank_question = db.session.get(BankQuestion, form.bank_question_id.data)
        try:
            if bank_question is None:  # checked against the choices just above; only a race gets here
                raise DomainError(
                    "Choose a question from the bank.", {"bank_question_id": ["Not in the bank."]}
                )
            services.add_bank_question(current_user, assessment, bank_question, form.points.data or "")
            flash("The question from the bank was added as a free-text question.", "success")
            return redirect(url_for("assessments.detail", assessment_id=assessment.id, _anchor="questions"))
        except DomainError as exc:
            show_domain_errors(form, exc, fallback="bank_question_id")
    return _detail_page(assessment, bank_form=form, status=422)


def _question(assessment: Assessment, question_id: int) -> AssessmentQuestion:
    return services.get_question(assessment, question_id)


@bp.post("/assessments/<int:assessment_id>/questions/<int:question_id>")
@login_required
def update_question(assessment_id: int, question_id: int) -> Any:
    assessment = _managed_assessment(assessment_id)
    question = _question(assessment, question_id)
    if question.kind == QuestionKind.CODE:
        require(can_write_code_questions(current_user))
    form = edit_question_form(question, assessment.opening)
    if form.validate_on_submit():
        try:
            result = services.update_question(current_user, question, form.values(question))
        except DomainError as exc:
            show_domain_errors(form, exc, fallback="prompt")
        else:
            if result.rubric_changed:
                flash(f"The question was saved as rubric version {question.rubric_version}.", "success")
            else:
                flash("The question was saved.", "success")
            if result.rubric_changed and result.outdated_answers > 0:
                # The page lists every question with outdated scores next to a "Re-score them" button.
                flash(f"Scores of {result.outdated_answers} answers used the previous rubric.", "warning")
            return redirect(
                url_for("assessments.detail", assessment_id=assessment.id, _anchor=f"question-{question.id}")
            )
    return _detail_page(assessment, edit_form=(question.id, form), status=422)


@bp.post("/assessments/<int:assessment_id>/questions/<int:question_id>/delete")
@login_required
def delete_question(assessment_id: int, question_id: int) -> Response:
    assessment = _managed_assessment(assessment_id)
    question = _question(assessment, question_id)
    try:
        services.delete_question(current_user, question)
        flash("The question was removed.", "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(url_for("assessments.detail", assessment_id=assessment.id, _anchor="questions"))


@bp.post("/assessments/<int:assessment_id>/rescore")
@login_required
def rescore(assessment_id: int) -> Response:
    """Re-score the attempts a question's new rubric made outdated, or with no question, every attempt."""
    assessment = _managed_assessment(assessment_id)
    question_id = request.form.get("question_id", type=int)
    attempt_ids = None
    if question_id is not None:
        attempt_ids = services.attempts_to_rescore(_question(assessment, question_id))
    count = services.request_rescore(current_user, assessment, attempt_ids)
    flash(f"Re-scoring {count} attempt(s) with the current rubrics.", "success")
    return redirect(url_for("assessments.detail", assessment_id=assessment.id, _anchor="invitations"))


# --- invitations --------------------------------------------------------------------------------


# Flashed messages travel in the session cookie, which browsers cap at about 4 KB: beyond a few links
# the cookie would be dropped, so a large batch points to the Outbox, where every email shows its link.
MAX_FLASHED_LINKS = 10


def _flash_links(issued: Sequence[services.IssuedInvitation]) -> None:
    flash(f"{len(issued)} invitation(s) emailed through the outbox.", "success")
    if len(issued) > MAX_FLASHED_LINKS:
        flash("Each candidate's one-time link is in their email on the Outbox page.", "info")
        return
    for item in issued:
        # The token is shown this once (only its hash is stored), so the recruiter can also send it by hand.
        flash(f"One-time link for {item.invitation.application.candidate.full_name}: {item.link}", "link")


def _invite(
    assessment: Assessment,
    applications: Sequence[Application],
    valid_days: Any,
    *,
    skip_invited: bool = False,
    retake: bool = False,
    retake_reason: Any = None,
) -> None:
    try:
        issued = services.invite(
            current_user,
            assessment,
            applications,
            valid_days=valid_days,
            skip_invited=skip_invited,
            retake=retake,
            retake_reason=retake_reason,
        )
        _flash_links(issued)
        invited = {item.invitation.application_id for item in issued}
        skipped = [a for a in {a.id: a for a in applications}.values() if a.id not in invited]
        if skip_invited and skipped:
            flash(f"{len(skipped)} already invited or already assessed; they were left out.", "info")
            for application in skipped[:MAX_FLASHED_LINKS]:
                reason = services.invitation_refusal(assessment, application)
                if reason:
                    flash(reason, "info")
    except PermissionDenied:
        raise
    except DomainError as exc:
        flash(exc.message, "error")
        if isinstance(exc.details, dict):
            # A bulk invitation names every application that stopped it, not only the first.
            for messages in exc.details.values():
                for message in messages if isinstance(messages, list) else [messages]:
                    if str(message) != exc.message:
                        flash(str(message), "error")


@bp.post("/assessments/<int:assessment_id>/invite")
@login_required
def invite(assessment_id: int) -> Response:
    """Invite many applications at once: the list's ticked rows, or a whole column of the board."""
    assessment = services.get_visible_assessment(current_user, assessment_id)
    back = safe_next(url_for("assessments.detail", assessment_id=assessment.id))
    ids = set(request.form.getlist("application_ids", type=int))
    applications: list[Application] = []
    if ids:
        stmt = select(Application).where(Application.id.in_(ids)).order_by(Application.id)
        applications = list(db.session.execute(stmt).scalars())
    require(all(can_invite_to_assessment(current_user, application) for application in applications))
    if len(applications) != len(ids):
        flash("Some of the chosen applications no longer exist; reload the list and try again.", "error")
        return redirect(back)
    _invite(
        assessment,
        applications,
        request.form.get("valid_days"),
        skip_invited=bool(request.form.get("skip_invited")),
        retake=bool(request.form.get("retake")),
        retake_reason=request.form.get("retake_reason"),
    )
    return redirect(back)


@bp.post("/applications/<int:application_id>/assessment-invitations")
@login_required
def invite_application(application_id: int) -> Response:
    application = get_application(application_id)
    require(can_invite_to_assessment(current_user, application))
    back = url_for("candidates.application", application_id=application.id, _anchor="assessments")
    form = InviteForm().for_assessments(services.list_assessments(application.opening))
    if not form.validate_on_submit():
        flash("Choose one of the opening's active assessments.", "error")
        return redirect(back)
    assessment = services.get_visible_assessment(current_user, form.assessment_id.data or 0)
    _invite(
        assessment,
        [application],
        form.valid_days.data,
        retake=bool(form.retake.data),
        retake_reason=form.retake_reason.data,
    )
    return redirect(back)


@bp.post("/assessment-invitations/<int:invitation_id>/revoke")
@login_required
def revoke(invitation_id: int) -> Response:
    invitation = services.get_invitation(invitation_id)
    if not can_view_opening(current_user, invitation.assessment.opening):
        raise NotFound("No such invitation.")
    try:
        services.revoke_invitation(current_user, invitation)
        flash(f"The link of {invitation.application.candidate.full_name} was revoked.", "success")
    except PermissionDenied:
        raise
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(
        safe_next(
            url_for("assessments.detail", assessment_id=invitation.assessment_id, _anchor="invitations")
        )
    )


# --- review -------------------------------------------------------------------------------------


def _similar_answers(answers: Sequence[AssessmentAnswer]) -> dict[int, AssessmentAnswer]:
    """The other candidate's answer each answer resembles, when the reviewer may see it too."""
    found: dict[int, AssessmentAnswer] = {}
    for answer in answers:
        if answer.similar_answer_id is None:
            continue
        other = db.session.get(AssessmentAnswer, answer.similar_answer_id)
        if other is not None and can_review_assessment(current_user, other.attempt.invitation.application):
            found[answer.id] = other
    return found


def _review_page(
    attempt: AssessmentAttempt, failed: tuple[int, OverrideForm] | None = None
) -> tuple[str, int]:
    answers = services.answers_in_question_order(attempt)
    forms: dict[int, OverrideForm] = {}
    for answer in answers:
        if failed is not None and failed[0] == answer.id:
            forms[answer.id] = failed[1]
            continue
        form = OverrideForm(formdata=None, prefix=f"a{answer.id}")
        current = answer.final_points
        form.points.data = "" if current is None else f"{current:g}"
        forms[answer.id] = form
    page = render_template(
        "assessments/review.html",
        attempt=attempt,
        invitation=attempt.invitation,
        assessment=attempt.invitation.assessment,
        application=attempt.invitation.application,
        candidate=attempt.invitation.application.candidate,
        answers=answers,
        totals=services.attempt_totals(attempt),
        override_forms=forms,
        similar=_similar_answers(answers),
        all_attempts=services.application_attempts(attempt.invitation.application),
        submitted=attempt.status == AttemptStatus.SUBMITTED,
        signals_note=services.SIGNALS_NOTE,
    )
    return page, 422 if failed is not None else 200


@bp.get("/assessment-attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int) -> Any:
    return _review_page(services.get_attempt_for_review(current_user, attempt_id))


def _answer(attempt: AssessmentAttempt, answer_id: int) -> AssessmentAnswer:
    for answer in attempt.answers:
        if answer.id == answer_id:
            return answer
    raise NotFound("No such answer in this attempt.")


@bp.post("/assessment-attempts/<int:attempt_id>/answers/<int:answer_id>/override")
@login_required
def override(attempt_id: int, answer_id: int) -> Any:
    attempt = services.get_attempt_for_review(current_user, attempt_id)
    answer = _answer(attempt, answer_id)
    form = OverrideForm(prefix=f"a{answer.id}")
    if form.validate_on_submit():
        try:
            services.override_score(current_user, answer, form.points.data, form.reason.data)
            flash("The score was changed; the automatic score stays visible next to it.", "success")
            return redirect(
                url_for("assessments.review", attempt_id=attempt.id, _anchor=f"answer-{answer.id}")
            )
        except PermissionDenied:
            raise
        except DomainError as exc:
            show_domain_errors(form, exc, fallback="points")
    return _review_page(attempt, failed=(answer.id, form))


@bp.post("/assessment-attempts/<int:attempt_id>/answers/<int:answer_id>/override/clear")
@login_required
def clear_override(attempt_id: int, answer_id: int) -> Response:
    attempt = services.get_attempt_for_review(current_user, attempt_id)
    answer = _answer(attempt, answer_id)
    services.clear_override(current_user, answer)
    flash("The answer counts with its automatic score again.", "success")
    return redirect(url_for("assessments.review", attempt_id=attempt.id, _anchor=f"answer-{answer.id}"))
