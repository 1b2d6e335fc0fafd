"""Screening assessments shipped with the built-in kits (``builtin/<kit slug>.yaml``).

Each file is checked by the same validation as the editor and the API, when it is added to an
opening: a broken shipped file fails loudly in the tests, not quietly for a user.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from hirewise.assessments.models import Assessment, QuestionKind
from hirewise.assessments.services import add_question, create_assessment
from hirewise.auth.models import User
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


def add_kit_assessment(actor: User, opening: Opening) -> Assessment:
    """Add the screening assessment of the opening's kit, with skills matched to its scorecard."""
    definition = builtin_for(opening)
    if definition is None:
        raise NotFound("This opening's kit ships no screening assessment.")
    settings = {k: v for k, v in definition.items() if k != "questions"}
    assessment = create_assessment(actor, opening, settings, commit=False)
    assessment.source = f"kit:{opening.kit.slug}" if opening.kit else ""
    for item in definition.get("questions", []):
        # Shipped content: whoever may build the opening's assessments adds it, code questions included.
        add_question(actor, assessment, _question_values(opening, item), shipped=True, commit=False)
    db.session.commit()
    return assessment
