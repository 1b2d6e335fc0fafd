"""Finding and removing the copies of a person's identifiers anywhere in the database.

The targeted steps of an erasure know the features that hold a candidate's data. This is the net
under them: every text and JSON column of every table (including tables added after this was
written) is searched for the person's name, email address, phone number and links, and each
occurrence is replaced. Rows of caches (answered API requests) are deleted instead, since a
rewritten cached response would be a lie. The same search, with any strings, is what the canary
test runs to prove an erasure complete.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, LargeBinary, String, Table, Text, cast, delete, func, or_, select, update
from sqlalchemy.sql.type_api import TypeEngine

from hirewise.db import Base
from hirewise.extensions import db

REPLACEMENT = "[erased]"
# Shorter strings would match unrelated text ("Li", "+1"): not identifiers on their own.
MIN_IDENTIFIER = 5
# Not copies: staff accounts, the schema version, and the candidates themselves (the erased row is
# anonymised by the erasure; another candidate's row is theirs).
SKIPPED_TABLES = frozenset({"users", "alembic_version", "candidates"})
# Caches of responses: a row holding the person is deleted rather than rewritten.
DELETED_TABLES = frozenset({"idempotency_keys"})


def _is_textual(column_type: TypeEngine[Any]) -> bool:
    return isinstance(column_type, String | Text | JSON | LargeBinary)


def textual_columns() -> list[tuple[Table, list[Any]]]:
    """Every table of the schema with its text, JSON and binary columns."""
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [column for column in table.columns if _is_textual(column.type)]
        if columns:
            found.append((table, columns))
    return found


def _variants(needle: str) -> list[str]:
    """The needle, and its JSON-escaped form (a JSON column stores "é" as "\\u00e9")."""
    escaped = json.dumps(needle)[1:-1]
    return [needle] if escaped == needle else [needle, escaped]


def _matches(column: Any, needle: str) -> Any:
    if isinstance(column.type, LargeBinary):
        if db.engine.dialect.name == "postgresql":
            return func.strpos(func.encode(column, "escape"), needle) > 0
        return func.instr(column, needle.encode()) > 0
    return or_(
        *(func.lower(cast(column, Text)).contains(v.lower(), autoescape=True) for v in _variants(needle))
    )


def find_strings(
    needles: Sequence[str], tables: Iterable[tuple[Table, list[Any]]] | None = None
) -> list[dict[str, Any]]:
    """Every (table, column, primary key, needle) where one of ``needles`` occurs, case-insensitively."""
    hits: list[dict[str, Any]] = []
    for table, columns in tables if tables is not None else textual_columns():
        key = list(table.primary_key.columns)
        for column in columns:
            for needle in needles:
                stmt = select(*key).where(_matches(column, needle))
                for row in db.session.execute(stmt):
                    hits.append(
                        {"table": table.name, "column": column.name, "key": list(row), "needle": needle}
                    )
    return hits


def _replace(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(REPLACEMENT, value)
    if isinstance(value, list):
        return [_replace(item, pattern) for item in value]
    if isinstance(value, dict):
        return {_replace(k, pattern): _replace(v, pattern) for k, v in value.items()}
    if isinstance(value, bytes):
        return pattern.sub(REPLACEMENT, value.decode("utf-8", "replace")).encode()
    return value


def scrub_identifiers(identifiers: Sequence[str]) -> dict[str, int]:
    """Replace (or, in caches, delete) every copy of ``identifiers``; returns rows changed per table."""
    needles = sorted(
        {value.strip() for value in identifiers if len(value.strip()) >= MIN_IDENTIFIER},
        key=len,
        reverse=True,
    )
    if not needles:
        return {}
    pattern = re.compile("|".join(re.escape(needle) for needle in needles), re.IGNORECASE)
    changed: dict[str, int] = {}
    for table, columns in textual_columns():
        if table.name in SKIPPED_TABLES:
            continue
        key = list(table.primary_key.columns)
        if not key:
            continue
        condition = or_(*(_matches(column, needle) for column in columns for needle in needles))
        rows = list(db.session.execute(select(*key, *columns).where(condition)).mappings())
        if not rows:
            continue
        if table.name in DELETED_TABLES:
            for row in rows:
                db.session.execute(delete(table).where(*(k == row[k.name] for k in key)))
            changed[table.name] = len(rows)
            continue
        for row in rows:
            values = {column.name: _replace(row[column.name], pattern) for column in columns}
            values = {name: value for name, value in values.items() if value != row[name]}
            if values:
                db.session.execute(update(table).where(*(k == row[k.name] for k in key)).values(**values))
        changed[table.name] = len(rows)
    return changed
