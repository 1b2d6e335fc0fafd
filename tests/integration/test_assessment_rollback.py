"""A use case that fails rolls back what it wrote itself: views and API routes never roll back.

In these tests every request of a test shares one session (as the rows of a failed request would
stay in a worker's session until something discards them), so what a failed use case left behind
would be committed by the next request's commit. It must leave nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hirewise.assessments import builtin, services
from hirewise.assessments.models import Assessment, AssessmentInvitation, AssessmentQuestion
from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role, User
from hirewise.auth.services import create_api_token
from hirewise.candidates.models import Application
from hirewise.db import use_case
from hirewise.errors import Conflict, ValidationFailed
from hirewise.extensions import db
from hirewise.kits.services import ensure_builtin_kits
from hirewise.mail.models import OutboxMessage
from hirewise.openings.models import Opening
from hirewise.openings.services import create_opening
from tests.assessment_samples import MC
from tests.conftest import AuthActions
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory

API = "/api/v1/assessments"


def _count(model: type[Any], *where: Any) -> int:
    return int(db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def _bearer(user: User) -> dict[str, str]:
    _, raw = create_api_token(user, "t", "read,write")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def recruiter() -> User:
    return UserFactory(role=Role.RECRUITER)  # type: ignore[no-any-return]


@pytest.fixture
def assessment(recruiter: User) -> Assessment:
    assessment = services.create_assessment(recruiter, OpeningFactory(), {"title": "Screening"})
    services.add_question(recruiter, assessment, MC)
    return assessment


@pytest.fixture
def applications(assessment: Assessment) -> list[Application]:
    """Two applications; the second candidate's address is one the outbox refuses (an old import)."""
    first, second = (ApplicationFactory(opening=assessment.opening) for _ in range(2))
    second.candidate.email = "not an address"
    db.session.commit()
    return [first, second]


def _broken_kit_definition(opening: Opening) -> dict[str, Any]:
    """The shipped definition, with a last question the editor would refuse (no options to choose)."""
    definition = builtin.builtin_for(opening)
    assert definition is not None
    broken = {"kind": "multiple_choice", "prompt": "Choose.", "points": 1, "options": []}
    return {**definition, "questions": [*definition["questions"], broken]}


@pytest.fixture
def kit_opening(recruiter: User, monkeypatch: pytest.MonkeyPatch) -> Opening:
    kit = next(k for k in ensure_builtin_kits() if k.slug == "flask-developer")
    opening = create_opening(recruiter, title="Flask Developer", kit_id=kit.id)
    broken = _broken_kit_definition(opening)
    monkeypatch.setattr(builtin, "builtin_for", lambda _: broken)
    return opening


def _nothing_pending() -> bool:
    return not (db.session.new or db.session.dirty or db.session.deleted)


# --- the use cases ------------------------------------------------------------------------------


def test_a_bulk_invitation_refused_half_way_leaves_nothing(
    recruiter: User, assessment: Assessment, applications: list[Application]
) -> None:
    # The first application's invitation, its email and their audit events are flushed before the
    # second address is refused.
    with pytest.raises(ValidationFailed, match="not a valid email address"):
        services.invite(recruiter, assessment, applications)
    assert _nothing_pending()
    db.session.commit()  # what the next request's use case would do
    assert _count(AssessmentInvitation) == 0
    assert _count(OutboxMessage) == 0
    assert _count(AuditEvent, AuditEvent.object_type.in_(["assessment_invitation", "outbox_message"])) == 0


def test_a_kit_assessment_refused_half_way_leaves_nothing(recruiter: User, kit_opening: Opening) -> None:
    # The assessment and every question before the broken one are flushed when it is refused.
    with pytest.raises(ValidationFailed):
        services.ensure_kit_assessment(recruiter, kit_opening)
    assert _nothing_pending()
    db.session.commit()
    assert _count(Assessment, Assessment.opening_id == kit_opening.id) == 0
    assert _count(AssessmentQuestion) == 0


