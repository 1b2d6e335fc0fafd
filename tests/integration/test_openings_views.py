"""The openings pages: dashboard, list, creation, details, editing, hiring team, status and scorecard."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role
from hirewise.extensions import db
from hirewise.kits.models import KitQuestion
from hirewise.openings.models import Opening, OpeningQuestion, OpeningSkill, OpeningStatus
from tests.factories import ApplicationFactory, KitFactory, OpeningFactory, UserFactory

HTMX = {"HX-Request": "true"}


def _reload(opening_id: int) -> Opening:
    db.session.expire_all()
    opening = db.session.get(Opening, opening_id)
    assert opening is not None
    return opening


def _skill_data(prefix: str, **values: object) -> dict[str, object]:
    data = {
        "name": "SQLAlchemy",
        "kind": "must_have",
        "weight": 4,
        "pass_bar": 3.0,
        "keywords": "",
        "description": "",
    }
    data.update(values)
    return {f"{prefix}-{key}": value for key, value in data.items()}


# --- dashboard ----------------------------------------------------------------------------------


def test_dashboard_lists_visible_openings_with_counts_per_stage(client, auth):
    opening = OpeningFactory(title="Flask Developer")
    ApplicationFactory(opening=opening)
    ApplicationFactory(opening=opening)
    ApplicationFactory(opening=opening, stage=opening.stages[3])
    OpeningFactory(title="Closed One", status=OpeningStatus.CLOSED)
    auth.login(Role.RECRUITER)

    page = client.get("/").get_data(as_text=True)

    assert "Flask Developer" in page
    assert "Closed One" not in page
    assert "3 applications" in page
    assert re.search(r"Applied</span>\s*<span class=\"count\">2<", page)
    assert re.search(r"Interview</span>\s*<span class=\"count\">1<", page)
    assert f'href="/openings/{opening.id}/board"' in page
    assert f'href="/openings/{opening.id}/applications"' in page


def test_dashboard_of_a_hiring_manager_shows_only_their_openings(client, auth):
    manager = auth.login(Role.HIRING_MANAGER)
    OpeningFactory(title="Mine", team=[manager])
    OpeningFactory(title="Not mine")
    page = client.get("/").get_data(as_text=True)
    assert "Mine" in page
    assert "Not mine" not in page


def test_dashboard_of_a_hiring_manager_without_openings_explains_why(client, auth):
    auth.login(Role.HIRING_MANAGER)
    OpeningFactory(title="Not mine")
    page = client.get("/").get_data(as_text=True)
    assert "You are not on a hiring team yet" in page
    assert "Not mine" not in page


def test_dashboard_of_an_interviewer_is_friendly_and_empty(client, auth):
    OpeningFactory(title="Secret opening")
    auth.login(Role.INTERVIEWER)
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing on your list" in page
    assert "Secret opening" not in page


# --- list ---------------------------------------------------------------------------------------


def test_index_filters_by_status_and_title(client, auth):
    OpeningFactory(title="Flask Developer", status=OpeningStatus.OPEN)
    OpeningFactory(title="Flask Intern", status=OpeningStatus.DRAFT)
    OpeningFactory(title="Go Developer", status=OpeningStatus.OPEN)
    auth.login(Role.ADMIN)

    page = client.get("/openings?status=open&q=flask").get_data(as_text=True)
    assert "Flask Developer" in page
    assert "Flask Intern" not in page
    assert "Go Developer" not in page
    assert '<option value="open" selected>' in page

    page = client.get("/openings?q=developer").get_data(as_text=True)
    assert "Flask Developer" in page and "Go Developer" in page and "Flask Intern" not in page


def test_index_paginates(client, auth):
    for number in range(27):
        OpeningFactory(title=f"Paged opening {number:02d}")
    auth.login(Role.RECRUITER)
    first = client.get("/openings?q=Paged").get_data(as_text=True)
    second = client.get("/openings?q=Paged&page=2").get_data(as_text=True)
    assert first.count("Paged opening") == 25
    assert second.count("Paged opening") == 2
    assert "Page 1 of 2" in first


# --- creation -----------------------------------------------------------------------------------


def test_new_form_defaults_to_the_flask_developer_kit_and_lists_the_possible_team(client, auth):
    KitFactory(name="Another kit")
    flask_kit = KitFactory(slug="flask-developer", name="Flask Developer")
    manager = UserFactory(role=Role.HIRING_MANAGER, full_name="Hannah Manager")
    UserFactory(role=Role.INTERVIEWER, full_name="Ivan Interviewer")
    auth.login(Role.RECRUITER)

    page = client.get("/openings/new").get_data(as_text=True)

    assert f'<option selected value="{flask_kit.id}">Flask Developer</option>' in page
    assert "Hannah Manager" in page
    assert f'value="{manager.id}"' in page
    assert "Ivan Interviewer" not in page
    assert "HTML is not allowed" in page  # the Markdown hint


def test_create_opening_through_the_form(client, auth):
    kit = KitFactory()
    manager = UserFactory(role=Role.HIRING_MANAGER)
    auth.login(Role.RECRUITER)

    response = client.post(
        "/openings/new",
        data={
            "title": "Flask Developer",
            "kit_id": kit.id,
            "location": "Remote",
            "employment_type": "contract",
            "description": "We build **APIs**.",
            "publish": "y",
            "team_ids": [manager.id],
        },
    )

    opening = db.session.execute(select(Opening).where(Opening.slug == "flask-developer")).scalar_one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/openings/{opening.id}")
    assert (opening.status, opening.employment_type, opening.location) == ("open", "contract", "Remote")
    assert [s.name for s in opening.skills] == ["Skill 0", "Skill 1"]
    assert opening.team == [manager]


def test_create_opening_shows_errors(client, auth):
    interviewer = UserFactory(role=Role.INTERVIEWER)
    auth.login(Role.ADMIN)
    response = client.post("/openings/new", data={"title": "", "kit_id": 0, "status": "open"})
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)

    response = client.post(
        "/openings/new",
        data={
            "title": "Ok",
            "kit_id": 0,
            "employment_type": "full_time",
            "status": "open",
            "team_ids": [interviewer.id],
        },
    )
    assert response.status_code == 422
    assert "is not a valid choice" in response.get_data(as_text=True)
    assert db.session.execute(select(Opening).where(Opening.title == "Ok")).first() is None


# --- details ------------------------------------------------------------------------------------


def test_detail_shows_description_scorecard_questions_stages_team_and_timeline(client, auth):
    manager = UserFactory(role=Role.HIRING_MANAGER, full_name="Hannah Manager")
    kit = KitFactory()
    kit.questions.append(
        KitQuestion(
            text="What does `g` hold?",
            expected_answer="Per-request **data**.",
            key_points=[{"label": "Lifetime", "text": "one app context"}],
            skill=kit.skills[0],
        )
    )
    db.session.commit()
    recruiter = auth.login(Role.RECRUITER)
    client.post(
        "/openings/new",
        data={
            "title": "Flask Developer",
            "kit_id": kit.id,
            "employment_type": "full_time",
            "status": "draft",
            "description": "Build **Flask** apps.",
            "team_ids": [manager.id],
        },
    )
    opening = db.session.execute(select(Opening).where(Opening.title == "Flask Developer")).scalar_one()

    response = client.get(f"/openings/{opening.id}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "<strong>Flask</strong>" in page
    assert "Skill 0" in page and "Must-have" in page and "Nice-to-have" in page
    assert "keyword0" in page
    assert "<code>g</code>" in page
    assert "Per-request <strong>data</strong>." in page
    assert "<strong>Lifetime</strong>: one app context" in page
    for stage in ("Applied", "Screen", "Assessment", "Interview", "Offer", "Hired", "Rejected"):
        assert f"<span>{stage}</span>" in page
    assert "Hannah Manager" in page
    assert f'href="/openings/{opening.id}/board"' in page
    assert f'href="/openings/{opening.id}/applications"' in page
    assert f"{recruiter.email}</span>" in page
    assert "created opening Flask Developer" in page


def test_detail_of_a_missing_opening_is_404(client, auth):
    auth.login(Role.ADMIN)
    assert client.get("/openings/987654").status_code == 404


def test_hiring_manager_on_the_team_sees_the_edit_controls(client, auth):
    manager = auth.login(Role.HIRING_MANAGER)
    opening = OpeningFactory(team=[manager])
    page = client.get(f"/openings/{opening.id}/settings").get_data(as_text=True)
    assert "Add a skill" in page
    assert "Change the hiring team" in page


# --- editing ------------------------------------------------------------------------------------


def test_edit_opening(client, auth):
    opening = OpeningFactory(title="Flask Developer", status=OpeningStatus.DRAFT)
    auth.login(Role.RECRUITER)
    page = client.get(f"/openings/{opening.id}/edit").get_data(as_text=True)
    assert 'value="Flask Developer"' in page

    response = client.post(
        f"/openings/{opening.id}/edit",
        data={
            "title": "Senior Flask Developer",
            "location": "Berlin",
            "employment_type": "full_time",
            "description": "New text",
            "status": "open",
        },
    )
    assert response.status_code == 302
    reloaded = _reload(opening.id)
    assert (reloaded.title, reloaded.location, reloaded.status) == (
        "Senior Flask Developer",
        "Berlin",
        "open",
    )
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.opening_id == opening.id, AuditEvent.action == "update")
    ).scalar_one()
    assert event.before["title"] == "Flask Developer"
    assert event.after["title"] == "Senior Flask Developer"


def test_edit_opening_rejects_an_empty_title(client, auth):
    opening = OpeningFactory(title="Flask Developer")
    auth.login(Role.RECRUITER)
    response = client.post(
        f"/openings/{opening.id}/edit",
        data={"title": "   ", "employment_type": "full_time", "status": "open"},
    )
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    assert _reload(opening.id).title == "Flask Developer"


def test_change_team_and_status(client, auth):
    opening = OpeningFactory(status=OpeningStatus.DRAFT)
    manager = UserFactory(role=Role.HIRING_MANAGER)
    auth.login(Role.ADMIN)

    response = client.post(f"/openings/{opening.id}/team", data={"team-team_ids": [manager.id]})
    assert response.status_code == 302
    response = client.post(f"/openings/{opening.id}/status", data={"status-status": "open"})
    assert response.status_code == 302

    reloaded = _reload(opening.id)
    assert [m.id for m in reloaded.team] == [manager.id]
    assert reloaded.status == "open"


def test_bad_team_or_status_is_refused_with_a_message(client, auth):
    opening = OpeningFactory(status=OpeningStatus.DRAFT)
    interviewer = UserFactory(role=Role.INTERVIEWER)
    auth.login(Role.ADMIN)
    response = client.post(
        f"/openings/{opening.id}/team", data={"team-team_ids": [interviewer.id]}, follow_redirects=True
    )
    assert "Choose hiring team members from the list." in response.get_data(as_text=True)
    response = client.post(
        f"/openings/{opening.id}/status", data={"status-status": "gone"}, follow_redirects=True
    )
    assert "Choose draft, open or closed." in response.get_data(as_text=True)
    reloaded = _reload(opening.id)
    assert (reloaded.team, reloaded.status) == ([], "draft")


# --- scorecard ----------------------------------------------------------------------------------


def test_add_skill(client, auth):
    opening = OpeningFactory()
    auth.login(Role.RECRUITER)
    response = client.post(
        f"/openings/{opening.id}/skills",
        data=_skill_data("new_skill", name="SQLAlchemy", keywords="SQLAlchemy, Alembic"),
    )
    assert response.status_code == 302
    skill = next(s for s in _reload(opening.id).skills if s.name == "SQLAlchemy")
    assert (skill.weight, skill.keywords) == (4, ["sqlalchemy", "alembic"])


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"weight": 11}, "Number must be between 1 and 10."),
        ({"pass_bar": "4.5"}, "Number must be between 1.0 and 4.0."),
        ({"name": "Flask core"}, "This opening already has a skill named &#39;Flask core&#39;."),
    ],
)
def test_add_skill_shows_validation_errors(client, auth, values, message):
    opening = OpeningFactory()
    auth.login(Role.RECRUITER)
    response = client.post(f"/openings/{opening.id}/skills", data=_skill_data("new_skill", **values))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert len(_reload(opening.id).skills) == 2


def test_edit_skill_page_without_javascript(client, auth):
    opening = OpeningFactory()
    skill = opening.skills[0]
    auth.login(Role.RECRUITER)

    page = client.get(f"/openings/{opening.id}/skills/{skill.id}/edit").get_data(as_text=True)
    assert "<h1>Edit skill</h1>" in page
    assert 'value="flask, blueprint"' in page

    response = client.post(
        f"/openings/{opening.id}/skills/{skill.id}",
        data=_skill_data(f"skill{skill.id}", name="Flask core", weight=7, keywords="flask"),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/openings/{opening.id}/settings#skill-{skill.id}")
    db.session.expire_all()
    reloaded = db.session.get(OpeningSkill, skill.id)
    assert (reloaded.weight, reloaded.keywords) == (7, ["flask"])

    response = client.post(
        f"/openings/{opening.id}/skills/{skill.id}", data=_skill_data(f"skill{skill.id}", name="Docker")
    )
    assert response.status_code == 422
    assert "already has a skill named" in response.get_data(as_text=True)


def test_inline_skill_edit_with_htmx(client, auth):
    opening = OpeningFactory()
    skill = opening.skills[0]
    auth.login(Role.RECRUITER)

    form_row = client.get(f"/openings/{opening.id}/skills/{skill.id}/edit", headers=HTMX).get_data(
        as_text=True
    )
    assert form_row.startswith(f'<tr id="skill-{skill.id}" class="editing">')
    assert f'hx-post="/openings/{opening.id}/skills/{skill.id}"' in form_row
    assert "<html" not in form_row

    row = client.post(
        f"/openings/{opening.id}/skills/{skill.id}",
        data=_skill_data(f"skill{skill.id}", name="Flask internals", weight=9),
        headers=HTMX,
    ).get_data(as_text=True)
    assert row.startswith(f'<tr id="skill-{skill.id}">')
    assert "Flask internals" in row and "<td>9</td>" in row

    errors = client.post(
        f"/openings/{opening.id}/skills/{skill.id}",
        data=_skill_data(f"skill{skill.id}", weight=0),
        headers=HTMX,
    )
    assert errors.status_code == 200  # htmx swaps only 2xx: the row shows its errors
    assert 'class="editing"' in errors.get_data(as_text=True)
    assert "Number must be between 1 and 10." in errors.get_data(as_text=True)

    cancel = client.get(f"/openings/{opening.id}/skills/{skill.id}/row", headers=HTMX).get_data(as_text=True)
    assert cancel.startswith(f'<tr id="skill-{skill.id}">')
    assert "Flask internals" in cancel


def test_remove_skill_keeps_its_questions(client, auth):
    opening = OpeningFactory()
    skill = opening.skills[0]
    opening.questions.append(OpeningQuestion(text="Explain blueprints.", skill=skill))
    db.session.commit()
    auth.login(Role.RECRUITER)

    page = client.get(f"/openings/{opening.id}/settings").get_data(as_text=True)
    assert 'data-confirm="Remove the skill “Flask core”?' in page

    response = client.post(f"/openings/{opening.id}/skills/{skill.id}/delete")
    assert response.status_code == 302
    reloaded = _reload(opening.id)
    assert [s.name for s in reloaded.skills] == ["Docker"]
    assert [(q.text, q.skill_id) for q in reloaded.questions] == [("Explain blueprints.", None)]


def test_skill_of_another_opening_is_404(client, auth):
    opening = OpeningFactory()
    other = OpeningFactory()
    auth.login(Role.ADMIN)
    foreign = other.skills[0].id
    assert client.get(f"/openings/{opening.id}/skills/{foreign}/edit").status_code == 404
    assert client.post(f"/openings/{opening.id}/skills/{foreign}/delete").status_code == 404


# --- CSRF ---------------------------------------------------------------------------------------


def _token(page: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" type="hidden" value="([^"]+)"', page) or re.search(
        rf'name="{re.escape(name)}" value="([^"]+)"', page
    )
    assert match, f"no {name} in page"
    return match.group(1)


def test_settings_page_forms_carry_working_csrf_tokens(client, auth, request):
    opening = OpeningFactory(status=OpeningStatus.DRAFT)
    skill = opening.skills[1]
    auth.login(Role.RECRUITER)
    request.getfixturevalue("csrf_enabled")  # after signing in: the login form is not under test here
    page = client.get(f"/openings/{opening.id}/settings").get_data(as_text=True)

    assert client.post(f"/openings/{opening.id}/status", data={"status-status": "open"}).status_code == 400
    response = client.post(
        f"/openings/{opening.id}/status",
        data={"status-status": "open", "status-csrf_token": _token(page, "status-csrf_token")},
    )
    assert response.status_code == 302
    response = client.post(
        f"/openings/{opening.id}/skills",
        data={**_skill_data("new_skill"), "new_skill-csrf_token": _token(page, "new_skill-csrf_token")},
    )
    assert response.status_code == 302
    response = client.post(
        f"/openings/{opening.id}/skills/{skill.id}/delete", data={"csrf_token": _token(page, "csrf_token")}
    )
    assert response.status_code == 302
    assert sorted(s.name for s in _reload(opening.id).skills) == ["Flask core", "SQLAlchemy"]
    assert _reload(opening.id).status == "open"


def test_edit_sets_who_sees_other_interviewers_feedback(client, auth):
    from hirewise.openings.models import FeedbackVisibility

    auth.login(Role.RECRUITER)
    opening = OpeningFactory()
    assert opening.feedback_visibility == FeedbackVisibility.AFTER_SUBMIT
    form = client.get(f"/openings/{opening.id}/edit").get_data(as_text=True)
    assert 'name="feedback_visibility"' in form
    data = {
        "title": opening.title,
        "location": "Remote",
        "employment_type": "full_time",
        "description": "",
        "status": "open",
        "feedback_visibility": "never",
    }
    assert client.post(f"/openings/{opening.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Opening, opening.id).feedback_visibility == FeedbackVisibility.NEVER
    event = (
        db.session.execute(
            select(AuditEvent).where(AuditEvent.opening_id == opening.id).order_by(AuditEvent.id.desc())
        )
        .scalars()
        .first()
    )
    assert event.before["feedback_visibility"] == "after_submit"
    assert event.after["feedback_visibility"] == "never"
    data["feedback_visibility"] = "sometimes"
    assert client.post(f"/openings/{opening.id}/edit", data=data).status_code == 422
