"""``/api/v1/candidates`` and ``/api/v1/applications``: the same use cases as the HTML pages."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from hirewise.api import api_blueprint, current_api_user, paginate
from hirewise.api.spec import Error
from hirewise.candidates import queries, services
from hirewise.candidates.documents import ResumeUpload
from hirewise.candidates.follow_through import FollowThrough
from hirewise.candidates.models import Application, ApplicationSource, Candidate, Note
from hirewise.candidates.schemas import (
    ApplicationCreateSchema,
    ApplicationDetailSchema,
    ApplicationListArgs,
    ApplicationPageSchema,
    ApplicationSchema,
    BulkMoveSchema,
    BulkRejectionResultSchema,
    BulkRejectSchema,
    BulkResultSchema,
    CandidateCreateSchema,
    CandidateListArgs,
    CandidatePageSchema,
    CandidateSchema,
    CandidateUpdateSchema,
    MentionableListSchema,
    MoveSchema,
    NoteListSchema,
    NoteSchema,
    RejectionSchema,
    RejectSchema,
    ResumeUploadSchema,
    TimelineSchema,
    bulk_result,
)
from hirewise.candidates.web import send_resume
from hirewise.errors import PermissionDenied
from hirewise.openings.services import get_opening
from hirewise.security import (
    can_change_application,
    can_create_candidate,
    can_edit_candidate,
    can_view_application,
    can_view_candidate,
)

candidates_blp = api_blueprint("candidates", "candidates", "Candidates: the people who apply")
applications_blp = api_blueprint(
    "applications",
    "applications",
    "Applications: a candidate in an opening's pipeline, résumé, stages, notes",
)
_GATE_CONFIRMATION = (
    "A conflict with the application's state; code `gate_confirmation_required` when advancing past a "
    "failed or incomplete must-have gate without `confirm_gate`: `details.applications` lists each "
    "application held, its gate, and the must-have skills below the bar or without evidence."
)


def _visible_candidate(candidate_id: int) -> Candidate:
    candidate = queries.get_candidate(candidate_id)
    if not can_view_candidate(current_api_user(), candidate):
        raise PermissionDenied("You are not allowed to see this candidate.")
    return candidate


def _visible_application(application_id: int, *, detail: bool = False) -> Application:
    loader = queries.get_application_detail if detail else queries.get_application
    application = loader(application_id)
    if not can_view_application(current_api_user(), application):
        raise PermissionDenied("You are not allowed to see this application.")
    return application


def _changeable_application(application_id: int) -> Application:
    application = queries.get_application(application_id)
    if not can_change_application(current_api_user(), application):
        raise PermissionDenied("You are not allowed to change this application.")
    return application


# --- candidates ---------------------------------------------------------------------------------


@candidates_blp.route("")
class Candidates(MethodView):
    @candidates_blp.arguments(CandidateListArgs, location="query")
    @candidates_blp.response(200, CandidatePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The candidates you may see, by name; ``q`` matches name or email."""
        stmt = queries.candidate_search_stmt(current_api_user(), args["q"])
        return paginate(stmt, args["page"], args["per_page"])

    @candidates_blp.arguments(CandidateCreateSchema, location="json")
    @candidates_blp.response(201, CandidateSchema)
    def post(self, data: dict[str, Any]) -> Candidate:
        """Add a candidate by hand, optionally straight into an opening's pipeline."""
        user = current_api_user()
        if not can_create_candidate(user):
            raise PermissionDenied("Only admins and recruiters can add candidates.")
        opening = get_opening(data["opening_id"]) if data["opening_id"] else None
        return services.create_candidate(
            user,
            full_name=data["full_name"],
            email=data["email"],
            phone=data["phone"],
            links=data["links"],
            opening=opening,
            source=ApplicationSource(data["source"]),
        )


