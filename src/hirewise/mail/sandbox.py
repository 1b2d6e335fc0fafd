"""The Jinja sandbox email templates run in, with a budget on what one rendering may cost.

Admins write templates in the browser, and they render in web processes and in workers, so they
are untrusted code. Jinja's immutable sandbox stops attribute tricks and mutation, not cost:
``'%999999999s' % 'a'`` builds a gigabyte string, ``'a'|center(10**8)`` a hundred megabytes, and
three nested ``range`` loops run for minutes. Here every way a template computes is bounded:

- **values**: a text at most :data:`MAX_STRING_CHARS` characters (a list or dict: its text form),
  at most :data:`MAX_ITEMS` items, integers at most :data:`MAX_INT_BITS` bits. What could build
  more is checked *before* it runs (``%`` and ``.format`` widths and fields, ``*``, ``+``, ``~``,
  ``**``, ``center``/``ljust``/``indent``/``wordwrap``/``replace``/``join``/``translate``/...),
  and every result of a call, filter or operator after;
- **loops**: ``range()`` makes at most :data:`MAX_RANGE` numbers, and all the loops of one
  rendering together run at most :data:`MAX_LOOP_ITERATIONS` iterations;
- **output**: at most :data:`MAX_OUTPUT_CHARS` characters written, ``{% set %}`` blocks and macros
  included (the final text has its own, smaller limit in :mod:`hirewise.mail.rendering`);
- **time**: a deadline of :data:`MAX_RENDER_SECONDS`, checked at every loop iteration, call,
  operator and output. No signal or thread is involved, so it works in any web or task worker.

The loop and output checks are compiled into the template (:class:`_BudgetedCodeGenerator`); the
budget itself lives in a context variable, so concurrent renderings in threads never share one.
Going over any limit raises :class:`TemplateLimitExceeded`, a ``SecurityError``.
"""

from __future__ import annotations

import functools
import itertools
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from string import Formatter
from typing import Any, cast

from jinja2 import StrictUndefined, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter, SecurityError
from jinja2.utils import Namespace
from markupsafe import EscapeFormatter, Markup

MAX_STRING_CHARS = 100_000
MAX_ITEMS = 10_000
MAX_INT_BITS = 8_192
MAX_EXPONENT = 64
MAX_FORMAT_WIDTH = 1_000
MAX_RANGE = 1_000
MAX_LOOP_ITERATIONS = 10_000
MAX_OUTPUT_CHARS = 1_000_000
MAX_RENDER_SECONDS = 1.0
MAX_JSON_INDENT = 16


class TemplateLimitExceeded(SecurityError):
    """The template tried to compute more than an email template may; the message says what."""


# --- the budget of one rendering ----------------------------------------------------------------


@dataclass
class _Budget:
    seconds: float
    deadline: float
    iterations: int = 0
    output_chars: int = 0


_budget: ContextVar[_Budget | None] = ContextVar("email_template_budget", default=None)


@contextmanager
def render_budget(seconds: float = MAX_RENDER_SECONDS) -> Iterator[None]:
    """Renderings inside this block share one fresh budget (time, loop iterations, output)."""
    token = _budget.set(_Budget(seconds=seconds, deadline=time.monotonic() + seconds))
    try:
        yield
    finally:
        _budget.reset(token)


def _check_time() -> None:
    budget = _budget.get()
    if budget is not None and time.monotonic() > budget.deadline:
        unit = "second" if budget.seconds == 1 else "seconds"
        raise TemplateLimitExceeded(f"it takes more than {budget.seconds:g} {unit} to render.")


# --- sizes --------------------------------------------------------------------------------------


def _text_size(value: Any, limit: int = MAX_STRING_CHARS) -> int:
    """About ``len(str(value))``, without building it: containers are walked, stopping above ``limit``."""
    if isinstance(value, str | bytes | bytearray):
        return len(value)
    total = 0
    pending = [value]
    while pending and total <= limit:
        item = pending.pop()
        if isinstance(item, str | bytes | bytearray):
            total += len(item) + 2  # quoted, inside a list or dict
        elif isinstance(item, bool) or item is None or isinstance(item, float):
            total += 8
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            pending.extend(itertools.islice(itertools.chain.from_iterable(item.items()), limit))
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            pending.extend(itertools.islice(item, limit))
        elif isinstance(item, Namespace):
            total += 14
            pending.append(object.__getattribute__(item, "_Namespace__attrs"))
        else:
            total += 24  # ranges, loop and macro objects, dates: a short text form
    return total


def _too_long() -> TemplateLimitExceeded:
    return TemplateLimitExceeded(f"a text would be longer than {MAX_STRING_CHARS} characters.")


def _check_text(value: Any) -> None:
    if _text_size(value) > MAX_STRING_CHARS:
        raise _too_long()


