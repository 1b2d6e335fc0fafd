"""``/api/v1/privacy`` (admins: settings, retention preview and runs) and the privacy operations on one
candidate under ``/api/v1/candidates/{candidate_id}`` (recruiters and admins: record, export, erasure;
admins: legal hold)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from werkzeug.wrappers import Response

from hirewise.api import PageArgs, api_blueprint, current_api_user, page_schema
from hirewise.errors import PermissionDenied
from hirewise.privacy import export, retention, services
from hirewise.privacy.models import Erasure, LegalHold, PrivacySettings, RetentionRun
from hirewise.privacy.retention import Planned
from hirewise.privacy.schemas import (
    ErasureSchema,
    LegalHoldSchema,
    PlannedSchema,
    PrivacySettingsSchema,
    PrivacySettingsUpdateSchema,
    PrivacyStatusSchema,
    ReasonSchema,
    RetentionRunArgs,
    RetentionRunSchema,
)
from hirewise.privacy.views import zip_download
from hirewise.security import can_manage_privacy

blp = api_blueprint(
    "privacy", "privacy", "Privacy settings and retention (notices before, erasure after); admins only."
)
candidate_blp = api_blueprint(
    "candidate_privacy",
    "candidates",
    "A candidate's privacy record, export (ZIP), erasure and legal hold.",
)
RetentionRunPage = page_schema(RetentionRunSchema, "RetentionRunPage")


@blp.before_request
def _admins_only() -> None:
    if not can_manage_privacy(current_api_user()):
        raise PermissionDenied("Only admins see and change privacy settings and retention.")


@blp.route("/settings")
class Settings(MethodView):
    @blp.response(200, PrivacySettingsSchema)
    def get(self) -> PrivacySettings:
        """The organisation's privacy settings."""
        return services.current_settings()

    @blp.arguments(PrivacySettingsUpdateSchema, location="json")
    @blp.response(200, PrivacySettingsSchema)
    def patch(self, data: dict[str, Any]) -> PrivacySettings:
        """Change some privacy settings; those left out keep theirs. Changes are audit-logged."""
        return services.update_settings(current_api_user(), data)


@blp.route("/retention/preview")
class RetentionPreview(MethodView):
    @blp.response(200, PlannedSchema(many=True))
    def get(self) -> list[Planned]:
        """Dry-run preview: who the next retention run would notify, erase or skip (legal hold), why and when."""
        return retention.preview(current_api_user())


@blp.route("/retention/runs")
class RetentionRuns(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, RetentionRunPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The log of past retention runs (dry runs included), newest first."""
        return retention.past_runs(current_api_user(), args["page"], args["per_page"]).envelope()

    @blp.arguments(RetentionRunArgs, location="json", required=False)
    @blp.response(201, RetentionRunSchema)
    def post(self, args: dict[str, Any]) -> RetentionRun:
        """Run retention now: send the notices due and erase the candidates due. ``dry_run`` only logs."""
        return retention.run(dry_run=bool(args.get("dry_run")), actor=current_api_user())


@candidate_blp.route("/<int:candidate_id>/privacy")
class CandidatePrivacy(MethodView):
    @candidate_blp.response(200, PrivacyStatusSchema)
    def get(self, candidate_id: int) -> services.PrivacyStatus:
        """The candidate's privacy record: retention date, erasure, legal hold, consents given."""
        return services.privacy_status(current_api_user(), services.get_candidate(candidate_id))


@candidate_blp.route("/<int:candidate_id>/export")
class CandidateExport(MethodView):
    @candidate_blp.response(
        200,
        content_type="application/zip",
        description="A ZIP: candidate.json (profile, applications, stage history, assessment answers with "
        "scores and explanations, emails) and files/ (the original uploads).",
    )
    def get(self, candidate_id: int) -> Response:
        """Export everything held about the candidate (GDPR access and portability). Audit-logged."""
        candidate = services.get_candidate(candidate_id)
        data = services.export_for_staff(current_api_user(), candidate)
        return zip_download(data, export.archive_filename(candidate))


@candidate_blp.route("/<int:candidate_id>/erasure")
class CandidateErasure(MethodView):
    @candidate_blp.arguments(ReasonSchema, location="json")
    @candidate_blp.response(201, ErasureSchema)
    def post(self, data: dict[str, Any], candidate_id: int) -> Erasure:
        """Erase the candidate's personal data from every copy, keeping aggregates (stage history, scores,
        source, dates). Refused (409) under a legal hold, or when already erased."""
        return services.erase_candidate(
            current_api_user(), services.get_candidate(candidate_id), data["reason"]
        )


@candidate_blp.route("/<int:candidate_id>/legal-hold")
class CandidateLegalHold(MethodView):
    @candidate_blp.arguments(ReasonSchema, location="json")
    @candidate_blp.response(201, LegalHoldSchema)
    def post(self, data: dict[str, Any], candidate_id: int) -> LegalHold:
        """Place a legal hold (admins): erasure is refused until it is released."""
        return services.place_hold(current_api_user(), services.get_candidate(candidate_id), data["reason"])

    @candidate_blp.response(200, LegalHoldSchema)
    def delete(self, candidate_id: int) -> LegalHold:
        """Release the legal hold (admins)."""
        return services.release_hold(current_api_user(), services.get_candidate(candidate_id))
