"""``/api/v1/assessments``: assessments of openings, their questions, invitations, attempts, scores, overrides.

Every rule (settings ranges, rubric versions, who may invite or override, when questions stay
frozen) is in the use cases that ``assessments.services`` re-exports; the routes load objects, check
read permission with the ``hirewise.security`` predicates and shape the answers.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from hirewise.api import api_blueprint, current_api_user
from hirewise.assessments import services
from hirewise.assessments.builtin import ensure_kit_assessment
from hirewise.assessments.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentQuestion,
    AttemptStatus,
)
from hirewise.assessments.schemas import (
    AnswerReviewSchema,
    AssessmentCreateSchema,
    AssessmentDetailSchema,
    AssessmentListArgs,
    AssessmentListSchema,
    AssessmentQuestionCreateSchema,
    AssessmentQuestionSchema,
    AssessmentQuestionUpdateResultSchema,
    AssessmentQuestionUpdateSchema,
    AssessmentRubricListSchema,
    AssessmentUpdateSchema,
    AttemptListArgs,
    AttemptReviewSchema,
    AttemptSummaryListSchema,
    BankQuestionAddSchema,
    InvitationCreateSchema,
    InvitationListSchema,
    InvitationSchema,
    IssuedInvitationListSchema,
    RescoreResultSchema,
    RescoreSchema,
    ScoreOverrideSchema,
)
from hirewise.candidates.queries import get_application
from hirewise.errors import NotFound, PermissionDenied
from hirewise.openings.models import Opening
from hirewise.openings.services import get_opening
from hirewise.questions.services import get_question as get_bank_question
from hirewise.security import can_review_assessment, can_view_opening, can_view_question_bank

blp = api_blueprint(
    "assessments", "assessments", "Online assessments, invitations, results and score overrides"
)
_ALREADY_ADDED = "Already added: the opening's active kit assessment, unchanged."
_CODE_AUTHORS = (
    "A code question, and the caller may not write them: only recruiters and admins, and hiring managers "
    "when an admin allows it in the organisation settings."
)


def _visible_opening(opening_id: int) -> Opening:
    opening = get_opening(opening_id)
    if not can_view_opening(current_api_user(), opening):
        raise PermissionDenied("You are not allowed to see this opening's assessments.")
    return opening


def _assessment(assessment_id: int) -> Assessment:
    return services.get_visible_assessment(current_api_user(), assessment_id)


def _question(assessment_id: int, question_id: int) -> AssessmentQuestion:
    return services.get_question(_assessment(assessment_id), question_id)


def _invitation_row(invitation: AssessmentInvitation) -> dict[str, Any]:
    return {
        "id": invitation.id,
        "assessment_id": invitation.assessment_id,
        "application_id": invitation.application_id,
        "candidate": invitation.application.candidate,
        "state": services.invitation_state(invitation),
        "expires_at": invitation.expires_at,
        "revoked_at": invitation.revoked_at,
        "created_at": invitation.created_at,
        "invited_by": invitation.invited_by,
        "attempt_id": invitation.attempt.id if invitation.attempt is not None else None,
        "outbox_message_id": invitation.outbox_message_id,
        "retake_reason": invitation.retake_reason,
        "retake_of_attempt_id": (
            invitation.retake_of.attempt.id
            if invitation.retake_of is not None and invitation.retake_of.attempt is not None
            else None
        ),
    }


def _percent(points: float, maximum: float) -> float:
    return round(100.0 * points / maximum, 1) if maximum else 0.0


def _summary(attempt: AssessmentAttempt) -> dict[str, Any]:
    assessment = attempt.invitation.assessment
    names = services.skill_names(assessment.opening)
    skills = [
        {
            "skill_id": skill_id,
            "skill_name": names.get(skill_id, ""),
            "points": round(points, 2),
            "max_points": maximum,
            "percent": _percent(points, maximum),
        }
        for skill_id, (points, maximum) in services.skill_results(attempt).items()
    ]
    return {
        "id": attempt.id,
        "invitation_id": attempt.invitation_id,
        "application_id": attempt.invitation.application_id,
        "assessment_id": assessment.id,
        "assessment_title": assessment.title,
        "pass_mark_percent": assessment.pass_mark_percent,
        "status": attempt.status,
        "scoring_status": attempt.scoring_status,
        "scoring_error": attempt.scoring_error,
        "submitted_by": attempt.submitted_by,
        "started_at": attempt.started_at,
        "deadline_at": attempt.deadline_at,
        "submitted_at": attempt.submitted_at,
        "scored_at": attempt.scored_at,
        "retake": attempt.invitation.is_retake,
        "retake_reason": attempt.invitation.retake_reason,
        "retake_of_attempt_id": services.retake_of_attempt_id(attempt),
        "totals": services.attempt_totals(attempt),
        "skills": sorted(skills, key=lambda row: str(row["skill_name"]).casefold()),
    }


def _answer_row(answer: AssessmentAnswer) -> dict[str, Any]:
    question = answer.question
    return {
        "id": answer.id,
        "question_id": answer.question_id,
        "position": question.position,
        "kind": question.kind,
        "prompt": question.prompt,
        "skill_id": question.skill_id,
        "response": answer.response,
        "saved_at": answer.saved_at,
        "auto_points": answer.auto_points,
        "override_points": answer.override_points,
        "override_reason": answer.override_reason,
        "overridden_by": answer.overridden_by,
        "overridden_at": answer.overridden_at,
        "final_points": answer.final_points,
        "max_points": answer.max_points,
        "explanation": answer.explanation,
        "scorer": answer.scorer,
        "scorer_version": answer.scorer_version,
        "rubric_version": answer.rubric_version,
        "current_rubric_version": question.rubric_version,
        "signals": {
            "paste_count": answer.paste_count,
            "pasted_chars": answer.pasted_chars,
            "blur_count": answer.blur_count,
            "time_spent_seconds": answer.time_spent_seconds,
            "similarity": answer.similarity,
            "similar_answer_id": answer.similar_answer_id,
        },
    }


def _review(attempt: AssessmentAttempt) -> dict[str, Any]:
    return {
        **_summary(attempt),
        "candidate": attempt.invitation.application.candidate,
        "answers": [_answer_row(answer) for answer in services.answers_in_question_order(attempt)],
        "signals_note": services.SIGNALS_NOTE,
    }


def _answer_under_review(attempt_id: int, answer_id: int) -> AssessmentAnswer:
    attempt = services.get_attempt_for_review(current_api_user(), attempt_id)
    answer = next((answer for answer in attempt.answers if answer.id == answer_id), None)
    if answer is None:
        raise NotFound("No such answer in this attempt.")
    return answer


# --- assessments ---------------------------------------------------------------------------------


@blp.route("/openings/<int:opening_id>")
class OpeningAssessments(MethodView):
    @blp.arguments(AssessmentListArgs, location="query")
    @blp.response(200, AssessmentListSchema)
    def get(self, args: dict[str, Any], opening_id: int) -> dict[str, Any]:
        """The opening's assessments, oldest first; archived ones only with ``include_archived=true``."""
        opening = _visible_opening(opening_id)
        return {"items": services.list_assessments(opening, include_archived=args["include_archived"])}

    @blp.arguments(AssessmentCreateSchema, location="json")
    @blp.response(201, AssessmentDetailSchema)
    def post(self, data: dict[str, Any], opening_id: int) -> Assessment:
        """Create an empty assessment; fields left out take their defaults (30 minutes, pass mark 60%)."""
        assessment = services.create_assessment(current_api_user(), _visible_opening(opening_id), data)
        return services.get_assessment(assessment.id)


