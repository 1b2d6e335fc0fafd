"""Every route of the app, checked for the two roles that must see nothing of the hiring data.

The per-feature permission matrices test each role in detail; this sweep makes sure that no route
was forgotten: a new route fails here until it is classified below. The same goes for the routes
that show a candidate's history (feedback, decisions, scores, notes, emails): each must be listed
in ``HISTORY_SURFACES`` with the rule it goes through.
"""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from hirewise.auth.models import Role
from hirewise.auth.services import create_api_token
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage
from tests import timeline_world
from tests.factories import ApplicationFactory, KitFactory, UserFactory

# Routes anyone may use without signing in.
PUBLIC = {
    "static",
    "auth.login",
    "auth.accept_invitation",
    "careers.index",
    "careers.opening",
    "careers.apply",
    "careers.applied",
    "api-docs.openapi_json",
    "api_docs.docs_page",
    "health.healthz",
    # The candidate's assessment page: the private link's token is the credential.
    "candidate_assessments.take",
    "candidate_assessments.start",
    "candidate_assessments.save_answer",
    "candidate_assessments.submit",
    "candidate_assessments.run_examples",
    "candidate_assessments.example_run",
    # The candidate's assessment API: the private link's token in the path is the credential.
    "api_candidate_assessments.CandidateAttempt",
    "api_candidate_assessments.StartAttempt",
    "api_candidate_assessments.SaveAnswer",
    "api_candidate_assessments.SubmitAttempt",
    "api_candidate_assessments.ExampleRuns",
    "api_candidate_assessments.ExampleRun",
    # Privacy pages of candidates: the careers site's request form (it reveals nothing), and the
    # links it emails, whose signed token is the credential.
    "privacy.data_request",
    "privacy.candidate_export",
    "privacy.keep",
    "privacy.withdraw",
    "privacy.scores",
    "privacy.request_review",
}
# Routes a signed-in interviewer may use: their own account and home.
INTERVIEWER_ALLOWED = {
    "auth.logout",
    "auth.account",
    "auth.revoke_token",
    "auth.end_session",
    "auth.end_other_sessions",
    "openings.dashboard",
    "interviews.mine",
    # Their own notifications (notifications_visible_to).
    "notifications.index",
    "notifications.mark_read",
    "notifications.mark_all_read",
    "notifications.delivery",
    # The reports page: an interviewer sees only their own interview statistics
    # (interview_statistics_visible_to); the pipeline reports are not shown to them.
    "reports.index",
}
# Routes only admins may use: users, email templates, the audit log, the organisation settings.
# Every route under /admin/ or /api/v1/settings must be listed here.
ADMIN_ONLY = {
    "auth.users",
    "auth.edit_user",
    "auth.end_user_sessions",
    "mail.templates",
    "mail.edit_template",
    "audit.index",
    "organisation.settings",
    "organisation.revoke_api_tokens",
    "api_organisation.Settings",
    "privacy.admin",
    "privacy.admin_settings",
    "privacy.admin_run_retention",
    "api_privacy.Settings",
    "api_privacy.RetentionPreview",
    "api_privacy.RetentionRuns",
}
ADMIN_PREFIXES = ("/admin/", "/api/v1/settings", "/api/v1/privacy")
# Routes that show what was written or decided about a candidate: feedback (submitted or draft), a
# decision, an assessment override, a note, an email, a stage move's reason. Each reads through the
# rule named here, from security.py; a route that shows one of them and is missing here fails
# test_every_route_showing_a_candidates_history_is_classified. Who sees what on the timelines is
# tested in test_visibility_matrix.py, the rest in each feature's permission tests.
HISTORY_SURFACES = {
    # Timelines: events_visible_to (an event is as visible as its object), the reasons of moves as
    # event_reasons_visible_to, and emails as candidate_emails_visible_to.
    "candidates.profile": "events_visible_to, event_reasons_visible_to, notes_visible_to, candidate_emails_visible_to",
    "openings.detail": "can_view_opening, events_visible_to, event_reasons_visible_to",
    "api_candidates.CandidateTimeline": (
        "can_view_candidate, events_visible_to, event_reasons_visible_to, candidate_emails_visible_to"
    ),
    "audit.index": "can_view_audit_log",
    # The objects themselves.
    "candidates.application": "can_view_application, notes_visible_to, can_view_move_reasons (stage history)",
    "api_applications.ApplicationResource": "can_view_application, move_reasons_visible_to (stage history)",
    "api_applications.Applications": "applications_visible_to, move_reasons_visible_to (rejection reasons)",
    "api_applications.ApplicationNotes": "can_view_application, notes_visible_to",
    "feedback.view": "can_view_feedback",
    "api_feedback.get_feedback": "can_view_feedback",
    "api_feedback.list_feedback": "feedback_visible_to",
    "decisions.debrief": "can_view_debrief",
    "api_decisions.DebriefResource": "can_view_debrief",
    "assessments.review": "can_review_assessment",
    "api_assessments.AttemptReview": "can_review_assessment",
    "mail.outbox": "can_view_outbox, outbox_messages_visible_to",
    "mail.message": "can_view_outbox_message",
    # Everything held about the person (a ZIP whose JSON document is stored uncompressed): staff only.
    "privacy.staff_export": "can_export_candidate",
    "api_candidate_privacy.CandidateExport": "can_export_candidate",
    # The funnel's drop-off counts rejections per reason: report_openings_visible_to, which is the
    # rule of can_view_move_reasons (staff and the hiring team); interviewers get no funnel.
    "reports.index": "can_view_pipeline_reports, report_openings_visible_to (rejection reasons)",
    "api_reports.funnel": "can_view_pipeline_reports, report_openings_visible_to (rejection reasons)",
}


