"""Who may see or change which object. Every view, API route and template asks here.

Each rule exists twice in one place: a predicate on one loaded object (``can_*``) and, for lists,
a SQL filter (``*_visible_to``) that expresses the same rule in the query, so a list never shows
what the detail page would refuse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import abort
from sqlalchemy import ColumnElement, exists, false, select, true

from hirewise.auth.models import Role, User
from hirewise.openings.models import Opening, opening_members

if TYPE_CHECKING:
    from hirewise.candidates.models import Application, Candidate

STAFF = (Role.ADMIN, Role.RECRUITER)


def _is(user: Any, *roles: Role) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.has_role(*roles))


# --- users, kits, settings ----------------------------------------------------------------------


def can_manage_users(user: User) -> bool:
    return _is(user, Role.ADMIN)


def can_edit_email_templates(user: User) -> bool:
    return _is(user, Role.ADMIN)


def can_view_outbox(user: User) -> bool:
    return _is(user, *STAFF)


def can_view_kits(user: User) -> bool:
    return _is(user, Role.ADMIN, Role.RECRUITER, Role.HIRING_MANAGER)


def can_manage_kits(user: User) -> bool:
    return _is(user, *STAFF)


def can_view_question_bank(user: User) -> bool:
    return can_view_kits(user)


def can_manage_question_bank(user: User) -> bool:
    return can_manage_kits(user)


def can_view_audit_log(user: User) -> bool:
    return _is(user, Role.ADMIN)


def can_manage_organisation(user: User) -> bool:
    """Organisation-wide settings (Hirewise is single-tenant) and revoking every API token at once."""
    return _is(user, Role.ADMIN)


# --- openings -----------------------------------------------------------------------------------


def is_on_hiring_team(user: User, opening: Opening) -> bool:
    return any(member.id == user.id for member in opening.team)


def can_create_opening(user: User) -> bool:
    return _is(user, *STAFF)


def can_list_openings(user: User) -> bool:
    """The openings list exists for staff and hiring managers; interviewers work from assignments."""
    return _is(user, *STAFF, Role.HIRING_MANAGER)


def can_view_opening(user: User, opening: Opening) -> bool:
    if _is(user, *STAFF):
        return True
    return _is(user, Role.HIRING_MANAGER) and is_on_hiring_team(user, opening)


def can_edit_opening(user: User, opening: Opening) -> bool:
    return can_view_opening(user, opening) and not _is(user, Role.INTERVIEWER)


def openings_visible_to(user: User) -> ColumnElement[bool]:
    if _is(user, *STAFF):
        return true()
    if _is(user, Role.HIRING_MANAGER):
        return exists(
            select(opening_members.c.opening_id).where(
                opening_members.c.opening_id == Opening.id, opening_members.c.user_id == user.id
            )
        )
    return false()


# --- candidates and applications ---------------------------------------------------------------


def _assigned_to_application(user: User, application_id: Any) -> ColumnElement[bool]:
    """An interviewer is assigned to an application by being on one of its non-cancelled interviews."""
    from hirewise.interviews.models import Interview, InterviewStatus, interview_interviewers

    return exists(
        select(interview_interviewers.c.interview_id)
        .join(Interview, Interview.id == interview_interviewers.c.interview_id)
        .where(
            interview_interviewers.c.user_id == user.id,
            Interview.application_id == application_id,
            Interview.status != InterviewStatus.CANCELLED,
        )
    )


def can_view_application(user: User, application: Application) -> bool:
    if can_view_opening(user, application.opening):
        return True
    if not _is(user, Role.INTERVIEWER):
        return False
    from hirewise.extensions import db

    return bool(db.session.execute(select(_assigned_to_application(user, application.id))).scalar())


def can_view_interview(user: User, interview: Any) -> bool:
    """Whoever may see the application, and the interview's own interviewers (even once cancelled)."""
    if can_view_application(user, interview.application):
        return True
    return _is(user, Role.INTERVIEWER) and any(person.id == user.id for person in interview.interviewers)


