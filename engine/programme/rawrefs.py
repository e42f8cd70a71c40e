"""References judged on the raw data, for the records the cross-checks could not see.

When a record has a field problem (a negative cost, a risk written "lowish"), pydantic cannot
build it, so :mod:`engine.programme.checks` never sees its other fields: an officer would fix the
cost and only then hear that the same option names an unknown provider.  The references such a
record makes do not depend on its broken field, so they are judged here on the file's own
mapping, against every id the file writes (a record with a field problem still has its id, so a
reference to it is not "unknown": no knock-on noise).  A reference whose own place is broken is
left to its field problem; a kind of id that cannot be listed (its section is not a list, or an
item has no id) is not judged at all.  Messages are worded as the cross-checks word them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.programme.checks import _suggest

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]

SECTIONS = {"partner": "partners", "service": "services", "resource": "resources", "option": "options"}


@dataclass(frozen=True)
class Ref:
    """One reference in the file: where it is, the id it names, what kind of id, who makes it."""

    loc: Loc
    value: Any
    kind: str
    who: str
    key: bool = False  # the id is a mapping's key (``shares: {county: 0.5}``): its value is apart


def raw_reference_problems(data: Any, broken: Sequence[Loc], unseen: Sequence[Loc] | None) -> list[Problem]:
    """Unknown references and repeated ids in the places of ``data`` listed in ``unseen`` (every
    place when None: the cross-checks did not run), skipping places under a ``broken`` one."""
    if not isinstance(data, Mapping):
        return []
    wrong, places = set(broken), None if unseen is None else set(unseen)  # looked up once a reference
    known = {kind: _ids(data, section) for kind, section in SECTIONS.items()}
    problems = _repeated_ids(data, places)
    for ref in _references(data):
        if not isinstance(ref.value, str) or not _within(ref.loc, places) or _broken(ref, wrong):
            continue
        ids = known[ref.kind]
        if ids is None or ref.value in ids:
            continue
        problems.append((ref.loc, _unknown(ref, data, ids)))
    return problems


def _unknown(ref: Ref, data: Mapping[str, Any], ids: set[str]) -> str:
    """The cross-checks' message for a reference that names nothing."""
    if ref.loc[-1] == "follows":
        implicit = {f"{s}-status-quo" for s in _ids(data, "services") or ()}
        if ref.value in implicit:
            return f"{ref.who} follows the status quo; a stage follows an earlier change"
        own = _item(data, ref.loc[:2])
        same = [
            r["id"]
            for _, r in _items(data, "options")
            if r.get("service") == own.get("service") and isinstance(r.get("id"), str) and r is not own
        ]
        return f"{ref.who} follows unknown option `{ref.value}`{_suggest(ref.value, same)}"
    if ref.loc[0] == "actuals":
        return f"{ref.who} references unknown option `{ref.value}`"
    return f"{ref.who} references unknown {ref.kind} `{ref.value}`{_suggest(ref.value, sorted(ids))}"


def _references(data: Mapping[str, Any]) -> Iterator[Ref]:
    """Every reference the file makes, section by section in the cross-checks' order."""
    for i, r in _items(data, "partners"):
        yield from _listed(("partners", i, "owners"), r, "partner", _who("partner", r, i))
    for i, r in _items(data, "services"):
        who, at = _who("service", r, i), ("services", i)
        yield from (
            Ref((*at, f), r.get(f), "partner", who) for f in ("owner", "current_provider", "lead_provider")
        )
        yield from _keys((*at, "shares"), r, "partner", who)
        yield from _keys((*at, "staff"), r, "partner", who)
    for i, r in _items(data, "options"):
        who, at = _who("option", r, i), ("options", i)
        yield Ref((*at, "service"), r.get("service"), "service", who)
        yield Ref((*at, "provider"), r.get("provider"), "partner", who)
        yield from _keys((*at, "demand"), r, "resource", who)
        yield from _keys((*at, "stranded_split"), r, "partner", who)
        yield Ref((*at, "follows"), r.get("follows"), "option", who)
    for i, r in _items(data, "dependencies"):
        who = f"dependency {r.get('before')} → {r.get('after')}"
        yield from (Ref(("dependencies", i, f), r.get(f), "service", who) for f in ("before", "after"))
    for i, r in _items(data, "resources"):
        for j, tranche in enumerate(_list(r.get("funding"))):
            if isinstance(tranche, Mapping):
                who = f"{_who('resource', r, i)} funding"
                yield from _listed(("resources", i, "funding", j, "by"), tranche, "partner", who)
    yield from _policies(data)
    yield from _listed(("consensus", "partners"), _mapping(data.get("consensus")), "partner", "consensus")
    yield Ref(("governance", "lead"), _mapping(data.get("governance")).get("lead"), "partner", "governance")
    for i, r in _items(data, "risks"):
        yield from _listed(("risks", i, "services"), r, "service", "risk")
    for i, r in _items(data, "actuals"):
        yield Ref(
            ("actuals", i, "option"), r.get("option"), "option", f"actual of option `{r.get('option')}`"
        )
    yield from _funding(data)


