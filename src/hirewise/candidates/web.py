"""Request helpers shared by the candidates feature's HTML views."""

from __future__ import annotations

import io

from flask import current_app, request, send_file
from werkzeug.wrappers import Response

from hirewise.candidates.documents import ResumeUpload
from hirewise.candidates.models import Application
from hirewise.errors import NotFound
from hirewise.paging import requested_page
from hirewise.security import safe_redirect_target


def safe_next(default: str) -> str:
    return safe_redirect_target(request.values.get("next"), default)


def wants_json() -> bool:
    """The board's script asks for JSON; a plain form post gets a redirect."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def page_arg() -> int:
    return requested_page()


def uploaded_file(field_name: str) -> ResumeUpload | None:
    storage = request.files.get(field_name)
    if storage is None or not storage.filename:
        return None
    # One byte over the limit is enough for validate_resume to refuse the file.
    data = storage.read(current_app.config["MAX_RESUME_BYTES"] + 1)
    return ResumeUpload(filename=storage.filename, data=data)


def send_resume(application: Application) -> Response:
    """The stored résumé as a download: never rendered inline, never sniffed into HTML."""
    document = application.resume
    if document is None:
        raise NotFound("This application has no résumé.")
    response = send_file(
        io.BytesIO(document.data),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
