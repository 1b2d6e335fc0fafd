"""Who may see or change which object. Every view, API route and template asks here.

Each rule exists twice in one place: a predicate on one loaded object (``can_*``) and, for lists,
a SQL filter (``*_visible_to``) that expresses the same rule in the query, so a list never shows
what the detail page would refuse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import abort
from sqlalchemy import ColumnElement, exists, false, or_, select, true

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
    """Staff and the hiring team; and whoever sits on one of its interview panels (an interviewer, or a
    hiring manager of another team), who needs the application to prepare the interview."""
    if can_view_opening(user, application.opening):
        return True
    if not _is(user, Role.INTERVIEWER, Role.HIRING_MANAGER):
        return False
    from hirewise.extensions import db

    return bool(db.session.execute(select(_assigned_to_application(user, application.id))).scalar())


def _on_panel(user: User, interview: Any) -> bool:
    """Is ``user`` listed among the interview's interviewers (whatever their role)?"""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and any(person.id == user.id for person in interview.interviewers)
    )


def can_view_interview(user: User, interview: Any) -> bool:
    """Whoever may see the application, and anyone on the interview's panel, whatever their role
    (even once cancelled): a hiring manager interviewing for another team's opening sees the
    interview they sit on, as an interviewer would, and writes its feedback (:func:`can_write_feedback`)."""
    if can_view_application(user, interview.application):
        return True
    return _on_panel(user, interview)


def interviews_visible_to(user: User) -> ColumnElement[bool]:
    """SQL filter on ``Interview``: the same rule as :func:`can_view_interview`."""
    from sqlalchemy import or_

    from hirewise.candidates.models import Application
    from hirewise.interviews.models import Interview, interview_interviewers

    if not (user is not None and getattr(user, "is_authenticated", False)):
        return false()
    of_visible_application = Interview.application_id.in_(
        select(Application.id).where(applications_visible_to(user))
    )
    on_panel = exists(
        select(interview_interviewers.c.interview_id).where(
            interview_interviewers.c.interview_id == Interview.id, interview_interviewers.c.user_id == user.id
        )
    )
    return or_(of_visible_application, on_panel)


def can_change_application(user: User, application: Application) -> bool:
    """Move between stages, reject, add notes, email the candidate."""
    return can_edit_opening(user, application.opening)


def can_view_debrief(user: User, application: Application) -> bool:
    """The debrief weighs every interviewer's feedback: staff and the hiring team, never interviewers."""
    return can_edit_opening(user, application.opening)


def can_decide(user: User, application: Application) -> bool:
    """Advance, reject or hire with a recorded decision."""
    return can_edit_opening(user, application.opening)


def applications_changeable_by(user: User) -> ColumnElement[bool]:
    """SQL filter on ``Application``: the same rule as :func:`can_change_application` (staff, and the
    hiring managers on the opening's team)."""
    from hirewise.candidates.models import Application

    if _is(user, *STAFF):
        return true()
    if _is(user, Role.HIRING_MANAGER):
        return exists(
            select(opening_members.c.opening_id).where(
                opening_members.c.opening_id == Application.opening_id, opening_members.c.user_id == user.id
            )
        )
    return false()


def debriefs_visible_to(user: User) -> ColumnElement[bool]:
    """SQL filter on ``Application``: whose debrief ``user`` may see, as :func:`can_view_debrief`."""
    return applications_changeable_by(user)


def can_view_move_reasons(user: User, application: Application) -> bool:
    """Why the application moved between stages or was rejected: as the debrief.

    A decision's reason (the debrief's reasoning: "fit too low, failed the must-have gate") becomes
    the reason of the stage move it makes and the rejection reason, so a reason is as private as the
    debrief: staff and the hiring team. Whoever else may see the application (its assigned
    interviewers) sees that it moved (from, to, when, by whom), never why.
    """
    return can_view_debrief(user, application)


