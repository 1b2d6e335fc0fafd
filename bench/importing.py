"""Importing 100,000 candidates from CSV, against loading the same file with no checks at all.

On PostgreSQL (``DATABASE_URL``, a throw-away database: it is emptied) the import's time is divided by
the time of ``psql \\copy`` of the same file into a bare table of text columns on the same database:
the target is a ratio of 3 or less. On SQLite (no ``DATABASE_URL``, a fresh file) the baseline is one
``executemany`` of the rows into a bare table. The import is the whole pipeline as the API runs it:
upload (detection, mapping suggestion, the file stored), then the background task inline (every row
checked, COPY or executemany into the staging table, set-wise inserts of candidates, applications,
their first stage moves, and the report). It also prints the SQL statements of the import at 1,000
rows and at the full size, which must be EQUAL.

On PostgreSQL it also prints the floor of any import into these tables: the same rows inserted into
candidates, applications and stage moves straight from the bare table, with no check at all (rolled
back). The floor is already far above 3x the copy (26-33x measured): the tables' indexes and
foreign keys, which the product needs, cost that, so the ratio of 3 cannot be met by any import
that writes these rows; what the import adds over the floor is what the code can still win.

    python -m bench.importing                      # SQLite, 100,000 rows
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/hw_import_bench python -m bench.importing
    python -m bench.importing --rows 20000         # a quicker run
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from bench.common import bench_app, counting_statements
from hirewise.auth.models import Role, User
from hirewise.auth.services import hash_password
from hirewise.candidates import importing
from hirewise.candidates.import_models import ImportRun
from hirewise.candidates.import_reading import check_rows, cyclic_gc_paused, read_table
from hirewise.extensions import db
from hirewise.openings.models import DEFAULT_STAGES, Opening, OpeningStatus, Stage

HEADER = ["First Name", "Last Name", "Email", "Phone", "Website", "Source", "Application Date"]
SOURCES = ["LinkedIn", "Referral", "Company Website", "Agency", ""]


def people_csv(rows: int, offset: int = 0) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for n in range(offset, offset + rows):
        writer.writerow(
            [
                f"Person{n}",
                f"Surname{n % 977}",
                f"person{n}@example.com",
                f"+48 601 {n % 1_000_000:06d}",
                f"https://people.example.com/p{n}" if n % 3 == 0 else "",
                SOURCES[n % len(SOURCES)],
                f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
            ]
        )
    return buffer.getvalue().encode()


def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database of the bench when it does not exist yet (it is a throw-away one)."""
    url = sa.make_url(database_url)
    if not url.drivername.startswith("postgresql") or not url.database:
        return
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            found = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            )
            if found.first() is None:
                quoted = conn.dialect.identifier_preparer.quote(url.database)
                conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
    finally:
        engine.dispose()


