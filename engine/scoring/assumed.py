"""How much of each score rests on values the files do not give.

A rule reads a value left out of a file (or marked unknown) through its ``?? default``: "an
unrated outcome counts as 3".  The score is then partly the rule set's assumption, not the
programme's evidence.  For every option this module lists each such input (the field, whether
the file left it out or marked it unknown, the value assumed, the rules that read it) and the part
of the score it carries: the weighted contribution of every criterion computed from it, directly
or through a derived value.  It never changes a score.

Under TOPSIS a criterion's contribution is its weighted normalised value, which enters the
distances rather than adding up to the score; the share is then indicative only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.rules.defaults import DefaultTaken, defaults_taken
from engine.rules.ruleset import RuleSet
from engine.scoring.scores import ScoreTable

ATTRIBUTE = "option.attributes."


@dataclass(frozen=True)
class Assumed:
    """One input of one option's score that the rule set assumed."""

    row: int
    field: str  # as rules read it: option.attributes.outcome, service.fte
    record: str  # the option's id (option fields) or the service's id (service fields)
    service: str
    unknown: bool  # the file marks it unknown (else it is left out)
    value: Any  # the default used in its place
    constant: bool  # the default is a constant of the rule set, not worked from another figure
    criteria: tuple[str, ...]  # criteria computed from it (their contributions are what it carries)
    rules: tuple[str, ...]  # every rule that read the default: criteria, derived values, conditions
    contribution: float  # the weighted contribution of ``criteria`` (NaN: not scored)

    @property
    def path(self) -> str:
        """Where the file would hold it: ``options[hr-other].attributes.outcome``."""
        root, _, rest = self.field.partition(".")
        if root == "service":
            return f"services[{self.service}].{rest}"
        if root == "option":
            return f"options[{self.record}].{rest}"
        return self.field

    @property
    def name(self) -> str:
        """The field in words: ``outcome``, ``fte``."""
        return self.field.rpartition(".")[2].replace("_", " ")

    @property
    def state(self) -> str:
        return "unknown" if self.unknown else "not given"


def assumed_inputs(table: ScoreTable) -> list[list[Assumed]]:
    """Per row of ``table``'s options, the inputs its score (or eligibility) read as a default."""
    return table.once("assumed_inputs", lambda: _assumed_inputs(table))


def _assumed_inputs(table: ScoreTable) -> list[list[Assumed]]:
    n, rules = len(table.table), table.rules
    taken = _taken(table, n)
    sources = {c.id: _closure(rules, c.id, taken) for c in rules.criteria}
    out: list[list[Assumed]] = []
    for i in range(n):
        found: dict[str, dict[str, Any]] = {}
        for where, items in taken.items():
            for t in items:
                if t.rows[i]:
                    entry = found.setdefault(
                        t.field, {"value": t.values[i], "constant": t.constant, "rules": []}
                    )
                    entry["rules"].append(where)
        out.append([_entry(table, i, field, entry, sources) for field, entry in found.items()])
    return out


def _taken(table: ScoreTable, n: int) -> dict[str, list[DefaultTaken]]:
    """Every rule's defaults taken, keyed by the rule's name (criteria first, as they carry weight)."""
    compiled = table.rules.compiled
    out: dict[str, list[DefaultTaken]] = {}
    for group in (compiled.criteria, compiled.derived, compiled.eligibility, compiled.adjustments):
        for name, expression in group.items():
            found = defaults_taken(expression, table.values, n)
            if found:
                out.setdefault(name, []).extend(found)
    return out


def _closure(rules: RuleSet, criterion: str, taken: dict[str, list[DefaultTaken]]) -> list[DefaultTaken]:
    """The defaults a criterion's value rests on: its own and those of derived values it reads."""
    compiled, seen, stack = rules.compiled, set(), [criterion]
    out: list[DefaultTaken] = []
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        out += taken.get(name, [])
        expression = compiled.criteria[name] if name == criterion else compiled.derived[name]
        stack += [s for s in expression.symbols if s in compiled.derived]
    return out


def _entry(
    table: ScoreTable, i: int, field: str, entry: dict[str, Any], sources: dict[str, list[DefaultTaken]]
) -> Assumed:
    service, option = table.table.rows[i]
    criteria = tuple(c for c, items in sources.items() if any(t.field == field and t.rows[i] for t in items))
    row = table.options.iloc[i]
    contribution = (
        float(sum(float(row[f"{c}.contribution"]) for c in criteria)) if row["eligible"] else float("nan")
    )
    unknown = (field == "service.fte" and service.fte is None) or (
        field.startswith(ATTRIBUTE) and field.removeprefix(ATTRIBUTE) in option.attributes
    )
    value = entry["value"]
    value = value.item() if isinstance(value, np.generic) else value
    return Assumed(
        i,
        field,
        service.id if field.startswith("service.") else option.id,
        service.id,
        unknown,
        value,
        bool(entry["constant"]),
        criteria,
        tuple(dict.fromkeys([*criteria, *entry["rules"]])),
        contribution,
    )


def resting_on_assumed(table: ScoreTable, assumed: list[list[Assumed]]) -> tuple[int, int]:
    """(options whose score rests partly on an assumed value, options scored)."""
    eligible = table.options["eligible"].to_numpy(dtype=bool)
    resting = sum(1 for i, items in enumerate(assumed) if eligible[i] and any(a.criteria for a in items))
    return resting, int(eligible.sum())
