"""Reading candidates and applications: search, the board, timelines. Never commits.

Every list applies the same SQL visibility filter as ``security.py``, issues a fixed number of
statements whatever the number of rows, and never loads résumé text or file contents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, String, and_, cast, func, or_, select
from sqlalchemy.orm import contains_eager, defer, joinedload, selectinload

from hirewise.assessments.models import (
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AttemptStatus,
)
from hirewise.audit.services import TimelineEntry, timeline
from hirewise.auth.models import User
from hirewise.candidates.models import Application, ApplicationSource, Candidate, Note, StageMove
from hirewise.decisions.evidence import evidence_for_applications, skill_specs
from hirewise.errors import NotFound
from hirewise.extensions import db
from hirewise.mail.models import OutboxMessage
from hirewise.openings.models import Opening, Stage
from hirewise.paging import paginate
from hirewise.scoring import compute_fit
from hirewise.security import (
    applications_visible_to,
    candidate_emails_visible_to,
    candidates_visible_to,
    move_reasons_visible_to,
    notes_visible_to,
    openings_visible_to,
)

BOARD_CARDS_PER_STAGE = 50
BOARD_MAX_CARDS_PER_STAGE = 500
SORTS = {
    "name": (func.lower(Candidate.full_name).asc(),),
    "-name": (func.lower(Candidate.full_name).desc(),),
    "applied_at": (Application.applied_at.asc(),),
    "-applied_at": (Application.applied_at.desc(),),
    "stage": (Stage.position.asc(), Application.stage_entered_at.asc()),
    "-stage": (Stage.position.desc(), Application.stage_entered_at.asc()),
}
DEFAULT_SORT = "-applied_at"


def like_pattern(text: str) -> str:
    """A lower-cased ``%text%`` pattern in which the user's own % and _ match only themselves."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _load_application(application_id: int, *options: Any) -> Application:
    stmt = (
        select(Application)
        .where(Application.id == application_id)
        .options(
            joinedload(Application.candidate),
            joinedload(Application.stage),
            joinedload(Application.opening).selectinload(Opening.stages),
            joinedload(Application.opening).selectinload(Opening.team),
            *options,
        )
    )
    application = db.session.execute(stmt).unique().scalar_one_or_none()
    if application is None:
        raise NotFound(f"No application with id {application_id}.")
    return application


def get_application(application_id: int) -> Application:
    return _load_application(application_id)


def get_application_detail(application_id: int) -> Application:
    """One application with everything its page shows: history, résumé metadata, skills."""
    return _load_application(
        application_id,
        selectinload(Application.stage_moves).options(
            joinedload(StageMove.from_stage), joinedload(StageMove.to_stage), joinedload(StageMove.moved_by)
        ),
        selectinload(Application.resume),
        joinedload(Application.opening).selectinload(Opening.skills),
    )


class _MoveWithoutReason:
    """A stage move as someone who may not read its reason sees it: the move, with ``reason`` None."""

    reason = None

    def __init__(self, move: StageMove) -> None:
        self._move = move

    def __getattr__(self, name: str) -> Any:
        return getattr(self._move, name)


class ApplicationWithoutReasons:
    """An application as someone who may see it but not why it moved sees it (see
    ``security.can_view_move_reasons``): every field, with ``rejection_reason`` and the ``reason``
    of each stage move None. For serializing; the application itself is left untouched."""

    rejection_reason = None

    def __init__(self, application: Application) -> None:
        self._application = application

    def __getattr__(self, name: str) -> Any:
        return getattr(self._application, name)

    @property
    def stage_moves(self) -> list[_MoveWithoutReason]:
        return [_MoveWithoutReason(move) for move in self._application.stage_moves]


