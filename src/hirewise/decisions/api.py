"""``/api/v1/decisions``: the debrief of an application, recording decisions, ranking and comparison."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from hirewise.api import api_blueprint, current_api_user
from hirewise.api.spec import Error
from hirewise.candidates.models import Application
from hirewise.candidates.queries import get_application
from hirewise.decisions import services
from hirewise.decisions.schemas import (
    CompareArgs,
    ComparisonSchema,
    DebriefSchema,
    DecisionCreateSchema,
    DecisionSchema,
    RankingArgs,
    RankingSchema,
)
from hirewise.errors import PermissionDenied
from hirewise.feedback.models import Decision
from hirewise.openings.models import Opening
from hirewise.openings.services import get_opening
from hirewise.security import can_edit_opening, can_view_debrief

blp = api_blueprint(
    "decisions", "decisions", "Debrief of applications, hiring decisions, ranking and comparison by fit"
)


def _application(application_id: int) -> Application:
    application = get_application(application_id)
    if not can_view_debrief(current_api_user(), application):
        raise PermissionDenied("You are not allowed to see this application's debrief.")
    return application


def _opening(opening_id: int) -> Opening:
    opening = get_opening(opening_id)
    if not can_edit_opening(current_api_user(), opening):
        raise PermissionDenied("You are not allowed to rank this opening's applications.")
    return opening


@blp.route("/applications/<int:application_id>/debrief")
class DebriefResource(MethodView):
    @blp.response(200, DebriefSchema)
    def get(self, application_id: int) -> services.Debrief:
        """Skill matrix, key-point coverage, fit with explanation, recommendations and decisions."""
        return services.debrief(_application(application_id))


@blp.route("/applications/<int:application_id>")
class DecisionResource(MethodView):
    @blp.arguments(DecisionCreateSchema, location="json")
    @blp.response(201, DecisionSchema)
    @blp.alt_response(
        409,
        description=(
            "A conflict with the application's state; code `gate_confirmation_required` when advancing "
            "or hiring past a failed or incomplete must-have gate without `confirm_gate`."
        ),
        schema=Error,
    )
    def post(self, data: dict[str, Any], application_id: int) -> Decision:
        """Record a decision (advance with to_stage_id, reject, hire) and move the application.
        Advancing or hiring while the must-have gate is failed or incomplete needs ``confirm_gate``."""
        return services.record_decision(current_api_user(), _application(application_id), **data)


@blp.route("/openings/<int:opening_id>/ranking")
class RankingResource(MethodView):
    @blp.arguments(RankingArgs, location="query")
    @blp.response(200, RankingSchema)
    def get(self, args: dict[str, Any], opening_id: int) -> dict[str, Any]:
        """Every application of the opening with gate and fit, best first unless sorted by name or stage."""
        opening = _opening(opening_id)
        return {"opening_id": opening.id, "items": services.ranking(opening, args["sort"])}


@blp.route("/openings/<int:opening_id>/compare")
class CompareResource(MethodView):
    @blp.arguments(CompareArgs, location="query")
    @blp.response(200, ComparisonSchema)
    def get(self, args: dict[str, Any], opening_id: int) -> services.Comparison:
        """2 to 5 applications of the opening side by side (ids=1&ids=2...)."""
        return services.compare(_opening(opening_id), args["ids"])
