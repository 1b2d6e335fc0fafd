"""Use cases of openings: creation from a kit, editing, hiring team, scorecard and stage counts.

Every function that changes data records an audit event anchored on the opening (so it shows on
the opening's timeline) and commits exactly once.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from hirewise.audit.services import changed, record, snapshot
from hirewise.auth.models import Role, User
from hirewise.errors import Conflict, NotFound, ValidationFailed
from hirewise.extensions import db
from hirewise.kits.models import Kit, SkillKind
from hirewise.openings.models import (
    DEFAULT_STAGES,
    EmploymentType,
    FeedbackVisibility,
    Opening,
    OpeningQuestion,
    OpeningSkill,
    OpeningStatus,
    Stage,
    StageKind,
)
from hirewise.security import openings_visible_to

BUILTIN_KIT_SLUG = "flask-developer"
TEAM_ROLES = (Role.ADMIN, Role.RECRUITER, Role.HIRING_MANAGER)
OPENING_FIELDS = ("title", "status", "location", "employment_type", "description", "feedback_visibility")
SKILL_FIELDS = ("name", "kind", "weight", "pass_bar", "keywords", "description")
TITLE_MAX, LOCATION_MAX, SLUG_MAX, SKILL_NAME_MAX, KEYWORD_MAX = 200, 200, 100, 120, 80
WEIGHT_RANGE = (1, 10)
PASS_BAR_RANGE = (1.0, 4.0)

E = TypeVar("E", bound=StrEnum)


# --- validation helpers -------------------------------------------------------------------------


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, {field: [message]})


def _enum(enum_cls: type[E], value: Any, field: str) -> E:
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_cls)
        raise _fail(field, f"{field.replace('_', ' ').capitalize()} must be one of: {allowed}.") from None


def _clean(value: str | None) -> str:
    # PostgreSQL text cannot hold NUL characters; they never belong in these fields anyway.
    return (value or "").replace("\x00", "").strip()


def _text(value: str | None, field: str, max_length: int, *, required: bool = False) -> str:
    cleaned = _clean(value)
    label = field.replace("_", " ").capitalize()
    if required and not cleaned:
        raise _fail(field, f"{label} is required.")
    if len(cleaned) > max_length:
        raise _fail(field, f"{label} must be at most {max_length} characters.")
    return cleaned


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "opening"


def _unique_slug(title: str) -> str:
    base = slugify(title)
    # Slugs hold only [a-z0-9-], so the LIKE pattern has no wildcard but the one we add.
    taken = set(
        db.session.execute(
            select(Opening.slug).where(or_(Opening.slug == base, Opening.slug.like(base + "-%")))
        ).scalars()
    )
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def _team_members(user_ids: Iterable[int]) -> list[User]:
    wanted = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    if not wanted:
        return []
    users = db.session.execute(select(User).where(User.id.in_(wanted))).scalars().all()
    eligible = {user.id: user for user in users if user.active and user.has_role(*TEAM_ROLES)}
    refused = [user_id for user_id in wanted if user_id not in eligible]
    if refused:
        message = (
            "The hiring team can only include active admins, recruiters and hiring managers; "
            f"not allowed: {', '.join(str(user_id) for user_id in refused)}."
        )
        raise ValidationFailed(message, {"team_ids": [message]})
    return [eligible[user_id] for user_id in wanted]


def _flush(conflict_message: str) -> None:
    """Flush now, so a unique constraint lost to a concurrent request is a 409, not a 500."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(conflict_message) from exc


def _team_snapshot(opening: Opening) -> list[str]:
    return sorted(member.email for member in opening.team)


# --- reading ------------------------------------------------------------------------------------


def get_opening(opening_id: int) -> Opening:
    opening = db.session.get(
        Opening,
        opening_id,
        options=[
            selectinload(Opening.skills),
            selectinload(Opening.questions).selectinload(OpeningQuestion.skill),
            selectinload(Opening.stages),
            selectinload(Opening.team),
        ],
    )
    if opening is None:
        raise NotFound(f"No opening with id {opening_id}.")
    return opening


def get_skill(opening: Opening, skill_id: int) -> OpeningSkill:
    skill = db.session.get(OpeningSkill, skill_id)
    if skill is None or skill.opening_id != opening.id:
        raise NotFound(f"No skill with id {skill_id} on this opening.")
    return skill


