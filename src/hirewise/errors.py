"""Domain exceptions and the one place that turns any error into a response.

The UI gets an HTML page, ``/api/`` gets the JSON envelope
``{"error": {"status", "code", "message", "details"}}``. Services raise these exceptions; views
never build error responses themselves. A request body over ``MAX_CONTENT_LENGTH`` is a 413 in
that format whether or not it declared its length (:class:`StreamedBodyLimit`).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError as MarshmallowError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import ClientDisconnected, HTTPException

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: dict[str, Any] | list[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationFailed(DomainError):
    status = 422
    code = "validation_error"

    @classmethod
    def from_schema(cls, error: MarshmallowError) -> ValidationFailed:
        """A schema's refusal in the services' shape: ``{field: [messages]}`` (the messages of a nested
        field gathered under its name), the first message as the message, as a form shows them."""
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        details = {str(name): _message_texts(value) for name, value in messages.items()}
        first = next((texts[0] for texts in details.values() if texts), "The input is not valid.")
        return cls(first, details)


def _message_texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _message_texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _message_texts(item)]
    return [str(value)]


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, details: Any = None) -> tuple[Response | str, int]:
    if wants_json():
        body: dict[str, Any] = {"status": status, "code": code, "message": message}
        if details:
            body["details"] = details
        return jsonify(error=body), status
    return render_template("errors/error.html", status=status, message=message, details=details), status


def _http_error_code(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_")


def _first_problem(messages: dict[str, Any], path: tuple[str, ...] = ()) -> str | None:
    """The first schema message with the field it is about: ``title: Length must be between 1 and 200.``
    (the location, ``json`` or ``query``, left out; list positions kept: ``links.4: …``)."""
    for key, value in messages.items():
        where = (
            path if not path and key in {"json", "query", "form", "files", "headers"} else (*path, str(key))
        )
        if isinstance(value, dict):
            found = _first_problem(value, where)
            if found:
                return found
        elif isinstance(value, list) and value and isinstance(value[0], str):
            field = ".".join(where)
            return f"{field}: {value[0]}" if field and field != "_schema" else value[0]
    return None


def handle_domain_error(exc: DomainError) -> tuple[Response | str, int]:
    return error_response(exc.status, exc.code, exc.message, exc.details)


def handle_http_exception(exc: HTTPException) -> Any:
    if exc.code is None or exc.code < 400:
        return exc.get_response()
    details = None
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        # webargs/flask-smorest put schema errors under "messages".
        details = data.get("messages") or data.get("errors")
    message = exc.description or exc.name
    if isinstance(data, dict) and data.get("message"):
        message = data["message"]
    elif isinstance(data, dict) and isinstance(data.get("messages"), dict):
        message = _first_problem(data["messages"]) or message
    body, status = error_response(exc.code, _http_error_code(exc), str(message), details)
    # Keep the exception's own headers (Retry-After on 429, Allow on 405); the body is ours.
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    if status == 401 and wants_json():
        headers.append(("WWW-Authenticate", 'Bearer realm="hirewise"'))
    return body, status, headers


def handle_csrf_error(exc: CSRFError) -> tuple[Response | str, int]:
    return error_response(
        400, "csrf_failed", "The form expired or was not sent from this site. Reload and try again."
    )


def handle_out_of_range(exc: Exception) -> tuple[Response | str, int]:
    """A number too large for the database (SQLite OverflowError, PostgreSQL DataError) is bad input."""
    from hirewise.extensions import db

    db.session.rollback()
    return error_response(400, "bad_request", "A value in the request is out of range or malformed.")


def handle_unexpected(exc: Exception) -> tuple[Response | str, int]:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "internal_error", "Something went wrong on our side. It has been logged.")


def _read_at_most(stream: Any, size: int) -> bytes:
    parts: list[bytes] = []
    while size > 0:
        chunk = stream.read(size)  # a raw stream may return less than asked before its end
        if not chunk:
            break
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


class StreamedBodyLimit:
    """WSGI middleware: a body sent without ``Content-Length`` (chunked) obeys ``MAX_CONTENT_LENGTH`` too.

    Werkzeug reads such a body up to the limit and then stops *silently*, so the application sees
    a truncated body: a JSON parser answers "Invalid JSON body" (400), a form loses its last
    fields. Here the body is read up to the limit plus one byte before the application runs. When
    it is larger, the request is made to look like one that declared a too-large length, so what
    reads the body gets Werkzeug's 413 (the JSON envelope on ``/api/``, the HTML page elsewhere)
    and the rest is never read; otherwise the application gets the body with its length.
    """

    def __init__(self, wsgi_app: WSGIApplication, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        limit = self.app.config.get("MAX_CONTENT_LENGTH")
        # A server sets wsgi.input_terminated when it ends such a body itself (gunicorn, Werkzeug's
        # own for chunked requests); without it Werkzeug reads nothing, safely.
        if limit is not None and not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated"):
            try:
                body = _read_at_most(environ["wsgi.input"], limit + 1)
            except (OSError, ValueError):  # the client went away, or was too slow (gunicorn.conf.py)
                return ClientDisconnected()(environ, start_response)
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            if len(body) > limit:
                environ["CONTENT_LENGTH"] = str(limit + 1)
                body = b""
            else:
                environ["CONTENT_LENGTH"] = str(len(body))
            environ["wsgi.input"] = io.BytesIO(body)
        return self.wsgi_app(environ, start_response)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OverflowError, handle_out_of_range)
    app.register_error_handler(DataError, handle_out_of_range)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
    app.wsgi_app = StreamedBodyLimit(app.wsgi_app, app)  # type: ignore[method-assign]
