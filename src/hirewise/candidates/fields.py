"""Validation of what people type about a candidate: one rule set for forms, API, CSV and careers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from hirewise.errors import ValidationFailed

MAX_NAME = 200
MAX_EMAIL = 320
MAX_PHONE = 50
MAX_LINKS = 10
MAX_LINK = 500
MAX_COVER_LETTER = 20_000
MAX_NOTE = 10_000
MAX_REASON = 500
MAX_SUBJECT = 300

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PHONE = re.compile(r"^[0-9+()./\- ]*(?:(?:ext\.?|x)\s*[0-9]+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class CandidateFields:
    full_name: str
    email: str
    phone: str
    links: tuple[str, ...]


def clean_text(value: str | None, field: str, max_length: int) -> str:
    """Trimmed text without control characters; ValidationFailed when longer than ``max_length``."""
    cleaned = _CONTROL.sub("", value or "").strip()
    if len(cleaned) > max_length:
        label = field.replace("_", " ").capitalize()
        message = f"{label} must be at most {max_length} characters."
        raise ValidationFailed(message, {field: [message]})
    return cleaned


def split_links(value: str | Iterable[str] | None) -> list[str]:
    """Links from a textarea or CSV cell (one per line, or separated by spaces or semicolons)."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [part for item in items for part in re.split(r"[\s;,]+", str(item)) if part]


def is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:  # "http://[x": an unclosed IPv6 bracket
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and not re.search(r"\s", value)


def _email(value: str, errors: dict[str, list[str]]) -> str:
    email = (value or "").strip()
    if not email:
        errors["email"] = ["Email is required."]
        return ""
    if len(email) > MAX_EMAIL:
        errors["email"] = [f"Email must be at most {MAX_EMAIL} characters."]
        return ""
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors["email"] = ["Enter a valid email address."]
        return ""


def _links(values: Iterable[str], errors: dict[str, list[str]]) -> tuple[str, ...]:
    links = list(dict.fromkeys(link.strip() for link in split_links(list(values)) if link.strip()))
    problems = []
    if len(links) > MAX_LINKS:
        problems.append(f"Give at most {MAX_LINKS} links.")
    for link in links:
        if len(link) > MAX_LINK or not is_web_url(link):
            problems.append(f"Not a web address (http:// or https://): {link[:80]}")
    if problems:
        errors["links"] = problems
    return tuple(links)


def collect_candidate_errors(
    full_name: str, email: str, phone: str, links: Iterable[str]
) -> tuple[CandidateFields, dict[str, list[str]]]:
    """The cleaned fields and every problem found, field by field (nothing raised)."""
    errors: dict[str, list[str]] = {}
    name = " ".join(_CONTROL.sub("", full_name or "").split())
    if not name:
        errors["full_name"] = ["Full name is required."]
    elif len(name) > MAX_NAME:
        errors["full_name"] = [f"Full name must be at most {MAX_NAME} characters."]
    cleaned_email = _email(email, errors)
    cleaned_phone = " ".join((phone or "").split())
    if len(cleaned_phone) > MAX_PHONE or not _PHONE.match(cleaned_phone):
        errors["phone"] = ["Enter a phone number with digits, spaces and + ( ) - . only."]
    fields = CandidateFields(name, cleaned_email, cleaned_phone, _links(links, errors))
    return fields, errors


def clean_candidate_fields(full_name: str, email: str, phone: str, links: Iterable[str]) -> CandidateFields:
    fields, errors = collect_candidate_errors(full_name, email, phone, links)
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, errors)
    return fields
