"""Turn pydantic's ValidationError into located, plain-English problems.

Shared by the YAML and workbook loaders (and later the rule and scenario loaders): each passes a
``locate`` function mapping a data path to a line or a cell (and, if it knows better, the field
and a hint: a scenario names its own line and field for a problem of the programme it makes).
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.base.errors import Problem, ProgrammeProblems

Loc = tuple[str | int, ...]
Locate = Callable[[Loc], dict[str, Any]]


def problems_from(exc: ValidationError, model: type[BaseModel], data: Any, locate: Locate) -> list[Problem]:
    """One problem per distinct place; union alternatives at the same place are merged (the
    cross-checks' findings stay one problem each, even at one place)."""
    merged: dict[tuple[Loc, int], list[tuple[str, str]]] = {}
    for error in exc.errors():
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, ProgrammeProblems):  # separate findings, never alternatives
            for loc, message in cause.problems:
                merged[(_data_loc(tuple(loc), data, "custom"), len(merged) + 1)] = [(message, "")]
            continue
        loc = _data_loc(tuple(error["loc"]), data, error["type"])
        merged.setdefault((loc, 0), []).append(_message(error, model, loc))
    problems = []
    for (loc, _), pairs in merged.items():
        unique = list(dict.fromkeys(text for text, _ in pairs))
        message = (
            unique[0]
            if len(unique) == 1
            else "expected " + " or ".join(m.removeprefix("expected ") for m in unique)
        )
        message += next((got for _, got in pairs if got), "")
        problems.append(Problem(message, **_where(loc, data, locate)))
    return problems


def broken_places(exc: ValidationError, data: Any) -> list[Loc]:
    """Where the fields themselves are wrong (not the cross-checks), as places in the data."""
    return [
        _data_loc(tuple(error["loc"]), data, error["type"])
        for error in exc.errors()
        if not isinstance((error.get("ctx") or {}).get("error"), ProgrammeProblems)
    ]


def located(found: list[tuple[Loc, str]], data: Any, locate: Locate) -> list[Problem]:
    """Cross-check problems, each placed on its line or cell."""
    out = []
    for raw, message in found:
        loc = _data_loc(raw, data, "custom")
        out.append(Problem(message, **_where(loc, data, locate)))
    return out


def _where(loc: Loc, data: Any, locate: Locate) -> dict[str, Any]:
    """The place of ``loc``: the locator's answer, which may name the field itself (a scenario
    places a programme's problem at its own line and field), else the field in ``data``."""
    return {"field": field_path(loc, data), **locate(loc)}


def _data_loc(loc: Loc, data: Any, kind: str) -> Loc:
    """Drop pydantic's union-member labels so the path names only places in the user's data."""
    node = data
    for depth, part in enumerate(loc):
        found, node = _child(node, part)
        if not found:
            keep = depth + 1 if kind in ("missing", "extra_forbidden", "custom") else depth
            return loc[:keep]
    return loc


def _child(node: Any, part: str | int) -> tuple[bool, Any]:
    if isinstance(node, Mapping) and part in node:
        return True, node[part]
    if isinstance(node, (list, tuple)) and isinstance(part, int) and 0 <= part < len(node):
        return True, node[part]
    return False, None


def _message(error: Any, model: type[BaseModel], loc: Loc) -> tuple[str, str]:
    """The message, and separately the ``, got …`` suffix (shared by union alternatives)."""
    kind, msg = error["type"], error["msg"]
    given = error.get("input")
    if kind == "missing":
        return "required field is missing", ""
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        hint = ""
        if allowed:
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else f"; expected one of: {', '.join(allowed)}"
        return f"unknown field `{loc[-1]}`{hint}", ""
    ctx = error.get("ctx") or {}
    friendly = _FRIENDLY.get(kind)
    if friendly is not None:
        msg = friendly.format(**{k: _number(v) if isinstance(v, float) else v for k, v in ctx.items()})
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if msg.startswith("Input should be "):
        msg = "expected " + msg.removeprefix("Input should be ")
    elif msg.startswith("String should "):
        msg = "expected text that should " + msg.removeprefix("String should ")
    got = ""
    if given is not None and not isinstance(given, (dict, list)) and kind != "value_error":
        got = f", got {_shown(given)}"
    return msg, got


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1e6 and value.is_integer() else f"{value:g}"


def _shown(value: Any) -> str:
    """The value given, cut short when it is long (a message must not repeat a whole file)."""
    if isinstance(value, str) and len(value) > 60:
        return f"{value[:40]!r}… ({len(value):,} characters)"
    text = repr(value)
    return text if len(text) <= 80 else text[:60] + "…"


_FRIENDLY = {
    "greater_than_equal": "expected a number ≥ {ge}",
    "greater_than": "expected a number > {gt}",
    "less_than_equal": "expected a number ≤ {le}",
    "less_than": "expected a number < {lt}",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "int_type": "expected a whole number",
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "finite_number": "expected a finite number",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "string_type": "expected text",
    "date_parsing": "expected a date written YYYY-MM-DD",
    "date_from_datetime_parsing": "expected a date written YYYY-MM-DD",
    "date_type": "expected a date written YYYY-MM-DD",
    "date_from_datetime_inexact": "expected a date without a time",
    "tuple_type": "expected a list",
    "list_type": "expected a list",
    "dict_type": "expected a mapping of `name: value` pairs",
    "model_type": "expected a mapping of `field: value` pairs",
    "model_attributes_type": "expected a mapping of `field: value` pairs",
    "literal_error": "expected one of {expected}",
    "string_pattern_mismatch": "expected an id of letters, digits, '-' and '_' (no spaces)",
    "string_too_long": "expected at most {max_length} characters",
    "too_short": "expected at least {min_length} item(s)",
}


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the record found at ``loc`` inside ``model`` (for 'did you mean')."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = current.model_fields.get(str(part))
        if info is None:
            return []
        current = _record_type(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _record_type(annotation: Any) -> Any:
    """The BaseModel inside ``X``, ``X | None`` or ``tuple[X, ...]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (tuple, list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _record_type(arg)
            if found is not None:
                return found
    return None


def field_path(loc: Loc, data: Any) -> str:
    """``services[hr].annual_cost``: list items named by their id (or name) when they have one."""
    out, node = "", data
    for part in loc:
        child = None
        if isinstance(node, (list, tuple)) and isinstance(part, int) and 0 <= part < len(node):
            child = node[part]
            ident = (
                (child.get("id") or child.get("name") or child.get("option"))
                if isinstance(child, Mapping)
                else None
            )
            out += f"[{ident}]" if isinstance(ident, str) and ident else f"[{part + 1}]"
        else:
            if isinstance(node, Mapping):
                child = node.get(part)
            out += f".{part}" if out else str(part)
        node = child
    return out
