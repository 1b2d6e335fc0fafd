"""``/api/v1/assessment-attempts/{token}``: the candidate's side, authenticated by the private link's token.

No login and no cookies: the token in the path is the credential (so no CSRF either). What a
candidate may see is an explicit whitelist per question kind: correct options, expected answers,
key points and hidden tests never leave the server. The clock and every rule (deadline, grace,
one attempt, answers frozen once submitted) are in ``assessments.attempts``.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from hirewise.api import API_PREFIX, ApiBlueprint
from hirewise.assessments import attempts, example_runs
from hirewise.assessments.limits import attempt_rate_limit
from hirewise.assessments.models import AssessmentAnswer, AssessmentAttempt, AssessmentQuestion, QuestionKind
from hirewise.assessments.schemas import (
    AnswerSavedSchema,
    AnswerSaveSchema,
    CandidateStateSchema,
    ExampleRunRequestSchema,
    ExampleRunSchema,
)
from hirewise.errors import Conflict, NotFound
from hirewise.link_pages import keep_link_page_private

blp = ApiBlueprint(
    "api_candidate_assessments",
    "candidate assessments",
    url_prefix=f"{API_PREFIX}/assessment-attempts",
    description="The candidate's side of an assessment: the private link's token is the credential, no login",
)
_PUBLIC: dict[str, Any] = {"security": []}  # the spec's default is the bearer token; these routes take none


# One bucket per client address, shared with the candidate's HTML page (``assessments.limits``).
attempt_rate_limit(blp)


blp.after_request(keep_link_page_private)  # every endpoint here is reached by the attempt's token


def _question_row(
    attempt: AssessmentAttempt, question: AssessmentQuestion, answer: AssessmentAnswer | None
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": question.id,
        "kind": question.kind,
        "prompt": question.prompt,
        "points": question.points,
        # Every answer row exists from the start; one the candidate has not touched reads as "no answer".
        # Chosen options come back under the ids shown to this attempt, as the options themselves.
        "response": (
            attempts.shown_response(attempt, question, answer.response)
            if answer is not None and answer.is_answered
            else None
        ),
        "saved_at": answer.saved_at if answer is not None and answer.is_answered else None,
    }
    content = question.content
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        row["options"] = [
            {"id": shown_id, "text": option["text"]}
            for shown_id, option in attempts.shown_options(attempt, question)
        ]
        row["multiple"] = bool(content.get("multiple"))
    elif question.kind == QuestionKind.CODE:
        row["function_name"] = content.get("function_name", "")
        row["starter_code"] = content.get("starter_code", "")
        row["examples"] = [
            {"name": case.get("name", ""), "args": case["args"], "expected": case["expected"]}
            for case in content.get("examples", [])
        ]
    return row


def _state(token: str) -> dict[str, Any]:
    view = attempts.candidate_view(attempts.invitation_for_token(token))
    invitation, attempt = view.invitation, view.attempt
    assessment = invitation.assessment
    body: dict[str, Any] = {
        "state": view.state,
        "assessment": {
            "title": assessment.title,
            "instructions": assessment.instructions,
            "time_limit_minutes": assessment.time_limit_minutes,
            "layout": assessment.layout,
            "question_count": len(assessment.questions),
        },
        "seconds_left": view.seconds_left,
        "deadline_at": attempt.deadline_at if attempt is not None else None,
        "expires_at": invitation.expires_at,
        "submitted_at": attempt.submitted_at if attempt is not None else None,
        "questions": [],
    }
    if view.state == "in_progress" and attempt is not None:
        answers = {answer.question_id: answer for answer in attempt.answers}
        body["questions"] = [
            _question_row(attempt, question, answers.get(question.id))
            for question in attempts.ordered_questions(attempt)
        ]
    return body


def _started_attempt(token: str) -> AssessmentAttempt:
    invitation = attempts.invitation_for_token(token)
    if invitation.attempt is None:
        if attempts.candidate_view(invitation).state in ("expired", "revoked"):
            raise attempts.AssessmentClosed(
                "This link can no longer be used: it has expired or been withdrawn. "
                "Please contact the hiring team."
            )
        raise Conflict("Start the assessment first: the timer begins when you press Start.")
    return invitation.attempt


@blp.route("/<token>")
class CandidateAttempt(MethodView):
    @blp.doc(**_PUBLIC)
    @blp.response(200, CandidateStateSchema)
    def get(self, token: str) -> dict[str, Any]:
        """Where the candidate stands: ready, in_progress (with the questions), submitted, expired or revoked.

        Questions come in the candidate's own order, without anything that scores them. An attempt
        past its deadline is submitted on the spot.
        """
        return _state(token)


@blp.route("/<token>/start")
class StartAttempt(MethodView):
    @blp.doc(**_PUBLIC)
    @blp.response(200, CandidateStateSchema)
    def post(self, token: str) -> dict[str, Any]:
        """Start the timer (409 once expired, revoked or submitted); starting again resumes, never resets."""
        attempts.start_attempt(attempts.invitation_for_token(token))
        return _state(token)


@blp.route("/<token>/answers/<int:question_id>")
class SaveAnswer(MethodView):
    @blp.doc(**_PUBLIC)
    @blp.arguments(AnswerSaveSchema, location="json")
    @blp.response(200, AnswerSavedSchema)
    def put(self, data: dict[str, Any], token: str, question_id: int) -> dict[str, Any]:
        """Autosave one answer with its integrity signals; 409 once submitted or past the deadline."""
        attempt = _started_attempt(token)
        answer = attempts.save_answer(attempt, question_id, data["response"], data["signals"])
        seconds_left = attempts.candidate_view(attempt.invitation).seconds_left
        return {"saved_at": answer.saved_at, "seconds_left": seconds_left}


@blp.route("/<token>/answers/<int:question_id>/example-runs")
class ExampleRuns(MethodView):
    @blp.doc(**_PUBLIC)
    @blp.arguments(ExampleRunRequestSchema, location="json")
    @blp.response(202, ExampleRunSchema)
    def post(self, data: dict[str, Any], token: str, question_id: int) -> dict[str, Any]:
        """Run a code question's visible examples (never its hidden tests) on ``code``, saved as the answer.

        The run happens in the sandbox on a worker: poll the run while its ``status`` is ``queued``.
        422 for a question without examples, 409 once the attempt is over, 429 past
        ``ASSESSMENT_EXAMPLE_RUNS_PER_MINUTE`` (10) or ``ASSESSMENT_EXAMPLE_RUNS_PER_ATTEMPT`` (60).
        """
        attempt = _started_attempt(token)
        run = example_runs.request_run(attempt, question_id, data["code"], data["signals"])
        return example_runs.candidate_view(example_runs.get_run(attempt, run.id))


@blp.route("/<token>/example-runs/<int:run_id>")
class ExampleRun(MethodView):
    @blp.doc(**_PUBLIC)
    @blp.response(200, ExampleRunSchema)
    def get(self, token: str, run_id: int) -> dict[str, Any]:
        """One run of the examples: per example its arguments, expected and actual values, and status."""
        invitation = attempts.invitation_for_token(token)
        if invitation.attempt is None:
            raise NotFound("No such run of the examples.")
        return example_runs.candidate_view(example_runs.get_run(invitation.attempt, run_id))


@blp.route("/<token>/submit")
class SubmitAttempt(MethodView):
    @blp.doc(**_PUBLIC)
    @blp.response(200, CandidateStateSchema)
    def post(self, token: str) -> dict[str, Any]:
        """Submit the attempt; answers can no longer change. A second submit is a 409."""
        attempts.submit_attempt(_started_attempt(token))
        return _state(token)