def as_seen_by(viewer: User, applications: Sequence[Application]) -> list[Any]:
    """The applications as ``viewer`` may read them: those whose move and rejection reasons they may
    not see (``security.move_reasons_visible_to``, one statement for the list) without the reasons."""
    if not applications:
        return []
    ids = [application.id for application in applications]
    readable = set(
        db.session.execute(
            select(Application.id).where(Application.id.in_(ids), move_reasons_visible_to(viewer))
        ).scalars()
    )
    return [a if a.id in readable else ApplicationWithoutReasons(a) for a in applications]


def get_candidate(candidate_id: int) -> Candidate:
    stmt = (
        select(Candidate)
        .where(Candidate.id == candidate_id)
        .options(
            selectinload(Candidate.applications).options(
                joinedload(Application.stage),
                joinedload(Application.opening).selectinload(Opening.team),
            )
        )
    )
    candidate = db.session.execute(stmt).scalar_one_or_none()
    if candidate is None:
        raise NotFound(f"No candidate with id {candidate_id}.")
    return candidate


def application_search_stmt(
    user: User,
    *,
    opening_id: int | None = None,
    q: str | None = None,
    stage_id: int | None = None,
    source: str | None = None,
    skill: int | None = None,
    sort: str = DEFAULT_SORT,
) -> Select[Application]:
    stmt = (
        select(Application)
        .join(Application.candidate)
        .join(Application.stage)
        .where(applications_visible_to(user))
        .options(
            contains_eager(Application.candidate),
            contains_eager(Application.stage),
            defer(Application.cover_letter),
        )
    )
    if opening_id is not None:
        stmt = stmt.where(Application.opening_id == opening_id)
    if stage_id is not None:
        stmt = stmt.where(Application.stage_id == stage_id)
    if source:
        valid = {member.value for member in ApplicationSource}
        stmt = stmt.where(Application.source == (source if source in valid else None))
    if skill is not None:
        # detected_skills is JSON written by us with "skill_id" first; a text match on it is
        # portable across SQLite and PostgreSQL without a JSON operator per dialect.
        marker = like_pattern(f'"skill_id": {int(skill)},')
        stmt = stmt.where(func.lower(cast(Application.detected_skills, String)).like(marker, escape="\\"))
    if q and q.strip():
        pattern = like_pattern(q.strip())
        stmt = stmt.where(
            or_(
                func.lower(Candidate.full_name).like(pattern, escape="\\"),
                func.lower(Candidate.email).like(pattern, escape="\\"),
                func.lower(Application.resume_text).like(pattern, escape="\\"),
            )
        )
    return stmt.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]), Application.id.desc())


def search_applications(
    user: User,
    *,
    opening_id: int | None = None,
    q: str | None = None,
    stage_id: int | None = None,
    source: str | None = None,
    skill: int | None = None,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    per_page: int = 25,
) -> tuple[list[Application], int]:
    """One page of the applications ``user`` may see, and the total, in two statements."""
    stmt = application_search_stmt(
        user, opening_id=opening_id, q=q, stage_id=stage_id, source=source, skill=skill, sort=sort
    )
    found = paginate(stmt, page, per_page, count_by=Application.id)
    return found.items, found.total


def candidate_search_stmt(user: User, q: str | None = None) -> Select[Candidate]:
    stmt = select(Candidate).where(candidates_visible_to(user))
    if q and q.strip():
        pattern = like_pattern(q.strip())
        stmt = stmt.where(
            or_(
                func.lower(Candidate.full_name).like(pattern, escape="\\"),
                func.lower(Candidate.email).like(pattern, escape="\\"),
            )
        )
    return stmt.order_by(func.lower(Candidate.full_name), Candidate.id)


def search_candidates(
    user: User, q: str | None = None, page: int = 1, per_page: int = 25
) -> tuple[list[Candidate], int]:
    found = paginate(candidate_search_stmt(user, q), page, per_page, count_by=Candidate.id)
    return found.items, found.total


