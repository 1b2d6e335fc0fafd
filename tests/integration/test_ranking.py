"""Ranking of an opening's applications by gate and fit, and the side-by-side comparison."""

from __future__ import annotations

import pytest

from hirewise.auth.models import Role
from hirewise.candidates.models import Application
from hirewise.decisions import services
from hirewise.errors import ValidationFailed
from hirewise.extensions import db
from hirewise.feedback.models import Recommendation
from hirewise.openings.models import Opening
from hirewise.openings.services import get_opening
from tests.conftest import sql_count
from tests.factories import ApplicationFactory, CandidateFactory, OpeningFactory, UserFactory
from tests.integration.test_debrief import interviewer, make_feedback


def _apply(opening: Opening, name: str) -> Application:
    return ApplicationFactory(opening=opening, candidate=CandidateFactory(full_name=name))


@pytest.fixture
def opening() -> Opening:
    """Four candidates: passed (high), passed (lower), incomplete, failed."""
    opening = OpeningFactory()
    reviewer = interviewer("Rita")
    make_feedback(_apply(opening, "Zed Passed Lower"), reviewer, {"Flask core": 3, "Docker": 2})
    make_feedback(
        _apply(opening, "Amy Passed High"),
        reviewer,
        {"Flask core": 4, "Docker": 4},
        recommendation=Recommendation.STRONG_YES,
    )
    make_feedback(_apply(opening, "Ivy Incomplete"), reviewer, {"Docker": 4})
    make_feedback(
        _apply(opening, "Fay Failed"),
        reviewer,
        {"Flask core": 2, "Docker": 4},
        recommendation=Recommendation.NO,
    )
    return opening


def test_ranking_orders_by_gate_then_fit(opening):
    rows = services.ranking(get_opening(opening.id))
    assert [row.candidate_name for row in rows] == [
        "Amy Passed High",
        "Zed Passed Lower",
        "Ivy Incomplete",
        "Fay Failed",
    ]
    assert [row.fit.gate for row in rows] == ["passed", "passed", "incomplete", "failed"]
    assert [row.position for row in rows] == [1, 2, 3, 4]
    assert rows[0].fit.fit == 100.0
    assert rows[0].recommendations["strong_yes"] == 1
    assert rows[3].recommendations["no"] == 1


def test_ranking_sorts_by_name_and_stage(opening):
    by_name = [row.candidate_name for row in services.ranking(get_opening(opening.id), "name")]
    assert by_name == ["Amy Passed High", "Fay Failed", "Ivy Incomplete", "Zed Passed Lower"]
    fay = next(
        row.application
        for row in services.ranking(get_opening(opening.id))
        if row.candidate_name == "Fay Failed"
    )
    fay.stage = next(stage for stage in opening.stages if stage.name == "Offer")
    db.session.commit()
    by_stage = [row.candidate_name for row in services.ranking(get_opening(opening.id), "stage")]
    assert by_stage == ["Amy Passed High", "Zed Passed Lower", "Ivy Incomplete", "Fay Failed"]


def test_application_without_feedback_ranks_after_incomplete_with_fit():
    opening = OpeningFactory()
    _apply(opening, "Nobody Rated")
    make_feedback(_apply(opening, "Half Rated"), interviewer("R"), {"Docker": 3})
    rows = services.ranking(get_opening(opening.id))
    assert [row.candidate_name for row in rows] == ["Half Rated", "Nobody Rated"]
    assert rows[1].fit.fit is None


def _seed(opening: Opening, count: int) -> None:
    reviewers = [interviewer(f"R{i}") for i in range(2)]
    for index in range(count):
        application = _apply(opening, f"Candidate {index}")
        for reviewer in reviewers:
            make_feedback(application, reviewer, {"Flask core": 1 + index % 4, "Docker": 1 + (index + 1) % 4})


def test_ranking_issues_the_same_number_of_statements_for_3_and_30_applications(app):
    small, large = OpeningFactory(), OpeningFactory()
    _seed(small, 3)
    _seed(large, 30)
    counts = []
    for opening in (small, large):
        db.session.expire_all()
        with sql_count(app) as statements:
            rows = services.ranking(get_opening(opening.id))
            [row.fit.fit for row in rows]
        counts.append(len(statements))
    assert len(rows) == 30
    assert counts[0] == counts[1], counts


