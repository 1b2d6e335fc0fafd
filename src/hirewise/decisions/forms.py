"""The decision form of the debrief. It checks shape only; ``services.record_decision`` owns the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from hirewise.candidates.fields import MAX_REASON
from hirewise.feedback.models import DecisionKind
from hirewise.openings.models import Opening, StageKind

NO_STAGE = 0
KIND_LABELS = {
    DecisionKind.ADVANCE: "Advance to a stage",
    DecisionKind.REJECT: "Reject",
    DecisionKind.HIRE: "Hire",
}


class DecisionForm(FlaskForm):
    kind = SelectField(
        "Decision", choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()]
    )
    to_stage_id = SelectField("Stage to advance to", coerce=int, choices=[], validate_choice=False)
    reason = TextAreaField("Reason", validators=[InputRequired(), Length(max=MAX_REASON)])
    # Shown while the must-have gate is failed or incomplete: advancing or hiring then needs it.
    confirm_gate = BooleanField("Advance anyway, although the must-have gate is not passed")

    def for_opening(self, opening: Opening) -> DecisionForm:
        stages = sorted(opening.stages, key=lambda s: s.position)
        self.to_stage_id.choices = [SelectChoice(NO_STAGE, "— only for advance —")] + [
            SelectChoice(stage.id, stage.name) for stage in stages if stage.kind == StageKind.ACTIVE
        ]
        return self
