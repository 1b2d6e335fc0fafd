"""Declarative base and column helpers shared by every feature's models; :func:`use_case` for services."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    registry = registry(
        metadata=metadata,
        type_annotation_map={datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()},
    )


P = ParamSpec("P")
R = TypeVar("R")


def use_case(function: Callable[P, R]) -> Callable[P, R]:
    """Mark a service function as a use case: when it raises, what it left in the session is rolled back.

    A use case commits once when it succeeds. When it fails (a :class:`~hirewise.errors.DomainError`
    such as a refused permission or an invalid field, or anything unexpected) it may already have
    added, changed or flushed rows; they are rolled back here, before the exception reaches the
    caller, so a view or an API route never rolls back itself and nothing half-written is committed
    by whatever commits next in the same session. Nested use cases (``commit=False`` steps of a
    larger one) roll back the whole transaction too: a failed step fails the use case that called it.
    """

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except Exception:
            from hirewise.extensions import db  # extensions imports this module

            db.session.rollback()
            raise

    return run


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


_engine_events_configured = False

# Every SQLite transaction takes the write lock when it begins, waiting for it up to the busy timeout.
# A deferred BEGIN reads first and asks for the lock at its first write; when another connection
# writes meanwhile, SQLite cannot let it wait (its snapshot is stale, or waiting could deadlock) and
# answers "database is locked" at once, busy_timeout or not: 2 API clients writing at once had 20 of
# 50 requests fail so. Immediate transactions queue instead. The cost: transactions, reads included,
# run one at a time (measured with bench/sqlite_writers.py; the README says for how many users).
SQLITE_BEGIN = "BEGIN IMMEDIATE"
# How long a transaction waits for the lock before "database is locked": long enough to wait out a
# slow writer (an import, an email being sent), shorter than gunicorn's 30-second timeout.
SQLITE_BUSY_TIMEOUT_MS = 15_000


def configure_engine_events() -> None:
    """SQLite: enforce foreign keys, write-ahead log, and transactions that take the write lock first.

    pysqlite's own transaction handling breaks SAVEPOINT (used by nested use cases and by the
    tests' rollback-per-test fixture); SQLAlchemy's documented remedy is to disable it and emit
    BEGIN ourselves. We emit ``BEGIN IMMEDIATE`` (see :data:`SQLITE_BEGIN`). PostgreSQL is untouched.
    """
    global _engine_events_configured
    if _engine_events_configured:
        return
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Connection, Engine

    @event.listens_for(Engine, "connect")
    def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # Cheaper commits, and readers outside the app (a backup, the sqlite3 shell) never block it.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.close()

    @event.listens_for(Engine, "begin")
    def _sqlite_on_begin(conn: Connection) -> None:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(SQLITE_BEGIN)

    _engine_events_configured = True
