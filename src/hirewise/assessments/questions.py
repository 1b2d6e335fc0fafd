"""An assessment's questions and their rubric versions: add, edit, remove, take one from the bank.

A change to anything a score depends on (prompt, points, options, expected answer, tests) saves a
new rubric version; scores computed against an older one are counted so the team can re-score.
Once a candidate has started, the set of questions is fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from hirewise.assessments.building import require_manage
from hirewise.assessments.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentQuestion,
    AssessmentRubric,
    QuestionKind,
)
from hirewise.assessments.validation import (
    clean_content,
    clean_kind,
    clean_points,
    clean_prompt,
    rubric_snapshot,
)
from hirewise.audit.services import record
from hirewise.auth.models import User
from hirewise.db import use_case
from hirewise.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.interviews.validation import FieldErrors
from hirewise.openings.models import Opening
from hirewise.questions.models import BankQuestion
from hirewise.security import can_view_question_bank, can_write_code_questions

CODE_QUESTION_AUTHORS = (
    "Only recruiters and admins write code questions; an admin can allow hiring managers under Settings."
)


def _is_code(kind: Any) -> bool:
    try:
        return QuestionKind(kind) == QuestionKind.CODE
    except ValueError:
        return False  # an unknown kind is a validation error, reported with the other fields


def _require_code_author(actor: User) -> None:
    """Code questions make the server run a candidate's Python: who writes them is limited."""
    if not can_write_code_questions(actor):
        raise PermissionDenied(CODE_QUESTION_AUTHORS)


def _clean_skill(errors: FieldErrors, opening: Opening, skill_id: Any) -> int | None:
    if skill_id in (None, "", 0, "0"):
        return None
    try:
        wanted = int(skill_id)
    except (TypeError, ValueError):
        wanted = -1
    if not any(skill.id == wanted for skill in opening.skills):
        errors.add("skill_id", "Choose a skill of this opening's scorecard.")
        return None
    return wanted


def has_attempts(assessment: Assessment) -> bool:
    """Once a candidate has started, the set of questions is fixed (their answers refer to it)."""
    stmt = (
        select(func.count())
        .select_from(AssessmentAttempt)
        .join(AssessmentInvitation, AssessmentInvitation.id == AssessmentAttempt.invitation_id)
        .where(AssessmentInvitation.assessment_id == assessment.id)
    )
    return bool(db.session.execute(stmt).scalar_one())


def _save_rubric(question: AssessmentQuestion, actor: User | None) -> None:
    question.rubrics.append(
        AssessmentRubric(
            version=question.rubric_version,
            snapshot=rubric_snapshot(question.prompt, question.points, question.kind, question.content),
            created_by_id=actor.id if actor is not None else None,
        )
    )


def _build_question(
    errors: FieldErrors,
    assessment: Assessment,
    values: Mapping[str, Any],
    previous: AssessmentQuestion | None = None,
) -> tuple[QuestionKind, str, int, int | None, dict[str, Any]]:
    kind = clean_kind(errors, values.get("kind"))
    prompt = clean_prompt(errors, values.get("prompt"))
    points = clean_points(errors, values.get("points", 1))
    skill_id = _clean_skill(errors, assessment.opening, values.get("skill_id"))
    raw_content = values.get("content") or {}
    if not isinstance(raw_content, Mapping):
        errors.add("content", "The content must be an object with the fields of the question's kind.")
        raw_content = {}
    content = clean_content(
        errors, kind, dict(raw_content), previous.content if previous is not None else None
    )
    return kind, prompt, points, skill_id, content


@use_case
def add_question(
    actor: User | None,
    assessment: Assessment,
    values: Mapping[str, Any],
    *,
    bank_question_id: int | None = None,
    shipped: bool = False,
    commit: bool = True,
) -> AssessmentQuestion:
    """Append a question. ``values``: kind, prompt, points, skill_id and the kind's ``content``.

    ``shipped``: the question ships with the product (a kit's built-in assessment), so the actor
    adds it but did not write it, and the limit on who writes code questions does not apply.
    """
    if actor is not None:
        require_manage(actor, assessment.opening)
        if _is_code(values.get("kind")) and not shipped:
            _require_code_author(actor)
    if has_attempts(assessment):
        raise Conflict("Candidates have already taken this assessment: create a new one to add questions.")
    errors = FieldErrors()
    kind, prompt, points, skill_id, content = _build_question(errors, assessment, values)
    errors.raise_if_any()
    question = AssessmentQuestion(
        kind=kind,
        prompt=prompt,
        points=points,
        skill_id=skill_id,
        content=content,
        bank_question_id=bank_question_id,
        position=len(assessment.questions),
        rubric_version=1,
    )
    assessment.questions.append(question)
    _save_rubric(question, actor)
    db.session.flush()
    record(
        actor,
        "create",
        "assessment_question",
        question.id,
        f"added a {kind.value.replace('_', ' ')} question to {assessment.title}",
        opening_id=assessment.opening_id,
    )
    if commit:
        db.session.commit()
    return question