def visible_applications_by_candidate(
    user: User, candidate_ids: Sequence[int]
) -> dict[int, list[Application]]:
    """The applications ``user`` may see for each listed candidate, in one statement."""
    grouped: dict[int, list[Application]] = {candidate_id: [] for candidate_id in candidate_ids}
    if not candidate_ids:
        return grouped
    stmt = (
        select(Application)
        .where(Application.candidate_id.in_(candidate_ids), applications_visible_to(user))
        .options(joinedload(Application.stage), joinedload(Application.opening))
        .order_by(Application.applied_at.desc())
    )
    for application in db.session.execute(stmt).scalars():
        grouped[application.candidate_id].append(application)
    return grouped


# --- the board ----------------------------------------------------------------------------------


@dataclass
class BoardColumn:
    stage: Stage
    count: int = 0
    cards: list[Application] = field(default_factory=list)
    limit: int = BOARD_CARDS_PER_STAGE

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)

    @property
    def next_limit(self) -> int:
        """How many cards the column's "Show more" link asks for."""
        return min(self.limit + BOARD_CARDS_PER_STAGE, BOARD_MAX_CARDS_PER_STAGE)

    @property
    def first_new_index(self) -> int:
        """Where the cards that the last "Show more" added begin (for moving the focus there)."""
        return max(0, self.limit - BOARD_CARDS_PER_STAGE)


