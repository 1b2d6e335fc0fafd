"""Who sees which kind of event of a candidate's history, on which surface.

One candidate (``tests/timeline_world.py``) has every kind of event: feedback submitted by a peer,
an interviewer's draft, a decision, an assessment override, a note on the application and a general
note, emails, and stage moves with their reasons, on an opening whose feedback shows to fellow
interviewers only after they submitted their own; the candidate also applied to another opening.
Each role opens each surface; the table says what it must see. Every surface reads the same rules
of ``security.py`` (``events_visible_to`` and the object rules it reuses), so they cannot disagree.
"""

from __future__ import annotations

import ast
import html
import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import select

import hirewise
from hirewise.audit.models import AuditEvent
from hirewise.auth.models import User
from hirewise.auth.services import create_api_token
from hirewise.candidates.models import Application, Note
from hirewise.extensions import db
from hirewise.interviews.models import Interview
from hirewise.mail.models import OutboxMessage
from hirewise.security import (
    EVENT_RULES,
    can_view_candidate_email,
    can_view_event,
    can_view_event_reason,
    can_view_interview,
    can_view_move_reasons,
    can_view_note,
    candidate_emails_visible_to,
    event_reasons_visible_to,
    events_visible_to,
    interviews_visible_to,
    move_reasons_visible_to,
    notes_visible_to,
)
from tests.timeline_world import (
    CANDIDATE_NAME,
    DECISION_REASON,
    DRAFTER_INTERVIEW,
    EMAIL_SUBJECT,
    GENERAL_NOTE_BODY,
    MOVE_REASON,
    NOTE_BODY,
    OTHER_EMAIL_SUBJECT,
    OTHER_REJECTION_REASON,
    OVERRIDE_REASON,
    PEER_SUMMARY,
    World,
    build_world,
)

ROLES = (
    "admin",
    "recruiter",
    "manager_on_team",
    "manager_off_team",
    "manager_other_opening",
    "manager_on_panel",
    "interviewer_with_draft",
    "interviewer_submitted",
    "interviewer_unassigned",
)

# What each role sees of each kind of event on the candidate's timeline, page and API alike.
# Y = shown, . = hidden; one column per role, in the order of ROLES. "other opening": a hiring
# manager on the team of the candidate's other application; "on panel": a hiring manager who
# interviews the candidate (a panel of the application) but is not on the opening's team.
#                               admin  recruiter manager  manager  manager  manager   inter-   inter-   inter-
#                                                   on      off     other      on     viewer   viewer   viewer
#                                                  team     team   opening   panel     with     sub-     un-
#                                                                                     draft    mitted  assigned
TIMELINE = {
    "peer_feedback": "            Y        Y        Y        .        .        .        .        Y        .",
    "own_feedback_draft": "       Y        .        .        .        .        .        Y        .        .",
    "decision": "                 Y        Y        Y        .        .        .        .        .        .",
    "decision_reason": "          Y        Y        Y        .        .        .        .        .        .",
    "assessment_override": "      Y        Y        Y        .        .        .        .        .        .",
    "note": "                     Y        Y        Y        .        .        Y        Y        Y        .",
    "general_note": "             Y        Y        Y        .        Y        .        .        .        .",
    "email_to_candidate": "       Y        Y        Y        .        Y        .        .        .        .",
    "email_about_other_app": "    Y        Y        .        .        Y        .        .        .        .",
    "stage_move": "               Y        Y        Y        .        .        Y        Y        Y        .",
    "move_reason": "              Y        Y        Y        .        .        .        .        .        .",
    "other_app_rejection": "      Y        Y        .        .        Y        .        .        .        .",
}
# Why, row by row: feedback as the feedback (after_submit: a peer's once one's own is submitted;
# a draft only to its author), a decision as the debrief, an override as the assessment review
# (staff and the hiring team, never interviewers). A note on the application and a stage move as
# the application (its assigned interviewers too), but the reason of a move or a rejection (a
# decision's reason becomes the move's) only as the debrief: interviewers see that it moved, not
# why; the other application's rejection is its own team's. A general note, and an email about the
# candidate, reach staff and the hiring team of any opening the candidate applied to; an email
# about one application, that opening's team; interviewers never see emails or general notes. The
# manager on a panel interviews the candidate, so sees the application as its interviewers do.
# Admins read the whole audit log, so they see every event.

