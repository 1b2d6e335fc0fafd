"""Recording hiring decisions: the stage moves, the reason and the fit snapshot are kept, all audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role
from hirewise.candidates.models import Application, StageMove
from hirewise.decisions import services
from hirewise.errors import Conflict, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.feedback.models import Decision, DecisionKind
from hirewise.openings.models import StageKind
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_debrief import interviewer, make_feedback


@pytest.fixture
def application() -> Application:
    application = ApplicationFactory()
    make_feedback(application, interviewer("Ada"), {"Flask core": 4, "Docker": 3})
    return application


def _stage(application: Application, name: str) -> int:
    return next(stage.id for stage in application.opening.stages if stage.name == name)


def _reload(application_id: int) -> Application:
    db.session.expire_all()
    found = db.session.get(Application, application_id)
    assert found is not None
    return found


def _audit(action: str, object_type: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.object_type == object_type)
    return list(db.session.execute(stmt).scalars())


def test_advance_moves_the_stage_and_keeps_reason_and_fit(application):
    actor = UserFactory(role=Role.RECRUITER)
    decision = services.record_decision(
        actor,
        application,
        kind="advance",
        reason="Strong Flask answers",
        to_stage_id=_stage(application, "Offer"),
    )
    reloaded = _reload(application.id)
    assert reloaded.stage.name == "Offer"
    stored = db.session.get(Decision, decision.id)
    assert stored is not None
    assert stored.kind == DecisionKind.ADVANCE and stored.reason == "Strong Flask answers"
    assert stored.decided_by_id == actor.id and stored.to_stage_id == _stage(application, "Offer")
    assert stored.fit_snapshot["gate"] == "passed"
    assert stored.fit_snapshot["fit"] == pytest.approx(100 * (3 * 1.0 + 1 * 2 / 3) / 4)
    assert [event.object_id for event in _audit("decide", "decision")] == [decision.id]
    assert _audit("move", "application")


def test_reject_moves_to_rejected_with_the_reason(application):
    services.record_decision(UserFactory(role=Role.ADMIN), application, kind="reject", reason="Below the bar")
    reloaded = _reload(application.id)
    assert reloaded.stage.kind == StageKind.REJECTED
    assert reloaded.rejection_reason == "Below the bar"
    move = db.session.execute(
        select(StageMove).where(StageMove.application_id == application.id)
    ).scalar_one()
    assert move.reason == "Below the bar"


def test_hire_moves_to_the_hired_stage(application):
    decision = services.record_decision(
        UserFactory(role=Role.RECRUITER), application, kind="hire", reason="Yes!"
    )
    assert _reload(application.id).stage.kind == StageKind.HIRED
    assert decision.to_stage is not None and decision.to_stage.kind == StageKind.HIRED
    log = services.debrief(_reload(application.id)).decisions
    assert [d.id for d in log] == [decision.id]


def test_decisions_log_is_newest_first(application):
    actor = UserFactory(role=Role.RECRUITER)
    first = services.record_decision(
        actor, application, kind="advance", reason="Next", to_stage_id=_stage(application, "Interview")
    )
    second = services.record_decision(actor, _reload(application.id), kind="hire", reason="Done")
    assert [d.id for d in services.decisions_for(_reload(application.id))] == [second.id, first.id]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "advance", "reason": "x", "to_stage_id": None}, "to_stage_id"),
        ({"kind": "advance", "reason": "x", "to_stage_id": -1}, "to_stage_id"),
        ({"kind": "promote", "reason": "x"}, "kind"),
        ({"kind": "hire", "reason": "   "}, "reason"),
        ({"kind": "hire", "reason": "x" * 501}, "reason"),
    ],
)
def test_invalid_decisions_change_nothing(application, kwargs, field):
    with pytest.raises(ValidationFailed) as raised:
        services.record_decision(UserFactory(role=Role.RECRUITER), application, **kwargs)
    assert isinstance(raised.value.details, dict) and field in raised.value.details
    assert _reload(application.id).stage.name == "Applied"
    assert db.session.execute(select(Decision)).first() is None


def test_advance_to_a_stage_of_another_opening_or_a_terminal_stage_is_refused(application):
    other = OpeningFactory()
    actor = UserFactory(role=Role.RECRUITER)
    for stage_id in (other.stages[1].id, _stage(application, "Hired")):
        with pytest.raises(ValidationFailed):
            services.record_decision(actor, application, kind="advance", reason="x", to_stage_id=stage_id)
    # The stage it is in already: a well-formed request the application's state refuses.
    with pytest.raises(Conflict, match="already in Applied"):
        services.record_decision(
            actor, application, kind="advance", reason="x", to_stage_id=application.stage_id
        )


@pytest.mark.parametrize("role", [Role.INTERVIEWER, Role.HIRING_MANAGER])
def test_decision_needs_the_right_to_decide(application, role):
    with pytest.raises(PermissionDenied):
        services.record_decision(UserFactory(role=role), application, kind="hire", reason="x")
    assert _reload(application.id).stage.name == "Applied"


def test_hiring_manager_on_the_team_decides_through_the_form(client, auth):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    application = ApplicationFactory(opening=OpeningFactory(team=[manager]))
    auth.login(manager)
    response = client.post(
        f"/applications/{application.id}/decisions",
        data={
            "kind": "advance",
            "to_stage_id": _stage(application, "Screen"),
            "reason": "Good screen",
            "confirm_gate": "y",  # no evidence yet: the must-have gate is incomplete
        },
    )
    assert response.status_code == 302
    assert _reload(application.id).stage.name == "Screen"
    page = client.get(f"/applications/{application.id}/debrief").get_data(as_text=True)
    assert "Good screen" in page


def test_form_errors_are_shown_not_raised(client, auth, application):
    auth.login(Role.RECRUITER)
    missing_reason = client.post(
        f"/applications/{application.id}/decisions", data={"kind": "hire", "reason": ""}
    )
    assert missing_reason.status_code == 422
    no_stage = client.post(
        f"/applications/{application.id}/decisions",
        data={"kind": "advance", "reason": "x", "to_stage_id": "0"},
    )
    assert no_stage.status_code == 422
    assert "Choose the stage to advance to" in no_stage.get_data(as_text=True)
    assert _reload(application.id).stage.name == "Applied"


def test_decision_reason_is_escaped(client, auth, application):
    auth.login(Role.RECRUITER)
    payload = "<script>alert(1)</script>"
    client.post(f"/applications/{application.id}/decisions", data={"kind": "reject", "reason": payload})
    page = client.get(f"/applications/{application.id}/debrief").get_data(as_text=True)
    assert payload not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_decision_form_needs_csrf(app, client, auth, application):
    auth.login(Role.RECRUITER)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(
            f"/applications/{application.id}/decisions", data={"kind": "hire", "reason": "x"}
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert _reload(application.id).stage.name == "Applied"
