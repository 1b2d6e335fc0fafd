"""The interview plan of an opening: which interviews, in which stage, rating which skills."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from hirewise.audit.services import changed, record, snapshot
from hirewise.auth.models import User
from hirewise.errors import NotFound
from hirewise.extensions import db
from hirewise.interviews.models import InterviewPlanItem
from hirewise.interviews.validation import FieldErrors, check_duration, int_ids, single_line
from hirewise.kits.models import QuestionType, SkillKind
from hirewise.openings.models import Opening, OpeningQuestion, Stage, StageKind

PLAN_FIELDS = ("title", "stage_id", "duration_minutes", "focus_skill_ids", "question_ids", "position")


def list_plan(opening: Opening) -> list[InterviewPlanItem]:
    stmt = (
        select(InterviewPlanItem)
        .where(InterviewPlanItem.opening_id == opening.id)
        .options(joinedload(InterviewPlanItem.stage))
        .order_by(InterviewPlanItem.position, InterviewPlanItem.id)
    )
    return list(db.session.execute(stmt).scalars())


def get_plan_item(opening: Opening, item_id: int) -> InterviewPlanItem:
    item = db.session.get(InterviewPlanItem, item_id)
    if item is None or item.opening_id != opening.id:
        raise NotFound("This opening has no such interview in its plan.")
    return item


def _stage_named(opening: Opening, name: str, fallback_last: bool) -> Stage | None:
    for stage in opening.stages:
        if stage.name.lower() == name.lower():
            return stage
    active = [stage for stage in opening.stages if stage.kind == StageKind.ACTIVE]
    if not active:
        return None
    return active[-1] if fallback_last else active[min(1, len(active) - 1)]


def _question_skills(questions: Sequence[OpeningQuestion]) -> list[int]:
    return int_ids(q.skill_id for q in questions if q.skill_id is not None)


def default_plan(actor: User, opening: Opening, *, commit: bool = True) -> list[InterviewPlanItem]:
    """A screening call and a technical interview from the opening's questions; nothing if a plan exists.

    ``commit=False`` makes it a step of a larger use case (setting an opening up in one step)."""
    existing = list_plan(opening)
    if existing:
        return existing
    behavioural = [q for q in opening.questions if q.type == QuestionType.BEHAVIOURAL]
    technical = [q for q in opening.questions if q.type != QuestionType.BEHAVIOURAL]
    must_haves = [s.id for s in opening.skills if s.kind == SkillKind.MUST_HAVE]
    drafts = [
        (
            "Screening call",
            30,
            _stage_named(opening, "Screen", False),
            _question_skills(behavioural),
            behavioural,
        ),
        ("Technical interview", 60, _stage_named(opening, "Interview", True), must_haves, technical),
    ]
    items = []
    for position, (title, minutes, stage, skill_ids, questions) in enumerate(drafts):
        if stage is None:
            continue
        item = InterviewPlanItem(
            opening_id=opening.id,
            stage_id=stage.id,
            title=title,
            duration_minutes=minutes,
            focus_skill_ids=skill_ids,
            question_ids=[q.id for q in questions],
            position=position,
        )
        db.session.add(item)
        items.append(item)
    db.session.flush()
    for item in items:
        record(
            actor,
            "create",
            "interview_plan_item",
            item.id,
            f"generated plan interview {item.title} for {opening.title}",
            after=snapshot(item, PLAN_FIELDS),
            opening_id=opening.id,
        )
    if commit:
        db.session.commit()
    return list_plan(opening)


def _plan_values(
    opening: Opening,
    *,
    stage_id: Any,
    title: str,
    duration_minutes: Any,
    focus_skill_ids: Iterable[Any],
    question_ids: Iterable[Any],
) -> dict[str, Any]:
    errors = FieldErrors()
    clean_title = single_line(errors, "title", "The title", title, 200, required=True)
    stage_ids = {stage.id for stage in opening.stages}
    if stage_id not in stage_ids:
        errors.add("stage_id", "Choose a stage of this opening.")
    minutes = check_duration(errors, duration_minutes)
    skills = int_ids(focus_skill_ids)
    if set(skills) - {skill.id for skill in opening.skills}:
        errors.add("focus_skill_ids", "Focus skills must be skills of this opening.")
    questions = int_ids(question_ids)
    if set(questions) - {question.id for question in opening.questions}:
        errors.add("question_ids", "Questions must be questions of this opening.")
    errors.raise_if_any()
    return {
        "title": clean_title,
        "stage_id": stage_id,
        "duration_minutes": minutes,
        "focus_skill_ids": skills,
        "question_ids": questions,
    }


def add_plan_item(
    actor: User,
    opening: Opening,
    *,
    stage_id: int,
    title: str,
    duration_minutes: int = 60,
    focus_skill_ids: Iterable[int] = (),
    question_ids: Iterable[int] = (),
) -> InterviewPlanItem:
    values = _plan_values(
        opening,
        stage_id=stage_id,
        title=title,
        duration_minutes=duration_minutes,
        focus_skill_ids=focus_skill_ids,
        question_ids=question_ids,
    )
    position = max((item.position for item in list_plan(opening)), default=-1) + 1
    item = InterviewPlanItem(opening_id=opening.id, position=position, **values)
    db.session.add(item)
    db.session.flush()
    record(
        actor,
        "create",
        "interview_plan_item",
        item.id,
        f"added plan interview {item.title} to {opening.title}",
        after=snapshot(item, PLAN_FIELDS),
        opening_id=opening.id,
    )
    db.session.commit()
    return item


def update_plan_item(
    actor: User,
    item: InterviewPlanItem,
    *,
    stage_id: int | None = None,
    title: str | None = None,
    duration_minutes: int | None = None,
    focus_skill_ids: Iterable[int] | None = None,
    question_ids: Iterable[int] | None = None,
) -> InterviewPlanItem:
    """Change a plan interview; an argument left as None keeps its value."""
    values = _plan_values(
        item.opening,
        stage_id=item.stage_id if stage_id is None else stage_id,
        title=item.title if title is None else title,
        duration_minutes=item.duration_minutes if duration_minutes is None else duration_minutes,
        focus_skill_ids=item.focus_skill_ids if focus_skill_ids is None else focus_skill_ids,
        question_ids=item.question_ids if question_ids is None else question_ids,
    )
    before = snapshot(item, PLAN_FIELDS)
    for name, value in values.items():
        setattr(item, name, value)
    old, new = changed(before, snapshot(item, PLAN_FIELDS))
    record(
        actor,
        "update",
        "interview_plan_item",
        item.id,
        f"changed plan interview {item.title}",
        before=old,
        after=new,
        opening_id=item.opening_id,
    )
    db.session.commit()
    return item


def remove_plan_item(actor: User, item: InterviewPlanItem) -> None:
    """Remove a plan interview; interviews already scheduled from it keep their copy of the kit."""
    record(
        actor,
        "delete",
        "interview_plan_item",
        item.id,
        f"removed plan interview {item.title}",
        before=snapshot(item, PLAN_FIELDS),
        opening_id=item.opening_id,
    )
    db.session.delete(item)
    db.session.commit()