@dataclass(frozen=True)
class QuestionUpdate:
    question: AssessmentQuestion
    rubric_changed: bool
    outdated_answers: int  # scored answers computed against an older rubric


@use_case
def update_question(actor: User, question: AssessmentQuestion, values: Mapping[str, Any]) -> QuestionUpdate:
    """Edit a question. A change to anything a score depends on creates a new rubric version."""
    assessment = question.assessment
    require_manage(actor, assessment.opening)
    if question.kind == QuestionKind.CODE:
        _require_code_author(actor)
    errors = FieldErrors()
    merged = {
        "kind": str(question.kind),
        "prompt": question.prompt,
        "points": question.points,
        "skill_id": question.skill_id,
        "content": question.content,
        **values,
    }
    kind, prompt, points, skill_id, content = _build_question(errors, assessment, merged, question)
    if kind != question.kind:
        errors.add("kind", "A question's kind cannot change; add a new question instead.")
    errors.raise_if_any()
    old = rubric_snapshot(question.prompt, question.points, question.kind, question.content)
    new = rubric_snapshot(prompt, points, kind, content)
    before = {"skill_id": question.skill_id, **old}
    question.prompt, question.points, question.skill_id, question.content = prompt, points, skill_id, content
    rubric_changed = old != new
    if rubric_changed:
        question.rubric_version += 1
        _save_rubric(question, actor)
    record(
        actor,
        "update",
        "assessment_question",
        question.id,
        f"edited a question of {assessment.title}"
        + (f" (rubric version {question.rubric_version})" if rubric_changed else ""),
        before=before,
        after={"skill_id": skill_id, **new},
        opening_id=assessment.opening_id,
    )
    db.session.commit()
    return QuestionUpdate(question, rubric_changed, count_outdated_answers(question))


@use_case
def delete_question(actor: User, question: AssessmentQuestion) -> None:
    assessment = question.assessment
    require_manage(actor, assessment.opening)
    if has_attempts(assessment):
        raise Conflict("Candidates have already answered this assessment, so its questions stay.")
    assessment.questions.remove(question)
    for position, remaining in enumerate(assessment.questions):
        remaining.position = position
    record(
        actor,
        "delete",
        "assessment_question",
        question.id,
        f"removed a question from {assessment.title}",
        opening_id=assessment.opening_id,
    )
    db.session.commit()


@use_case
def add_bank_question(
    actor: User, assessment: Assessment, bank_question: BankQuestion, points: Any = 5
) -> AssessmentQuestion:
    """A free-text question from the bank: its expected answer and key points become the rubric."""
    if not can_view_question_bank(actor):
        raise PermissionDenied("You are not allowed to use the question bank.")
    if bank_question.archived:
        # The request is well formed; the question's state refuses it (409, as the spec says).
        raise Conflict(
            "This bank question is archived; restore it first.",
            {"bank_question_id": ["The question is archived."]},
        )
    if not (bank_question.expected_answer or "").strip():
        raise Conflict(
            "This bank question has no expected answer to score against; add one in the question bank first.",
            {"bank_question_id": ["The question has no expected answer."]},
        )
    skill = next(
        (s for s in assessment.opening.skills if s.name.casefold() == bank_question.skill.casefold()), None
    )
    values = {
        "kind": QuestionKind.FREE_TEXT.value,
        "prompt": bank_question.text,
        "points": points,
        "skill_id": skill.id if skill else None,
        "content": {"expected_answer": bank_question.expected_answer, "key_points": bank_question.key_points},
    }
    try:
        return add_question(actor, assessment, values, bank_question_id=bank_question.id)
    except ValidationFailed as refused:
        if isinstance(refused.details, dict) and set(refused.details) <= {"points"}:
            raise
        # The request was fine; the bank question's own content breaks an assessment question's limits.
        raise Conflict(
            f"This bank question does not fit an assessment question: {refused.message}", refused.details
        ) from refused


def get_question(assessment: Assessment, question_id: int) -> AssessmentQuestion:
    for question in assessment.questions:
        if question.id == question_id:
            return question
    raise NotFound("No such question in this assessment.")


def count_outdated_answers(question: AssessmentQuestion) -> int:
    stmt = (
        select(func.count())
        .select_from(AssessmentAnswer)
        .where(
            AssessmentAnswer.question_id == question.id,
            AssessmentAnswer.rubric_version.is_not(None),
            AssessmentAnswer.rubric_version < question.rubric_version,
        )
    )
    return int(db.session.execute(stmt).scalar_one())


def outdated_answer_counts(assessment: Assessment) -> dict[int, int]:
    """``{question_id: scored answers computed against an older rubric}``, in one statement."""
    stmt = (
        select(AssessmentAnswer.question_id, func.count())
        .join(AssessmentQuestion, AssessmentQuestion.id == AssessmentAnswer.question_id)
        .where(
            AssessmentQuestion.assessment_id == assessment.id,
            AssessmentAnswer.rubric_version.is_not(None),
            AssessmentAnswer.rubric_version < AssessmentQuestion.rubric_version,
        )
        .group_by(AssessmentAnswer.question_id)
    )
    return {int(question_id): int(count) for question_id, count in db.session.execute(stmt)}
