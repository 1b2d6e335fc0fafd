"""The rate limit of the candidate's side of an assessment: one bucket per client address.

``ASSESSMENT_ATTEMPT_RATE_LIMIT`` counts every request of one address to the candidate's page
(``candidate_views``) and to its API (``candidate_api``) together, so switching between them buys
no extra requests: autosave fits easily, guessing tokens does not.
"""

from __future__ import annotations

from flask import current_app

from hirewise.extensions import limiter

DEFAULT_RATE_LIMIT = "240 per minute"  # a save every second or so per candidate, far below a token scan
SCOPE = "assessment-attempts"


def _rate_limit() -> str:
    return str(current_app.config.get("ASSESSMENT_ATTEMPT_RATE_LIMIT", DEFAULT_RATE_LIMIT))


# A shared limit's bucket is its scope and the client address, whichever route it decorates.
attempt_rate_limit = limiter.shared_limit(_rate_limit, scope=SCOPE)
