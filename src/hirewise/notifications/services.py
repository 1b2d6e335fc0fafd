"""Creating, listing and reading notifications, and emailing them (at once, or in a daily digest).

Each ``notify_*`` is a step of the use case that caused it (submitting feedback, recording a
decision, closing an assessment attempt, adding a note): it adds rows and queues emails, and the
caller commits. Its recipients are gathered broadly (the hiring team, the organizer...) and then
each is kept only if the rule of the object in ``security.py`` lets them see it, so nobody learns
of feedback, a decision, a score or a candidate they may not see.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select, update

from hirewise.auth.models import Role, User
from hirewise.candidates.models import Application, Candidate, Note
from hirewise.db import use_case, utcnow
from hirewise.errors import NotFound, ValidationFailed
from hirewise.extensions import db
from hirewise.interviews.models import Interview
from hirewise.mail.models import TemplateKey
from hirewise.mail.services import deliver_later, queue_template_email
from hirewise.notifications.models import Delivery, Notification, NotificationKind
from hirewise.security import (
    can_review_assessment,
    can_view_debrief,
    can_view_feedback,
    can_view_note,
    notifications_visible_to,
)

MAX_TEXT = 500


def _path(endpoint: str, **values: Any) -> str:
    # From the URL map, not url_for: an attempt closed at its deadline is closed by a worker.
    return current_app.url_map.bind("hirewise.invalid").build(endpoint, values)


def _users(ids: Iterable[int | None]) -> list[User]:
    wanted = {user_id for user_id in ids if user_id is not None}
    if not wanted:
        return []
    stmt = select(User).where(User.id.in_(wanted), User.active.is_(True)).order_by(User.id)
    return list(db.session.execute(stmt).scalars())


def _hiring_team(application: Application, *extra_ids: int | None) -> list[User]:
    """The opening's team and creator, and whoever else the caller names (an organizer, an inviter)."""
    opening = application.opening
    return _users([member.id for member in opening.team] + [opening.created_by_id, *extra_ids])


def notify(
    kind: NotificationKind,
    recipients: Iterable[User],
    may_see: Callable[[User], bool],
    *,
    actor: User | None,
    object_type: str,
    object_id: int,
    application_id: int | None,
    text: str,
    link: str,
) -> list[Notification]:
    """Add a notification for each recipient (never the actor) that ``may_see`` the object."""
    now = utcnow()
    created: list[Notification] = []
    message_ids: list[int] = []
    seen: set[int] = set()
    for user in recipients:
        if user.id in seen or (actor is not None and user.id == getattr(actor, "id", None)):
            continue
        seen.add(user.id)
        if not user.active or not may_see(user):
            continue
        notification = Notification(
            user_id=user.id,
            kind=kind,
            object_type=object_type,
            object_id=object_id,
            application_id=application_id,
            text=text[:MAX_TEXT],
            link=link,
            created_at=now,
        )
        if user.notification_delivery != Delivery.DIGEST:
            notification.emailed_at = now
            message_ids.append(_email(user, text[:MAX_TEXT], [notification.text], [link]))
        db.session.add(notification)
        created.append(notification)
    db.session.flush()
    deliver_later(message_ids)
    return created


def _email(user: User, subject: str, lines: list[str], links: list[str]) -> int:
    base = current_app.config["BASE_URL"].rstrip("/")
    body = "\n\n".join(
        f"{line}\n{base}{link}" if link else line for line, link in zip(lines, links, strict=True)
    )
    body += f"\n\nChoose how notifications reach you: {base}{_path('notifications.index')}"
    # No candidate or application id: this email is to a colleague, not part of a candidate's history.
    message = queue_template_email(
        TemplateKey.GENERIC,
        to_email=user.email,
        to_name=user.full_name,
        context={"subject": subject[:200], "body": body},
    )
    return message.id


# --- what notifies whom ---------------------------------------------------------------------------


def notify_feedback_submitted(actor: User, feedback: Any) -> None:
    """The hiring team (and the interview's organizer) who may read the feedback."""
    application = feedback.application
    interview = feedback.interview
    notify(
        NotificationKind.FEEDBACK_SUBMITTED,
        _hiring_team(application, interview.organizer_id),
        lambda user: can_view_feedback(user, feedback),
        actor=actor,
        object_type="feedback",
        object_id=feedback.id,
        application_id=application.id,
        text=f"{actor.full_name} submitted feedback on {interview.title} with {application.candidate.full_name}",
        link=_path("feedback.view", feedback_id=feedback.id),
    )


