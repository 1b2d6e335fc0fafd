"""Issue 9: the candidate timeline showed interviewers what the visibility rules hide.

The attack as reported: with "show peer feedback only after submitting", an interviewer who has
only a draft opened /candidates/<id> and read the other interviewer's submitted summary and
ratings, the decision's fit score and gate, and an assessment override with its points and reason,
while the debrief and review pages refused them. Here the interviewer tries every page and API
route that shows the candidate's history, before and after submitting, under each
``feedback_visibility``.

The follow-ups: a decision's reason (the debrief's reasoning) becomes the stage move's and the
rejection's reason, so interviewers see that the application moved, never why; general notes and
emails stay with staff and the hiring team; a hiring manager who sits on an interview panel without
being on the opening's team sees that interview, and nothing more than an interviewer would.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta

import pytest
from flask import g
from flask.testing import FlaskClient

from hirewise.auth.models import User
from hirewise.auth.services import create_api_token
from hirewise.candidates import services as candidates
from hirewise.candidates.models import Application
from hirewise.decisions import services as decisions
from hirewise.extensions import db
from hirewise.feedback import services as feedback
from hirewise.openings.models import FeedbackVisibility
from tests.integration.test_feedback_services import complete
from tests.timeline_world import (
    CANDIDATE_NAME,
    DECISION_REASON,
    DRAFT_SUMMARY,
    DRAFTER_INTERVIEW,
    EMAIL_SUBJECT,
    GENERAL_NOTE_BODY,
    MOVE_REASON,
    NOTE_BODY,
    OTHER_EMAIL_SUBJECT,
    OVERRIDE_POINTS,
    OVERRIDE_REASON,
    PANEL_INTERVIEW,
    PEER_RATING,
    PEER_SUMMARY,
    World,
    build_world,
)

REJECT_REASON = "Reject reason 0a1b: fit too low, failed the must-have gate"


def _api_get(client: FlaskClient, user: User, url: str) -> tuple[int, str]:
    _, raw = create_api_token(user, "attack", "read")
    db.session.commit()
    response = client.get(url, headers={"Authorization": f"Bearer {raw}"})
    # The test keeps one app context: the token's user must not stay signed in for later page requests.
    g.pop("_login_user", None)
    return response.status_code, response.get_data(as_text=True)


def _what_the_interviewer_sees(client: FlaskClient, auth, world: World, user: User) -> str:
    """Every page and API answer about the candidate the interviewer can open, as one text."""
    auth.login(user)
    application = world.application
    pages = [f"/candidates/{world.candidate_id}", f"/applications/{application.id}"]
    seen = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        seen.append(html.unescape(response.get_data(as_text=True)))
    auth.logout()
    api_urls = [
        f"/api/v1/candidates/{world.candidate_id}",
        f"/api/v1/candidates/{world.candidate_id}/timeline",
        f"/api/v1/applications/{application.id}",
        "/api/v1/applications",
        f"/api/v1/applications/{application.id}/notes",
        f"/api/v1/feedback?application_id={application.id}",
        f"/api/v1/interviews?application_id={application.id}",
    ]
    for url in api_urls:
        status, body = _api_get(client, user, url)
        assert status == 200, (url, status, body[:300])
        seen.append(body)
    # The debrief and the assessment review stay closed to interviewers, on both sides.
    for url in (
        f"/api/v1/decisions/applications/{application.id}/debrief",
        f"/api/v1/assessments/applications/{application.id}/attempts",
    ):
        assert _api_get(client, user, url)[0] == 403, url
    auth.login(user)
    assert client.get(f"/applications/{application.id}/debrief").status_code == 403
    auth.logout()
    return "\n".join(seen)


def _decision_strings(world: World) -> list[str]:
    """What the debrief shows of the decision: its fit score and gate, here as the event recorded them."""
    fit = world.decision.fit_snapshot["fit"]
    gate = world.decision.fit_snapshot["gate"]
    assert fit is not None
    return ["decided to advance", f"<td>{fit}</td>", f'"fit": {fit}', f"<td>{gate}</td>", f'"gate": "{gate}"']


def _override_strings() -> list[str]:
    return [OVERRIDE_REASON, f"to {OVERRIDE_POINTS:g}/5", '"override_points"', "<td>override_points</td>"]


def _peer_strings() -> list[str]:
    # The summary, and the ratings as the submit event's snapshot holds them (HTML and JSON spellings).
    return [PEER_SUMMARY, f"'rating': {PEER_RATING}", f'"rating": {PEER_RATING}']


def _reason_strings() -> list[str]:
    # The reasons of the recruiter's move and of the decision's move (the debrief's reasoning).
    return [MOVE_REASON, DECISION_REASON, REJECT_REASON]


def _team_only_strings() -> list[str]:
    # General notes and emails: staff and the hiring team, never interviewers.
    return [GENERAL_NOTE_BODY, "added a general note on", EMAIL_SUBJECT, OTHER_EMAIL_SUBJECT]


def _leaks(seen: str, strings: list[str]) -> list[str]:
    return [text for text in strings if text in seen]


@pytest.mark.parametrize(
    ("visibility", "peer_visible_with_draft", "peer_visible_after_submit"),
    [
        (FeedbackVisibility.AFTER_SUBMIT, False, True),
        (FeedbackVisibility.NEVER, False, False),
        (FeedbackVisibility.ALWAYS, True, True),
    ],
)
def test_interviewer_with_a_draft_reads_only_what_the_rules_allow(
    client, auth, visibility, peer_visible_with_draft, peer_visible_after_submit
):
    world = build_world(visibility, submitter_submits=False)
    drafter = world.drafter

    seen = _what_the_interviewer_sees(client, auth, world, drafter)
    assert _leaks(seen, _decision_strings(world)) == []
    assert _leaks(seen, _override_strings()) == []
    assert _leaks(seen, _reason_strings()) == []
    assert _leaks(seen, _team_only_strings()) == []
    # That the application moved is theirs to see: on the timeline, without the reason.
    assert f"moved {CANDIDATE_NAME} from Applied to Screen" in seen
    peer = _leaks(seen, _peer_strings())
    assert (PEER_SUMMARY in peer) is peer_visible_with_draft, peer
    if not peer_visible_with_draft:
        assert peer == []
    # Their own draft stays theirs to see: on the timeline and in the feedback list.
    assert f"Started feedback on {DRAFTER_INTERVIEW}" in seen
    assert DRAFT_SUMMARY in seen

    feedback.submit_feedback(drafter, world.draft, **complete(world.draft, summary="Drafter submits"))
    seen = _what_the_interviewer_sees(client, auth, world, drafter)
    peer = _leaks(seen, _peer_strings())
    if peer_visible_after_submit:
        assert PEER_SUMMARY in peer
    else:
        assert peer == []
    # Interviewers never see the debrief or the assessment review, whatever they submitted.
    assert _leaks(seen, _decision_strings(world)) == []
    assert _leaks(seen, _override_strings()) == []
    assert _leaks(seen, _reason_strings()) == []
    assert _leaks(seen, _team_only_strings()) == []


def test_the_hiring_team_still_sees_all_of_it(client, auth):
    world = build_world()
    seen = _what_the_team_sees(client, auth, world)
    assert PEER_SUMMARY in seen
    assert OVERRIDE_REASON in seen
    assert "decided to advance" in seen
    # The reasons of the moves, the general note and the email about the candidate.
    assert _leaks(seen, [MOVE_REASON, DECISION_REASON, GENERAL_NOTE_BODY, EMAIL_SUBJECT]) == [
        MOVE_REASON,
        DECISION_REASON,
        GENERAL_NOTE_BODY,
        EMAIL_SUBJECT,
    ]
    # Nobody reads another person's draft, the hiring manager neither; an email about the
    # candidate's application to another opening is that opening's team's.
    assert DRAFT_SUMMARY not in seen
    assert OTHER_EMAIL_SUBJECT not in seen


def _reject(world: World) -> None:
    """The hiring manager rejects with a decision: its reason becomes the rejection's reason."""
    application = db.session.get(Application, world.application.id)
    assert application is not None
    decisions.record_decision(world.manager, application, kind="reject", reason=REJECT_REASON)
    db.session.expire_all()


