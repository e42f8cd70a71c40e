"""The one Jinja environment every report template renders in: sandboxed, stripped and bounded.

A council's Word template is a file someone sent us, so it is treated like any other untrusted input:

* it renders in Jinja's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` (no ``_``-attributes,
  no mutating the values it is given, no unsafe callables);
* the globals a template could abuse (``cycler``, ``joiner``, ``namespace``, ``lipsum``, ``dict``) are
  gone, and ``self``, those names and any ``_``-attribute are refused when the template is compiled,
  with the line they are on;
* an unsafe attribute reached at run time (``x[name]``) raises at once instead of printing nothing;
* the work is bounded: ``range`` and every loop count their steps, numbers given to filters and the
  strings and lists that ``*``, ``**``, ``+``, ``%``, ``~`` and filters build are capped, and a render
  that runs past :data:`SECONDS` is stopped.

Whatever is refused raises :class:`TemplateRefused` (a Jinja ``SecurityError``), which callers turn
into a located :class:`~engine.base.errors.InputError`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from functools import wraps
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

SECONDS = 10.0
"""Wall time one render may take."""
STEPS = 1_000_000
"""Loop iterations, calls and attribute look-ups one render may make."""
SIZE = 1_000_000
"""Longest string or list an expression may build (characters or items)."""
NUMBER = 100_000
"""Largest number a filter or ``range`` may be given, and the largest exponent."""
OUTPUT = 50_000_000
"""Characters one render may write."""

FORBIDDEN_NAMES = frozenset({"self", "cycler", "joiner", "namespace", "lipsum", "dict"})
"""Names a report template may not use (Jinja's globals and the template's own reference)."""

_WIDTH = re.compile(r"\d{4,}")
_STAR = re.compile(r"%[-#0 +]*(\*|\d*\.\*)")
_NESTED = re.compile(r"\{[^{}]*\{")

_PLAIN_VALUES = (str, int, float, bool, list, tuple, dict, set, frozenset, Markup, LoopContext)
"""Values whose own methods a template may call (the immutable sandbox already refuses the mutating ones)."""
TRUSTED_MODULES = frozenset({"engine.report.document"})
"""Modules whose objects' methods a template may call: the report's content model (``all_sections()``)."""
OPAQUE_PACKAGES = frozenset({"docx", "docxtpl", "docxcompose", "lxml"})
"""Packages whose objects a template may print but not look inside: a section body (a docxtpl
``Subdoc``) reaches the template object itself, which can ``save()`` anywhere."""


class TemplateRefused(SecurityError):
    """A template tried something a report template may not do."""


class _Budget:
    def __init__(self) -> None:
        self.deadline = time.monotonic() + SECONDS
        self.steps = 0

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > STEPS:
            raise TemplateRefused(f"the template does too much work (more than {STEPS:,} steps)")
        if time.monotonic() > self.deadline:
            raise TemplateRefused(f"the template took longer than {SECONDS:g} s to render")


_budget: ContextVar[_Budget | None] = ContextVar("ssplan_template_budget", default=None)


def _spend(count: int = 1) -> None:
    budget = _budget.get()
    if budget is not None:  # every render goes through ReportEnvironment.concat, which starts one
        budget.step(count)


def _weight(value: object, memo: dict[int, int] | None = None) -> int:
    """What printing ``value`` would cost: characters of text plus items of containers, nested, shared
    parts counted each time they appear (``[x, x, x]`` prints ``x`` three times).  Counting stops just
    past :data:`SIZE`, so it is cheap however large the answer."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if not isinstance(value, (list, tuple, set, frozenset, dict)):
        return 1
    memo = {} if memo is None else memo
    if id(value) in memo:
        return memo[id(value)]
    memo[id(value)] = SIZE + 1  # a container inside itself is refused
    total = len(value)
    for item in value.items() if isinstance(value, dict) else value:
        if total > SIZE:
            break
        total += _weight(item, memo)
    memo[id(value)] = total
    return total


def _size(value: object, what: str) -> object:
    """``value``, if printing it would cost at most :data:`SIZE`; refused otherwise."""
    if _weight(value) > SIZE:
        raise TemplateRefused(f"{what} would build a value of more than {SIZE:,} characters or items")
    return value