def openings_query(user: User, *, status: str | None = None, q: str | None = None) -> Select[Any]:
    """The openings ``user`` may see, newest first; an unknown status matches nothing."""
    stmt = (
        select(Opening)
        .where(openings_visible_to(user))
        .options(selectinload(Opening.team))
        .order_by(Opening.created_at.desc(), Opening.id.desc())
    )
    if status:
        valid = {member.value for member in OpeningStatus}
        stmt = stmt.where(Opening.status == status) if status in valid else stmt.where(false())
    if _clean(q):
        stmt = stmt.where(Opening.title.icontains(_clean(q), autoescape=True))
    return stmt


def list_openings(user: User, *, status: str | None = None, q: str | None = None) -> list[Opening]:
    return list(db.session.execute(openings_query(user, status=status, q=q)).scalars())


def dashboard(user: User) -> list[tuple[Opening, dict[int, int]]]:
    """The signed-in home: visible openings that are not closed, each with applications per stage."""
    stmt = openings_query(user).where(Opening.status != OpeningStatus.CLOSED)
    stmt = stmt.options(selectinload(Opening.stages))
    openings = list(db.session.execute(stmt).scalars())
    counts = stage_counts([opening.id for opening in openings])
    return [(opening, counts[opening.id]) for opening in openings]


def list_public_openings() -> list[Opening]:
    stmt = select(Opening).where(Opening.status == OpeningStatus.OPEN).order_by(Opening.title, Opening.id)
    return list(db.session.execute(stmt).scalars())


def get_public_opening(slug: str) -> Opening:
    stmt = select(Opening).where(Opening.slug == slug, Opening.status == OpeningStatus.OPEN)
    opening = db.session.execute(stmt).scalar_one_or_none()
    if opening is None:
        raise NotFound("This opening does not exist or is no longer accepting applications.")
    return opening


def first_stage(opening: Opening) -> Stage:
    """Where a new application starts: the first active stage."""
    for stage in sorted(opening.stages, key=lambda s: s.position):
        if stage.kind == StageKind.ACTIVE:
            return stage
    raise Conflict(f"The opening {opening.title!r} has no active stage for new applications.")


def rejected_stage(opening: Opening) -> Stage:
    for stage in sorted(opening.stages, key=lambda s: s.position):
        if stage.kind == StageKind.REJECTED:
            return stage
    raise Conflict(f"The opening {opening.title!r} has no rejected stage.")


def stage_counts(opening_ids: Sequence[int]) -> dict[int, dict[int, int]]:
    """Applications per stage for each opening, in one grouped query."""
    from hirewise.candidates.models import Application

    counts: dict[int, dict[int, int]] = {opening_id: {} for opening_id in opening_ids}
    if not opening_ids:
        return counts
    stmt = (
        select(Application.opening_id, Application.stage_id, func.count(Application.id))
        .where(Application.opening_id.in_(list(opening_ids)))
        .group_by(Application.opening_id, Application.stage_id)
    )
    for opening_id, stage_id, count in db.session.execute(stmt):
        counts[opening_id][stage_id] = count
    return counts


def available_kits() -> list[Kit]:
    return list(db.session.execute(select(Kit).order_by(Kit.is_builtin.desc(), Kit.name)).scalars())


def default_kit_id(kits: Sequence[Kit]) -> int | None:
    return next((kit.id for kit in kits if kit.slug == BUILTIN_KIT_SLUG), None)


def team_choices() -> list[User]:
    stmt = select(User).where(User.role.in_([r.value for r in TEAM_ROLES]), User.active.is_(True))
    return list(db.session.execute(stmt.order_by(User.full_name, User.id)).scalars())


# --- openings -----------------------------------------------------------------------------------


def _copy_kit(opening: Opening, kit: Kit) -> None:
    """Copy the kit's scorecard so later edits of the opening never reach the kit (or the reverse)."""
    copies: dict[int, OpeningSkill] = {}
    for kit_skill in kit.skills:
        skill = OpeningSkill(
            name=kit_skill.name,
            description=kit_skill.description,
            kind=kit_skill.kind,
            weight=kit_skill.weight,
            pass_bar=kit_skill.pass_bar,
            keywords=list(kit_skill.keywords or []),
            position=kit_skill.position,
        )
        opening.skills.append(skill)
        copies[kit_skill.id] = skill
    for kit_question in kit.questions:
        opening.questions.append(
            OpeningQuestion(
                text=kit_question.text,
                expected_answer=kit_question.expected_answer,
                key_points=copy.deepcopy(kit_question.key_points or []),
                difficulty=kit_question.difficulty,
                type=kit_question.type,
                position=kit_question.position,
                skill=copies.get(kit_question.skill_id) if kit_question.skill_id else None,
            )
        )


