"""Issue 11 §3: advancing an application whose must-have gate failed or is incomplete asks for an
explicit confirmation and a reason, on every path (move form, board, bulk list, debrief decision).

The gate is the debrief's and the ranking's: the factory's opening has one must-have, "Flask core".
Without a rating it is incomplete; a rating of 1 fails it, a 4 passes it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role, User
from hirewise.candidates import services
from hirewise.candidates.gate import GATE_CONFIRMATION_REQUIRED, GateConfirmationRequired
from hirewise.candidates.models import Application, StageMove
from hirewise.decisions import services as decisions
from hirewise.errors import ValidationFailed
from hirewise.extensions import db
from hirewise.feedback.models import Decision
from hirewise.openings.models import Opening, Stage
from tests.factories import ApplicationFactory, CandidateFactory, OpeningFactory, UserFactory
from tests.integration.test_debrief import interviewer, make_feedback
from tests.integration.test_stage_automations import schedule

REASON = "Hiring manager met them: strong Flask work in their portfolio"


def stage(opening: Opening, name: str) -> Stage:
    return next(s for s in opening.stages if s.name == name)


def rated(
    flask_core: int | None, *, opening: Opening | None = None, at: str = "Applied", name: str = ""
) -> Application:
    """An application in ``at`` whose must-have is rated ``flask_core`` (None: no evidence)."""
    opening = opening or OpeningFactory()
    candidate = CandidateFactory(full_name=name) if name else CandidateFactory()
    application = ApplicationFactory(opening=opening, candidate=candidate, stage=stage(opening, at))
    if flask_core is not None:
        make_feedback(application, interviewer(f"Rater {application.id}"), {"Flask core": flask_core})
    return application  # type: ignore[no-any-return]


def reload(application: Application) -> Application:
    db.session.expire_all()
    found = db.session.get(Application, application.id)
    assert found is not None
    return found


def moves(application: Application) -> list[StageMove]:
    stmt = select(StageMove).where(StageMove.application_id == application.id).order_by(StageMove.id)
    return list(db.session.execute(stmt).scalars())


def move_events() -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.object_type == "application", AuditEvent.action == "move")
    return list(db.session.execute(stmt.order_by(AuditEvent.id)).scalars())


@pytest.fixture
def recruiter() -> User:
    return UserFactory(role=Role.RECRUITER)  # type: ignore[no-any-return]


# --- the rule, in the move service ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "gate", "said", "target"),
    [
        (1, "failed", "below the bar on Flask core", "Screen"),
        (None, "incomplete", "no evidence yet for Flask core", "Offer"),
    ],
)
def test_advancing_past_a_failed_or_incomplete_gate_is_refused_without_confirmation(
    recruiter, rating, gate, said, target
):
    application = rated(rating, name="Grace Held")
    with pytest.raises(GateConfirmationRequired) as refused:
        services.move_application(recruiter, application, stage(application.opening, target).id, REASON)
    error = refused.value
    assert (error.status, error.code) == (409, GATE_CONFIRMATION_REQUIRED)
    assert f"is {gate}" in error.message and said in error.message and "Grace Held" in error.message
    [held] = error.details["applications"]
    assert held["application_id"] == application.id and held["gate"] == gate
    assert held["failed_skills" if rating else "unassessed_must_haves"] == ["Flask core"]
    assert reload(application).stage.name == "Applied" and moves(application) == []


@pytest.mark.parametrize("target", ["Screen", "Assessment", "Interview"])
def test_an_incomplete_gate_moves_freely_up_to_the_stages_that_gather_evidence(recruiter, target):
    application = rated(None)
    services.move_application(recruiter, application, stage(application.opening, target).id, "")
    assert reload(application).stage.name == target


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_confirmation_needs_a_reason(recruiter, reason):
    application = rated(1)
    with pytest.raises(ValidationFailed) as refused:
        services.move_application(
            recruiter, application, stage(application.opening, "Offer").id, reason, confirm_gate=True
        )
    assert refused.value.status == 422 and "reason" in refused.value.details
    assert reload(application).stage.name == "Applied"


def test_a_confirmed_advance_moves_and_keeps_the_reason_and_the_gate(recruiter):
    application = rated(1)
    services.move_application(
        recruiter, application, stage(application.opening, "Offer").id, f"  {REASON} ", confirm_gate=True
    )
    assert reload(application).stage.name == "Offer"
    [move] = moves(application)
    assert move.reason == REASON and move.moved_by_id == recruiter.id
    [event] = move_events()
    assert event.after == {"stage": "Offer", "reason": REASON, "gate": "failed", "gate_confirmed": True}
    assert "despite the failed must-have gate" in event.summary and event.actor_id == recruiter.id


def test_a_passed_gate_needs_no_confirmation(recruiter):
    application = rated(4)
    services.move_application(recruiter, application, stage(application.opening, "Hired").id)
    assert reload(application).stage.name == "Hired"
    [event] = move_events()
    assert "gate" not in event.after


def test_an_opening_without_must_haves_needs_no_confirmation(recruiter):
    opening = OpeningFactory()
    opening.skills.remove(next(skill for skill in opening.skills if skill.name == "Flask core"))
    db.session.commit()
    application = rated(None, opening=opening)
    services.move_application(recruiter, application, stage(opening, "Offer").id)
    assert reload(application).stage.name == "Offer"


def test_moving_back_or_rejecting_never_needs_a_confirmation(recruiter):
    application = rated(1, at="Interview")
    services.move_application(recruiter, application, stage(application.opening, "Screen").id)
    assert reload(application).stage.name == "Screen"
    services.move_application(
        recruiter, application, stage(application.opening, "Rejected").id, "Below the bar"
    )
    assert reload(application).stage.name == "Rejected"


def test_a_rejected_application_brought_back_counts_from_where_it_was_rejected(recruiter):
    application = rated(1, at="Interview")
    opening = application.opening
    services.reject_application(recruiter, application, "Below the bar")
    services.move_application(recruiter, application, stage(opening, "Interview").id)
    assert reload(application).stage.name == "Interview"
    services.reject_application(recruiter, application, "Below the bar again")
    with pytest.raises(GateConfirmationRequired):
        services.move_application(recruiter, application, stage(opening, "Hired").id)
    assert reload(application).stage.name == "Rejected"


def test_automations_still_move_past_any_gate(recruiter):
    application = rated(1)
    schedule(recruiter, application)
    assert reload(application).stage.name == "Interview"
    assert moves(application)[-1].reason == "Automatic: interview scheduled"


def test_a_bulk_move_is_refused_as_a_whole_and_names_every_held_application(recruiter):
    opening = OpeningFactory()
    passed = rated(4, opening=opening, name="Passed Person")
    failed = rated(1, opening=opening, name="Failed Person")
    missing = rated(None, opening=opening, name="Missing Person")
    offer = stage(opening, "Offer").id
    ids = [passed.id, failed.id, missing.id]
    with pytest.raises(GateConfirmationRequired) as refused:
        services.bulk_move(recruiter, ids, offer)
    held = refused.value.details["applications"]
    assert [(h["application_id"], h["gate"]) for h in held] == [
        (failed.id, "failed"),
        (missing.id, "incomplete"),
    ]
    assert "Failed Person" in refused.value.message and "Passed Person" not in refused.value.message
    assert {reload(a).stage.name for a in (passed, failed, missing)} == {"Applied"}
    with pytest.raises(ValidationFailed):
        services.bulk_move(recruiter, ids, offer, confirm_gate=True)
    services.bulk_move(recruiter, ids, offer, reason=REASON, confirm_gate=True)
    assert {reload(a).stage.name for a in (passed, failed, missing)} == {"Offer"}
    assert {move.reason for a in (passed, failed, missing) for move in moves(a)} == {REASON}
    gates = {event.object_id: event.after.get("gate") for event in move_events()}
    assert gates == {passed.id: None, failed.id: "failed", missing.id: "incomplete"}


def test_a_bulk_move_back_needs_no_confirmation(recruiter):
    opening = OpeningFactory()
    applications = [rated(1, opening=opening, at="Offer"), rated(None, opening=opening, at="Interview")]
    services.bulk_move(recruiter, [a.id for a in applications], stage(opening, "Screen").id)
    assert {reload(a).stage.name for a in applications} == {"Screen"}


def test_an_advance_or_hire_decision_needs_the_confirmation_too(recruiter):
    application = rated(1, at="Interview")
    offer = stage(application.opening, "Offer").id
    for kind, to_stage_id in (("advance", offer), ("hire", None)):
        with pytest.raises(GateConfirmationRequired):
            decisions.record_decision(
                recruiter, application, kind=kind, reason=REASON, to_stage_id=to_stage_id
            )
    assert db.session.execute(select(func.count(Decision.id))).scalar_one() == 0
    assert reload(application).stage.name == "Interview"
    decisions.record_decision(
        recruiter, application, kind="advance", reason=REASON, to_stage_id=offer, confirm_gate=True
    )
    assert reload(application).stage.name == "Offer"
    assert moves(application)[-1].reason == REASON
    assert move_events()[-1].after["gate"] == "failed"


def test_a_reject_decision_needs_no_confirmation(recruiter):
    application = rated(1, at="Interview")
    decisions.record_decision(recruiter, application, kind="reject", reason="Below the bar")
    assert reload(application).stage.name == "Rejected"


# --- the pages ------------------------------------------------------------------------------------


def test_the_move_form_asks_for_the_confirmation_and_keeps_what_was_typed(client, auth):
    auth.login(Role.RECRUITER)
    application = rated(1)
    offer = stage(application.opening, "Offer")
    back = f"/openings/{application.opening_id}/board"
    response = client.post(
        f"/applications/{application.id}/move",
        data={"stage_id": offer.id, "reason": "Portfolio <b>looks</b> great", "next": back},
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == f"/applications/{application.id}/advance"
    assert parse_qs(location.query) == {
        "stage_id": [str(offer.id)],
        "reason": ["Portfolio <b>looks</b> great"],
        "next": [back],
    }
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Advance anyway" in page and 'name="confirm_gate"' in page
    assert "below the bar on Flask core" in page and "Offer" in page
    assert "Portfolio &lt;b&gt;looks&lt;/b&gt; great" in page and "<b>looks" not in page
    assert reload(application).stage.name == "Applied"

    url = f"/applications/{application.id}/advance"
    refused = client.post(url, data={"stage_id": offer.id, "reason": "Typed reason", "next": back})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Typed reason" in text and "confirm" in text
    blank = client.post(url, data={"stage_id": offer.id, "reason": " ", "confirm_gate": "y", "next": back})
    assert blank.status_code == 422 and "Give a reason" in blank.get_data(as_text=True)
    assert reload(application).stage.name == "Applied"

    done = client.post(url, data={"stage_id": offer.id, "reason": REASON, "confirm_gate": "y", "next": back})
    assert done.status_code == 302 and done.headers["Location"].endswith(back)
    assert reload(application).stage.name == "Offer"
    assert moves(application)[-1].reason == REASON


def test_the_board_script_is_sent_to_the_confirmation_page(client, auth):
    auth.login(Role.RECRUITER)
    application = rated(None)
    offer = stage(application.opening, "Offer")
    response = client.post(
        f"/applications/{application.id}/move",
        data={"stage_id": offer.id},
        headers={"Accept": "application/json"},
    )
    body = response.get_json()
    assert response.status_code == 409 and body["ok"] is False
    assert body["code"] == GATE_CONFIRMATION_REQUIRED and "incomplete" in body["message"]
    confirm = urlsplit(body["confirm_url"])
    assert confirm.path == f"/applications/{application.id}/advance"
    assert parse_qs(confirm.query)["stage_id"] == [str(offer.id)]
    assert client.get(body["confirm_url"]).status_code == 200


def test_the_advance_page_needs_a_stage_of_the_opening_and_the_right_to_move(client, auth):
    application = rated(1)
    auth.login(Role.INTERVIEWER)
    url = f"/applications/{application.id}/advance"
    assert (
        client.get(url, query_string={"stage_id": stage(application.opening, "Offer").id}).status_code == 403
    )
    auth.logout()
    auth.login(Role.RECRUITER)
    other = OpeningFactory().stages[1].id
    response = client.get(url, query_string={"stage_id": other})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/applications/{application.id}"
    )
    assert client.post(url, data={"stage_id": "x", "confirm_gate": "y", "reason": REASON}).status_code == 422


def test_the_advance_form_needs_the_csrf_token(client, auth, request):
    auth.login(Role.RECRUITER)
    application = rated(1)
    request.getfixturevalue("csrf_enabled")
    url = f"/applications/{application.id}/advance"
    offer = stage(application.opening, "Offer").id
    page = client.get(url, query_string={"stage_id": offer}).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    data = {"stage_id": offer, "reason": REASON, "confirm_gate": "y"}
    assert client.post(url, data=data).status_code == 400
    assert client.post(url, data={**data, "csrf_token": token.group(1)}).status_code == 302
    assert reload(application).stage.name == "Offer"


def test_the_bulk_list_asks_for_the_confirmation_and_resubmits_the_batch(client, auth):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    passed, failed = (
        rated(4, opening=opening, name="Passed Person"),
        rated(1, opening=opening, name="Failed Person"),
    )
    ids = [str(passed.id), str(failed.id)]
    offer = stage(opening, "Offer").id
    url = f"/openings/{opening.id}/applications/bulk"
    response = client.post(url, data={"action": "move", "stage_id": offer, "application_ids": ids})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Advance anyway" in page and "Failed Person" in page and "below the bar on Flask core" in page
    assert all(f'name="application_ids" value="{i}"' in page for i in ids)
    assert {reload(a).stage.name for a in (passed, failed)} == {"Applied"}
    blank = client.post(
        url, data={"action": "move", "stage_id": offer, "application_ids": ids, "confirm_gate": "y"}
    )
    assert blank.status_code == 422 and "Give a reason" in blank.get_data(as_text=True)
    done = client.post(
        url,
        data={
            "action": "move",
            "stage_id": offer,
            "application_ids": ids,
            "confirm_gate": "y",
            "reason": REASON,
        },
    )
    assert done.status_code == 302
    assert {reload(a).stage.name for a in (passed, failed)} == {"Offer"}
    assert moves(failed)[-1].reason == REASON


def test_the_debrief_decision_asks_for_the_confirmation_and_keeps_the_reason(client, auth):
    auth.login(Role.RECRUITER)
    application = rated(1, at="Interview")
    offer = stage(application.opening, "Offer").id
    url = f"/applications/{application.id}/decisions"
    debrief = client.get(f"/applications/{application.id}/debrief").get_data(as_text=True)
    assert 'name="confirm_gate"' in debrief
    refused = client.post(
        url, data={"kind": "advance", "to_stage_id": offer, "reason": "Typed decision reason"}
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Typed decision reason" in page and "Advance anyway" in page
    assert "below the bar on Flask core" in page
    done = client.post(
        url, data={"kind": "advance", "to_stage_id": offer, "reason": REASON, "confirm_gate": "y"}
    )
    assert done.status_code == 302
    assert reload(application).stage.name == "Offer"


def test_a_passed_gate_shows_no_confirmation_on_the_debrief(client, auth):
    auth.login(Role.RECRUITER)
    application = rated(4, at="Interview")
    debrief = client.get(f"/applications/{application.id}/debrief").get_data(as_text=True)
    assert 'name="confirm_gate"' not in debrief
