"""Use cases of the question bank: search, create, edit (a new version each time), archive, import, export.

Every edit that changes a question writes a new :class:`BankQuestionVersion` snapshot and never
touches the older ones, so feedback or interview kits that recorded "question 7, version 2" keep
exactly the text they were given.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, String, cast, func, or_, select
from sqlalchemy.exc import IntegrityError

from hirewise.audit.services import changed, record
from hirewise.auth.models import User
from hirewise.errors import Conflict, NotFound, ValidationFailed
from hirewise.extensions import db
from hirewise.kits.models import Difficulty, Kit, QuestionType
from hirewise.kits.services import dump_document
from hirewise.kits.validation import (
    FORMAT_NAME,
    FORMAT_VERSION,
    KeyPointSpec,
    QuestionSpec,
    load_kit_document,
)
from hirewise.questions.models import BankQuestion, BankQuestionVersion

CONTENT_FIELDS = (
    "text",
    "type",
    "expected_answer",
    "key_points",
    "skill",
    "difficulty",
    "tags",
    "follow_ups",
)
# Limits follow the kit format, so every bank question can be exported and imported again.
MAX_TEXT = 2000
MAX_ANSWER = 10000
MAX_KEY_POINTS = 20
MAX_LABEL = 120
MAX_SKILL = 120
MAX_TAGS = 20
MAX_TAG = 40
MAX_FOLLOW_UPS = 10
MAX_FOLLOW_UP = 500
MAX_EXPORT = 300
EXPORT_SLUG = "question-bank"
EXPORT_SKILL_KIND = "nice_to_have"
GENERAL_SKILL = "General"
LIKE_ESCAPE = "!"


# --- validation ------------------------------------------------------------------------------------


def _text(value: Any, name: str, problems: dict[str, str], *, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems[name] = "must be text"
        return ""
    value = value.strip()
    if required and not value:
        problems[name] = "is required"
    elif len(value) > limit:
        problems[name] = f"must have at most {limit} characters (got {len(value)})"
    return value


def _enum(
    value: Any, enum: type[QuestionType] | type[Difficulty], name: str, problems: dict[str, str]
) -> Any:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        problems[name] = f"must be one of {allowed} (got {str(value)[:40]!r})"
        return next(iter(enum))


def _key_points(value: Any, problems: dict[str, str]) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        problems["key_points"] = "must be a list of {label, text}"
        return []
    if len(value) > MAX_KEY_POINTS:
        problems["key_points"] = f"must have at most {MAX_KEY_POINTS} key points (got {len(value)})"
        return []
    points: list[dict[str, str]] = []
    seen: set[str] = set()
    for index, point in enumerate(value, start=1):
        if not isinstance(point, dict):
            problems["key_points"] = f"key point {index}: must have a label and a text"
            return []
        label, text = point.get("label"), point.get("text")
        label = label.strip() if isinstance(label, str) else ""
        text = text.strip() if isinstance(text, str) else ""
        if not label:
            problems["key_points"] = f"key point {index}: the label is required"
        elif not text:
            problems["key_points"] = f'key point {index} ("{label[:40]}"): the text is required'
        elif len(label) > MAX_LABEL or len(text) > MAX_TEXT:
            problems["key_points"] = (
                f"key point {index}: the label may have {MAX_LABEL} and the text {MAX_TEXT} characters"
            )
        elif label.casefold() in seen:
            problems["key_points"] = f'key point {index}: the label "{label[:40]}" is used twice'
        if "key_points" in problems:
            return []
        seen.add(label.casefold())
        points.append({"label": label, "text": text})
    return points


def _short_list(
    value: Any, name: str, problems: dict[str, str], *, count: int, length: int, lower: bool = False
) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        problems[name] = "must be a list of short texts"
        return []
    items: list[str] = []
    for item in value:
        if not isinstance(item, str):
            problems[name] = "must be a list of short texts"
            return []
        item = item.strip().lower() if lower else item.strip()
        if len(item) > length:
            problems[name] = f'"{item[:40]}" is too long (at most {length} characters each)'
            return []
        if item and item.casefold() not in {i.casefold() for i in items}:
            items.append(item)
    if len(items) > count:
        problems[name] = f"must have at most {count} entries (got {len(items)})"
    return items


def clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Check and normalize question content; ``ValidationFailed`` names every wrong field in details."""
    unknown = sorted(set(fields) - set(CONTENT_FIELDS))
    if unknown:
        raise ValidationFailed(
            f"Unknown question fields: {', '.join(unknown)}.", details=dict.fromkeys(unknown, "unknown field")
        )
    problems: dict[str, str] = {}
    cleaned = {
        "text": _text(fields.get("text"), "text", problems, limit=MAX_TEXT, required=True),
        "type": _enum(fields.get("type", QuestionType.TECHNICAL), QuestionType, "type", problems),
        "expected_answer": _text(
            fields.get("expected_answer"), "expected_answer", problems, limit=MAX_ANSWER
        ),
        "key_points": _key_points(fields.get("key_points"), problems),
        "skill": _text(fields.get("skill"), "skill", problems, limit=MAX_SKILL),
        "difficulty": _enum(fields.get("difficulty", Difficulty.MEDIUM), Difficulty, "difficulty", problems),
        "tags": _short_list(fields.get("tags"), "tags", problems, count=MAX_TAGS, length=MAX_TAG, lower=True),
        "follow_ups": _short_list(
            fields.get("follow_ups"), "follow_ups", problems, count=MAX_FOLLOW_UPS, length=MAX_FOLLOW_UP
        ),
    }
    if problems:
        noun = "field needs" if len(problems) == 1 else "fields need"
        names = ", ".join(name.replace("_", " ") for name in problems)
        raise ValidationFailed(
            f"The question is not valid: {len(problems)} {noun} fixing ({names}).", details=problems
        )
    return cleaned