def can_change_application(user: User, application: Application) -> bool:
    """Move between stages, reject, add notes, email the candidate."""
    return can_edit_opening(user, application.opening)


def can_view_debrief(user: User, application: Application) -> bool:
    """The debrief weighs every interviewer's feedback: staff and the hiring team, never interviewers."""
    return can_edit_opening(user, application.opening)


def can_decide(user: User, application: Application) -> bool:
    """Advance, reject or hire with a recorded decision."""
    return can_edit_opening(user, application.opening)


def applications_visible_to(user: User) -> ColumnElement[bool]:
    from hirewise.candidates.models import Application

    if _is(user, *STAFF):
        return true()
    if _is(user, Role.HIRING_MANAGER):
        return exists(
            select(opening_members.c.opening_id).where(
                opening_members.c.opening_id == Application.opening_id, opening_members.c.user_id == user.id
            )
        )
    if _is(user, Role.INTERVIEWER):
        return _assigned_to_application(user, Application.id)
    return false()


def can_view_candidate(user: User, candidate: Candidate) -> bool:
    if _is(user, *STAFF):
        return True
    return any(can_view_application(user, app) for app in candidate.applications)


def can_create_candidate(user: User) -> bool:
    return _is(user, *STAFF)


def can_edit_candidate(user: User, candidate: Candidate) -> bool:
    """Contact details, general notes and emails reach every opening the person applied to: staff only."""
    return _is(user, *STAFF)


def can_add_notes(user: User, candidate: Candidate) -> bool:
    """Staff anywhere; a hiring manager on the notes of applications they may change."""
    return can_edit_candidate(user, candidate) or any(
        can_change_application(user, app) for app in candidate.applications
    )


def can_view_outbox_message(user: User, message: Any) -> bool:
    """Admins see every email; recruiters only emails to candidates (not user invitations)."""
    if _is(user, Role.ADMIN):
        return True
    return _is(user, Role.RECRUITER) and message.candidate_id is not None


def outbox_messages_visible_to(user: User) -> ColumnElement[bool]:
    from hirewise.mail.models import OutboxMessage

    if _is(user, Role.ADMIN):
        return true()
    if _is(user, Role.RECRUITER):
        return OutboxMessage.candidate_id.is_not(None)
    return false()


