"""The must-have gate on advancing an application: a step of the stage-move use cases.

Moving an application to a later stage of its opening's pipeline (anything but Rejected) while its
must-have gate is ``failed`` needs an explicit confirmation and a reason; so does moving it past the
stages where the evidence is gathered (Assessment and Interview, the stage automations' targets) while
the gate is ``incomplete``. Up to those stages an incomplete gate is the normal state of a new
application (Applied to Screen asks nothing); an opening with neither stage asks on every advance. The gate
is the one the debrief, the board and the ranking show: ``compute_fit`` over the opening's scorecard
and the evidence loaded by ``decisions.evidence``, so the move never disagrees with what people see.

Moving back, rejecting, or reopening a rejected application no further than where it was never asks.
The stage automations (``openings/automation.py``) move through ``services.move_step`` and are not
gated: they react to an invitation or an interview that the team has just decided on, and they only
ever reach Assessment or Interview, where the evidence for the gate is gathered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from hirewise.candidates.models import Application, StageMove
from hirewise.decisions.evidence import evidence_for_applications, skill_specs
from hirewise.errors import Conflict, ValidationFailed
from hirewise.extensions import db
from hirewise.openings.automation import ASSESSMENT_STAGE, INTERVIEW_STAGE
from hirewise.openings.models import Stage, StageKind
from hirewise.scoring import FitResult, compute_fit

GATE_CONFIRMATION_REQUIRED = "gate_confirmation_required"
BLANK_REASON = "Give a reason for advancing despite the must-have gate."


@dataclass(frozen=True)
class GateHold:
    """One application whose move is an advance while its gate is not passed."""

    application: Application
    stage: Stage
    fit: FitResult

    @property
    def failed_skills(self) -> list[str]:
        return [self.fit.skill(skill_id).name for skill_id in self.fit.failed_skills]

    @property
    def unassessed_must_haves(self) -> list[str]:
        return [self.fit.skill(skill_id).name for skill_id in self.fit.unassessed_must_haves]

    @property
    def summary(self) -> str:
        """``failed (below the bar on Flask core)`` or ``incomplete (no evidence yet for Flask core)``."""
        parts = []
        if self.failed_skills:
            parts.append(f"below the bar on {', '.join(self.failed_skills)}")
        if self.unassessed_must_haves:
            parts.append(f"no evidence yet for {', '.join(self.unassessed_must_haves)}")
        return f"{self.fit.gate} ({'; '.join(parts)})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "application_id": self.application.id,
            "candidate": self.application.candidate.full_name,
            "to_stage_id": self.stage.id,
            "gate": self.fit.gate,
            "failed_skills": self.failed_skills,
            "unassessed_must_haves": self.unassessed_must_haves,
        }


class GateConfirmationRequired(Conflict):
    """Advancing past a failed or incomplete must-have gate was asked without ``confirm_gate``."""

    code = GATE_CONFIRMATION_REQUIRED

    def __init__(self, holds: Sequence[GateHold]) -> None:
        self.holds = list(holds)
        if len(self.holds) == 1:
            hold = self.holds[0]
            message = (
                f"The must-have gate of {hold.application.candidate.full_name} is {hold.summary}. "
                f"To advance to {hold.stage.name} anyway, confirm and give a reason."
            )
        else:
            names = "; ".join(
                f"{hold.application.candidate.full_name}: {hold.summary}" for hold in self.holds
            )
            message = (
                f"{len(self.holds)} applications have a failed or incomplete must-have gate ({names}). "
                "To advance them anyway, confirm and give a reason."
            )
        super().__init__(message, {"applications": [hold.to_dict() for hold in self.holds]})


class GateReasonRequired(ValidationFailed):
    """The advance past the gate was confirmed without a reason."""

    def __init__(self, holds: Sequence[GateHold]) -> None:
        self.holds = list(holds)
        super().__init__(BLANK_REASON, {"reason": [BLANK_REASON]})


def _reached_position(application: Application) -> int:
    """How far down the pipeline the application has got. A rejected one counts from the stage it
    was rejected from, so rejecting and then moving "back" to Hired does not step round the gate."""
    current = application.stage
    if current.kind != StageKind.REJECTED:
        return current.position
    stmt = (
        select(Stage.position)
        .join(StageMove, StageMove.from_stage_id == Stage.id)
        .where(StageMove.application_id == application.id, StageMove.to_stage_id == current.id)
        .order_by(StageMove.moved_at.desc(), StageMove.id.desc())
        .limit(1)
    )
    before = db.session.execute(stmt).scalar_one_or_none()
    if before is not None:
        return before
    return min(stage.position for stage in application.opening.stages)


def is_advance(application: Application, stage: Stage) -> bool:
    """A move to a later stage of the pipeline that is not Rejected."""
    return stage.kind != StageKind.REJECTED and stage.position > _reached_position(application)


def gate_holds(moves: Sequence[tuple[Application, Stage]]) -> list[GateHold]:
    """The moves that advance an application whose gate is failed or incomplete, in the order given.
    The evidence of every advancing application is loaded at once, as for the ranking."""
    advancing = [(application, stage) for application, stage in moves if is_advance(application, stage)]
    if not advancing:
        return []
    evidence = evidence_for_applications([application.id for application, _ in advancing])
    specs_by_opening = {}
    holds = []
    for application, stage in advancing:
        if application.opening_id not in specs_by_opening:
            specs_by_opening[application.opening_id] = skill_specs(application.opening)
        fit = compute_fit(specs_by_opening[application.opening_id], evidence[application.id])
        if fit.gate == "failed" or (fit.gate == "incomplete" and _past_evidence_stages(stage)):
            holds.append(GateHold(application, stage, fit))
    return holds


def _past_evidence_stages(stage: Stage) -> bool:
    """Whether ``stage`` lies beyond the last stage where evidence for the gate is gathered."""
    gathering = {ASSESSMENT_STAGE.casefold(), INTERVIEW_STAGE.casefold()}
    positions = [
        other.position
        for other in stage.opening.stages
        if other.kind == StageKind.ACTIVE and other.name.casefold() in gathering
    ]
    return not positions or stage.position > max(positions)


def require_confirmation(holds: Sequence[GateHold], *, confirm_gate: bool, reason: str) -> None:
    """Refuse unconfirmed advances past the gate (409) and confirmed ones without a reason (422).
    ``reason`` is already cleaned."""
    if not holds:
        return
    if not confirm_gate:
        raise GateConfirmationRequired(holds)
    if not reason:
        raise GateReasonRequired(holds)