def _application_as_api(client: FlaskClient, user: User, world: World) -> dict:
    status, body = _api_get(client, user, f"/api/v1/applications/{world.application.id}")
    assert status == 200, body[:300]
    return json.loads(body)


def test_interviewers_see_a_rejection_but_not_its_reason(client, auth):
    world = build_world()
    # The drafter's interview took place (they are writing feedback on it): a rejection cancels only
    # interviews still ahead, so the drafter stays on the panel and sees the rejection.
    world.drafter_interview.starts_at = datetime.now(UTC) - timedelta(days=1)
    db.session.commit()
    _reject(world)

    seen = _what_the_interviewer_sees(client, auth, world, world.drafter)
    assert _leaks(seen, _reason_strings()) == []
    assert f"rejected {CANDIDATE_NAME} from Interview to Rejected" in seen
    detail = _application_as_api(client, world.drafter, world)
    assert detail["stage"]["name"] == "Rejected"
    assert detail["rejection_reason"] is None
    # Every move is there (from, to, when, by whom), each without its reason.
    moves = detail["stage_moves"]
    assert len(moves) == 3
    assert all(move["reason"] is None and move["moved_at"] and move["to_stage_id"] for move in moves)
    assert {move["moved_by_id"] for move in moves} == {world.recruiter.id, world.manager.id}
    status, body = _api_get(client, world.drafter, "/api/v1/applications")
    assert status == 200
    assert [item["rejection_reason"] for item in json.loads(body)["items"]] == [None]
    # The application page shows the stage history without a reason column.
    auth.login(world.drafter)
    page = html.unescape(client.get(f"/applications/{world.application.id}").get_data(as_text=True))
    assert "Stage history" in page and "Mona Manager" in page and "Rita Recruiter" in page
    assert "<th>Reason</th>" not in page


