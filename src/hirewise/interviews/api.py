"""``/api/v1/interviews``: interview plans of openings, scheduling, rescheduling, cancelling, invites."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from werkzeug.wrappers import Response

from hirewise.api import api_blueprint, current_api_user, paginate
from hirewise.candidates.queries import get_application
from hirewise.errors import PermissionDenied
from hirewise.interviews import services
from hirewise.interviews.models import Interview, InterviewPlanItem
from hirewise.interviews.schemas import (
    InterviewCancelSchema,
    InterviewCreateSchema,
    InterviewListArgs,
    InterviewPageSchema,
    InterviewRescheduleSchema,
    InterviewSchema,
    PlanItemSchema,
    PlanItemUpdateSchema,
    PlanSchema,
)
from hirewise.openings.models import Opening
from hirewise.openings.services import get_opening
from hirewise.security import can_edit_opening, can_view_application, can_view_interview, can_view_opening

blp = api_blueprint(
    "interviews", "interviews", "Interview plans of openings, scheduled interviews and invites"
)


def _opening(opening_id: int, *, edit: bool) -> Opening:
    opening = get_opening(opening_id)
    allowed = can_edit_opening if edit else can_view_opening
    if not allowed(current_api_user(), opening):
        raise PermissionDenied(
            "You are not allowed to " + ("change" if edit else "see") + " this opening's plan."
        )
    return opening


def _interview(interview_id: int) -> Interview:
    interview = services.get_interview(interview_id)
    if not can_view_interview(current_api_user(), interview):
        raise PermissionDenied("You are not allowed to see this interview.")
    return interview


@blp.route("/plans/<int:opening_id>")
class Plan(MethodView):
    @blp.response(200, PlanSchema)
    def get(self, opening_id: int) -> dict[str, Any]:
        """The opening's interview plan, in order."""
        return {"items": services.list_plan(_opening(opening_id, edit=False))}

    @blp.arguments(PlanItemSchema, location="json")
    @blp.response(201, PlanItemSchema)
    def post(self, data: dict[str, Any], opening_id: int) -> InterviewPlanItem:
        """Add an interview to the plan (stage, skills and questions must be the opening's)."""
        return services.add_plan_item(current_api_user(), _opening(opening_id, edit=True), **data)


@blp.route("/plans/<int:opening_id>/defaults")
class PlanDefaults(MethodView):
    @blp.response(200, PlanSchema)
    def post(self, opening_id: int) -> dict[str, Any]:
        """Generate the default plan (screening call, technical interview) unless the opening has one."""
        return {"items": services.default_plan(current_api_user(), _opening(opening_id, edit=True))}


@blp.route("/plans/<int:opening_id>/items/<int:item_id>")
class PlanItemResource(MethodView):
    @blp.arguments(PlanItemUpdateSchema, location="json")
    @blp.response(200, PlanItemSchema)
    def patch(self, data: dict[str, Any], opening_id: int, item_id: int) -> InterviewPlanItem:
        """Change a plan interview; fields left out keep their value."""
        item = services.get_plan_item(_opening(opening_id, edit=True), item_id)
        return services.update_plan_item(current_api_user(), item, **data)

    @blp.response(204)
    def delete(self, opening_id: int, item_id: int) -> None:
        """Remove a plan interview; interviews scheduled from it keep their kit."""
        item = services.get_plan_item(_opening(opening_id, edit=True), item_id)
        services.remove_plan_item(current_api_user(), item)


@blp.route("")
class Interviews(MethodView):
    @blp.arguments(InterviewListArgs, location="query")
    @blp.response(200, InterviewPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Interviews you may see, soonest first; filter by application or to your own (``mine=true``)."""
        stmt = services.visible_interviews_query(
            current_api_user(), application_id=args["application_id"], mine=args["mine"]
        )
        return paginate(stmt, args["page"], args["per_page"])

    @blp.arguments(InterviewCreateSchema, location="json")
    @blp.response(201, InterviewSchema)
    def post(self, data: dict[str, Any]) -> Interview:
        """Schedule an interview; every interviewer and the candidate get a calendar invite by email."""
        user = current_api_user()
        application = get_application(data.pop("application_id"))
        if not can_view_application(user, application):
            raise PermissionDenied("You are not allowed to see this application.")
        interview = services.schedule_interview(user, application, **data)
        return services.get_interview(interview.id)


@blp.route("/<int:interview_id>")
class InterviewResource(MethodView):
    @blp.response(200, InterviewSchema)
    def get(self, interview_id: int) -> Interview:
        """One interview with its interviewers."""
        return _interview(interview_id)


@blp.route("/<int:interview_id>/reschedule")
class Reschedule(MethodView):
    @blp.arguments(InterviewRescheduleSchema, location="json")
    @blp.response(200, InterviewSchema)
    def post(self, data: dict[str, Any], interview_id: int) -> Interview:
        """Move the interview; everyone gets an updated invite (same UID, higher SEQUENCE)."""
        interview = services.reschedule_interview(current_api_user(), _interview(interview_id), **data)
        return services.get_interview(interview.id)


@blp.route("/<int:interview_id>/cancel")
class Cancel(MethodView):
    @blp.arguments(InterviewCancelSchema, location="json")
    @blp.response(200, InterviewSchema)
    def post(self, data: dict[str, Any], interview_id: int) -> Interview:
        """Cancel the interview; everyone gets a METHOD:CANCEL invite."""
        interview = services.cancel_interview(current_api_user(), _interview(interview_id), data["reason"])
        return services.get_interview(interview.id)


@blp.route("/<int:interview_id>/ics")
class Ics(MethodView):
    @blp.response(200, content_type="text/calendar", description="The interview's current iCalendar invite")
    def get(self, interview_id: int) -> Response:
        """The interview's invite as an .ics file (a CANCEL once cancelled)."""
        interview = _interview(interview_id)
        return Response(
            services.ics_for(interview),
            mimetype="text/calendar",
            headers={"Content-Disposition": f'attachment; filename="interview-{interview.id}.ics"'},
        )
