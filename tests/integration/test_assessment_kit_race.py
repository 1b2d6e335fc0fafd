"""Two requests adding the kit's screening assessment at the same moment leave one assessment.

Each request runs in a thread of its own, with its own connection to a database of the test's own
(a SQLite file, or a throw-away PostgreSQL schema when ``DATABASE_URL`` names PostgreSQL), so the
rows are really committed and the two transactions really overlap. Both look the assessment up
before either has written it (on PostgreSQL; on SQLite the second waits for the first's write lock
from its first query); the look-up is slowed down so that the first is still busy when the second
arrives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hirewise.assessments import builtin
from hirewise.assessments.models import Assessment
from hirewise.auth.models import Role, User
from hirewise.auth.services import create_user
from hirewise.extensions import db
from hirewise.kits.services import ensure_builtin_kits
from hirewise.openings.models import Opening
from hirewise.openings.services import create_opening
from tests.worker_support import app_on, shared_database

SLOW_LOOKUP = 0.5  # seconds: the first request is still inside its transaction when the second looks


@pytest.fixture(autouse=True)
def _transaction() -> Iterator[None]:
    """Replaces conftest's rollback-per-test: the two requests must see each other's commits."""
    yield


def test_two_simultaneous_adds_of_the_kit_assessment_leave_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        shared_database(tmp_path, "kit_race") as url,
        app_on(url, monkeypatch, {"HIREWISE_INSTANCE_PATH": str(tmp_path / "instance")}) as app,
    ):
        recruiter = create_user(
            None, email="rae@example.com", full_name="Rae", role=Role.RECRUITER, password="x" * 20
        )
        db.session.commit()
        kit = next(k for k in ensure_builtin_kits() if k.slug == "flask-developer")
        opening_id = create_opening(recruiter, title="Flask Developer", kit_id=kit.id).id
        recruiter_id = recruiter.id
        db.session.remove()

        looked_up = builtin.kit_assessment

        def slow_lookup(opening: Opening) -> Assessment | None:
            found = looked_up(opening)
            time.sleep(SLOW_LOOKUP)
            return found

        monkeypatch.setattr(builtin, "kit_assessment", slow_lookup)
        start = threading.Barrier(2)
        outcomes: list[Any] = []

        def request() -> None:
            with app.app_context():  # a request of its own: its own session and connection
                try:
                    # Before any query: on SQLite the first query takes the write lock (BEGIN
                    # IMMEDIATE), and a request holding it must not wait here for the other one.
                    start.wait()
                    actor = db.session.get(User, recruiter_id)
                    opening = db.session.get(Opening, opening_id)
                    assert actor is not None and opening is not None
                    result = builtin.ensure_kit_assessment(actor, opening)
                    outcomes.append((result.created, result.assessment.id))
                except Exception as exc:  # the outcome is what the test looks at
                    outcomes.append(exc)
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=request) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        ids = list(
            db.session.execute(select(Assessment.id).where(Assessment.opening_id == opening_id)).scalars()
        )
        assert len(ids) == 1, outcomes
        # The second waited (on the opening's row on PostgreSQL, on SQLite's write lock taken by
        # BEGIN IMMEDIATE), then found the first one's assessment.
        assert sorted(outcomes) == [(False, ids[0]), (True, ids[0])]