def _check_value(value: Any) -> Any:
    """Refuse a value that is already too big to keep (the result of a call, filter or operator)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > MAX_INT_BITS:
            raise TemplateLimitExceeded(f"a number would have more than {MAX_INT_BITS} bits.")
    elif isinstance(value, list | tuple | dict | set | frozenset) and len(value) > MAX_ITEMS:
        raise TemplateLimitExceeded(f"a list would have more than {MAX_ITEMS} items.")
    else:
        _check_text(value)
    return value


def _check_inputs(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        _check_text(value)


def _check_estimate(size: int) -> None:
    if size > MAX_STRING_CHARS:
        raise _too_long()


def _check_width(width: Any) -> int:
    if not isinstance(width, int) or isinstance(width, bool):
        return 0
    if width > MAX_STRING_CHARS:
        raise _too_long()
    return max(width, 0)


def _materialize(iterable: Any) -> list[Any]:
    items = list(itertools.islice(iterable, MAX_ITEMS + 1))
    if len(items) > MAX_ITEMS:
        raise TemplateLimitExceeded(f"a list would have more than {MAX_ITEMS} items.")
    return items


def _joined_size(items: list[Any], separator: Any) -> int:
    size = _text_size(separator) * max(len(items) - 1, 0)
    for item in items:
        size += _text_size(item)
        _check_estimate(size)
    return size


# --- formatting: "%" and str.format -------------------------------------------------------------

_PRINTF_SPEC = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[-#0 +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d*))?[hlL]?(?P<conversion>.?)",
    re.DOTALL,
)


def _format_number(part: str | None) -> int:
    if part is None or part == "":
        return 0
    if part == "*" or len(part) > 6 or int(part) > MAX_FORMAT_WIDTH:
        raise TemplateLimitExceeded(f"a format width or precision may be at most {MAX_FORMAT_WIDTH}.")
    return int(part)


def _check_printf(template: str, values: Any) -> None:
    """Estimate ``template % values`` before Python builds it."""
    mapping = values if isinstance(values, Mapping) else None
    positional = list(values) if isinstance(values, tuple) else [values]
    index = 0
    size = len(template)
    for spec in _PRINTF_SPEC.finditer(template):
        if spec["conversion"] == "%":
            continue
        width, precision = _format_number(spec["width"]), _format_number(spec["precision"])
        if spec["key"] is not None and mapping is not None:
            value = mapping.get(spec["key"], "")
        elif index < len(positional):
            value, index = positional[index], index + 1
        else:
            value = ""
        size += width + precision + _text_size(value)
        _check_estimate(size)


_SPEC_NUMBER = re.compile(r"\d+")


class _LimitedFormatterMixin(Formatter):
    """``str.format`` that refuses wide fields and stops once the text would be too long."""

    _produced = 0

    def format_field(self, value: Any, format_spec: str) -> Any:
        _check_time()
        for number in _SPEC_NUMBER.findall(format_spec):
            _format_number(number)
        _check_text(value)
        formatted = super().format_field(value, format_spec)
        self._produced += len(formatted)
        _check_estimate(self._produced)
        return formatted


class _LimitedFormatter(_LimitedFormatterMixin, SandboxedFormatter):
    pass


class _LimitedEscapeFormatter(_LimitedFormatterMixin, SandboxedFormatter, EscapeFormatter):
    pass


# --- methods of strings and numbers -------------------------------------------------------------


def _argument(
    args: tuple[Any, ...], kwargs: Mapping[str, Any], position: int, name: str, default: Any
) -> Any:
    if len(args) > position:
        return args[position]
    return kwargs.get(name, default)


def _check_method_call(method: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Estimate what a method of a text (or ``int.to_bytes``) would build, before it runs."""
    owner = getattr(method, "__self__", None)
    name = getattr(method, "__name__", "")
    if isinstance(owner, str | bytes | bytearray):
        if name in {"center", "ljust", "rjust", "zfill"}:
            _check_width(_argument(args, kwargs, 0, "width", 0))
        elif name == "expandtabs":
            tab = _argument(args, kwargs, 0, "tabsize", 8)
            tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")
            _check_estimate(len(owner) + tabs * _check_width(tab))
        elif name == "replace":
            old, new = _argument(args, kwargs, 0, "old", ""), _argument(args, kwargs, 1, "new", "")
            count = _argument(args, kwargs, 2, "count", -1)
            if isinstance(old, str | bytes) and isinstance(new, str | bytes):
                found = owner.count(old) if old else len(owner) + 1  # type: ignore[arg-type]
                if isinstance(count, int) and count >= 0:
                    found = min(found, count)
                _check_estimate(len(owner) + found * max(len(new) - len(old), 0))
        elif name == "translate":
            table = _argument(args, kwargs, 0, "table", None)
            if isinstance(table, Mapping):
                longest = max((_text_size(v) for v in itertools.islice(table.values(), MAX_ITEMS)), default=1)
                _check_estimate(len(owner) * longest)
    elif isinstance(owner, int) and name == "to_bytes":
        _check_width(_argument(args, kwargs, 0, "length", 1))


