"""The page number of an HTML list, read the same way everywhere.

Clamped so that OFFSET stays within what every database accepts (a crafted ?page=10**20 would
otherwise overflow SQLite's integers or PostgreSQL's bigint and end in a 500).
"""

from __future__ import annotations

from flask import request

MAX_PAGE = 10_000


def requested_page() -> int:
    return min(max(1, request.args.get("page", 1, type=int) or 1), MAX_PAGE)
