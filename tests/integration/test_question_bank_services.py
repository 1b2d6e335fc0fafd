"""Question bank use cases: validation, versioning, search and filters, audit, kit-format import and export."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from hirewise.audit.models import AuditEvent
from hirewise.auth.models import Role
from hirewise.errors import ValidationFailed
from hirewise.extensions import db
from hirewise.kits.models import Kit, KitQuestion
from hirewise.kits.validation import load_kit_document
from hirewise.questions import services
from hirewise.questions.models import BankQuestion, BankQuestionVersion
from tests.factories import KitFactory, UserFactory

SQL_INJECTIONS = ["' OR 1=1 --", "%' OR '1'='1", '"); DROP TABLE bank_questions; --', "%"]


def make(actor: Any = None, **fields: Any) -> BankQuestion:
    data: dict[str, Any] = {
        "text": "How does Flask's application context work?",
        "type": "technical",
        "expected_answer": "It holds current_app and g for the duration of a request or CLI command.",
        "key_points": [
            {"label": "Lifetime", "text": "Pushed per request"},
            {"label": "g", "text": "Per context"},
        ],
        "skill": "Flask core",
        "difficulty": "medium",
        "tags": ["Flask", "contexts"],
        "follow_ups": ["What happens in a background thread?"],
    }
    data.update(fields)
    return services.create_question(actor or UserFactory(role=Role.RECRUITER), **data)


def search(**filters: Any) -> list[BankQuestion]:
    return list(db.session.execute(services.list_questions(**filters)).scalars())


def events_for(question: BankQuestion) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.object_type == "question", AuditEvent.object_id == question.id)
    return list(db.session.execute(stmt.order_by(AuditEvent.id)).scalars())


def test_create_makes_version_one_with_a_snapshot_and_an_audit_event():
    question = make()
    assert question.version == 1
    assert question.tags == ["flask", "contexts"]
    [version] = question.versions
    assert version.version == 1
    assert version.snapshot == services.content_of(question)
    [event] = events_for(question)
    assert event.action == "create"
    assert event.after is not None and event.after["text"] == question.text


def test_editing_creates_version_two_and_keeps_version_one_intact():
    actor = UserFactory(role=Role.RECRUITER)
    question = make(actor)
    original_text = question.text
    services.update_question(actor, question, text="  What does the app context hold?  ", difficulty="hard")
    db.session.expire_all()
    question = services.get_question(question.id)
    assert question.version == 2
    assert question.text == "What does the app context hold?"
    first = services.get_version(question, 1)
    second = services.get_version(question, 2)
    assert first.snapshot["text"] == original_text
    assert first.snapshot["difficulty"] == "medium"
    assert second.snapshot["text"] == "What does the app context hold?"
    assert second.snapshot["difficulty"] == "hard"
    update = events_for(question)[-1]
    assert update.action == "update"
    assert update.before == {"text": original_text, "difficulty": "medium"}
    assert update.after == {"text": "What does the app context hold?", "difficulty": "hard"}


def test_an_edit_that_changes_nothing_makes_no_version_and_no_event():
    actor = UserFactory(role=Role.RECRUITER)
    question = make(actor)
    services.update_question(actor, question, text=question.text + "  ", tags=["FLASK", "contexts"])
    assert question.version == 1
    count = db.session.execute(select(func.count()).select_from(BankQuestionVersion)).scalar_one()
    assert count == 1
    assert [e.action for e in events_for(question)] == ["create"]


def test_archive_and_unarchive_are_audited_and_hide_the_question():
    actor = UserFactory(role=Role.RECRUITER)
    question = make(actor)
    services.archive_question(actor, question)
    assert question.archived and question.version == 1
    assert search() == []
    assert search(include_archived=True) == [question]
    services.unarchive_question(actor, question)
    assert search() == [question]
    assert [e.action for e in events_for(question)] == ["create", "archive", "unarchive"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": "   "}, "text", "is required"),
        ({"text": "x" * 2001}, "text", "at most 2000 characters"),
        ({"type": "trivia"}, "type", "must be one of technical, behavioural, practical"),
        ({"difficulty": "extreme"}, "difficulty", "must be one of easy, medium, hard"),
        ({"key_points": [{"label": " ", "text": "t"}]}, "key_points", "key point 1: the label is required"),
        (
            {"key_points": [{"label": "A", "text": "t"}, {"label": "a", "text": "u"}]},
            "key_points",
            "used twice",
        ),
        ({"key_points": "Label: text"}, "key_points", "must be a list"),
        ({"tags": "flask"}, "tags", "must be a list of short texts"),
        ({"tags": ["x" * 41]}, "tags", "too long"),
        ({"follow_ups": [1, 2]}, "follow_ups", "must be a list of short texts"),
    ],
)
def test_invalid_fields_are_named_with_a_clear_message(fields, field, message):
    with pytest.raises(ValidationFailed) as caught:
        make(**fields)
    assert field.replace("_", " ") in caught.value.message
    assert isinstance(caught.value.details, dict)
    assert message in caught.value.details[field]
    assert db.session.execute(select(func.count()).select_from(BankQuestion)).scalar_one() == 0


def test_filters_by_text_skill_type_difficulty_and_tag():
    flask_question = make()
    behavioural = make(
        text="Tell me about a conflict in your team.",
        expected_answer="Listens, owns the outcome",
        type="behavioural",
        skill="Collaboration",
        difficulty="easy",
        tags=["team"],
    )
    assert search(q="APPLICATION CONTEXT") == [flask_question]
    assert search(q="owns the outcome") == [behavioural]
    assert search(skill="flask core") == [flask_question]
    assert search(type="behavioural") == [behavioural]
    assert search(difficulty="medium") == [flask_question]
    assert search(tag="Team") == [behavioural]
    assert search(tag="tea") == []
    assert set(search()) == {flask_question, behavioural}


@pytest.mark.parametrize("payload", SQL_INJECTIONS)
def test_injection_strings_in_filters_match_nothing_and_raise_nothing(payload):
    make()
    for name in ("q", "skill", "type", "difficulty", "tag"):
        assert search(**{name: payload}) == [], name
    assert db.session.execute(select(func.count()).select_from(BankQuestion)).scalar_one() == 1


def test_like_wildcards_are_matched_literally():
    percent = make(text="What does 100% test coverage prove?")
    make(text="Explain snake_case versus camelCase.")
    assert search(q="100%") == [percent]
    assert [q.text for q in search(q="e_c")] == ["Explain snake_case versus camelCase."]


def test_export_is_a_valid_kit_file_with_a_skill_for_each_skill_name():
    questions = [
        make(),
        make(text="Why use blueprints?", skill="Flask core"),
        make(text="General one?", skill=""),
    ]
    document = services.export_questions(questions)
    assert [s["name"] for s in document["kit"]["skills"]] == ["Flask core"]
    assert [q["skill"] for q in document["kit"]["questions"]] == ["Flask core", "Flask core", None]
    spec = load_kit_document(services.dump_questions(questions, "yaml"), "questions.yaml")
    assert len(spec.questions) == 3
    assert spec.questions[0].key_points[0].label == "Lifetime"


def test_export_without_any_skill_still_validates():
    question = make(skill="")
    spec = load_kit_document(services.dump_questions([question], "json"), "questions.json")
    assert spec.questions[0].skill is None


def test_import_round_trip_creates_then_updates_without_new_versions():
    actor = UserFactory(role=Role.RECRUITER)
    original = make(actor)
    text = services.dump_questions([original], "yaml")
    document = yaml.safe_load(text)
    document["kit"]["questions"].append({"text": "New from file?", "type": "practical", "difficulty": "hard"})
    imported = services.import_questions(actor, yaml.safe_dump(document), "bank.yaml")
    assert imported[0].id == original.id
    assert original.version == 1, "an identical question makes no new version"
    created = imported[1]
    assert (created.text, created.type, created.difficulty, created.version) == (
        "New from file?",
        "practical",
        "hard",
        1,
    )
    assert [e.action for e in events_for(created)] == ["create"]


def test_import_of_a_changed_question_makes_a_new_version():
    actor = UserFactory(role=Role.RECRUITER)
    original = make(actor)
    document = services.export_questions([original])
    document["kit"]["questions"][0]["expected_answer"] = "A better answer."
    services.import_questions(actor, yaml.safe_dump(document), "bank.yaml")
    assert original.version == 2
    assert services.get_version(original, 1).snapshot["expected_answer"].startswith("It holds")
    assert original.tags == ["flask", "contexts"], "fields outside the kit format are kept"


def test_import_errors_are_located_and_nothing_is_written():
    actor = UserFactory(role=Role.RECRUITER)
    content = """
