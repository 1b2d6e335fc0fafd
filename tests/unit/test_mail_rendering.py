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


# --- resource limits: templates are untrusted code, so every way to make them expensive is stopped ---

# Each of these once cost seconds to minutes and up to gigabytes (issue 9, part 5).
EXPENSIVE_TEMPLATES = {
    "percent-width": "{{ '%999999999s' % 'a' }}",
    "percent-precision": "{{ '%.999999999f' % 1.5 }}",
    "percent-star-width": "{{ '%*s' % (999999999, 'a') }}",
    "percent-many-fields": "{{ ('%(a)s' * 20000) % {'a': 'x' * 100000} }}",
    "format-width": "{{ '{:>999999999}'.format('a')|length }}",
    "format-nested-width": "{{ '{:{}}'.format('a', 999999999)|length }}",
    "format-many-fields": "{{ ('{0}' * 20000).format('x' * 100000)|length }}",
    "format-filter": "{{ '%999999999s'|format('a')|length }}",
    "center-filter": "{{ 'a'|center(10**8)|length }}",
    "ljust-method": "{{ 'a'.ljust(100000000)|length }}",
    "zfill-method": "{{ '1'.zfill(100000000)|length }}",
    "expandtabs-method": "{{ ('\t' * 50000).expandtabs(100000)|length }}",
    "indent-filter": "{{ ('x\n' * 40000)|indent(100000)|length }}",
    "indent-filter-text": "{{ ('x\n' * 40000)|indent('y' * 100000)|length }}",
    "wordwrap-filter": "{{ ('a ' * 40000)|wordwrap(1, wrapstring='x' * 100000)|length }}",
    "replace-filter": "{{ ('x' * 100000)|replace('', 'y' * 100000)|length }}",
    "replace-method": "{{ ('x' * 100000).replace('x', 'y' * 100000)|length }}",
    "translate-method": "{{ ('x' * 100000).translate({120: 'y' * 100000})|length }}",
    "join-filter": "{{ range(1000)|join('x' * 100000)|length }}",
    "join-method": "{{ ('x' * 100000).join(range(1000)|map('string'))|length }}",
    "string-repetition": "{{ 'x' * 100000000 }}",
    "list-repetition": "{{ ([1] * 100000) * 100000 }}",
    "concat-doubling": "{% set ns = namespace(s='x' * 50000) %}{% for i in range(40) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    "plus-doubling": "{% set ns = namespace(s=['x'] * 5000) %}{% for i in range(40) %}"
    "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}",
    "integer-squaring": "{% set ns = namespace(n=3) %}{% for i in range(40) %}"
    "{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n > 0 }}",
    "power-tower": "{{ ((((9 ** 64) ** 64) ** 64) ** 64) ** 64 > 0 }}",
    "to-bytes": "{{ (1).to_bytes(999999999, 'big')|length }}",
    "batch-filter": "{{ [1]|batch(999999999, 'x')|list|length }}",
    "slice-filter": "{{ [1]|slice(999999999)|list|length }}",
    "tojson-indent": "{{ {'a': [1, 2]}|tojson(indent=100000000)|length }}",
    "big-range": "{{ range(100000)|length }}",
    "nested-loops": "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
    "{% endfor %}{% endfor %}{% endfor %}",
    "loop-over-a-long-string": "{% for c in 'x' * 100000 %}{% for d in 'x' * 100000 %}{% endfor %}{% endfor %}",
    "filtered-loops": "{% for i in range(1000) %}{% for j in range(1000) if j < 0 %}{% endfor %}{% endfor %}",
    "recursive-loop": "{% for x in [1, 2] recursive %}{{ loop([1, 2]) }}{% endfor %}",
    "buffered-output": "{% set big %}{% for i in range(1000) %}{% for j in range(9) %}{{ 'x' * 100000 }}"
    "{% endfor %}{% endfor %}{% endset %}{{ big|length }}",
    "macro-recursion": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
    "deep-nesting": "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
}


