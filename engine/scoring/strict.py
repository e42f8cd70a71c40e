"""``ssplan score --strict``: refuse a score that read an assumed value in place of a missing one.

Every value a rule read through its ``?? default`` (left out of the file, or marked unknown) is one
located problem: the programme file, the line of the record (YAML) and the field, what the rule
set would assume and which rules read it.  All of them are told in one pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.base.errors import InputError, Problem, source_of
from engine.io.yamlsource import YamlDoc, read_yaml
from engine.scoring.assumed import Assumed
from engine.scoring.scores import ScoreTable


def strict_check(table: ScoreTable, assumed: list[list[Assumed]]) -> None:
    """Raise :class:`InputError` naming every assumed value, or return when there are none."""
    problems = strict_problems(table, assumed)
    if problems:
        raise InputError(problems)


def strict_problems(table: ScoreTable, assumed: list[list[Assumed]]) -> list[Problem]:
    """One problem per record and field read as a default, in programme order."""
    source = source_of(table.programme)
    doc = _document(source)
    seen: dict[str, Problem] = {}
    for items in assumed:
        for a in items:
            if a.path in seen:
                continue
            what = "is marked unknown" if a.unknown else "is not given"
            seen[a.path] = Problem(
                f"{a.name} {what}; rule set `{table.rules.id}` would assume {_shown(a.value)} "
                f"(read by {', '.join(a.rules)})",
                file=source or f"programme {table.programme.id}",
                line=_line(doc, table, a),
                field=a.path,
                hint=_hint(table, a),
            )
    return list(seen.values())


def _hint(table: ScoreTable, a: Assumed) -> str:
    where = "give the value in the file"
    if a.field.startswith("option.") and table.table.rows[a.row][1].is_status_quo:
        where = "give the service's status quo as an option (`model: status_quo`) with the value"
    return f"{where}, or score without --strict to accept the assumption"


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else repr(value)


def _document(source: str | None) -> YamlDoc | None:
    """The programme's YAML with positions, to put a line on each problem (None for a workbook)."""
    if not source or Path(source).suffix.lower() not in (".yaml", ".yml"):
        return None
    try:
        return read_yaml(Path(source).read_bytes(), source, "programme")
    except (OSError, InputError):
        return None  # the file changed since it was loaded: the field still names the place


def _line(doc: YamlDoc | None, table: ScoreTable, a: Assumed) -> int | None:
    """The line of the field, else of its record (an implicit status quo: of its service)."""
    if doc is None or not isinstance(doc.data, dict):
        return None
    root, _, rest = a.field.partition(".")
    key, record = ("services", a.service) if root == "service" else ("options", a.record)
    index = _index(doc.data.get(key), record)
    if index is None and key == "options":  # a status quo the programme adds: its service's line
        key, index, rest = "services", _index(doc.data.get("services"), a.service), ""
    if index is None:
        return None
    loc: tuple[str | int, ...] = (key, index, *[p for p in rest.split(".") if p])
    return doc.locate(loc)[0]


def _index(records: Any, record: str) -> int | None:
    if not isinstance(records, list):
        return None
    return next((i for i, r in enumerate(records) if isinstance(r, dict) and r.get("id") == record), None)
