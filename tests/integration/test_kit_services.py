"""Kit use cases against the database: built-in kit, import, replace, export round-trip, delete, audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role
from hirewise.errors import Conflict, NotFound, ValidationFailed
from hirewise.extensions import db
from hirewise.kits import services
from hirewise.kits.models import Kit, KitQuestion, KitSkill
from tests.factories import KitFactory, OpeningFactory, UserFactory

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kits"


def row_counts() -> tuple[int, int, int, int]:
    def count(model: type) -> int:
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()

    return count(Kit), count(KitSkill), count(KitQuestion), count(AuditEvent)


def kit_events(kit_id: int) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.object_type == "kit", AuditEvent.object_id == kit_id)
    return list(db.session.execute(stmt.order_by(AuditEvent.id)).scalars())


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_ensure_builtin_kits_loads_the_flask_developer_kit_once() -> None:
    [kit] = services.ensure_builtin_kits()
    assert kit.slug == "flask-developer" and kit.is_builtin
    assert len(kit.skills) == 12 and len(kit.questions) == 11
    counts = row_counts()

    [again] = services.ensure_builtin_kits()
    assert again.id == kit.id
    assert row_counts() == counts
    assert [e.action for e in kit_events(kit.id)] == ["import"]
    assert kit_events(kit.id)[0].actor_label == "system"


def test_builtin_questions_are_linked_to_their_skills() -> None:
    [kit] = services.ensure_builtin_kits()
    by_text = {q.text: q for q in kit.questions}
    jinja = next(q for text, q in by_text.items() if "Jinja2" in text)
    assert jinja.skill is not None and jinja.skill.name == "Frontend basics"
    assert all(q.skill is not None and q.skill.kit_id == kit.id for q in kit.questions)
    assert [q.position for q in kit.questions] == list(range(11))


def test_ensure_builtin_kits_leaves_an_edited_builtin_alone() -> None:
    [kit] = services.ensure_builtin_kits()
    kit.name = "Our Flask Developer"
    db.session.commit()
    [again] = services.ensure_builtin_kits()
    assert again.name == "Our Flask Developer"


def test_import_creates_the_kit_with_an_audit_event() -> None:
    actor = UserFactory(role=Role.RECRUITER)
    kit = services.import_kit(actor, fixture_bytes("data_engineer.yaml"), "data_engineer.yaml")
    db.session.expire_all()
    kit = services.get_kit(kit.id)
    assert (kit.slug, kit.name, kit.version, kit.is_builtin) == ("data-engineer", "Data Engineer", 1, False)
    assert [(s.name, s.kind, s.weight, s.pass_bar) for s in kit.skills] == [
        ("SQL", "must_have", 4, 3.0),
        ("Airflow", "nice_to_have", 2, 2.5),
        ("Communication", "must_have", 1, 3.0),
    ]
    assert kit.skills[0].keywords == ["sql", "postgresql", "window functions"]
    first, second = kit.questions
    assert first.skill is not None and first.skill.name == "SQL"
    assert first.key_points[1] == {
        "label": "Window function",
        "text": "Numbers rows per key with row_number() and keeps rn > 1.",
    }
    assert second.skill is None and second.type == "behavioural"
    [event] = kit_events(kit.id)
    assert (event.action, event.actor_id) == ("import", actor.id)
    assert event.after is not None and event.after["skills"] == ["SQL", "Airflow", "Communication"]


def test_an_invalid_file_writes_nothing() -> None:
    services.ensure_builtin_kits()
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        services.import_kit(None, fixture_bytes("many_problems.yaml"), "many_problems.yaml")
    assert len(caught.value.details["errors"]) == 6  # type: ignore[index]
    with pytest.raises(ValidationFailed):
        services.import_kit(None, fixture_bytes("malformed.yaml"), "malformed.yaml", replace=True)
    db.session.expire_all()
    assert row_counts() == before


def test_an_invalid_replacement_leaves_the_existing_kit_untouched() -> None:
    kit = services.import_kit(None, fixture_bytes("data_engineer.yaml"), "data_engineer.yaml")
    broken = fixture_bytes("data_engineer.yaml").replace(b"weight: 4", b"weight: 40")
    with pytest.raises(ValidationFailed) as caught:
        services.import_kit(None, broken, "data_engineer.yaml", replace=True)
    assert caught.value.details == {"errors": ["skills[0].weight: must be between 1 and 10"]}
    db.session.expire_all()
    kit = services.get_kit(kit.id)
    assert kit.version == 1 and kit.skills[0].weight == 4


def test_importing_an_existing_slug_is_a_conflict_without_replace() -> None:
    services.import_kit(None, fixture_bytes("data_engineer.yaml"), "data_engineer.yaml")
    before = row_counts()
    with pytest.raises(Conflict) as caught:
        services.import_kit(None, fixture_bytes("data_engineer.yaml"), "data_engineer.yaml")
    assert "data-engineer" in caught.value.message
    assert row_counts() == before


def test_replace_swaps_skills_and_questions_and_bumps_the_version() -> None:
    actor = UserFactory(role=Role.ADMIN)
    kit = services.import_kit(actor, fixture_bytes("data_engineer.yaml"), "data_engineer.yaml")
    document = services.export_kit(kit)
    document["kit"]["name"] = "Senior Data Engineer"
    document["kit"]["skills"] = [
        {"name": "SQL", "kind": "must_have", "weight": 5},
        {"name": "dbt", "kind": "nice_to_have", "keywords": ["dbt"]},
    ]
    document["kit"]["questions"] = [{"text": "What is a dbt model?", "skill": "dbt"}]

    replaced = services.import_kit(actor, json.dumps(document), "kit.json", replace=True)
    db.session.expire_all()
    replaced = services.get_kit(replaced.id)
    assert replaced.id == kit.id
    assert (replaced.name, replaced.version) == ("Senior Data Engineer", 2)
    assert [(s.name, s.weight) for s in replaced.skills] == [("SQL", 5), ("dbt", 1)]
    assert [(q.text, q.skill.name if q.skill else None) for q in replaced.questions] == [
        ("What is a dbt model?", "dbt")
    ]
    assert row_counts()[1:3] == (2, 1)
    event = kit_events(kit.id)[-1]
    assert event.action == "replace"
    assert event.before == {
        "name": "Data Engineer",
        "version": 1,
        "skills": ["SQL", "Airflow", "Communication"],
        "questions": 2,
    }
    assert event.after == {
        "name": "Senior Data Engineer",
        "version": 2,
        "skills": ["SQL", "dbt"],
        "questions": 1,
    }


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_an_exported_kit_reimports_identically(fmt: str) -> None:
    [builtin] = services.ensure_builtin_kits()
    original = services.export_kit(builtin)
    text = services.dump_kit(builtin, fmt)
    parsed = yaml.safe_load(text) if fmt == "yaml" else json.loads(text)
    assert parsed == original

    # Under another slug, so both kits exist side by side.
    copy_text = text.replace("flask-developer", "flask-developer-copy", 1)
    copy = services.import_kit(None, copy_text, f"copy.{fmt}")
    exported_copy = services.export_kit(copy)
    exported_copy["kit"]["slug"] = "flask-developer"
    assert exported_copy == original

    # Re-importing over itself changes only the version.
    again = services.import_kit(None, services.dump_kit(copy, fmt), f"copy.{fmt}", replace=True)
    assert again.version == 2
    assert services.dump_kit(again, fmt) == services.dump_kit(copy, fmt)


def test_the_fixture_kit_round_trips_too() -> None:
    kit = services.import_kit(None, fixture_bytes("data_engineer.yaml"), "data_engineer.yaml")
    first = services.dump_kit(kit)
    again = services.import_kit(None, first, "data_engineer.yaml", replace=True)
    assert services.dump_kit(again) == first
    assert "expected_answer: |-\n" in first  # multi-line text stays readable


def test_yaml_export_uses_the_documented_layout() -> None:
    [kit] = services.ensure_builtin_kits()
    text = services.dump_kit(kit)
    assert text.startswith("format: hirewise-kit\nversion: 1\nkit:\n  slug: flask-developer\n")
    assert "\n  - name: Flask core framework\n    kind: must_have\n    weight: 5\n    pass_bar: 3.0\n" in text


def test_unknown_export_format_is_a_validation_error() -> None:
    kit = KitFactory()
    with pytest.raises(ValidationFailed):
        services.dump_kit(kit, "xml")


def test_delete_removes_the_kit_but_openings_keep_their_copy() -> None:
    actor = UserFactory(role=Role.RECRUITER)
    kit = services.import_kit(actor, fixture_bytes("data_engineer.yaml"), "data_engineer.yaml")
    kit_id = kit.id
    opening = OpeningFactory(kit=kit)
    services.delete_kit(actor, kit)
    db.session.expire_all()
    assert db.session.get(Kit, kit_id) is None
    assert db.session.execute(select(func.count()).select_from(KitSkill)).scalar_one() == 0
    reloaded = db.session.get(type(opening), opening.id)
    assert reloaded is not None and reloaded.kit_id is None and len(reloaded.skills) == 2
    event = kit_events(kit_id)[-1]
    assert event.action == "delete" and event.before is not None and event.before["slug"] == "data-engineer"


def test_builtin_kits_cannot_be_deleted() -> None:
    [kit] = services.ensure_builtin_kits()
    with pytest.raises(Conflict):
        services.delete_kit(UserFactory(role=Role.ADMIN), kit)
    assert db.session.get(Kit, kit.id) is not None


def test_lookups() -> None:
    kit = KitFactory(slug="backend")
    assert services.get_kit(kit.id).id == kit.id
    assert services.get_kit_by_slug("backend").id == kit.id
    with pytest.raises(NotFound):
        services.get_kit(kit.id + 1000)
    with pytest.raises(NotFound):
        services.get_kit_by_slug("nope")


def test_list_kits_puts_builtin_first_and_loads_contents_eagerly(app) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import sql_count

    KitFactory(name="Zeta")
    KitFactory(name="Alpha")
    services.ensure_builtin_kits()
    db.session.expire_all()
    with sql_count(app) as statements:
        kits = services.list_kits()
        total = sum(len(k.skills) + len(k.questions) for k in kits)
    assert [k.name for k in kits] == ["Flask Developer", "Alpha", "Zeta"]
    assert total == 12 + 11 + 4
    assert len(statements) == 3
