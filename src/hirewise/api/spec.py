"""What the OpenAPI spec says beyond the schemas: the error body every operation can answer with, the
statuses each can return, and a stable ``operationId`` per operation, so that a client generated
from the spec can call every operation by name and read every error.
"""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec, BasePlugin
from marshmallow import Schema, fields

ERROR_STATUSES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    413: "REQUEST_ENTITY_TOO_LARGE",
    422: "UNPROCESSABLE_ENTITY",
    429: "TOO_MANY_REQUESTS",
}
_BODY_METHODS = frozenset({"post", "put", "patch"})
_HTTP_METHODS = ("get", "post", "put", "patch", "delete")
_PATH_PARAMETER = re.compile(r"^\{.+\}$")
_API_PREFIX = "/api/v1/"


class ErrorBody(Schema):
    status = fields.Integer(required=True, metadata={"description": "The HTTP status, repeated."})
    code = fields.String(
        required=True,
        metadata={"description": "A stable machine-readable code, e.g. `not_found`, `validation_error`."},
    )
    message = fields.String(required=True, metadata={"description": "What went wrong, for a person."})
    details = fields.Raw(
        allow_none=True,
        metadata={
            "description": (
                "Present on some errors: for a validation error, the messages per location and field "
                '(`{"json": {"title": ["Missing data for required field."]}}`).'
            )
        },
    )


class Error(Schema):
    """Every error of the API: ``{"error": {"status", "code", "message", "details"?}}`` (errors.py)."""

    error = fields.Nested(ErrorBody, required=True)


# A POST to one of these words performs it: "applications_move", not "applications_move_create".
_ACTIONS = frozenset(
    {
        "archive", "bulk_move", "bulk_reject", "cancel", "defaults", "draft", "from_bank", "from_kit",
        "import", "move", "override", "reject", "rescore", "reschedule", "revoke", "start", "submit",
    }
)  # fmt: skip
# Where the path alone would mislead: one object under a plural-looking word, or a list under an id.
_NAMED = {
    "GET /api/v1/settings": "settings_get",
    "GET /api/v1/privacy/settings": "privacy_settings_get",
    "GET /api/v1/interviews/{interview_id}/ics": "interviews_ics_get",
    "GET /api/v1/assessments/openings/{opening_id}": "assessments_openings_list",
    "GET /api/v1/reports/sources": "reports_sources_get",
    "GET /api/v1/reports/assessments": "reports_assessments_get",
    "GET /api/v1/reports/interviews": "reports_interviews_get",
}


def operation_id(path: str, method: str) -> str:
    """``<tag>_<verb>`` from the path and method, stable as long as the path is: ``openings_list``,
    ``openings_get``, ``openings_skills_create``, ``applications_move``, ``interviews_ics_get``.

    The tag is the path's first segment; the literal segments after it name the sub-resource; the verb
    is the method's: list (a GET of a plural word) or get, create, save (PUT), update (PATCH), delete;
    a POST to an action word (``_ACTIONS``) is that action itself.
    """
    named = _NAMED.get(f"{method.upper()} {path}")
    if named:
        return named
    segments = [segment for segment in path.removeprefix(_API_PREFIX).strip("/").split("/") if segment]
    literal = [_snake(segment) for segment in segments if not _PATH_PARAMETER.match(segment)]
    ends_in_parameter = bool(segments) and bool(_PATH_PARAMETER.match(segments[-1]))
    last = literal[-1] if literal else ""
    if method == "get":
        plural = last.endswith("s") or last == "feedback"
        verb = "list" if plural and not ends_in_parameter else "get"
    elif method == "post":
        verb = "" if last in _ACTIONS and not ends_in_parameter else "create"
    else:
        verb = {"put": "save", "patch": "update", "delete": "delete"}[method]
    return "_".join(part for part in (*literal, verb) if part)


def _snake(segment: str) -> str:
    return segment.replace("-", "_")


class ApiContractPlugin(BasePlugin):  # type: ignore[misc]
    """Names every operation and lists the error statuses it can answer with, each with the ``Error``
    body (flask-smorest's registered responses, with ``Error`` as their schema)."""

    def init_spec(self, spec: APISpec) -> None:
        self._seen: dict[str, str] = {}

    def schema_helper(self, name: str, definition: dict[str, Any], **kwargs: Any) -> dict[str, Any] | None:
        """What marshmallow cannot tell apispec: a schema that refuses an empty object says so."""
        schema = kwargs.get("schema")
        schema_class = schema if isinstance(schema, type) else type(schema)
        minimum = getattr(schema_class, "min_properties", 0)
        return {"minProperties": minimum} if minimum else None

    def operation_helper(self, path: str | None = None, operations: Any = None, **kwargs: Any) -> None:
        if not path or not operations:
            return
        has_parameter = "{" in path
        for method in _HTTP_METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            name = operation_id(path, method)
            if self._seen.setdefault(name, f"{method.upper()} {path}") != f"{method.upper()} {path}":
                raise ValueError(f"Two operations would be named {name!r}: {self._seen[name]} and {path}.")
            operation.setdefault("operationId", name)
            responses = operation.setdefault("responses", {})
            for status in _statuses(method, has_parameter, operation):
                # flask-smorest keys the responses it documents (alt_response) by int: keep those.
                if status not in responses:
                    responses.setdefault(str(status), ERROR_STATUSES[status])


def _statuses(method: str, has_parameter: bool, operation: dict[str, Any]) -> list[int]:
    """The error statuses an operation can answer with. Any request can be refused by the rate limiter
    (429) and any argument can be invalid (400 for a body that is not JSON, 422 for one that breaks
    the schema, 413 for one over the size limit); a token route can answer 401 and 403; a path with
    an id, 404; a write, 409 (a conflict with the object's state, or an idempotency key in use)."""
    statuses = [400, 422, 429]
    if operation.get("security") != []:
        statuses += [401, 403]
    if has_parameter:
        statuses.append(404)
    if method in _BODY_METHODS or method == "delete":
        statuses.append(409)
    if method in _BODY_METHODS:
        statuses.append(413)
    return sorted(statuses)