def content_of(question: BankQuestion) -> dict[str, Any]:
    """The versioned content of a question as plain JSON-safe data."""
    return {
        "text": question.text,
        "type": str(question.type),
        "expected_answer": question.expected_answer,
        "key_points": [dict(point) for point in question.key_points],
        "skill": question.skill,
        "difficulty": str(question.difficulty),
        "tags": list(question.tags),
        "follow_ups": list(question.follow_ups),
    }


def _plain(cleaned: dict[str, Any]) -> dict[str, Any]:
    return {**cleaned, "type": str(cleaned["type"]), "difficulty": str(cleaned["difficulty"])}


# --- reading ---------------------------------------------------------------------------------------


def _like_pattern(value: str) -> str:
    escaped = (
        value.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", f"{LIKE_ESCAPE}%")
        .replace("_", f"{LIKE_ESCAPE}_")
    )
    return f"%{escaped}%"


def list_questions(
    *,
    q: str | None = None,
    skill: str | None = None,
    type: str | None = None,
    difficulty: str | None = None,
    tag: str | None = None,
    include_archived: bool = False,
) -> Select[Any]:
    """A statement for the matching questions, newest change first; unknown filter values match nothing."""
    stmt = select(BankQuestion)
    if not include_archived:
        stmt = stmt.where(BankQuestion.archived.is_(False))
    if q and q.strip():
        pattern = _like_pattern(q.strip().lower())
        stmt = stmt.where(
            or_(
                func.lower(BankQuestion.text).like(pattern, escape=LIKE_ESCAPE),
                func.lower(BankQuestion.expected_answer).like(pattern, escape=LIKE_ESCAPE),
            )
        )
    if skill and skill.strip():
        stmt = stmt.where(func.lower(BankQuestion.skill) == skill.strip().lower())
    if type:
        stmt = stmt.where(BankQuestion.type == type)
    if difficulty:
        stmt = stmt.where(BankQuestion.difficulty == difficulty)
    if tag and tag.strip():
        # Tags are stored lower-case in a JSON list; its text contains the tag as a JSON string.
        pattern = _like_pattern(json.dumps(tag.strip().lower()))
        stmt = stmt.where(cast(BankQuestion.tags, String).like(pattern, escape=LIKE_ESCAPE))
    return stmt.order_by(BankQuestion.updated_at.desc(), BankQuestion.id.desc())