@blp.route("/openings/<int:opening_id>/from-kit")
class KitAssessment(MethodView):
    @blp.response(201, AssessmentDetailSchema, description="Added: the opening had no active kit assessment.")
    @blp.alt_response(200, schema=AssessmentDetailSchema, description=_ALREADY_ADDED, success=True)
    def post(self, opening_id: int) -> tuple[Assessment, int]:
        """Add the screening assessment shipped with the opening's kit, once (404 when the kit ships none).

        Idempotent: while the opening has an active assessment from its kit, posting again answers
        200 with that one instead of adding a copy. Once it is archived, posting adds a new one (201).
        """
        result = ensure_kit_assessment(current_api_user(), _visible_opening(opening_id))
        return services.get_assessment(result.assessment.id), 201 if result.created else 200


@blp.route("/<int:assessment_id>")
class AssessmentResource(MethodView):
    @blp.response(200, AssessmentDetailSchema)
    def get(self, assessment_id: int) -> Assessment:
        """One assessment with its questions and their scoring content (correct options, tests)."""
        return _assessment(assessment_id)

    @blp.arguments(AssessmentUpdateSchema, location="json")
    @blp.response(200, AssessmentDetailSchema)
    def patch(self, data: dict[str, Any], assessment_id: int) -> Assessment:
        """Change settings; ``status`` archives (no new invitations) or reactivates. Left-out fields stay."""
        return services.update_assessment(current_api_user(), _assessment(assessment_id), data)


