"""The home feature's pages. The home page itself stays ``openings.dashboard`` (every redirect after
sign-in points there); it includes ``home/_todo.html`` from here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from hirewise.home.services import LIMIT

bp = Blueprint("home", __name__, template_folder="templates")


@bp.app_context_processor
def todo_helpers() -> dict[str, Any]:
    return {"todo_limit": LIMIT}
