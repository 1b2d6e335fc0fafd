"""Use cases of the hiring team: building assessments, inviting applications, reviewing and overriding.

The HTML views and the API both call these functions, so both apply the same rules. Candidate-side
use cases (start, autosave, submit) are in ``attempts.py``; automatic scoring is in ``scoring.py``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from hirewise.assessments.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentAttempt,
    AssessmentInvitation,
    AssessmentQuestion,
    AssessmentRubric,
    AssessmentStatus,
    AttemptStatus,
    Layout,
    QuestionKind,
    ScoringStatus,
)
from hirewise.assessments.validation import (
    TIME_LIMIT_RANGE,
    VALID_DAYS_RANGE,
    check_int,
    clean_content,
    clean_kind,
    clean_points,
    clean_prompt,
    rubric_snapshot,
)
from hirewise.audit.services import changed, record, snapshot
from hirewise.auth.models import User
from hirewise.auth.services import hash_secret
from hirewise.candidates.models import Application
from hirewise.db import utcnow
from hirewise.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.interviews.validation import FieldErrors
from hirewise.mail.models import TemplateKey
from hirewise.mail.services import deliver_later, queue_template_email
from hirewise.openings.models import Opening, OpeningSkill
from hirewise.questions.models import BankQuestion
from hirewise.security import (
    can_invite_to_assessment,
    can_manage_assessments,
    can_review_assessment,
    can_view_opening,
    can_view_question_bank,
    can_write_code_questions,
)

ASSESSMENT_FIELDS = (
    "title",
    "instructions",
    "time_limit_minutes",
    "pass_mark_percent",
    "layout",
    "invitation_valid_days",
    "status",
)
TOKEN_BYTES = 32  # 256 bits, well above the 128 the link needs to be unguessable
# Shown with every answer's integrity signals, on the review page and in the API.
SIGNALS_NOTE = (
    "Signals only, not verdicts: pastes, window switches, time spent and similarity to other "
    "candidates' answers have innocent explanations (an answer drafted elsewhere, a second monitor, "
    "a common idiom). Weigh them with the answers themselves, and ask the candidate before concluding."
)
MAX_BULK_INVITATIONS = 200
CODE_QUESTION_AUTHORS = (
    "Only recruiters and admins write code questions; an admin can allow hiring managers under Settings."
)


# --- assessments --------------------------------------------------------------------------------


def list_assessments(opening: Opening, *, include_archived: bool = False) -> list[Assessment]:
    stmt = select(Assessment).where(Assessment.opening_id == opening.id).order_by(Assessment.id)
    if not include_archived:
        stmt = stmt.where(Assessment.status == AssessmentStatus.ACTIVE)
    return list(db.session.execute(stmt).scalars())


def get_assessment(assessment_id: int) -> Assessment:
    stmt = (
        select(Assessment)
        .where(Assessment.id == assessment_id)
        .options(selectinload(Assessment.questions).joinedload(AssessmentQuestion.skill))
    )
    assessment = db.session.execute(stmt).scalar_one_or_none()
    if assessment is None:
        raise NotFound("No such assessment.")
    return assessment


def get_visible_assessment(user: User, assessment_id: int) -> Assessment:
    assessment = get_assessment(assessment_id)
    if not can_view_opening(user, assessment.opening):
        raise NotFound("No such assessment.")  # the same answer as a missing one: ids are not probed
    return assessment


def _require_manage(actor: User, opening: Opening) -> None:
    if not can_manage_assessments(actor, opening):
        raise PermissionDenied("You are not allowed to change this opening's assessments.")


def _is_code(kind: Any) -> bool:
    try:
        return QuestionKind(kind) == QuestionKind.CODE
    except ValueError:
        return False  # an unknown kind is a validation error, reported with the other fields


def _require_code_author(actor: User) -> None:
    """Code questions make the server run a candidate's Python: who writes them is limited."""
    if not can_write_code_questions(actor):
        raise PermissionDenied(CODE_QUESTION_AUTHORS)