# --- filters ------------------------------------------------------------------------------------


def _pass_arg(func: Callable[..., Any]) -> str | None:
    marker = getattr(func, "jinja_pass_arg", None)
    return getattr(marker, "name", None)


def _check_center(value: Any, width: Any = 80, *args: Any, **kwargs: Any) -> None:
    _check_width(width)


def _check_indent(s: Any, width: Any = 4, *args: Any, **kwargs: Any) -> None:
    text = str(s)
    prefix = _check_width(width) if isinstance(width, int) else _text_size(width)
    _check_estimate(len(text) + (text.count("\n") + 1) * prefix)


def _check_wordwrap(
    s: Any, width: Any = 79, break_long_words: Any = True, wrapstring: Any = None, *args: Any, **kwargs: Any
) -> None:
    text = str(s)
    line = max(width, 1) if isinstance(width, int) else 79
    breaks = len(text) // line + text.count("\n") + 1
    _check_estimate(len(text) + breaks * (_text_size(wrapstring) if wrapstring else 1))


def _check_replace(
    s: Any, old: Any = "", new: Any = "", count: Any = None, *args: Any, **kwargs: Any
) -> None:
    _check_method_call(str(s).replace, (str(old), str(new), -1 if count is None else count), {})


def _check_format(value: Any, *args: Any, **kwargs: Any) -> None:
    _check_printf(str(value), kwargs or args)


def _check_count(value: Any, count: Any = 1, *args: Any, **kwargs: Any) -> None:
    if isinstance(count, int) and count > MAX_ITEMS:
        raise TemplateLimitExceeded(f"a list would have more than {MAX_ITEMS} items.")


def _check_tojson(value: Any, indent: Any = None, *args: Any, **kwargs: Any) -> None:
    if isinstance(indent, str):
        indent = len(indent)
    if isinstance(indent, int) and indent > MAX_JSON_INDENT:
        raise TemplateLimitExceeded(f"tojson's indent may be at most {MAX_JSON_INDENT}.")


_FILTER_CHECKS: dict[str, Callable[..., None]] = {
    "center": _check_center,
    "indent": _check_indent,
    "wordwrap": _check_wordwrap,
    "replace": _check_replace,
    "format": _check_format,
    "batch": _check_count,
    "slice": _check_count,
    "tojson": _check_tojson,
}
# urlize writes HTML links (nothing to do in a plain-text email) and can multiply its input.
_REMOVED_FILTERS = ("urlize",)