def _fill(rule: Rule, ids: dict[str, int]) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(ids.get(arg, 1)), url)
    return url


def _urls(app: Flask, ids: dict[str, int]) -> list[tuple[str, str, str]]:
    rows = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        url = _fill(rule, ids)
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        rows.append((rule.endpoint, method, url))
    return rows


@pytest.fixture
def ids() -> dict[str, int]:
    application = ApplicationFactory()
    kit = KitFactory()
    other = UserFactory()
    return {
        "opening_id": application.opening_id,
        "application_id": application.id,
        "candidate_id": application.candidate_id,
        "kit_id": kit.id,
        "user_id": other.id,
        "skill_id": application.opening.skills[0].id,
        "stage_id": application.stage_id,
        "message_id": 1,
        "template_id": 1,
        "token_id": 1,
        "note_id": 1,
    }


def test_anonymous_is_sent_to_login_or_gets_401(app, client, ids):
    for endpoint, method, url in _urls(app, ids):
        response = client.open(url, method=method)
        if url.startswith("/api/"):
            assert response.status_code == 401, (endpoint, url, response.status_code)
            assert response.get_json()["error"]["status"] == 401
        else:
            assert response.status_code == 302, (endpoint, url, response.status_code)
            assert "/login" in response.headers["Location"], (endpoint, url)


def test_interviewer_without_assignments_sees_no_hiring_data(app, client, auth, ids):
    auth.login(Role.INTERVIEWER)
    for endpoint, method, url in _urls(app, ids):
        if url.startswith("/api/") or endpoint in INTERVIEWER_ALLOWED:
            continue
        response = client.open(url, method=method)
        assert response.status_code in (403, 404), (endpoint, url, response.status_code)