@pytest.mark.parametrize("body", list(EXPENSIVE_TEMPLATES.values()), ids=list(EXPENSIVE_TEMPLATES))
def test_expensive_templates_are_stopped_quickly_with_little_memory(body):
    import time
    import tracemalloc

    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ValidationFailed) as caught:
            render_template_email(_template("s", body), CONTEXT)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Generous bounds: the render budget is one second and no value may exceed a few hundred KB.
    assert elapsed < 5, f"stopped only after {elapsed:.1f} s"
    assert peak < 64 * 1024 * 1024, f"{peak / 1e6:.0f} MB used"
    assert caught.value.details is not None and list(caught.value.details) == ["body"]
    assert caught.value.message.startswith("The body cannot be used: ")


@pytest.mark.parametrize("body", list(EXPENSIVE_TEMPLATES.values()), ids=list(EXPENSIVE_TEMPLATES))
def test_expensive_templates_are_refused_when_saved(body):
    # Saving renders once with sample data: the same limits refuse the template, on its field.
    with pytest.raises(ValidationFailed) as caught:
        check_sources("Hi", body, GENERIC.placeholders, CONTEXT)
    assert caught.value.details is not None and list(caught.value.details) == ["body"]


def test_limit_errors_say_which_limit():
    cases = {
        "{{ '%999999999s' % 'a' }}": "format width",
        "{{ 'a'|center(10**8) }}": "longer than",
        "{{ range(100000)|length }}": "range()",
        EXPENSIVE_TEMPLATES["nested-loops"]: "loop iterations",
        EXPENSIVE_TEMPLATES["macro-recursion"]: "second",
        EXPENSIVE_TEMPLATES["buffered-output"]: "text",
    }
    for body, words in cases.items():
        with pytest.raises(ValidationFailed) as caught:
            render_template_email(_template("s", body), CONTEXT)
        assert words in caught.value.message, (body, caught.value.message)


def test_the_limits_leave_ordinary_templates_alone():
    body = (
        "{{ '%-8s|' % candidate_name[:3] }}{{ '{:>5}'.format('ab') }}{{ 'ab'|center(6) }}|"
        "{{ 'x'.ljust(3, '.') }}|{{ 'a b c'|replace(' ', '-') }}|{{ range(3)|join(',') }}|"
        "{% for i in range(50) %}{% for j in range(20) %}{% endfor %}{% endfor %}"
        "{% set ns = namespace(total=0) %}{% for i in range(100) %}{% set ns.total = ns.total + i %}{% endfor %}"
        "{{ ns.total }}|{{ 2 ** 10 }}|{{ ('ab' ~ 'cd') * 2 }}|{{ [1, 2] + [3] }}|{{ '%.2f' % 3.14159 }}"
    )
    rendered = render_template_email(_template("s", body), CONTEXT)
    assert rendered.body == ("Ada     |   ab  ab  |x..|a-b-c|0,1,2|4950|1024|abcdabcd|[1, 2, 3]|3.14")


def test_each_render_gets_a_fresh_budget():
    # 600 iterations per render: two renders in a row must not add up to the per-render budget.
    body = "{% for i in range(600) %}{% for j in range(10) %}{% endfor %}{% endfor %}ok"
    for _ in range(3):
        assert render_template_email(_template("s", body), CONTEXT).body == "ok"


def test_renderings_in_threads_do_not_share_a_budget():
    # gthread web workers render in several threads at once: each rendering counts on its own. Each
    # runs 3,300 loop iterations, so 8 sharing one budget would pass MAX_LOOP_ITERATIONS (10,000) twice
    # over; and little enough work that 4 threads taking turns on the GIL stay far inside each
    # rendering's 1 second even on a loaded machine (7,700 iterations once ran out of time there).
    from concurrent.futures import ThreadPoolExecutor

    body = "{% for i in range(300) %}{% for j in range(10) %}{% endfor %}{% endfor %}ok"
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda _: render_template_email(_template("s", body), CONTEXT).body, range(8))
        )
    assert results == ["ok"] * 8
