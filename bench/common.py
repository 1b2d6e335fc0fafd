"""What every benchmark needs: an app on a throw-away database, and a counter of SQL statements."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from hirewise import create_app
from hirewise.config import normalize_database_url
from hirewise.extensions import db


def bench_app(workdir: Path) -> tuple[Flask, str]:
    """An app on ``DATABASE_URL`` when set (use a throw-away database), else a fresh SQLite file."""
    database_url = normalize_database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"
    )
    app = create_app(
        {
            "ENV": "testing",
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
        }
    )
    app.instance_path = str(workdir / "instance")
    print(f"Database: {sa.make_url(database_url).render_as_string(hide_password=True)}")
    return app, database_url


@contextmanager
def counting_statements(app: Flask) -> Iterator[list[str]]:
    """Collects every SQL statement the app's engine sends while the block runs."""
    statements: list[str] = []

    def before_cursor_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before_cursor_execute)