def _budgeted_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` with its arguments and result checked, taking the context so it never runs at compile time.

    Jinja folds filters on constants while compiling, outside any budget; a filter that needs the
    context cannot be folded, so every filter call happens while rendering, inside the budget.
    """
    passes = _pass_arg(func)
    check = _FILTER_CHECKS.get(name)

    @pass_context
    @functools.wraps(func)
    def budgeted(context: Context, *args: Any, **kwargs: Any) -> Any:
        _check_time()
        _check_inputs(args, kwargs)
        if check is not None:
            check(*args, **kwargs)
        if name == "join" and args:
            args = (_materialize(args[0]), *args[1:])
            separator = _argument(args, kwargs, 1, "d", "")
            if _argument(args, kwargs, 2, "attribute", None) is None:
                _joined_size(args[0], separator)
        if passes == "context":
            result = func(context, *args, **kwargs)
        elif passes == "eval_context":
            result = func(context.eval_ctx, *args, **kwargs)
        elif passes == "environment":
            result = func(context.environment, *args, **kwargs)
        else:
            result = func(*args, **kwargs)
        return _check_value(result)

    return budgeted


# --- globals ------------------------------------------------------------------------------------


def _limited_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TemplateLimitExceeded(f"range() may produce at most {MAX_RANGE} numbers in an email template.")
    return numbers


# --- the compiled template: loop ticks, output and concatenation checks ---------------------------


def _budget_call(name: str, *args: nodes.Expr, lineno: int) -> nodes.Call:
    """``environment.<name>(*args)``: a name no template can shadow (Jinja's hook for extensions)."""
    return nodes.Call(
        nodes.EnvironmentAttribute(name, lineno=lineno), list(args), [], None, None, lineno=lineno
    )


class _BudgetedCodeGenerator(CodeGenerator):
    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        # Every iteration counts: a tick starts the body, and a loop's "if" counts the items it skips.
        node.body = [
            nodes.ExprStmt(_budget_call("budget_tick", lineno=node.lineno), lineno=node.lineno),
            *node.body,
        ]
        if node.test is not None:
            node.test = _budget_call("budget_test", cast(nodes.Expr, node.test), lineno=node.test.lineno)
        super().visit_For(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.budget_concat((")
        for part in node.nodes:
            self.visit(part, frame)
            self.write(", ")
        self.write("))")

    def _output_const_repr(self, group: Any) -> str:
        return f"environment.budget_output({super()._output_const_repr(group)})"

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        self.write("environment.budget_output(")
        super()._output_child_pre(node, frame, finalize)
        self.write("environment.budget_value(")

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        self.write(")")
        super()._output_child_post(node, frame, finalize)
        self.write(")")


class EmailSandbox(ImmutableSandboxedEnvironment):
    """The stock immutable sandbox plus the limits above."""

    code_generator_class = _BudgetedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        options.setdefault("undefined", StrictUndefined)
        super().__init__(**options)
        self.globals["range"] = _limited_range
        self.globals.pop("lipsum", None)
        for name in _REMOVED_FILTERS:
            self.filters.pop(name, None)
        self.filters = {name: _budgeted_filter(name, func) for name, func in self.filters.items()}

    # Called by the compiled template ------------------------------------------------------------

    def budget_tick(self) -> None:
        budget = _budget.get()
        if budget is None:
            return
        budget.iterations += 1
        if budget.iterations > MAX_LOOP_ITERATIONS:
            raise TemplateLimitExceeded(
                f"its loops run more than {MAX_LOOP_ITERATIONS} loop iterations in one email."
            )
        _check_time()

    def budget_test(self, value: Any) -> Any:
        self.budget_tick()
        return value

    def budget_value(self, value: Any) -> Any:
        _check_text(value)
        return value

    def budget_output(self, text: str) -> str:
        budget = _budget.get()
        if budget is not None:
            budget.output_chars += len(text)
            if budget.output_chars > MAX_OUTPUT_CHARS:
                raise TemplateLimitExceeded(f"it writes more than {MAX_OUTPUT_CHARS} characters of text.")
            _check_time()
        return text

    def budget_concat(self, parts: tuple[Any, ...]) -> str:
        _check_time()
        _joined_size(list(parts), "")
        return "".join(map(str, parts))

    # Sandbox hooks ------------------------------------------------------------------------------

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_time()
        if operator == "**" and isinstance(right, int | float):
            if abs(right) > MAX_EXPONENT:
                raise TemplateLimitExceeded(
                    f"exponents above {MAX_EXPONENT} are not allowed in email templates."
                )
            growing = isinstance(left, int) and isinstance(right, int) and right > 0
            if growing and left.bit_length() * right > MAX_INT_BITS:
                raise TemplateLimitExceeded(f"a number would have more than {MAX_INT_BITS} bits.")
        elif operator == "*":
            self._check_repetition(left, right)
        elif operator == "+" and isinstance(left, str | bytes | list | tuple) and type(left) is type(right):
            _check_estimate(_text_size(left) + _text_size(right))
        elif operator == "%" and isinstance(left, str):
            _check_printf(left, right)
        return _check_value(super().call_binop(context, operator, left, right))

    @staticmethod
    def _check_repetition(left: Any, right: Any) -> None:
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateLimitExceeded(f"a number would have more than {MAX_INT_BITS} bits.")
            return
        sequence, count = (left, right) if isinstance(right, int) else (right, left)
        if isinstance(sequence, str | bytes | list | tuple) and isinstance(count, int) and count > 0:
            if len(sequence) * count > MAX_ITEMS and not isinstance(sequence, str | bytes):
                raise TemplateLimitExceeded("the repetition would make the email too long.")
            if _text_size(sequence) * count > MAX_STRING_CHARS:
                raise TemplateLimitExceeded("the repetition would make the email too long.")

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_time()
        _check_inputs(args, kwargs)
        _check_method_call(__obj, args, kwargs)
        if getattr(__obj, "__name__", "") == "join" and isinstance(
            getattr(__obj, "__self__", None), str | bytes
        ):
            items = _materialize(args[0]) if args else []
            _joined_size(items, __obj.__self__)
            args = (items, *args[1:])
        return _check_value(super().call(__context, __obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        _check_time()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _check_time()
        return super().getitem(obj, argument)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if super().wrap_str_format(value) is None:
            return None
        owner: str = value.__self__
        is_format_map = value.__name__ == "format_map"
        escaping = isinstance(owner, Markup)

        def limited_format(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                mapping: Any = args[0]
                args, kwargs = (), mapping
            formatter: SandboxedFormatter = (
                _LimitedEscapeFormatter(self, escape=owner.escape)  # type: ignore[attr-defined]
                if escaping
                else _LimitedFormatter(self)
            )
            return type(owner)(formatter.vformat(owner, args, kwargs))

        return functools.update_wrapper(limited_format, value)