def _clean_settings(
    errors: FieldErrors, values: Mapping[str, Any], current: Assessment | None
) -> dict[str, Any]:
    def value(name: str, default: Any) -> Any:
        if name in values:
            return values[name]
        return getattr(current, name) if current is not None else default

    title = value("title", "")
    clean: dict[str, Any] = {}
    if not isinstance(title, str) or not title.strip():
        errors.add("title", "The title is required.")
    elif len(title.strip()) > 200:
        errors.add("title", "The title must be at most 200 characters.")
    else:
        clean["title"] = title.strip()
    instructions = value("instructions", "")
    if not isinstance(instructions, str) or len(instructions) > 5_000:
        errors.add("instructions", "The instructions must be text of at most 5,000 characters.")
    else:
        clean["instructions"] = instructions.strip()
    clean["time_limit_minutes"] = check_int(
        errors,
        "time_limit_minutes",
        "The time limit (minutes)",
        value("time_limit_minutes", 30),
        *TIME_LIMIT_RANGE,
    )
    clean["pass_mark_percent"] = check_int(
        errors, "pass_mark_percent", "The pass mark (%)", value("pass_mark_percent", 60), 0, 100
    )
    clean["invitation_valid_days"] = check_int(
        errors,
        "invitation_valid_days",
        "Days a link stays valid",
        value("invitation_valid_days", 7),
        *VALID_DAYS_RANGE,
    )
    try:
        clean["layout"] = Layout(value("layout", Layout.ONE_PER_PAGE))
    except ValueError:
        errors.add("layout", "Choose one question per page or all questions on one page.")
    try:
        clean["status"] = AssessmentStatus(value("status", AssessmentStatus.ACTIVE))
    except ValueError:
        errors.add("status", "Choose active or archived.")
    return clean


def create_assessment(
    actor: User, opening: Opening, values: Mapping[str, Any], *, commit: bool = True
) -> Assessment:
    _require_manage(actor, opening)
    errors = FieldErrors()
    clean = _clean_settings(errors, values, None)
    errors.raise_if_any()
    assessment = Assessment(opening=opening, created_by_id=actor.id, **clean)
    db.session.add(assessment)
    db.session.flush()
    record(
        actor,
        "create",
        "assessment",
        assessment.id,
        f"created assessment {assessment.title}",
        after=snapshot(assessment, ASSESSMENT_FIELDS),
        opening_id=opening.id,
    )
    if commit:
        db.session.commit()
    return assessment


def update_assessment(actor: User, assessment: Assessment, values: Mapping[str, Any]) -> Assessment:
    _require_manage(actor, assessment.opening)
    errors = FieldErrors()
    clean = _clean_settings(errors, values, assessment)
    errors.raise_if_any()
    before = snapshot(assessment, ASSESSMENT_FIELDS)
    for name, value in clean.items():
        setattr(assessment, name, value)
    old, new = changed(before, snapshot(assessment, ASSESSMENT_FIELDS))
    if new:
        record(
            actor,
            "update",
            "assessment",
            assessment.id,
            f"changed assessment {assessment.title}",
            before=old,
            after=new,
            opening_id=assessment.opening_id,
        )
    db.session.commit()
    return assessment


# --- questions ----------------------------------------------------------------------------------


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
        _require_manage(actor, assessment.opening)
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


def update_question(actor: User, question: AssessmentQuestion, values: Mapping[str, Any]) -> QuestionUpdate:
    """Edit a question. A change to anything a score depends on creates a new rubric version."""
    assessment = question.assessment
    _require_manage(actor, assessment.opening)
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


def delete_question(actor: User, question: AssessmentQuestion) -> None:
    assessment = question.assessment
    _require_manage(actor, assessment.opening)
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


