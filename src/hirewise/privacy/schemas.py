"""API shapes of privacy. Input schemas state the limits; the services check the rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hirewise.api.limits import SettingsUpdate, StrictBoolean, text
from hirewise.privacy.models import ConsentPurpose, ErasureTrigger
from hirewise.privacy.services import MAX_REASON, NOTICE_DAYS_RANGE

NOTICE_HELP = "Days before a candidate's retention date that the notice (with a link to keep the application) is emailed."
FEEDBACK_HELP = (
    "Whether a candidate's export includes the submitted interview feedback about them (off by default)."
)


class PrivacySettingsSchema(Schema):
    retention_notice_days = fields.Integer(metadata={"description": NOTICE_HELP})
    export_includes_feedback = fields.Boolean(metadata={"description": FEEDBACK_HELP})
    updated_at = fields.DateTime(dump_only=True)
    updated_by_id = fields.Integer(dump_only=True, allow_none=True)


class PrivacySettingsUpdateSchema(SettingsUpdate):
    """Settings left out keep their value; unknown settings and an empty body are refused (422)."""

    retention_notice_days = fields.Integer(
        strict=True, validate=validate.Range(*NOTICE_DAYS_RANGE), metadata={"description": NOTICE_HELP}
    )
    export_includes_feedback = StrictBoolean(metadata={"description": FEEDBACK_HELP})


class ReasonSchema(Schema):
    reason = text(MAX_REASON, required=True, metadata={"description": "Why: kept with the record."})


class ErasureSchema(Schema):
    candidate_id = fields.Integer()
    trigger = fields.String(validate=validate.OneOf([t.value for t in ErasureTrigger]))
    reason = fields.String()
    erased_at = fields.DateTime()
    erased_by_id = fields.Integer(allow_none=True)
    rows_changed = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Rows changed, per table and kind."},
    )


class LegalHoldSchema(Schema):
    id = fields.Integer()
    candidate_id = fields.Integer()
    reason = fields.String()
    placed_by_id = fields.Integer(allow_none=True)
    placed_at = fields.DateTime()
    released_at = fields.DateTime(allow_none=True)
    released_by_id = fields.Integer(allow_none=True)


class ConsentSchema(Schema):
    purpose = fields.String(validate=validate.OneOf([p.value for p in ConsentPurpose]))
    text_version = fields.String()
    page = fields.String()
    given_at = fields.DateTime()
    withdrawn_at = fields.DateTime(allow_none=True)


class PrivacyStatusSchema(Schema):
    candidate_id = fields.Function(lambda status: status.candidate.id)
    retain_until = fields.Function(lambda status: status.candidate.retain_until, allow_none=True)
    erasure = fields.Nested(ErasureSchema, allow_none=True)
    legal_hold = fields.Nested(LegalHoldSchema, attribute="hold", allow_none=True)
    consents = fields.List(fields.Nested(ConsentSchema))


class PlannedSchema(Schema):
    candidate_id = fields.Integer()
    candidate = fields.String(attribute="label")
    action = fields.String(validate=validate.OneOf(["notice", "erase", "held", "wait"]))
    reason = fields.String()
    due_at = fields.DateTime()


class RetentionRunArgs(Schema):
    dry_run = StrictBoolean(load_default=False, metadata={"description": "Decide and log, change nothing."})


class RetentionRunEntrySchema(Schema):
    candidate_id = fields.Integer()
    action = fields.String()
    reason = fields.String()
    due_at = fields.String()
    error = fields.String()


class RetentionRunSchema(Schema):
    id = fields.Integer()
    dry_run = fields.Boolean()
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    notices_sent = fields.Integer()
    erased = fields.Integer()
    held = fields.Integer()
    started_by_id = fields.Integer(allow_none=True)
    details = fields.List(fields.Nested(RetentionRunEntrySchema))
