"""The scorecard form. Its fields follow the interview kit, so they are read from the posted data and
handed to the services typed; the services check them with ``schemas.ScorecardSchema``, as the API's."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from hirewise.feedback.models import Feedback

_SMALL_NUMBER = re.compile(r"^[0-9]{1,9}$")  # ASCII digits: str.isdigit also takes "²"


class FeedbackForm(FlaskForm):
    """Carries the CSRF token; ratings, notes and checklists are named per skill and question."""


def rating_name(skill_id: int | None) -> str:
    return f"rating-{skill_id}"


def notes_name(question_id: int | None) -> str:
    return f"notes-{question_id}"


def covered_name(question_id: int | None) -> str:
    return f"covered-{question_id}"


def _typed(text: str) -> int | str | None:
    """A rating or a key point's index as typed into the form: "" is none, digits are the number, and
    anything else is handed on as it is, for ``ScorecardSchema`` to refuse with its message."""
    stripped = text.strip()
    if not stripped:
        return None
    return int(stripped) if _SMALL_NUMBER.match(stripped) else text


def read_feedback_form(formdata: MultiDict[str, str], feedback: Feedback) -> dict[str, Any]:
    """The service's keyword arguments from a posted scorecard, typed as ``ScorecardSchema`` (which the
    services load them with) expects: a rating is 1..4 or None ("Not assessed"), a ticked key point its
    index; a missing box means "not ticked"."""
    ratings = {
        rating.skill_id: _typed(formdata.get(rating_name(rating.skill_id), ""))
        for rating in feedback.ratings
        if rating.skill_id is not None
    }
    answers = {
        answer.question_id: {
            "notes": formdata.get(notes_name(answer.question_id), ""),
            "covered_key_points": [
                _typed(box) for box in formdata.getlist(covered_name(answer.question_id)) if box.strip()
            ],
        }
        for answer in feedback.answers
        if answer.question_id is not None
    }
    return {
        "ratings": ratings,
        "answers": answers,
        "recommendation": formdata.get("recommendation") or None,
        "summary": formdata.get("summary", ""),
    }
