"""``GET /healthz``: a liveness and database check for load balancers and Docker's HEALTHCHECK."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from sqlalchemy import literal, select
from sqlalchemy.exc import SQLAlchemyError

from hirewise.extensions import db

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    # Unauthenticated on purpose, so it reveals nothing but "up or not".
    try:
        db.session.execute(select(literal(1))).scalar_one()
    except SQLAlchemyError:
        log.exception("health check: database unreachable")
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok"), 200
