"""Rendering email templates in a Jinja sandbox, and checking them before they are saved.

Templates are edited by admins in the browser, so they are treated as untrusted code: a sandbox
(:mod:`hirewise.mail.sandbox`) that refuses attribute tricks (``''.__class__``) and mutation, and
bounds what one rendering may cost (value sizes, loop iterations, output, one second), strict
undefined names, and errors turned into messages an admin can act on (field, line, reason).
Saving a template renders it once with sample data under the same limits, so an expensive
template is refused on its field; one that still goes over them with real data (saved before a
limit existed, or its data is larger) stops within the budget, never hanging a worker.
An admin's template renders the plain text, so nothing is HTML-escaped there; the pages that
show it escape. The HTML part of each email (:func:`html_version`) is made from that same
rendered text by a fixed layout of ours with autoescape on: whatever an admin or a candidate
wrote arrives as text in both parts, never as markup.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    meta,
    select_autoescape,
)
from jinja2.sandbox import SecurityError

from hirewise.errors import ValidationFailed
from hirewise.mail.sandbox import MAX_STRING_CHARS, EmailSandbox, TemplateLimitExceeded, render_budget

MAX_SUBJECT_CHARS = 300
MAX_BODY_CHARS = 20_000
MAX_RENDERED_CHARS = MAX_STRING_CHARS
TOO_DEEP = "it is nested too deeply to read"

_sandbox = EmailSandbox(
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
    except (RecursionError, SyntaxError, MemoryError) as exc:  # the parser or Python's compiler gave up
        raise _field_error(field, TOO_DEEP) from exc


class _TooLong(Exception):
    pass


def _collect(chunks: Iterator[str]) -> str:
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_RENDERED_CHARS:
            raise _TooLong
        parts.append(chunk)
    return "".join(parts)


def render_source(source: str, field: str, context: Mapping[str, Any]) -> str:
    """Render one template text within the sandbox's budget; any failure becomes a ValidationFailed naming the field."""
    template = _compile(source, field)
    chunks: Generator[str, None, None] = template.generate(dict(context))  # type: ignore[assignment]
    try:
        with render_budget():
            return _collect(chunks)
    except _TooLong:
        raise _field_error(
            field, f"the rendered text is longer than {MAX_RENDERED_CHARS} characters"
        ) from None
    except TemplateLimitExceeded as exc:
        raise _field_error(field, f"it goes over a limit of email templates: {exc}") from exc
    except SecurityError as exc:
        raise _field_error(field, f"it tries something email templates may not do ({exc})") from exc
    except TemplateError as exc:
        raise _field_error(field, str(exc.message or exc)) from exc
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
        raise _field_error(field, f"it fails to render ({exc})") from exc
    except (RecursionError, MemoryError) as exc:
        raise _field_error(field, f"{TOO_DEEP} or needs too much memory") from exc
    finally:
        chunks.close()


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
        except (RecursionError, MemoryError):
            errors[field] = [TOO_DEEP]
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


# --- the HTML part ------------------------------------------------------------------------------

HTML_LAYOUT = "mail/email_layout.html"
# A web link in the text, without the punctuation that usually ends the sentence around it.
_WEB_LINK = re.compile(r"https?://[^\s<>\"']+?(?=[.,;:!?)\]]*(?:\s|$))")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class TextPiece:
    """Part of a line of the email: plain text, or a web link (``url`` set) shown as ``text``."""

    text: str
    url: str = ""


@cache
def _layouts() -> Environment:
    # Our own fixed templates, not an admin's: a plain (not sandboxed) environment, autoescaping
    # every value, with undefined names an error rather than silently empty.
    return Environment(
        loader=PackageLoader("hirewise.mail", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _pieces(line: str) -> list[TextPiece]:
    pieces: list[TextPiece] = []
    position = 0
    for link in _WEB_LINK.finditer(line):
        if link.start() > position:
            pieces.append(TextPiece(line[position : link.start()]))
        pieces.append(TextPiece(link.group(), url=link.group()))
        position = link.end()
    if position < len(line):
        pieces.append(TextPiece(line[position:]))
    return pieces


def text_paragraphs(body: str) -> list[list[list[TextPiece]]]:
    """``body`` as paragraphs (split on blank lines) of lines of pieces, for the HTML layout."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    paragraphs = [paragraph.strip("\n") for paragraph in _PARAGRAPH_BREAK.split(text)]
    return [[_pieces(line) for line in paragraph.split("\n")] for paragraph in paragraphs if paragraph]


def html_version(subject: str, body: str) -> str:
    """The HTML part of an email whose rendered plain text is ``body``: the same words, escaped."""
    layout = _layouts().get_template(HTML_LAYOUT)
    return layout.render(subject=subject, paragraphs=text_paragraphs(body))
