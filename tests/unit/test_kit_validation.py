"""Parsing and validating kit files: every problem, located, reported at once."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from hirewise.errors import ValidationFailed
from hirewise.kits.models import Difficulty, QuestionType, SkillKind
from hirewise.kits.validation import (
    MAX_KIT_BYTES,
    format_location,
    kit_format_schema,
    load_kit_document,
    parse_document,
    validate_document,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kits"


def minimal_document() -> dict[str, Any]:
    return {
        "format": "hirewise-kit",
        "version": 1,
        "kit": {
            "slug": "backend",
            "name": "Backend",
            "skills": [
                {"name": "Flask", "kind": "must_have", "weight": 3},
                {"name": "Python", "kind": "must_have"},
                {"name": "Docker", "kind": "nice_to_have"},
                {"name": "Git", "kind": "nice_to_have"},
            ],
            "questions": [
                {
                    "text": "What is Flask?",
                    "skill": "Flask",
                    "key_points": [{"label": "Micro", "text": "Small"}],
                },
                {"text": "Why Python?", "skill": "Python"},
                {"text": "What is an image?", "skill": "Docker"},
                {"text": "What is a container?", "skill": "Docker"},
            ],
        },
    }


def errors_of(data: Any) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        validate_document(data)
    assert caught.value.status == 422
    assert isinstance(caught.value.details, dict)
    errors: list[str] = caught.value.details["errors"]
    return errors


def with_change(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    document = minimal_document()
    target: Any = document
    for part in path[:-1]:
        target = target[part]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


_DELETE = object()


def test_minimal_document_is_valid_and_normalized() -> None:
    spec = validate_document(minimal_document())
    assert spec.slug == "backend"
    assert [s.name for s in spec.skills] == ["Flask", "Python", "Docker", "Git"]
    assert spec.skills[1].weight == 1 and spec.skills[1].pass_bar == 3.0
    assert spec.questions[0].difficulty is Difficulty.MEDIUM
    assert spec.questions[0].type is QuestionType.TECHNICAL
    assert spec.questions[0].key_points[0].label == "Micro"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("kit", "skills", 2, "weight"), 11, "skills[2].weight: must be between 1 and 10"),
        (("kit", "skills", 0, "weight"), 0, "skills[0].weight: must be between 1 and 10"),
        (("kit", "skills", 0, "weight"), "heavy", "skills[0].weight: must be an integer"),
        (("kit", "skills", 0, "weight"), True, "skills[0].weight: must be an integer"),
        (("kit", "skills", 0, "pass_bar"), 4.5, "skills[0].pass_bar: must be between 1 and 4"),
        (("kit", "skills", 3, "name"), "Flask", 'skills[3].name: duplicate skill "Flask"'),
        (("kit", "skills", 3, "name"), "  flask ", 'skills[3].name: duplicate skill "flask"'),
        (("kit", "skills", 3, "name"), "   ", "skills[3].name: must not be blank"),
        (("kit", "skills", 3, "name"), _DELETE, "skills[3].name: is required"),
        (
            ("kit", "skills", 3, "name"),
            "x" * 121,
            "skills[3].name: must have at most 120 characters (got 121)",
        ),
        (
            ("kit", "skills", 1, "kind"),
            "must",
            'skills[1].kind: must be one of "must_have", "nice_to_have" (got "must")',
        ),
        (
            ("kit", "skills", 0, "keywords"),
            ["flask", "Flask"],
            'skills[0].keywords[1]: duplicate keyword "flask"',
        ),
        (("kit", "skills", 0, "keywords"), "flask", "skills[0].keywords: must be a list"),
        (
            ("kit", "skills", 0, "colour"),
            "red",
            "skills[0].colour: unknown field (allowed: name, kind, description, weight, pass_bar, keywords)",
        ),
        (("kit", "questions", 3, "skill"), "Flsk", 'questions[3].skill: unknown skill "Flsk"'),
        (("kit", "questions", 3, "skill"), 7, "questions[3].skill: must be a string or null"),
        (
            ("kit", "questions", 1, "text"),
            "what is flask?",
            "questions[1].text: duplicate question (the same text appears earlier)",
        ),
        (
            ("kit", "questions", 0, "difficulty"),
            "extreme",
            'questions[0].difficulty: must be one of "easy", "medium", "hard" (got "extreme")',
        ),
        (
            ("kit", "questions", 0, "type"),
            "chat",
            'questions[0].type: must be one of "technical", "behavioural", "practical" (got "chat")',
        ),
        (
            ("kit", "questions", 0, "key_points", 0, "text"),
            _DELETE,
            "questions[0].key_points[0].text: is required",
        ),
        (
            ("kit", "questions", 0, "key_points"),
            [{"label": "A", "text": "x"}, {"label": "a", "text": "y"}],
            'questions[0].key_points[1].label: duplicate key point "a"',
        ),
        (
            ("kit", "slug"),
            "Flask Dev",
            'slug: must be lower-case letters and digits separated by single hyphens, e.g. "flask-developer"',
        ),
        (("kit", "name"), _DELETE, "name: is required"),
        (("kit",), "a kit", "kit: must be a mapping of fields"),
        (("version",), 2, "version: unsupported format version 2; this Hirewise reads version 1"),
        (("format",), "other-kit", 'format: must be "hirewise-kit" (got "other-kit")'),
        (("extra",), 1, "extra: unknown field (allowed: format, version, kit)"),
    ],
)
def test_each_problem_is_reported_with_its_location(
    path: tuple[str | int, ...], value: Any, expected: str
) -> None:
    assert errors_of(with_change(path, value)) == [expected]


def test_a_kit_needs_at_least_one_skill() -> None:
    document = with_change(("kit", "skills"), [])
    document["kit"]["questions"] = []
    assert errors_of(document) == ["skills: must have at least 1 item"]


def test_every_problem_is_reported_at_once_in_document_order() -> None:
    errors = errors_of(yaml.safe_load((FIXTURES / "many_problems.yaml").read_text()))
    assert errors == [
        'slug: must be lower-case letters and digits separated by single hyphens, e.g. "flask-developer"',
        "skills[1].weight: must be between 1 and 10",
        'skills[2].name: duplicate skill "Python"',
        'skills[2].kind: must be one of "must_have", "nice_to_have" (got "sometimes")',
        'questions[1].skill: unknown skill "Flsk"',
        'questions[1].difficulty: must be one of "easy", "medium", "hard" (got "extreme")',
    ]


def test_the_summary_message_counts_the_problems() -> None:
    with pytest.raises(ValidationFailed) as caught:
        load_kit_document((FIXTURES / "many_problems.yaml").read_bytes(), "many_problems.yaml")
    assert caught.value.message == "The kit file has 6 problems."
    with pytest.raises(ValidationFailed) as caught:
        validate_document(with_change(("kit", "skills", 0, "weight"), 0))
    assert caught.value.message == "The kit file has 1 problem."


def test_a_flood_of_problems_is_capped_in_the_list_but_counted() -> None:
    document = minimal_document()
    document["kit"]["skills"] = [{"name": "Flask", "kind": "wrong", "weight": 99} for _ in range(100)]
    document["kit"]["questions"] = []
    with pytest.raises(ValidationFailed) as caught:
        validate_document(document)
    assert caught.value.message == "The kit file has 299 problems."
    assert isinstance(caught.value.details, dict)
    assert len(caught.value.details["errors"]) == 201
    assert caught.value.details["errors"][-1] == "(and 99 more problems)"


def test_question_skill_matches_names_case_insensitively() -> None:
    spec = validate_document(with_change(("kit", "questions", 0, "skill"), " flask "))
    assert spec.questions[0].skill == "Flask"


def test_keywords_are_stored_lower_case() -> None:
    spec = validate_document(with_change(("kit", "skills", 0, "keywords"), [" SQLAlchemy", "Flask "]))
    assert spec.skills[0].keywords == ("sqlalchemy", "flask")


def test_malformed_yaml_is_located_by_line_and_column() -> None:
    with pytest.raises(ValidationFailed) as caught:
        load_kit_document((FIXTURES / "malformed.yaml").read_bytes(), "malformed.yaml")
    assert caught.value.message == "The kit file is not valid YAML."
    assert isinstance(caught.value.details, dict)
    [error] = caught.value.details["errors"]
    assert error.startswith("line 6, column 9: ")
    assert "flow sequence" in error


def test_malformed_json_is_located_by_line_and_column() -> None:
    with pytest.raises(ValidationFailed) as caught:
        load_kit_document((FIXTURES / "malformed.json").read_bytes(), "malformed.json")
    assert caught.value.message == "The kit file is not valid JSON."
    assert isinstance(caught.value.details, dict)
    assert caught.value.details["errors"] == [
        "line 4, column 23: Expecting property name enclosed in double quotes"
    ]


@pytest.mark.parametrize(
    ("content", "filename", "expected_error"),
    [
        (
            "a: &x [1, 2]\nb: *x\n",
            "kit.yaml",
            "line 2, column 4: aliases (*name) are not allowed in kit files",
        ),
        ("format: hirewise-kit\nformat: other\n", "kit.yaml", 'line 2, column 1: duplicate key "format"'),
        ("", "kit.yaml", "(document): the file is empty"),
        ("[" * 5000, "kit.json", "(document): the document is nested too deeply"),
        ('{"version": NaN}', "kit.json", "(document): NaN is not allowed"),
        (b"\xff\xfeformat", "kit.yaml", "(document): the file is not UTF-8 text (invalid byte at offset 0)"),
    ],
)
def test_unsafe_or_unreadable_files_are_refused(
    content: str | bytes, filename: str, expected_error: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_document(content, filename)
    assert isinstance(caught.value.details, dict)
    assert caught.value.details["errors"] == [expected_error]


def test_a_billion_laughs_document_is_refused_quickly() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    with pytest.raises(ValidationFailed) as caught:
        load_kit_document("\n".join(lines), "bomb.yaml")
    assert caught.value.message == "The kit file is not valid YAML."


def test_python_specific_yaml_tags_are_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_document("x: !!python/object/apply:os.system ['echo owned']", "kit.yaml")
    assert caught.value.message == "The kit file is not valid YAML."


def test_files_over_one_megabyte_are_refused_before_parsing() -> None:
    content = b"# " + b"x" * MAX_KIT_BYTES
    with pytest.raises(ValidationFailed) as caught:
        parse_document(content, "big.yaml")
    assert caught.value.message == "The kit file is too large."


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("kit.yaml", "format: hirewise-kit"),
        ("kit.YML", "format: hirewise-kit"),
        ("kit.json", '{"format": "hirewise-kit"}'),
        (None, '  {"format": "hirewise-kit"}'),
        (None, "format: hirewise-kit"),
        ("notes.txt", '{"format": "hirewise-kit"}'),
        (None, '\ufeff{"format": "hirewise-kit"}'),
        (None, b'\xef\xbb\xbf{"format": "hirewise-kit"}'),
    ],
)
def test_format_is_detected_by_extension_or_content(filename: str | None, content: str | bytes) -> None:
    assert parse_document(content, filename) == {"format": "hirewise-kit"}


def test_json_content_named_yaml_is_read_as_yaml_which_accepts_json() -> None:
    document = json.dumps(minimal_document())
    assert load_kit_document(document, "kit.yaml").slug == "backend"


def test_the_fixture_kit_loads() -> None:
    spec = load_kit_document((FIXTURES / "data_engineer.yaml").read_bytes(), "data_engineer.yaml")
    assert [s.kind for s in spec.skills] == [SkillKind.MUST_HAVE, SkillKind.NICE_TO_HAVE, SkillKind.MUST_HAVE]
    assert spec.skills[0].keywords == ("sql", "postgresql", "window functions")
    assert spec.questions[0].skill == "SQL"
    assert spec.questions[0].expected_answer.endswith("row_number().")
    assert spec.questions[1].skill is None
    assert spec.questions[1].type is QuestionType.BEHAVIOURAL


def test_the_json_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = kit_format_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert Draft202012Validator(schema).is_valid(minimal_document())
    broken = copy.deepcopy(minimal_document())
    broken["kit"]["skills"][0]["weight"] = 42
    assert not Draft202012Validator(schema).is_valid(broken)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("kit", "questions", 3, "skill"), "questions[3].skill"),
        (("kit",), "kit"),
        (("version",), "version"),
        ((), "(document)"),
        (("kit", "questions", 0, "key_points", 2, "label"), "questions[0].key_points[2].label"),
    ],
)
def test_locations_read_like_paths(path: tuple[str | int, ...], expected: str) -> None:
    assert format_location(path) == expected


def test_the_examples_in_the_documentation_are_valid_kits() -> None:
    text = (Path(__file__).parent.parent.parent / "docs" / "kit-format.md").read_text("utf-8")
    blocks = re.findall(r"```(yaml|json)\n(.*?)```", text, flags=re.DOTALL)
    examples = [
        (lang, body) for lang, body in blocks if "hirewise-kit" in body and "slug: backend" not in body
    ]
    assert len(examples) == 2
    for lang, body in examples:
        spec = load_kit_document(body, f"example.{lang}")
        assert spec.slug == "data-engineer"
