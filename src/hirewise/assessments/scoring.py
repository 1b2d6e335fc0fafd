"""Automatic scoring of a submitted attempt: the database side of the pure scorers in ``hirewise.scoring``.

``score_attempt`` is what the background task runs. It is idempotent: it recomputes every automatic
score from the answers and the questions' current rubrics, leaves reviewers' overrides alone, and
records which scorer and rubric version produced each number. Code runs only in the sandbox; when
the sandbox is unavailable the answer stays unscored with that reason, never run unsandboxed.

The slow part (the sandbox, the embedding model) works on a copy of the answers and holds no database
transaction: the results are written afterwards in a short one. A transaction held open for seconds
would keep PostgreSQL's snapshot (and any row lock) that long, and on SQLite a write at its end fails
once anyone else has written meanwhile, such as the worker renewing its lease.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload, selectinload

from hirewise.assessments.models import (
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AttemptStatus,
    QuestionKind,
    ScoringStatus,
)
from hirewise.assessments.totals import store_total
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.scoring.choice import score_choice
from hirewise.scoring.freetext import FreeTextItem, default_scorer
from hirewise.scoring.sandbox import CodeTestCase, run_code_tests
from hirewise.scoring.similarity import nearest

log = logging.getLogger(__name__)

CHOICE_SCORER = ("hirewise-choice", "1")
CODE_SCORER = ("hirewise-code-sandbox", "1")
FREE_TEXT_MAX = 5.0
WRITE_ATTEMPTS = 3


def _load(attempt_id: int) -> AssessmentAttempt | None:
    stmt = (
        select(AssessmentAttempt)
        .where(AssessmentAttempt.id == attempt_id)
        .options(
            selectinload(AssessmentAttempt.answers).joinedload(AssessmentAnswer.question),
            joinedload(AssessmentAttempt.invitation).joinedload(AssessmentInvitation.assessment),
        )
    )
    return db.session.execute(stmt).unique().scalar_one_or_none()


@dataclass
class _Answer:
    """What scoring needs of one answer, copied out of the database, and the result to write back."""

    id: int
    kind: QuestionKind
    prompt: str
    points: int
    rubric_version: int
    content: dict[str, Any]
    response: dict[str, Any]
    result: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, answer: AssessmentAnswer) -> _Answer:
        question = answer.question
        return cls(
            id=answer.id,
            kind=QuestionKind(question.kind),
            prompt=question.prompt,
            points=question.points,
            rubric_version=question.rubric_version,
            content=dict(question.content or {}),
            response=dict(answer.response or {}),
        )


def _set(
    answer: _Answer, fraction: float | None, scorer: tuple[str, str], explanation: dict[str, Any]
) -> None:
    answer.result = {
        "max_points": float(answer.points),
        "auto_points": None if fraction is None else round(answer.points * fraction, 2),
        "scorer": scorer[0],
        "scorer_version": scorer[1],
        "rubric_version": answer.rubric_version,
        "explanation": explanation,
        "scored_at": utcnow(),
    }


def _score_choice(answer: _Answer) -> None:
    content = answer.content
    options = content.get("options", [])
    correct = [option["id"] for option in options if option.get("correct")]
    selected = [s for s in answer.response.get("selected", []) if isinstance(s, str)]
    known = {option["id"] for option in options}
    # Options removed by a later rubric version count as wrong choices, not as errors.
    stale = [s for s in selected if s not in known]
    fraction = score_choice(
        [s for s in selected if s in known],
        correct,
        known,
        multiple=bool(content.get("multiple")),
        partial_credit=bool(content.get("partial_credit")),
    )
    if stale:
        fraction = 0.0 if not content.get("partial_credit") else fraction
    rule = (
        "partial credit: (right choices - wrong choices) divided by the number of correct options, at least 0"
        if content.get("partial_credit")
        else "full points only for exactly the correct option(s)"
    )
    _set(
        answer,
        fraction,
        CHOICE_SCORER,
        {
            "kind": "multiple_choice",
            "selected": selected,
            "correct": correct,
            "rule": rule,
            "rationale": f"Chose {', '.join(selected) or 'nothing'}; correct: {', '.join(correct)}.",
        },
    )


def _score_code(answer: _Answer) -> bool:
    """Returns False when the sandbox could not run (the answer then waits for a human or a re-run)."""
    content = answer.content
    source = answer.response.get("code", "")
    if not isinstance(source, str) or not source.strip():
        _set(
            answer,
            0.0,
            CODE_SCORER,
            {"kind": "code", "status": "empty", "rationale": "No code was submitted."},
        )
        return True
    cases = [
        CodeTestCase(
            args=tuple(case["args"]), expected=case["expected"], visible=True, name=case.get("name", "")
        )
        for case in content.get("examples", [])
    ] + [
        CodeTestCase(
            args=tuple(case["args"]), expected=case["expected"], visible=False, name=case.get("name", "")
        )
        for case in content.get("tests", [])
    ]
    report = run_code_tests(source, str(content.get("function_name", "")), cases)
    explanation = {"kind": "code", **report.to_dict()}
    if report.status == "sandbox_unavailable":
        explanation["rationale"] = (
            "Not scored: the code sandbox is unavailable on this worker. " + report.message
        )
        _set(answer, None, CODE_SCORER, explanation)
        return False
    explanation["rationale"] = f"{report.passed} of {report.total} tests passed."
    _set(answer, report.passed / report.total if report.total else 0.0, CODE_SCORER, explanation)
    return True


def _score_free_text(answers: list[_Answer]) -> None:
    if not answers:
        return
    items = []
    for answer in answers:
        text = answer.response.get("text", "")
        key_points = tuple(point.get("text", "") for point in answer.content.get("key_points", []))
        items.append(
            FreeTextItem(
                question=answer.prompt,
                expected_answer=str(answer.content.get("expected_answer", "")),
                key_points=key_points,
                answer=text if isinstance(text, str) else "",
            )
        )
    for answer, result in zip(answers, default_scorer().score_many(items), strict=True):
        explanation = {"kind": "free_text", **result.to_dict()}
        labels = [point.get("label", "") for point in answer.content.get("key_points", [])]
        for finding, label in zip(explanation.get("key_points", []), labels, strict=False):
            finding["label"] = label
        _set(answer, result.score / FREE_TEXT_MAX, (result.scorer, result.scorer_version), explanation)


def _answer_text(answer: AssessmentAnswer) -> str:
    value = answer.response.get("code" if answer.question.kind == QuestionKind.CODE else "text", "")
    return value if isinstance(value, str) else ""


def _record_similarity(answers: list[AssessmentAnswer]) -> None:
    """Compare each written answer with other candidates' submitted answers to the same question."""
    written = [a for a in answers if a.question.kind in (QuestionKind.FREE_TEXT, QuestionKind.CODE)]
    if not written:
        return
    stmt = (
        select(AssessmentAnswer.id, AssessmentAnswer.question_id, AssessmentAnswer.response)
        .join(AssessmentAttempt, AssessmentAttempt.id == AssessmentAnswer.attempt_id)
        .where(
            AssessmentAnswer.question_id.in_([a.question_id for a in written]),
            AssessmentAnswer.attempt_id != written[0].attempt_id,
            AssessmentAttempt.status == AttemptStatus.SUBMITTED,
        )
    )
    others: dict[int, list[tuple[int, str]]] = {}
    for other_id, question_id, response in db.session.execute(stmt):
        text = (response or {}).get("code") or (response or {}).get("text") or ""
        others.setdefault(question_id, []).append((other_id, text if isinstance(text, str) else ""))
    for answer in written:
        found = nearest(_answer_text(answer), others.get(answer.question_id, []))
        answer.similarity = found.similarity if found else None
        answer.similar_answer_id = found.other_id if found else None
        if found is not None:
            # Keep the signal symmetric: the earlier answer learns about the later look-alike too.
            other = db.session.get(AssessmentAnswer, found.other_id)
            if other is not None and (other.similarity or 0.0) < found.similarity:
                other.similarity = found.similarity
                other.similar_answer_id = answer.id


