"""Rendering email templates: plain text, sandboxed, with errors an admin can act on."""

from __future__ import annotations

import pytest

from hirewise.errors import ValidationFailed
from hirewise.mail.defaults import DEFAULT_TEMPLATES, GENERIC, REJECTION, SAMPLE_CONTEXT
from hirewise.mail.models import EmailTemplate, TemplateKey
from hirewise.mail.rendering import check_sources
from hirewise.mail.services import render_template_email

CONTEXT = {**SAMPLE_CONTEXT, "company_name": "Acme"}


def _template(subject: str, body: str, key: TemplateKey = TemplateKey.GENERIC) -> EmailTemplate:
    return EmailTemplate(key=key.value, name="t", subject=subject, body=body)


@pytest.mark.parametrize("key", list(TemplateKey))
def test_every_default_template_renders_with_its_placeholders(key):
    default = DEFAULT_TEMPLATES[key]
    context = {name: f"<{name}>" for name in default.placeholders}
    rendered = check_sources(default.subject, default.body, default.placeholders, context)
    assert "<candidate_name>" in rendered.body
    assert "<company_name>" in rendered.body
    assert "{{" not in rendered.subject + rendered.body


def test_rendering_is_plain_text_without_html_escaping():
    rendered = render_template_email(
        _template("Hi {{ candidate_name }}", "Dear {{ candidate_name }} & co"),
        {"candidate_name": "O'Brien <b>"},
    )
    assert rendered.subject == "Hi O'Brien <b>"
    assert rendered.body == "Dear O'Brien <b> & co"


def test_subject_is_forced_onto_one_line():
    rendered = render_template_email(
        _template("{{ subject }}", "x"), {"subject": "Hello\r\nBcc: victim@example.com"}
    )
    assert rendered.subject == "Hello Bcc: victim@example.com"
    assert "\n" not in rendered.subject


def test_default_rejection_does_not_reveal_the_internal_reason():
    context = {**CONTEXT, "reason": "Weak SQL skills"}
    rendered = check_sources(REJECTION.subject, REJECTION.body, REJECTION.placeholders, context)
    assert "Weak SQL skills" not in rendered.body
    assert "not to move forward" in rendered.body


def test_generic_template_wraps_the_recruiters_message():
    rendered = check_sources(GENERIC.subject, GENERIC.body, GENERIC.placeholders, CONTEXT)
    assert rendered.subject == SAMPLE_CONTEXT["subject"]
    assert SAMPLE_CONTEXT["body"] in rendered.body
    assert rendered.body.startswith("Hello Ada Lovelace,")


@pytest.mark.parametrize(
    "body",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ candidate_name.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
    ],
)
def test_sandbox_refuses_attribute_tricks_with_a_clear_error(body):
    with pytest.raises(ValidationFailed) as caught:
        render_template_email(_template("s", body), CONTEXT)
    assert "unsafe" in caught.value.message or "undefined" in caught.value.message
    assert caught.value.details == {"body": [caught.value.message.removeprefix("The body cannot be used: ")]}


def test_sandbox_refuses_mutation_and_memory_bombs():
    with pytest.raises(ValidationFailed, match="may not do"):
        render_template_email(_template("s", "{{ [1].append(2) }}"), CONTEXT)
    with pytest.raises(ValidationFailed, match="too long"):
        render_template_email(_template("s", "{{ 'x' * 100000000 }}"), CONTEXT)
    with pytest.raises(ValidationFailed, match="exponents"):
        render_template_email(_template("s", "{{ 9 ** 9999999 }}"), CONTEXT)


def test_syntax_error_names_the_field_and_the_line():
    body = "Hello {{ candidate_name }},\n\nAll good.\n{% if reason %}\nno end"
    with pytest.raises(ValidationFailed) as caught:
        check_sources("Subject", body, REJECTION.placeholders, CONTEXT)
    assert "line 5" in caught.value.message
    assert caught.value.details is not None
    assert "line 5" in caught.value.details["body"][0]


def test_syntax_error_in_the_subject_is_reported_on_the_subject():
    with pytest.raises(ValidationFailed) as caught:
        check_sources("Hi {{ candidate_name", "Body", GENERIC.placeholders, CONTEXT)
    assert caught.value.details is not None
    assert set(caught.value.details) == {"subject"}
    assert "line 1" in caught.value.details["subject"][0]


def test_unknown_placeholder_is_refused_by_name_at_save_time():
    with pytest.raises(ValidationFailed) as caught:
        check_sources("Hi", "Dear {{ candidate_nam }}", REJECTION.placeholders, CONTEXT)
    assert "{{ candidate_nam }}" in caught.value.message
    assert "{{ candidate_name }}" in caught.value.message  # the available ones are listed


def test_placeholders_of_another_key_are_unknown():
    # {{ body }} exists only for the generic template.
    with pytest.raises(ValidationFailed, match="body"):
        check_sources(
            "Hi", "{{ body }}", DEFAULT_TEMPLATES[TemplateKey.APPLICATION_RECEIVED].placeholders, CONTEXT
        )


def test_conditions_and_loop_variables_are_not_unknown_placeholders():
    body = "{% if reason %}Reason: {{ reason }}{% endif %}{% for n in range(2) %}{{ loop.index }}{% endfor %}"
    rendered = check_sources("Hi", body, REJECTION.placeholders, CONTEXT)
    assert rendered.body == f"Reason: {SAMPLE_CONTEXT['reason']}12"


def test_missing_value_at_render_time_is_a_clear_error():
    with pytest.raises(ValidationFailed, match="opening_title"):
        render_template_email(_template("s", "{{ opening_title }}"), {})


def test_empty_fields_are_refused():
    with pytest.raises(ValidationFailed) as caught:
        check_sources(" ", "", GENERIC.placeholders, CONTEXT)
    assert caught.value.details == {"subject": ["must not be empty"], "body": ["must not be empty"]}
