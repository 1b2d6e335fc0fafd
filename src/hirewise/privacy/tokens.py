"""Signed links for candidates: export, keep my application, withdraw consent, see my scores.

A link carries the candidate's id and a digest of their current email address, signed with the
application's secret key and a salt per purpose, so a link for one purpose never works for another,
and every link dies with an erasure (the address changes) or when it gets too old. They are
signatures, so rotating the secret key (``flask rotate-secret``) also ends every link sent: a
candidate asks for new ones on the careers site, and a retention notice's keep link stops working
(the application is then erased at its date unless kept another way).
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from hirewise.candidates.models import Candidate
from hirewise.errors import NotFound
from hirewise.extensions import db

DAY = 24 * 3600


class LinkPurpose(StrEnum):
    EXPORT = "export"
    KEEP = "keep"
    WITHDRAW = "withdraw"
    SCORES = "scores"


# How long each link works: an export or a score page for a week, a retention notice's links for
# longer than the notice period, so a candidate who reads it late can still act.
MAX_AGE = {
    LinkPurpose.EXPORT: 7 * DAY,
    LinkPurpose.SCORES: 30 * DAY,
    LinkPurpose.KEEP: 60 * DAY,
    LinkPurpose.WITHDRAW: 60 * DAY,
}


def link_days() -> dict[str, int]:
    """How many days each kind of link works, for the pages and emails that say so."""
    return {purpose.value: seconds // DAY for purpose, seconds in MAX_AGE.items()}


INVALID = "This link is not valid any more. Ask for a new one from the careers site."


def _serializer(purpose: LinkPurpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"hirewise.privacy.{purpose.value}")


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:20]


def make_token(candidate: Candidate, purpose: LinkPurpose) -> str:
    return str(_serializer(purpose).dumps({"c": candidate.id, "e": _email_digest(candidate.email)}))


def candidate_for_token(token: str, purpose: LinkPurpose) -> Candidate:
    """The candidate a valid link was made for; ``NotFound`` for anything else (never says why)."""
    try:
        payload = _serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
    except (BadSignature, SignatureExpired):
        raise NotFound(INVALID) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("c"), int):
        raise NotFound(INVALID)
    candidate = db.session.get(Candidate, payload["c"])
    if candidate is None or _email_digest(candidate.email) != payload.get("e"):
        raise NotFound(INVALID)
    return candidate