def create_opening(
    actor: User,
    *,
    title: str,
    kit_id: int | None = None,
    location: str = "",
    employment_type: EmploymentType | str = EmploymentType.FULL_TIME,
    description: str = "",
    status: OpeningStatus | str = OpeningStatus.DRAFT,
    team_ids: Sequence[int] = (),
    commit: bool = True,
) -> Opening:
    """Create the opening with its own copy of the kit; ``commit=False`` makes it a step of a
    larger use case (setting the opening up in one step, ``setup.py``), which commits."""
    title = _text(title, "title", TITLE_MAX, required=True)
    opening = Opening(
        slug=_unique_slug(title),
        title=title,
        location=_text(location, "location", LOCATION_MAX),
        employment_type=_enum(EmploymentType, employment_type, "employment_type"),
        description=_clean(description),
        status=_enum(OpeningStatus, status, "status"),
        created_by_id=actor.id,
    )
    if kit_id is not None:
        kit = db.session.get(Kit, kit_id, options=[selectinload(Kit.skills), selectinload(Kit.questions)])
        if kit is None:
            raise _fail("kit_id", f"No kit with id {kit_id}.")
        opening.kit = kit
        _copy_kit(opening, kit)
    opening.team = _team_members(team_ids)
    for position, (name, kind) in enumerate(DEFAULT_STAGES):
        opening.stages.append(Stage(name=name, kind=kind, position=position))
    db.session.add(opening)
    _flush("Another opening with the same title was created at the same moment. Please try again.")
    after = {**snapshot(opening, (*OPENING_FIELDS, "slug", "kit_id")), "team": _team_snapshot(opening)}
    kit_note = f" from kit {opening.kit.name}" if opening.kit else ""
    record(
        actor,
        "create",
        "opening",
        opening.id,
        f"created opening {title}{kit_note}",
        after=after,
        opening_id=opening.id,
    )
    if commit:
        db.session.commit()
    return opening


def _apply_team(actor: User, opening: Opening, members: list[User]) -> None:
    before = _team_snapshot(opening)
    opening.team = members
    after = _team_snapshot(opening)
    if before != after:
        record(
            actor,
            "update",
            "opening",
            opening.id,
            f"changed the hiring team of {opening.title}",
            before={"team": before},
            after={"team": after},
            opening_id=opening.id,
        )


def update_opening(
    actor: User,
    opening: Opening,
    *,
    title: str,
    location: str,
    employment_type: EmploymentType | str,
    description: str,
    status: OpeningStatus | str,
    team_ids: Sequence[int] | None = None,
    feedback_visibility: FeedbackVisibility | str | None = None,
) -> Opening:
    """Change the opening's details (and its team when ``team_ids`` is given). The slug never
    changes, so links to the careers page keep working. ``feedback_visibility`` None keeps it."""
    title = _text(title, "title", TITLE_MAX, required=True)
    location = _text(location, "location", LOCATION_MAX)
    employment_type = _enum(EmploymentType, employment_type, "employment_type")
    status = _enum(OpeningStatus, status, "status")
    visibility = (
        opening.feedback_visibility
        if feedback_visibility is None
        else _enum(FeedbackVisibility, feedback_visibility, "feedback_visibility")
    )
    members = _team_members(team_ids) if team_ids is not None else None
    before = snapshot(opening, OPENING_FIELDS)
    opening.title, opening.location, opening.employment_type = title, location, employment_type
    opening.description, opening.status = _clean(description), status
    opening.feedback_visibility = visibility
    old, new = changed(before, snapshot(opening, OPENING_FIELDS))
    if new:
        record(
            actor,
            "update",
            "opening",
            opening.id,
            f"updated opening {title} ({', '.join(new)})",
            before=old,
            after=new,
            opening_id=opening.id,
        )
    if members is not None:
        _apply_team(actor, opening, members)
    db.session.commit()
    return opening


def set_status(actor: User, opening: Opening, status: OpeningStatus | str) -> Opening:
    new_status = _enum(OpeningStatus, status, "status")
    old_status = OpeningStatus(opening.status)
    if new_status != old_status:
        opening.status = new_status
        record(
            actor,
            "update",
            "opening",
            opening.id,
            f"changed status of {opening.title} from {old_status.value} to {new_status.value}",
            before={"status": old_status.value},
            after={"status": new_status.value},
            opening_id=opening.id,
        )
    db.session.commit()
    return opening


def set_team(actor: User, opening: Opening, user_ids: Sequence[int]) -> Opening:
    """Replace the hiring team; hiring managers on it gain access to the opening."""
    _apply_team(actor, opening, _team_members(user_ids))
    db.session.commit()
    return opening


# --- scorecard ----------------------------------------------------------------------------------


