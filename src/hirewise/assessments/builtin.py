"""Screening assessments shipped with the built-in kits (``builtin/<kit slug>.yaml``).

Each file is checked by the same validation as the editor and the API, when it is added to an
opening: a broken shipped file fails loudly in the tests, not quietly for a user.

An opening gets its kit's assessment once: adding it again (a double click, a retried API call)
gives back the one it has, recognised by its ``source`` (``kit:<slug>``) among the opening's active
assessments. Once that one is archived, adding it again makes a fresh copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import select

from hirewise.assessments.building import create_assessment, require_manage
from hirewise.assessments.models import Assessment, AssessmentStatus, QuestionKind
from hirewise.assessments.questions import add_question
from hirewise.auth.models import User
from hirewise.db import use_case
from hirewise.errors import NotFound
from hirewise.extensions import db
from hirewise.openings.models import Opening

FORMAT = "hirewise-assessment"


@cache
def builtin_definitions() -> dict[str, dict[str, Any]]:
    """``{kit slug: assessment definition}`` of every shipped file."""
    found: dict[str, dict[str, Any]] = {}
    folder = resources.files("hirewise.assessments") / "builtin"
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml"):
            document = yaml.safe_load(entry.read_text(encoding="utf-8"))
            if isinstance(document, dict) and document.get("format") == FORMAT:
                found[str(document["kit"])] = dict(document["assessment"])
    return found


def builtin_for(opening: Opening) -> dict[str, Any] | None:
    if opening.kit is None:
        return None
    return builtin_definitions().get(opening.kit.slug)


def _question_values(opening: Opening, item: dict[str, Any]) -> dict[str, Any]:
    skill = next(
        (s for s in opening.skills if s.name.casefold() == str(item.get("skill", "")).casefold()), None
    )
    kind = QuestionKind(item["kind"])
    if kind == QuestionKind.MULTIPLE_CHOICE:
        content = {
            "options": item.get("options", []),
            "multiple": item.get("multiple", False),
            "partial_credit": item.get("partial_credit", False),
            "shuffle": item.get("shuffle", True),
        }
    elif kind == QuestionKind.FREE_TEXT:
        content = {
            "expected_answer": item.get("expected_answer", ""),
            "key_points": item.get("key_points", []),
        }
    else:
        content = {
            "function_name": item.get("function_name", ""),
            "starter_code": item.get("starter_code", ""),
            "examples": item.get("examples", []),
            "tests": item.get("tests", []),
        }
    return {
        "kind": kind.value,
        "prompt": item.get("prompt", ""),
        "points": item.get("points", 1),
        "skill_id": skill.id if skill else None,
        "content": content,
    }


def kit_source(opening: Opening) -> str | None:
    """The ``source`` of the assessment added from the opening's kit, e.g. ``kit:flask-developer``."""
    return f"kit:{opening.kit.slug}" if opening.kit is not None else None


def kit_assessment(opening: Opening) -> Assessment | None:
    """The opening's active assessment added from its kit, if it has one (the oldest, if several)."""
    source = kit_source(opening)
    if source is None:
        return None
    stmt = (
        select(Assessment)
        .where(
            Assessment.opening_id == opening.id,
            Assessment.source == source,
            Assessment.status == AssessmentStatus.ACTIVE,
        )
        .order_by(Assessment.id)
        .limit(1)
    )
    return db.session.execute(stmt).scalar_one_or_none()


def _lock_opening(opening: Opening) -> None:
    """Hold the opening's row until the commit, so two adds of the kit's assessment run one after the other.

    PostgreSQL: ``SELECT ... FOR NO KEY UPDATE`` (the ``FOR UPDATE`` that still lets other rows
    reference the opening, so applications keep arriving meanwhile); the second request waits
    here, then its look-up sees the first one's assessment. SQLite has no row locks and ignores
    the clause: it lets one transaction write at a time, and a transaction that read before another
    one's commit cannot write after it ("database is locked"), so the second of two simultaneous
    requests fails instead of adding a copy; one that starts after the first finished finds it.
    """
    db.session.execute(select(Opening.id).where(Opening.id == opening.id).with_for_update(key_share=True))


@dataclass(frozen=True)
class KitAssessment:
    assessment: Assessment
    created: bool  # False: the opening already had it, and this is that one


@use_case
def ensure_kit_assessment(actor: User, opening: Opening, *, commit: bool = True) -> KitAssessment:
    """The opening's assessment from its kit: the active one it has, or a new one with skills matched.

    ``commit=False`` makes it a step of a larger use case (setting an opening up in one step)."""
    require_manage(actor, opening)
    definition = builtin_for(opening)
    if definition is None:
        raise NotFound("This opening's kit ships no screening assessment.")
    _lock_opening(opening)
    existing = kit_assessment(opening)
    if existing is not None:
        if commit:
            db.session.commit()  # nothing to write: ends the transaction and its lock
        return KitAssessment(existing, created=False)
    settings = {k: v for k, v in definition.items() if k != "questions"}
    assessment = create_assessment(actor, opening, settings, commit=False)
    assessment.source = kit_source(opening) or ""
    for item in definition.get("questions", []):
        # Shipped content: whoever may build the opening's assessments adds it, code questions included.
        add_question(actor, assessment, _question_values(opening, item), shipped=True, commit=False)
    if commit:
        db.session.commit()
    return KitAssessment(assessment, created=True)


def add_kit_assessment(actor: User, opening: Opening) -> Assessment:
    """Add the screening assessment of the opening's kit, once: see :func:`ensure_kit_assessment`."""
    return ensure_kit_assessment(actor, opening).assessment
