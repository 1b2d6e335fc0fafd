"""``/api/v1/settings``: the organisation-wide settings, for admins."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from hirewise.api import api_blueprint, current_api_user
from hirewise.errors import PermissionDenied
from hirewise.organisation import services
from hirewise.organisation.models import OrganisationSettings
from hirewise.organisation.schemas import OrganisationSettingsSchema, OrganisationSettingsUpdateSchema
from hirewise.security import can_manage_organisation

blp = api_blueprint(
    "organisation", "settings", "Organisation-wide settings (Hirewise is single-tenant); admins only."
)


@blp.before_request
def _admins_only() -> None:
    """After the token check: a non-admin gets 403 before the body is even read."""
    if not can_manage_organisation(current_api_user()):
        raise PermissionDenied("Only admins see and change the organisation settings.")


@blp.route("")
class Settings(MethodView):
    @blp.response(200, OrganisationSettingsSchema)
    @blp.alt_response(403, description="Only admins see the organisation settings.")
    def get(self) -> OrganisationSettings:
        """The organisation's settings."""
        return services.current_settings()

    @blp.arguments(OrganisationSettingsUpdateSchema, location="json")
    @blp.response(200, OrganisationSettingsSchema)
    @blp.alt_response(403, description="Only admins change the organisation settings.")
    @blp.alt_response(422, description="An unknown setting, a wrong type, or no setting at all.")
    def patch(self, data: dict[str, Any]) -> OrganisationSettings:
        """Change some settings; those left out keep their value. Changes are audit-logged."""
        return services.update_settings(current_api_user(), data)
