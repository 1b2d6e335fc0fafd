"""Concurrent writers on the embedded default: requests/s and errors for 1, 2, 4 and 8 API clients.

Each run starts from a fresh migrated SQLite file and serves the app with werkzeug's threaded server,
as ``make run`` (``flask run``) does. Every client cycles through notes, stage moves, feedback drafts
and assessment autosaves (``tests/concurrency_world.py``, shared with the concurrency test); with
``--readers R`` as many more clients read a notes list meanwhile. Prints, per count of writers, the
writes/s, the failed requests and the answered writes missing from the database.

    python -m bench.sqlite_writers
    python -m bench.sqlite_writers --writers 2,4 --writes 50 --readers 4
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import threading
import urllib.request
from pathlib import Path

from flask_migrate import upgrade

from hirewise import create_app
from hirewise.extensions import db


def _read_until(stop: threading.Event, url: str, token: str, counts: dict[str, int]) -> None:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310 - our server
    while not stop.is_set():
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                response.read()
            counts["reads"] += 1
        except OSError:
            counts["read_errors"] += 1


def measure(workdir: Path, writers_count: int, writes_each: int, readers: int) -> str:
    from tests.concurrency_world import build_writers, missing_rows, run_writers, serving

    os.environ["HIREWISE_INSTANCE_PATH"] = str(workdir / "instance")
    app = create_app({"ENV": "development", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}"})
    with app.test_request_context():
        upgrade()
        writers = build_writers(writers_count)
    counts = {"reads": 0, "read_errors": 0}
    stop = threading.Event()
    with serving(app) as base_url:
        notes_url = f"{base_url}/api/v1/applications/{writers[0].application_id}/notes"
        reading = [
            threading.Thread(target=_read_until, args=(stop, notes_url, writers[0].recruiter_token, counts))
            for _ in range(readers)
        ]
        for thread in reading:
            thread.start()
        outcome = run_writers(base_url, writers, writes_each)
        stop.set()
        for thread in reading:
            thread.join()
    with app.app_context():
        missing = missing_rows(writers)
        db.engine.dispose()
    line = (
        f"{writers_count:>7} {outcome.requests:>8} {outcome.requests / outcome.seconds:>9.1f} "
        f"{len(outcome.errors):>7} {len(missing):>8}"
    )
    if readers:
        line += f" {counts['reads'] / outcome.seconds:>8.1f} {counts['read_errors']:>11}"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", default="1,2,4,8", help="counts of concurrent writers, comma-separated")
    parser.add_argument("--writes", type=int, default=50, help="writes per writer")
    parser.add_argument("--readers", type=int, default=0, help="clients reading a notes list meanwhile")
    args = parser.parse_args()
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL", "HIREWISE_TASKS"):
        os.environ.pop(name, None)
    os.environ["HIREWISE_EMBEDDED_SCHEDULER"] = "false"  # periodic tasks would add writes of their own
    logging.disable(logging.CRITICAL)  # a failed request is counted; its log and traceback are not printed
    header = f"{'writers':>7} {'requests':>8} {'writes/s':>9} {'errors':>7} {'missing':>8}"
    if args.readers:
        header += f" {'reads/s':>8} {'read errors':>11}"
    print(header)
    for count in (int(part) for part in args.writers.split(",")):
        with tempfile.TemporaryDirectory(prefix="hirewise-sqlite-bench-") as folder:
            print(measure(Path(folder), count, args.writes, args.readers), flush=True)


if __name__ == "__main__":
    main()
