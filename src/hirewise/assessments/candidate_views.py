"""The candidate's assessment page, reached without login through the private link of an invitation.

Works without JavaScript (each answer has a Save button, questions are links); with it, answers
autosave as the candidate types, a countdown is shown, and integrity signals are sent with each
save. The server decides everything that matters: the deadline, what a valid answer is, and when
the attempt is over.

The page keeps no session and sets no cookie: the private link's token is the credential. Its forms
carry a token bound to the link and the secret key (:func:`form_token`) instead of a session's CSRF
token, and "Answer saved." travels in the redirect's query string, not in a flash message.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge

from hirewise.assessments import attempts, example_runs
from hirewise.assessments.limits import attempt_rate_limit
from hirewise.assessments.models import (
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentExampleRun,
    AttemptStatus,
    Layout,
    QuestionKind,
)
from hirewise.assessments.validation import MAX_CODE_CHARS, MAX_TEXT_ANSWER_CHARS
from hirewise.candidates.web import wants_json
from hirewise.errors import DomainError, NotFound, error_response
from hirewise.extensions import csrf
from hirewise.link_pages import keep_link_page_private

bp = Blueprint("candidate_assessments", __name__, template_folder="templates")
# Every route here and the candidate API share one bucket per client address (ASSESSMENT_ATTEMPT_RATE_LIMIT).
attempt_rate_limit(bp)
csrf.exempt(bp)  # Flask-WTF's tokens need a session; these forms carry form_token() instead

SIGNAL_FIELDS = ("paste_count", "pasted_chars", "blur_count", "time_spent_seconds")


bp.after_request(keep_link_page_private)  # every page here is reached by the attempt's token


def form_token(token: str) -> str:
    """The candidate's form token: bound to the private link and the secret key, as a CSRF token is
    bound to a session, but it needs no session and no cookie."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"assessment-form:" + token.encode(), hashlib.sha256).hexdigest()


@bp.before_request
def check_form_token() -> None:
    if request.method != "POST" or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    token = str((request.view_args or {}).get("token", ""))
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRFToken") or ""
    if not hmac.compare_digest(sent.encode(), form_token(token).encode()):
        raise CSRFError("The form token is missing or does not match this link.")


def _answers_by_question(attempt: AssessmentAttempt | None) -> dict[int, AssessmentAnswer]:
    if attempt is None:
        return {}
    return {answer.question_id: answer for answer in attempt.answers}


def _page(token: str, status: int = 200, problem: str | None = None) -> tuple[str, int]:
    notice = "Answer saved." if request.args.get("saved") == "1" and problem is None else None
    invitation = attempts.invitation_for_token(token)
    view = attempts.candidate_view(invitation)
    assessment = invitation.assessment
    questions = attempts.ordered_questions(view.attempt) if view.attempt is not None else []
    answers = _answers_by_question(view.attempt)
    index = request.args.get("q", default=1, type=int) or 1
    index = min(max(index, 1), max(len(questions), 1))
    shown = questions if assessment.layout == Layout.ALL_ON_ONE_PAGE else questions[index - 1 : index]
    if view.state in {"expired", "revoked"} and status == 200:
        status = 410
    in_progress = view.attempt is not None and view.attempt.status == AttemptStatus.IN_PROGRESS
    runs = example_runs.latest_runs(view.attempt) if in_progress and view.attempt is not None else {}
    page = render_template(
        "assessments/take.html",
        token=token,
        form_token=form_token(token),
        view=view,
        assessment=assessment,
        questions=questions,
        shown=shown,
        index=index,
        one_per_page=assessment.layout == Layout.ONE_PER_PAGE,
        answers=answers,
        answered={question_id for question_id, answer in answers.items() if answer.is_answered},
        signal_fields=SIGNAL_FIELDS,
        options_for=lambda question: attempts.shown_options(view.attempt, question) if view.attempt else [],
        shown_response=lambda question, answer: (
            attempts.shown_response(view.attempt, question, answer.response)
            if view.attempt is not None and answer is not None
            else {}
        ),
        kinds=QuestionKind,
        example_runs={question_id: _run_json(token, run) for question_id, run in runs.items()},
        problem=problem,
        notice=notice,
        grace_seconds=current_app.config["ASSESSMENT_GRACE_SECONDS"],
        company_name=current_app.config["COMPANY_NAME"],
    )
    return page, status


@bp.get("/assessment/<token>")
def take(token: str) -> Any:
    return _page(token)


@bp.post("/assessment/<token>/start")
def start(token: str) -> Any:
    invitation = attempts.invitation_for_token(token)
    try:
        attempts.start_attempt(invitation)
    except DomainError as exc:
        return _page(token, exc.status, exc.message)
    return redirect(url_for(".take", token=token, q=1))


