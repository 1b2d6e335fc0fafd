"""The ``/api/v1`` REST API: token authentication, scopes, pagination and the OpenAPI spec.

Every resource lives in its feature package (``<feature>/api.py``) as a flask-smorest blueprint
made by :func:`api_blueprint`, and calls the same service functions as the HTML views.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, Response, abort, g, render_template, request
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import Select
from webargs.flaskparser import FlaskParser

from hirewise import paging
from hirewise.api import idempotency
from hirewise.api.spec import ApiContractPlugin, Error
from hirewise.auth.models import User
from hirewise.extensions import api, csrf
from hirewise.paging import MAX_PAGE

API_PREFIX = "/api/v1"


class BodyParser(FlaskParser):
    """webargs' parser, with JSON nested too deeply for Python's parser refused as invalid JSON (a 400)
    rather than escaping as a RecursionError (a 500)."""

    def _raw_load_json(self, req: Any) -> Any:
        try:
            return super()._raw_load_json(req)
        except RecursionError as exc:
            # A non-empty document: webargs reads an empty one as "no body" rather than as invalid.
            raise json.JSONDecodeError("the JSON is nested too deeply", "(request body)", 0) from exc


class ApiBlueprint(SmorestBlueprint):  # type: ignore[misc]
    ARGUMENTS_PARSER = BodyParser()

    def arguments(self, schema: Any, *, location: str = "json", required: bool = True, **kwargs: Any) -> Any:
        """flask-smorest's decorator; a JSON body the spec marks required is refused (422) when it is
        missing, where webargs would read no body as ``{}`` and a PATCH of nothing would succeed."""
        decorate = super().arguments(schema, location=location, required=required, **kwargs)
        if location != "json" or not required:
            return decorate

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            parsed = decorate(func)

            @wraps(parsed)
            def needs_body(*args: Any, **view_kwargs: Any) -> Any:
                if not request.get_data(cache=True).strip():
                    abort(422, description="This operation needs a JSON body.")
                return parsed(*args, **view_kwargs)

            return needs_body

        return decorator


READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def authenticate_token() -> Response | None:
    """Token-only authentication: a browser session never authenticates an API call (no CSRF there).

    A POST with an ``Idempotency-Key`` that was already answered gets that answer back here."""
    from hirewise.auth.services import user_for_api_token

    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        abort(401, description="Send a personal API token: 'Authorization: Bearer <token>'.")
    found = user_for_api_token(raw.strip())
    if found is None:
        abort(401, description="The API token is invalid or revoked.")
    user, token = found
    needed = "read" if request.method in READ_METHODS else "write"
    if needed not in token.scope_set:
        abort(403, description=f"This token lacks the '{needed}' scope.")
    g._login_user = user  # Flask-Login's cache: current_user is the token's owner for this request
    g.api_token = token
    return idempotency.begin(user)


def api_blueprint(name: str, url_path: str, description: str) -> ApiBlueprint:
    blp = ApiBlueprint(f"api_{name}", name, url_prefix=f"{API_PREFIX}/{url_path}", description=description)
    blp.before_request(authenticate_token)
    blp.after_request(idempotency.finish)
    blp.teardown_request(idempotency.abandon)
    return blp


def current_api_user() -> User:
    user: User = g._login_user
    return user


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class PageMeta(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """An envelope ``{"items": [...], "meta": {...}}`` for ``item_schema``, named for the spec."""
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item_schema)), "meta": fields.Nested(PageMeta)}, name=name
    )


def paginate(stmt: Select[Any], page: int, per_page: int) -> dict[str, Any]:
    """The API's envelope of one page (see :func:`hirewise.paging.paginate`)."""
    return paging.paginate(stmt, page, per_page).envelope()


docs = Blueprint("api_docs", __name__)


@docs.get(f"{API_PREFIX}/docs")
def docs_page() -> str:
    return render_template("api/docs.html")


def register_api(app: Flask) -> None:
    from hirewise.assessments.api import blp as assessments_blp
    from hirewise.assessments.candidate_api import blp as candidate_assessments_blp
    from hirewise.candidates.api import applications_blp, candidates_blp
    from hirewise.candidates.import_api import imports_blp
    from hirewise.decisions.api import blp as decisions_blp
    from hirewise.feedback.api import blp as feedback_blp
    from hirewise.home.api import blp as home_blp
    from hirewise.interviews.api import blp as interviews_blp
    from hirewise.kits.api import blp as kits_blp
    from hirewise.notifications.api import blp as notifications_blp
    from hirewise.openings.api import blp as openings_blp
    from hirewise.organisation.api import blp as organisation_blp
    from hirewise.privacy.api import blp as privacy_blp
    from hirewise.privacy.api import candidate_blp as candidate_privacy_blp
    from hirewise.questions.api import blp as questions_blp
    from hirewise.reports.api import blp as reports_blp

    # The body errors.py sends, so that every documented error response describes it.
    api.ERROR_SCHEMA = Error
    api.init_app(
        app, spec_kwargs={"extra_plugins": [idempotency.IdempotencyKeyPlugin(), ApiContractPlugin()]}
    )
    for blp in (
        kits_blp,
        openings_blp,
        candidates_blp,
        applications_blp,
        imports_blp,
        questions_blp,
        interviews_blp,
        decisions_blp,
        feedback_blp,
        assessments_blp,
        candidate_assessments_blp,
        organisation_blp,
        home_blp,
        notifications_blp,
        reports_blp,
        privacy_blp,
        candidate_privacy_blp,
    ):
        api.register_blueprint(blp)
        csrf.exempt(blp)
    app.register_blueprint(docs)