def board_column_limit(raw: str | None) -> int:
    """The cards to show in an expanded column: a multiple of the page size within the bounds, so an
    odd or hostile ``limit`` never costs more than the largest page."""
    try:
        wanted = int(raw or "")
    except ValueError:
        return BOARD_CARDS_PER_STAGE
    wanted = max(BOARD_CARDS_PER_STAGE, min(wanted, BOARD_MAX_CARDS_PER_STAGE))
    return -(-wanted // BOARD_CARDS_PER_STAGE) * BOARD_CARDS_PER_STAGE


def board_columns(opening: Opening, expanded: tuple[int, int] | None = None) -> list[BoardColumn]:
    """One column per stage with its count and the newest cards, in two statements.

    ``expanded`` is ``(stage_id, limit)``: that column shows up to ``limit`` cards (see
    :func:`board_column_limit`), the others the first page.
    """
    columns = {stage.id: BoardColumn(stage) for stage in opening.stages}
    if expanded is not None and expanded[0] in columns:
        columns[expanded[0]].limit = expanded[1]
    counts = db.session.execute(
        select(Application.stage_id, func.count())
        .where(Application.opening_id == opening.id)
        .group_by(Application.stage_id)
    )
    for stage_id, count in counts:
        if stage_id in columns:
            columns[stage_id].count = count
    rank = (
        func.row_number()
        .over(
            partition_by=Application.stage_id, order_by=(Application.applied_at.desc(), Application.id.desc())
        )
        .label("position_in_stage")
    )
    ranked = (
        select(Application.id, Application.stage_id, rank)
        .where(Application.opening_id == opening.id)
        .subquery()
    )
    shown = ranked.c.position_in_stage <= BOARD_CARDS_PER_STAGE
    if expanded is not None and expanded[0] in columns:
        shown = or_(
            shown,
            and_(ranked.c.stage_id == expanded[0], ranked.c.position_in_stage <= columns[expanded[0]].limit),
        )
    stmt = (
        select(Application)
        .join(ranked, ranked.c.id == Application.id)
        .where(shown)
        .options(
            joinedload(Application.candidate), defer(Application.cover_letter), defer(Application.resume_text)
        )
        .order_by(Application.applied_at.desc(), Application.id.desc())
    )
    for application in db.session.execute(stmt).scalars():
        if application.stage_id in columns:
            columns[application.stage_id].cards.append(application)
    return list(columns.values())


@dataclass(frozen=True)
class CardFacts:
    """What a board card says about the evidence: the fit (0..100, None without evidence) and the
    score of the latest submitted assessment attempt (percent, None when there is none)."""

    fit: float | None = None
    assessment_percent: float | None = None


def board_card_facts(opening: Opening, applications: Sequence[Application]) -> dict[int, CardFacts]:
    """Fit and latest assessment score of each card, in a fixed number of statements: the evidence
    loaders of the ranking (one per source) and one grouped statement for the attempts' totals."""
    ids = [application.id for application in applications]
    if not ids:
        return {}
    specs = skill_specs(opening)
    evidence = evidence_for_applications(ids)
    final_points = func.coalesce(AssessmentAnswer.override_points, AssessmentAnswer.auto_points)
    totals = db.session.execute(
        select(
            AssessmentInvitation.application_id,
            func.sum(final_points),
            func.sum(AssessmentAnswer.max_points),
        )
        .join(AssessmentAttempt, AssessmentAttempt.invitation_id == AssessmentInvitation.id)
        .join(AssessmentAnswer, AssessmentAnswer.attempt_id == AssessmentAttempt.id)
        .where(
            AssessmentInvitation.application_id.in_(ids), AssessmentAttempt.status == AttemptStatus.SUBMITTED
        )
        .group_by(AssessmentInvitation.application_id, AssessmentAttempt.id, AssessmentAttempt.submitted_at)
        # Oldest first: the latest attempt of an application is the one that stays in the dict.
        .order_by(AssessmentAttempt.submitted_at, AssessmentAttempt.id)
    )
    percent: dict[int, float] = {}
    for application_id, points, maximum in totals:
        if maximum:
            percent[application_id] = round(100.0 * float(points or 0.0) / float(maximum), 1)
    return {
        application_id: CardFacts(
            fit=compute_fit(specs, evidence[application_id]).fit,
            assessment_percent=percent.get(application_id),
        )
        for application_id in ids
    }


def openings_for_select(user: User) -> list[Opening]:
    stmt = select(Opening).where(openings_visible_to(user)).order_by(Opening.title)
    return list(db.session.execute(stmt).scalars())


def notes_for(viewer: User, candidate: Candidate, application_id: int | None = None) -> list[Note]:
    """The notes on the candidate (or on one of their applications) that ``viewer`` may read, newest first."""
    stmt = (
        select(Note)
        .where(Note.candidate_id == candidate.id, notes_visible_to(viewer))
        .options(joinedload(Note.author))
    )
    if application_id is not None:
        stmt = stmt.where(Note.application_id == application_id)
    return list(db.session.execute(stmt.order_by(Note.created_at.desc(), Note.id.desc())).scalars())


# --- timeline -----------------------------------------------------------------------------------


def candidate_timeline(user: User, candidate: Candidate, limit: int = 200) -> list[TimelineEntry]:
    """Audit events anchored on the candidate and the emails sent to them, newest first.

    Only what ``user`` may see, by the rules of ``security.py``: an event is as visible as the
    object it is about (``events_visible_to``), so a timeline never shows feedback, a decision or an
    assessment score that the feedback, debrief or review page would refuse, nor the reason of a
    move to whoever may not see the debrief (``event_reasons_visible_to``); an email to staff and
    the hiring team of what it is about (``candidate_emails_visible_to``). An email shows once, from
    the outbox (which knows whether it was delivered), not again as the audit event that queued it.
    """
    emails = db.session.execute(
        select(OutboxMessage, User.email)
        .outerjoin(User, User.id == OutboxMessage.sent_by_id)
        .where(OutboxMessage.candidate_id == candidate.id, candidate_emails_visible_to(user))
        .order_by(OutboxMessage.created_at.desc())
        .limit(limit)
    ).all()
    entries = [
        TimelineEntry(
            message.created_at,
            sender or "system",
            f"Email “{message.subject}” to {message.to_email} ({message.status})",
            "email",
            "outbox_message",
        )
        for message, sender in emails
    ]
    entries.extend(timeline(user, candidate_id=candidate.id, exclude_types=("outbox_message",), limit=limit))
    entries.sort(key=lambda entry: entry.created_at, reverse=True)
    return entries[:limit]