def _response_from_form(kind: QuestionKind) -> dict[str, Any]:
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return {"selected": request.form.getlist("selected")}
    if kind == QuestionKind.CODE:
        return {"code": request.form.get("code", "")}
    return {"text": request.form.get("text", "")}


@bp.post("/assessment/<token>/answers/<int:question_id>")
def save_answer(token: str, question_id: int) -> Any:
    invitation = attempts.invitation_for_token(token)
    attempt = invitation.attempt
    question = next((q for q in invitation.assessment.questions if q.id == question_id), None)
    try:
        if attempt is None:
            raise attempts.AssessmentClosed("Press Start before answering.")
        if question is None:
            raise NotFound("No such question in this assessment.")
        signals = {name: request.form.get(name, type=int) or 0 for name in SIGNAL_FIELDS}
        answer = attempts.save_answer(attempt, question_id, _response_from_form(question.kind), signals)
    except DomainError as exc:
        if wants_json():
            body = {"status": exc.status, "code": exc.code, "message": exc.message, "details": exc.details}
            return jsonify(error=body), exc.status
        return _page(token, exc.status, exc.message)
    if wants_json():
        left = max(0, int((attempt.deadline_at - attempts.clock()).total_seconds()))
        return jsonify({"saved_at": answer.saved_at.isoformat(), "seconds_left": left})
    go_to = request.form.get("next_q", type=int) or request.args.get("q", type=int) or 1
    return redirect(url_for(".take", token=token, saved=1, q=go_to))


def _run_json(token: str, run: AssessmentExampleRun) -> dict[str, Any]:
    body = example_runs.candidate_view(run)
    for name in ("created_at", "finished_at"):
        body[name] = body[name].isoformat() if body[name] is not None else None
    body["poll_url"] = url_for(".example_run", token=token, run_id=run.id)
    return body


@bp.post("/assessment/<token>/answers/<int:question_id>/run")
def run_examples(token: str, question_id: int) -> Any:
    """Run the question's visible examples on the code in the box (saved as the answer too).

    Without JavaScript the page comes back to the question with the results; the script asks for
    JSON, shows the results inline and polls ``poll_url`` while a worker runs them.
    """
    invitation = attempts.invitation_for_token(token)
    try:
        if invitation.attempt is None:
            raise attempts.AssessmentClosed("Press Start before running the examples.")
        signals = {name: request.form.get(name, type=int) or 0 for name in SIGNAL_FIELDS}
        run = example_runs.request_run(invitation.attempt, question_id, request.form.get("code", ""), signals)
    except DomainError as exc:
        if wants_json():
            body = {"status": exc.status, "code": exc.code, "message": exc.message, "details": exc.details}
            return jsonify(error=body), exc.status
        return _page(token, exc.status, exc.message)
    if wants_json():
        return jsonify(_run_json(token, run)), 202
    go_to = request.args.get("q", type=int) or 1
    return redirect(url_for(".take", token=token, q=go_to, _anchor=f"q{question_id}-runs"))


@bp.get("/assessment/<token>/example-runs/<int:run_id>")
def example_run(token: str, run_id: int) -> Any:
    """One run of the examples as JSON, for the page's script to poll."""
    invitation = attempts.invitation_for_token(token)
    if invitation.attempt is None:
        raise NotFound("No such run of the examples.")
    return jsonify(_run_json(token, example_runs.get_run(invitation.attempt, run_id)))


@bp.post("/assessment/<token>/submit")
def submit(token: str) -> Any:
    invitation = attempts.invitation_for_token(token)
    try:
        if invitation.attempt is None:
            raise attempts.AssessmentClosed("Press Start before submitting.")
        attempts.submit_attempt(invitation.attempt)
    except DomainError as exc:
        return _page(token, exc.status, exc.message)
    return redirect(url_for(".take", token=token))


@bp.errorhandler(RequestEntityTooLarge)
def answer_too_large(exc: RequestEntityTooLarge) -> Any:
    """The question page again (not a redirect), or the reason in JSON for autosave, which keeps the text.

    The answer boxes' ``maxlength`` keeps a browser far below the request limit; this is for the rest.
    """
    message = (
        f"Your answer is too large to save: at most {MAX_TEXT_ANSWER_CHARS} characters "
        f"({MAX_CODE_CHARS} for code). It was not saved; shorten it and save again."
    )
    token = (request.view_args or {}).get("token")
    if wants_json():
        return jsonify(error={"status": 413, "code": "request_entity_too_large", "message": message}), 413
    if not isinstance(token, str):
        return error_response(413, "request_entity_too_large", message)
    try:
        return _page(token, 413, message)
    except DomainError as error:  # an unknown or revoked link
        return error_response(error.status, error.code, error.message)
