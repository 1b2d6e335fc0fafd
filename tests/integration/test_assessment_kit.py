"""The kit's screening assessment is added once per opening: a second click finds the first one.

Recognised by its source (``kit:<slug>``) among the opening's active assessments; once archived,
adding it again makes a new one. The button on the assessments page gives way to a link to it.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hirewise.assessments import builtin, services
from hirewise.assessments.models import Assessment, AssessmentStatus
from hirewise.auth.models import Role, User
from hirewise.errors import PermissionDenied
from hirewise.extensions import db
from hirewise.kits.services import ensure_builtin_kits
from hirewise.openings.models import Opening
from hirewise.openings.services import create_opening
from tests.conftest import AuthActions, sql_count
from tests.factories import UserFactory

ADD_BUTTON = "Add the Flask Developer screening assessment"
OPEN_LINK = "Open the Flask Developer screening assessment"


@pytest.fixture
def recruiter() -> User:
    return UserFactory(role=Role.RECRUITER)  # type: ignore[no-any-return]


@pytest.fixture
def opening(recruiter: User) -> Opening:
    kit = next(k for k in ensure_builtin_kits() if k.slug == "flask-developer")
    return create_opening(recruiter, title="Flask Developer", kit_id=kit.id)


def _kit_assessments(opening: Opening) -> list[Assessment]:
    stmt = (
        select(Assessment)
        .where(Assessment.opening_id == opening.id, Assessment.source == "kit:flask-developer")
        .order_by(Assessment.id)
    )
    return list(db.session.execute(stmt).scalars())


def _flashes(client: FlaskClient) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def _page(client: FlaskClient, opening: Opening) -> str:
    response = client.get(f"/openings/{opening.id}/assessments")
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def test_a_double_submit_adds_the_kit_assessment_once(
    client: FlaskClient, auth: AuthActions, recruiter: User, opening: Opening
) -> None:
    auth.login(recruiter)
    first = client.post(f"/openings/{opening.id}/assessments/from-kit")
    [added] = _kit_assessments(opening)
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/assessments/{added.id}")
    assert any("was added with" in message for _, message in _flashes(client))

    second = client.post(f"/openings/{opening.id}/assessments/from-kit")
    assert second.status_code == 302 and second.headers["Location"] == first.headers["Location"]
    assert [a.id for a in _kit_assessments(opening)] == [added.id]
    assert ("info", "This opening already has Flask Developer screening; here it is.") in _flashes(client)
    assert db.session.execute(select(func.count()).select_from(Assessment)).scalar_one() == 1


def test_the_button_gives_way_to_a_link_once_the_kit_assessment_is_added(
    client: FlaskClient, auth: AuthActions, recruiter: User, opening: Opening
) -> None:
    auth.login(recruiter)
    before = _page(client, opening)
    assert ADD_BUTTON in before and f"/openings/{opening.id}/assessments/from-kit" in before
    assert OPEN_LINK not in before

    client.post(f"/openings/{opening.id}/assessments/from-kit")
    [added] = _kit_assessments(opening)
    after = _page(client, opening)
    assert ADD_BUTTON not in after and "/assessments/from-kit" not in after
    assert OPEN_LINK in after and f'href="/assessments/{added.id}"' in after


def test_an_archived_kit_assessment_is_replaced_by_a_new_one(
    client: FlaskClient, auth: AuthActions, recruiter: User, opening: Opening
) -> None:
    auth.login(recruiter)
    client.post(f"/openings/{opening.id}/assessments/from-kit")
    [old] = _kit_assessments(opening)
    services.update_assessment(recruiter, old, {"status": AssessmentStatus.ARCHIVED.value})
    assert ADD_BUTTON in _page(client, opening)  # archived: the opening no longer has one to send

    again = client.post(f"/openings/{opening.id}/assessments/from-kit")
    old_copy, new = _kit_assessments(opening)
    assert old_copy.id == old.id and new.id != old.id
    assert (old_copy.status, new.status) == (AssessmentStatus.ARCHIVED, AssessmentStatus.ACTIVE)
    assert again.headers["Location"].endswith(f"/assessments/{new.id}")
    assert OPEN_LINK in _page(client, opening)


def test_the_use_case_says_whether_it_added_one(recruiter: User, opening: Opening) -> None:
    first = services.ensure_kit_assessment(recruiter, opening)
    second = services.ensure_kit_assessment(recruiter, opening)
    assert (first.created, second.created) == (True, False)
    assert second.assessment.id == first.assessment.id
    assert services.add_kit_assessment(recruiter, opening).id == first.assessment.id
    assert services.kit_assessment(opening) == first.assessment
    assert len(_kit_assessments(opening)) == 1


def test_only_who_may_add_it_is_given_the_existing_one(recruiter: User, opening: Opening) -> None:
    services.add_kit_assessment(recruiter, opening)
    outsider = UserFactory(role=Role.HIRING_MANAGER)
    with pytest.raises(PermissionDenied):
        services.ensure_kit_assessment(outsider, opening)


def test_the_opening_row_is_locked_while_the_kit_assessment_is_looked_up(
    app: Any, recruiter: User, opening: Opening
) -> None:
    """PostgreSQL: a second request waits on the opening's row, then finds the first one's assessment."""
    with sql_count(app) as statements:
        services.ensure_kit_assessment(recruiter, opening)
    locks = [s for s in statements if "FROM openings" in s and "FOR NO KEY UPDATE" in s]
    if db.engine.dialect.name == "postgresql":
        assert len(locks) == 1
        lookup = next(i for i, s in enumerate(statements) if "assessments.source" in s)
        assert statements.index(locks[0]) < lookup
    else:  # SQLite has no row locks: it serialises writers on the whole database
        assert locks == []


def test_an_opening_without_a_kit_assessment_shows_no_button(
    client: FlaskClient, auth: AuthActions, recruiter: User
) -> None:
    plain = create_opening(recruiter, title="Plain")
    auth.login(recruiter)
    page = _page(client, plain)
    assert ADD_BUTTON not in page and OPEN_LINK not in page
    assert builtin.kit_assessment(plain) is None
