"""Periodic tasks in embedded mode, where no Celery beat runs.

Production runs ``celery -A hirewise.worker beat``. The embedded default (``make run``: SQLite,
inline tasks) has no such process, yet an assessment left open must still be submitted at its
deadline and a lost email re-sent. So the first request a serving process handles starts one
daemon thread that runs the same ``beat_schedule`` in-process. CLI commands (migrations, seeding)
never serve a request, so they never start it.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)
TICK_SECONDS = 5.0


class EmbeddedScheduler:
    """Runs each entry of a beat schedule at its interval; ``run_due`` is one step, testable alone."""

    def __init__(self, app: Flask, schedule: Mapping[str, Mapping[str, Any]]) -> None:
        from hirewise.tasks import TASK_MODULES

        for module in TASK_MODULES:  # a worker imports them at start; a web process has not
            importlib.import_module(module)
        self.app = app
        self.schedule = dict(schedule)
        self.next_run = dict.fromkeys(self.schedule, 0.0)

    def run_due(self, now: float) -> list[str]:
        ran = []
        celery = self.app.extensions["celery"]
        for name, entry in self.schedule.items():
            if now < self.next_run[name]:
                continue
            self.next_run[name] = now + float(entry["schedule"])
            with self.app.app_context():
                try:
                    celery.tasks[entry["task"]].run()
                    ran.append(name)
                except Exception:  # one failing task must not stop the others or the thread
                    log.exception("periodic task %s failed", name)
                finally:
                    from hirewise.extensions import db

                    db.session.remove()
        return ran

    def loop(self, clock: Callable[[], float] = time.monotonic) -> None:
        while True:
            self.run_due(clock())
            time.sleep(TICK_SECONDS)


def install_embedded_scheduler(app: Flask) -> None:
    if app.config["TASK_MODE"] != "inline" or not app.config.get("EMBEDDED_SCHEDULER"):
        return
    lock = threading.Lock()
    started: list[threading.Thread] = []

    @app.before_request
    def start_embedded_scheduler() -> None:
        if started:
            return
        with lock:
            if started:
                return
            scheduler = EmbeddedScheduler(app, app.config["CELERY"].get("beat_schedule", {}))
            thread = threading.Thread(target=scheduler.loop, name="hirewise-embedded-beat", daemon=True)
            thread.start()
            started.append(thread)
            log.info("embedded scheduler started: %s", ", ".join(scheduler.schedule))