def notify_decision_recorded(actor: User, decision: Any) -> None:
    """The hiring team who may see the debrief, and whoever organized its interviews (the recruiter who
    acts on the decision); the reason stays on the debrief."""
    application = decision.application
    organizers = db.session.execute(
        select(Interview.organizer_id).where(Interview.application_id == application.id).distinct()
    ).scalars()
    notify(
        NotificationKind.DECISION_RECORDED,
        _hiring_team(application, *organizers),
        lambda user: can_view_debrief(user, application),
        actor=actor,
        object_type="decision",
        object_id=decision.id,
        application_id=application.id,
        text=(
            f"{actor.full_name} decided to {decision.kind} {application.candidate.full_name} "
            f"({application.opening.title})"
        ),
        link=_path("decisions.debrief", application_id=application.id),
    )


def _assessment_reviewers(invitation: Any) -> list[User]:
    """Recruiters who may review an attempt: those of the hiring team (and who sent the link), else
    every recruiter."""
    team = [
        u
        for u in _hiring_team(invitation.application, invitation.invited_by_id)
        if u.has_role(Role.RECRUITER)
    ]
    if not team:
        stmt = select(User).where(User.role == Role.RECRUITER, User.active.is_(True)).order_by(User.id)
        team = list(db.session.execute(stmt).scalars())
    return team


def notify_assessment_submitted(attempt: Any) -> None:
    invitation = attempt.invitation
    application = invitation.application
    notify(
        NotificationKind.ASSESSMENT_SUBMITTED,
        _assessment_reviewers(invitation),
        lambda user: can_review_assessment(user, application),
        actor=None,
        object_type="assessment_attempt",
        object_id=attempt.id,
        application_id=application.id,
        text=(
            f"{application.candidate.full_name} submitted the assessment {invitation.assessment.title} "
            f"({application.opening.title})"
        ),
        link=_path("assessments.review", attempt_id=attempt.id),
    )


def notify_score_review_requested(answer: Any) -> None:
    """The candidate asked for a person to review an automatic score: the attempt's reviewers."""
    invitation = answer.attempt.invitation
    application = invitation.application
    notify(
        NotificationKind.SCORE_REVIEW_REQUESTED,
        _assessment_reviewers(invitation),
        lambda user: can_review_assessment(user, application),
        actor=None,
        object_type="assessment_attempt",
        object_id=answer.attempt_id,
        application_id=application.id,
        text=(
            f"{application.candidate.full_name} asked for a person to review an automatic score "
            f"({application.opening.title})"
        ),
        link=_path("assessments.review", attempt_id=answer.attempt_id),
    )


_MENTION = re.compile(r"(?<![\w@])@(\w[\w.'\-]*(?: \w[\w.'\-]*){0,3})")


def mentioned_users(body: str) -> list[User]:
    """Active users named after an ``@`` in ``body``: by full name (``@Ada Lovelace``) or by the
    part of their email before the ``@`` (``@ada``), case-insensitively."""
    fragments = [match.lower() for match in _MENTION.findall(body)]
    if not fragments:
        return []
    users = db.session.execute(select(User).where(User.active.is_(True)).order_by(User.id)).scalars()
    found = []
    for user in users:
        names = (user.full_name.lower(), user.email.split("@")[0].lower())
        if any(f == name or f.startswith(name + " ") for f in fragments for name in names if name):
            found.append(user)
    return found


def mentionable_users(candidate: Candidate, application_id: int | None) -> list[User]:
    """Whom an ``@mention`` in a new note may name: the active people who could read that note.

    The autocomplete offers exactly these, so it never suggests (nor reveals) anyone a mention would
    not notify: :func:`notify_mentions` applies the same rule, ``can_view_note``.
    """
    unsaved_note = SimpleNamespace(candidate=candidate, application_id=application_id)
    users = db.session.execute(
        select(User).where(User.active.is_(True)).order_by(func.lower(User.full_name), User.id)
    ).scalars()
    return [user for user in users if can_view_note(user, unsaved_note)]


