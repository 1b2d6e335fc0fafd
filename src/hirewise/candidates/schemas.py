"""API schemas of candidates and applications, per audience: the list never carries résumé text."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from hirewise.api import PageArgs, page_schema
from hirewise.api.limits import PHONE_PATTERN, StrictBoolean, email, ident, line, text, web_address
from hirewise.candidates.fields import (
    MAX_COVER_LETTER,
    MAX_LINK,
    MAX_LINKS,
    MAX_NOTE,
    MAX_PHONE,
    MAX_REASON,
)
from hirewise.candidates.models import ApplicationSource
from hirewise.candidates.queries import SORTS
from hirewise.candidates.services import MAX_BULK

SOURCES = [member.value for member in ApplicationSource]
# A decision's reason becomes the move's and the rejection's: they are as private as the debrief.
REASON_AUDIENCE = (
    "Why: only for staff and the opening's hiring team (who may see the debrief); null for anyone "
    "else who may see the application, e.g. its interviewers, who see that it moved but not why."
)


_PHONE = [
    validate.Length(max=MAX_PHONE),
    validate.Regexp(PHONE_PATTERN, error="Enter a phone number with digits, spaces and + ( ) - . only."),
]


class CandidateSchema(Schema):
    id = fields.Integer(dump_only=True)
    full_name = fields.String()
    email = fields.String()
    phone = fields.String()
    links = fields.List(fields.String())
    consent_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


CandidatePageSchema = page_schema(CandidateSchema, "CandidatePage")


class CandidateListArgs(PageArgs):
    q = fields.String(load_default=None, validate=validate.Length(max=200))


class CandidateCreateSchema(Schema):
    full_name = line(200, required=True)
    email = email(required=True)
    phone = fields.String(load_default="", validate=_PHONE)
    links = fields.List(web_address(MAX_LINK), validate=validate.Length(max=MAX_LINKS), load_default=list)
    opening_id = ident(
        load_default=None, metadata={"description": "Also add the candidate to this opening's pipeline."}
    )
    source = fields.String(load_default=ApplicationSource.SOURCED.value, validate=validate.OneOf(SOURCES))


class CandidateUpdateSchema(Schema):
    full_name = line(200)
    email = email()
    phone = fields.String(validate=_PHONE)
    links = fields.List(web_address(MAX_LINK), validate=validate.Length(max=MAX_LINKS))


class StageRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()


class CandidateRefSchema(Schema):
    id = fields.Integer()
    full_name = fields.String()
    email = fields.String()


class ApplicationSchema(Schema):
    id = fields.Integer()
    candidate = fields.Nested(CandidateRefSchema)
    opening_id = fields.Integer()
    stage = fields.Nested(StageRefSchema)
    source = fields.String()
    applied_at = fields.DateTime()
    stage_entered_at = fields.DateTime()
    rejection_reason = fields.String(allow_none=True, metadata={"description": REASON_AUDIENCE})
    resume_status = fields.String()
    resume_error = fields.String()
    detected_skills = fields.List(fields.Dict())


ApplicationPageSchema = page_schema(ApplicationSchema, "ApplicationPage")


class DocumentSchema(Schema):
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    created_at = fields.DateTime()


class StageMoveSchema(Schema):
    from_stage_id = fields.Integer(allow_none=True)
    to_stage_id = fields.Integer()
    moved_by_id = fields.Integer(allow_none=True)
    moved_at = fields.DateTime()
    reason = fields.String(allow_none=True, metadata={"description": REASON_AUDIENCE})


class ApplicationDetailSchema(ApplicationSchema):
    candidate = fields.Nested(CandidateSchema)
    cover_letter = fields.String()
    resume_text = fields.String()
    resume = fields.Nested(DocumentSchema, allow_none=True)
    stage_moves = fields.List(fields.Nested(StageMoveSchema))


class ApplicationListArgs(PageArgs):
    opening_id = fields.Integer(load_default=None)
    stage_id = fields.Integer(load_default=None)
    source = fields.String(load_default=None, validate=validate.OneOf(SOURCES))
    skill = fields.Integer(
        load_default=None, metadata={"description": "An opening skill id found in the résumé."}
    )
    q = fields.String(load_default=None, validate=validate.Length(max=200))
    sort = fields.String(load_default="-applied_at", validate=validate.OneOf(list(SORTS)))


class ApplicationCreateSchema(Schema):
    opening_id = ident(required=True)
    full_name = line(200, required=True)
    email = email(required=True)
    phone = fields.String(load_default="", validate=_PHONE)
    links = fields.List(web_address(MAX_LINK), validate=validate.Length(max=MAX_LINKS), load_default=list)
    cover_letter = fields.String(load_default="", validate=validate.Length(max=MAX_COVER_LETTER))
    source = fields.String(load_default=ApplicationSource.API.value, validate=validate.OneOf(SOURCES))
    consent = StrictBoolean(load_default=False, metadata={"description": "Required when source is careers."})


class ResumeUploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "A PDF or Word (.docx) file, up to 5 MB."})


_CONFIRM_GATE = {
    "description": (
        "Advance although the must-have gate is failed or incomplete (needs a non-blank reason); "
        "without it such an advance is refused with 409 `gate_confirmation_required`."
    )
}


class MoveSchema(Schema):
    stage_id = ident(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=MAX_REASON))
    confirm_gate = StrictBoolean(load_default=False, metadata=_CONFIRM_GATE)


class RejectSchema(Schema):
    reason = text(MAX_REASON, required=True)
    notify = StrictBoolean(load_default=False)


class BulkMoveSchema(Schema):
    application_ids = fields.List(ident(), required=True, validate=validate.Length(min=1, max=MAX_BULK))
    stage_id = ident(required=True)
    reason = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_REASON),
        metadata={"description": "Stored with every move of the batch; required with confirm_gate."},
    )
    confirm_gate = StrictBoolean(load_default=False, metadata=_CONFIRM_GATE)


class BulkRejectSchema(Schema):
    application_ids = fields.List(ident(), required=True, validate=validate.Length(min=1, max=MAX_BULK))
    reason = text(MAX_REASON, required=True)
    notify = StrictBoolean(load_default=False)


class BulkResultSchema(Schema):
    items = fields.List(fields.Nested(ApplicationSchema))
    count = fields.Integer()


class CancelledInterviewSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    starts_at = fields.DateTime()


class RevokedInvitationSchema(Schema):
    id = fields.Integer()
    assessment_id = fields.Integer()
    assessment_title = fields.Function(lambda invitation: invitation.assessment.title)


class FollowThroughSchema(Schema):
    """What rejecting the application stopped: its scheduled interviews and open assessment links."""

    cancelled_interviews = fields.List(
        fields.Nested(CancelledInterviewSchema),
        attribute="interviews",
        metadata={"description": "Each attendee was sent a METHOD:CANCEL calendar invite."},
    )
    revoked_assessment_invitations = fields.List(
        fields.Nested(RevokedInvitationSchema),
        attribute="invitations",
        metadata={"description": "Revoking also stops an attempt in progress."},
    )
    summary = fields.String(attribute="done_summary")


class RejectionSchema(ApplicationSchema):
    """The rejected application, and what rejecting it cancelled and revoked."""

    follow_through = fields.Nested(FollowThroughSchema)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        # A services.Rejection: the application's own fields, beside its follow-through.
        source = obj if attr == "follow_through" else obj.application
        return super().get_attribute(source, attr, default)


class BulkRejectionResultSchema(BulkResultSchema):
    follow_through = fields.Nested(FollowThroughSchema, metadata={"description": "Of all the applications."})


class NoteSchema(Schema):
    id = fields.Integer(dump_only=True)
    body = fields.String(required=True, validate=validate.Length(min=1, max=MAX_NOTE))
    application_id = fields.Integer(dump_only=True, allow_none=True)
    author_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class NoteListSchema(Schema):
    items = fields.List(fields.Nested(NoteSchema))


class MentionableSchema(Schema):
    id = fields.Integer(dump_only=True)
    full_name = fields.String(
        dump_only=True, metadata={"description": "Write it after an @ to mention them."}
    )


class MentionableListSchema(Schema):
    items = fields.List(
        fields.Nested(MentionableSchema),
        metadata={"description": "The active people who may read a note on this application, by name."},
    )


class TimelineEntrySchema(Schema):
    created_at = fields.DateTime()
    actor_label = fields.String(metadata={"description": "Who did it: a user's email, or 'system'."})
    summary = fields.String(
        metadata={"description": "What happened; a stage move's reason only if you may see the debrief."}
    )
    action = fields.String()
    object_type = fields.String(
        metadata={"description": "What it is about: feedback, decision, note, email…"}
    )
    before = fields.Dict(allow_none=True)
    after = fields.Dict(
        allow_none=True, metadata={"description": "A stage move's `reason` only if you may see the debrief."}
    )


class TimelineSchema(Schema):
    items = fields.List(fields.Nested(TimelineEntrySchema))


def bulk_result(applications: list[Any]) -> dict[str, Any]:
    return {"items": applications, "count": len(applications)}