def safe_redirect_target(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default``: a crafted ?next= must not leave the site.

    Browsers drop tabs and newlines inside URLs, so "/\t/evil.example" would become "//evil.example".
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default
    return target


def candidates_visible_to(user: User) -> ColumnElement[bool]:
    from hirewise.candidates.models import Application, Candidate

    if _is(user, *STAFF):
        return true()
    return exists(
        select(Application.id).where(Application.candidate_id == Candidate.id, applications_visible_to(user))
    )


# --- interview feedback -------------------------------------------------------------------------


def _feedback_peer_rule(user: User, application_id: Any, visibility: Any) -> ColumnElement[bool]:
    """A fellow interviewer sees submitted feedback per the opening's ``feedback_visibility``."""
    from sqlalchemy import and_, or_
    from sqlalchemy.orm import aliased

    from hirewise.feedback.models import Feedback, FeedbackStatus
    from hirewise.openings.models import FeedbackVisibility

    own = aliased(Feedback)
    own_submitted = exists(
        select(own.id).where(
            own.application_id == application_id,
            own.interviewer_id == user.id,
            own.status == FeedbackStatus.SUBMITTED,
        )
    )
    return and_(
        _assigned_to_application(user, application_id),
        or_(
            visibility == FeedbackVisibility.ALWAYS,
            and_(visibility == FeedbackVisibility.AFTER_SUBMIT, own_submitted),
        ),
    )


def feedback_visible_to(user: User) -> ColumnElement[bool]:
    """SQL filter on ``Feedback``: the same rule as :func:`can_view_feedback`.

    Everyone sees their own feedback (drafts too); nobody sees another person's draft. Staff, and
    hiring managers on the opening's team, see all submitted feedback. A fellow interviewer of the
    application sees submitted feedback when the opening allows it: "always", or "after_submit"
    once they have submitted their own feedback on the same application; "never" hides it.
    """
    from sqlalchemy import and_, or_

    from hirewise.candidates.models import Application
    from hirewise.feedback.models import Feedback, FeedbackStatus

    if not _is(user, *STAFF, Role.HIRING_MANAGER, Role.INTERVIEWER):
        return false()
    own = Feedback.interviewer_id == user.id
    if _is(user, *STAFF):
        return or_(own, Feedback.status == FeedbackStatus.SUBMITTED)
    opening_of_feedback = (
        select(Opening.feedback_visibility)
        .join(Application, Application.opening_id == Opening.id)
        .where(Application.id == Feedback.application_id)
        .scalar_subquery()
    )
    others: ColumnElement[bool] = _feedback_peer_rule(user, Feedback.application_id, opening_of_feedback)
    if _is(user, Role.HIRING_MANAGER):
        on_team = exists(
            select(opening_members.c.opening_id)
            .join(Application, Application.opening_id == opening_members.c.opening_id)
            .where(Application.id == Feedback.application_id, opening_members.c.user_id == user.id)
        )
        others = or_(on_team, others)
    return or_(own, and_(Feedback.status == FeedbackStatus.SUBMITTED, others))


def can_view_feedback(user: User, feedback: Any) -> bool:
    from hirewise.feedback.models import Feedback, FeedbackStatus

    if not _is(user, *STAFF, Role.HIRING_MANAGER, Role.INTERVIEWER):
        return False
    if feedback.interviewer_id == user.id:
        return True
    if feedback.status != FeedbackStatus.SUBMITTED:
        return False
    if can_view_opening(user, feedback.application.opening):
        return True
    from hirewise.extensions import db

    # The fellow-interviewer rule needs other rows: ask the database with the list filter itself.
    stmt = select(exists(select(Feedback.id).where(Feedback.id == feedback.id, feedback_visible_to(user))))
    return bool(db.session.execute(stmt).scalar())


def can_write_feedback(user: User, interview: Any) -> bool:
    """Only the interview's own interviewers write feedback on it."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and any(person.id == user.id for person in interview.interviewers)
    )


# --- assessments --------------------------------------------------------------------------------


def can_manage_assessments(user: User, opening: Opening) -> bool:
    """Build and edit an opening's assessments: whoever may edit the opening."""
    return can_edit_opening(user, opening)


def can_write_code_questions(user: User) -> bool:
    """Add or edit an assessment's code questions, whose tests run a candidate's Python on the server.

    Recruiters and admins always; hiring managers only when an admin allows it in the organisation
    settings; nobody else. It comes on top of :func:`can_manage_assessments` for the opening, and
    only guards authoring: deleting, inviting, taking and scoring existing code questions do not ask.
    """
    if _is(user, *STAFF):
        return True
    if not _is(user, Role.HIRING_MANAGER):
        return False
    from hirewise.organisation.services import current_settings

    return current_settings().hiring_managers_write_code_questions


def can_invite_to_assessment(user: User, application: Application) -> bool:
    return can_change_application(user, application)


def can_review_assessment(user: User, application: Application) -> bool:
    """See answers, scores, explanations and integrity signals, and override scores.

    Like the debrief: staff and the hiring team. Interviewers judge the candidate in the interview,
    not from the screening answers.
    """
    return can_view_debrief(user, application)


# --- helpers for views --------------------------------------------------------------------------


def require(allowed: bool) -> None:
    """Abort with 403 unless ``allowed``; views call it with one of the predicates above."""
    if not allowed:
        abort(403)


def template_helpers() -> dict[str, Any]:
    """Expose the predicates to Jinja so templates hide what the user could not use anyway."""
    names = [name for name in globals() if name.startswith("can_") or name == "is_on_hiring_team"]
    return {name: globals()[name] for name in names}