# The text by which each kind of event shows; any of them showing counts as the event showing.
MARKERS = {
    "peer_feedback": (PEER_SUMMARY,),
    "own_feedback_draft": (f"Started feedback on {DRAFTER_INTERVIEW}",),
    "decision": ("decided to advance",),
    "decision_reason": (DECISION_REASON,),
    "assessment_override": (OVERRIDE_REASON,),
    "note": ("added a note on", NOTE_BODY),
    "general_note": ("added a general note on", GENERAL_NOTE_BODY),
    "email_to_candidate": (EMAIL_SUBJECT,),
    "email_about_other_app": (OTHER_EMAIL_SUBJECT,),
    "stage_move": (f"moved {CANDIDATE_NAME} from",),
    "move_reason": (MOVE_REASON,),
    "other_app_rejection": (OTHER_REJECTION_REASON,),
}
KINDS = tuple(TIMELINE)
OPENING_TEAM = {"admin", "recruiter", "manager_on_team"}
# Who finds the candidate at all: through an application they may see.
SEES_THE_CANDIDATE = {
    "admin",
    "recruiter",
    "manager_on_team",
    "manager_other_opening",
    "manager_on_panel",
    "interviewer_with_draft",
    "interviewer_submitted",
}
# Anchored on the candidate only (no opening), or on the other opening: not on this opening's timeline.
NOT_ON_THIS_OPENING = {"general_note", "email_to_candidate", "email_about_other_app", "other_app_rejection"}
# What the application page shows of the history: its notes and its stage history with the reasons.
ON_THE_APPLICATION_PAGE = {"note", "move_reason", "decision_reason"}
EMAILS = {"email_to_candidate", "email_about_other_app"}


def timeline_expects(role: str, kind: str) -> bool:
    return TIMELINE[kind].split()[ROLES.index(role)] == "Y"


# Per surface, what it must show, derived from the table.
SURFACES: dict[str, Callable[[str, str], bool]] = {
    "candidate_page": timeline_expects,
    # The candidate's timeline, the application's notes and detail (stage history), the applications list.
    "api": timeline_expects,
    # The opening's timeline: the same events, for those who may open the opening.
    "opening_page": lambda role, kind: (
        role in OPENING_TEAM and kind not in NOT_ON_THIS_OPENING and timeline_expects(role, kind)
    ),
    "application_page": lambda role, kind: kind in ON_THE_APPLICATION_PAGE and timeline_expects(role, kind),
    # The audit log page is the admins' own.
    "audit_log": lambda role, kind: role == "admin",
    # The Outbox stays the staff's (admins: every email; recruiters: emails to candidates). Every email
    # includes the notification emailed to the interviews' organizer of the decision (not its reason).
    "outbox": lambda role, kind: (
        (role in {"admin", "recruiter"} and kind in EMAILS) or (role == "admin" and kind == "decision")
    ),
    # Search matches names, email addresses and résumé text, never what was written about someone.
    "search": lambda role, kind: False,
    # The CSV holds name, contact, stage, source and skills: no event, note or email.
    "csv_export": lambda role, kind: False,
}


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    if response.status_code in (403, 404):
        return ""
    assert response.status_code == 200, (url, response.status_code)
    return html.unescape(response.get_data(as_text=True))


def _api(client: FlaskClient, user: User, url: str) -> str:
    _, raw = create_api_token(user, "matrix", "read")
    db.session.commit()
    response = client.get(url, headers={"Authorization": f"Bearer {raw}"})
    g.pop("_login_user", None)  # the test keeps one app context: do not stay signed in as the token's user
    if response.status_code in (403, 404):
        return ""
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def _shown_in(text: str) -> set[str]:
    return {kind for kind, markers in MARKERS.items() if any(marker in text for marker in markers)}


def role_of(world: World, user: User) -> str:
    return next(role for role in ROLES if world.user(role).id == user.id)