def test_a_long_reason_cut_short_in_the_summary_does_not_leak_either(client, auth):
    """A summary keeps 500 characters: a long reason is cut short there, and must still go."""
    world = build_world()
    reason = ("Long reason 5a5a " + "gate-failed " * 50)[:500]
    application = db.session.get(Application, world.application.id)
    assert application is not None
    offer = next(stage.id for stage in application.opening.stages if stage.name == "Offer")
    candidates.move_application(world.recruiter, application, offer, reason)

    seen = _what_the_interviewer_sees(client, auth, world, world.drafter)
    assert f"moved {CANDIDATE_NAME} from Interview to Offer" in seen
    assert _leaks(seen, ["Long reason", "gate-failed"]) == []
    assert "gate-failed" in _what_the_team_sees(client, auth, world)


def test_the_hiring_team_sees_the_rejection_reason_everywhere(client, auth):
    world = build_world()
    _reject(world)
    for user in (world.manager, world.recruiter, world.admin):
        detail = _application_as_api(client, user, world)
        assert detail["rejection_reason"] == REJECT_REASON
        assert [move["reason"] for move in detail["stage_moves"]] == [
            MOVE_REASON,
            DECISION_REASON,
            REJECT_REASON,
        ]
        auth.login(user)
        page = html.unescape(client.get(f"/applications/{world.application.id}").get_data(as_text=True))
        assert f"Reason: {REJECT_REASON}" in page and MOVE_REASON in page
        timeline = html.unescape(client.get(f"/candidates/{world.candidate_id}").get_data(as_text=True))
        assert f"to Rejected: {REJECT_REASON}" in timeline
        auth.logout()


# --- a hiring manager on an interview panel, not on the opening's team --------------------------


