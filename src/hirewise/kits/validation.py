"""Reading a kit file: parse YAML or JSON safely, check it against the kit format, and say where it is wrong.

Every problem is reported with its location in the document (``skills[2].weight``, indices from 0),
all at once, so an author can fix a file in one pass. Nothing here touches the database.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import PurePath
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema import ValidationError as SchemaError

from hirewise.errors import ValidationFailed
from hirewise.kits.models import Difficulty, QuestionType, SkillKind

FORMAT_NAME = "hirewise-kit"
FORMAT_VERSION = 1
MAX_KIT_BYTES = 1024 * 1024
MAX_REPORTED_PROBLEMS = 200
YAML_SUFFIXES = {".yaml", ".yml"}
JSON_SUFFIXES = {".json"}

PathPart = str | int
DocPath = tuple[PathPart, ...]

_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "object": "a mapping of fields",
    "array": "a list",
    "boolean": "true or false",
    "null": "null",
}
_PATTERN_MESSAGES = {
    "\\S": "must not be blank",
    "^[a-z0-9]+(-[a-z0-9]+)*$": 'must be lower-case letters and digits separated by single hyphens, e.g. "flask-developer"',
}


# --- the validated document ----------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPointSpec:
    label: str
    text: str


@dataclass(frozen=True)
class SkillSpec:
    name: str
    kind: SkillKind
    description: str = ""
    weight: int = 1
    pass_bar: float = 3.0
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    skill: str | None = None
    difficulty: Difficulty = Difficulty.MEDIUM
    type: QuestionType = QuestionType.TECHNICAL
    expected_answer: str = ""
    key_points: tuple[KeyPointSpec, ...] = ()


@dataclass(frozen=True)
class KitSpec:
    slug: str
    name: str
    description: str = ""
    skills: tuple[SkillSpec, ...] = ()
    questions: tuple[QuestionSpec, ...] = ()


# --- problems and their locations -----------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: DocPath
    message: str

    @property
    def location(self) -> str:
        return format_location(self.path)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


def format_location(path: Iterable[PathPart]) -> str:
    """``("kit", "skills", 2, "weight")`` -> ``skills[2].weight``; the ``kit.`` prefix is implied."""
    parts = list(path)
    if len(parts) > 1 and parts[0] == "kit":
        parts = parts[1:]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


# Reporting follows the order of fields in a well-written file; one list serves every object type.
_FIELD_ORDER = {
    name: rank
    for rank, name in enumerate(
        [
            "format",
            "version",
            "kit",
            "slug",
            "label",
            "name",
            "text",
            "kind",
            "skill",
            "description",
            "difficulty",
            "type",
            "weight",
            "pass_bar",
            "keywords",
            "expected_answer",
            "key_points",
            "skills",
            "questions",
        ]
    )
}


def _sort_key(problem: Problem) -> tuple[tuple[int, int, str], ...]:
    return tuple(
        (0, part, "") if isinstance(part, int) else (1, _FIELD_ORDER.get(part, len(_FIELD_ORDER)), part)
        for part in problem.path
    )


def fail(problems: list[Problem], message: str | None = None) -> ValidationFailed:
    ordered = sorted(set(problems), key=lambda p: (_sort_key(p), p.message))
    count = len(ordered)
    lines = [str(p) for p in ordered[:MAX_REPORTED_PROBLEMS]]
    if count > MAX_REPORTED_PROBLEMS:
        lines.append(f"(and {count - MAX_REPORTED_PROBLEMS} more problems)")
    noun = "problem" if count == 1 else "problems"
    return ValidationFailed(message or f"The kit file has {count} {noun}.", details={"errors": lines})


# --- parsing -------------------------------------------------------------------------------------


class _KitLoader(yaml.SafeLoader):
    """Safe YAML without aliases (no "billion laughs") and without silently repeated keys."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in kit files", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f'duplicate key "{key_node.value}"', key_node.start_mark
                )
            seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def _detect_format(text: str, filename: str | None) -> str:
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix in YAML_SUFFIXES:
        return "yaml"
    if suffix in JSON_SUFFIXES:
        return "json"
    return "json" if text.lstrip().startswith(("{", "[")) else "yaml"


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = Problem((), f"the file is not UTF-8 text (invalid byte at offset {exc.start})")
        raise fail([problem], "The kit file is not a text file.") from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        problem = Problem((f"line {exc.lineno}, column {exc.colno}",), exc.msg)
        raise fail([problem], "The kit file is not valid JSON.") from exc
    except ValueError as exc:
        raise fail([Problem((), str(exc))], "The kit file is not valid JSON.") from exc