def move_reasons_visible_to(user: User) -> ColumnElement[bool]:
    """SQL filter on ``Application``: the same rule as :func:`can_view_move_reasons`."""
    return debriefs_visible_to(user)


def applications_visible_to(user: User) -> ColumnElement[bool]:
    from hirewise.candidates.models import Application

    if _is(user, *STAFF):
        return true()
    if _is(user, Role.HIRING_MANAGER):
        on_team = exists(
            select(opening_members.c.opening_id).where(
                opening_members.c.opening_id == Application.opening_id, opening_members.c.user_id == user.id
            )
        )
        return or_(on_team, _assigned_to_application(user, Application.id))
    if _is(user, Role.INTERVIEWER):
        return _assigned_to_application(user, Application.id)
    return false()


def can_view_candidate(user: User, candidate: Candidate) -> bool:
    if _is(user, *STAFF):
        return True
    return any(can_view_application(user, app) for app in candidate.applications)


def can_create_candidate(user: User) -> bool:
    return _is(user, *STAFF)


def can_use_import_run(user: User, run: Any) -> bool:
    """An import run (its file, preview and report of names and emails): staff who may import into
    its opening, or into no opening at all."""
    if not can_create_candidate(user):
        return False
    return run.opening is None or can_edit_opening(user, run.opening)


def can_edit_candidate(user: User, candidate: Candidate) -> bool:
    """Contact details, general notes and emails reach every opening the person applied to: staff only."""
    return _is(user, *STAFF)


def can_add_notes(user: User, candidate: Candidate) -> bool:
    """Staff anywhere; a hiring manager on the notes of applications they may change."""
    return can_edit_candidate(user, candidate) or any(
        can_change_application(user, app) for app in candidate.applications
    )


def _on_hiring_team_of_candidate(user: User, candidate: Candidate, application_id: int | None = None) -> bool:
    """May ``user`` change one of the candidate's applications (only ``application_id``'s, if given)?"""
    return any(
        can_change_application(user, app)
        for app in candidate.applications
        if application_id is None or app.id == application_id
    )


def _on_hiring_team_of_candidate_sql(
    user: User, candidate_id: Any, application_id: Any = None
) -> ColumnElement[bool]:
    """SQL: the same rule as :func:`_on_hiring_team_of_candidate`, on columns (an ``application_id``
    column that is NULL means any of the candidate's applications)."""
    from sqlalchemy import or_

    from hirewise.candidates.models import Application

    stmt = select(Application.id).where(
        Application.candidate_id == candidate_id, applications_changeable_by(user)
    )
    if application_id is not None:
        stmt = stmt.where(or_(application_id.is_(None), Application.id == application_id))
    return exists(stmt)


def can_view_note(user: User, note: Any) -> bool:
    """A note on an application: whoever may see the application (its assigned interviewers too).

    A general note (about the person, not tied to an application; staff write them): staff, and the
    hiring managers on the team of any opening the candidate applied to. Never interviewers: a
    general note may be about any of the person's applications.
    """
    if note.application_id is None:
        return _is(user, *STAFF) or _on_hiring_team_of_candidate(user, note.candidate)
    application = next((a for a in note.candidate.applications if a.id == note.application_id), None)
    return application is not None and can_view_application(user, application)


def notes_visible_to(user: User) -> ColumnElement[bool]:
    """SQL filter on ``Note``: the same rule as :func:`can_view_note`."""
    from sqlalchemy import and_, or_

    from hirewise.candidates.models import Application, Note

    if _is(user, *STAFF):
        return true()
    general = and_(
        Note.application_id.is_(None),
        _on_hiring_team_of_candidate_sql(user, Note.candidate_id),
    )
    on_application = exists(
        select(Application.id).where(Application.id == Note.application_id, applications_visible_to(user))
    )
    return or_(general, on_application)


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