def add_bank_question(
    actor: User, assessment: Assessment, bank_question: BankQuestion, points: Any = 5
) -> AssessmentQuestion:
    """A free-text question from the bank: its expected answer and key points become the rubric."""
    if not can_view_question_bank(actor):
        raise PermissionDenied("You are not allowed to use the question bank.")
    if bank_question.archived:
        raise ValidationFailed(
            "This bank question is archived; restore it first.",
            {"bank_question_id": ["The question is archived."]},
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
    return add_question(actor, assessment, values, bank_question_id=bank_question.id)


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


def max_points(assessment: Assessment) -> int:
    return sum(question.points for question in assessment.questions)


# --- invitations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: AssessmentInvitation
    token: str  # shown once to whoever invited; only its hash is stored
    link: str


def candidate_link(token: str) -> str:
    # Built from the URL map, not url_for: a worker or a CLI command has no request to take the host from.
    path = current_app.url_map.bind("hirewise.invalid").build("candidate_assessments.take", {"token": token})
    return str(current_app.config["BASE_URL"]).rstrip("/") + path


def open_invitation(assessment: Assessment, application: Application) -> AssessmentInvitation | None:
    """The invitation still usable (not revoked, not expired, not submitted), if there is one."""
    now = utcnow()
    stmt = (
        select(AssessmentInvitation)
        .where(
            AssessmentInvitation.assessment_id == assessment.id,
            AssessmentInvitation.application_id == application.id,
            AssessmentInvitation.revoked_at.is_(None),
        )
        .options(joinedload(AssessmentInvitation.attempt))
    )
    for invitation in db.session.execute(stmt).scalars().unique():
        attempt = invitation.attempt
        if attempt is not None and attempt.status == AttemptStatus.SUBMITTED:
            continue
        if attempt is None and invitation.expires_at <= now:
            continue
        return invitation
    return None


def has_taken(assessment: Assessment, application: Application) -> bool:
    """Whether the application has a submitted attempt at this assessment."""
    stmt = (
        select(AssessmentAttempt.id)
        .join(AssessmentInvitation, AssessmentInvitation.id == AssessmentAttempt.invitation_id)
        .where(
            AssessmentInvitation.assessment_id == assessment.id,
            AssessmentInvitation.application_id == application.id,
            AssessmentAttempt.status == AttemptStatus.SUBMITTED,
        )
    )
    return db.session.execute(stmt).first() is not None


def invite(
    actor: User,
    assessment: Assessment,
    applications: Sequence[Application],
    *,
    valid_days: Any = None,
    skip_invited: bool = False,
) -> list[IssuedInvitation]:
    """Invite each application: a private link emailed through the outbox. All or nothing.

    ``skip_invited`` (inviting a whole pipeline column) leaves out applications that already have an
    open invitation or have taken the assessment, instead of refusing the whole batch.
    """
    if assessment.status != AssessmentStatus.ACTIVE:
        raise Conflict("This assessment is archived; reactivate it to invite candidates.")
    if not assessment.questions:
        raise ValidationFailed("Add at least one question before inviting candidates.")
    applications = list({application.id: application for application in applications}.values())
    if skip_invited:
        applications = [
            application
            for application in applications
            if open_invitation(assessment, application) is None and not has_taken(assessment, application)
        ]
        if not applications:
            return []
    if not applications:
        raise ValidationFailed("Choose at least one application to invite.")
    if len(applications) > MAX_BULK_INVITATIONS:
        raise ValidationFailed(f"Invite at most {MAX_BULK_INVITATIONS} applications at once.")
    errors = FieldErrors()
    days = check_int(
        errors,
        "valid_days",
        "Days the link stays valid",
        assessment.invitation_valid_days if valid_days in (None, "") else valid_days,
        *VALID_DAYS_RANGE,
    )
    errors.raise_if_any()
    problems: dict[str, list[str]] = {}
    for application in applications:
        # Permission first: a refusal must not tell who applied to an opening the actor cannot see.
        if not can_invite_to_assessment(actor, application):
            raise PermissionDenied("You are not allowed to invite one of the chosen applications.")
        if application.opening_id != assessment.opening_id:
            problems.setdefault("applications", []).append(
                f"{application.candidate.full_name} applied to another opening."
            )
        elif open_invitation(assessment, application) is not None:
            problems.setdefault("applications", []).append(
                f"{application.candidate.full_name} already has an open invitation to this assessment."
            )
    if problems:
        raise Conflict(problems["applications"][0], problems)
    expires_at = utcnow() + timedelta(days=days)
    issued: list[IssuedInvitation] = []
    for application in applications:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        invitation = AssessmentInvitation(
            assessment=assessment,
            application=application,
            token_hash=hash_secret(token),
            expires_at=expires_at,
            invited_by_id=actor.id,
        )
        db.session.add(invitation)
        db.session.flush()
        link = candidate_link(token)
        candidate = application.candidate
        message = queue_template_email(
            TemplateKey.ASSESSMENT_INVITATION,
            to_email=candidate.email,
            to_name=candidate.full_name,
            context={
                "opening_title": assessment.opening.title,
                "assessment_title": assessment.title,
                "assessment_link": link,
                "time_limit_minutes": str(assessment.time_limit_minutes),
                "expires_on": expires_at.strftime("%A %d %B %Y, %H:%M UTC"),
            },
            candidate_id=candidate.id,
            application_id=application.id,
            actor=actor,
        )
        invitation.outbox_message_id = message.id
        record(
            actor,
            "create",
            "assessment_invitation",
            invitation.id,
            f"invited {candidate.full_name} to {assessment.title}, valid {days} days",
            candidate_id=candidate.id,
            opening_id=assessment.opening_id,
        )
        issued.append(IssuedInvitation(invitation, token, link))
    deliver_later([item.invitation.outbox_message_id for item in issued if item.invitation.outbox_message_id])
    db.session.commit()
    return issued


def revoke_invitation(actor: User, invitation: AssessmentInvitation) -> AssessmentInvitation:
    if not can_invite_to_assessment(actor, invitation.application):
        raise PermissionDenied("You are not allowed to change this invitation.")
    if invitation.attempt is not None and invitation.attempt.status == AttemptStatus.SUBMITTED:
        raise Conflict("The candidate has already submitted this assessment.")
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        record(
            actor,
            "revoke",
            "assessment_invitation",
            invitation.id,
            f"revoked the {invitation.assessment.title} link of {invitation.application.candidate.full_name}",
            candidate_id=invitation.application.candidate_id,
            opening_id=invitation.assessment.opening_id,
        )
        db.session.commit()
    return invitation


def get_invitation(invitation_id: int) -> AssessmentInvitation:
    invitation = db.session.get(AssessmentInvitation, invitation_id)
    if invitation is None:
        raise NotFound("No such invitation.")
    return invitation


def invitation_state(invitation: AssessmentInvitation, now: datetime | None = None) -> str:
    """One word for lists: revoked, expired, invited, in progress, submitted, scored."""
    now = now or utcnow()
    attempt = invitation.attempt
    if attempt is not None and attempt.status == AttemptStatus.SUBMITTED:
        return "scored" if attempt.scoring_status == ScoringStatus.SCORED else "submitted"
    if invitation.revoked_at is not None:
        return "revoked"
    if attempt is not None:
        return "in progress"
    if invitation.expires_at <= now:
        return "expired"
    return "invited"


def invitations_for_application(application: Application) -> list[AssessmentInvitation]:
    stmt = (
        select(AssessmentInvitation)
        .where(AssessmentInvitation.application_id == application.id)
        .options(
            joinedload(AssessmentInvitation.assessment),
            joinedload(AssessmentInvitation.attempt).selectinload(AssessmentAttempt.answers),
        )
        .order_by(AssessmentInvitation.id.desc())
    )
    return list(db.session.execute(stmt).scalars().unique())


def invitations_for_assessment(assessment: Assessment) -> list[AssessmentInvitation]:
    stmt = (
        select(AssessmentInvitation)
        .where(AssessmentInvitation.assessment_id == assessment.id)
        .options(
            joinedload(AssessmentInvitation.application).joinedload(Application.candidate),
            joinedload(AssessmentInvitation.attempt).selectinload(AssessmentAttempt.answers),
        )
        .order_by(AssessmentInvitation.id.desc())
    )
    return list(db.session.execute(stmt).scalars().unique())


# --- results and review -------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptTotals:
    points: float
    max_points: float
    percent: float
    passed: bool
    pending: int  # answers not scored yet
    overridden: int


def attempt_totals(attempt: AssessmentAttempt) -> AttemptTotals:
    answers = attempt.answers
    points = sum(answer.final_points or 0.0 for answer in answers)
    maximum = sum(answer.max_points for answer in answers) or float(max_points(attempt.invitation.assessment))
    percent = round(100.0 * points / maximum, 1) if maximum else 0.0
    return AttemptTotals(
        points=round(points, 2),
        max_points=maximum,
        percent=percent,
        passed=percent >= attempt.invitation.assessment.pass_mark_percent,
        pending=sum(1 for answer in answers if answer.final_points is None),
        overridden=sum(1 for answer in answers if answer.override_points is not None),
    )


def submitted_attempts(application: Application) -> list[AssessmentAttempt]:
    """Every submitted attempt of the application, oldest first, with answers and questions loaded."""
    stmt = (
        select(AssessmentAttempt)
        .join(AssessmentInvitation, AssessmentInvitation.id == AssessmentAttempt.invitation_id)
        .where(
            AssessmentInvitation.application_id == application.id,
            AssessmentAttempt.status == AttemptStatus.SUBMITTED,
        )
        .options(
            joinedload(AssessmentAttempt.invitation)
            .joinedload(AssessmentInvitation.assessment)
            .selectinload(Assessment.questions),
            selectinload(AssessmentAttempt.answers).joinedload(AssessmentAnswer.question),
        )
        .order_by(AssessmentAttempt.submitted_at, AssessmentAttempt.id)
    )
    return list(db.session.execute(stmt).unique().scalars())


def get_attempt_for_review(user: User, attempt_id: int) -> AssessmentAttempt:
    stmt = (
        select(AssessmentAttempt)
        .where(AssessmentAttempt.id == attempt_id)
        .options(
            joinedload(AssessmentAttempt.invitation).joinedload(AssessmentInvitation.assessment),
            joinedload(AssessmentAttempt.invitation)
            .joinedload(AssessmentInvitation.application)
            .joinedload(Application.candidate),
            selectinload(AssessmentAttempt.answers)
            .joinedload(AssessmentAnswer.question)
            .joinedload(AssessmentQuestion.skill),
            selectinload(AssessmentAttempt.answers).joinedload(AssessmentAnswer.overridden_by),
        )
    )
    attempt = db.session.execute(stmt).scalar_one_or_none()
    if attempt is None or not can_review_assessment(user, attempt.invitation.application):
        raise NotFound("No such attempt.")
    return attempt


def answers_in_question_order(attempt: AssessmentAttempt) -> list[AssessmentAnswer]:
    order = {question.id: question.position for question in attempt.invitation.assessment.questions}
    return sorted(attempt.answers, key=lambda answer: (order.get(answer.question_id, 0), answer.id))


def override_score(actor: User, answer: AssessmentAnswer, points: Any, reason: Any) -> AssessmentAnswer:
    """A reviewer's score replaces the automatic one in totals; both stay visible, and the change is audited."""
    application = answer.attempt.invitation.application
    if not can_review_assessment(actor, application):
        raise PermissionDenied("You are not allowed to review this assessment.")
    if answer.attempt.status != AttemptStatus.SUBMITTED:
        raise Conflict("The candidate has not submitted this assessment yet.")
    errors = FieldErrors()
    try:
        value = float(points)
    except (TypeError, ValueError):
        value = -1.0
    if not 0.0 <= value <= answer.max_points:
        errors.add("points", f"The score must be a number from 0 to {answer.max_points:g}.")
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        errors.add("reason", "Say why you change the score; the reason is kept with it.")
    elif len(text) > 2_000:
        errors.add("reason", "The reason must be at most 2,000 characters.")
    errors.raise_if_any()
    before = {"override_points": answer.override_points, "override_reason": answer.override_reason}
    answer.override_points = round(value, 2)
    answer.override_reason = text
    answer.overridden_by_id = actor.id
    answer.overridden_at = utcnow()
    record(
        actor,
        "override",
        "assessment_answer",
        answer.id,
        f"set the score of a {str(answer.question.kind).replace('_', ' ')} answer to {value:g}/"
        f"{answer.max_points:g} (automatic {answer.auto_points if answer.auto_points is not None else '—'})",
        before=before,
        after={
            "override_points": answer.override_points,
            "override_reason": text,
            "auto_points": answer.auto_points,
        },
        candidate_id=application.candidate_id,
        opening_id=application.opening_id,
    )
    db.session.commit()
    return answer


def clear_override(actor: User, answer: AssessmentAnswer) -> AssessmentAnswer:
    application = answer.attempt.invitation.application
    if not can_review_assessment(actor, application):
        raise PermissionDenied("You are not allowed to review this assessment.")
    if answer.override_points is not None:
        record(
            actor,
            "clear_override",
            "assessment_answer",
            answer.id,
            "returned an answer to its automatic score",
            before={"override_points": answer.override_points, "override_reason": answer.override_reason},
            candidate_id=application.candidate_id,
            opening_id=application.opening_id,
        )
        answer.override_points = None
        answer.override_reason = ""
        answer.overridden_by_id = None
        answer.overridden_at = None
        db.session.commit()
    return answer


def attempts_to_rescore(question: AssessmentQuestion) -> list[int]:
    stmt = (
        select(AssessmentAnswer.attempt_id)
        .where(
            AssessmentAnswer.question_id == question.id,
            AssessmentAnswer.rubric_version.is_not(None),
            AssessmentAnswer.rubric_version < question.rubric_version,
        )
        .distinct()
    )
    return [int(attempt_id) for attempt_id in db.session.execute(stmt).scalars()]


def request_rescore(actor: User, assessment: Assessment, attempt_ids: Iterable[int] | None = None) -> int:
    """Queue automatic scoring again for the given attempts (default: every submitted one). Returns how many."""
    _require_manage(actor, assessment.opening)
    stmt = (
        select(AssessmentAttempt.id)
        .join(AssessmentInvitation, AssessmentInvitation.id == AssessmentAttempt.invitation_id)
        .where(
            AssessmentInvitation.assessment_id == assessment.id,
            AssessmentAttempt.status == AttemptStatus.SUBMITTED,
        )
    )
    if attempt_ids is not None:
        stmt = stmt.where(AssessmentAttempt.id.in_(list(attempt_ids)))
    ids = [int(i) for i in db.session.execute(stmt).scalars()]
    if not ids:
        return 0
    for attempt in db.session.execute(
        select(AssessmentAttempt).where(AssessmentAttempt.id.in_(ids))
    ).scalars():
        attempt.scoring_status = ScoringStatus.PENDING
    record(
        actor,
        "rescore",
        "assessment",
        assessment.id,
        f"re-scoring {len(ids)} attempt(s) of {assessment.title}",
        opening_id=assessment.opening_id,
    )
    from hirewise.tasks import enqueue
    from hirewise.tasks.assessments import score_attempt

    for attempt_id in ids:
        enqueue(score_attempt, attempt_id)
    db.session.commit()
    return len(ids)


def skill_results(attempt: AssessmentAttempt) -> dict[int, tuple[float, float]]:
    """``{skill_id: (points, max_points)}`` over the scored answers of questions tied to a skill."""
    results: dict[int, tuple[float, float]] = {}
    for answer in attempt.answers:
        skill_id = answer.question.skill_id
        if skill_id is None or answer.final_points is None or not answer.max_points:
            continue
        got, maximum = results.get(skill_id, (0.0, 0.0))
        results[skill_id] = (got + answer.final_points, maximum + answer.max_points)
    return results


def skill_names(opening: Opening) -> dict[int, str]:
    return {skill.id: skill.name for skill in opening.skills}


def opening_skill(opening: Opening, skill_id: int) -> OpeningSkill | None:
    return next((skill for skill in opening.skills if skill.id == skill_id), None)
