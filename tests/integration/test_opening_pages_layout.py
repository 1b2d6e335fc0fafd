"""The pages of an opening: compact board cards with paging per column, shared tabs, the Settings tab."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hirewise.assessments.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentQuestion,
    AttemptStatus,
    QuestionKind,
)
from hirewise.auth.models import Role
from hirewise.candidates.models import Application
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.openings.models import Opening
from tests.conftest import sql_count
from tests.factories import ApplicationFactory, OpeningFactory, UserFactory
from tests.integration.test_assessment_views import _submitted, team  # noqa: F401 - the fixture
from tests.integration.test_debrief import interviewer, make_feedback

CARD = re.compile(r'<li class="board-card"')


def _column_html(page: str, stage_id: int) -> str:
    start = page.index(f'data-stage-id="{stage_id}"')
    end = page.find('<section class="board-column"', start)
    return page[start : end if end != -1 else len(page)]


def _fill_stage(opening: Opening, count: int, stage_index: int = 0) -> list[Application]:
    return [ApplicationFactory(opening=opening, stage=opening.stages[stage_index]) for _ in range(count)]


# --- board: compact cards, paging per column ------------------------------------------------------


def test_a_column_shows_fifty_cards_and_a_show_more_link_that_works_without_javascript(client, auth):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    applied, screen = opening.stages[0], opening.stages[1]
    _fill_stage(opening, 51)
    _fill_stage(opening, 2, stage_index=1)

    page = client.get(f"/openings/{opening.id}/board").get_data(as_text=True)
    column = _column_html(page, applied.id)
    assert len(CARD.findall(column)) == 50
    more = f'href="/openings/{opening.id}/board?column={applied.id}&amp;limit=100#stage-{applied.id}"'
    assert more in column and "Show more" in column
    assert f'data-count-for="{applied.id}">51<' in page
    assert "Show more" not in _column_html(page, screen.id)

    expanded = client.get(f"/openings/{opening.id}/board?column={applied.id}&limit=100")
    assert expanded.status_code == 200
    expanded_page = expanded.get_data(as_text=True)
    assert len(CARD.findall(_column_html(expanded_page, applied.id))) == 51
    assert "Show more" not in expanded_page
    assert len(CARD.findall(_column_html(expanded_page, screen.id))) == 2


@pytest.mark.parametrize("limit", ["abc", "-5", "0", "99999999", ""])
def test_odd_limits_are_bounded_never_an_error(client, auth, limit):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    _fill_stage(opening, 3)
    response = client.get(f"/openings/{opening.id}/board?column={opening.stages[0].id}&limit={limit}")
    assert response.status_code == 200
    assert len(CARD.findall(response.get_data(as_text=True))) == 3


def test_unknown_column_is_ignored(client, auth):
    auth.login(Role.RECRUITER)
    opening, other = OpeningFactory(), OpeningFactory()
    _fill_stage(other, 3)
    response = client.get(f"/openings/{opening.id}/board?column={other.stages[0].id}&limit=100")
    assert response.status_code == 200
    assert not CARD.findall(response.get_data(as_text=True))


def test_expanding_a_column_keeps_the_number_of_statements(app, client, auth):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    _fill_stage(opening, 5)
    counts = []
    for size in (5, 60):
        if size == 60:
            _fill_stage(opening, 55)
            for application in _fill_stage(opening, 3, stage_index=2):
                make_feedback(application, interviewer(f"Rater {application.id}"), {"Flask core": 3})
        db.session.expire_all()
        with sql_count(app) as statements:
            response = client.get(f"/openings/{opening.id}/board?column={opening.stages[0].id}&limit=100")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def _submitted_attempt(application: Application, points: float, maximum: float) -> None:
    assessment = Assessment(opening_id=application.opening_id, title="Screening")
    question = AssessmentQuestion(assessment=assessment, kind=QuestionKind.FREE_TEXT, prompt="Why?", points=4)
    invitation = AssessmentInvitation(
        assessment=assessment,
        application_id=application.id,
        token_hash=f"{application.id:064d}",
        expires_at=utcnow() + timedelta(days=3),
    )
    attempt = AssessmentAttempt(
        invitation=invitation,
        status=AttemptStatus.SUBMITTED,
        deadline_at=utcnow(),
        submitted_at=utcnow(),
    )
    db.session.add_all([assessment, question, invitation, attempt])
    db.session.flush()
    db.session.add(
        AssessmentAnswer(attempt=attempt, question_id=question.id, auto_points=points, max_points=maximum)
    )
    db.session.commit()


def test_a_card_shows_name_days_in_stage_fit_assessment_and_three_skills(client, auth):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    skills = [
        {"skill_id": opening.skills[0].id, "skill": f"Skill {index}", "keyword": "k", "snippet": "s"}
        for index in range(5)
    ]
    application = ApplicationFactory(
        opening=opening, detected_skills=skills, stage_entered_at=utcnow() - timedelta(days=4, hours=2)
    )
    make_feedback(application, interviewer("Rita"), {"Flask core": 4, "Docker": 4})
    _submitted_attempt(application, 3, 4)

    page = client.get(f"/openings/{opening.id}/board").get_data(as_text=True)
    card = page[
        page.index('<li class="board-card"') : page.index("</li>\n", page.index('<li class="board-card"'))
    ]
    assert application.candidate.full_name in card
    assert "4 days in stage" in card
    assert "Fit 100" in card
    assert "Assessment 75%" in card
    badges = re.findall(r'<li class="badge">([^<]+)</li>', card)
    assert badges == ["Skill 0", "Skill 1", "Skill 2"]
    assert "+2 more" in card


def test_invite_this_column_sits_in_a_column_menu(client, auth):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    _fill_stage(opening, 2)
    db.session.add(Assessment(opening_id=opening.id, title="Screening"))
    db.session.commit()
    page = client.get(f"/openings/{opening.id}/board").get_data(as_text=True)
    menu = page[page.index('<details class="column-menu"') :]
    menu = menu[: menu.index("</details>")]
    assert "Invite to Screening" in menu


# --- tabs shared by the pages of an opening ---------------------------------------------------------

TABS = [
    ("Overview", "/openings/{id}"),
    ("Pipeline", "/openings/{id}/board"),
    ("Applications", "/openings/{id}/applications"),
    ("Interview plan", "/openings/{id}/interview-plan"),
    ("Assessments", "/openings/{id}/assessments"),
    ("Ranking", "/openings/{id}/ranking"),
    ("Settings", "/openings/{id}/settings"),
]


def _tabs(page: str) -> str:
    start = page.index('<nav class="tabs"')
    return page[start : page.index("</nav>", start)]


@pytest.mark.parametrize(("label", "path"), TABS)
def test_every_page_of_an_opening_shows_the_tabs_with_its_own_marked(client, auth, label, path):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    url = path.format(id=opening.id)
    response = client.get(url)
    assert response.status_code == 200, url
    tabs = _tabs(response.get_data(as_text=True))
    for other_label, other_path in TABS:
        assert f'href="{other_path.format(id=opening.id)}"' in tabs
        assert f">{other_label}</a>" in tabs
    current = re.findall(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>', tabs)
    assert current == [(url, label)]


def test_the_interview_plan_route_matches_the_tab(app):
    with app.test_request_context():
        from flask import url_for

        assert url_for("interviews.plan", opening_id=1) == "/openings/1/interview-plan"
        assert url_for("assessments.index", opening_id=1) == "/openings/1/assessments"


# --- overview and settings ------------------------------------------------------------------------


def test_overview_is_read_only_and_settings_holds_the_editing(client, auth):
    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    overview = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert "Flask core" in overview and "Docker" in overview
    assert "/delete" not in overview and "Add a skill" not in overview
    assert "Change the hiring team" not in overview
    assert f'href="/openings/{opening.id}/settings"' in overview

    settings = client.get(f"/openings/{opening.id}/settings").get_data(as_text=True)
    assert "Add a skill" in settings and "Change the hiring team" in settings
    assert f'action="/openings/{opening.id}/skills/{opening.skills[0].id}/delete"' in settings
    assert f'action="/openings/{opening.id}/status"' in settings
    assert f'href="/openings/{opening.id}/edit"' in settings


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("recruiter", 200),
        ("manager_on_team", 200),
        ("manager_off_team", 403),
        ("interviewer", 403),
    ],
)
def test_settings_needs_the_right_to_edit_the_opening(client, auth, who, status):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    opening = OpeningFactory(team=[manager])
    users = {
        "admin": lambda: UserFactory(role=Role.ADMIN),
        "recruiter": lambda: UserFactory(role=Role.RECRUITER),
        "manager_on_team": lambda: manager,
        "manager_off_team": lambda: UserFactory(role=Role.HIRING_MANAGER),
        "interviewer": lambda: UserFactory(role=Role.INTERVIEWER),
    }
    auth.login(users[who]())
    assert client.get(f"/openings/{opening.id}/settings").status_code == status


def test_settings_of_a_missing_opening_is_404(client, auth):
    auth.login(Role.ADMIN)
    assert client.get("/openings/987654/settings").status_code == 404


def test_scorecard_changes_come_back_to_settings(client, auth):
    opening = OpeningFactory()
    skill = opening.skills[0]
    auth.login(Role.RECRUITER)
    response = client.post(f"/openings/{opening.id}/skills/{skill.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/openings/{opening.id}/settings#scorecard")
    response = client.post(f"/openings/{opening.id}/skills", data={"new_skill-name": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Add a skill" in page and 'aria-current="page">Settings<' in page


# --- the assessment review page ---------------------------------------------------------------------


def test_review_page_summarises_the_questions_with_jump_links_and_one_signals_note(client, auth, team):  # noqa: F811
    signals = {"paste_count": 2, "pasted_chars": 140, "blur_count": 3, "time_spent_seconds": 95}
    attempt = _submitted(team["recruiter"], team["assessment"], team["application"], signals=signals)
    auth.login(team["manager"])
    page = client.get(f"/assessment-attempts/{attempt.id}/review").get_data(as_text=True)
    summary = page[
        page.index('id="questions-summary"') : page.index("</section>", page.index('id="questions-summary"'))
    ]
    for index, answer in enumerate(
        sorted(attempt.answers, key=lambda a: page.index(f'id="answer-{a.id}"')), 1
    ):
        assert f'<a href="#answer-{answer.id}">Question {index}</a>' in summary
    assert "2 pastes" in summary and "3 window switches" in summary
    assert page.count("Signals only, not verdicts") == 1
    assert page.count('href="#signals-note"') == len(attempt.answers)