def can_view_candidate_email(user: User, message: Any) -> bool:
    """An email on a candidate's timeline (and the events about it).

    Staff as the outbox shows it (:func:`can_view_outbox_message`); and the hiring team of what the
    email is about: of its application, or of any of the candidate's applications when it is
    about the candidate in general (the hiring managers who may change the application may email
    the candidate themselves). Interviewers never see emails. The Outbox page stays the staff's.
    """
    if can_view_outbox_message(user, message):
        return True
    if message.candidate_id is None or not _is(user, Role.HIRING_MANAGER):
        return False
    from hirewise.candidates.models import Candidate
    from hirewise.extensions import db

    candidate = db.session.get(Candidate, message.candidate_id)
    return candidate is not None and _on_hiring_team_of_candidate(user, candidate, message.application_id)


def candidate_emails_visible_to(user: User) -> ColumnElement[bool]:
    """SQL filter on ``OutboxMessage``: the same rule as :func:`can_view_candidate_email`."""
    from sqlalchemy import or_

    from hirewise.mail.models import OutboxMessage

    if not _is(user, Role.HIRING_MANAGER):
        return outbox_messages_visible_to(user)
    on_team = _on_hiring_team_of_candidate_sql(user, OutboxMessage.candidate_id, OutboxMessage.application_id)
    return or_(outbox_messages_visible_to(user), on_team)


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
    return _on_panel(user, interview)


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


def assessment_reviews_visible_to(user: User) -> ColumnElement[bool]:
    """SQL filter on ``Application``: whose assessments ``user`` may review, as :func:`can_review_assessment`."""
    return debriefs_visible_to(user)


# --- audit events and timelines -----------------------------------------------------------------

# Which rule guards an audit event, by the type of the object it is about. An event is exactly as
# visible as that object: an event about feedback as the feedback, a decision's as the debrief,
# an assessment answer's as the review, an email's as the email on the candidate's timeline. Its
# before/after and summary copy the object's fields, so showing the event shows the object; the
# reason a stage move or rejection carries shows only as the debrief (``can_view_event_reason``).
# An object type missing here is for admins only: the classification test fails until a new kind
# of event is added to this table.
EVENT_RULES: dict[str, str] = {
    # About one candidate: each as visible as the object.
    "feedback": "feedback",
    "decision": "debrief",
    "assessment_invitation": "assessment_review",
    "assessment_attempt": "assessment_review",
    "assessment_answer": "assessment_review",
    "application": "application",
    "interview": "interview",
    "note": "note",
    "candidate": "candidate",
    "outbox_message": "candidate_email",
    # The set-up of an opening, anchored on it: whoever may see the opening.
    "opening": "opening",
    "opening_skill": "opening",
    "interview_plan_item": "opening",
    "assessment": "opening",
    "assessment_question": "opening",
    # Organisation-wide: the audit log only.
    "user": "audit_log",
    "user_session": "audit_log",
    "api_token": "audit_log",
    "kit": "audit_log",
    "privacy_settings": "audit_log",
    "import_run": "audit_log",
    "question": "audit_log",
    "email_template": "audit_log",
    "organisation_settings": "audit_log",
    "secret_key": "audit_log",
}


def _event_object(event: Any) -> Any:
    """The object an event is about, or None once it is gone."""
    from hirewise.assessments.models import AssessmentAnswer, AssessmentAttempt, AssessmentInvitation
    from hirewise.candidates.models import Application, Candidate, Note
    from hirewise.extensions import db
    from hirewise.feedback.models import Decision, Feedback
    from hirewise.interviews.models import Interview
    from hirewise.mail.models import OutboxMessage

    models: dict[str, Any] = {
        "feedback": Feedback,
        "decision": Decision,
        "assessment_invitation": AssessmentInvitation,
        "assessment_attempt": AssessmentAttempt,
        "assessment_answer": AssessmentAnswer,
        "application": Application,
        "interview": Interview,
        "note": Note,
        "candidate": Candidate,
        "outbox_message": OutboxMessage,
    }
    if EVENT_RULES.get(event.object_type) == "opening":
        return db.session.get(Opening, event.opening_id) if event.opening_id is not None else None
    model = models.get(event.object_type)
    return None if model is None or event.object_id is None else db.session.get(model, event.object_id)