def questions_for_export(**filters: Any) -> list[BankQuestion]:
    """The questions ``list_questions`` matches, one more than an export holds so too many is noticed."""
    stmt = list_questions(**filters).limit(MAX_EXPORT + 1)
    return list(db.session.execute(stmt).scalars())


def skill_names() -> list[str]:
    """Every skill name used by a question, for the filter menu."""
    stmt = select(BankQuestion.skill).where(BankQuestion.skill != "").distinct().order_by(BankQuestion.skill)
    return list(db.session.execute(stmt).scalars())


def get_question(question_id: int) -> BankQuestion:
    question = db.session.get(BankQuestion, question_id)
    if question is None:
        raise NotFound(f"There is no question with the id {question_id}.")
    return question


def get_version(question: BankQuestion, version: int) -> BankQuestionVersion:
    found = db.session.execute(
        select(BankQuestionVersion).where(
            BankQuestionVersion.question_id == question.id, BankQuestionVersion.version == version
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"Question {question.id} has no version {version}.")
    return found


# --- writing ---------------------------------------------------------------------------------------


def _add_version(actor: User | None, question: BankQuestion) -> None:
    db.session.add(
        BankQuestionVersion(
            question=question,
            version=question.version,
            snapshot=content_of(question),
            created_by_id=actor.id if actor is not None else None,
        )
    )


def _new_question(actor: User | None, cleaned: dict[str, Any]) -> BankQuestion:
    question = BankQuestion(**cleaned, version=1, created_by_id=actor.id if actor is not None else None)
    db.session.add(question)
    _add_version(actor, question)
    db.session.flush()
    record(
        actor,
        "create",
        "question",
        question.id,
        f'created question "{question.text[:80]}"',
        after=content_of(question),
    )
    return question


def _apply_changes(actor: User | None, question: BankQuestion, cleaned: dict[str, Any], action: str) -> bool:
    before = content_of(question)
    old, new = changed(before, _plain(cleaned))
    if not new:
        return False
    for name, value in cleaned.items():
        setattr(question, name, value)
    question.version += 1
    _add_version(actor, question)
    summary = f'{action}d question "{question.text[:80]}" (now version {question.version})'
    record(actor, action, "question", question.id, summary, before=old, after=new)
    return True


def _commit(message: str) -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:
        # Two edits of one question raced for the same version number.
        db.session.rollback()
        raise Conflict(message) from exc


def create_question(actor: User, **fields: Any) -> BankQuestion:
    question = _new_question(actor, clean_fields(fields))
    db.session.commit()
    return question


def update_question(actor: User, question: BankQuestion, **fields: Any) -> BankQuestion:
    """Change some fields; a real change adds a version, an unchanged submission writes nothing."""
    cleaned = clean_fields({**content_of(question), **fields})
    if _apply_changes(actor, question, cleaned, "update"):
        _commit("Someone else changed this question at the same time. Reload it and try again.")
    return question


def set_archived(actor: User, question: BankQuestion, archived: bool) -> BankQuestion:
    """Archived questions leave the bank's default list; their versions stay readable."""
    if question.archived == archived:
        return question
    question.archived = archived
    action = "archive" if archived else "unarchive"
    summary = f'{action}d question "{question.text[:80]}"'
    record(
        actor,
        action,
        "question",
        question.id,
        summary,
        before={"archived": not archived},
        after={"archived": archived},
    )
    db.session.commit()
    return question


def archive_question(actor: User, question: BankQuestion) -> BankQuestion:
    return set_archived(actor, question, True)


def unarchive_question(actor: User, question: BankQuestion) -> BankQuestion:
    return set_archived(actor, question, False)


# --- kit-format import and export ------------------------------------------------------------------


def export_questions(questions: Sequence[BankQuestion]) -> dict[str, Any]:
    """The questions as a kit-format document. Tags and follow-ups are not part of the kit format."""
    if len(questions) > MAX_EXPORT:
        raise ValidationFailed(
            f"A kit file holds at most {MAX_EXPORT} questions; narrow the filters ({len(questions)} match).",
            details={"errors": [f"questions: at most {MAX_EXPORT} per file (got {len(questions)})"]},
        )
    names = sorted({q.skill for q in questions if q.skill}, key=str.casefold)
    # The kit format requires at least one skill; questions only refer to skills by name.
    skills = [{"name": name, "kind": EXPORT_SKILL_KIND} for name in names or [GENERAL_SKILL]]
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "kit": {
            "slug": EXPORT_SLUG,
            "name": "Question bank",
            "description": f"{len(questions)} questions exported from the Hirewise question bank.",
            "skills": skills,
            "questions": [
                {
                    "text": q.text,
                    "skill": q.skill or None,
                    "difficulty": str(q.difficulty),
                    "type": str(q.type),
                    "expected_answer": q.expected_answer,
                    "key_points": [{"label": p["label"], "text": p["text"]} for p in q.key_points],
                }
                for q in questions
            ],
        },
    }


