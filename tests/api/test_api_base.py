"""The /api/v1 platform: personal tokens, scopes, the error envelope, the OpenAPI spec and docs page.

Resource endpoints belong to their features; ``/api/v1/openings`` stands in here for "any
endpoint", since token authentication and scope checks run before every one of them.
"""

from __future__ import annotations

import hashlib
import io
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import ApiToken, Role
from hirewise.auth.services import create_api_token
from hirewise.extensions import db
from tests.factories import UserFactory

LIST_URL = "/api/v1/openings"


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.is_json, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["status"] == status
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    return error


def _token_from_account_page(client, name: str, scopes: list[str]) -> str:
    response = client.post("/account", data={"token-name": name, "token-scopes": scopes})
    assert response.status_code == 200
    match = re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True))
    assert match is not None, response.get_data(as_text=True)
    return match.group(1)


# --- tokens created on the account page ---------------------------------------------------------


def test_token_is_shown_once_and_stored_only_as_sha256(client, auth):
    user = auth.login(Role.RECRUITER)
    raw = _token_from_account_page(client, "HR sync", ["read"])
    assert raw.startswith("hw_")

    token = db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id)).scalar_one()
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.scopes == "read"
    stored = [token.name, token.prefix, token.token_hash, token.scopes]
    assert all(raw not in value for value in stored)
    summaries = db.session.execute(select(AuditEvent.summary)).scalars()
    assert all(raw not in summary for summary in summaries)

    page = client.get("/account").get_data(as_text=True)
    assert raw not in page
    assert token.prefix in page


def test_account_token_authenticates_api_calls(client, auth):
    auth.login(Role.RECRUITER)
    raw = _token_from_account_page(client, "script", ["read", "write"])
    auth.logout()
    response = client.get(LIST_URL, headers=bearer(raw))
    assert response.status_code == 200
    assert set(response.get_json()) == {"items", "meta"}


def test_token_without_scopes_is_refused_on_the_page(client, auth):
    user = auth.login(Role.RECRUITER)
    response = client.post("/account", data={"token-name": "nothing"})
    assert response.status_code == 200
    assert 'id="new-token"' not in response.get_data(as_text=True)
    assert db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id)).first() is None


def test_last_used_is_recorded(client):
    user = UserFactory()
    token, raw = create_api_token(user, "t", "read")
    assert token.last_used_at is None
    assert client.get(LIST_URL, headers=bearer(raw)).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None


# --- scopes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", LIST_URL), ("PATCH", "/api/v1/openings/999999"), ("DELETE", "/api/v1/kits/999999")],
)
def test_read_token_cannot_write(client, method, path):
    _, raw = create_api_token(UserFactory(role=Role.ADMIN), "t", "read")
    # The scope is checked before the object is looked up: no 404 reveals what exists.
    response = client.open(path, method=method, headers=bearer(raw), json={})
    error = assert_envelope(response, 403, "forbidden")
    assert "'write' scope" in error["message"]


def test_write_only_token_cannot_read(client):
    _, raw = create_api_token(UserFactory(role=Role.ADMIN), "t", "write")
    assert_envelope(client.get(LIST_URL, headers=bearer(raw)), 403, "forbidden")


def test_write_token_passes_the_scope_check(client):
    _, raw = create_api_token(UserFactory(role=Role.ADMIN), "t", "read,write")
    response = client.post(LIST_URL, headers=bearer(raw), json={})
    assert_envelope(response, 422, "unprocessable_entity")  # the schema speaks, not the auth layer


@pytest.mark.usefixtures("csrf_enabled")
def test_api_needs_no_csrf_token(client):
    _, raw = create_api_token(UserFactory(role=Role.ADMIN), "t", "read,write")
    response = client.post(LIST_URL, headers=bearer(raw), json={})
    assert response.status_code == 422


# --- authentication failures --------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token hw_x", "Bearer hw_not-a-real-token"],
)
def test_missing_or_invalid_authorization_is_401_envelope(client, header):
    headers = {} if header is None else {"Authorization": header}
    assert_envelope(client.get(LIST_URL, headers=headers), 401, "unauthorized")


def test_revoked_token_is_401(client, auth):
    user = auth.login(Role.RECRUITER)
    token, raw = create_api_token(user, "soon revoked", "read")
    assert client.get(LIST_URL, headers=bearer(raw)).status_code == 200
    response = client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    error = assert_envelope(client.get(LIST_URL, headers=bearer(raw)), 401, "unauthorized")
    assert "invalid or revoked" in error["message"]