def _assessed_application(obj: Any) -> Application:
    """The application of an assessment invitation, attempt or answer."""
    from hirewise.assessments.models import AssessmentAnswer, AssessmentAttempt

    if isinstance(obj, AssessmentAnswer):
        obj = obj.attempt
    if isinstance(obj, AssessmentAttempt):
        obj = obj.invitation
    application: Application = obj.application
    return application


_EVENT_CHECKS: dict[str, Any] = {
    "feedback": can_view_feedback,
    "debrief": lambda user, decision: can_view_debrief(user, decision.application),
    "assessment_review": lambda user, obj: can_review_assessment(user, _assessed_application(obj)),
    "application": can_view_application,
    "interview": can_view_interview,
    "note": can_view_note,
    "candidate": can_view_candidate,
    "candidate_email": can_view_candidate_email,
    "opening": can_view_opening,
}


def can_view_event(user: User, event: Any) -> bool:
    """May ``user`` see this audit event: on a timeline, through the API, in any list of events?

    Admins read the whole audit log, so every event. Anyone else sees an event exactly when they
    may see the object it is about (:data:`EVENT_RULES`); an event about an object that no longer
    exists, or of a kind not classified, only admins do.
    """
    if can_view_audit_log(user):
        return True
    rule = EVENT_RULES.get(event.object_type, "audit_log")
    if rule == "audit_log":
        return False
    obj = _event_object(event)
    return obj is not None and bool(_EVENT_CHECKS[rule](user, obj))


def _event_conditions(user: User) -> dict[str, ColumnElement[bool]]:
    """For each rule of :data:`EVENT_RULES`, the SQL condition on ``AuditEvent`` that its object is visible."""
    from sqlalchemy import and_, or_

    from hirewise.assessments.models import AssessmentAnswer, AssessmentAttempt, AssessmentInvitation
    from hirewise.audit.models import AuditEvent
    from hirewise.candidates.models import Application, Candidate, Note
    from hirewise.feedback.models import Decision, Feedback
    from hirewise.interviews.models import Interview
    from hirewise.mail.models import OutboxMessage

    about = AuditEvent.object_id
    reviewable = AssessmentInvitation.application_id.in_(
        select(Application.id).where(assessment_reviews_visible_to(user))
    )
    invitation = select(AssessmentInvitation.id).where(AssessmentInvitation.id == about, reviewable)
    attempt = (
        select(AssessmentAttempt.id)
        .join(AssessmentInvitation, AssessmentInvitation.id == AssessmentAttempt.invitation_id)
        .where(AssessmentAttempt.id == about, reviewable)
    )
    answer = (
        select(AssessmentAnswer.id)
        .join(AssessmentAttempt, AssessmentAttempt.id == AssessmentAnswer.attempt_id)
        .join(AssessmentInvitation, AssessmentInvitation.id == AssessmentAttempt.invitation_id)
        .where(AssessmentAnswer.id == about, reviewable)
    )
    return {
        "feedback": exists(select(Feedback.id).where(Feedback.id == about, feedback_visible_to(user))),
        "debrief": exists(
            select(Decision.id)
            .join(Application, Application.id == Decision.application_id)
            .where(Decision.id == about, debriefs_visible_to(user))
        ),
        "assessment_review": or_(
            and_(AuditEvent.object_type == "assessment_invitation", exists(invitation)),
            and_(AuditEvent.object_type == "assessment_attempt", exists(attempt)),
            and_(AuditEvent.object_type == "assessment_answer", exists(answer)),
        ),
        "application": exists(
            select(Application.id).where(Application.id == about, applications_visible_to(user))
        ),
        "interview": exists(select(Interview.id).where(Interview.id == about, interviews_visible_to(user))),
        "note": exists(select(Note.id).where(Note.id == about, notes_visible_to(user))),
        "candidate": exists(select(Candidate.id).where(Candidate.id == about, candidates_visible_to(user))),
        "candidate_email": exists(
            select(OutboxMessage.id).where(OutboxMessage.id == about, candidate_emails_visible_to(user))
        ),
        "opening": exists(
            select(Opening.id).where(Opening.id == AuditEvent.opening_id, openings_visible_to(user))
        ),
    }