# --- questions -----------------------------------------------------------------------------------


@blp.route("/<int:assessment_id>/questions")
class Questions(MethodView):
    @blp.arguments(AssessmentQuestionCreateSchema, location="json")
    @blp.response(201, AssessmentQuestionSchema)
    @blp.alt_response(403, description=_CODE_AUTHORS)
    def post(self, data: dict[str, Any], assessment_id: int) -> AssessmentQuestion:
        """Append a question; refused (409) once a candidate has started the assessment."""
        return services.add_question(current_api_user(), _assessment(assessment_id), data)


@blp.route("/<int:assessment_id>/questions/from-bank")
class BankQuestions(MethodView):
    @blp.arguments(BankQuestionAddSchema, location="json")
    @blp.response(201, AssessmentQuestionSchema)
    def post(self, data: dict[str, Any], assessment_id: int) -> AssessmentQuestion:
        """Append a free-text question from the bank; its expected answer and key points become the rubric."""
        user = current_api_user()
        assessment = _assessment(assessment_id)
        if not can_view_question_bank(user):
            raise PermissionDenied("You are not allowed to use the question bank.")
        bank_question = get_bank_question(data["bank_question_id"])
        if "points" in data:
            return services.add_bank_question(user, assessment, bank_question, data["points"])
        return services.add_bank_question(user, assessment, bank_question)


@blp.route("/<int:assessment_id>/questions/<int:question_id>")
class QuestionResource(MethodView):
    @blp.arguments(AssessmentQuestionUpdateSchema, location="json")
    @blp.response(200, AssessmentQuestionUpdateResultSchema)
    @blp.alt_response(403, description=_CODE_AUTHORS)
    def patch(self, data: dict[str, Any], assessment_id: int, question_id: int) -> services.QuestionUpdate:
        """Edit a question; a change to anything a score depends on makes a new rubric version.

        Existing scores are not redone until a rescore: ``outdated_answers`` says how many were
        computed against an older rubric.
        """
        return services.update_question(current_api_user(), _question(assessment_id, question_id), data)

    @blp.response(204)
    def delete(self, assessment_id: int, question_id: int) -> None:
        """Remove a question; refused (409) once a candidate has answered the assessment."""
        services.delete_question(current_api_user(), _question(assessment_id, question_id))


@blp.route("/<int:assessment_id>/questions/<int:question_id>/rubrics")
class Rubrics(MethodView):
    @blp.response(200, AssessmentRubricListSchema)
    def get(self, assessment_id: int, question_id: int) -> dict[str, Any]:
        """Every rubric version of the question, oldest first: what each score was computed against."""
        question = _question(assessment_id, question_id)
        return {
            "question_id": question.id,
            "current_version": question.rubric_version,
            "items": question.rubrics,
        }


# --- invitations ---------------------------------------------------------------------------------


@blp.route("/<int:assessment_id>/invitations")
class Invitations(MethodView):
    @blp.response(200, InvitationListSchema)
    def get(self, assessment_id: int) -> dict[str, Any]:
        """The assessment's invitations, newest first, with their state (invited, in progress, scored...)."""
        invitations = services.invitations_for_assessment(_assessment(assessment_id))
        return {"items": [_invitation_row(invitation) for invitation in invitations]}

    @blp.arguments(InvitationCreateSchema, location="json")
    @blp.response(201, IssuedInvitationListSchema)
    def post(self, data: dict[str, Any], assessment_id: int) -> dict[str, Any]:
        """Invite applications (all or none): each gets a private link by email.

        An application that has already submitted this assessment is refused (409, naming that
        attempt and its score) unless ``retake`` is true with a ``retake_reason``, which is recorded
        on the invitation and in the audit log. With ``skip_invited``, the applications left out are
        listed in ``skipped`` with the reason. The response is the only place the link's token is
        ever shown: only its hash is stored.
        """
        assessment = _assessment(assessment_id)
        applications = [
            get_application(application_id) for application_id in dict.fromkeys(data["application_ids"])
        ]
        issued = services.invite(
            current_api_user(),
            assessment,
            applications,
            valid_days=data.get("valid_days"),
            skip_invited=data["skip_invited"],
            retake=data["retake"],
            retake_reason=data["retake_reason"],
        )
        invited = {item.invitation.application_id for item in issued}
        skipped = [
            {"application_id": application.id, "reason": services.invitation_refusal(assessment, application)}
            for application in applications
            if application.id not in invited
        ]
        return {
            "items": [
                {**_invitation_row(item.invitation), "token": item.token, "link": item.link}
                for item in issued
            ],
            "skipped": skipped,
        }


