"""The database's record of background work: what to run, and who holds it (a lease) until when.

Every task a use case queues is a row written in the use case's own transaction, so work is never
lost between a commit and a broker: the row is dispatched after the commit, and again by the
periodic sweep while it waits (the broker was down) or while its lease has expired (its worker died).
A worker claims the row before running it, so a duplicate delivery does nothing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hirewise.db import Base, TimestampMixin


class TaskStatus(StrEnum):
    QUEUED = "queued"  # written; waits for a worker (dispatched, or to be dispatched by the sweep)
    RUNNING = "running"  # claimed by a worker until lease_until
    DONE = "done"
    FAILED = "failed"  # raised, or its lease expired too often


class BackgroundTask(TimestampMixin, Base):
    __tablename__ = "background_tasks"
    __table_args__ = (Index("ix_background_tasks_status_lease_until", "status", "lease_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    args: Mapped[list[Any]]
    status: Mapped[TaskStatus] = mapped_column(String(16), default=TaskStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    dispatched_at: Mapped[
        datetime | None
    ]  # by the sweep; the first dispatch, after the commit, is not written
    started_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<BackgroundTask {self.id} {self.name}{self.args} {self.status}>"
