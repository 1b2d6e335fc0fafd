"""Showing a use case's ``DomainError`` on the HTML form that sent the input.

Services report field errors as ``details = {"field": [messages]}`` (nested fields as
``"options.2.text"``); the form shows each message under its input, so HTML and API users read the
same words. What no field can hold becomes a flash message and/or the error of a fallback field.
"""

from __future__ import annotations

from typing import Any

from flask import flash

from hirewise.errors import DomainError


def show_domain_errors(
    form: Any, exc: DomainError, *, fallback: str | None = None, flash_unplaced: bool = True
) -> None:
    placed = False
    if isinstance(exc.details, dict):
        for name, messages in exc.details.items():
            target = getattr(form, str(name).split(".")[0], None)
            if target is not None and hasattr(target, "errors"):
                listed = messages if isinstance(messages, list) else [messages]
                target.errors = list(target.errors) + [str(message) for message in listed]
                placed = True
    if placed:
        return
    if flash_unplaced:
        flash(exc.message, "error")
    if fallback is not None:
        field = getattr(form, fallback)
        field.errors = [*field.errors, exc.message]