def _policies(data: Mapping[str, Any]) -> Iterator[Ref]:
    places: list[tuple[Loc, Mapping[str, Any]]] = []
    if isinstance(data.get("exception_policy"), Mapping):
        places.append((("exception_policy",), data["exception_policy"]))
    places += [(("exception_policies", i), r) for i, r in _items(data, "exception_policies")]
    for at, policy in places:
        yield Ref((*at, "client"), policy.get("client"), "partner", "exception policy")
        yield from _listed((*at, "services"), policy, "service", "exception policy")


def _funding(data: Mapping[str, Any]) -> Iterator[Ref]:
    for i, r in _items(data, "funding"):
        who, at = f"funding source `{r.get('id')}`", ("funding", i)
        if r.get("kind") == "contribution":
            yield Ref((*at, "from_partner"), r.get("from_partner"), "partner", who)
        yield from _keys((*at, "to"), r, "partner", who)
        yield from _listed((*at, "services"), r, "service", who)


def _repeated_ids(data: Mapping[str, Any], unseen: Collection[Loc] | None) -> list[Problem]:
    """An id used twice where either use was not seen by the cross-checks (they report the rest)."""
    out: list[Problem] = []
    for kind, section in SECTIONS.items():
        first: dict[str, int] = {}
        for i, r in _items(data, section):
            value = r.get("id")
            if not isinstance(value, str):
                continue
            if value in first and (_within((section, i), unseen) or _within((section, first[value]), unseen)):
                out.append(
                    (
                        (section, i, "id"),
                        f"duplicate {kind} id `{value}` (first used at item {first[value] + 1})",
                    )
                )
            first.setdefault(value, i)
    return out


def _ids(data: Mapping[str, Any], section: str) -> set[str] | None:
    """Every id the section writes, broken records included; None where they cannot be listed."""
    items = data.get(section, [])
    if not isinstance(items, list):
        return None
    ids = [r.get("id") if isinstance(r, Mapping) else None for r in items]
    return {x for x in ids if isinstance(x, str)} if all(isinstance(x, str) for x in ids) else None


def _within(loc: Loc, places: Collection[Loc] | None) -> bool:
    """Whether ``loc`` is one of ``places`` or inside one (every place when None)."""
    return places is None or any(loc[:end] in places for end in range(1, len(loc) + 1))


def _broken(ref: Ref, broken: Collection[Loc]) -> bool:
    """Whether the reference's own place has a field problem (a key's value may be broken apart)."""
    ends = range(1, len(ref.loc) if ref.key else len(ref.loc) + 1)
    return any(ref.loc[:end] in broken for end in ends)


def _who(kind: str, record: Mapping[str, Any], i: int) -> str:
    ident = record.get("id")
    return f"{kind} `{ident}`" if isinstance(ident, str) else f"{kind} {i + 1}"


def _items(data: Mapping[str, Any], section: str) -> list[tuple[int, Mapping[str, Any]]]:
    return [(i, r) for i, r in enumerate(_list(data.get(section))) if isinstance(r, Mapping)]


def _item(data: Mapping[str, Any], loc: Loc) -> Mapping[str, Any]:
    items = _list(data.get(str(loc[0])))
    index = loc[1]
    return _mapping(items[index]) if isinstance(index, int) and index < len(items) else {}


def _listed(at: Loc, record: Mapping[str, Any], kind: str, who: str) -> Iterator[Ref]:
    for j, value in enumerate(_list(record.get(str(at[-1])))):
        yield Ref((*at, j), value, kind, who)


def _keys(at: Loc, record: Mapping[str, Any], kind: str, who: str) -> Iterator[Ref]:
    for key in _mapping(record.get(str(at[-1]))):
        yield Ref((*at, key), key, kind, who, key=True)


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