def reset_schema(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
        upgrade()


def seed(app: Flask) -> tuple[int, list[int]]:
    """A recruiter and three openings: one per measured import, and one for the SQL floor."""
    with app.app_context():
        user = User(email="bench-recruiter@example.com", full_name="Bench Recruiter", role=Role.RECRUITER)
        user.password_hash = hash_password("bench-password-1234")  # an active account may import
        db.session.add(user)
        openings = []
        for number in range(3):
            opening = Opening(
                slug=f"bench-import-{number}", title=f"Bench import {number}", status=OpeningStatus.OPEN
            )
            opening.stages = [
                Stage(name=name, kind=kind, position=position)
                for position, (name, kind) in enumerate(DEFAULT_STAGES)
            ]
            db.session.add(opening)
            openings.append(opening)
        db.session.commit()
        return user.id, [opening.id for opening in openings]


def import_file(app: Flask, user_id: int, opening_id: int, content: bytes) -> tuple[float, ImportRun]:
    with app.app_context():
        user = db.session.get(User, user_id)
        opening = db.session.get(Opening, opening_id)
        started = time.perf_counter()
        run = importing.upload_import(user, opening, "people.csv", content)
        importing.start_import(user, run, run.mapping)
        elapsed = time.perf_counter() - started
        db.session.expire_all()
        run = db.session.get(ImportRun, run.id)
        db.session.expunge(run)
        return elapsed, run


def psql_copy_seconds(database_url: str, path: Path) -> float:
    """``psql \\copy`` of the file into a bare table of text columns, as psql's own client does it."""
    url = sa.make_url(database_url)
    columns = ", ".join(f"c{index} text" for index in range(len(HEADER)))
    environment = {**os.environ, "PGPASSWORD": url.password or ""}
    base = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", url.host or "127.0.0.1"]
    base += ["-p", str(url.port or 5432), "-U", url.username or "postgres", "-d", url.database or ""]
    subprocess.run(
        [*base, "-c", f"DROP TABLE IF EXISTS bare_import; CREATE TABLE bare_import ({columns})"],
        check=True,
        env=environment,
    )
    started = time.perf_counter()
    subprocess.run(
        [*base, "-c", f"\\copy bare_import FROM '{path}' WITH (FORMAT csv, HEADER true)"],
        check=True,
        env=environment,
    )
    elapsed = time.perf_counter() - started
    return elapsed


def sql_floor_seconds(app: Flask, opening_id: int) -> float:
    """The floor of any import into these tables: the three set-wise inserts alone (candidates, their
    applications, the first stage moves) straight from the bare table ``psql \\copy`` filled, with no
    check, no staging, no report, on the same database; rolled back. What stays above the copy is the
    cost of the tables' indexes and foreign keys, which the product needs."""
    with app.app_context(), db.engine.connect() as conn:
        transaction = conn.begin()
        started = time.perf_counter()
        conn.exec_driver_sql(
            "INSERT INTO candidates (full_name, email, phone, links, retain_until, created_at, updated_at) "
            "SELECT c0 || ' ' || c1, 'floor-' || c2, coalesce(c3, ''), '[]', now(), now(), now() FROM bare_import"
        )
        conn.exec_driver_sql(
            "INSERT INTO applications (candidate_id, opening_id, stage_id, source, cover_letter, "
            "rejection_reason, applied_at, stage_entered_at, resume_status, resume_error, resume_text, "
            "detected_skills, created_at, updated_at) "
            "SELECT c.id, %(opening)s, (SELECT min(id) FROM stages WHERE opening_id = %(opening)s), "
            "coalesce(b.c5, ''), '', '', now(), now(), 'none', '', '', '[]', now(), now() "
            "FROM bare_import b JOIN candidates c ON c.email = 'floor-' || b.c2",
            {"opening": opening_id},
        )
        conn.exec_driver_sql(
            "INSERT INTO stage_moves (application_id, to_stage_id, moved_at, reason) "
            "SELECT id, stage_id, now(), '' FROM applications WHERE opening_id = %(opening)s",
            {"opening": opening_id},
        )
        elapsed = time.perf_counter() - started
        transaction.rollback()
        with conn.begin():
            conn.exec_driver_sql("DROP TABLE bare_import")
    return elapsed


def sqlite_bare_seconds(path: Path, content: bytes) -> float:
    """One executemany of the file's rows into a bare table of text columns, committed."""
    connection = sqlite3.connect(path)
    columns = ", ".join(f"c{index} text" for index in range(len(HEADER)))
    connection.execute(f"CREATE TABLE bare_import ({columns})")
    started = time.perf_counter()
    rows = list(csv.reader(io.StringIO(content.decode())))[1:]
    placeholders = ", ".join("?" for _ in HEADER)
    connection.executemany(f"INSERT INTO bare_import VALUES ({placeholders})", rows)  # noqa: S608
    connection.commit()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000, help="candidates in the file (default 100,000)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="hw-import-bench-"))
    try:
        app, database_url = bench_app(workdir)
        app.config.update(MAX_IMPORT_BYTES=64 * 1024 * 1024, MAX_CONTENT_LENGTH=64 * 1024 * 1024)
        postgres = database_url.startswith("postgresql")
        ensure_database(database_url)
        reset_schema(app)
        user_id, (small_opening, large_opening, spare_opening) = seed(app)

        with counting_statements(app) as statements:
            small_seconds, small_run = import_file(app, user_id, small_opening, people_csv(1_000, 10_000_000))
        small_statements = len(statements)

        content = people_csv(args.rows)
        path = workdir / "people.csv"
        path.write_bytes(content)
        with counting_statements(app) as statements:
            seconds, run = import_file(app, user_id, large_opening, content)
        large_statements = len(statements)
        if run.status != "done" or run.created_count != args.rows or run.error_count:
            print(
                f"FAILED: status {run.status}, {run.created_count} created, {run.error_count} errors: {run.error}"
            )
            return 1

        size_mb = len(content) / (1024 * 1024)
        print(f"File: {args.rows:,} candidates, {size_mb:.1f} MB CSV ({', '.join(HEADER)})")
        print(
            f"Import: {seconds:.2f} s ({args.rows / seconds:,.0f} rows/s): {run.created_count:,} candidates, "
            f"as many applications and first stage moves"
        )
        table = read_table(content, "people.csv")
        started = time.perf_counter()
        with cyclic_gc_paused():  # as the import checks them
            for _ in check_rows(table, run.mapping):
                pass
        checking = time.perf_counter() - started
        print(
            f"  of which checking the rows in Python (same file, no database): {checking:.2f} s; "
            f"reading, storing and loading: {seconds - checking:.2f} s"
        )
        if postgres:
            baseline = psql_copy_seconds(database_url, path)
            label = "psql \\copy into a bare table"
        else:
            baseline = sqlite_bare_seconds(workdir / "bare.db", content)
            label = "sqlite3 executemany into a bare table"
        ratio = seconds / baseline
        print(f"Baseline ({label}): {baseline:.2f} s ({args.rows / baseline:,.0f} rows/s)")
        if postgres:
            floor = sql_floor_seconds(app, spare_opening)
            print(
                f"Floor (the same rows inserted set-wise straight from the bare table, no checks): "
                f"{floor:.2f} s = {floor / baseline:.1f}x the copy; the import is {seconds / floor:.2f}x the floor"
            )
        verdict = (
            "" if not postgres else ("  (target <= 3: MET)" if ratio <= 3 else "  (target <= 3: NOT MET)")
        )
        print(f"Ratio import / baseline: {ratio:.2f}{verdict}")
        same = "EQUAL" if small_statements == large_statements else "DIFFERENT"
        print(
            f"SQL statements: {small_statements} at 1,000 rows ({small_seconds:.2f} s), "
            f"{large_statements} at {args.rows:,} rows: {same}"
        )
        return 0 if same == "EQUAL" and small_run.status == "done" else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