@blp.route("/invitations/<int:invitation_id>/revoke")
class RevokeInvitation(MethodView):
    @blp.response(200, InvitationSchema)
    def post(self, invitation_id: int) -> dict[str, Any]:
        """Withdraw a link so it can no longer be started; refused (409) once the candidate has submitted."""
        invitation = services.get_invitation(invitation_id)
        if not can_view_opening(current_api_user(), invitation.assessment.opening):
            raise NotFound("No such invitation.")
        return _invitation_row(services.revoke_invitation(current_api_user(), invitation))


# --- results, review, overrides ------------------------------------------------------------------


@blp.route("/applications/<int:application_id>/attempts")
class ApplicationAttempts(MethodView):
    @blp.arguments(AttemptListArgs, location="query")
    @blp.response(200, AttemptSummaryListSchema)
    def get(self, args: dict[str, Any], application_id: int) -> dict[str, Any]:
        """The application's submitted attempts at the opening's assessments, oldest first, retakes
        included and marked: totals, pass or fail, and per-skill results.

        ``include_in_progress=true`` adds the attempts not submitted yet, as the review page lists them.
        """
        application = get_application(application_id)
        if not can_review_assessment(current_api_user(), application):
            raise PermissionDenied("You are not allowed to see this application's assessment results.")
        found = services.application_attempts(application)
        if not args["include_in_progress"]:
            found = [attempt for attempt in found if attempt.status == AttemptStatus.SUBMITTED]
        return {"items": [_summary(attempt) for attempt in found]}


@blp.route("/attempts/<int:attempt_id>")
class AttemptReview(MethodView):
    @blp.response(200, AttemptReviewSchema)
    def get(self, attempt_id: int) -> dict[str, Any]:
        """One attempt for review: every answer with its scores, explanation and integrity signals.

        Only reviewers (staff and the opening's hiring team) may see it; to anyone else it does not
        exist (404). The signals are for a human to weigh, never a verdict.
        """
        return _review(services.get_attempt_for_review(current_api_user(), attempt_id))


@blp.route("/attempts/<int:attempt_id>/answers/<int:answer_id>/override")
class Override(MethodView):
    @blp.arguments(ScoreOverrideSchema, location="json")
    @blp.response(200, AnswerReviewSchema)
    def post(self, data: dict[str, Any], attempt_id: int, answer_id: int) -> dict[str, Any]:
        """Set a reviewer's score for one answer, with the reason.

        It replaces the automatic score in totals; both stay visible, and the change is audited.
        """
        answer = _answer_under_review(attempt_id, answer_id)
        return _answer_row(
            services.override_score(current_api_user(), answer, data["points"], data["reason"])
        )

    @blp.response(200, AnswerReviewSchema)
    def delete(self, attempt_id: int, answer_id: int) -> dict[str, Any]:
        """Return the answer to its automatic score (audited)."""
        answer = _answer_under_review(attempt_id, answer_id)
        return _answer_row(services.clear_override(current_api_user(), answer))


@blp.route("/<int:assessment_id>/rescore")
class Rescore(MethodView):
    @blp.arguments(RescoreSchema, location="json", required=False)
    @blp.response(202, RescoreResultSchema)
    def post(self, data: dict[str, Any], assessment_id: int) -> dict[str, int]:
        """Queue automatic scoring again against the current rubrics.

        For the given submitted attempts, by default all of them. Reviewers' overrides stay.
        """
        count = services.request_rescore(current_api_user(), _assessment(assessment_id), data["attempt_ids"])
        return {"count": count}
