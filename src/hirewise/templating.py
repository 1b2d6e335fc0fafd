"""Jinja setup: filters, globals and the safe Markdown renderer."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import nh3
from flask import Flask
from markdown_it import MarkdownIt
from markupsafe import Markup

from hirewise import security

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML with raw HTML disabled, then sanitised by nh3: the result is safe to embed."""
    html = _markdown.render(text or "")
    clean = nh3.clean(
        html, tags=_ALLOWED_TAGS, attributes={"a": {"href", "title"}}, link_rel="nofollow noopener"
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


def format_datetime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.strftime(fmt) + " UTC" if value else ""


def format_date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def humanize(value: Any) -> str:
    text = getattr(value, "value", value)
    return str(text or "").replace("_", " ").capitalize()


def json_text(value: Any) -> str:
    """A value as JSON for people to read, e.g. a code test's arguments.

    Jinja's ``tojson`` escapes ``<``, ``>``, ``&`` and ``'`` as ``\\u`` sequences, which is right
    inside a script but unreadable on a page. This returns plain text, so autoescaping makes it safe.
    """
    return json.dumps(value, ensure_ascii=False)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        markdown=render_markdown,
        datetime=format_datetime,
        date=format_date,
        humanize=humanize,
        json_text=json_text,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject_helpers() -> dict[str, Any]:
        return {**security.template_helpers(), "company_name": app.config["COMPANY_NAME"]}
