"""``/api/v1/openings``: the same use cases as the HTML pages, behind token authentication."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask.views import MethodView

from hirewise.api import api_blueprint, current_api_user, paginate
from hirewise.errors import PermissionDenied
from hirewise.openings import automation, services
from hirewise.openings.models import Opening
from hirewise.openings.schemas import (
    AutomationSchema,
    AutomationUpdateSchema,
    OpeningCreatedSchema,
    OpeningCreateSchema,
    OpeningDetailSchema,
    OpeningListArgs,
    OpeningPageSchema,
    OpeningUpdateSchema,
    SkillSchema,
    SkillUpdateSchema,
    StagePageSchema,
)
from hirewise.openings.setup import OpeningSetup, set_up_opening
from hirewise.security import (
    can_create_opening,
    can_edit_opening,
    can_list_openings,
    can_view_opening,
)

blp = api_blueprint("openings", "openings", "Openings, their scorecard (skills), questions and stages")


def _visible_opening(opening_id: int) -> Opening:
    opening = services.get_opening(opening_id)
    if not can_view_opening(current_api_user(), opening):
        raise PermissionDenied("You are not allowed to see this opening.")
    return opening


def _editable_opening(opening_id: int) -> Opening:
    opening = services.get_opening(opening_id)
    if not can_edit_opening(current_api_user(), opening):
        raise PermissionDenied("You are not allowed to change this opening.")
    return opening


@blp.route("")
class Openings(MethodView):
    @blp.arguments(OpeningListArgs, location="query")
    @blp.response(200, OpeningPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the openings you may see, newest first; filter by status and title."""
        user = current_api_user()
        if not can_list_openings(user):
            raise PermissionDenied("Interviewers have no openings list.")
        stmt = services.openings_query(user, status=args["status"], q=args["q"])
        return paginate(stmt, args["page"], args["per_page"])

    @blp.arguments(OpeningCreateSchema, location="json")
    @blp.response(201, OpeningCreatedSchema)
    def post(self, data: dict[str, Any]) -> OpeningSetup:
        """Create an opening, copying the kit's skills and questions, with the default stages.

        From a kit it is set up in one step unless told otherwise: its interview plan generated, the
        kit's screening assessment added (when the kit ships one) and published; ``setup`` in the
        answer says what was. All or nothing.
        """
        user = current_api_user()
        if not can_create_opening(user):
            raise PermissionDenied("Only admins and recruiters can create openings.")
        result = set_up_opening(user, **data)
        return replace(result, opening=services.get_opening(result.opening.id))


@blp.route("/<int:opening_id>")
class OpeningResource(MethodView):
    @blp.response(200, OpeningDetailSchema)
    def get(self, opening_id: int) -> Opening:
        """One opening with its skills, questions, stages and hiring team."""
        return _visible_opening(opening_id)

    @blp.arguments(OpeningUpdateSchema, location="json")
    @blp.response(200, OpeningDetailSchema)
    def patch(self, data: dict[str, Any], opening_id: int) -> Opening:
        """Change some of the opening's details or its hiring team (``team_ids``)."""
        opening = _editable_opening(opening_id)
        services.update_opening(
            current_api_user(),
            opening,
            title=data.get("title", opening.title),
            location=data.get("location", opening.location),
            employment_type=data.get("employment_type", opening.employment_type),
            description=data.get("description", opening.description),
            status=data.get("status", opening.status),
            team_ids=data.get("team_ids"),
            feedback_visibility=data.get("feedback_visibility"),
        )
        return services.get_opening(opening_id)


@blp.route("/<int:opening_id>/automation")
class OpeningAutomation(MethodView):
    @blp.response(200, AutomationSchema)
    def get(self, opening_id: int) -> Opening:
        """The opening's stage automations."""
        return _visible_opening(opening_id)

    @blp.arguments(AutomationUpdateSchema, location="json")
    @blp.response(200, AutomationSchema)
    def patch(self, data: dict[str, bool], opening_id: int) -> Opening:
        """Turn stage automations on or off; settings left out keep their value. Audit-logged."""
        return automation.update_automations(current_api_user(), _editable_opening(opening_id), **data)


@blp.route("/<int:opening_id>/skills")
class OpeningSkills(MethodView):
    @blp.arguments(SkillSchema, location="json")
    @blp.response(201, SkillSchema)
    def post(self, data: dict[str, Any], opening_id: int) -> Any:
        """Add a skill to the opening's scorecard (the kit is not changed)."""
        opening = _editable_opening(opening_id)
        return services.add_skill(current_api_user(), opening, **data)


@blp.route("/<int:opening_id>/skills/<int:skill_id>")
class OpeningSkillResource(MethodView):
    @blp.arguments(SkillUpdateSchema, location="json")
    @blp.response(200, SkillSchema)
    def patch(self, data: dict[str, Any], opening_id: int, skill_id: int) -> Any:
        """Change a skill; fields left out keep their value."""
        skill = services.get_skill(_editable_opening(opening_id), skill_id)
        return services.update_skill(current_api_user(), skill, **data)

    @blp.response(204)
    def delete(self, opening_id: int, skill_id: int) -> None:
        """Remove a skill; its questions stay on the opening without a skill."""
        skill = services.get_skill(_editable_opening(opening_id), skill_id)
        services.remove_skill(current_api_user(), skill)


@blp.route("/<int:opening_id>/stages")
class OpeningStages(MethodView):
    @blp.response(200, StagePageSchema)
    def get(self, opening_id: int) -> dict[str, Any]:
        """The opening's pipeline stages, in order."""
        stages = _visible_opening(opening_id).stages
        meta = {"page": 1, "per_page": max(1, len(stages)), "total": len(stages), "pages": 1}
        return {"items": stages, "meta": meta}
