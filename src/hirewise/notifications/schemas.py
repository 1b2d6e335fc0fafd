"""API shapes of notifications and the email preference."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hirewise.api import PageArgs, page_schema
from hirewise.notifications.models import Delivery, NotificationKind


class NotificationSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(dump_only=True, metadata={"enum": [k.value for k in NotificationKind]})
    object_type = fields.String(dump_only=True)
    object_id = fields.Integer(dump_only=True)
    application_id = fields.Integer(dump_only=True, allow_none=True)
    text = fields.String(dump_only=True)
    link = fields.String(dump_only=True, metadata={"description": "Path of the page it is about"})
    created_at = fields.AwareDateTime(dump_only=True)
    read_at = fields.AwareDateTime(dump_only=True, allow_none=True)


NotificationPageSchema = page_schema(NotificationSchema, "NotificationPage")


class NotificationListArgs(PageArgs):
    unread = fields.Boolean(load_default=False, metadata={"description": "Only unread notifications"})


class ReadAllSchema(Schema):
    marked = fields.Integer(dump_only=True)


class DeliverySchema(Schema):
    delivery = fields.String(
        required=True,
        validate=validate.OneOf([d.value for d in Delivery]),
        metadata={"description": "immediate: an email per notification; digest: one email a day"},
    )