def _copy_of_answers(attempt_id: int) -> list[_Answer] | None:
    """The attempt's answers as plain data, or None when there is nothing to score; ends the read."""
    attempt = _load(attempt_id)
    answers = None
    if attempt is not None and attempt.status == AttemptStatus.SUBMITTED:
        answers = [_Answer.of(answer) for answer in attempt.answers]
    db.session.commit()  # ends the read transaction before the slow part; nothing was changed
    return answers


def _write(attempt_id: int, answers: list[_Answer], unscored: list[str]) -> ScoringStatus | None:
    attempt = _load(attempt_id)
    if attempt is None or attempt.status != AttemptStatus.SUBMITTED:
        db.session.rollback()
        return None
    results = {answer.id: answer.result for answer in answers}
    for row in attempt.answers:
        for name, value in results.get(row.id, {}).items():
            setattr(row, name, value)
    store_total(attempt)
    _record_similarity(list(attempt.answers))
    attempt.scoring_status = ScoringStatus.FAILED if unscored else ScoringStatus.SCORED
    attempt.scoring_error = (
        ("Not scored automatically (sandbox unavailable): " + "; ".join(unscored))[:500] if unscored else ""
    )
    attempt.scored_at = utcnow()
    db.session.commit()
    return attempt.scoring_status


def _write_with_retries(attempt_id: int, answers: list[_Answer], unscored: list[str]) -> ScoringStatus | None:
    """SQLite refuses a write whose snapshot another connection's write overtook: read again, retry."""
    for remaining in reversed(range(WRITE_ATTEMPTS)):
        try:
            return _write(attempt_id, answers, unscored)
        except OperationalError:
            db.session.rollback()
            if remaining == 0 or db.engine.dialect.name != "sqlite":
                raise
            log.warning("scoring attempt %s met a busy database; writing again", attempt_id)
    return None


def _mark_failed(attempt_id: int, exc: Exception) -> ScoringStatus | None:
    db.session.rollback()
    attempt = _load(attempt_id)
    if attempt is None:
        return None
    attempt.scoring_status = ScoringStatus.FAILED
    attempt.scoring_error = f"Automatic scoring failed: {type(exc).__name__}."[:500]
    db.session.commit()
    return ScoringStatus.FAILED


def score_attempt(attempt_id: int) -> ScoringStatus | None:
    """Score every answer of a submitted attempt; safe to run again at any time."""
    answers = _copy_of_answers(attempt_id)
    if answers is None:
        return None
    unscored: list[str] = []
    try:
        for answer in answers:
            if answer.kind == QuestionKind.MULTIPLE_CHOICE:
                _score_choice(answer)
            elif answer.kind == QuestionKind.CODE and not _score_code(answer):
                unscored.append(answer.prompt[:60])
        _score_free_text([a for a in answers if a.kind == QuestionKind.FREE_TEXT])
        return _write_with_retries(attempt_id, answers, unscored)
    except Exception as exc:  # a scorer bug must not lose the attempt: mark it and let a human look
        log.exception("scoring attempt %s failed", attempt_id)
        return _mark_failed(attempt_id, exc)