@pytest.mark.parametrize(
    ("visibility", "peer_visible_after_submit"),
    [(FeedbackVisibility.AFTER_SUBMIT, True), (FeedbackVisibility.NEVER, False)],
)
def test_a_panelist_manager_sees_their_interview_and_the_application_as_interviewers_do(
    client, auth, visibility, peer_visible_after_submit
):
    world = build_world(visibility)
    panelist, interview, application = world.panelist, world.panel_interview, world.application

    # The interview: in "My interviews", its page, the API list (all and mine) and its detail.
    auth.login(panelist)
    assert PANEL_INTERVIEW in client.get("/interviews/mine").get_data(as_text=True)
    assert client.get(f"/interviews/{interview.id}").status_code == 200
    assert client.get(f"/interviews/{interview.id}/invite.ics").status_code == 200
    auth.logout()
    status, body = _api_get(client, panelist, "/api/v1/interviews?mine=true")
    assert status == 200 and [item["id"] for item in json.loads(body)["items"]] == [interview.id]
    assert _api_get(client, panelist, f"/api/v1/interviews/{interview.id}")[0] == 200
    # Like the application's interviewers: its other interviews too, but not the debrief or the review.
    status, body = _api_get(client, panelist, "/api/v1/interviews")
    assert status == 200 and interview.id in [item["id"] for item in json.loads(body)["items"]]
    assert _api_get(client, panelist, f"/api/v1/interviews/{world.drafter_interview.id}")[0] == 200
    for url in (
        f"/api/v1/decisions/applications/{application.id}/debrief",
        f"/api/v1/assessments/applications/{application.id}/attempts",
    ):
        assert _api_get(client, panelist, url)[0] == 403, url
    auth.login(panelist)
    for url in (f"/applications/{application.id}/debrief", f"/feedback/{world.peer_feedback.id}"):
        assert client.get(url).status_code == 403, url
    auth.logout()
    # The application and the candidate's history, as the application's interviewers see them (to
    # prepare the interview): without the debrief, the scores, the reasons, emails and general notes.
    history = _what_the_interviewer_sees(client, auth, world, panelist)
    assert NOTE_BODY in history and f"moved {CANDIDATE_NAME} from" in history
    assert (
        _leaks(
            history,
            [
                *_peer_strings(),
                DRAFT_SUMMARY,
                *_decision_strings(world),
                *_override_strings(),
                *_reason_strings(),
                *_team_only_strings(),
            ],
        )
        == []
    )

    def feedback_seen() -> str:
        status, body = _api_get(client, panelist, f"/api/v1/feedback?application_id={application.id}")
        assert status == 200
        auth.login(panelist)
        page = html.unescape(client.get(f"/interviews/{interview.id}").get_data(as_text=True))
        auth.logout()
        return body + page + _api_get(client, panelist, f"/api/v1/feedback/{world.peer_feedback.id}")[1]

    # Before their own feedback is submitted, nobody else's; then as the opening's rule says.
    seen = feedback_seen()
    assert _leaks(seen, [*_peer_strings(), "Pia Peer"]) == []
    own = feedback.get_or_start_feedback(panelist, interview)
    feedback.submit_feedback(panelist, own, **complete(own, summary="Panelist verdict"))
    seen = feedback_seen()
    assert (PEER_SUMMARY in seen) is peer_visible_after_submit
    assert "Panelist verdict" in seen
    assert _leaks(seen, _decision_strings(world) + _override_strings() + _reason_strings()) == []
    assert _leaks(seen, [DRAFT_SUMMARY]) == []


def _what_the_team_sees(client: FlaskClient, auth, world: World) -> str:
    auth.login(world.manager)
    page = html.unescape(client.get(f"/candidates/{world.candidate_id}").get_data(as_text=True))
    auth.logout()
    status, body = _api_get(client, world.manager, f"/api/v1/candidates/{world.candidate_id}/timeline")
    assert status == 200
    return page + body