def _number(value: object, what: str) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > NUMBER:
        raise TemplateRefused(f"{what} was given {value:g}; the largest number allowed is {NUMBER:,}")


def _format_string(text: object, what: str) -> None:
    """Refuse a format whose width or precision could be huge: four or more digits, ``*`` in a
    %-format, or a width taken from an argument (``{:{}}``)."""
    if isinstance(text, str) and (_WIDTH.search(text) or _STAR.search(text) or _NESTED.search(text)):
        raise TemplateRefused(f"{what}: widths and precisions of more than three digits are refused")


def _length(value: object) -> int:
    try:
        return len(value)  # type: ignore[arg-type]
    except TypeError:
        return 1


def _safe(function: Callable[..., Any]) -> Callable[..., Any]:
    function.ssplan_safe = True  # type: ignore[attr-defined]
    return function


@_safe
def _bounded_range(*args: int) -> range:
    for arg in args:
        _number(arg, "range()")
    items = range(*args)
    _spend(len(items))
    return items


@_safe
def _loop(iterable: Iterable[Any]) -> Iterator[Any]:
    """Every ``{% for %}`` iterates through this, so nested loops cannot run away."""
    for item in iterable:
        _spend()
        yield item


@_safe
def _joined(*parts: object) -> str:
    """``a ~ b``: capped before it is built."""
    _size(list(parts), "joining with ~")
    return "".join(str(p) for p in parts)


SIZED_FILTERS = frozenset(
    {"center", "indent", "wordwrap", "truncate", "batch", "slice", "round", "urlize", "replace", "format"}
)
"""Filters whose numeric arguments are sizes (a width, a count, a precision), so are capped."""


def _filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter with its size arguments capped and its result's size checked."""
    first = 1 if hasattr(function, "jinja_pass_arg") else 0  # pass_context & co. take that first

    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _spend()
        value, params = (args[first] if len(args) > first else None), args[first + 1 :]
        if name in SIZED_FILTERS:
            for param in list(params) + list(kwargs.values()):
                _number(param, f"the filter `{name}`")
        _size(value, f"the filter `{name}`")
        if name == "format":
            _format_string(value, "the filter `format`")
        if name == "replace" and len(params) >= 2:
            text, old, new = str(value), str(params[0]), str(params[1])
            if old and len(text) + text.count(old) * max(0, len(new) - len(old)) > SIZE:
                raise TemplateRefused(f"the filter `replace` would build more than {SIZE:,} characters")
        return _size(function(*args, **kwargs), f"the filter `{name}`")

    return bounded


class _Guard(NodeTransformer):
    """Refuse forbidden names and ``_``-attributes at compile time; route loops and ``~`` through
    the budget."""

    def __init__(self, name: str | None, filename: str | None) -> None:
        self.name, self.filename = name, filename

    def _refuse(self, node: nodes.Node, what: str) -> None:
        raise TemplateSyntaxError(f"refused: {what}", node.lineno, self.name, self.filename)

    def visit_Name(self, node: nodes.Name) -> nodes.Node:
        if node.name in FORBIDDEN_NAMES:
            self._refuse(node, f"`{node.name}` is not available in report templates")
        return node

    def visit_Getattr(self, node: nodes.Getattr) -> nodes.Node:
        self.generic_visit(node)  # the innermost refusal is the one to report
        if node.attr.startswith("_"):
            self._refuse(node, f"the attribute `{node.attr}` (names starting with _ are private)")
        return node

    def visit_Getitem(self, node: nodes.Getitem) -> nodes.Node:
        self.generic_visit(node)
        if (
            isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
            and node.arg.value.startswith("_")
        ):
            self._refuse(node, f"the item `{node.arg.value}` (names starting with _ are private)")
        return node

    def visit_Include(self, node: nodes.Include) -> nodes.Node:
        self._refuse(node, "a report template may not include other files")
        return node

    visit_Import = visit_FromImport = visit_Extends = visit_Include

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Call(
            nodes.Name("ssplan_loop", "load", lineno=node.lineno),
            [node.iter],
            [],
            None,
            None,
            lineno=node.lineno,
        )
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Call(
            nodes.Name("ssplan_joined", "load", lineno=node.lineno),
            node.nodes,
            [],
            None,
            None,
            lineno=node.lineno,
        )


class ReportEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the abusable globals removed and every render bounded."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **kwargs: Any) -> None:
        finalize = kwargs.pop("finalize", None)

        def weighed(value: Any) -> Any:
            """What ``{{ }}`` prints is weighed before it becomes text (then the caller's finalize)."""
            _size(value, "printing a value")
            return finalize(value) if finalize is not None else value

        super().__init__(finalize=weighed, **kwargs)
        for name in FORBIDDEN_NAMES:
            self.globals.pop(name, None)
        self.globals["range"] = _bounded_range
        self.globals["ssplan_loop"] = _loop
        self.globals["ssplan_joined"] = _joined
        self.filters = {name: _filter(name, f) for name, f in self.filters.items()}

    def add_filter(self, name: str, function: Callable[..., Any]) -> None:
        """Our own filters are bounded like Jinja's."""
        self.filters[name] = _filter(name, function)

    def _generate(
        self, source: nodes.Template, name: str | None, filename: str | None, defer_init: bool = False
    ) -> str:
        source = _Guard(name, filename).visit(source)
        return super()._generate(source, name, filename, defer_init)

    def concat(self, chunks: Iterable[str]) -> str:
        """Write the output, counting it against the budget; the budget starts with the render."""
        token = _budget.set(_Budget()) if _budget.get() is None else None
        try:
            out: list[str] = []
            total = 0
            for chunk in chunks:
                total += len(chunk)
                if total > OUTPUT:
                    raise TemplateRefused(f"the template writes more than {OUTPUT:,} characters")
                _spend()
                out.append(chunk)
            return "".join(out)
        finally:
            if token is not None:
                _budget.reset(token)

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        _spend()
        if operator_ == "**":
            _number(right, "the exponent of **")
        elif operator_ == "*":
            for a, b in ((left, right), (right, left)):
                if isinstance(a, (str, list, tuple)) and isinstance(b, int) and _weight(a) * b > SIZE:
                    raise TemplateRefused(f"repeating with * would build more than {SIZE:,} items")
        elif operator_ in ("+", "%"):
            _size([left, right], f"the operator {operator_}")
            if operator_ == "%":
                _format_string(left, "string formatting with %")
        return _size(super().call_binop(context, operator_, left, right), f"the operator {operator_}")

    def is_safe_callable(self, obj: Any) -> bool:
        """Only what a report template needs: macros, ``loop``, our bounded globals, and the methods of
        plain values and of the report's content model.  Nothing else (no method of a docxtpl, python-docx
        or pathlib object: ``save()``, ``write_text()``)."""
        if not super().is_safe_callable(obj):
            return False
        if getattr(obj, "ssplan_safe", False) or isinstance(obj, (Macro, LoopContext)):
            return True
        owner = getattr(obj, "__self__", None)
        return owner is not None and (
            isinstance(owner, _PLAIN_VALUES) or type(owner).__module__ in TRUSTED_MODULES
        )

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if type(obj).__module__.split(".")[0] in OPAQUE_PACKAGES:
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _spend()
        _size([*args, *kwargs.values()], "a call")
        if isinstance(getattr(__obj, "__self__", None), str):  # "x".center(10**9), .zfill, .ljust
            for value in [*args, *kwargs.values()]:
                _number(value, f"the method `{getattr(__obj, '__name__', '?')}`")
        return _size(super().call(__context, __obj, *args, **kwargs), "a call")

    def getattr(self, obj: Any, attribute: str) -> Any:
        _spend()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _spend()
        return super().getitem(obj, argument)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        """Refuse at once, where Jinja would hand back an undefined that prints as nothing."""
        raise TemplateRefused(f"the attribute `{attribute}` of a {type(obj).__name__} is not available")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text = getattr(value, "__self__", "")
        inner = wrapped

        def checked(*args: Any, **kwargs: Any) -> str:
            _format_string(text, "str.format")
            _size([*args, *kwargs.values()], "str.format")
            return str(_size(inner(*args, **kwargs), "str.format"))

        checked.ssplan_safe = True  # type: ignore[attr-defined]
        return checked


def report_environment(**kwargs: Any) -> ReportEnvironment:
    """A new environment for report templates (Markdown, HTML and Word)."""
    return ReportEnvironment(**kwargs)


__all__ = ["ReportEnvironment", "TemplateRefused", "report_environment"]
