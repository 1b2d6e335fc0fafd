"""Schemathesis hooks for the API contract run (loaded through ``SCHEMATHESIS_HOOKS``)."""

from __future__ import annotations

import uuid
from typing import Any

import schemathesis

from hirewise.api.idempotency import MAX_KEY_LENGTH


@schemathesis.hook
def before_call(ctx: Any, case: Any, **kwargs: Any) -> None:
    """A client sends a new Idempotency-Key with each new request; generated valid keys repeat ("0"), and
    the API rightly answers a reused key with another body by 422. Invalid keys are left as generated."""
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and 1 <= len(key) <= MAX_KEY_LENGTH:
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
