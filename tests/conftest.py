"""Shared fixtures.

The schema is built once per session by running the Alembic migrations (so migrations are tested
for real) on SQLite by default, or on the database in ``DATABASE_URL`` (CI runs the suite on
PostgreSQL too). Each test then runs inside a transaction that is rolled back afterwards.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import orm

from hirewise import create_app
from hirewise.auth.models import Role, User
from hirewise.extensions import db
from tests.factories import PASSWORD, UserFactory
from tests.standalone import environment, start_app  # noqa: F401 - fixtures: apps of a test's own

# Browser tests need Debian's Chromium (`.ci/run` installs it); elsewhere they are not collected.
collect_ignore = [] if shutil.which("chromium") or os.path.exists("/usr/bin/chromium") else ["e2e"]


def test_database_url(tmp_dir: str) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_dir}/test.db"


def reset_database(app: Flask) -> None:
    """Start from an empty database, whatever an earlier run left, then migrate to head."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
        upgrade()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp_dir = tmp_path_factory.mktemp("hirewise")
    app = create_app(
        {
            "ENV": "testing",
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": test_database_url(str(tmp_dir)),
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
        }
    )
    app.instance_path = str(tmp_dir)
    reset_database(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(app: Flask) -> Iterator[None]:
    """Every session of the test (its own and each request's) joins one outer transaction."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original_session = db.session
        factory = orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        db.session = orm.scoped_session(factory, scopefunc=_app_ctx_id)  # type: ignore[assignment]
        try:
            yield
        finally:
            db.session.remove()
            db.session = original_session
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def csrf_enabled(app: Flask) -> Iterator[None]:
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


class AuthActions:
    """Sign in through the real login form, as a user of a given role."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client
        self.user: User | None = None

    def login(self, user_or_role: User | Role | str = Role.RECRUITER, **user_fields: Any) -> User:
        if isinstance(user_or_role, User):
            user = user_or_role
        else:
            user = UserFactory(role=Role(user_or_role), **user_fields)
        response = self._client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        self.user = user
        return user

    def logout(self) -> None:
        self._client.post("/logout")
        self.user = None


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


def sql_count(app: Flask) -> Any:
    """Context manager counting SQL statements sent on this app's engine."""
    from contextlib import contextmanager

    @contextmanager
    def counter() -> Iterator[list[str]]:
        statements: list[str] = []

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                statements.append(statement)

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return counter()