@candidates_blp.route("/<int:candidate_id>")
class CandidateResource(MethodView):
    @candidates_blp.response(200, CandidateSchema)
    def get(self, candidate_id: int) -> Candidate:
        """One candidate's contact details."""
        return _visible_candidate(candidate_id)

    @candidates_blp.arguments(CandidateUpdateSchema, location="json")
    @candidates_blp.response(200, CandidateSchema)
    def patch(self, data: dict[str, Any], candidate_id: int) -> Candidate:
        """Change some contact details; fields left out keep their value."""
        candidate = _visible_candidate(candidate_id)
        if not can_edit_candidate(current_api_user(), candidate):
            raise PermissionDenied("You are not allowed to edit this candidate.")
        return services.update_candidate(
            current_api_user(),
            candidate,
            full_name=data.get("full_name", candidate.full_name),
            email=data.get("email", candidate.email),
            phone=data.get("phone", candidate.phone),
            links=data.get("links", candidate.links),
        )


@candidates_blp.route("/<int:candidate_id>/timeline")
class CandidateTimeline(MethodView):
    @candidates_blp.response(200, TimelineSchema)
    def get(self, candidate_id: int) -> dict[str, Any]:
        """The candidate's history, newest first, as the profile page shows it: only the events
        and emails you may see (feedback as the feedback, a decision as the debrief, an
        assessment score as the review, an email to staff and the hiring team); the reason of a
        stage move or a rejection is left out unless you may see the debrief."""
        candidate = _visible_candidate(candidate_id)
        return {"items": queries.candidate_timeline(current_api_user(), candidate)}


# --- applications -------------------------------------------------------------------------------


