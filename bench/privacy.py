"""Privacy on demo data whose dates were moved back, as a new user would try it, with the figures.

Loads the demo data on a throw-away database, moves every candidate's retention date back by
``--shift-days`` (so most are past it, some within the notice period), then: the retention dry run,
a legal hold on one due candidate, the real run (notices in the outbox, erasures done); a canary
applicant applies on the careers page, asks for their data there and downloads the ZIP from the
emailed link; the canary is erased, and every text column of every table, and every file under the
work folder (the SQLite file and its write-ahead log included), is searched for the canary.

    python -m bench.privacy
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/hw_privacy_bench python -m bench.privacy
"""

from __future__ import annotations

import argparse
import io
import json
import re
import tempfile
import time
import zipfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select, text

from bench.common import bench_app
from hirewise.auth.models import Role, User
from hirewise.candidates.models import Candidate
from hirewise.demo import build_resume_pdf
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage
from hirewise.openings.models import Opening, OpeningStatus
from hirewise.privacy import retention, services
from hirewise.privacy.scrub import find_strings, textual_columns

NAME, EMAIL, PHONE, PHRASE = (
    "Quillon Canaryvale",
    "quillon.canary5t8@example.org",
    "+44 7700 900518",
    "canaryphrase5t8w",
)
CANARIES = (NAME, "Canaryvale", EMAIL, "canary5t8", PHONE, PHRASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shift-days", type=int, default=360)
    parser.add_argument("--candidates", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        app, _ = bench_app(workdir)
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as connection:
                    connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            upgrade()
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["demo-data", "--candidates", str(args.candidates)])
        assert result.exit_code == 0, f"{result.output}{result.exception!r}"
        with app.app_context():
            run(app, args.shift_days, workdir)


def search_files(workdir: Path) -> None:
    """Every file under the work folder, while the app still runs (the write-ahead log included)."""
    pattern = re.compile("|".join(map(re.escape, CANARIES)).encode(), re.IGNORECASE)
    files = [path for path in workdir.rglob("*") if path.is_file()]
    found = [str(path.relative_to(workdir)) for path in files if pattern.search(path.read_bytes())]
    print(f"Files under the work folder: { {str(p.relative_to(workdir)): p.stat().st_size for p in files} }")
    print(f"Canary search, files: {found or 'nothing'}")


def run(app: object, shift_days: int, workdir: Path) -> None:
    candidates = (
        db.session.execute(select(Candidate).where(Candidate.retain_until.is_not(None))).scalars().all()
    )
    for candidate in candidates:
        assert candidate.retain_until is not None
        candidate.retain_until -= timedelta(days=shift_days)
    db.session.commit()
    admin = db.session.execute(select(User).where(User.role == Role.ADMIN)).scalars().first()
    assert admin is not None
    print(f"Candidates: {len(candidates)}, retention dates moved back {shift_days} days")

    planned = retention.preview(admin)
    print(f"Preview: {dict(Counter(item.action for item in planned))}")
    dry = retention.run(dry_run=True, actor=admin)
    print(f"Dry run: notices {dry.notices_sent}, erased {dry.erased}, held {dry.held} (nothing changed)")
    due = next(item for item in planned if item.action == "erase")
    services.place_hold(admin, services.get_candidate(due.candidate_id), "Pending tribunal claim")
    started = time.perf_counter()
    real = retention.run(actor=admin)
    seconds = time.perf_counter() - started
    notices = db.session.execute(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.subject.like("Your application data%"))
    ).scalar_one()
    rows = db.session.execute(text("SELECT rows_changed FROM erasures")).scalars().all()
    changed = sum(sum((json.loads(r) if isinstance(r, str) else r).values()) for r in rows)
    print(
        f"Real run: notices {real.notices_sent} ({notices} in the outbox), erased {real.erased}, "
        f"held {real.held}, {changed} rows changed, {seconds:.1f} s ({seconds / max(real.erased, 1) * 1000:.0f} ms each)"
    )

    client = app.test_client()  # type: ignore[attr-defined]
    opening = (
        db.session.execute(select(Opening).where(Opening.status == OpeningStatus.OPEN)).scalars().first()
    )
    assert opening is not None
    resume = build_resume_pdf(NAME, EMAIL, [PHRASE])
    applied = client.post(
        f"/careers/{opening.slug}/apply",
        data={
            "full_name": NAME,
            "email": EMAIL,
            "phone": PHONE,
            "cover_letter": f"{PHRASE} from {NAME}",
            "consent": "y",
            "resume": (io.BytesIO(resume), f"{NAME}.pdf"),
        },
        content_type="multipart/form-data",
    )
    asked = client.post("/privacy/request", data={"email": EMAIL})
    body = db.session.execute(
        select(OutboxMessage.body).where(
            OutboxMessage.to_email == EMAIL, OutboxMessage.subject.like("Your data%")
        )
    ).scalar_one()
    token = re.search(r"/privacy/export/(\S+)", body).group(1)  # type: ignore[union-attr]
    download = client.get(f"/privacy/export/{token}")
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    print(
        f"Careers: applied {applied.status_code}, data requested {asked.status_code}, ZIP {download.status_code} "
        f"{len(download.data)} bytes: {archive.namelist()}"
    )
    canary = db.session.execute(select(Candidate).where(Candidate.email == EMAIL)).scalar_one()
    before = len(find_strings(CANARIES))
    erasure = services.erase_candidate(admin, canary, "The candidate asked by email")
    tables = textual_columns()
    hits = find_strings(CANARIES)
    print(
        f"Canary erasure: {sum(erasure.rows_changed.values())} rows changed {erasure.rows_changed}; "
        f"database search over {len(tables)} tables, {sum(len(c) for _, c in tables)} columns: "
        f"{before} hits before, {len(hits)} after"
    )
    search_files(workdir)
    db.session.remove()
    db.engine.dispose()


if __name__ == "__main__":
    main()
