"""Schema fields that carry the API's limits, so that the OpenAPI spec states them (minLength, maxLength,
pattern, minimum, maximum, format) and a request the spec allows is one the services accept.

The services still clean and check what they are given (forms and CSV imports go through them too); these
fields make the API refuse early, with a 422 naming the field, what the services would refuse later.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

# A database id: PostgreSQL's and SQLite's integer keys are 64-bit; larger numbers are no id at all.
MAX_ID = 2**63 - 1
# Some character that is neither white space nor a control character (services strip both).
_VISIBLE = r"[^\s\x00-\x1f\x7f]"
_SINGLE_LINE = rf"^[^\r\n]*{_VISIBLE}[^\r\n]*$"
_SOME_TEXT = rf"^[\s\S]*{_VISIBLE}[\s\S]*$"
# What email-validator accepts of the common shape: a local part of at most 64 characters in dot-separated
# atoms of letters, digits and _%+-, and a domain of at most 253 in hostname labels ending in letters.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = (
    rf"^(?=[^@]{{1,64}}@)[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
    rf"@(?=[^@]{{4,253}}$)(?:{_LABEL}\.)+[A-Za-z]{{2,24}}$"
)


def line(max_length: int, **kwargs: Any) -> fields.String:
    """A required-looking single line: a title or a name."""
    return fields.String(
        validate=[
            validate.Length(min=1, max=max_length),
            validate.Regexp(_SINGLE_LINE, error="Write it on one line, with some text in it."),
        ],
        **kwargs,
    )


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


def ident(**kwargs: Any) -> fields.Integer:
    """The id of an object (1 or more)."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def ident_list(min_items: int = 0, max_items: int = 1000, **kwargs: Any) -> fields.List:
    return fields.List(ident(), validate=validate.Length(min=min_items, max=max_items), **kwargs)
