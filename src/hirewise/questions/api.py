"""``/api/v1/questions``: the question bank, with versions and kit-format import and export."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from hirewise.api import api_blueprint, current_api_user, paginate
from hirewise.kits.api import uploaded_kit_file
from hirewise.kits.schemas import KitDocumentSchema, KitErrorSchema
from hirewise.questions import services
from hirewise.questions.models import BankQuestion, BankQuestionVersion
from hirewise.questions.schemas import (
    BankQuestionArchiveSchema,
    BankQuestionCreateSchema,
    BankQuestionExportArgs,
    BankQuestionImportResultSchema,
    BankQuestionListArgs,
    BankQuestionPageSchema,
    BankQuestionSchema,
    BankQuestionUpdateSchema,
    BankQuestionUploadSchema,
    BankQuestionVersionListSchema,
    BankQuestionVersionSchema,
)
from hirewise.security import can_manage_question_bank, can_view_question_bank, require

blp = api_blueprint(
    "questions",
    "questions",
    "The question bank: interview questions with expected answers and key points, versioned on every edit.",
)
CONTENT_TYPES = {"yaml": "text/yaml; charset=utf-8", "json": "application/json"}
_error = {"schema": KitErrorSchema}


def _viewable(question_id: int) -> BankQuestion:
    require(can_view_question_bank(current_api_user()))
    return services.get_question(question_id)


def _manageable(question_id: int) -> BankQuestion:
    require(can_manage_question_bank(current_api_user()))
    return services.get_question(question_id)


@blp.route("")
class Questions(MethodView):
    @blp.arguments(BankQuestionListArgs, location="query")
    @blp.response(200, BankQuestionPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Search the bank: text and expected answer (``q``), skill, type, difficulty, tag."""
        require(can_view_question_bank(current_api_user()))
        page, per_page = args.pop("page"), args.pop("per_page")
        return paginate(services.list_questions(**args), page, per_page)

    @blp.arguments(BankQuestionCreateSchema, location="json")
    @blp.response(201, BankQuestionSchema)
    @blp.alt_response(422, description="details names each invalid field.", **_error)
    def post(self, data: dict[str, Any]) -> BankQuestion:
        """Add a question to the bank (version 1)."""
        user = current_api_user()
        require(can_manage_question_bank(user))
        return services.create_question(user, **data)


@blp.route("/<int:question_id>")
class QuestionResource(MethodView):
    @blp.response(200, BankQuestionSchema)
    @blp.alt_response(404, description="No such question.", **_error)
    def get(self, question_id: int) -> BankQuestion:
        """One question, current version."""
        return _viewable(question_id)

    @blp.arguments(BankQuestionUpdateSchema, location="json")
    @blp.response(200, BankQuestionSchema)
    @blp.alt_response(404, description="No such question.", **_error)
    @blp.alt_response(422, description="details names each invalid field.", **_error)
    def patch(self, data: dict[str, Any], question_id: int) -> BankQuestion:
        """Change some fields. A real change makes a new version; earlier versions are kept unchanged."""
        question = _manageable(question_id)
        return services.update_question(current_api_user(), question, **data)


@blp.route("/<int:question_id>/archive")
class QuestionArchive(MethodView):
    @blp.arguments(BankQuestionArchiveSchema, location="json", required=False)
    @blp.response(200, BankQuestionSchema)
    @blp.alt_response(404, description="No such question.", **_error)
    def post(self, data: dict[str, Any], question_id: int) -> BankQuestion:
        """Archive a question (or restore it with ``{"archived": false}``)."""
        question = _manageable(question_id)
        return services.set_archived(current_api_user(), question, data.get("archived", True))


@blp.route("/<int:question_id>/versions")
class QuestionVersions(MethodView):
    @blp.response(200, BankQuestionVersionListSchema)
    @blp.alt_response(404, description="No such question.", **_error)
    def get(self, question_id: int) -> dict[str, Any]:
        """Every version of a question, oldest first."""
        return {"items": _viewable(question_id).versions}


@blp.route("/<int:question_id>/versions/<int:version>")
class QuestionVersionResource(MethodView):
    @blp.response(200, BankQuestionVersionSchema)
    @blp.alt_response(404, description="No such question or version.", **_error)
    def get(self, question_id: int, version: int) -> BankQuestionVersion:
        """The content of a question as it was at one version."""
        return services.get_version(_viewable(question_id), version)


@blp.route("/export")
class QuestionExport(MethodView):
    @blp.arguments(BankQuestionExportArgs, location="query")
    @blp.response(200, KitDocumentSchema, content_type="application/json")
    @blp.doc(
        responses={
            "200": {
                "description": "A kit file of the matching questions: JSON for format=json, else YAML.",
                "content": {
                    "application/json": {"schema": KitDocumentSchema},
                    "text/yaml": {"schema": KitDocumentSchema},  # the same document, as YAML
                },
            }
        }
    )
    @blp.alt_response(422, description="Too many questions for one kit file.", **_error)
    def get(self, args: dict[str, Any]) -> Response:
        """Export the matching questions in the kit file format (tags and follow-ups are not part of it)."""
        require(can_view_question_bank(current_api_user()))
        fmt = args.pop("format")
        text = services.dump_questions(services.questions_for_export(**args), fmt)
        response = Response(text, content_type=CONTENT_TYPES[fmt])
        response.headers["Content-Disposition"] = f'attachment; filename="questions.{fmt}"'
        return response


@blp.route("/import")
class QuestionImport(MethodView):
    @blp.doc(
        requestBody={
            "required": True,
            "description": "A kit document as JSON, or a YAML/JSON kit file uploaded as 'file'.",
            "content": {
                "application/json": {"schema": KitDocumentSchema},
                "multipart/form-data": {"schema": BankQuestionUploadSchema},
            },
        }
    )
    @blp.response(201, BankQuestionImportResultSchema)
    @blp.alt_response(422, description="The file is invalid: details.errors lists every problem.", **_error)
    def post(self) -> dict[str, Any]:
        """Import a kit file's questions into the bank; questions with the same text are updated."""
        user = current_api_user()
        require(can_manage_question_bank(user))
        content, filename = uploaded_kit_file()
        questions = services.import_questions(user, content, filename)
        return {"items": questions, "count": len(questions)}