def _keywords(keywords: Iterable[str] | str) -> list[str]:
    items = keywords.split(",") if isinstance(keywords, str) else list(keywords)
    cleaned = [_clean(str(item)).lower() for item in items]
    too_long = [item for item in cleaned if len(item) > KEYWORD_MAX]
    if too_long:
        raise _fail("keywords", f"Each keyword must be at most {KEYWORD_MAX} characters.")
    return list(dict.fromkeys(item for item in cleaned if item))


def _skill_values(
    opening: Opening,
    skill: OpeningSkill | None,
    *,
    name: str,
    kind: SkillKind | str,
    weight: Any,
    pass_bar: Any,
    keywords: Iterable[str] | str,
    description: str,
) -> dict[str, Any]:
    name = _text(name, "name", SKILL_NAME_MAX, required=True)
    if any(other.name.casefold() == name.casefold() and other is not skill for other in opening.skills):
        raise _fail("name", f"This opening already has a skill named {name!r}.")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight != int(weight):
        raise _fail("weight", "Weight must be a whole number.")
    if not WEIGHT_RANGE[0] <= weight <= WEIGHT_RANGE[1]:
        raise _fail("weight", f"Weight must be between {WEIGHT_RANGE[0]} and {WEIGHT_RANGE[1]}.")
    if isinstance(pass_bar, bool) or not isinstance(pass_bar, int | float) or not math.isfinite(pass_bar):
        raise _fail("pass_bar", "Pass bar must be a number.")
    if not PASS_BAR_RANGE[0] <= pass_bar <= PASS_BAR_RANGE[1]:
        raise _fail("pass_bar", f"Pass bar must be between {PASS_BAR_RANGE[0]} and {PASS_BAR_RANGE[1]}.")
    return {
        "name": name,
        "kind": _enum(SkillKind, kind, "kind"),
        "weight": int(weight),
        "pass_bar": float(pass_bar),
        "keywords": _keywords(keywords),
        "description": _clean(description),
    }


def add_skill(
    actor: User,
    opening: Opening,
    *,
    name: str,
    kind: SkillKind | str,
    weight: int,
    pass_bar: float = 3.0,
    keywords: Iterable[str] | str = (),
    description: str = "",
) -> OpeningSkill:
    values = _skill_values(
        opening,
        None,
        name=name,
        kind=kind,
        weight=weight,
        pass_bar=pass_bar,
        keywords=keywords,
        description=description,
    )
    position = max((skill.position for skill in opening.skills), default=-1) + 1
    skill = OpeningSkill(position=position, **values)
    opening.skills.append(skill)
    _flush(f"This opening already has a skill named {skill.name!r}.")
    record(
        actor,
        "create",
        "opening_skill",
        skill.id,
        f"added skill {skill.name} to {opening.title}",
        after=snapshot(skill, SKILL_FIELDS),
        opening_id=opening.id,
    )
    db.session.commit()
    return skill


def update_skill(
    actor: User,
    skill: OpeningSkill,
    *,
    name: str | None = None,
    kind: SkillKind | str | None = None,
    weight: int | None = None,
    pass_bar: float | None = None,
    keywords: Iterable[str] | str | None = None,
    description: str | None = None,
) -> OpeningSkill:
    """Change a skill of the opening's scorecard; an argument left as None keeps its value."""
    opening = skill.opening
    values = _skill_values(
        opening,
        skill,
        name=skill.name if name is None else name,
        kind=skill.kind if kind is None else kind,
        weight=skill.weight if weight is None else weight,
        pass_bar=skill.pass_bar if pass_bar is None else pass_bar,
        keywords=skill.keywords if keywords is None else keywords,
        description=skill.description if description is None else description,
    )
    before = snapshot(skill, SKILL_FIELDS)
    for field, value in values.items():
        setattr(skill, field, value)
    _flush(f"This opening already has a skill named {skill.name!r}.")
    old, new = changed(before, snapshot(skill, SKILL_FIELDS))
    if new:
        record(
            actor,
            "update",
            "opening_skill",
            skill.id,
            f"updated skill {skill.name} of {opening.title}",
            before=old,
            after=new,
            opening_id=opening.id,
        )
    db.session.commit()
    return skill


def remove_skill(actor: User, skill: OpeningSkill) -> None:
    """Remove a skill; its questions stay on the opening without a skill."""
    opening = skill.opening
    for question in opening.questions:
        if question.skill_id == skill.id:
            question.skill = None
    record(
        actor,
        "delete",
        "opening_skill",
        skill.id,
        f"removed skill {skill.name} from {opening.title}",
        before=snapshot(skill, SKILL_FIELDS),
        opening_id=opening.id,
    )
    opening.skills.remove(skill)
    db.session.commit()