def _parse_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_KitLoader)  # noqa: S506 - _KitLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(document)"
        message = ": ".join(part for part in (exc.context, exc.problem) if part) or "cannot be read"
        raise fail([Problem((where,), message)], "The kit file is not valid YAML.") from exc
    except yaml.YAMLError as exc:
        raise fail([Problem((), str(exc))], "The kit file is not valid YAML.") from exc


def parse_document(content: bytes | str, filename: str | None = None) -> Any:
    """The file as plain data. YAML or JSON by the file's extension, else by its first character."""
    size = len(content.encode() if isinstance(content, str) else content)
    if size > MAX_KIT_BYTES:
        problem = Problem((), f"the file has {size} bytes; the limit is {MAX_KIT_BYTES} bytes (1 MB)")
        raise fail([problem], "The kit file is too large.")
    text = _decode(content)
    kind = _detect_format(text, filename)
    try:
        data = _parse_json(text) if kind == "json" else _parse_yaml(text)
    except RecursionError as exc:
        problem = Problem((), "the document is nested too deeply")
        raise fail([problem], f"The kit file is not valid {kind.upper()}.") from exc
    if data is None:
        raise fail([Problem((), "the file is empty")], "The kit file is empty.")
    return data


# --- schema checks -------------------------------------------------------------------------------


