"""Background tasks (Celery). A *task* is background work; a *job* is never what we call it.

Embedded mode (``TASK_MODE=inline``) runs each task in-process, right after the use case that
queued it has committed; production (``TASK_MODE=celery``) sends it through Redis to a worker
started with ``celery -A hirewise.worker worker``. Tasks take ids, never ORM objects, and are
idempotent, so a retry or a duplicate delivery changes nothing twice.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask, has_app_context

TASK_MODULES = [
    "hirewise.tasks.resumes",
    "hirewise.tasks.mail",
    "hirewise.tasks.reminders",
    "hirewise.tasks.assessments",
]


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            # Inline tasks run inside the request's app context and share its session.
            if has_app_context():
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask, include=TASK_MODULES)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def enqueue(task: Any, *args: Any) -> None:
    """Queue ``task`` with ``args``. Call it only after the caller's commit: the task reads the rows."""
    task.delay(*args)
