"""What closing an application (rejecting it, or the candidate withdrawing) also stops.

Its scheduled interviews still ahead are cancelled, every attendee getting a METHOD:CANCEL, and
its open assessment links are revoked, which also stops an attempt in progress. The confirmation
pages show :func:`rejection_follow_through` before anything happens; :func:`follow_through_rejection`
does it as a step of the rejection's use case, which commits once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hirewise.assessments.invitations import (
    invitation_state,
    invitations_for_application,
    invitations_for_applications,
    revoke_invitation,
)
from hirewise.assessments.models import AssessmentInvitation
from hirewise.auth.models import User
from hirewise.candidates.models import Application
from hirewise.db import utcnow
from hirewise.extensions import db
from hirewise.interviews.models import Interview, InterviewStatus
from hirewise.interviews.services import cancel_interview, interviews_for_application, interviews_query
from hirewise.text import counted

# Sent to the interviewers with the cancellation; the rejection reason itself stays with the debrief.
CANCEL_REASON = "The candidate is no longer in the hiring process."
OPEN_INVITATION_STATES = frozenset({"invited", "in progress"})


@dataclass(frozen=True)
class FollowThrough:
    """The scheduled interviews and open assessment links of an application that rejecting it stops."""

    interviews: list[Interview] = field(default_factory=list)
    invitations: list[AssessmentInvitation] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.interviews or self.invitations)

    @classmethod
    def combined(cls, parts: Iterable[FollowThrough]) -> FollowThrough:
        """One summary for a bulk rejection."""
        parts = list(parts)
        return cls(
            interviews=[interview for part in parts for interview in part.interviews],
            invitations=[invitation for part in parts for invitation in part.invitations],
        )

    def _describe(self, *, done: bool) -> str:
        parts = []
        if self.interviews:
            count = len(self.interviews)
            noun = counted(count, "scheduled interview")
            verb = "cancelled" if done else "will be cancelled"
            parts.append(f"{noun} {verb} and {'its' if count == 1 else 'their'} attendees notified")
        if self.invitations:
            noun = counted(len(self.invitations), "open assessment link")
            parts.append(f"{noun} {'revoked' if done else 'will be revoked'}")
        return "; ".join(parts)

    @property
    def summary(self) -> str:
        """Before: "2 scheduled interviews will be cancelled and their attendees notified; ..."."""
        return self._describe(done=False)

    @property
    def done_summary(self) -> str:
        """After: "2 scheduled interviews cancelled and their attendees notified; ..."."""
        return self._describe(done=True)


def _pending(
    interviews: Iterable[Interview], invitations: Iterable[AssessmentInvitation], now: datetime
) -> FollowThrough:
    return FollowThrough(
        interviews=[
            interview
            for interview in interviews
            if interview.status == InterviewStatus.SCHEDULED and interview.starts_at > now
        ],
        invitations=sorted(
            (
                invitation
                for invitation in invitations
                if invitation_state(invitation, now) in OPEN_INVITATION_STATES
            ),
            key=lambda invitation: invitation.id,
        ),
    )


def rejection_follow_through(application: Application) -> FollowThrough:
    """What rejecting ``application`` now would cancel and revoke (nothing is changed)."""
    return _pending(
        interviews_for_application(application), invitations_for_application(application), utcnow()
    )


def rejection_follow_throughs(applications: Sequence[Application]) -> dict[int, FollowThrough]:
    """:func:`rejection_follow_through` of many applications, read in two queries, not two each."""
    ids = [application.id for application in applications]
    interviews: dict[int, list[Interview]] = defaultdict(list)
    for interview in (
        db.session.execute(interviews_query().where(Interview.application_id.in_(ids))).scalars().unique()
    ):
        interviews[interview.application_id].append(interview)
    invitations: dict[int, list[AssessmentInvitation]] = defaultdict(list)
    for invitation in invitations_for_applications(ids):
        invitations[invitation.application_id].append(invitation)
    now = utcnow()
    return {i: _pending(interviews[i], invitations[i], now) for i in ids}


def follow_through_rejection(
    actor: User, application: Application, pending: FollowThrough | None = None
) -> FollowThrough:
    """Cancel and revoke what :func:`rejection_follow_through` lists, without committing: a step of
    the rejection, so a failure here leaves the application where it was. ``pending``: already read
    (:func:`rejection_follow_throughs`, for a bulk rejection)."""
    pending = pending if pending is not None else rejection_follow_through(application)
    for interview in pending.interviews:
        cancel_interview(actor, interview, CANCEL_REASON, commit=False)
    for invitation in pending.invitations:
        revoke_invitation(actor, invitation, commit=False)
    return pending
