"""Schema fields that carry the API's limits, so that the OpenAPI spec states them (minLength, maxLength,
pattern, minimum, maximum, format) and a request the spec allows is one the services accept.

The services still clean and check what they are given (forms and CSV imports go through them too); these
fields make the API refuse early, with a 422 naming the field, what the services would refuse later.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

# A database id: PostgreSQL's and SQLite's integer keys are 64-bit; larger numbers are no id at all.
MAX_ID = 2**63 - 1
# White space as Python's str.strip() and re's \s see it, and the control characters, spelled out: a
# pattern's \s means other characters in the spec's regex dialect (ECMA 262) than in Python's.
_WHITE_OR_CONTROL = r"\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Some character that is neither white space nor a control character (services strip both).
_VISIBLE = rf"[^{_WHITE_OR_CONTROL}]"
_SINGLE_LINE = rf"^[^\r\n]*{_VISIBLE}[^\r\n]*$"
_SOME_TEXT = rf"^[\s\S]*{_VISIBLE}[\s\S]*$"
_NO_BREAK_OR_CONTROL = r"^[^\x00-\x08\x0a-\x1f\x7f]*$"
# The common shape of an address, which email-validator accepts: up to three dot-separated atoms of
# letters, digits and _%+- (at most 62 characters), and up to four hostname labels before a top-level
# domain of letters. Bounded by quantifiers, not look-aheads, so that generators can produce it.
_ATOM = r"[A-Za-z0-9_%+-]{1,20}"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?"
EMAIL_PATTERN = rf"^{_ATOM}(?:\.{_ATOM}){{0,2}}@(?:{_LABEL}\.){{1,4}}[A-Za-z]{{2,24}}$"
# An http(s) address with a host and no white space (links are split on white space, ";" and ",").
WEB_ADDRESS_PATTERN = rf"^https?://[^{_WHITE_OR_CONTROL}/?#;,\[\]@]+(?:[/?#][^{_WHITE_OR_CONTROL};,]*)?$"
# What candidates.fields accepts of a phone number, without its "ext. 12" ending.
PHONE_PATTERN = r"^[0-9+()./ -]*$"


def line(max_length: int, **kwargs: Any) -> fields.String:
    """A required-looking single line: a title or a name."""
    return fields.String(
        validate=[
            validate.Length(min=1, max=max_length),
            validate.Regexp(_SINGLE_LINE, error="Write it on one line, with some text in it."),
        ],
        **kwargs,
    )


def optional_line(max_length: int, **kwargs: Any) -> fields.String:
    """A single line that may be empty (a location, a reason): no line break, no control character but tab."""
    return fields.String(
        validate=[
            validate.Length(max=max_length),
            validate.Regexp(_NO_BREAK_OR_CONTROL, error="Write it on one line, without control characters."),
        ],
        **kwargs,
    )


class OneLine(validate.Regexp):
    """``line``'s pattern (so the spec states it) with a message per problem: ``blank`` when there is no
    text at all, ``broken`` when the text spans several lines."""

    def __init__(self, *, blank: str, broken: str) -> None:
        super().__init__(_SINGLE_LINE, error=broken)
        self.blank = blank

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str) and not re.search(_VISIBLE, value):
            raise ValidationError(self.blank)
        return super().__call__(value)


def text(max_length: int, **kwargs: Any) -> fields.String:
    """Prose that must say something: a question, an expected answer, a reason."""
    return fields.String(
        validate=[
            validate.Length(min=1, max=max_length),
            validate.Regexp(_SOME_TEXT, error="This cannot be blank."),
        ],
        **kwargs,
    )


def email(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=[
            validate.Length(min=6, max=320),
            validate.Regexp(EMAIL_PATTERN, error="Enter a valid email address."),
        ],
        **kwargs,
    )


def web_address(max_length: int, **kwargs: Any) -> fields.String:
    return fields.String(
        validate=[
            validate.Length(max=max_length),
            validate.Regexp(WEB_ADDRESS_PATTERN, error="Not a web address (http:// or https://)."),
        ],
        **kwargs,
    )


class StrictBoolean(fields.Boolean):
    """JSON ``true`` or ``false`` only, as the spec says; marshmallow's Boolean also takes 1, "yes" or "on"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def ident(*, strict: bool = True, **kwargs: Any) -> fields.Integer:
    """The id of an object (1 or more); ``strict=False`` in a query string, where every value is text."""
    return fields.Integer(strict=strict, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def ident_list(
    min_items: int = 0, max_items: int = 1000, *, unique: bool = False, strict: bool = True, **kwargs: Any
) -> fields.List:
    """Ids of objects; ``unique``: each at most once (the spec's uniqueItems)."""
    validators: list[Any] = [validate.Length(min=min_items, max=max_items)]
    if unique:
        validators.append(_each_once)
        kwargs["metadata"] = {**kwargs.get("metadata", {}), "uniqueItems": True}
    return fields.List(ident(strict=strict), validate=validators, **kwargs)


def _each_once(values: list[int]) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("Name each one once.")


class SettingsUpdate(Schema):
    """A PATCH of settings: those left out keep their value, and an empty body is refused (422); the
    spec says so with ``minProperties: 1`` (see ``api.spec.ApiContractPlugin``)."""

    min_properties = 1

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Send at least one setting to change.")
