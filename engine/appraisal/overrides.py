"""A scenario's edits of its base programme: `change`, `add` and `remove`, by record kind and id.

The edits are made to a copy of the base's plain data (``programme_data``), which is then
validated as a programme.  Every edit remembers the place in the scenario file where it is
written, so a problem the programme validation finds in an edited, added or cascaded record is
reported at the scenario's own line and field; a reference that a removal breaks is reported at
the removal's line.  Every problem is found in one pass.

Order: the shorthand fields (``capacities``, ``budget``, ``margin``, ``exclude_options``), then
``remove`` (with its cascades), then ``add``, then ``change`` (which may change an added record).
A changed field's value replaces the old one whole (a mapping such as ``shares`` or ``demand``
included); ``null`` clears an optional field.  Records are named by id; a dependency by
``before->after``.  The removal of a partner cascades as :mod:`engine.appraisal.partner_exit`
describes.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from engine.appraisal.partner_exit import remove_partner
from engine.base.errors import Problem
from engine.io.validation import Loc, field_path
from engine.io.yamlsource import YamlDoc
from engine.programme.model import Id, Record

LISTS = (
    "partners",
    "services",
    "options",
    "resources",
    "dependencies",
    "exception_policies",
    "actuals",
    "funding",
)
SINGLETONS = ("budget", "exception_policy", "consensus", "settings", "horizon")
OPTIONAL = ("budget", "exception_policy", "consensus")
KIND = {
    "partners": "partner",
    "services": "service",
    "options": "option",
    "resources": "resource",
    "dependencies": "dependency",
    "exception_policies": "exception policy of",
    "actuals": "actual of option",
    "funding": "funding source",
}
# the fields that name a record (else `id`); a further exception policy is named by its client,
# an actual by its option
NAMING = {"dependencies": ("before", "after"), "exception_policies": ("client",), "actuals": ("option",)}

Fields = dict[str, Any]


def _dependency_key(value: str) -> str:
    before, arrow, after = value.partition("->")
    before, after = before.strip(), after.strip()
    if not arrow or not before or not after or "->" in after:
        raise ValueError(f"expected a dependency written `before->after` (two service ids), got {value!r}")
    return f"{before}->{after}"


DependencyKey = Annotated[str, Field(max_length=200), AfterValidator(_dependency_key)]


class Changes(Record):
    """Field updates, by record kind: ``{options: {hr-county-s101: {one_off_cost: 40000}}}``."""

    partners: dict[Id, Fields] = Field(default_factory=dict)
    services: dict[Id, Fields] = Field(default_factory=dict)
    options: dict[Id, Fields] = Field(default_factory=dict)
    resources: dict[Id, Fields] = Field(default_factory=dict)
    dependencies: dict[DependencyKey, Fields] = Field(default_factory=dict)
    exception_policies: dict[Id, Fields] = Field(default_factory=dict)  # by client
    actuals: dict[Id, Fields] = Field(default_factory=dict)  # by option
    funding: dict[Id, Fields] = Field(default_factory=dict)
    budget: Fields = Field(default_factory=dict)
    exception_policy: Fields = Field(default_factory=dict)
    consensus: Fields = Field(default_factory=dict)
    settings: Fields = Field(default_factory=dict)
    horizon: Fields = Field(default_factory=dict)


class Additions(Record):
    """Whole new records, by kind; a budget, exception policy or consensus the base lacks."""

    partners: tuple[Fields, ...] = ()
    services: tuple[Fields, ...] = ()
    options: tuple[Fields, ...] = ()
    resources: tuple[Fields, ...] = ()
    dependencies: tuple[Fields, ...] = ()
    exception_policies: tuple[Fields, ...] = ()
    actuals: tuple[Fields, ...] = ()
    funding: tuple[Fields, ...] = ()
    budget: Fields | None = None
    exception_policy: Fields | None = None
    consensus: Fields | None = None


class Removals(Record):
    """Ids to take out, by kind (a dependency as ``before->after``); ``true`` removes a section."""

    partners: tuple[Id, ...] = ()
    services: tuple[Id, ...] = ()
    options: tuple[Id, ...] = ()
    resources: tuple[Id, ...] = ()
    dependencies: tuple[DependencyKey, ...] = ()
    exception_policies: tuple[Id, ...] = ()  # by client
    actuals: tuple[Id, ...] = ()  # by option
    funding: tuple[Id, ...] = ()
    budget: bool = False
    exception_policy: bool = False
    consensus: bool = False


def record_key(kind: str, record: Any) -> str | None:
    """How a scenario names a record: its id, or ``before->after`` for a dependency."""
    if not isinstance(record, dict):
        return None
    if kind == "dependencies":
        before, after = record.get("before"), record.get("after")
        return f"{before}->{after}" if isinstance(before, str) and isinstance(after, str) else None
    found = record.get(NAMING[kind][0] if kind in NAMING else "id")
    return found if isinstance(found, str) else None


@dataclass
class _Mark:
    record: Any  # the dict edited (held, so its identity stays unique)
    field: str | None  # None: the whole record
    at: Loc  # where in the scenario file
    deeper: bool  # whether a place inside the field is a place inside the scenario's value
    weak: bool = False  # a changed record as a whole: only where nothing more precise is known


@dataclass
class Edit:
    """The base's data being edited, and where in the scenario file each edit is written."""

    data: dict[str, Any]
    source: str
    doc: YamlDoc | None
    raw: Any  # the scenario as written (for naming its fields)
    problems: list[Problem] = field(default_factory=list)
    marks: list[_Mark] = field(default_factory=list)
    removed: dict[tuple[str, str], Loc] = field(default_factory=dict)
    emptied: dict[str, Loc] = field(default_factory=dict)  # a section whose last record a removal took
    base_ids: dict[str, set[str]] = field(default_factory=dict)
    _index: dict[str, dict[str | None, dict[str, Any]]] = field(default_factory=dict)  # see find

    def __post_init__(self) -> None:
        for kind in LISTS:
            self.data.setdefault(kind, [])
            self.base_ids[kind] = {k for r in self.data[kind] if (k := record_key(kind, r)) is not None}

    # where things are ----------------------------------------------------------------------
    def place(self, at: Loc, hint: str | None = None) -> dict[str, Any]:
        """File, line, column and field of a place in the scenario file."""
        line, column = self.doc.locate(at) if self.doc is not None else (None, None)
        where: dict[str, Any] = {"file": self.source, "line": line, "column": column}
        where["field"] = field_path(at, self.raw)
        if hint:
            where["hint"] = hint
        return where

    def problem(self, message: str, at: Loc, hint: str | None = None) -> None:
        self.problems.append(Problem(message, **self.place(at, hint)))

    def mark(self, record: Any, name: str | None, at: Loc, deeper: bool = True, weak: bool = False) -> None:
        self.marks.append(_Mark(record, name, at, deeper, weak))

    def note_removed(self, kind: str, key: str, at: Loc) -> None:
        self.removed.setdefault((kind, key), at)

    # finding records ---------------------------------------------------------------------------
    def find(self, kind: str, key: str) -> dict[str, Any] | None:
        """The record of ``kind`` called ``key`` (an index kept per kind, so a scenario with many
        changes or additions costs linear time, not quadratic)."""
        index = self._index.get(kind)
        if index is None:
            index = self._index[kind] = {}
            for record in self.data[kind]:
                index.setdefault(record_key(kind, record), record)
        return index.get(key)

    def append(self, kind: str, record: dict[str, Any]) -> None:
        self.data[kind].append(record)
        if kind in self._index:
            self._index[kind].setdefault(record_key(kind, record), record)

    def unknown(self, kind: str, key: str, at: Loc) -> None:
        """Say that ``key`` names no record of ``kind`` (or that this scenario removed it)."""
        gone = self.removed.get((kind, key))
        if gone is not None:
            line = self.place(gone)["line"]
            where = f" (at line {line})" if line is not None else ""
            self.problem(f"{KIND[kind]} `{key}` is removed by this scenario{where}", at)
            return
        known = sorted(self.base_ids[kind])
        close = difflib.get_close_matches(key, known, n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        self.problem(f"unknown {KIND[kind]} `{key}`{hint}", at)

    def drop(self, kind: str, keep: Callable[[Any], bool], at: Loc) -> None:
        """Remove the records of ``kind`` that ``keep`` refuses, noting each as removed at ``at``."""
        kept = []
        for record in self.data[kind]:
            if keep(record):
                kept.append(record)
            else:
                key = record_key(kind, record)
                if key is not None:
                    self.note_removed(kind, key, at)
        if self.data[kind] and not kept:
            self.emptied.setdefault(kind, at)
        self.data[kind] = kept
        self._index.pop(kind, None)

    def drop_keys(self, kind: str, places: dict[str, Loc]) -> None:
        """Remove the records of ``kind`` named in ``places`` (key -> where the removal is written)
        in one pass, each noted as removed at its own place."""
        for key, at in places.items():
            self.note_removed(kind, key, at)
        kept = [r for r in self.data[kind] if record_key(kind, r) not in places]
        if self.data[kind] and not kept:
            self.emptied.setdefault(kind, next(iter(places.values())))
        self.data[kind] = kept
        self._index.pop(kind, None)

    def drop_record(self, kind: str, key: str, at: Loc) -> None:
        self.drop(kind, lambda r: record_key(kind, r) != key, at)

    def drop_services(self, ids: set[str], at: Loc) -> None:
        """Services leave with their options and every dependency that names them."""
        self.drop("services", lambda s: s.get("id") not in ids, at)
        self.drop("options", lambda o: o.get("service") not in ids, at)
        self.drop("dependencies", lambda d: d.get("before") not in ids and d.get("after") not in ids, at)

    # programme problems placed in the scenario ------------------------------------------------
    def locator(self) -> Any:
        """``locate`` for :func:`engine.io.records.validate_model`: a programme's place → the
        scenario line that made it, or the removal whose id it still names."""
        index: dict[int, Loc] = {}
        for kind in LISTS:
            for i, record in enumerate(self.data[kind]):
                index[id(record)] = (kind, i)
        for name in SINGLETONS:
            if isinstance(self.data.get(name), dict):
                index[id(self.data[name])] = (name,)
        places: dict[Loc, _Mark] = {}
        weak: dict[Loc, _Mark] = {}
        for mark in self.marks:
            found = index.get(id(mark.record))
            if found is not None:
                (weak if mark.weak else places)[found + ((mark.field,) if mark.field else ())] = mark

        def locate(loc: Loc) -> dict[str, Any]:
            for end in range(len(loc), 0, -1):
                mark = places.get(tuple(loc[:end]))
                if mark is not None:
                    return self.place(mark.at + tuple(loc[end:]) if mark.deeper else mark.at)
            return self._unplaced(tuple(loc), weak)

        return locate

    def _unplaced(self, loc: Loc, weak: dict[Loc, _Mark]) -> dict[str, Any]:
        """A problem in a field the scenario did not set: a reference a removal broke, else the
        record's check where the scenario changed the record (a profile that no longer matches
        a changed duration), else the programme's own field, in the scenario's file."""
        if len(loc) == 1 and loc[0] in self.emptied:
            hint = f"the scenario removes every one of the programme's {loc[0]}"
            return self.place(self.emptied[str(loc[0])], hint)
        named = [str(loc[-1])] if loc else []
        value = _value_at(self.data, loc)
        if isinstance(value, str):
            named.insert(0, value)
        for kind in LISTS:
            for key in named:
                gone = self.removed.get((kind, key))
                if gone is not None:
                    hint = f"{KIND[kind]} `{key}` is removed by this scenario but still named there"
                    broken = f"{field_path(gone, self.raw)} → {_dotted(self, loc)}"
                    return {**self.place(gone, hint), "field": broken}
        for end in range(len(loc), 0, -1):
            mark = weak.get(tuple(loc[:end]))
            if mark is not None:
                return self.place(mark.at)
        lines = sorted({line for m in self.marks if (line := self.place(m.at)["line"]) is not None})
        shown = ", ".join(map(str, lines[:6])) + (" …" if len(lines) > 6 else "")
        return {
            "file": self.source,
            "field": f"programme {_dotted(self, loc)}",
            "hint": "the base programme is valid here, so one of the scenario's overrides "
            + (f"(line {shown}) " if len(lines) == 1 else f"(lines {shown}) " if lines else "")
            + "leaves it so",
        }


def _dotted(edit: Edit, loc: Loc) -> str:
    return field_path(loc, edit.data) or "programme"


def _words(name: str) -> str:
    return name.replace("_", " ")


def _value_at(data: Any, loc: Iterable[str | int]) -> Any:
    node = data
    for part in loc:
        inside = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if not inside:
            return None
        node = node[part]
    return node


# remove -------------------------------------------------------------------------------------------
def remove(edit: Edit, removals: Removals, changes: Changes, additions: Additions) -> None:
    """Take out sections and records; a partner's removal cascades (see ``partner_exit``)."""
    new_default = any(f.get("default_provider") for f in (*changes.partners.values(), *additions.partners))
    for name in OPTIONAL:
        if getattr(removals, name) and edit.data.pop(name, None) is None:
            edit.problem(f"the base programme has no {_words(name)} to remove", ("remove", name))
    for kind in (
        "actuals",
        "funding",
        "exception_policies",
        "dependencies",
        "options",
        "services",
        "resources",
        "partners",
    ):
        simple: dict[str, Loc] = {}
        for j, key in enumerate(getattr(removals, kind)):
            at: Loc = ("remove", kind, j)
            if key not in edit.base_ids[kind]:
                edit.unknown(kind, key, at)
            elif kind == "services":
                edit.drop_services({key}, at)
            elif kind == "partners":
                remove_partner(edit, key, at, removals, changes, new_default)
            else:
                simple.setdefault(key, at)
        if simple:
            edit.drop_keys(kind, simple)


# change -------------------------------------------------------------------------------------------
def change(edit: Edit, changes: Changes) -> None:
    """Set fields of named records and of the programme's single sections."""
    for kind in LISTS:
        for key, fields in getattr(changes, kind).items():
            at: Loc = ("change", kind, _written_key(edit, kind, key))
            record = edit.find(kind, key)
            if record is None:
                edit.unknown(kind, key, at)
            else:
                _set_fields(edit, record, fields, at, NAMING.get(kind, ("id",)))
    for name in SINGLETONS:
        fields = getattr(changes, name)
        if not fields:
            continue
        record = edit.data.get(name)
        if record is None and name in OPTIONAL:
            edit.problem(
                f"the base programme has no {_words(name)} to change; give a whole one under `add:`",
                ("change", name),
            )
            continue
        if record is None:
            record = edit.data[name] = {}  # settings left at their defaults
        _set_fields(edit, record, fields, ("change", name), ())


def _set_fields(edit: Edit, record: dict[str, Any], fields: Fields, at: Loc, naming: tuple[str, ...]) -> None:
    for name, value in fields.items():
        if name in naming:
            edit.problem(
                f"`{name}` names the record and cannot be changed; remove the record and add a new one",
                (*at, name),
            )
            continue
        record[name] = copy.deepcopy(value)
        edit.mark(record, name, (*at, name))
    edit.mark(record, None, at, deeper=False, weak=True)


def _written_key(edit: Edit, kind: str, key: str) -> str:
    """The key as the file spells it (``hr -> payroll`` is read as ``hr->payroll``)."""
    if kind != "dependencies" or edit.doc is None or not isinstance(edit.raw, dict):
        return key
    written = ((edit.raw.get("change") or {}).get("dependencies")) or {}
    if isinstance(written, dict):
        return next((k for k in written if isinstance(k, str) and k.replace(" ", "") == key), key)
    return key


# add ----------------------------------------------------------------------------------------------
def add(edit: Edit, additions: Additions) -> None:
    """Append whole records; set a single section the base lacks."""
    for kind in LISTS:
        for j, record in enumerate(getattr(additions, kind)):
            at: Loc = ("add", kind, j)
            key = record_key(kind, record)
            if key is not None and edit.find(kind, key) is not None:
                edit.problem(
                    f"{KIND[kind]} `{key}` is already in the programme; change its fields under `change:`", at
                )
                continue
            new = copy.deepcopy(record)
            edit.append(kind, new)
            edit.mark(new, None, at)
    for name in OPTIONAL:
        record = getattr(additions, name)
        if record is None:
            continue
        if edit.data.get(name) is not None:
            edit.problem(
                f"the base programme already has a {_words(name)}; change its fields under `change:`",
                ("add", name),
            )
            continue
        edit.data[name] = copy.deepcopy(record)
        edit.mark(edit.data[name], None, ("add", name))
