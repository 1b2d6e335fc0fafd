"""Debrief of one application: skill matrix, key-point coverage, fit and who may see it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import timedelta

import pytest

from hirewise.auth.models import Role, User
from hirewise.candidates.models import Application
from hirewise.db import utcnow
from hirewise.decisions import services
from hirewise.decisions.evidence import evidence_for_applications
from hirewise.extensions import db
from hirewise.feedback.models import (
    Feedback,
    FeedbackAnswer,
    FeedbackRating,
    FeedbackStatus,
    Recommendation,
)
from hirewise.interviews.models import Interview
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory


def make_interview(
    application: Application, interviewers: Sequence[User] = (), title: str = "Technical"
) -> Interview:
    interview = Interview(
        application_id=application.id,
        title=title,
        starts_at=utcnow() - timedelta(days=1),
        calendar_uid=f"{uuid.uuid4()}@test",
    )
    interview.interviewers.extend(interviewers)
    db.session.add(interview)
    db.session.flush()
    return interview


def make_feedback(
    application: Application,
    interviewer: User,
    ratings: dict[str, int | None],
    *,
    recommendation: Recommendation | None = Recommendation.YES,
    status: FeedbackStatus = FeedbackStatus.SUBMITTED,
    answers: Sequence[tuple[str, int, list[int], str]] = (),
    interview: Interview | None = None,
) -> Feedback:
    """Feedback with ratings keyed by skill name; answers as (question, key points, covered, notes)."""
    interview = interview or make_interview(application, [interviewer])
    skills = {skill.name: skill for skill in application.opening.skills}
    feedback = Feedback(
        interview_id=interview.id,
        interviewer_id=interviewer.id,
        application_id=application.id,
        status=status,
        recommendation=recommendation,
        submitted_at=utcnow() if status == FeedbackStatus.SUBMITTED else None,
    )
    for name, rating in ratings.items():
        feedback.ratings.append(FeedbackRating(skill_id=skills[name].id, skill_name=name, rating=rating))
    for position, (text, points, covered, notes) in enumerate(answers):
        snapshot = {
            "text": text,
            "key_points": [{"label": f"P{i}", "text": f"point {i}"} for i in range(points)],
        }
        feedback.answers.append(
            FeedbackAnswer(
                question_snapshot=snapshot, covered_key_points=covered, notes=notes, position=position
            )
        )
    db.session.add(feedback)
    db.session.commit()
    return feedback


def interviewer(name: str) -> User:
    return UserFactory(role=Role.INTERVIEWER, full_name=name)


@pytest.fixture
def reviewed() -> Application:
    """Two submitted feedbacks and one draft that must be ignored."""
    application = ApplicationFactory()
    make_feedback(
        application,
        interviewer("Ada Reviewer"),
        {"Flask core": 4, "Docker": 2},
        recommendation=Recommendation.STRONG_YES,
        answers=[("Explain blueprints", 4, [0, 2, 3], "Clear on factories")],
    )
    make_feedback(
        application,
        interviewer("Bob Reviewer"),
        {"Flask core": 3, "Docker": None},
        recommendation=Recommendation.YES,
        answers=[("Explain blueprints", 4, [1], "")],
    )
    make_feedback(
        application,
        interviewer("Carl Drafter"),
        {"Flask core": 1, "Docker": 1},
        recommendation=Recommendation.STRONG_NO,
        status=FeedbackStatus.DRAFT,
    )
    return application


def test_debrief_matrix_and_fit_match_a_hand_computed_example(reviewed):
    result = services.debrief(reviewed)

    assert [column.interviewer_name for column in result.columns] == ["Ada Reviewer", "Bob Reviewer"]
    flask, docker = result.skills
    assert [cell.rating for cell in flask.cells] == [4, 3]
    assert [cell.label for cell in flask.cells] == ["Strong yes", "Yes"]
    assert [cell.rating for cell in docker.cells] == [2, None]
    assert docker.cells[1].label == "Not assessed"
    # Flask core (must-have, weight 3, bar 3): mean 3.5; Docker (weight 1): 2.
    assert flask.score == 3.5 and flask.passed is True
    assert docker.score == 2.0 and docker.passed is None
    # fit = 100 * (3 * (3.5 - 1) / 3 + 1 * (2 - 1) / 3) / 4 = 70.83
    assert result.fit.gate == "passed"
    assert result.fit.fit == pytest.approx(100 * (2.5 + 1 / 3) / 4)
    assert result.fit.coverage == 1.0
    assert result.recommendations == {"strong_yes": 1, "yes": 1, "no": 0, "strong_no": 0}
    [question] = result.questions
    assert question.text == "Explain blueprints"
    assert [(c.covered, c.total, c.notes) for c in question.cells if c] == [
        (3, 4, "Clear on factories"),
        (1, 4, ""),
    ]


def test_draft_feedback_is_not_evidence(reviewed):
    evidence = evidence_for_applications([reviewed.id])[reviewed.id]
    assert sorted(item.score for item in evidence) == [2.0, 3.0, 4.0]
    assert all(item.reference and item.reference.startswith("feedback:") for item in evidence)
    assert {item.author for item in evidence} == {
        f.interviewer.email for f in db.session.query(Feedback).filter_by(status=FeedbackStatus.SUBMITTED)
    }


def test_unassessed_must_have_makes_the_gate_incomplete():
    application = ApplicationFactory()
    make_feedback(application, interviewer("Dee"), {"Docker": 4})
    result = services.debrief(application)
    assert result.fit.gate == "incomplete"
    assert result.unassessed_must_haves == ["Flask core"]


def test_debrief_page_shows_matrix_gate_explanation_and_flags(client, auth, reviewed):
    auth.login(Role.RECRUITER)
    response = client.get(f"/applications/{reviewed.id}/debrief")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ada Reviewer<br>" in page and "Bob Reviewer<br>" in page
    # A draft is no column of the matrix: its interviewer is only named as pending.
    assert "Carl Drafter<br>" not in page and "2 of 3 scorecards submitted" in page
    assert re.search(r"waiting for\s+Carl Drafter", page)
    assert "Gate passed" in page
    assert "70.8" in page
    assert "3/4 key points" in page and "Clear on factories" in page
    assert 'scope="col"' in page and 'scope="row"' in page
    assert "style=" not in page
    assert "Record a decision" in page


def test_debrief_page_without_feedback(client, auth):
    application = ApplicationFactory()
    auth.login(Role.ADMIN)
    page = client.get(f"/applications/{application.id}/debrief").get_data(as_text=True)
    assert "No submitted feedback or assessment yet." in page
    assert "Gate incomplete" in page
    assert "Flask core" in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("recruiter", 200),
        ("manager_on_team", 200),
        ("manager_off_team", 403),
        ("assigned_interviewer", 403),
        ("anonymous", 302),
    ],
)
def test_debrief_permissions(client, auth, who, status):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    application = ApplicationFactory(opening=OpeningFactory(team=[manager]))
    assigned = interviewer("Assigned")
    make_feedback(application, assigned, {"Flask core": 3})
    users = {
        "admin": lambda: UserFactory(role=Role.ADMIN),
        "recruiter": lambda: UserFactory(role=Role.RECRUITER),
        "manager_on_team": lambda: manager,
        "manager_off_team": lambda: UserFactory(role=Role.HIRING_MANAGER),
        "assigned_interviewer": lambda: assigned,
    }
    if who in users:
        auth.login(users[who]())
    response = client.get(f"/applications/{application.id}/debrief")
    assert response.status_code == status
    decided = client.post(
        f"/applications/{application.id}/decisions",
        data={"kind": "hire", "reason": "Strong", "to_stage_id": 0},
    )
    assert decided.status_code == (302 if status == 200 else status)


def test_debrief_link_on_application_page_only_for_those_allowed(client, auth):
    application = ApplicationFactory()
    assigned = interviewer("Assigned")
    make_interview(application, [assigned])
    auth.login(Role.RECRUITER)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert f"/applications/{application.id}/debrief" in page
    auth.logout()
    auth.login(assigned)
    response = client.get(f"/applications/{application.id}")
    assert f"/applications/{application.id}/debrief" not in response.get_data(as_text=True)


def test_unknown_application_is_404(client, auth):
    auth.login(Role.ADMIN)
    assert client.get("/applications/999999/debrief").status_code == 404