def notify_mentions(actor: User, note: Note) -> None:
    """Whoever an @mention names, if they may see the note (and so its application)."""
    mentioned = mentioned_users(note.body)
    if not mentioned:
        return
    candidate = note.candidate
    if note.application_id is not None:
        link = _path("candidates.application", application_id=note.application_id)
    else:
        link = _path("candidates.profile", candidate_id=candidate.id)
    notify(
        NotificationKind.MENTION,
        mentioned,
        lambda user: can_view_note(user, note),
        actor=actor,
        object_type="note",
        object_id=note.id,
        application_id=note.application_id,
        text=f"{actor.full_name} mentioned you in a note on {candidate.full_name}",
        link=link,
    )


# --- reading ----------------------------------------------------------------------------------------


def notifications_query(user: User, *, unread_only: bool = False) -> Select[Any]:
    stmt = (
        select(Notification)
        .where(notifications_visible_to(user))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return stmt.where(Notification.read_at.is_(None)) if unread_only else stmt


def unread_count(user: User) -> int:
    stmt = select(func.count(Notification.id)).where(
        notifications_visible_to(user), Notification.read_at.is_(None)
    )
    return int(db.session.execute(stmt).scalar_one())


def _own(user: User, notification_id: int) -> Notification:
    stmt = select(Notification).where(Notification.id == notification_id, notifications_visible_to(user))
    notification = db.session.execute(stmt).scalar_one_or_none()
    if notification is None:
        raise NotFound("There is no such notification.")
    return notification


@use_case
def mark_read(user: User, notification_id: int) -> Notification:
    notification = _own(user, notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
    db.session.commit()
    return notification


@use_case
def mark_all_read(user: User) -> int:
    ids = select(Notification.id).where(notifications_visible_to(user), Notification.read_at.is_(None))
    result = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids.scalar_subquery()))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


@use_case
def set_delivery(user: User, delivery: str) -> User:
    if delivery not in {d.value for d in Delivery}:
        message = "Choose 'immediate' or 'digest'."
        raise ValidationFailed(message, {"delivery": [message]})
    user.notification_delivery = delivery
    db.session.commit()
    return user


# --- the daily digest ---------------------------------------------------------------------------


def send_digests(now: Any = None, every_hours: int = 24) -> int:
    """One email per digest user with notifications not yet emailed, once the oldest of them is a day
    old (so at most one a day). Marks them emailed in the transaction that queues the email, and only
    those still unmarked: a second run, or a concurrent worker, sends nothing twice. Returns the count."""
    from datetime import timedelta

    now = now or utcnow()
    due_before = now - timedelta(hours=every_hours)
    waiting = (
        select(Notification.user_id)
        .join(User, User.id == Notification.user_id)
        .where(
            User.notification_delivery == Delivery.DIGEST,
            User.active.is_(True),
            Notification.emailed_at.is_(None),
        )
        .group_by(Notification.user_id)
        .having(func.min(Notification.created_at) <= due_before)
    )
    sent = 0
    for user in _users(db.session.execute(waiting).scalars()):
        items = list(
            db.session.execute(
                notifications_query(user).where(Notification.emailed_at.is_(None)).limit(100)
            ).scalars()
        )
        if not items:
            continue
        ids = [n.id for n in items]
        try:
            with db.session.begin_nested():
                marked = db.session.execute(
                    update(Notification)
                    .where(Notification.id.in_(ids), Notification.emailed_at.is_(None))
                    .values(emailed_at=now)
                    .execution_options(synchronize_session=False)
                )
                if getattr(marked, "rowcount", 0) != len(ids):
                    raise _AlreadySent
                oldest_first = list(reversed(items))
                subject = f"Your Hirewise digest: {len(items)} notification{'s' if len(items) != 1 else ''}"
                message_id = _email(
                    user, subject, [n.text for n in oldest_first], [n.link for n in oldest_first]
                )
        except _AlreadySent:
            continue
        deliver_later([message_id])
        sent += 1
    db.session.commit()
    return sent


class _AlreadySent(Exception):
    """Another run marked these notifications first."""
