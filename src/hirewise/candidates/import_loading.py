"""Loading checked import records into the database set-wise: a constant number of statements.

The records go into a temporary staging table in one step (PostgreSQL: ``COPY`` through psycopg's
copy support; SQLite: one ``executemany``), and every change after that is one ``INSERT … SELECT``
or ``UPDATE`` over the whole staging table. So 100 rows and 100,000 rows cost the same number of
statements, and a row never makes a round trip of its own. Nothing here commits: the caller's
transaction makes the whole load happen, or none of it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    cast,
    exists,
    false,
    func,
    literal,
    null,
    select,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hirewise.candidates.import_reading import CandidateRecord
from hirewise.candidates.models import Application, Candidate, Note, ResumeStatus, StageMove
from hirewise.db import UTCDateTime

STAGING_COLUMNS = ("line", "full_name", "email", "phone", "links", "source", "stage_id", "applied_at", "note")


def staging_table(name: str) -> Table:
    return Table(
        name,
        MetaData(),
        Column("line", Integer, nullable=False),
        Column("full_name", String(200), nullable=False),
        Column("email", String(320), nullable=False),
        Column("phone", String(50), nullable=False),
        Column("links", JSON, nullable=False),
        Column("source", String(20), nullable=False),
        Column("stage_id", Integer),
        Column("applied_at", UTCDateTime()),
        Column("note", Text, nullable=False),
        # Filled by the load: the email belongs to a candidate already; that candidate is already
        # in the opening's pipeline (the row is then skipped).
        Column("known", Integer, nullable=False, server_default="0"),
        Column("in_opening", Integer, nullable=False, server_default="0"),
        prefixes=["TEMPORARY"],
    )


def _table(model: type[Any]) -> Table:
    table = model.__table__
    if not isinstance(table, Table):  # every model here maps one plain table
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


@dataclass(frozen=True)
class LoadTarget:
    opening_id: int | None
    first_stage_id: int | None
    actor_id: int | None
    retain_until: datetime
    now: datetime


@dataclass
class LoadOutcome:
    created: int = 0
    merged: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)


def _copy_rows(conn: Connection, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
    """PostgreSQL: stream the rows through ``COPY … FROM STDIN`` on the session's own connection."""
    driver = conn.connection.driver_connection
    columns = ", ".join(STAGING_COLUMNS)
    with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)


