"""Issue 11 §1: an opening created from a kit gets its interview plan, its screening assessment and
is published, in one step and one transaction, unless the person unticks an option."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hirewise.assessments.models import Assessment
from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role, User
from hirewise.errors import ValidationFailed
from hirewise.extensions import db
from hirewise.interviews.models import InterviewPlanItem
from hirewise.kits.models import Kit
from hirewise.kits.services import ensure_builtin_kits
from hirewise.openings.models import Opening, OpeningStatus
from hirewise.openings.setup import set_up_opening
from tests.conftest import AuthActions
from tests.factories import KitFactory, UserFactory


@pytest.fixture
def recruiter() -> User:
    return UserFactory(role=Role.RECRUITER)  # type: ignore[no-any-return]


@pytest.fixture
def flask_kit() -> Kit:
    return next(k for k in ensure_builtin_kits() if k.slug == "flask-developer")


def _plan(opening: Opening) -> list[InterviewPlanItem]:
    stmt = select(InterviewPlanItem).where(InterviewPlanItem.opening_id == opening.id)
    return list(db.session.execute(stmt.order_by(InterviewPlanItem.position)).scalars())


def _assessments(opening: Opening) -> list[Assessment]:
    stmt = select(Assessment).where(Assessment.opening_id == opening.id)
    return list(db.session.execute(stmt).scalars())


def _openings_titled(title: str) -> int:
    return int(db.session.execute(select(func.count(Opening.id)).where(Opening.title == title)).scalar_one())


# --- the use case -------------------------------------------------------------------------------


def test_a_kit_gives_plan_assessment_and_publishing_by_default(recruiter, flask_kit):
    result = set_up_opening(recruiter, title="Flask Developer", kit_id=flask_kit.id)

    opening = result.opening
    assert opening.status == OpeningStatus.OPEN
    assert result.published is True
    assert [item.title for item in _plan(opening)] == ["Screening call", "Technical interview"]
    assert [item.id for item in result.interview_plan] == [item.id for item in _plan(opening)]
    assessments = _assessments(opening)
    assert len(assessments) == 1 and assessments[0].source == "kit:flask-developer"
    assert assessments[0].questions
    assert result.assessment is not None and result.assessment.id == assessments[0].id
    audited = {
        event.object_type
        for event in db.session.execute(
            select(AuditEvent).where(AuditEvent.opening_id == opening.id)
        ).scalars()
    }
    assert {"opening", "interview_plan_item", "assessment"} <= audited


def test_each_option_can_be_left_out(recruiter, flask_kit):
    result = set_up_opening(
        recruiter,
        title="Bare",
        kit_id=flask_kit.id,
        with_interview_plan=False,
        with_assessment=False,
        publish=False,
    )
    assert result.opening.status == OpeningStatus.DRAFT
    assert (result.interview_plan, result.assessment, result.published) == ([], None, False)
    assert _plan(result.opening) == [] and _assessments(result.opening) == []


def test_without_a_kit_nothing_extra_is_added_and_it_stays_a_draft(recruiter):
    result = set_up_opening(recruiter, title="No kit")
    assert result.opening.status == OpeningStatus.DRAFT
    assert (result.interview_plan, result.assessment) == ([], None)


def test_a_kit_that_ships_no_assessment_still_gets_its_plan(recruiter):
    kit = KitFactory()
    result = set_up_opening(recruiter, title="Custom kit", kit_id=kit.id)
    assert result.assessment is None
    assert len(result.interview_plan) == 2
    assert result.opening.status == OpeningStatus.OPEN


def test_an_explicit_status_is_kept_unless_it_contradicts_publish(recruiter, flask_kit):
    kept = set_up_opening(recruiter, title="Kept draft", kit_id=flask_kit.id, status="draft")
    assert kept.opening.status == OpeningStatus.DRAFT and kept.published is False

    with pytest.raises(ValidationFailed) as refused:
        set_up_opening(recruiter, title="Contradiction", kit_id=flask_kit.id, status="draft", publish=True)
    assert "publish" in refused.value.details
    assert _openings_titled("Contradiction") == 0


def test_a_failing_step_leaves_nothing_behind(recruiter, flask_kit, monkeypatch):
    """One transaction: when the assessment step fails, the opening and its plan are not kept."""
    from hirewise.assessments import builtin

    broken = {**builtin.builtin_definitions()["flask-developer"], "time_limit_minutes": -1}
    monkeypatch.setattr(builtin, "builtin_for", lambda opening: broken)

    with pytest.raises(ValidationFailed):
        set_up_opening(recruiter, title="Half done", kit_id=flask_kit.id)

    assert _openings_titled("Half done") == 0
    assert db.session.execute(select(func.count(InterviewPlanItem.id))).scalar_one() == 0


# --- the form -----------------------------------------------------------------------------------


def _form(kit: Kit, **overrides: Any) -> dict[str, Any]:
    return {"title": "Flask Developer", "kit_id": kit.id, "employment_type": "full_time", **overrides}


def test_the_form_offers_the_three_options_ticked(client: FlaskClient, auth: AuthActions, flask_kit):
    auth.login(Role.RECRUITER)
    page = client.get("/openings/new").get_data(as_text=True)
    for name in ("with_interview_plan", "with_assessment", "publish"):
        tag = next(tag for tag in page.split("<input")[1:] if f'name="{name}"' in tag.split(">", 1)[0])
        assert "checked" in tag.split(">", 1)[0], name
    assert "Publish now" in page


def test_the_form_creates_everything_ticked(client: FlaskClient, auth: AuthActions, flask_kit):
    auth.login(Role.RECRUITER)
    response = client.post(
        "/openings/new", data=_form(flask_kit, with_interview_plan="y", with_assessment="y", publish="y")
    )
    assert response.status_code == 302
    opening = db.session.execute(select(Opening).where(Opening.title == "Flask Developer")).scalar_one()
    assert opening.status == OpeningStatus.OPEN
    assert len(_plan(opening)) == 2 and len(_assessments(opening)) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "interview plan" in page and "screening assessment" in page and "published" in page


def test_the_form_leaves_out_what_is_unticked(client: FlaskClient, auth: AuthActions, flask_kit):
    auth.login(Role.RECRUITER)
    response = client.post("/openings/new", data=_form(flask_kit))  # unticked boxes send nothing
    assert response.status_code == 302
    opening = db.session.execute(select(Opening).where(Opening.title == "Flask Developer")).scalar_one()
    assert opening.status == OpeningStatus.DRAFT
    assert _plan(opening) == [] and _assessments(opening) == []
