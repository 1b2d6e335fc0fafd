"""An import run: one uploaded file of candidates, from upload through mapping to its report."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from hirewise.auth.models import User
from hirewise.db import Base, TimestampMixin
from hirewise.openings.models import Opening


class ImportStatus(StrEnum):
    MAPPING = "mapping"  # uploaded and read; waits for its columns to be confirmed
    QUEUED = "queued"  # confirmed; a background task will import it
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # the task could not finish; ``error`` says why and nothing was imported


class ImportRun(TimestampMixin, Base):
    __tablename__ = "import_runs"
    __table_args__ = (Index("ix_import_runs_opening_created_at", "opening_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The pipeline the candidates join; NULL imports the people without applying them anywhere.
    opening_id: Mapped[int | None] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))  # "csv" or "json"
    encoding: Mapped[str] = mapped_column(String(20))
    delimiter: Mapped[str] = mapped_column(String(2), default="")
    # Kept in the database so a worker on another machine reads the same bytes.
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    headers: Mapped[list[Any]] = mapped_column(default=list)
    preview: Mapped[list[Any]] = mapped_column(default=list)
    mapping: Mapped[list[Any]] = mapped_column(default=list)  # one target per column (import_reading.Target)
    status: Mapped[ImportStatus] = mapped_column(String(10), default=ImportStatus.MAPPING, index=True)
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    merged_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    # {"errors": [{line, column, message}], "merged": [{line, email, candidate_id}],
    #  "skipped": [{line, email, reason}]}: every bad, merged and skipped row.
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str] = mapped_column(String(500), default="")
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship()
    opening: Mapped[Opening | None] = relationship()

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)
