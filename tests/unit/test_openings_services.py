"""Use cases of openings: kit copy, stages, slugs, validation, scorecard edits and the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hirewise.audit.models import AuditEvent
from hirewise.audit.services import timeline
from hirewise.auth.models import Role
from hirewise.errors import Conflict, NotFound, ValidationFailed
from hirewise.extensions import db
from hirewise.kits.models import KitQuestion, KitSkill, SkillKind
from hirewise.openings import services
from hirewise.openings.models import (
    DEFAULT_STAGES,
    OpeningQuestion,
    OpeningSkill,
    OpeningStatus,
    StageKind,
)
from tests.conftest import sql_count
from tests.factories import ApplicationFactory, KitFactory, OpeningFactory, UserFactory


@pytest.fixture
def recruiter():
    return UserFactory(role=Role.RECRUITER)


@pytest.fixture
def kit():
    """A kit with two skills and two questions, one tied to the first skill."""
    kit = KitFactory()
    kit.questions.append(
        KitQuestion(
            text="How do blueprints help?",
            expected_answer="They split an app.",
            key_points=[{"label": "Modularity", "text": "one package per feature"}],
            skill=kit.skills[0],
            position=0,
        )
    )
    kit.questions.append(KitQuestion(text="Tell me about a hard bug.", position=1))
    db.session.commit()
    return kit


def _events(opening_id: int, action: str | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.opening_id == opening_id).order_by(AuditEvent.id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.execute(stmt).scalars())


# --- creation from a kit --------------------------------------------------------------------------


def test_create_opening_copies_the_kit_scorecard_and_questions(recruiter, kit):
    opening = services.create_opening(recruiter, title="Flask Developer", kit_id=kit.id)

    assert [(s.name, s.kind, s.weight, s.keywords) for s in opening.skills] == [
        (s.name, s.kind, s.weight, s.keywords) for s in kit.skills
    ]
    assert all(isinstance(s, OpeningSkill) and s.opening_id == opening.id for s in opening.skills)
    tied, untied = opening.questions
    assert tied.text == "How do blueprints help?"
    assert tied.key_points == [{"label": "Modularity", "text": "one package per feature"}]
    # The copied question points at the opening's copy of the skill, not at the kit's skill.
    assert tied.skill is opening.skills[0]
    assert tied.skill_id == opening.skills[0].id
    assert untied.skill is None
    assert opening.kit_id == kit.id
    assert opening.created_by_id == recruiter.id


def test_editing_the_opening_never_changes_the_kit(recruiter, kit):
    opening = services.create_opening(recruiter, title="Flask Developer", kit_id=kit.id)
    skill = opening.skills[0]

    services.update_skill(recruiter, skill, name="Flask in depth", weight=9, keywords=["werkzeug"])
    services.remove_skill(recruiter, opening.skills[1])
    opening.questions[0].key_points.append({"label": "extra", "text": "changed"})
    db.session.commit()
    db.session.expire_all()

    kit_skills = db.session.execute(select(KitSkill).where(KitSkill.kit_id == kit.id)).scalars().all()
    assert [(s.name, s.weight, s.keywords) for s in kit_skills] == [
        ("Skill 0", 3, ["keyword0"]),
        ("Skill 1", 1, ["keyword1"]),
    ]
    kit_question = db.session.execute(
        select(KitQuestion).where(KitQuestion.kit_id == kit.id, KitQuestion.position == 0)
    ).scalar_one()
    assert kit_question.key_points == [{"label": "Modularity", "text": "one package per feature"}]


def test_editing_the_kit_never_changes_an_existing_opening(recruiter, kit):
    opening = services.create_opening(recruiter, title="Flask Developer", kit_id=kit.id)
    kit.skills[0].name = "Renamed in the kit"
    kit.skills[0].weight = 10
    db.session.commit()
    db.session.expire_all()
    assert [(s.name, s.weight) for s in services.get_opening(opening.id).skills] == [
        ("Skill 0", 3),
        ("Skill 1", 1),
    ]


def test_create_opening_without_a_kit_has_an_empty_scorecard(recruiter):
    opening = services.create_opening(recruiter, title="Platform Engineer")
    assert opening.skills == []
    assert opening.questions == []
    assert opening.kit_id is None
    assert opening.status == OpeningStatus.DRAFT


def test_default_stages_are_created_in_order_with_their_kinds(recruiter):
    opening = services.create_opening(recruiter, title="Flask Developer")
    assert [(s.name, s.kind, s.position) for s in opening.stages] == [
        (name, kind, position) for position, (name, kind) in enumerate(DEFAULT_STAGES)
    ]
    assert services.first_stage(opening).name == "Applied"
    assert services.rejected_stage(opening).name == "Rejected"
    assert services.rejected_stage(opening).kind == StageKind.REJECTED


def test_first_and_rejected_stage_need_such_a_stage(recruiter):
    opening = services.create_opening(recruiter, title="No stages")
    opening.stages.clear()
    with pytest.raises(Conflict, match="no active stage"):
        services.first_stage(opening)
    with pytest.raises(Conflict, match="no rejected stage"):
        services.rejected_stage(opening)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Flask Developer", "flask-developer"),
        ("  Senior C++ / Python Engineer!! ", "senior-c-python-engineer"),
        ("Développeur Flask", "d-veloppeur-flask"),
        ("!!!", "opening"),
    ],
)
def test_slug_comes_from_the_title(recruiter, title, slug):
    assert services.create_opening(recruiter, title=title).slug == slug


def test_slugs_are_unique(recruiter):
    slugs = [services.create_opening(recruiter, title="Flask Developer").slug for _ in range(3)]
    assert slugs == ["flask-developer", "flask-developer-2", "flask-developer-3"]
    # A title whose own slug is taken by a numbered copy still gets a free slug.
    assert services.create_opening(recruiter, title="Flask Developer 2").slug == "flask-developer-2-2"


def test_create_records_an_audit_event_on_the_opening(recruiter, kit):
    opening = services.create_opening(
        recruiter, title="Flask Developer", kit_id=kit.id, location="Remote", team_ids=[recruiter.id]
    )
    (event,) = _events(opening.id)
    assert (event.action, event.object_type, event.object_id, event.actor_id) == (
        "create",
        "opening",
        opening.id,
        recruiter.id,
    )
    assert event.after["title"] == "Flask Developer"
    assert event.after["slug"] == "flask-developer"
    assert event.after["team"] == [recruiter.email]
    assert event.before is None


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "   "}, "title", "Title is required."),
        ({"title": "x" * 201}, "title", "Title must be at most 200 characters."),
        ({"title": "Ok", "location": "y" * 201}, "location", "Location must be at most 200 characters."),
        ({"title": "Ok", "status": "archived"}, "status", "Status must be one of: draft, open, closed."),
        ({"title": "Ok", "employment_type": "gig"}, "employment_type", "Employment type must be one of"),
        ({"title": "Ok", "kit_id": 999_999}, "kit_id", "No kit with id 999999."),
    ],
)
def test_create_opening_validation_messages(recruiter, fields, field, message):
    with pytest.raises(ValidationFailed) as error:
        services.create_opening(recruiter, **fields)
    assert error.value.message.startswith(message)
    assert field in error.value.details


@pytest.mark.parametrize(
    "member",
    [
        {"role": Role.INTERVIEWER},
        {"role": Role.HIRING_MANAGER, "active": False},
    ],
)
def test_only_active_staff_can_join_the_hiring_team(recruiter, member):
    user = UserFactory(**member)
    with pytest.raises(ValidationFailed, match="active admins, recruiters and hiring managers") as error:
        services.create_opening(recruiter, title="Flask Developer", team_ids=[user.id])
    assert "team_ids" in error.value.details


def test_unknown_team_user_is_refused(recruiter):
    opening = OpeningFactory()
    with pytest.raises(ValidationFailed, match="not allowed: 987654"):
        services.set_team(recruiter, opening, [987654])


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Name is required."),
        ({"name": "flask CORE"}, "name", "This opening already has a skill named 'flask CORE'."),
        ({"weight": 0}, "weight", "Weight must be between 1 and 10."),
        ({"weight": 11}, "weight", "Weight must be between 1 and 10."),
        ({"weight": 2.5}, "weight", "Weight must be a whole number."),
        ({"pass_bar": 0.5}, "pass_bar", "Pass bar must be between 1.0 and 4.0."),
        ({"pass_bar": 4.5}, "pass_bar", "Pass bar must be between 1.0 and 4.0."),
        ({"pass_bar": float("nan")}, "pass_bar", "Pass bar must be a number."),
        ({"kind": "optional"}, "kind", "Kind must be one of: must_have, nice_to_have."),
        ({"keywords": ["k" * 81]}, "keywords", "Each keyword must be at most 80 characters."),
    ],
)
def test_skill_validation_messages(recruiter, changes, field, message):
    opening = OpeningFactory()
    values = {"name": "SQLAlchemy", "kind": "must_have", "weight": 3, **changes}
    with pytest.raises(ValidationFailed) as error:
        services.add_skill(recruiter, opening, **values)
    assert error.value.message == message
    assert error.value.details == {field: [message]}
    assert len(opening.skills) == 2


def test_renaming_a_skill_to_another_skills_name_is_refused(recruiter):
    opening = OpeningFactory()
    docker = next(s for s in opening.skills if s.name == "Docker")
    with pytest.raises(ValidationFailed, match="already has a skill named 'Flask core'"):
        services.update_skill(recruiter, docker, name="Flask core")
    # Keeping its own name (in another case) is fine.
    assert services.update_skill(recruiter, docker, name="docker").name == "docker"


# --- scorecard edits ------------------------------------------------------------------------------


def test_add_skill_normalizes_keywords_and_appends_at_the_end(recruiter):
    opening = OpeningFactory()
    skill = services.add_skill(
        recruiter,
        opening,
        name=" SQLAlchemy ",
        kind=SkillKind.NICE_TO_HAVE,
        weight=2,
        pass_bar=2.5,
        keywords="SQLAlchemy, alembic,, sqlalchemy ",
    )
    assert (skill.name, skill.kind, skill.weight, skill.pass_bar) == ("SQLAlchemy", "nice_to_have", 2, 2.5)
    assert skill.keywords == ["sqlalchemy", "alembic"]
    assert skill.position == max(s.position for s in opening.skills)
    (event,) = _events(opening.id, "create")
    assert event.object_type == "opening_skill"
    assert event.after["name"] == "SQLAlchemy"


def test_update_skill_records_only_changed_fields(recruiter):
    opening = OpeningFactory()
    skill = opening.skills[0]
    services.update_skill(recruiter, skill, weight=5, pass_bar=3.5)
    (event,) = _events(opening.id, "update")
    assert (event.object_type, event.object_id) == ("opening_skill", skill.id)
    assert event.before == {"weight": 3, "pass_bar": 3.0}
    assert event.after == {"weight": 5, "pass_bar": 3.5}


def test_update_skill_without_changes_records_nothing(recruiter):
    opening = OpeningFactory()
    services.update_skill(recruiter, opening.skills[0], name="Flask core")
    assert _events(opening.id) == []


def test_removing_a_skill_keeps_its_questions(recruiter):
    opening = OpeningFactory()
    skill = opening.skills[0]
    opening.questions.append(OpeningQuestion(text="Explain the app context.", skill=skill))
    db.session.commit()
    skill_id = skill.id

    services.remove_skill(recruiter, skill)
    db.session.expire_all()

    reloaded = services.get_opening(opening.id)
    assert [s.name for s in reloaded.skills] == ["Docker"]
    assert [(q.text, q.skill_id) for q in reloaded.questions] == [("Explain the app context.", None)]
    (event,) = _events(opening.id, "delete")
    assert (event.object_type, event.object_id) == ("opening_skill", skill_id)
    assert event.before["name"] == "Flask core"
    assert event.after is None


# --- editing the opening --------------------------------------------------------------------------


def test_update_opening_audits_before_and_after_of_changed_fields(recruiter):
    opening = OpeningFactory(title="Flask Developer", location="Remote")
    slug = opening.slug
    services.update_opening(
        recruiter,
        opening,
        title="Senior Flask Developer",
        location="Remote",
        employment_type="contract",
        description=opening.description,
        status="open",
    )
    assert opening.slug == slug  # careers links keep working
    (event,) = _events(opening.id, "update")
    assert event.before == {"title": "Flask Developer", "employment_type": "full_time"}
    assert event.after == {"title": "Senior Flask Developer", "employment_type": "contract"}
    assert event.id in [entry.event_id for entry in timeline(recruiter, opening_id=opening.id)]


def test_update_opening_refuses_a_bad_team_before_changing_anything(recruiter):
    opening = OpeningFactory(title="Flask Developer")
    interviewer = UserFactory(role=Role.INTERVIEWER)
    with pytest.raises(ValidationFailed):
        services.update_opening(
            recruiter,
            opening,
            title="Changed",
            location="",
            employment_type="full_time",
            description="",
            status="open",
            team_ids=[interviewer.id],
        )
    assert opening.title == "Flask Developer"


def test_set_status_and_set_team_are_audited(recruiter):
    manager = UserFactory(role=Role.HIRING_MANAGER)
    opening = OpeningFactory(status=OpeningStatus.DRAFT)

    services.set_status(recruiter, opening, "open")
    services.set_status(recruiter, opening, "open")  # no change, no event
    services.set_team(recruiter, opening, [manager.id, manager.id])

    status_event, team_event = _events(opening.id, "update")
    assert (status_event.before, status_event.after) == ({"status": "draft"}, {"status": "open"})
    assert (team_event.before, team_event.after) == ({"team": []}, {"team": [manager.email]})
    assert opening.team == [manager]


def test_set_status_refuses_an_unknown_status(recruiter):
    with pytest.raises(ValidationFailed, match="Status must be one of"):
        services.set_status(recruiter, OpeningFactory(), "'; DROP TABLE openings; --")


# --- reading ------------------------------------------------------------------------------------


def test_get_opening_raises_not_found():
    with pytest.raises(NotFound, match="No opening with id 424242"):
        services.get_opening(424242)


def test_public_openings_are_only_open_ones():
    open_one = OpeningFactory(status=OpeningStatus.OPEN)
    draft = OpeningFactory(status=OpeningStatus.DRAFT)
    closed = OpeningFactory(status=OpeningStatus.CLOSED)
    assert open_one in services.list_public_openings()
    assert draft not in services.list_public_openings()
    assert services.get_public_opening(open_one.slug) is open_one
    for hidden in (draft, closed):
        with pytest.raises(NotFound):
            services.get_public_opening(hidden.slug)


def test_list_openings_follows_the_visibility_rules():
    manager = UserFactory(role=Role.HIRING_MANAGER)
    mine = OpeningFactory(team=[manager])
    other = OpeningFactory()
    admin = UserFactory(role=Role.ADMIN)
    assert services.list_openings(manager) == [mine]
    assert services.list_openings(UserFactory(role=Role.INTERVIEWER)) == []
    assert {mine, other} <= set(services.list_openings(admin))


def test_list_openings_filters_by_status_and_title(recruiter):
    draft = OpeningFactory(title="Data 100% Engineer", status=OpeningStatus.DRAFT)
    OpeningFactory(title="Data Analyst", status=OpeningStatus.OPEN)
    assert services.list_openings(recruiter, status="draft", q="data") == [draft]
    assert services.list_openings(recruiter, q="100%") == [draft]
    assert services.list_openings(recruiter, q="_") == []
    assert services.list_openings(recruiter, status="' OR 1=1 --") == []


def test_stage_counts_groups_applications_in_one_query(app):
    first = OpeningFactory()
    second = OpeningFactory()
    ApplicationFactory(opening=first)
    ApplicationFactory(opening=first)
    ApplicationFactory(opening=first, stage=first.stages[1])
    ApplicationFactory(opening=second, stage=second.stages[-1])
    empty = OpeningFactory()
    opening_ids = [first.id, second.id, empty.id]

    with sql_count(app) as statements:
        counts = services.stage_counts(opening_ids)
    assert len(statements) == 1
    assert counts == {
        first.id: {first.stages[0].id: 2, first.stages[1].id: 1},
        second.id: {second.stages[-1].id: 1},
        empty.id: {},
    }
    assert services.stage_counts([]) == {}


def test_nul_characters_are_dropped_from_text(recruiter):
    opening = services.create_opening(recruiter, title="Flask\x00 Developer", description="a\x00b")
    assert (opening.title, opening.description) == ("Flask Developer", "ab")
    skill = services.add_skill(
        recruiter, opening, name="S\x00QL", kind="must_have", weight=1, keywords=["o\x00rm"]
    )
    assert (skill.name, skill.keywords) == ("SQL", ["orm"])
    assert services.list_openings(recruiter, q="Flask\x00") == [opening]


def test_a_slug_taken_by_a_concurrent_request_is_a_conflict(recruiter, monkeypatch):
    taken = services.create_opening(recruiter, title="Flask Developer")
    # Two requests can compute the same free slug; the database's unique constraint decides.
    monkeypatch.setattr(services, "_unique_slug", lambda title: taken.slug)
    with pytest.raises(Conflict, match="created at the same moment"):
        services.create_opening(recruiter, title="Flask Developer")
    assert services.list_openings(recruiter) == [taken]
