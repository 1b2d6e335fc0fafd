"""The embedded default (SQLite, in-process tasks) imports a large file beside the request, as a worker
would: the start answers at once, the page polls the progress, and the report comes when it is done.

Found: in embedded mode the import ran inside the request that started it, so a large file held the
browser on a blank page and the progress bar never moved.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from hirewise.auth.models import Role
from hirewise.candidates.import_models import ImportRun
from hirewise.extensions import db
from hirewise.tasks import leases
from hirewise.tasks.models import BackgroundTask
from tests.factories import PASSWORD, OpeningFactory, UserFactory
from tests.integration.test_candidate_import import people_csv

ROWS = 20_000


@pytest.fixture(autouse=True)
def _transaction() -> Iterator[None]:
    """Replaces conftest's rollback-per-test: the task's thread commits for real in a database of its own."""
    yield


def test_a_large_import_runs_beside_the_request_and_the_page_follows_it(start_app) -> None:
    app = start_app(TESTING=False)  # as `make run` has it
    assert app.config["TASK_MODE"] == "inline" and app.config["INLINE_LONG_TASKS_IN_THREAD"]
    app.config["MAX_IMPORT_BYTES"] = 16 * 1024 * 1024
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024
    with app.app_context():
        recruiter = UserFactory(role=Role.RECRUITER)
        opening = OpeningFactory()
        email, opening_id = recruiter.email, opening.id
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    uploaded = client.post(
        f"/openings/{opening_id}/imports",
        data={"file": (io.BytesIO(people_csv(ROWS, 0)), "people.csv")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)[:300]
    run_id = int(uploaded.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        mapping = db.session.get(ImportRun, run_id).mapping

    started = client.post(f"/imports/{run_id}/start", data={"mapping": mapping})
    assert started.status_code == 302
    first = client.get(f"/imports/{run_id}/status").get_json()
    # The request has answered while 20,000 rows are still being checked or loaded.
    assert first["status"] in {"queued", "running"} and not first["finished"], first
    page = client.get(f"/imports/{run_id}").get_data(as_text=True)
    assert "Importing…" in page and 'data-finished="false"' in page and "import-progress.js" in page

    seen = [first]
    deadline = time.monotonic() + 120
    while not seen[-1]["finished"] and time.monotonic() < deadline:
        time.sleep(0.05)
        seen.append(client.get(f"/imports/{run_id}/status").get_json())
    done = seen[-1]
    assert done["status"] == "done", done
    assert (done["created"], done["errors"], done["percent"]) == (ROWS, 0, 100)
    percents = [status["percent"] for status in seen]
    assert percents == sorted(percents), "the progress only moves forward"
    report = client.get(f"/imports/{run_id}").get_data(as_text=True)
    assert f"{ROWS} new, 0 merged, 0 skipped, 0 with errors" in report
    # The listing of the opening is served while nothing else runs, and holds the people.
    assert "person19999@example.com" in client.get(
        f"/openings/{opening_id}/applications?q=person19999"
    ).get_data(as_text=True)


def test_a_long_task_run_inline_renews_its_lease_so_the_sweep_never_runs_it_twice(
    start_app, monkeypatch
) -> None:
    """Found in review: a task run inline held a fixed lease and renewed none; an import in its own
    thread that outlasted it was taken for a dead task by the sweep and started a second time."""
    monkeypatch.setattr(leases, "INLINE_LEASE", timedelta(seconds=0.3))  # renewed every 0.1 s
    app = start_app(TESTING=False)
    with app.app_context():
        row = BackgroundTask(name="hirewise.tasks.imports.import_candidates", args=[0])
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    leases_seen: list[object] = []
    swept: list[int] = []

    class LongTask:
        """A task marked runs_long that takes 0.8 s without holding the database."""

        runs_long = True

        def run(self) -> str:
            for _ in range(8):
                time.sleep(0.1)
                with app.app_context():
                    leases_seen.append(db.session.get(BackgroundTask, row_id).lease_until)
                    swept.append(leases.sweep()["sent"])
                    db.session.remove()
            return "done"

    with app.app_context():
        assert leases.run_claimed(LongTask(), row_id, [], {}) == "done"
        db.session.remove()
        task = db.session.get(BackgroundTask, row_id)
        assert (task.status, task.attempts) == ("done", 1)
    assert sum(swept) == 0, "the sweep took the running task for a dead one"
    assert len(set(leases_seen)) > 2, "the lease was never renewed"
