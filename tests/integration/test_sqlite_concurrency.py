"""The embedded default (a SQLite file, in-process tasks, ``flask run``'s threaded server) takes a small
team writing at once: 8 API clients x 50 writes, and not one "database is locked".

Two clients once got 20 of 50 requests answered 500: a transaction that had read first could not take
the write lock when another was writing, and SQLite does not wait (busy_timeout) in that case.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hirewise.extensions import db
from tests.concurrency_world import build_writers, missing_rows, run_writers, serving

WRITERS = 8
WRITES_EACH = 50


@pytest.fixture(autouse=True)
def _transaction() -> Iterator[None]:
    """Replaces conftest's rollback-per-test: the server commits for real in a database of its own."""
    yield


def test_eight_api_clients_writing_at_once_get_no_error_and_every_row_is_stored(start_app):
    # The embedded default as `make run` has it: not TESTING (real limits, errors answered, not raised).
    app = start_app(TESTING=False)
    with app.test_request_context():  # invitations build their links
        assert db.engine.dialect.name == "sqlite"
        writers = build_writers(WRITERS)
    with serving(app) as base_url:
        outcome = run_writers(base_url, writers, WRITES_EACH)
    assert outcome.requests == WRITERS * WRITES_EACH
    assert outcome.errors == [], f"{len(outcome.errors)} of {outcome.requests} failed: {outcome.errors[:5]}"
    with app.app_context():
        assert missing_rows(writers) == []