def events_visible_to(user: User) -> ColumnElement[bool]:
    """SQL filter on ``AuditEvent``: the same rule as :func:`can_view_event`."""
    from sqlalchemy import and_, or_

    from hirewise.audit.models import AuditEvent

    if can_view_audit_log(user):
        return true()
    if not _is(user, *STAFF, Role.HIRING_MANAGER, Role.INTERVIEWER):
        return false()
    conditions = _event_conditions(user)
    types_by_rule: dict[str, list[str]] = {}
    for object_type, rule in EVENT_RULES.items():
        types_by_rule.setdefault(rule, []).append(object_type)
    return or_(
        *(
            and_(AuditEvent.object_type.in_(types), conditions[rule])
            for rule, types in types_by_rule.items()
            if rule in conditions
        )
    )


# The events that carry the reason of a stage move or a rejection, in their summary and ``after``.
REASON_EVENT_TYPES = ("application",)


def can_view_event_reason(user: User, event: Any) -> bool:
    """May ``user`` read the reason an event carries (see :func:`can_view_move_reasons`)?

    Only asked of an event ``user`` may see (:func:`can_view_event`): a move or a rejection of an
    application shows to whoever may see the application, its reason only to whoever may see the
    debrief. Events of other kinds carry no such reason: True.
    """
    if event.object_type not in REASON_EVENT_TYPES or can_view_audit_log(user):
        return True
    from hirewise.candidates.models import Application
    from hirewise.extensions import db

    application = db.session.get(Application, event.object_id) if event.object_id is not None else None
    return application is not None and can_view_move_reasons(user, application)


def event_reasons_visible_to(user: User) -> ColumnElement[bool]:
    """The same rule as :func:`can_view_event_reason`, as a SQL condition on ``AuditEvent``: select it
    next to each event, so a list of events withholds the reasons it may not show in one statement."""
    from sqlalchemy import or_

    from hirewise.audit.models import AuditEvent
    from hirewise.candidates.models import Application

    if can_view_audit_log(user):
        return true()
    return or_(
        AuditEvent.object_type.not_in(REASON_EVENT_TYPES),
        exists(
            select(Application.id).where(
                Application.id == AuditEvent.object_id, move_reasons_visible_to(user)
            )
        ),
    )


# --- privacy: export, erasure, legal holds, retention ------------------------------------------


def can_export_candidate(user: User, candidate: Candidate) -> bool:
    """Everything held about a person (GDPR access and portability): staff, who see every candidate."""
    return _is(user, *STAFF)


def can_erase_candidate(user: User, candidate: Candidate) -> bool:
    """Erasing a person's data on request: staff. Hiring managers and interviewers never."""
    return _is(user, *STAFF)


def can_manage_legal_holds(user: User) -> bool:
    """Placing and releasing a legal hold, which blocks erasure: admins, with a reason."""
    return _is(user, Role.ADMIN)


def can_manage_privacy(user: User) -> bool:
    """The privacy settings, the retention preview, the retention runs and their log: admins."""
    return _is(user, Role.ADMIN)


# --- the home to-do list ------------------------------------------------------------------------


def can_see_pipeline_todo(user: User) -> bool:
    """New applications, assessments to review, overdue feedback and today's interviews: the
    recruiters' desk. Each list is still filtered by the rule of its objects."""
    return _is(user, *STAFF)