def test_ranking_page_query_count_is_constant(app, client, auth):
    small, large = OpeningFactory(), OpeningFactory()
    _seed(small, 3)
    _seed(large, 30)
    auth.login(Role.RECRUITER)
    counts = []
    for opening in (small, large):
        client.get(f"/openings/{opening.id}/ranking")
        with sql_count(app) as statements:
            assert client.get(f"/openings/{opening.id}/ranking").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_compare_puts_two_to_five_side_by_side(opening):
    ids = [row.application_id for row in services.ranking(get_opening(opening.id))]
    comparison = services.compare(get_opening(opening.id), [ids[3], ids[0]])
    assert [column.candidate_name for column in comparison.columns] == ["Amy Passed High", "Fay Failed"]
    flask = comparison.skills[0]
    assert flask.name == "Flask core"
    assert [result.score for result in flask.results] == [4.0, 2.0]
    assert [result.passed for result in flask.results] == [True, False]


@pytest.mark.parametrize("shape", ["one", "six", "foreign", "garbage", "empty"])
def test_compare_validation(opening, shape):
    ids = [row.application_id for row in services.ranking(get_opening(opening.id))]
    extra = [_apply(opening, f"Extra {i}").id for i in range(2)]
    foreign = ApplicationFactory().id
    choices = {
        "one": [ids[0]],
        "six": ids + extra,
        "foreign": [ids[0], foreign],
        "garbage": [ids[0], "x; DROP TABLE applications"],
        "empty": [],
    }
    with pytest.raises(ValidationFailed):
        services.compare(get_opening(opening.id), choices[shape])


def test_ranking_and_compare_pages(client, auth, opening):
    auth.login(Role.RECRUITER)
    page = client.get(f"/openings/{opening.id}/ranking").get_data(as_text=True)
    assert page.index("Amy Passed High") < page.index("Zed Passed Lower") < page.index("Fay Failed")
    assert "Gate failed" in page and "Gate incomplete" in page and 'name="ids"' in page
    assert "style=" not in page
    by_name = client.get(f"/openings/{opening.id}/ranking?sort=name").get_data(as_text=True)
    assert by_name.index("Fay Failed") < by_name.index("Ivy Incomplete")
    assert client.get(f"/openings/{opening.id}/ranking?sort=' OR 1=1--").status_code == 200
    ids = [row.application_id for row in services.ranking(get_opening(opening.id))][:3]
    compared = client.get(f"/openings/{opening.id}/compare?ids={ids[0]}&ids={ids[1]}&ids={ids[2]}")
    text = compared.get_data(as_text=True)
    assert compared.status_code == 200
    assert "Amy Passed High" in text and "Ivy Incomplete" in text and "Fay Failed" not in text
    refused = client.get(f"/openings/{opening.id}/compare?ids={ids[0]}")
    assert refused.status_code == 302 and f"/openings/{opening.id}/ranking" in refused.headers["Location"]


def test_opening_page_links_to_the_ranking(client, auth, opening):
    auth.login(Role.RECRUITER)
    assert f"/openings/{opening.id}/ranking" in client.get(f"/openings/{opening.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("recruiter", 200),
        ("manager_on_team", 200),
        ("manager_off_team", 403),
        ("interviewer", 403),
        ("anonymous", 302),
    ],
)
def test_ranking_and_compare_permissions(client, auth, who, status):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    opening = OpeningFactory(team=[manager])
    first, second = _apply(opening, "One"), _apply(opening, "Two")
    assigned = interviewer("Assigned")
    make_feedback(first, assigned, {"Flask core": 3})
    users = {
        "admin": lambda: UserFactory(role=Role.ADMIN),
        "recruiter": lambda: UserFactory(role=Role.RECRUITER),
        "manager_on_team": lambda: manager,
        "manager_off_team": lambda: UserFactory(role=Role.HIRING_MANAGER),
        "interviewer": lambda: assigned,
    }
    if who in users:
        auth.login(users[who]())
    assert client.get(f"/openings/{opening.id}/ranking").status_code == status
    compare = client.get(f"/openings/{opening.id}/compare?ids={first.id}&ids={second.id}")
    assert compare.status_code == status
