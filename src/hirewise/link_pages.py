"""Pages reached by a secret link (an assessment, a candidate's privacy links): the token in the URL
is the only key, and there is no session to mark the page private."""

from __future__ import annotations

from werkzeug.wrappers import Response


def keep_link_page_private(response: Response) -> Response:
    """Never send the URL on as a Referer, never keep the page in a browser or shared cache (a copy
    would outlive an erasure or a revoked link), never index it."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("X-Robots-Tag", "noindex")
    return response
