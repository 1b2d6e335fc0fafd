"""Setting an opening up in one step: created from a kit with the kit's interview plan and screening
assessment, and published, in one transaction (issue 11 §1).

Each part is the use case that does it on its own (``create_opening``, the plan's ``default_plan``,
the assessments' ``ensure_kit_assessment``), run as a step: the audit log shows each as usual, and
when one fails nothing of the others is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from hirewise.assessments.builtin import builtin_for, ensure_kit_assessment
from hirewise.assessments.models import Assessment
from hirewise.auth.models import User
from hirewise.db import use_case
from hirewise.errors import PermissionDenied, ValidationFailed
from hirewise.extensions import db
from hirewise.interviews.models import InterviewPlanItem
from hirewise.interviews.plans import default_plan
from hirewise.openings.models import EmploymentType, Opening, OpeningStatus
from hirewise.openings.services import create_opening
from hirewise.security import can_create_opening


@dataclass(frozen=True)
class OpeningSetup:
    """The new opening and what was set up with it."""

    opening: Opening
    interview_plan: list[InterviewPlanItem] = field(default_factory=list)
    assessment: Assessment | None = None

    @property
    def published(self) -> bool:
        return self.opening.status == OpeningStatus.OPEN


def _status(status: OpeningStatus | str | None, publish: bool | None, from_kit: bool) -> str:
    """The status to create the opening with. Without ``publish``, a given status wins, else an
    opening from a kit is published and one without stays a draft."""
    if publish is None:
        return (
            str(status) if status is not None else (OpeningStatus.OPEN if from_kit else OpeningStatus.DRAFT)
        )
    if status is not None and (str(status) == OpeningStatus.OPEN) != publish:
        message = "“Publish now” and the status disagree: publish with status open, or leave one of them out."
        raise ValidationFailed(message, {"publish": [message]})
    if publish:
        return OpeningStatus.OPEN
    return str(status) if status is not None else OpeningStatus.DRAFT


@use_case
def set_up_opening(
    actor: User,
    *,
    title: str,
    kit_id: int | None = None,
    location: str = "",
    employment_type: EmploymentType | str = EmploymentType.FULL_TIME,
    description: str = "",
    status: OpeningStatus | str | None = None,
    team_ids: Sequence[int] = (),
    with_interview_plan: bool | None = None,
    with_assessment: bool | None = None,
    publish: bool | None = None,
) -> OpeningSetup:
    """Create an opening and, unless told otherwise (each option defaults to "yes" when a kit is
    given), generate its interview plan, add the kit's screening assessment when the kit ships one,
    and publish it. One commit."""
    if not can_create_opening(actor):
        raise PermissionDenied("Only admins and recruiters can create openings.")
    from_kit = kit_id is not None
    opening = create_opening(
        actor,
        title=title,
        kit_id=kit_id,
        location=location,
        employment_type=employment_type,
        description=description,
        status=_status(status, publish, from_kit),
        team_ids=team_ids,
        commit=False,
    )
    plan: list[InterviewPlanItem] = []
    if from_kit if with_interview_plan is None else with_interview_plan:
        plan = default_plan(actor, opening, commit=False)
    assessment = None
    wants_assessment = from_kit if with_assessment is None else with_assessment
    if wants_assessment and builtin_for(opening) is not None:
        assessment = ensure_kit_assessment(actor, opening, commit=False).assessment
    db.session.commit()
    return OpeningSetup(opening, plan, assessment)
