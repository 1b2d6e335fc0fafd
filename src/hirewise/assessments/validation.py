"""Checking an assessment question's content for its kind, for the forms, the API and shipped files alike.

Each ``clean_*`` function takes loosely typed input (parsed JSON or form values) and returns the
normalised ``content`` dict stored on ``AssessmentQuestion``, or adds located messages to ``errors``.
"""

from __future__ import annotations

import json
import keyword
import re
from difflib import SequenceMatcher
from typing import Any

from hirewise.assessments.models import QuestionKind
from hirewise.interviews.validation import FieldErrors

MAX_PROMPT_CHARS = 5_000
MAX_POINTS = 100
MAX_OPTIONS = 10
MAX_KEY_POINTS = 12
MAX_TESTS = 30
MAX_CODE_CHARS = 20_000
MAX_TEXT_ANSWER_CHARS = 10_000
MAX_TEST_JSON_CHARS = 10_000
TIME_LIMIT_RANGE = (1, 240)
VALID_DAYS_RANGE = (1, 60)
# Option ids are letters; an option keeps its id across edits (matched by its text) so that answers
# already given still point at the option the candidate chose. New options take a letter no current
# option has, from a pool larger than the option limit.
OPTION_IDS = "abcdefghijklmnopqrstuvwxyz"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,59}$")
# ASCII digits only (str.isdigit also accepts "²"), and short enough that int() never refuses it.
EDITED_OPTION_SIMILARITY = 0.6
_WORD = re.compile(r"\w+")
_WHOLE_NUMBER = re.compile(r"^-?[0-9]{1,9}$")