def test_admin_routes_are_classified(app):
    under_admin = {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith(ADMIN_PREFIXES)}
    assert under_admin == ADMIN_ONLY, (under_admin - ADMIN_ONLY, ADMIN_ONLY - under_admin)


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.HIRING_MANAGER, Role.INTERVIEWER])
def test_only_admins_use_admin_routes(app, client, auth, ids, role):
    user = auth.login(role)
    _, raw = create_api_token(user, "sweep", "read,write")
    db.session.commit()
    bearer = {"Authorization": f"Bearer {raw}"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in ADMIN_ONLY:
            continue
        url = _fill(rule, ids)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            headers = bearer if url.startswith("/api/") else {}
            response = client.open(
                url, method=method, headers=headers, json={} if method == "PATCH" else None
            )
            assert response.status_code == 403, (rule.endpoint, method, url, response.status_code)
            checked += 1
    assert checked >= len(ADMIN_ONLY)


HUGE = str(10**20)


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("GET", f"/openings/{HUGE}", None),
        ("GET", f"/applications/{HUGE}", None),
        ("GET", f"/kits/{HUGE}", None),
        ("GET", f"/candidates?page={HUGE}", None),
        ("GET", f"/outbox?page={HUGE}", None),
        ("GET", f"/admin/audit?page={HUGE}", None),
        ("GET", f"/openings?page={HUGE}", None),
        ("GET", f"/api/v1/openings/{HUGE}", None),
    ],
)
def test_huge_numbers_are_a_clean_4xx_or_clamped(client, auth, method, url, data):
    auth.login(Role.ADMIN)
    response = client.open(url, method=method, data=data, headers={})
    assert response.status_code in (200, 400, 401, 404), (url, response.status_code)


def test_huge_ids_in_forms_and_filters_give_no_500(client, auth):
    application = ApplicationFactory()
    auth.login(Role.ADMIN)
    opening_id = application.opening_id
    responses = [
        client.get(f"/openings/{opening_id}/applications?stage_id={HUGE}"),
        client.post(
            f"/candidates/{application.candidate_id}/notes", data={"body": "x", "application_id": HUGE}
        ),
        client.post(f"/candidates/{application.candidate_id}/applications", data={"opening_id": HUGE}),
        client.post(
            f"/openings/{opening_id}/applications/bulk",
            data={"action": "move", "application_ids": HUGE, "stage_id": application.stage_id},
        ),
    ]
    assert [r.status_code for r in responses if r.status_code >= 500] == []


def test_every_route_showing_a_candidates_history_is_classified(app, client, auth):
    """An admin sees everything: every GET route that shows them a piece of the history is listed."""
    world = timeline_world.build_world()
    email = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.subject == timeline_world.EMAIL_SUBJECT)
    ).scalar_one()
    attempt = world.override.attempt
    ids = {
        "opening_id": world.opening.id,
        "application_id": world.application.id,
        "candidate_id": world.candidate_id,
        "feedback_id": world.peer_feedback.id,
        "interview_id": world.drafter_interview.id,
        "attempt_id": attempt.id,
        "assessment_id": attempt.invitation.assessment_id,
        "answer_id": world.override.id,
        "message_id": email.id,
        "skill_id": world.opening.skills[0].id,
        "user_id": world.peer.id,
        "index": 0,
    }
    markers = [
        timeline_world.PEER_SUMMARY,
        timeline_world.DRAFT_SUMMARY,
        f"Started feedback on {timeline_world.DRAFTER_INTERVIEW}",
        timeline_world.DECISION_REASON,
        "decided to advance",
        timeline_world.OVERRIDE_REASON,
        timeline_world.NOTE_BODY,
        "added a note on",
        timeline_world.GENERAL_NOTE_BODY,
        "added a general note on",
        timeline_world.EMAIL_SUBJECT,
        timeline_world.OTHER_EMAIL_SUBJECT,
        timeline_world.MOVE_REASON,
        timeline_world.OTHER_REJECTION_REASON,
    ]
    auth.login(world.admin)
    _, raw = create_api_token(world.admin, "sweep", "read")
    db.session.commit()
    showing = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC or "GET" not in rule.methods:
            continue
        url = _fill(rule, ids)
        headers = {"Authorization": f"Bearer {raw}"} if url.startswith("/api/") else {}
        # Bytes read as text whatever they are: a ZIP or a résumé shows its text parts too.
        text = html.unescape(client.get(url, headers=headers).get_data().decode("utf-8", "replace"))
        if any(marker in text for marker in markers):
            showing.add(rule.endpoint)
    assert showing == set(HISTORY_SURFACES), (
        showing - set(HISTORY_SURFACES),
        set(HISTORY_SURFACES) - showing,
    )
