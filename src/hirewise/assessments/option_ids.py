"""The ids under which a candidate sees multiple-choice options: random, opaque, their attempt's own.

An option's real id is its authoring letter (``a``, ``b``...), and authors tend to write the correct
option first: a form value of ``a`` would give the answer away. So at start each attempt draws, per
multiple-choice question, the order it shows the options in and a random id for each option, and
keeps both in ``AssessmentAttempt.option_orders``::

    {"<question id>": [["<shown id>", "<real id>"], ...]}   # in the order shown

The candidate's page and API only ever see the shown ids; the server maps them back, so stored
responses, scoring and review keep the real ids. Two shapes are read:

- the one above;
- ``{"<question id>": ["<real id>", ...]}``, stored by attempts started before shown ids existed: such
  an attempt keeps showing and accepting the real ids, so a candidate in the middle of one is not
  thrown out by an upgrade.

An option added to the question after the attempt started has no stored id: it gets one derived from
the secret key, the attempt and the option (opaque, and the same on every page load).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from collections.abc import Iterable, Sequence
from typing import Any

from flask import current_app

from hirewise.assessments.models import AssessmentAttempt, AssessmentQuestion, QuestionKind
from hirewise.errors import ValidationFailed

SHOWN_ID_BYTES = 12  # 96 random bits, 16 URL-safe characters


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _draw_id(rng: random.Random, taken: set[str]) -> str:
    # SystemRandom.randbytes is os.urandom, as secrets.token_urlsafe; a seeded Random in tests.
    while True:
        value = _encode(rng.randbytes(SHOWN_ID_BYTES))
        if value not in taken:
            taken.add(value)
            return value


def draw_orders(questions: Iterable[AssessmentQuestion], rng: random.Random) -> dict[str, list[list[str]]]:
    """Each multiple-choice question's options in the order shown (shuffled unless the question says
    ``shuffle: false``), each with a fresh random id."""
    taken: set[str] = set()
    orders: dict[str, list[list[str]]] = {}
    for question in questions:
        if question.kind != QuestionKind.MULTIPLE_CHOICE:
            continue
        real_ids = [str(option["id"]) for option in question.content.get("options", [])]
        if question.content.get("shuffle", True):
            rng.shuffle(real_ids)
        orders[str(question.id)] = [[_draw_id(rng, taken), real_id] for real_id in real_ids]
    return orders


def _derived_id(attempt: AssessmentAttempt, question: AssessmentQuestion, real_id: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"assessment-option:{attempt.id}:{question.id}:{real_id}".encode()
    return _encode(hmac.new(key, message, hashlib.sha256).digest()[:SHOWN_ID_BYTES])


def _stored_pairs(entry: Any) -> tuple[list[tuple[str, str]], bool]:
    """(shown id, real id) pairs of a stored entry, and whether it is the shape from before shown ids."""
    if not isinstance(entry, list):
        return [], False
    if all(isinstance(item, str) for item in entry):
        return [(item, item) for item in entry], True
    pairs = [
        (str(item[0]), str(item[1])) for item in entry if isinstance(item, (list, tuple)) and len(item) == 2
    ]
    return pairs, False


def shown_options(
    attempt: AssessmentAttempt, question: AssessmentQuestion
) -> list[tuple[str, dict[str, Any]]]:
    """``(shown id, option)`` in the attempt's order; options added since the start come last."""
    options = {str(option["id"]): option for option in question.content.get("options", [])}
    pairs, legacy = _stored_pairs((attempt.option_orders or {}).get(str(question.id)))
    shown = [(shown_id, options[real_id]) for shown_id, real_id in pairs if real_id in options]
    placed = {real_id for _, real_id in pairs}
    for real_id, option in options.items():
        if real_id not in placed:
            shown.append((real_id if legacy else _derived_id(attempt, question, real_id), option))
    return shown


def to_real(attempt: AssessmentAttempt, question: AssessmentQuestion, selected: Sequence[Any]) -> list[str]:
    """The real ids of the shown ids the candidate sent; an id not shown to this attempt is a 422."""
    by_shown = {shown_id: str(option["id"]) for shown_id, option in shown_options(attempt, question)}
    real: list[str] = []
    for value in selected:
        if not isinstance(value, str) or value not in by_shown:
            raise ValidationFailed("Choose among the options shown.", {"selected": ["Unknown option."]})
        real.append(by_shown[value])
    return real


def to_shown(attempt: AssessmentAttempt, question: AssessmentQuestion, real_ids: Iterable[Any]) -> list[str]:
    """The ids the candidate sees for stored real ids (an option removed since is left out)."""
    by_real = {str(option["id"]): shown_id for shown_id, option in shown_options(attempt, question)}
    return [by_real[str(real_id)] for real_id in real_ids if str(real_id) in by_real]
