"""Rendering email templates in a Jinja sandbox, and checking them before they are saved.

Templates are edited by admins in the browser, so they are treated as untrusted code: a sandbox
that refuses attribute tricks (``''.__class__``), mutation and huge repetitions, strict
undefined names, and errors turned into messages an admin can act on (field, line, reason).
Emails are plain text, so nothing is HTML-escaped here; the pages that show them escape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, meta
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from hirewise.errors import ValidationFailed

MAX_SUBJECT_CHARS = 300
MAX_BODY_CHARS = 20_000
MAX_RENDERED_CHARS = 100_000
MAX_EXPONENT = 64


class _EmailSandbox(ImmutableSandboxedEnvironment):
    """The stock sandbox, plus refusal of ``'x' * 10**9`` style memory bombs."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError("exponents above 64 are not allowed in email templates.")
        if operator == "*":
            sequence, count = (left, right) if isinstance(right, int) else (right, left)
            repeats = isinstance(sequence, str | list | tuple) and isinstance(count, int)
            if repeats and len(sequence) * count > MAX_RENDERED_CHARS:
                raise SecurityError("the repetition would make the email too long.")
        return super().call_binop(context, operator, left, right)


_sandbox = _EmailSandbox(
    autoescape=False,
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str


def single_line(text: str, limit: int = MAX_SUBJECT_CHARS) -> str:
    """Collapse whitespace: a header never carries a line break (header injection) or a tab."""
    return " ".join(text.split())[:limit]


def _field_error(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"The {field} cannot be used: {message}", {field: [message]})


def _parse_error(field: str, exc: TemplateSyntaxError) -> ValidationFailed:
    return _field_error(field, f"line {exc.lineno}: {exc.message}")


def _compile(source: str, field: str) -> Template:
    try:
        return _sandbox.from_string(source)
    except TemplateSyntaxError as exc:
        raise _parse_error(field, exc) from exc


def render_source(source: str, field: str, context: Mapping[str, Any]) -> str:
    """Render one template text; any failure becomes a ValidationFailed naming the field."""
    template = _compile(source, field)
    try:
        text = template.render(dict(context))
    except SecurityError as exc:
        raise _field_error(field, f"it tries something email templates may not do ({exc})") from exc
    except TemplateError as exc:
        raise _field_error(field, str(exc.message or exc)) from exc
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
        raise _field_error(field, f"it fails to render ({exc})") from exc
    if len(text) > MAX_RENDERED_CHARS:
        raise _field_error(field, f"the rendered text is longer than {MAX_RENDERED_CHARS} characters")
    return text


def render_pair(subject: str, body: str, context: Mapping[str, Any]) -> RenderedEmail:
    return RenderedEmail(
        subject=single_line(render_source(subject, "subject", context)),
        body=render_source(body, "body", context),
    )


def _placeholder(name: str) -> str:
    return "{{ " + name + " }}"


def check_sources(
    subject: str, body: str, placeholders: tuple[str, ...], sample_context: Mapping[str, Any]
) -> RenderedEmail:
    """Everything that must hold before a template is saved; returns the sample rendering.

    Syntax errors carry their line number; a placeholder the template's key does not provide is
    refused now, by name, instead of failing later when a real email is queued.
    """
    errors: dict[str, list[str]] = {}
    limits = {"subject": MAX_SUBJECT_CHARS, "body": MAX_BODY_CHARS}
    for field, source in (("subject", subject), ("body", body)):
        if not source.strip():
            errors[field] = ["must not be empty"]
            continue
        if len(source) > limits[field]:
            errors[field] = [f"must be at most {limits[field]} characters"]
            continue
        try:
            tree = _sandbox.parse(source)
        except TemplateSyntaxError as exc:
            errors[field] = [f"line {exc.lineno}: {exc.message}"]
            continue
        unknown = sorted(meta.find_undeclared_variables(tree) - set(placeholders) - set(_sandbox.globals))
        if unknown:
            available = ", ".join(_placeholder(name) for name in placeholders)
            names = ", ".join(_placeholder(name) for name in unknown)
            errors[field] = [f"unknown placeholder {names}; available: {available}"]
    if errors:
        field, messages = next(iter(errors.items()))
        raise ValidationFailed(f"The {field} cannot be used: {messages[0]}", errors)
    return render_pair(subject, body, sample_context)