def _finds_the_candidate(client: FlaskClient, user: User, world: World, text: str) -> bool:
    """Does searching ``text`` list the candidate: candidates page, applications list or API?"""
    q = quote(text)
    links = (f'href="/candidates/{world.candidate_id}"', f'href="/applications/{world.application.id}"')
    pages = _page(client, f"/candidates?q={q}") + _page(
        client, f"/openings/{world.opening.id}/applications?q={q}"
    )
    listed = {
        (url, item["id"])
        for url in ("applications", "candidates")
        for item in json.loads(_api(client, user, f"/api/v1/{url}?q={q}") or '{"items": []}')["items"]
    }
    in_api = {("applications", world.application.id), ("candidates", world.candidate_id)} & listed
    return any(link in pages for link in links) or bool(in_api)


def _seen(surface: str, client: FlaskClient, auth, world: World, user: User) -> set[str]:
    """The kinds of event ``user`` finds on ``surface``."""
    candidate, application, opening = world.candidate_id, world.application.id, world.opening.id
    if surface == "api":
        return _shown_in(
            _api(client, user, f"/api/v1/candidates/{candidate}/timeline")
            + _api(client, user, f"/api/v1/applications/{application}/notes")
            + _api(client, user, f"/api/v1/applications/{application}")
            + _api(client, user, "/api/v1/applications")
        )
    auth.login(user)
    if surface == "candidate_page":
        return _shown_in(_page(client, f"/candidates/{candidate}"))
    if surface == "opening_page":
        return _shown_in(_page(client, f"/openings/{opening}"))
    if surface == "application_page":
        return _shown_in(_page(client, f"/applications/{application}"))
    if surface == "outbox":
        return _shown_in(_page(client, "/outbox"))
    if surface == "audit_log":
        return _shown_in(_page(client, "/admin/audit"))
    if surface == "csv_export":
        return _shown_in(_page(client, f"/openings/{opening}/applications.csv"))
    if surface == "search":
        finds = lambda text: _finds_the_candidate(client, user, world, text)  # noqa: E731
        # A control: the search works, and finds the candidate by name for whoever may see an application.
        assert finds(CANDIDATE_NAME) is (role_of(world, user) in SEES_THE_CANDIDATE)
        return {kind for kind, markers in MARKERS.items() if any(finds(marker) for marker in markers)}
    raise AssertionError(surface)


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_on_each_surface_what_the_table_says(client, auth, role, surface):
    world = build_world()
    seen = _seen(surface, client, auth, world, world.user(role))
    expected = {kind for kind in KINDS if SURFACES[surface](role, kind)}
    assert {kind: kind in seen for kind in KINDS} == {kind: kind in expected for kind in KINDS}


# --- the predicate and the SQL filter are one rule ---------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_predicates_and_sql_filters_agree_on_every_event_note_and_interview(role):
    world = build_world()
    user = world.user(role)

    def agree(model, predicate, sql_filter, rows=None):
        rows = rows if rows is not None else db.session.execute(select(model)).scalars().all()
        listed = set(db.session.execute(select(model.id).where(sql_filter(user))).scalars())
        assert {row.id: predicate(user, row) for row in rows} == {row.id: row.id in listed for row in rows}
        return rows

    assert len(agree(AuditEvent, can_view_event, events_visible_to)) > 20
    agree(Note, can_view_note, notes_visible_to)
    agree(Interview, can_view_interview, interviews_visible_to)
    assert len(agree(OutboxMessage, can_view_candidate_email, candidate_emails_visible_to)) > 3
    agree(Application, can_view_move_reasons, move_reasons_visible_to)
    agree(AuditEvent, can_view_event_reason, event_reasons_visible_to)


# --- every kind of event is classified ----------------------------------------------------------


def _recorded_object_types() -> dict[str, list[str]]:
    """Every ``record(actor, action, object_type, ...)`` call in the code, by object type."""
    found: dict[str, list[str]] = {}
    root = Path(hirewise.__file__).parent
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "record" or len(node.args) < 3:
                continue
            where = f"{path.relative_to(root)}:{node.lineno}"
            kind = node.args[2]
            assert isinstance(kind, ast.Constant) and isinstance(kind.value, str), (
                f"{where}: write the object type as a string literal, so this test can classify it"
            )
            found.setdefault(kind.value, []).append(where)
    return found


