"""``/api/v1/kits``: list, read, export, import and delete hiring kits."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hirewise.api import PageArgs, api_blueprint, current_api_user, page_schema, paginate
from hirewise.errors import ValidationFailed
from hirewise.kits import services
from hirewise.kits.models import Kit
from hirewise.kits.schemas import (
    ExportArgs,
    ImportArgs,
    KitDocumentSchema,
    KitErrorSchema,
    KitSchema,
    KitSummarySchema,
    KitUploadSchema,
)
from hirewise.kits.validation import MAX_KIT_BYTES
from hirewise.security import can_manage_kits, can_view_kits, require

blp = api_blueprint(
    "kits",
    "kits",
    "Hiring kits: scorecard skills and interview questions, imported and exported in the kit format.",
)
KitPage = page_schema(KitSummarySchema, "KitPage")
CONTENT_TYPES = {"yaml": "text/yaml; charset=utf-8", "json": "application/json"}
_error = {"schema": KitErrorSchema}


@blp.route("")
class KitList(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, KitPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List kits (built-in first), with their numbers of skills and questions."""
        require(can_view_kits(current_api_user()))
        stmt = (
            select(Kit)
            .options(selectinload(Kit.skills), selectinload(Kit.questions))
            .order_by(Kit.is_builtin.desc(), Kit.name, Kit.id)
        )
        return paginate(stmt, args["page"], args["per_page"])


@blp.route("/<int:kit_id>")
class KitItem(MethodView):
    @blp.response(200, KitSchema)
    @blp.alt_response(404, description="No such kit.", **_error)
    def get(self, kit_id: int) -> Kit:
        """One kit with its skills and questions (expected answers and key points)."""
        require(can_view_kits(current_api_user()))
        return services.get_kit(kit_id)

    @blp.response(204)
    @blp.alt_response(404, description="No such kit.", **_error)
    @blp.alt_response(409, description="Built-in kits cannot be deleted.", **_error)
    def delete(self, kit_id: int) -> None:
        """Delete an imported kit. Openings created from it keep their copy."""
        user = current_api_user()
        require(can_manage_kits(user))
        services.delete_kit(user, services.get_kit(kit_id))


@blp.route("/<int:kit_id>/export")
class KitExport(MethodView):
    @blp.arguments(ExportArgs, location="query")
    @blp.response(200, KitDocumentSchema, content_type="application/json")
    @blp.doc(
        responses={
            "200": {
                "description": "The kit file: JSON for format=json, YAML text for format=yaml (default).",
                "content": {
                    "application/json": {"schema": KitDocumentSchema},
                    "text/yaml": {"schema": KitDocumentSchema},  # the same document, as YAML
                },
            }
        }
    )
    @blp.alt_response(404, description="No such kit.", **_error)
    def get(self, args: dict[str, Any], kit_id: int) -> Response:
        """Export a kit as a kit file that can be imported again unchanged."""
        require(can_view_kits(current_api_user()))
        kit = services.get_kit(kit_id)
        fmt = args["format"]
        response = Response(services.dump_kit(kit, fmt), content_type=CONTENT_TYPES[fmt])
        response.headers["Content-Disposition"] = f'attachment; filename="{kit.slug}.{fmt}"'
        return response


def uploaded_kit_file() -> tuple[bytes, str | None]:
    """The kit file of an API import: a multipart 'file' or the raw (JSON/YAML) body; (content, filename)."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ValidationFailed(
                "Attach the kit file as the multipart field 'file'.",
                details={"errors": ["file: is required"]},
            )
        return upload.stream.read(MAX_KIT_BYTES + 1), upload.filename
    body = request.get_data(cache=False)
    if not body:
        raise ValidationFailed(
            "Send the kit document as a JSON body or a multipart 'file'.",
            details={"errors": ["(document): the request body is empty"]},
        )
    filename = "request.json" if request.mimetype == "application/json" else None
    return body, filename


@blp.route("/import")
class KitImport(MethodView):
    @blp.arguments(ImportArgs, location="query")
    @blp.doc(
        requestBody={
            "required": True,
            "description": "The kit document as JSON, or a YAML/JSON kit file uploaded as 'file'.",
            "content": {
                "application/json": {"schema": KitDocumentSchema},
                "multipart/form-data": {"schema": KitUploadSchema},
            },
        }
    )
    @blp.response(201, KitSchema, description="The kit was created.")
    @blp.alt_response(200, schema=KitSchema, description="An existing kit was replaced (replace=true).")
    @blp.alt_response(409, description="A kit with this slug exists and replace is false.", **_error)
    @blp.alt_response(
        422, description="The kit file is invalid: details.errors lists every problem.", **_error
    )
    def post(self, args: dict[str, Any]) -> tuple[Kit, int]:
        """Import a kit file. Nothing is written unless the whole file is valid."""
        user = current_api_user()
        require(can_manage_kits(user))
        content, filename = uploaded_kit_file()
        kit = services.import_kit(user, content, filename, replace=args["replace"])
        # A new kit starts at version 1; every replacement adds one.
        return kit, 201 if kit.version == 1 else 200