@cache
def kit_format_schema() -> dict[str, Any]:
    text = resources.files("hirewise.kits").joinpath("kit-format.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(kit_format_schema())


def _quoted(values: Iterable[Any]) -> str:
    return ", ".join(json.dumps(v) for v in values)


def _shown(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _range_message(schema: dict[str, Any]) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f"must be between {low:g} and {high:g}"
    return f"must be at least {low:g}" if low is not None else f"must be at most {high:g}"


def _schema_problems(error: SchemaError) -> Iterator[Problem]:
    path: DocPath = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    # jsonschema types these as ``Any | Unset``; for an error that was raised they are always set.
    keyword: Any = error.validator
    value: Any = error.validator_value
    instance: Any = error.instance
    if keyword == "required":
        for name in value:
            if isinstance(instance, dict) and name not in instance:
                yield Problem((*path, name), "is required")
    elif keyword == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        for key in instance:
            if key not in allowed:
                yield Problem((*path, str(key)), f"unknown field (allowed: {', '.join(allowed)})")
    elif keyword == "type":
        types = value if isinstance(value, list) else [value]
        yield Problem(path, "must be " + " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in types))
    elif keyword in ("minimum", "maximum"):
        yield Problem(path, _range_message(schema))
    elif keyword == "enum":
        yield Problem(path, f"must be one of {_quoted(value)} (got {_shown(instance)})")
    elif keyword == "const" and path == ("version",) and isinstance(instance, int):
        yield Problem(path, f"unsupported format version {instance}; this Hirewise reads version {value}")
    elif keyword == "const":
        yield Problem(path, f"must be {json.dumps(value)} (got {_shown(instance)})")
    elif keyword == "minLength":
        yield Problem(path, "must not be empty" if value == 1 else f"must have at least {value} characters")
    elif keyword == "maxLength":
        yield Problem(path, f"must have at most {value} characters (got {len(instance)})")
    elif keyword == "pattern":
        yield Problem(path, _PATTERN_MESSAGES.get(value, f"must match the pattern {value}"))
    elif keyword == "minItems":
        yield Problem(path, f"must have at least {value} item{'s' if value != 1 else ''}")
    elif keyword == "maxItems":
        yield Problem(path, f"must have at most {value} items (got {len(instance)})")
    else:
        yield Problem(path, error.message)


# --- semantic checks (what a schema cannot say) ---------------------------------------------------


def _items(container: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    values = container.get(key) if isinstance(container, dict) else None
    if not isinstance(values, list):
        return []
    return [(i, item) for i, item in enumerate(values) if isinstance(item, dict)]


def _norm(value: Any) -> str | None:
    return value.strip().casefold() if isinstance(value, str) and value.strip() else None


def _semantic_problems(data: Any) -> Iterator[Problem]:
    kit = data.get("kit") if isinstance(data, dict) else None
    skill_names: set[str] = set()
    for index, skill in _items(kit, "skills"):
        where: DocPath = ("kit", "skills", index)
        name = _norm(skill.get("name"))
        if name is not None and name in skill_names:
            yield Problem((*where, "name"), f'duplicate skill "{skill["name"].strip()}"')
        elif name is not None:
            skill_names.add(name)
        pass_bar = skill.get("pass_bar")
        if isinstance(pass_bar, float) and not math.isfinite(pass_bar):
            yield Problem((*where, "pass_bar"), "must be a finite number")
        keywords = skill.get("keywords")
        seen_keywords: set[str] = set()
        for k_index, keyword in enumerate(keywords if isinstance(keywords, list) else []):
            normalized = _norm(keyword)
            if normalized is not None and normalized in seen_keywords:
                yield Problem((*where, "keywords", k_index), f'duplicate keyword "{normalized}"')
            elif normalized is not None:
                seen_keywords.add(normalized)

    seen_questions: set[str] = set()
    for index, question in _items(kit, "questions"):
        where = ("kit", "questions", index)
        skill_ref = question.get("skill")
        if isinstance(skill_ref, str) and _norm(skill_ref) not in skill_names:
            yield Problem((*where, "skill"), f'unknown skill "{skill_ref}"')
        text = _norm(question.get("text"))
        if text is not None and text in seen_questions:
            yield Problem((*where, "text"), "duplicate question (the same text appears earlier)")
        elif text is not None:
            seen_questions.add(text)
        labels: set[str] = set()
        for p_index, point in _items(question, "key_points"):
            label = _norm(point.get("label"))
            if label is not None and label in labels:
                yield Problem(
                    (*where, "key_points", p_index, "label"),
                    f'duplicate key point "{point["label"].strip()}"',
                )
            elif label is not None:
                labels.add(label)


# --- from valid data to a KitSpec ---------------------------------------------------------------


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _build_spec(data: dict[str, Any]) -> KitSpec:
    kit = data["kit"]
    skills = tuple(
        SkillSpec(
            name=_text(s["name"]),
            kind=SkillKind(s["kind"]),
            description=_text(s.get("description")),
            weight=int(s.get("weight", 1)),
            pass_bar=float(s.get("pass_bar", 3.0)),
            keywords=tuple(k.strip().lower() for k in s.get("keywords", [])),
        )
        for s in kit["skills"]
    )
    by_name = {skill.name.casefold(): skill.name for skill in skills}
    questions = tuple(
        QuestionSpec(
            text=_text(q["text"]),
            skill=by_name[q["skill"].strip().casefold()] if q.get("skill") is not None else None,
            difficulty=Difficulty(q.get("difficulty", Difficulty.MEDIUM)),
            type=QuestionType(q.get("type", QuestionType.TECHNICAL)),
            expected_answer=_text(q.get("expected_answer")),
            key_points=tuple(
                KeyPointSpec(label=_text(p["label"]), text=_text(p["text"])) for p in q.get("key_points", [])
            ),
        )
        for q in kit.get("questions", [])
    )
    return KitSpec(
        slug=kit["slug"],
        name=_text(kit["name"]),
        description=_text(kit.get("description")),
        skills=skills,
        questions=questions,
    )


def validate_document(data: Any) -> KitSpec:
    """Check parsed data against the kit format and the semantic rules; every problem is reported."""
    problems = [p for error in _validator().iter_errors(data) for p in _schema_problems(error)]
    problems.extend(_semantic_problems(data))
    if problems:
        raise fail(problems)
    return _build_spec(data)


def load_kit_document(content: bytes | str, filename: str | None = None) -> KitSpec:
    """Parse and validate a kit file; raises ``ValidationFailed`` listing every located problem."""
    return validate_document(parse_document(content, filename))
