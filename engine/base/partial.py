"""Cross-reference problems of a file whose fields are not all valid, found in the same pass.

pydantic runs a model's cross-checks (unknown references, duplicate ids, cycles) only once every
field is valid, so an officer would fix the field problems and only then meet the reference
problems. Instead, the records with field problems are set aside (the whole list item; an
optional section or unknown field is dropped) and the rest is validated again. The cross-checks
are told what was set aside, through pydantic's validation context, so a reference to a broken
record is not reported as unknown. Where a required section itself is broken, the cross-checks
wait for the next pass; :func:`cross_checked` says what they did not see, so that a check on the
raw data (``engine.programme.rawrefs``: the references a broken record makes) can still judge it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.base.errors import ProgrammeProblems

Loc = tuple[str | int, ...]


@dataclass
class SetAside:
    """The list items left out of the second look, and where the kept items sat in the file."""

    records: dict[str, list[Any]] = field(default_factory=dict)
    kept: dict[str, list[int]] = field(default_factory=dict)
    unseen: list[Loc] = field(default_factory=list)  # the items and sections left out, as in the file

    def original(self, loc: Loc) -> Loc:
        """Map a location in the reduced data back to the file's own item numbers."""
        if len(loc) >= 2 and isinstance(loc[1], int) and str(loc[0]) in self.kept:
            return (loc[0], self.kept[str(loc[0])][loc[1]], *loc[2:])
        return loc

    def ids(self, section: str) -> set[str]:
        return {
            r["id"]
            for r in self.records.get(section, ())
            if isinstance(r, Mapping) and isinstance(r.get("id"), str)
        }

    def values(self, section: str, key: str) -> set[str]:
        return {
            r[key]
            for r in self.records.get(section, ())
            if isinstance(r, Mapping) and isinstance(r.get(key), str)
        }


def later_problems(model: type[BaseModel], data: Any, broken: Sequence[Loc]) -> list[tuple[Loc, str]]:
    """The cross-check problems of ``data`` with the ``broken`` places set aside (file locations)."""
    return cross_checked(model, data, broken)[0]


def cross_checked(
    model: type[BaseModel], data: Any, broken: Sequence[Loc]
) -> tuple[list[tuple[Loc, str]], list[Loc] | None]:
    """As :func:`later_problems`, with the places the cross-checks did not see: the records and
    optional sections set aside, or None where they could not run at all.  What they did not see,
    a check on the raw data may still judge (the references a broken record makes)."""
    reduced = _reduce(model, data, broken)
    if reduced is None:
        return [], None
    rest, aside = reduced
    try:
        model.model_validate(rest, context={"set_aside": aside})
    except ValidationError as exc:
        found: list[tuple[Loc, str]] = []
        for error in exc.errors():
            cause = (error.get("ctx") or {}).get("error")
            if not isinstance(cause, ProgrammeProblems):
                return [], None  # setting aside broke something else: wait for the next pass
            found += [(aside.original(tuple(loc)), message) for loc, message in cause.problems]
        return found, aside.unseen
    except RecursionError:
        return [], None
    return [], aside.unseen


def _reduce(
    model: type[BaseModel], data: Any, broken: Sequence[Loc]
) -> tuple[dict[str, Any], SetAside] | None:
    if not isinstance(data, Mapping):
        return None
    rest = dict(data)
    drop: dict[str, set[int]] = {}
    unseen: list[Loc] = []
    for loc in broken:
        if not loc:
            return None
        head = str(loc[0])
        info = model.model_fields.get(head)
        if info is None:  # an unknown top-level field: drop it unless it is a misspelt section
            if difflib.get_close_matches(head, list(model.model_fields), n=1):
                return None
            rest.pop(head, None)
            unseen.append((head,))
        elif len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data.get(head), list):
            drop.setdefault(head, set()).add(loc[1])
        elif not info.is_required():
            rest.pop(head, None)
            unseen.append((head,))
        else:
            return None
    aside = SetAside()
    for head, indices in drop.items():
        unseen += [(head, i) for i in sorted(indices)]
        items = data[head]
        aside.kept[head] = [i for i in range(len(items)) if i not in indices]
        aside.records[head] = [items[i] for i in sorted(indices)]
        rest[head] = [items[i] for i in aside.kept[head]]
    aside.unseen = list(dict.fromkeys(unseen))
    return rest, aside