def can_see_debrief_todo(user: User) -> bool:
    """Debriefs awaiting a decision: whoever may decide (staff, hiring managers on the team)."""
    return _is(user, *STAFF, Role.HIRING_MANAGER)


# --- notifications ------------------------------------------------------------------------------
# Who is told of what is decided when a notification is created, by the rule of its object
# (can_view_feedback, can_view_debrief, can_review_assessment, can_view_note; notifications/services.py).
# Reading one afterwards: its recipient only, and only while they may still see its application
# (someone taken off a hiring team stops seeing what they were told about it).


def can_view_notification(user: User, notification: Any) -> bool:
    if not _is(user, *Role) or notification.user_id != user.id:
        return False
    if notification.application_id is None:
        return True
    from hirewise.candidates.models import Application
    from hirewise.extensions import db

    application = db.session.get(Application, notification.application_id)
    return application is not None and can_view_application(user, application)


def notifications_visible_to(user: User) -> ColumnElement[bool]:
    """SQL filter on ``Notification``: the same rule as :func:`can_view_notification`."""
    from sqlalchemy import and_

    from hirewise.candidates.models import Application
    from hirewise.notifications.models import Notification

    if not _is(user, *Role):
        return false()
    # Staff see every application: no need to ask (this runs on every page, for the bell).
    if _is(user, *STAFF):
        return Notification.user_id == user.id
    return and_(
        Notification.user_id == user.id,
        or_(
            Notification.application_id.is_(None),
            Notification.application_id.in_(select(Application.id).where(applications_visible_to(user))),
        ),
    )


# --- reports -----------------------------------------------------------------------------------


def can_view_pipeline_reports(user: User) -> bool:
    """Funnel, speed, sources and assessments: staff (every opening) and hiring managers (their own)."""
    return _is(user, *STAFF, Role.HIRING_MANAGER)


def can_view_interview_reports(user: User) -> bool:
    """Interview statistics: everyone signed in; :func:`interview_statistics_visible_to` narrows the rows."""
    return _is(user, *STAFF, Role.HIRING_MANAGER, Role.INTERVIEWER)


def report_openings_visible_to(user: User) -> ColumnElement[bool]:
    """SQL filter on ``Opening`` for the pipeline reports: the openings the user may edit
    (:func:`can_edit_opening`: staff, and hiring managers on the hiring team). The funnel's drop-off
    shows rejection reasons, which follow :func:`can_view_move_reasons`, the same rule."""
    return openings_visible_to(user) if can_view_pipeline_reports(user) else false()


def can_view_interview_statistics(user: User, interviewer_id: int, opening: Opening) -> bool:
    """One interviewer's statistics on one opening: staff; a hiring manager for their openings (and
    their own); an interviewer only their own."""
    if _is(user, *STAFF):
        return True
    if _is(user, Role.HIRING_MANAGER) and is_on_hiring_team(user, opening):
        return True
    return can_view_interview_reports(user) and interviewer_id == user.id


def interview_statistics_visible_to(user: User) -> ColumnElement[bool]:
    """SQL filter over ``interview_interviewers`` joined to the interview's ``Opening``: the same
    rule as :func:`can_view_interview_statistics`."""
    from hirewise.interviews.models import interview_interviewers

    if _is(user, *STAFF):
        return true()
    if not can_view_interview_reports(user):
        return false()
    own = interview_interviewers.c.user_id == user.id
    if _is(user, Role.HIRING_MANAGER):
        return or_(own, openings_visible_to(user))
    return own


# --- helpers for views --------------------------------------------------------------------------


def require(allowed: bool) -> None:
    """Abort with 403 unless ``allowed``; views call it with one of the predicates above."""
    if not allowed:
        abort(403)


def template_helpers() -> dict[str, Any]:
    """Expose the predicates to Jinja so templates hide what the user could not use anyway."""
    names = [name for name in globals() if name.startswith("can_") or name == "is_on_hiring_team"]
    return {name: globals()[name] for name in names}