def _text(errors: FieldErrors, name: str, label: str, value: Any, max_chars: int, *, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        errors.add(name, f"{label} must be text.")
    elif required and not text:
        errors.add(name, f"{label} is required.")
    elif len(text) > max_chars:
        errors.add(name, f"{label} must be at most {max_chars:,} characters.")
    return text


def check_int(errors: FieldErrors, name: str, label: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, str) and _WHOLE_NUMBER.match(value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.add(name, f"{label} must be a whole number from {low} to {high}.")
        return low
    return value


def check_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on", "y"}
    return bool(value)


def clean_prompt(errors: FieldErrors, value: Any) -> str:
    return _text(errors, "prompt", "The question", value, MAX_PROMPT_CHARS, required=True)


def clean_points(errors: FieldErrors, value: Any) -> int:
    return check_int(errors, "points", "Points", value, 1, MAX_POINTS)


def _clean_options(errors: FieldErrors, raw: Any, previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_OPTIONS:
        errors.add("options", f"Give between 2 and {MAX_OPTIONS} options.")
        return []
    options: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        if isinstance(item, str):
            item = {"text": item, "correct": False}
        if not isinstance(item, dict):
            errors.add(f"options.{index}", "Each option needs a text and whether it is correct.")
            continue
        text = _text(
            errors, f"options.{index}.text", f"Option {index + 1}", item.get("text"), 500, required=True
        )
        if text.casefold() in seen:
            errors.add(f"options.{index}.text", f"Option {index + 1} repeats another option.")
        seen.add(text.casefold())
        options.append({"id": "", "text": text, "correct": check_bool(item.get("correct"))})
    if options and not any(option["correct"] for option in options):
        errors.add("options", "Mark at least one option as correct.")
    _assign_option_ids(options, previous)
    return options


def _text_likeness(new: str, old: str) -> float:
    """0..1: a typo fix scores high by characters, an extended text by its shared words."""
    new_words, old_words = set(_WORD.findall(new.casefold())), set(_WORD.findall(old.casefold()))
    shared = len(new_words & old_words) / max(1, min(len(new_words), len(old_words)))
    return max(SequenceMatcher(None, new.casefold(), old.casefold()).ratio(), shared)


def _assign_option_ids(options: list[dict[str, Any]], previous: list[dict[str, Any]]) -> None:
    """Same text, same id; an edited option (its text close to a previous option that is gone, e.g. a
    typo fixed) keeps that option's id; a new option gets a letter no previous option had."""
    by_text = {str(option.get("text", "")).casefold(): str(option.get("id")) for option in previous}
    used: set[str] = set()
    for option in options:
        option_id = by_text.get(option["text"].casefold())
        if option_id and option_id not in used:
            option["id"] = option_id
            used.add(option_id)
    for option in options:
        if option["id"]:
            continue
        candidates = [
            (_text_likeness(option["text"], str(old.get("text", ""))), old)
            for old in previous
            if str(old.get("id")) not in used
        ]
        ratio, closest = max(candidates, key=lambda pair: pair[0], default=(0.0, None))
        if closest is not None and ratio >= EDITED_OPTION_SIMILARITY:
            option["id"] = str(closest.get("id"))
            used.add(option["id"])
    taken = used | {str(option.get("id")) for option in previous}
    fresh = (letter for letter in OPTION_IDS if letter not in taken)
    for option in options:
        if not option["id"]:
            option["id"] = next(fresh)


def _clean_multiple_choice(
    errors: FieldErrors, raw: dict[str, Any], previous: dict[str, Any]
) -> dict[str, Any]:
    options = _clean_options(errors, raw.get("options"), list(previous.get("options") or []))
    correct_count = sum(1 for option in options if option["correct"])
    # More than one correct option makes it a "choose all that apply" question, whatever was asked.
    multiple = check_bool(raw.get("multiple")) or correct_count > 1
    return {
        "options": options,
        "multiple": multiple,
        "partial_credit": check_bool(raw.get("partial_credit")) and multiple,
        "shuffle": check_bool(raw.get("shuffle", True)),
    }


def _clean_key_points(errors: FieldErrors, raw: Any) -> list[dict[str, str]]:
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        raw = [line for line in raw.splitlines() if line.strip()]
    if not isinstance(raw, list) or len(raw) > MAX_KEY_POINTS:
        errors.add("key_points", f"Give at most {MAX_KEY_POINTS} key points, one per line.")
        return []
    points: list[dict[str, str]] = []
    for index, item in enumerate(raw):
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict):
            errors.add(f"key_points.{index}", "A key point is a text (and an optional short label).")
            continue
        text = _text(
            errors, f"key_points.{index}.text", f"Key point {index + 1}", item.get("text"), 500, required=True
        )
        label = _text(
            errors, f"key_points.{index}.label", "A label", item.get("label") or "", 80, required=False
        )
        points.append({"label": label or text[:60], "text": text})
    return points


def _clean_free_text(errors: FieldErrors, raw: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    return {
        "expected_answer": _text(
            errors, "expected_answer", "The expected answer", raw.get("expected_answer"), 5_000, required=True
        ),
        "key_points": _clean_key_points(errors, raw.get("key_points")),
    }


def _parse_json_list(errors: FieldErrors, name: str, raw: Any) -> list[Any]:
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        if len(raw) > MAX_TESTS * MAX_TEST_JSON_CHARS:
            errors.add(name, "The test cases are too long.")
            return []
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            errors.add(name, f"The test cases are not valid JSON ({exc.msg} at line {exc.lineno}).")
            return []
        except RecursionError:
            errors.add(name, "The test cases are nested too deeply.")
            return []
    if not isinstance(raw, list):
        errors.add(name, 'Give a JSON list of cases like [{"args": [1, 2], "expected": 3}].')
        return []
    return raw


def _clean_cases(errors: FieldErrors, name: str, raw: Any, *, required: bool) -> list[dict[str, Any]]:
    items = _parse_json_list(errors, name, raw)
    if required and not items:
        errors.add(name, "Add at least one test case.")
    if len(items) > MAX_TESTS:
        errors.add(name, f"Give at most {MAX_TESTS} test cases.")
        return []
    cases: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        where = f"{name}.{index}"
        if not isinstance(item, dict) or not isinstance(item.get("args"), list) or "expected" not in item:
            errors.add(where, f'Case {index + 1} needs "args" (a list) and "expected".')
            continue
        encoded = json.dumps({"args": item["args"], "expected": item["expected"]})
        if len(encoded) > MAX_TEST_JSON_CHARS:
            errors.add(where, f"Case {index + 1} is longer than {MAX_TEST_JSON_CHARS:,} characters.")
            continue
        raw_name = item.get("name")
        case_name = raw_name[:120] if isinstance(raw_name, str) else ""
        cases.append({"args": item["args"], "expected": item["expected"], "name": case_name})
    return cases


def _clean_code(errors: FieldErrors, raw: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    function_name = _text(
        errors, "function_name", "The function name", raw.get("function_name"), 60, required=True
    )
    if function_name and (not _IDENTIFIER.match(function_name) or keyword.iskeyword(function_name)):
        errors.add("function_name", "The function name must be a Python identifier, such as slugify.")
    return {
        "language": "python",
        "function_name": function_name,
        "starter_code": _text(
            errors,
            "starter_code",
            "The starter code",
            raw.get("starter_code") or "",
            MAX_CODE_CHARS,
            required=False,
        ),
        "examples": _clean_cases(errors, "examples", raw.get("examples"), required=False),
        "tests": _clean_cases(errors, "tests", raw.get("tests"), required=True),
    }


CONTENT_CLEANERS = {
    QuestionKind.MULTIPLE_CHOICE: _clean_multiple_choice,
    QuestionKind.FREE_TEXT: _clean_free_text,
    QuestionKind.CODE: _clean_code,
}


def clean_kind(errors: FieldErrors, value: Any) -> QuestionKind:
    try:
        return QuestionKind(value)
    except ValueError:
        errors.add("kind", "Choose multiple_choice, free_text or code.")
        return QuestionKind.FREE_TEXT


def clean_content(
    errors: FieldErrors, kind: QuestionKind, raw: dict[str, Any], previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``previous``: the question's content before an edit, so multiple-choice options keep their ids."""
    return CONTENT_CLEANERS[kind](errors, raw, previous or {})


def rubric_snapshot(prompt: str, points: int, kind: QuestionKind, content: dict[str, Any]) -> dict[str, Any]:
    """Everything a score depends on; two questions with equal snapshots score every answer alike."""
    return {"kind": str(kind), "prompt": prompt, "points": points, "content": content}
