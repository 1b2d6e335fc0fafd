"""Background tasks (Celery). A *task* is background work; a *job* is never what we call it.

Every task a use case queues is first a row of ``background_tasks`` (:mod:`hirewise.tasks.models`),
written by :func:`enqueue` in the use case's own transaction. Only after that transaction commits is
the task handed on: in embedded mode (``TASK_MODE=inline``) it runs in this process right away; in
production (``TASK_MODE=celery``) it is sent through the broker to a worker started with
``celery -A hirewise.worker worker``. If the broker is down the row waits, and the periodic sweep
(:mod:`hirewise.tasks.leases`) sends it when the broker is back; if a worker dies while running it,
its lease runs out and the sweep sends it again. So nothing a user did is lost, and a broker error
never turns a committed use case into an error response.

A worker claims the row before running the task, so a second delivery of the same row does nothing;
tasks take ids, never ORM objects, and are idempotent besides, so a task cut off half-way can run
again safely.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import Celery, Task
from flask import Flask, current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

TASK_MODULES = [
    "hirewise.tasks.resumes",
    "hirewise.tasks.mail",
    "hirewise.tasks.reminders",
    "hirewise.tasks.assessments",
    "hirewise.tasks.leases",
    "hirewise.tasks.housekeeping",
    "hirewise.tasks.notifications",
    "hirewise.tasks.imports",
    "hirewise.tasks.privacy",
]
TASK_ID_PREFIX = "hw-task-"  # the Celery task id of a row-backed task: its row's id after this prefix
_PENDING = "hirewise.pending_tasks"  # Session.info key: tasks queued in the open transaction


def task_id_for(row_id: int) -> str:
    return f"{TASK_ID_PREFIX}{row_id}"


def row_id_of(task_id: str | None) -> int | None:
    if not task_id or not task_id.startswith(TASK_ID_PREFIX):
        return None
    number = task_id[len(TASK_ID_PREFIX) :]
    return int(number) if number.isdigit() else None


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            from hirewise.tasks.leases import run_claimed

            row_id = row_id_of(self.request.id)
            if row_id is not None:
                # A queued row runs in an app context (and so a database session) of its own: inline,
                # it starts right after another session's commit, whose session must not be reused.
                with app.app_context():
                    return run_claimed(self, row_id, args, kwargs)
            # Periodic tasks and direct calls: inside the caller's app context if there is one.
            if has_app_context():
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask, include=TASK_MODULES)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    _listen_for_commits()
    return celery_app


def enqueue(task: Any, *args: Any) -> Any:
    """Queue ``task(*args)`` as part of the caller's use case: call it *before* the use case commits.

    The row commits (or rolls back) with the use case, and the task is handed on after the commit.
    Returns the row.
    """
    from hirewise.extensions import db
    from hirewise.tasks.models import BackgroundTask

    row = BackgroundTask(name=task.name, args=list(args))
    db.session.add(row)
    db.session.info.setdefault(_PENDING, []).append((row, task.name, list(args)))
    return row


_listening = False


def _listen_for_commits() -> None:
    global _listening
    if _listening:
        return
    event.listen(Session, "after_commit", _dispatch_committed)
    event.listen(Session, "after_rollback", _forget_rolled_back)
    _listening = True


def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _dispatch_committed(session: Session) -> None:
    """After a commit: hand on the tasks it queued. Never raises for a broker problem: the rows wait."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    for row, name, args in pending:
        state = inspect(row)
        if not state.persistent or state.identity is None:
            continue  # rolled back with a savepoint, or never written
        dispatch(name, args, state.identity[0])


def dispatch(name: str, args: list[Any], row_id: int) -> bool:
    """Send (celery) or run (inline) the row's task; False when the broker could not take it now."""
    celery_app: Celery = current_app.extensions["celery"]
    task = celery_app.tasks[name]
    if current_app.config["TASK_MODE"] != "celery":
        if getattr(task, "runs_long", False) and current_app.config["INLINE_LONG_TASKS_IN_THREAD"]:
            # A long task (a large import) gets a thread of its own, as a worker would run it, so the
            # request that queued it answers at once and its page can show the progress.
            threading.Thread(
                target=_run_inline,
                args=(task, name, args, row_id),
                name=f"hirewise-task-{row_id}",
                daemon=True,
            ).start()
        else:
            _run_inline(task, name, args, row_id)
        return True
    try:
        task.apply_async(args=args, task_id=task_id_for(row_id))
    except Exception as exc:  # the broker is down or unreachable: the sweep sends it later
        log.warning("broker unavailable, %s[%s] waits in the database for the sweep: %s", name, row_id, exc)
        return False
    return True


def _run_inline(task: Any, name: str, args: list[Any], row_id: int) -> None:
    # Runs right after a commit, inside SQLAlchemy's after_commit, or in a thread of its own: nothing
    # may escape from here. A failing task has marked its row FAILED; its error goes to the log.
    try:
        result = task.apply(args=args, task_id=task_id_for(row_id))
    except Exception:
        log.exception("background task %s[%s] failed", name, row_id)
    else:
        if result.failed():
            log.error("background task %s[%s] failed", name, row_id, exc_info=result.result)
