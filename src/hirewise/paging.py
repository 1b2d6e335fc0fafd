"""Pages of a list, computed the same way everywhere: the HTML lists, the API's envelopes, the outbox and
the audit log.

The page number is clamped so that OFFSET stays within what every database accepts (a crafted
?page=10**20 would otherwise overflow SQLite's integers or PostgreSQL's bigint and end in a 500).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute

from hirewise.extensions import db

MAX_PAGE = 10_000
MAX_PER_PAGE = 100

T = TypeVar("T")


def requested_page() -> int:
    return min(max(1, request.args.get("page", 1, type=int) or 1), MAX_PAGE)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def envelope(self) -> dict[str, Any]:
        """The API's shape: ``{"items": [...], "meta": {"page", "per_page", "total", "pages"}}``."""
        meta = {"page": self.page, "per_page": self.per_page, "total": self.total, "pages": self.pages}
        return {"items": self.items, "meta": meta}


def paginate(
    stmt: Select[Any],
    page: int,
    per_page: int,
    *,
    count_by: InstrumentedAttribute[Any] | None = None,
) -> Page[Any]:
    """One page of ``stmt`` (ordered by the caller) and the total, in two statements. ``count_by``
    counts that column alone, cheaper than counting the whole selected rows of a wide query."""
    page = min(max(1, page), MAX_PAGE)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    counted = (stmt.with_only_columns(count_by) if count_by is not None else stmt).order_by(None)
    total = db.session.execute(select(func.count()).select_from(counted.subquery())).scalar_one()
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).scalars().unique()
    return Page(list(rows), page, per_page, total)
