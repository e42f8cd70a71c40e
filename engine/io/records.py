"""Generic parse-and-validate helpers: YAML text or plain data to a validated pydantic record,
every problem located (line, or sheet/row/column), and a programme back to plain data."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from engine.base.errors import InputError, Problem, SsplanError, remember_source
from engine.base.partial import cross_checked
from engine.io.validation import Loc, broken_places, located, problems_from
from engine.io.yamlsource import YamlDoc, read_yaml
from engine.programme.model import Programme
from engine.programme.rawrefs import raw_reference_problems

M = TypeVar("M", bound=BaseModel)


def parse_yaml_model(
    content: str | bytes, source: str, model: type[M], what: str, error: type[SsplanError]
) -> M:
    """YAML text → a validated ``model``; every problem located by line, raised as ``error``."""
    return parse_yaml_located(content, source, model, what, error)[0]


def parse_yaml_located(
    content: str | bytes, source: str, model: type[M], what: str, error: type[SsplanError]
) -> tuple[M, YamlDoc]:
    """As :func:`parse_yaml_model`, with the document, whose positions place later problems."""
    try:
        doc = read_yaml(content, source, what=what)
    except InputError as exc:
        raise error(exc.problems) from None
    try:
        found = validate_model(doc.data, source, _yaml_locator(doc), model, what, error)
    except SsplanError as exc:
        told = {p.line for p in doc.problems}
        raise error([*doc.problems, *(p for p in exc.problems if p.line not in told)]) from None
    if doc.problems:
        raise error(doc.problems)
    remember_source(found, source)
    return found, doc


def validate_programme(data: Any, source: str, locate: Any) -> Programme:
    return validate_model(data, source, locate, Programme, "programme", InputError)


def validate_model(
    data: Any, source: str, locate: Any, model: type[M], what: str, error: type[SsplanError]
) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = problems_from(exc, model, data, locate)
        broken = broken_places(exc, data)
        if broken:  # the cross-checks did not run: look at the rest now, not after the fixes
            found, unseen = cross_checked(model, data, broken)
            if issubclass(model, Programme):  # and at what they could not see, on the raw data
                found += raw_reference_problems(data, broken, unseen)
            problems += located(found, data, locate)
        raise error(problems) from None
    except RecursionError:
        raise error([Problem(f"nested too deeply to be a {what}", file=source)]) from None


def _yaml_locator(doc: YamlDoc) -> Any:
    def locate(loc: Loc) -> dict[str, Any]:
        line, column = doc.locate(loc)
        return {"file": doc.source, "line": line, "column": column}

    return locate


PROVENANCE = ("source", "illustrative", "notes")


def programme_data(programme: Programme) -> dict[str, Any]:
    """The programme as plain data, defaults left out so files stay short.

    Provenance fields (source, illustrative, notes) go last in each record, where a reader
    expects them, although the model declares them first.
    """
    return _provenance_last(programme.model_dump(mode="python", exclude_defaults=True))


def _provenance_last(value: Any) -> Any:
    if isinstance(value, dict):
        ordered = {k: _provenance_last(v) for k, v in value.items() if k not in PROVENANCE}
        ordered.update({k: value[k] for k in PROVENANCE if k in value})
        return ordered
    if isinstance(value, (list, tuple)):
        return [_provenance_last(v) for v in value]
    return value