@applications_blp.route("")
class Applications(MethodView):
    @applications_blp.arguments(ApplicationListArgs, location="query")
    @applications_blp.response(200, ApplicationPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The applications you may see; filter by opening, stage, source, skill; ``q`` searches
        name, email and résumé text. ``rejection_reason`` is null unless you may see the debrief."""
        page, per_page = args.pop("page"), args.pop("per_page")
        stmt = queries.application_search_stmt(current_api_user(), **args)
        listed = paginate(stmt, page, per_page)
        return {**listed, "items": queries.as_seen_by(current_api_user(), listed["items"])}

    @applications_blp.arguments(ApplicationCreateSchema, location="json")
    @applications_blp.response(201, ApplicationDetailSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create an application; the candidate is found by email or created."""
        opening = get_opening(data.pop("opening_id"))
        application = services.submit_application(
            opening,
            full_name=data["full_name"],
            email=data["email"],
            phone=data["phone"],
            links=data["links"],
            cover_letter=data["cover_letter"],
            consent=data["consent"],
            source=ApplicationSource(data["source"]),
            actor=current_api_user(),
        )
        (created,) = queries.as_seen_by(current_api_user(), [queries.get_application_detail(application.id)])
        return created


@applications_blp.route("/<int:application_id>")
class ApplicationResource(MethodView):
    @applications_blp.response(200, ApplicationDetailSchema)
    def get(self, application_id: int) -> Any:
        """One application with its résumé text, detected skills and stage history.

        The reasons of its moves and of its rejection are null unless you may see its debrief
        (staff and the hiring team): an interviewer sees that it moved, not why."""
        (application,) = queries.as_seen_by(
            current_api_user(), [_visible_application(application_id, detail=True)]
        )
        return application


@applications_blp.route("/<int:application_id>/resume")
class ApplicationResume(MethodView):
    @applications_blp.response(
        200, content_type="application/octet-stream", description="The résumé file as uploaded."
    )
    def get(self, application_id: int) -> Response:
        """Download the résumé (PDF or DOCX) with its original filename."""
        return send_resume(_visible_application(application_id))

    @applications_blp.arguments(ResumeUploadSchema, location="files")
    @applications_blp.response(200, ApplicationDetailSchema)
    def post(self, files: dict[str, FileStorage], application_id: int) -> Application:
        """Upload or replace the résumé (multipart field ``file``); it is read in the background."""
        application = _changeable_application(application_id)
        storage = files["file"]
        data = storage.read(current_app.config["MAX_RESUME_BYTES"] + 1)
        upload = ResumeUpload(filename=storage.filename or "resume", data=data)
        services.replace_resume(current_api_user(), application, upload)
        return queries.get_application_detail(application_id)


@applications_blp.route("/<int:application_id>/move")
class ApplicationMove(MethodView):
    @applications_blp.arguments(MoveSchema, location="json")
    @applications_blp.response(200, ApplicationSchema)
    @applications_blp.alt_response(409, description=_GATE_CONFIRMATION, schema=Error)
    def post(self, data: dict[str, Any], application_id: int) -> Application:
        """Move to another stage of the opening; moving to Rejected needs a ``reason``. Advancing
        (to a later stage, not Rejected) while the must-have gate is failed or incomplete needs
        ``"confirm_gate": true`` and a ``reason``, stored with the move and in the audit log."""
        application = _changeable_application(application_id)
        return services.move_application(
            current_api_user(),
            application,
            data["stage_id"],
            data["reason"],
            confirm_gate=data["confirm_gate"],
        )


@applications_blp.route("/<int:application_id>/reject")
class ApplicationReject(MethodView):
    @applications_blp.arguments(RejectSchema, location="json")
    @applications_blp.response(200, RejectionSchema)
    def post(self, data: dict[str, Any], application_id: int) -> services.Rejection:
        """Reject with a reason (a withdrawal is a rejection with that reason); ``notify`` also
        emails the candidate the rejection template. Its scheduled interviews still ahead are
        cancelled (every attendee gets a calendar cancellation) and its open assessment links
        revoked, in the same transaction; ``follow_through`` lists them."""
        application = _changeable_application(application_id)
        return services.reject_application(
            current_api_user(), application, data["reason"], notify=data["notify"]
        )


@applications_blp.route("/bulk-move")
class ApplicationsBulkMove(MethodView):
    @applications_blp.arguments(BulkMoveSchema, location="json")
    @applications_blp.response(200, BulkResultSchema)
    @applications_blp.alt_response(409, description=_GATE_CONFIRMATION, schema=Error)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Move several applications to one stage; all or nothing. When any of them would advance
        past a failed or incomplete must-have gate, the whole batch is refused (409) and
        ``details.applications`` lists every such application; send again with
        ``"confirm_gate": true`` and a ``reason`` (stored with every move of the batch)."""
        moved = services.bulk_move(
            current_api_user(),
            data["application_ids"],
            data["stage_id"],
            reason=data["reason"],
            confirm_gate=data["confirm_gate"],
        )
        return bulk_result(moved)


@applications_blp.route("/bulk-reject")
class ApplicationsBulkReject(MethodView):
    @applications_blp.arguments(BulkRejectSchema, location="json")
    @applications_blp.response(200, BulkRejectionResultSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Reject several applications with one reason; all or nothing. Like a single rejection,
        it cancels their scheduled interviews and revokes their open assessment links."""
        rejections = services.bulk_reject(
            current_api_user(), data["application_ids"], data["reason"], notify=data["notify"]
        )
        return {
            **bulk_result([rejection.application for rejection in rejections]),
            "follow_through": FollowThrough.combined(rejection.follow_through for rejection in rejections),
        }


@applications_blp.route("/<int:application_id>/notes")
class ApplicationNotes(MethodView):
    @applications_blp.response(200, NoteListSchema)
    def get(self, application_id: int) -> dict[str, list[Note]]:
        """The notes written about this application, newest first."""
        application = _visible_application(application_id)
        return {"items": queries.notes_for(current_api_user(), application.candidate, application.id)}

    @applications_blp.arguments(NoteSchema, location="json")
    @applications_blp.response(201, NoteSchema)
    def post(self, data: dict[str, Any], application_id: int) -> Note:
        """Add a note about this application."""
        application = _changeable_application(application_id)
        return services.add_note(current_api_user(), application.candidate, data["body"], application.id)


@applications_blp.route("/<int:application_id>/mentionable")
class ApplicationMentionable(MethodView):
    @applications_blp.response(200, MentionableListSchema)
    def get(self, application_id: int) -> dict[str, list[Any]]:
        """Whom a note on this application may @mention: the people who may read it (for autocompletion).

        A mention of anyone else notifies nobody, so they are never offered."""
        application = _visible_application(application_id)
        return {
            "items": services.people_to_mention(current_api_user(), application.candidate, application.id)
        }
