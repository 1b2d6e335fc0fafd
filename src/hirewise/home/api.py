"""``/api/v1/me``: the caller's own to-do list, the same lists as the home page."""

from __future__ import annotations

from hirewise.api import api_blueprint, current_api_user
from hirewise.home import services
from hirewise.home.schemas import TodoSchema

blp = api_blueprint("me", "me", "The caller's own to-do list")


@blp.get("/todo")
@blp.response(200, TodoSchema)
def todo() -> services.Todo:
    """What the caller has to do next: interviews, feedback due and, per role, the hiring desk."""
    return services.todo_for(current_api_user())