format: hirewise-kit
version: 1
kit:
  slug: broken
  name: Broken
  skills:
    - {name: Flask core, kind: must_have}
  questions:
    - {text: "Fine question?", skill: Flask core}
    - {text: "", difficulty: extreme}
    - {text: "Unknown skill?", skill: Cooking, key_points: [{label: A}]}
"""
    with pytest.raises(ValidationFailed) as caught:
        services.import_questions(actor, content, "broken.yaml")
    assert isinstance(caught.value.details, dict)
    errors = caught.value.details["errors"]
    assert any(e.startswith("questions[1].text:") for e in errors)
    assert any(e.startswith("questions[1].difficulty:") for e in errors)
    assert any(e.startswith('questions[2].skill: unknown skill "Cooking"') for e in errors)
    assert any(e.startswith("questions[2].key_points[0].text: is required") for e in errors)
    assert db.session.execute(select(func.count()).select_from(BankQuestion)).scalar_one() == 0


def test_import_of_unparseable_yaml_reports_a_line():
    with pytest.raises(ValidationFailed) as caught:
        services.import_questions(UserFactory(), "kit: [unclosed", "bad.yaml")
    assert isinstance(caught.value.details, dict)
    assert caught.value.details["errors"][0].startswith("line ")


def test_add_kit_questions_to_bank_copies_each_question_once():
    kit: Kit = KitFactory()
    kit.questions.append(
        KitQuestion(
            text="Kit question?", skill=kit.skills[0], key_points=[{"label": "L", "text": "T"}], position=0
        )
    )
    db.session.commit()
    actor = UserFactory(role=Role.RECRUITER)
    [question] = services.add_kit_questions_to_bank(actor, kit)
    assert (question.text, question.skill, question.key_points) == (
        "Kit question?",
        "Skill 0",
        [{"label": "L", "text": "T"}],
    )
    [again] = services.add_kit_questions_to_bank(actor, kit)
    assert again.id == question.id and again.version == 1
