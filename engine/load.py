"""Programme files in and out: YAML (the canonical form) and Excel workbooks for officers.

Every error names the file and the line (or sheet, row and column) and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from engine.atomic import atomic_write
from engine.errors import InputError, Problem, SsplanError, remember_source
from engine.limits import MAX_FILE_BYTES, check_size, read_input
from engine.model import Programme
from engine.partial import later_problems
from engine.validation import Loc, broken_places, located, problems_from
from engine.yamlsource import YamlDoc, dump_yaml, read_yaml

YAML_SUFFIXES = (".yaml", ".yml")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def load_programme(path: str | Path) -> Programme:
    """Read a programme from a ``.yaml`` or ``.xlsx`` file."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError.one("no such file", file=name)
    if path.is_dir():
        raise InputError.one("is a folder; expected a programme file (.yaml or .xlsx)", file=name)
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        from engine.xlsx import read_workbook

        return read_workbook(path)
    if suffix not in YAML_SUFFIXES:
        raise InputError.one(
            f"unknown file type `{path.suffix or '(none)'}`; expected .yaml, .yml or .xlsx", file=name
        )
    return parse_programme(read_input(path, MAX_FILE_BYTES, "programme file"), name)


def programme_from_upload(content: bytes, filename: str) -> Programme:
    """A programme sent as a file's bytes (a web upload), read by its name's suffix."""
    suffix = Path(filename).suffix.lower()
    if suffix in XLSX_SUFFIXES:
        import io

        from engine.xlsx import read_workbook

        return read_workbook(io.BytesIO(content), source=filename)
    if suffix not in YAML_SUFFIXES:
        raise InputError.one(
            f"unknown file type `{suffix or '(none)'}`; expected .yaml, .yml or .xlsx", file=filename
        )
    check_size(len(content), MAX_FILE_BYTES, "programme file", filename)
    return parse_programme(content, filename)


def parse_programme(content: str | bytes, source: str = "<programme>") -> Programme:
    """Validate YAML text as a programme."""
    return parse_yaml_model(content, source, Programme, "programme", InputError)


M = TypeVar("M", bound=BaseModel)


def parse_yaml_model(
    content: str | bytes, source: str, model: type[M], what: str, error: type[SsplanError]
) -> M:
    """YAML text → a validated ``model``; every problem located by line, raised as ``error``."""
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
    return found


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
            problems += located(later_problems(model, data, broken), data, locate)
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


def dump_programme(programme: Programme) -> str:
    return dump_yaml(programme_data(programme))


def save_programme(programme: Programme, path: str | Path) -> None:
    """Write YAML or XLSX by suffix, atomically."""
    path = Path(path)
    if path.suffix.lower() in XLSX_SUFFIXES:
        from engine.xlsx import workbook_bytes

        atomic_write(path, workbook_bytes(programme))
    else:
        atomic_write(path, dump_programme(programme))