def dump_questions(questions: Sequence[BankQuestion], fmt: str = "yaml") -> str:
    return dump_document(export_questions(questions), fmt)


def _spec_fields(spec: QuestionSpec) -> dict[str, Any]:
    return {
        "text": spec.text,
        "type": spec.type,
        "expected_answer": spec.expected_answer,
        "key_points": [{"label": p.label, "text": p.text} for p in spec.key_points],
        "skill": spec.skill or "",
        "difficulty": spec.difficulty,
    }


def _store_specs(actor: User | None, specs: Iterable[QuestionSpec]) -> list[BankQuestion]:
    """A question whose text is already in the bank is updated (new version if it differs), else created."""
    specs = list(specs)
    texts = [spec.text for spec in specs]
    existing: dict[str, BankQuestion] = {}
    if texts:
        stmt = select(BankQuestion).where(BankQuestion.text.in_(texts)).order_by(BankQuestion.id)
        for question in db.session.execute(stmt).scalars():
            existing.setdefault(question.text, question)
    stored: list[BankQuestion] = []
    for spec in specs:
        found = existing.get(spec.text)
        if found is None:
            stored.append(_new_question(actor, clean_fields(_spec_fields(spec))))
        else:
            cleaned = clean_fields({**content_of(found), **_spec_fields(spec)})
            _apply_changes(actor, found, cleaned, "update")
            stored.append(found)
    _commit("The question bank changed while importing. Try again.")
    return stored


def import_questions(actor: User, content: bytes | str, filename: str | None = None) -> list[BankQuestion]:
    """Read a kit file's questions into the bank. An invalid file writes nothing and lists every problem."""
    spec = load_kit_document(content, filename)
    if not spec.questions:
        raise ValidationFailed(
            "The kit file has no questions to import.", details={"errors": ["questions: the list is empty"]}
        )
    return _store_specs(actor, spec.questions)


def add_kit_questions_to_bank(actor: User, kit: Kit) -> list[BankQuestion]:
    """Copy a kit's questions into the bank (questions already there by text are updated)."""
    specs = [
        QuestionSpec(
            text=q.text,
            skill=q.skill.name if q.skill else None,
            difficulty=Difficulty(q.difficulty),
            type=QuestionType(q.type),
            expected_answer=q.expected_answer,
            key_points=tuple(KeyPointSpec(label=p["label"], text=p["text"]) for p in q.key_points),
        )
        for q in kit.questions
    ]
    return _store_specs(actor, specs)
