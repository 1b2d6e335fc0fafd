"""Apps of their own for tests that start processes the way an operator would (another key, another
broker), each on a migrated SQLite file shared by the apps a test starts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import celery
import pytest
from flask import Flask
from flask_migrate import upgrade

from hirewise import create_app
from hirewise.extensions import db

StartApp = Callable[..., Flask]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """An environment with none of the suite's settings: no key, no broker, an instance folder of its own."""
    for name in (
        "SECRET_KEY",
        "SECRET_KEY_FILE",
        "HIREWISE_ENV",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "HIREWISE_TASKS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HIREWISE_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("HIREWISE_EMBEDDED_SCHEDULER", "false")
    return monkeypatch


@pytest.fixture
def start_app(environment: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[StartApp]:
    """Starts an app process-alike on one shared database (migrated once); restores the suite's Celery app."""
    previous_celery = celery.current_app._get_current_object()
    database = f"sqlite:///{tmp_path / 'hirewise.db'}"
    started: list[Flask] = []

    def start(**config: Any) -> Flask:
        app = create_app(
            {
                "ENV": "development",
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": database,
                "WTF_CSRF_ENABLED": False,
                **config,
            }
        )
        if not started:
            with app.app_context():
                upgrade()
        started.append(app)
        return app

    try:
        yield start
    finally:
        for app in started:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        previous_celery.set_current()
        previous_celery.set_default()
