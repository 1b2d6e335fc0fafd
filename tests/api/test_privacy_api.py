"""The privacy API: settings and retention for admins; export, erasure and legal hold of one candidate."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role
from hirewise.candidates.documents import ResumeUpload
from hirewise.candidates.models import Candidate
from hirewise.candidates.services import replace_resume
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage
from hirewise.privacy.models import Erasure
from tests.api.test_assessments_api import headers
from tests.factories import ApplicationFactory, UserFactory
from tests.integration.test_careers import make_pdf


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body: dict[str, Any] = response.get_json()["error"]
    assert body["status"] == status and body["message"]
    return body


def test_admin_reads_and_changes_the_privacy_settings(client):
    admin = UserFactory(role=Role.ADMIN)
    auth = headers(admin)
    assert client.get("/api/v1/privacy/settings", headers=auth).get_json()["retention_notice_days"] == 14
    changed = client.patch(
        "/api/v1/privacy/settings",
        json={"retention_notice_days": 30, "export_includes_feedback": True},
        headers=auth,
    )
    assert changed.status_code == 200, changed.get_json()
    assert (
        changed.get_json()["retention_notice_days"] == 30 and changed.get_json()["export_includes_feedback"]
    )
    error(client.patch("/api/v1/privacy/settings", json={"retention_notice_days": 0}, headers=auth), 422)
    error(client.patch("/api/v1/privacy/settings", json={"retention_notice_days": "x"}, headers=auth), 422)
    error(client.patch("/api/v1/privacy/settings", json={}, headers=auth), 422)
    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "privacy_settings")
    ).scalars()
    assert [event.after for event in events] == [
        {"retention_notice_days": 30, "export_includes_feedback": True}
    ]


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.HIRING_MANAGER, Role.INTERVIEWER])
def test_only_admins_use_privacy_settings_and_retention(client, role):
    auth = headers(UserFactory(role=role))
    for method, url, body in (
        ("GET", "/api/v1/privacy/settings", None),
        ("PATCH", "/api/v1/privacy/settings", {"retention_notice_days": 3}),
        ("GET", "/api/v1/privacy/retention/preview", None),
        ("GET", "/api/v1/privacy/retention/runs", None),
        ("POST", "/api/v1/privacy/retention/runs", {"dry_run": True}),
    ):
        error(client.open(url, method=method, json=body, headers=auth), 403)


def _candidate_with_resume() -> Candidate:
    application = ApplicationFactory()
    db.session.commit()
    replace_resume(UserFactory(role=Role.ADMIN), application, ResumeUpload("cv.pdf", make_pdf("Export me")))
    return application.candidate


@pytest.mark.parametrize(
    ("role", "export", "erase", "hold"),
    [
        (Role.ADMIN, 200, 201, 201),
        (Role.RECRUITER, 200, 201, 403),
        (Role.HIRING_MANAGER, 403, 403, 403),
        (Role.INTERVIEWER, 403, 403, 403),
    ],
)
def test_who_may_export_erase_and_hold(client, role, export, erase, hold):
    auth = headers(UserFactory(role=role))
    candidate = _candidate_with_resume()
    assert client.get(f"/api/v1/candidates/{candidate.id}/export", headers=auth).status_code == export
    assert client.get(f"/api/v1/candidates/{candidate.id}/privacy", headers=auth).status_code == export
    held = client.post(
        f"/api/v1/candidates/{candidate.id}/legal-hold", json={"reason": "claim"}, headers=auth
    )
    assert held.status_code == hold
    if hold == 201:
        client.delete(f"/api/v1/candidates/{candidate.id}/legal-hold", headers=auth)
    erased = client.post(f"/api/v1/candidates/{candidate.id}/erasure", json={"reason": "asked"}, headers=auth)
    assert erased.status_code == erase


def test_export_is_a_zip_of_the_json_document_and_the_original_files(client):
    recruiter = UserFactory(role=Role.RECRUITER)
    candidate = _candidate_with_resume()
    response = client.get(f"/api/v1/candidates/{candidate.id}/export", headers=headers(recruiter))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    document = json.loads(archive.read("candidate.json"))
    assert document["profile"]["email"] == candidate.email
    [application] = document["applications"]
    assert application["resume"]["filename"] == "cv.pdf"
    assert archive.read(application["resume"]["file_in_archive"]).startswith(b"%PDF")
    assert application["stage_history"] is not None and application["interview_feedback"] == []
    assert "reviews" in document["automated_scoring"]
    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.candidate_id == candidate.id, AuditEvent.action == "export")
    ).scalars()
    assert [event.actor_id for event in events] == [recruiter.id]


def test_erasure_under_a_legal_hold_is_refused_and_says_why(client):
    admin = UserFactory(role=Role.ADMIN)
    candidate = _candidate_with_resume()
    auth = headers(admin)
    placed = client.post(
        f"/api/v1/candidates/{candidate.id}/legal-hold", json={"reason": "Tribunal claim 42"}, headers=auth
    )
    assert placed.status_code == 201 and placed.get_json()["reason"] == "Tribunal claim 42"
    refused = error(
        client.post(f"/api/v1/candidates/{candidate.id}/erasure", json={"reason": "asked"}, headers=auth), 409
    )
    assert "legal hold" in refused["message"] and "Tribunal claim 42" in refused["message"]
    status = client.get(f"/api/v1/candidates/{candidate.id}/privacy", headers=auth).get_json()
    assert status["legal_hold"]["reason"] == "Tribunal claim 42" and status["erasure"] is None
    assert client.delete(f"/api/v1/candidates/{candidate.id}/legal-hold", headers=auth).status_code == 200
    erased = client.post(f"/api/v1/candidates/{candidate.id}/erasure", json={"reason": "asked"}, headers=auth)
    assert erased.status_code == 201 and erased.get_json()["trigger"] == "request"
    assert erased.get_json()["rows_changed"]["documents"] == 1
    error(
        client.post(f"/api/v1/candidates/{candidate.id}/erasure", json={"reason": "again"}, headers=auth), 409
    )
    error(client.get(f"/api/v1/candidates/{candidate.id}/export", headers=auth), 409)


def test_bad_input_is_a_clear_4xx(client):
    auth = headers(UserFactory(role=Role.ADMIN))
    candidate = _candidate_with_resume()
    error(client.post(f"/api/v1/candidates/{candidate.id}/erasure", json={"reason": ""}, headers=auth), 422)
    error(
        client.post(f"/api/v1/candidates/{candidate.id}/erasure", json={"reason": "x" * 1001}, headers=auth),
        422,
    )
    error(client.post(f"/api/v1/candidates/{candidate.id}/erasure", headers=auth), 422)
    error(client.post("/api/v1/candidates/999999/erasure", json={"reason": "asked"}, headers=auth), 404)
    error(client.get("/api/v1/candidates/999999/export", headers=auth), 404)


def test_retention_preview_and_run_through_the_api(client):
    admin = UserFactory(role=Role.ADMIN)
    auth = headers(admin)
    past = ApplicationFactory().candidate
    past.retain_until = utcnow() - timedelta(days=400)
    soon = ApplicationFactory().candidate
    soon.retain_until = utcnow() + timedelta(days=3)
    later = ApplicationFactory().candidate
    later.retain_until = utcnow() + timedelta(days=300)
    db.session.commit()

    preview = client.get("/api/v1/privacy/retention/preview", headers=auth)
    assert preview.status_code == 200
    actions = {item["candidate_id"]: item["action"] for item in preview.get_json()}
    assert actions == {past.id: "erase", soon.id: "notice"}

    dry = client.post("/api/v1/privacy/retention/runs", json={"dry_run": True}, headers=auth)
    assert dry.status_code == 201 and dry.get_json()["erased"] == 1 and dry.get_json()["dry_run"] is True
    assert db.session.execute(select(Erasure)).first() is None

    real = client.post("/api/v1/privacy/retention/runs", json={}, headers=auth)
    assert real.status_code == 201, real.get_json()
    assert (real.get_json()["erased"], real.get_json()["notices_sent"]) == (1, 1)
    assert db.session.execute(select(Erasure.candidate_id)).scalars().all() == [past.id]
    notice = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.candidate_id == soon.id)
    ).scalar_one()
    assert "/privacy/keep/" in notice.body
    runs = client.get("/api/v1/privacy/retention/runs", headers=auth).get_json()
    assert runs["meta"]["total"] == 2 and runs["items"][0]["dry_run"] is False
    # A second run sends no second notice and erases nobody else.
    again = client.post("/api/v1/privacy/retention/runs", json={}, headers=auth).get_json()
    assert (again["erased"], again["notices_sent"]) == (0, 0)