def test_every_kind_of_audit_event_has_a_visibility_rule():
    recorded = _recorded_object_types()
    assert len(recorded) > 15
    unclassified = {kind: where for kind, where in recorded.items() if kind not in EVENT_RULES}
    assert unclassified == {}, "add these object types to security.EVENT_RULES"
    assert set(EVENT_RULES) - set(recorded) == set(), "EVENT_RULES lists object types no code records"


# --- notifications: nobody is told of what they may not see -------------------------------------

# Who is notified of what, one column per role as in TIMELINE. A mention names all nine people in
# a note by the recruiter: it reaches whoever may read that note (the "note" and "general_note" rows
# of TIMELINE, but its author). Feedback reaches the hiring team who may read it and the interviews'
# organizer; the decision, the team who may see the debrief but its author (the manager); the
# submitted assessment, the recruiter who sent the link.
#                               admin  recruiter manager  manager  manager  manager   inter-   inter-   inter-
#                                                   on      off     other      on     viewer   viewer   viewer
#                                                  team     team   opening   panel     with     sub-     un-
#                                                                                     draft    mitted  assigned
NOTIFIED = {
    "mention_in_note": "          Y        .        Y        .        .        Y        Y        Y        .",
    "mention_in_general_note": "  Y        .        Y        .        Y        .        .        .        .",
    "feedback_submitted": "       .        Y        Y        .        .        .        .        .        .",
    "decision": "                 .        Y        .        .        .        .        .        .        .",
    "assessment_submitted": "     .        Y        .        .        .        .        .        .        .",
}
NOTIFICATION_MARKERS = {
    "feedback_submitted": "submitted feedback on",
    "decision": "decided to advance",
    "assessment_submitted": "submitted the assessment",
}
# What a notification never carries, whoever receives it: what was written, said or scored.
NEVER_IN_A_NOTIFICATION = (NOTE_BODY, GENERAL_NOTE_BODY, PEER_SUMMARY, DECISION_REASON, OVERRIDE_REASON)


def _told(text: str, world: World) -> set[str]:
    found = {kind for kind, marker in NOTIFICATION_MARKERS.items() if marker in text}
    if f"/applications/{world.application.id}" in text and "mentioned you in a note" in text:
        found.add("mention_in_note")
    if f"/candidates/{world.candidate_id}" in text and "mentioned you in a note" in text:
        found.add("mention_in_general_note")
    return found


def test_mention_rows_follow_the_note_rows_of_the_timeline():
    for mention, note in (("mention_in_note", "note"), ("mention_in_general_note", "general_note")):
        by_role = dict(zip(ROLES, NOTIFIED[mention].split(), strict=True))
        expected = {
            role: "Y" if timeline_expects(role, note) and role != "recruiter" else "." for role in ROLES
        }
        assert by_role == expected


@pytest.mark.parametrize("role", ROLES)
def test_notifications_tell_each_role_what_the_table_says_on_the_page_and_in_the_api(client, auth, role):
    world = build_world()
    everyone = " ".join(f"@{world.user(name).email.split('@')[0]}" for name in ROLES)
    recruiter = world.user("recruiter")
    candidate = world.application.candidate
    from hirewise.candidates.services import add_note

    add_note(recruiter, candidate, f"For {everyone}: a look, please.", world.application.id)
    add_note(recruiter, candidate, f"cc {everyone}")
    user = world.user(role)
    from_api = _api(client, user, "/api/v1/notifications?per_page=100")
    auth.login(user)
    from_page = _page(client, "/notifications")
    expected = {kind for kind, row in NOTIFIED.items() if row.split()[ROLES.index(role)] == "Y"}
    assert _told(from_api, world) == expected
    # The page lists the same notifications; its links go through "Open", so mentions are counted.
    mentions = {"mention_in_note", "mention_in_general_note"}
    assert {
        kind for kind, marker in NOTIFICATION_MARKERS.items() if marker in from_page
    } == expected - mentions
    assert from_page.count("mentioned you in a note") == len(expected & mentions)
    for secret in NEVER_IN_A_NOTIFICATION:
        assert secret not in from_api and secret not in from_page
