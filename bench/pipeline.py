"""Pipeline benchmark: do the candidate pages stay flat as an opening grows, and how fast are they?

    python -m bench.pipeline [--candidates 100000] [--applications 20,2000] [--duration 5]

1. Seeds N candidates, one application each, with bulk inserts into a fresh SQLite file (or the
   database in ``DATABASE_URL``: point it at a throw-away database). Two openings get exactly the
   ``--applications`` sizes; the rest are spread over a few filler openings.
2. Counts the SQL statements of the list page, the list API and the board for each special opening,
   in-process with Flask's test client, and says EQUAL when the count does not grow with the rows.
3. Serves the same database with gunicorn (2 workers, 127.0.0.1, a free port) and measures
   requests/s of each page and of ``/healthz`` (the hello-world baseline) for ``--duration`` seconds.

Exit status 1 when a page fails or its query count differs between the sizes.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import insert

from bench.common import bench_app, counting_statements
from hirewise.auth import services as auth_services
from hirewise.auth.models import Role
from hirewise.candidates.models import Application, ApplicationSource, Candidate, ResumeStatus
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.kits.services import ensure_builtin_kits
from hirewise.openings.models import Opening, OpeningStatus, StageKind
from hirewise.openings.services import create_opening

REPO_ROOT = Path(__file__).resolve().parent.parent
BATCH_SIZE = 5_000
FILLER_OPENINGS = 3
USER_AGENT = "hirewise-bench/1"
SERVER_WORKERS = 2


@dataclass(frozen=True)
class Page:
    label: str
    template: str  # formatted with the opening id

    def path(self, opening_id: int) -> str:
        return self.template.format(id=opening_id)


PAGES = (
    Page("list page", "/openings/{id}/applications"),
    Page("list API", "/api/v1/applications?opening_id={id}"),
    Page("board", "/openings/{id}/board"),
)
HELLO = Page("hello-world", "/healthz")


@dataclass
class Workspace:
    recruiter_email: str
    password: str
    token: str
    special: dict[int, int]  # applications -> opening id


# --- seeding ------------------------------------------------------------------------------------


def _opening_sizes(candidates: int, special: list[int]) -> list[int]:
    rest = candidates - sum(special)
    if rest < 0:
        raise SystemExit(f"--candidates must be at least {sum(special)} for --applications {special}")
    fillers = [
        rest // FILLER_OPENINGS + (1 if i < rest % FILLER_OPENINGS else 0) for i in range(FILLER_OPENINGS)
    ]
    return special + [size for size in fillers if size]


def _application_row(index: int, candidate_id: int, opening: Opening, now: Any) -> dict[str, Any]:
    active = [stage for stage in opening.stages if stage.kind == StageKind.ACTIVE]
    rejected = [stage for stage in opening.stages if stage.kind == StageKind.REJECTED]
    stage = rejected[0] if index % 10 == 9 and rejected else active[index % len(active)]
    applied_at = now - timedelta(minutes=index)
    row: dict[str, Any] = {
        "candidate_id": candidate_id,
        "opening_id": opening.id,
        "stage_id": stage.id,
        "source": ApplicationSource.CAREERS.value,
        "applied_at": applied_at,
        "stage_entered_at": applied_at,
        "created_at": applied_at,
        "updated_at": applied_at,
        "resume_status": ResumeStatus.NONE.value,
        "detected_skills": [],
    }
    if index % 2 == 0 and opening.skills:
        skill = opening.skills[index % len(opening.skills)]
        keyword = (skill.keywords or [skill.name])[0]
        row["resume_status"] = ResumeStatus.EXTRACTED.value
        row["detected_skills"] = [
            {
                "skill_id": skill.id,
                "skill": skill.name,
                "keyword": keyword,
                "snippet": f"… used {keyword} daily …",
            }
        ]
    return row


def seed(candidates: int, special: list[int]) -> Workspace:
    """Bulk-inserts the rows; a random tag keeps emails and titles unique on a reused database."""
    tag = secrets.token_hex(3)
    password = secrets.token_urlsafe(16)
    kit = ensure_builtin_kits()[0]
    recruiter = auth_services.create_user(
        None,
        email=f"bench-{tag}@example.com",
        full_name="Bench Recruiter",
        role=Role.RECRUITER,
        password=password,
    )
    db.session.commit()
    _, token = auth_services.create_api_token(recruiter, "bench", "read")

    sizes = _opening_sizes(candidates, special)
    openings = [
        create_opening(
            recruiter,
            title=f"Bench {'opening' if i < len(special) else 'filler'} {size} {tag}",
            kit_id=kit.id,
            status=OpeningStatus.OPEN,
        )
        for i, size in enumerate(sizes)
    ]
    assignments = [opening for opening, size in zip(openings, sizes, strict=True) for _ in range(size)]

    now = utcnow()
    for start in range(0, candidates, BATCH_SIZE):
        indexes = range(start, min(start + BATCH_SIZE, candidates))
        people = [
            {
                "full_name": f"Candidate {i:06d}",
                "email": f"c{i}-{tag}@bench.example",
                "phone": "",
                "links": [],
                "created_at": now,
                "updated_at": now,
            }
            for i in indexes
        ]
        stmt = insert(Candidate).returning(Candidate.id, sort_by_parameter_order=True)
        candidate_ids = db.session.execute(stmt, people).scalars().all()
        rows = [
            _application_row(i, candidate_id, assignments[i], now)
            for i, candidate_id in zip(indexes, candidate_ids, strict=True)
        ]
        db.session.execute(insert(Application), rows)
    db.session.commit()
    return Workspace(
        recruiter_email=recruiter.email,
        password=password,
        token=token,
        special={size: opening.id for size, opening in zip(special, openings, strict=False)},
    )


# --- SQL statement counts -----------------------------------------------------------------------


def count_queries(app: Flask, client: FlaskClient, path: str, headers: dict[str, str]) -> tuple[int, int]:
    client.get(path, headers=headers)  # warm-up: one-off writes (token last-used) are not the page's
    with counting_statements(app) as statements:
        response = client.get(path, headers=headers)
    return response.status_code, len(statements)


def report_query_counts(app: Flask, workspace: Workspace) -> bool:
    client = app.test_client()
    response = client.post(
        "/login", data={"email": workspace.recruiter_email, "password": workspace.password}
    )
    if response.status_code != 302:
        raise SystemExit(f"in-process sign-in failed with {response.status_code}")
    sizes = sorted(workspace.special)
    print(f"\nSQL statements per request, {' vs '.join(f'{s:,}' for s in sizes)} applications")
    print(f"  {'page':<12}{'path':<44}" + "".join(f"{s:>8,}" for s in sizes))
    healthy = True
    for page in PAGES:
        headers = {"Authorization": f"Bearer {workspace.token}"} if page.template.startswith("/api/") else {}
        results = [count_queries(app, client, page.path(workspace.special[s]), headers) for s in sizes]
        counts = [count for _, count in results]
        failed = [status for status, _ in results if status != 200]
        verdict = (
            f"FAILED (HTTP {failed[0]})" if failed else "EQUAL" if len(set(counts)) == 1 else "DIFFERENT"
        )
        healthy = healthy and verdict == "EQUAL"
        print(
            f"  {page.label:<12}{page.template.format(id='<id>'):<44}"
            + "".join(f"{c:>8}" for c in counts)
            + f"  {verdict}"
        )
    return healthy


# --- throughput under gunicorn ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def gunicorn_server(database_url: str, workdir: Path) -> Iterator[int]:
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HIREWISE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "SESSION_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
        "HIREWISE_INSTANCE_PATH": str(workdir / "instance"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(SERVER_WORKERS),
        "LOG_LEVEL": "warning",
    }
    log_path = workdir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "--config", str(REPO_ROOT / "gunicorn.conf.py")]
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            command, env=environment, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT
        )
    try:
        _wait_until_up(port, server, log_path)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def _wait_until_up(port: int, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; its log:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            status, _, _ = request(port, "GET", HELLO.template)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: str | None = None
) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = connection.getresponse()
        cookies = [value for name, value in response.getheaders() if name.lower() == "set-cookie"]
        return (
            response.status,
            {"cookie": "; ".join(c.split(";", 1)[0] for c in cookies)},
            response.read().decode(),
        )
    finally:
        connection.close()


def http_session_cookie(port: int, workspace: Workspace) -> str:
    """Signs in through the real form (CSRF on, as in production) and returns the Cookie header."""
    _, first, form = request(port, "GET", "/login")
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    if match is None:
        raise SystemExit("no CSRF token on the login form")
    body = urlencode(
        {"csrf_token": match.group(1), "email": workspace.recruiter_email, "password": workspace.password}
    )
    headers = {"Cookie": first["cookie"], "Content-Type": "application/x-www-form-urlencoded"}
    status, signed_in, _ = request(port, "POST", "/login", headers, body)
    if status != 302 or not signed_in["cookie"]:
        raise SystemExit(f"sign-in over HTTP failed with {status}")
    return signed_in["cookie"]


@dataclass(frozen=True)
class Throughput:
    ok: int
    failed: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def measure(port: int, path: str, headers: dict[str, str], duration: float, concurrency: int) -> Throughput:
    """Every client thread keeps one keep-alive connection busy until the deadline."""
    deadline = time.monotonic() + duration

    def client_loop(_: int) -> tuple[int, int]:
        ok = failed = 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            try:
                connection.request("GET", path, headers={"User-Agent": USER_AGENT, **headers})
                response = connection.getresponse()
                response.read()
                ok, failed = (ok + 1, failed) if response.status == 200 else (ok, failed + 1)
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.close()
        return ok, failed

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(client_loop, range(concurrency)))
    elapsed = time.monotonic() - started
    return Throughput(sum(r[0] for r in results), sum(r[1] for r in results), elapsed)


def report_throughput(
    database_url: str, workdir: Path, workspace: Workspace, duration: float, concurrency: int
) -> bool:
    size = max(workspace.special)
    opening_id = workspace.special[size]
    with gunicorn_server(database_url, workdir) as port:
        cookie = http_session_cookie(port, workspace)
        print(
            f"\nThroughput: gunicorn {SERVER_WORKERS} workers on 127.0.0.1:{port}, {concurrency} client threads, "
            f"{duration:g} s each, opening with {size:,} applications"
        )
        hello = measure(port, HELLO.template, {}, duration, concurrency)
        print(f"  {HELLO.label:<12}{HELLO.template:<44}{hello.per_second:>10.1f} req/s   100.0%")
        healthy = hello.failed == 0
        for page in PAGES:
            headers = (
                {"Authorization": f"Bearer {workspace.token}"}
                if page.template.startswith("/api/")
                else {"Cookie": cookie}
            )
            result = measure(port, page.path(opening_id), headers, duration, concurrency)
            relative = 100 * result.per_second / hello.per_second if hello.per_second else 0.0
            errors = f"   {result.failed} failed" if result.failed else ""
            print(
                f"  {page.label:<12}{page.template.format(id='<id>'):<44}{result.per_second:>10.1f} req/s"
                f"{relative:>8.1f}%{errors}"
            )
            healthy = healthy and result.failed == 0 and result.ok > 0
    return healthy


# --- entry point --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=100_000, help="candidates to seed (default 100000)")
    parser.add_argument(
        "--applications",
        default="20,2000",
        help="comma-separated application counts of the compared openings (default 20,2000)",
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per throughput measurement")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads for the throughput run")
    args = parser.parse_args(argv)
    args.applications = sorted({int(part) for part in args.applications.split(",") if part.strip()})
    if len(args.applications) < 2 or min(args.applications) < 1:
        parser.error("--applications needs at least two different positive counts, e.g. 20,2000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hirewise-bench-") as tmp:
        return run(args, Path(tmp))


def run(args: argparse.Namespace, workdir: Path) -> int:
    app, database_url = bench_app(workdir)

    started = time.monotonic()
    with app.app_context():
        upgrade()
        workspace = seed(args.candidates, args.applications)
        db.session.remove()
    openings = len(_opening_sizes(args.candidates, args.applications))
    print(
        f"Seeded {args.candidates:,} candidates and applications over {openings} openings "
        f"in {time.monotonic() - started:.1f} s"
    )

    flat = report_query_counts(app, workspace)
    with app.app_context():
        db.engine.dispose()  # the server processes take over the database
    served = report_throughput(database_url, workdir, workspace, args.duration, args.concurrency)
    return 0 if flat and served else 1


if __name__ == "__main__":
    sys.exit(main())