def test_token_of_a_deactivated_user_is_401(client):
    user = UserFactory()
    _, raw = create_api_token(user, "t", "read")
    user.active = False
    db.session.commit()
    assert_envelope(client.get(LIST_URL, headers=bearer(raw)), 401, "unauthorized")


def test_browser_session_does_not_authenticate_the_api(client, auth):
    auth.login(Role.ADMIN)
    assert client.get("/account").status_code == 200
    assert_envelope(client.get(LIST_URL), 401, "unauthorized")
    assert_envelope(client.post(LIST_URL, json={"title": "Sneaky"}), 401, "unauthorized")


def test_token_does_not_open_html_pages(client):
    _, raw = create_api_token(UserFactory(role=Role.ADMIN), "t", "read,write")
    response = client.get("/admin/users", headers=bearer(raw))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_unknown_api_path_is_404_envelope(client):
    assert_envelope(client.get("/api/v1/does-not-exist"), 404, "not_found")


# --- OpenAPI spec and docs ----------------------------------------------------------------------


def _spec_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def test_openapi_spec_lists_every_api_route_with_bearer_auth(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "Hirewise API"
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "Personal API token",
    }
    assert spec["security"] == [{"bearerAuth": []}]
    documented = set(spec["paths"])
    platform = {"/api/v1/openapi.json", "/api/v1/docs"}
    routes = {
        _spec_path(rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.rule not in platform
    }
    assert routes, "no API routes registered"
    assert routes <= documented, routes - documented


def test_docs_page_loads_only_local_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "swagger-ui" in page
    external = re.findall(r"https?://[^\s\"'<>]+", page)
    assert [url for url in external if urlsplit(url).hostname not in ("localhost", None)] == []
    assets = re.findall(r'(?:src|href|data-spec-url)="([^"]+)"', page)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), asset
        assert client.get(asset).status_code == 200, asset
    assert "<script>" not in page  # no inline script: the CSP would block it


def test_docs_page_needs_no_token(client):
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200


# --- request bodies sent without a Content-Length ------------------------------------------------


class _StreamedBody(io.RawIOBase):
    """A chunked request body as the WSGI server hands it over: ``size`` bytes, counted as they are read."""

    def __init__(self, size: int, fill: bytes = b" ") -> None:
        self.left, self.read_bytes, self.fill = size, 0, fill

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        count = min(len(buffer), self.left)
        buffer[:count] = self.fill * count
        self.left -= count
        self.read_bytes += count
        return count


def _post_streamed(client, path: str, body, token: str):
    return client.post(
        path,
        headers={**bearer(token), "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input": body, "wsgi.input_terminated": True},
    )


def test_a_streamed_json_body_over_the_limit_is_a_413_envelope(app, client):
    _, raw = create_api_token(UserFactory(role=Role.RECRUITER), "t", "read,write")
    body = _StreamedBody(100 * 1024 * 1024)  # 100 MB, no Content-Length
    response = _post_streamed(client, "/api/v1/candidates", io.BufferedReader(body), raw)
    error = assert_envelope(response, 413, "request_entity_too_large")
    assert "json" not in str(error.get("details", ""))  # not "Invalid JSON body"
    assert body.read_bytes <= app.config["MAX_CONTENT_LENGTH"] + 64 * 1024  # not read to the end


def test_a_streamed_kit_import_over_the_limit_is_a_413_envelope(app, client):
    _, raw = create_api_token(UserFactory(role=Role.ADMIN), "t", "read,write")
    body = _StreamedBody(app.config["MAX_CONTENT_LENGTH"] + 1)  # one byte too many
    response = _post_streamed(client, "/api/v1/kits/import", io.BufferedReader(body), raw)
    assert_envelope(response, 413, "request_entity_too_large")


def test_a_streamed_json_body_within_the_limit_is_read_whole(app, client):
    _, raw = create_api_token(UserFactory(role=Role.RECRUITER), "t", "read,write")
    document = b'{"full_name": "Streamed Person", "email": "streamed@example.com"}'
    padded = document + b" " * (app.config["MAX_CONTENT_LENGTH"] - len(document))  # exactly the limit
    response = _post_streamed(client, "/api/v1/candidates", io.BytesIO(padded), raw)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["full_name"] == "Streamed Person"
