"""The scorecard form. Its fields follow the interview kit, so they are read from the posted data."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from hirewise.feedback.models import Feedback


class FeedbackForm(FlaskForm):
    """Carries the CSRF token; ratings, notes and checklists are named per skill and question."""


def rating_name(skill_id: int | None) -> str:
    return f"rating-{skill_id}"


def notes_name(question_id: int | None) -> str:
    return f"notes-{question_id}"


def covered_name(question_id: int | None) -> str:
    return f"covered-{question_id}"


def read_feedback_form(formdata: MultiDict[str, str], feedback: Feedback) -> dict[str, Any]:
    """The service's keyword arguments from a posted scorecard (a missing box means "not ticked")."""
    ratings = {
        rating.skill_id: formdata.get(rating_name(rating.skill_id), "")
        for rating in feedback.ratings
        if rating.skill_id is not None
    }
    answers = {
        answer.question_id: {
            "notes": formdata.get(notes_name(answer.question_id), ""),
            "covered_key_points": formdata.getlist(covered_name(answer.question_id)),
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