def test_a_use_case_rolls_back_on_any_error_and_passes_results_through(recruiter: User) -> None:
    @use_case
    def refused(title: str) -> None:
        db.session.add(OpeningFactory.build(title=title))
        db.session.flush()
        raise Conflict("Refused after writing.")

    @use_case
    def broken() -> None:
        db.session.add(OpeningFactory.build(title="Broken"))
        raise RuntimeError("a bug")

    @use_case
    def kept(title: str) -> str:
        db.session.add(OpeningFactory.build(title=title))
        return title

    with pytest.raises(Conflict):
        refused("Half-written")
    assert _nothing_pending()
    with pytest.raises(RuntimeError):
        broken()
    assert _nothing_pending()
    assert kept("Kept") == "Kept"
    db.session.commit()
    assert db.session.execute(select(Opening.title).order_by(Opening.id)).scalars().all() == ["Kept"]


# --- through the API and the pages, which do not roll back ---------------------------------------


def test_a_failed_api_invitation_is_not_committed_by_the_next_request(
    client: FlaskClient, recruiter: User, assessment: Assessment, applications: list[Application]
) -> None:
    auth = _bearer(recruiter)
    refused = client.post(
        f"{API}/{assessment.id}/invitations",
        json={"application_ids": [application.id for application in applications]},
        headers=auth,
    )
    assert refused.status_code == 422, refused.get_json()
    renamed = client.patch(f"{API}/{assessment.id}", json={"title": "Renamed"}, headers=auth)
    assert renamed.status_code == 200  # commits: whatever the failed request left would go with it
    db.session.expire_all()
    assert _count(AssessmentInvitation) == 0
    assert _count(OutboxMessage) == 0
    assert db.session.get(Assessment, assessment.id).title == "Renamed"  # type: ignore[union-attr]


def test_a_failed_api_kit_assessment_is_not_committed_by_the_next_request(
    client: FlaskClient, recruiter: User, kit_opening: Opening
) -> None:
    auth = _bearer(recruiter)
    refused = client.post(f"{API}/openings/{kit_opening.id}/from-kit", headers=auth)
    assert refused.status_code == 422, refused.get_json()
    created = client.post(f"{API}/openings/{kit_opening.id}", json={"title": "By hand"}, headers=auth)
    assert created.status_code == 201
    db.session.expire_all()
    titles = db.session.execute(
        select(Assessment.title).where(Assessment.opening_id == kit_opening.id)
    ).scalars()
    assert list(titles) == ["By hand"]


def test_a_failed_kit_assessment_page_leaves_nothing_for_the_next_form(
    client: FlaskClient, auth: AuthActions, recruiter: User, kit_opening: Opening
) -> None:
    auth.login(recruiter)
    refused = client.post(f"/openings/{kit_opening.id}/assessments/from-kit")
    assert refused.status_code == 302 and refused.headers["Location"].endswith(
        f"/openings/{kit_opening.id}/assessments"
    )
    form = {
        "title": "By hand",
        "time_limit_minutes": "30",
        "pass_mark_percent": "60",
        "invitation_valid_days": "7",
        "layout": "one_per_page",
    }
    created = client.post(f"/openings/{kit_opening.id}/assessments", data=form)
    assert created.status_code == 302, created.get_data(as_text=True)[:300]
    db.session.expire_all()
    titles = db.session.execute(
        select(Assessment.title).where(Assessment.opening_id == kit_opening.id)
    ).scalars()
    assert list(titles) == ["By hand"]


def test_no_view_or_api_route_rolls_back_the_session() -> None:
    """Services own the transaction and its rollback (DESIGN.md); the routes only call them."""
    from pathlib import Path

    import hirewise

    package = Path(hirewise.__file__).parent
    offenders = [
        str(path.relative_to(package))
        for pattern in ("*/views.py", "*/api.py", "*/*_views.py", "*/*_api.py")
        for path in package.glob(pattern)
        if "session.rollback(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