def load_records(
    conn: Connection,
    staging_name: str,
    records: Sequence[CandidateRecord],
    stage_ids: Sequence[int | None],
    target: LoadTarget,
) -> LoadOutcome:
    """Add the records' candidates, applications (when there is an opening) and notes.

    An email that belongs to a candidate already is that candidate, never a second one: its empty
    phone and links are filled from the file (merged); when that candidate is already in the
    opening's pipeline the row changes nothing (skipped). ``stage_ids[i]`` is the stage of
    ``records[i]`` (None: the opening's first stage).
    """
    postgres = conn.dialect.name == "postgresql"
    staging = staging_table(staging_name)
    staging.create(conn, checkfirst=False)
    if postgres:
        _copy_rows(
            conn,
            staging,
            [
                (
                    r.line,
                    r.full_name,
                    r.email,
                    r.phone,
                    json.dumps(r.links) if r.links else "[]",
                    r.source,
                    stage_id,
                    r.applied_at,
                    r.note,
                )
                for r, stage_id in zip(records, stage_ids, strict=True)
            ],
        )
    else:
        conn.execute(
            staging.insert(),
            [
                {
                    "line": r.line,
                    "full_name": r.full_name,
                    "email": r.email,
                    "phone": r.phone,
                    "links": r.links,
                    "source": r.source,
                    "stage_id": stage_id,
                    "applied_at": r.applied_at,
                    "note": r.note,
                }
                for r, stage_id in zip(records, stage_ids, strict=True)
            ],
        )
    # Found by email in every step below; the planner needs the staging table's statistics, or it
    # takes 100,000 rows for a handful and joins them row by row.
    Index(f"ix_{staging.name}_email", staging.c.email).create(conn)
    conn.exec_driver_sql(f"ANALYZE {conn.dialect.identifier_preparer.quote(staging.name)}")
    outcome = LoadOutcome()
    s = staging.c
    candidates, applications = _table(Candidate), _table(Application)
    now = literal(target.now, UTCDateTime())
    conn.execute(staging.update().where(s.email.in_(select(candidates.c.email))).values(known=1))
    if target.opening_id is not None:
        in_opening = (
            select(candidates.c.email)
            .join(applications, applications.c.candidate_id == candidates.c.id)
            .where(applications.c.opening_id == target.opening_id)
        )
        conn.execute(staging.update().where(s.email.in_(in_opening)).values(in_opening=1))
    known_rows = conn.execute(
        select(s.line, s.email, candidates.c.id, s.in_opening)
        .join(candidates, candidates.c.email == s.email)
        .order_by(s.line)
    )
    for line, email, candidate_id, already in known_rows:
        if already:
            outcome.skipped.append(
                {
                    "line": line,
                    "email": email,
                    "candidate_id": candidate_id,
                    "reason": "already in this opening",
                }
            )
        else:
            outcome.merged.append({"line": line, "email": email, "candidate_id": candidate_id})
    # Merged rows fill what the known candidate lacks; they never overwrite what someone typed.
    merging = (s.known == 1) & (s.in_opening == 0)
    for column, empty in (("phone", s.phone == ""), ("links", cast(s.links, Text) == "[]")):
        from_file = select(s[column]).where(s.email == candidates.c.email).scalar_subquery()
        lacking = cast(candidates.c.links, Text) == "[]" if column == "links" else candidates.c.phone == ""
        conn.execute(
            candidates.update()
            .where(lacking, candidates.c.email.in_(select(s.email).where(merging, ~empty)))
            .values({column: from_file, "updated_at": now})
        )
    dialect_insert = postgresql_insert if postgres else sqlite_insert
    new_people = select(
        s.full_name,
        s.email,
        s.phone,
        s.links,
        cast(null(), UTCDateTime()),
        literal(target.retain_until, UTCDateTime()),
        now,
        now,
    ).where(s.known == 0)
    conn.execute(
        dialect_insert(candidates)
        .from_select(
            [
                "full_name",
                "email",
                "phone",
                "links",
                "consent_at",
                "retain_until",
                "created_at",
                "updated_at",
            ],
            new_people,
        )
        .on_conflict_do_nothing(index_elements=["email"])
    )
    # Counted, not taken from the INSERT's rowcount, which psycopg does not give for INSERT … SELECT
    # … ON CONFLICT here. A person another import added meanwhile is counted as this one's.
    outcome.created = conn.execute(select(func.count()).select_from(staging).where(s.known == 0)).scalar_one()
    person = candidates.c.email == s.email
    if target.opening_id is not None:
        applied_at = func.coalesce(s.applied_at, now)
        new_applications = (
            select(
                candidates.c.id,
                literal(target.opening_id, Integer()),
                func.coalesce(s.stage_id, literal(target.first_stage_id, Integer())),
                s.source,
                literal("", String()),
                literal("", String()),
                applied_at,
                applied_at,
                literal(ResumeStatus.NONE.value, String()),
                literal("", String()),
                literal("", String()),
                literal([], JSON()),
                now,
                now,
            )
            .select_from(staging.join(candidates, person))
            .where(s.in_opening == 0)
        )
        conn.execute(
            dialect_insert(applications)
            .from_select(
                [
                    "candidate_id",
                    "opening_id",
                    "stage_id",
                    "source",
                    "cover_letter",
                    "rejection_reason",
                    "applied_at",
                    "stage_entered_at",
                    "resume_status",
                    "resume_error",
                    "resume_text",
                    "detected_skills",
                    "created_at",
                    "updated_at",
                ],
                new_applications,
            )
            .on_conflict_do_nothing(index_elements=["candidate_id", "opening_id"])
        )
        # The pipeline's history starts with the move into the first (or the imported) stage: one for
        # each application of the opening that has none (those just added).
        moves = _table(StageMove)
        first_moves = select(
            applications.c.id,
            cast(null(), Integer()),
            applications.c.stage_id,
            literal(target.actor_id, Integer()),
            applications.c.stage_entered_at,
            literal("", String()),
        ).where(
            applications.c.opening_id == target.opening_id,
            ~exists().where(moves.c.application_id == applications.c.id),
        )
        conn.execute(
            moves.insert().from_select(
                ["application_id", "from_stage_id", "to_stage_id", "moved_by_id", "moved_at", "reason"],
                first_moves,
            )
        )
    application_of_note = (applications.c.candidate_id == candidates.c.id) & (
        applications.c.opening_id == target.opening_id if target.opening_id is not None else false()
    )
    notes = (
        select(candidates.c.id, applications.c.id, literal(target.actor_id, Integer()), s.note, now, now)
        .select_from(staging.join(candidates, person).outerjoin(applications, application_of_note))
        .where(s.note != "", s.in_opening == 0)
    )
    conn.execute(
        _table(Note)
        .insert()
        .from_select(
            ["candidate_id", "application_id", "author_id", "body", "created_at", "updated_at"], notes
        )
    )
    staging.drop(conn, checkfirst=False)
    return outcome
