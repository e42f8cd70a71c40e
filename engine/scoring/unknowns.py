"""How far a score rests on values the sources do not give, and whether a recommendation could flip.

A value is *unknown* when the file says so (``null`` or ``unknown``): a service's FTE or an option's
attribute.  Rules read it as missing, so a rule's ``?? default`` stands in for it (and a rule with
no default fails, naming the option, rather than read 0).  An attribute a file simply leaves out is
the rule set's documented default ("unrated counts as 3"), not an unknown, so the status quo, which
has no attributes, is not flagged on every programme.

Each unknown is filled in with the values the same field takes elsewhere in the programme (its
smallest and largest, and those in between, where it is a number; each value given, where it is
text or true/false), or, where no record gives it, the ends and middle of the scale of a criterion
that reads it.  The unknowns of one service (its FTE and its options' attributes) are filled in
together, every combination, since they move the same options; each filling-in is one copy of the
option table, all copies are stacked and every rule runs once over them (as for cost draws), and
each copy is then normalised and scored on its own.  An option's range is the lowest and highest
score over its service's fillings-in and the score as given; the MoU rule runs on every copy, so a
service whose recommendation differs in some copy is named.

For a criterion that rises or falls with the value (every shipped one), the lowest and highest
scores are reached at the values tried, so the range holds for every value between the ends; a
criterion that turns back on itself between two values given elsewhere may stray beyond it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.base.errors import RuleError
from engine.rules.ruleset import RuleSet
from engine.scoring.recommend import NONE, mou_choice
from engine.scoring.scores import ScoreTable
from engine.scoring.uncertainty import stacked_draws

FTE = "service.fte"
ATTRIBUTE = "option.attributes."
MAX_FILLINGS = 256  # per service: beyond it, each number takes only its two ends


@dataclass(frozen=True)
class Unknown:
    """One value the sources do not give and the values it is tried at."""

    field: str  # the column rules read it by: service.fte or option.attributes.<name>
    record: str  # the service's id (an FTE) or the option's id (an attribute)
    service: str
    rows: tuple[int, ...]  # rows of the option table that hold it
    values: tuple[Any, ...]  # tried in its place; empty when nothing bounds it
    basis: str  # where the values come from, in words

    @property
    def path(self) -> str:
        """Where the file holds it: ``services[payroll].fte``, ``options[hr-other].attributes.outcome``."""
        if self.field == FTE:
            return f"services[{self.record}].fte"
        return f"options[{self.record}].{self.field.removeprefix('option.')}"


@dataclass
class UnknownRanges:
    """Per option-table row: the unknowns its score read, and its score's range while they are
    unknown (NaN where it read none, or nothing bounds them); per service: the options its
    recommendation could be while they are unknown."""

    unknowns: list[Unknown]
    reads: list[list[Unknown]]
    low: np.ndarray
    high: np.ndarray
    ruled_out: np.ndarray  # rows some filling-in rules out
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # only where more than one
    failed: str = ""  # a rule failed on a filled-in value: no ranges (the message says why)

    def could_flip(self, service: str) -> bool:
        return len(self.choices.get(service, ())) > 1


def unknown_ranges(table: ScoreTable) -> UnknownRanges:
    """The ranges and possible flips of ``table``'s scores while its unknown values stay unknown."""
    n = len(table.table)
    unknowns = find_unknowns(table)
    reads: list[list[Unknown]] = [[] for _ in range(n)]
    for unknown in unknowns:
        for row in unknown.rows:
            reads[row].append(unknown)
    low, high = np.full(n, np.nan), np.full(n, np.nan)
    out = UnknownRanges(unknowns, reads, low, high, np.zeros(n, dtype=bool))
    groups = _fillings(unknowns)
    if not groups:
        return out
    fillings = [f for _, batch in groups for f in batch]
    try:
        scores, eligible = _scores(table, fillings)
    except RuleError as error:
        out.failed = str(error)
        return out
    base = table.options["score"].to_numpy(dtype=float)
    start = 0
    for service, batch in groups:
        copies = slice(start, start + len(batch))
        start += len(batch)
        for row in (r for r in range(n) if reads[r] and table.table.rows[r][0].id == service):
            if any(not u.values for u in reads[row]):
                continue  # nothing bounds one of its unknowns: no range can be stated
            seen = np.append(scores[row, copies], base[row])
            low[row], high[row] = np.nanmin(seen), np.nanmax(seen)
            out.ruled_out[row] = bool(table.options["eligible"].iloc[row]) and not eligible[row, copies].all()
    out.choices = _choices(table, scores, eligible)
    return out


def find_unknowns(table: ScoreTable) -> list[Unknown]:
    """The unknown values the rule set reads, in programme order, each with the values to try."""
    read = fields_read(table.rules)
    programme, rows = table.programme, table.table.rows
    found = []
    if FTE in read:  # an exempt figure is never tried: the range must not give it away
        given = sorted({s.fte for s in programme.services if s.fte is not None and "fte" not in s.exempt})
        for service in programme.services:
            if service.fte is None:
                held = tuple(i for i, (s, _) in enumerate(rows) if s.id == service.id)
                values, basis = _candidates(given, FTE, table.rules)
                found.append(Unknown(FTE, service.id, service.id, held, values, basis))
    for name in (f for f in table.rules.attributes if f"{ATTRIBUTE}{f}" in read):
        column = f"{ATTRIBUTE}{name}"
        values_given: list[Any] = [
            o.attributes[name]
            for o in programme.options
            if o.attributes.get(name) is not None and not {"attributes", f"attributes.{name}"} & set(o.exempt)
        ]
        given = sorted(set(values_given))  # one kind per attribute (the option table checks it)
        for i, (service, option) in enumerate(rows):
            if name in option.attributes and option.attributes[name] is None:
                values, basis = _candidates(given, column, table.rules)
                found.append(Unknown(column, option.id, service.id, (i,), values, basis))
    return found


def fields_read(rules: RuleSet) -> set[str]:
    """Every field any rule of ``rules`` reads (derived values read what their expressions read)."""
    compiled = rules.compiled
    expressions = [
        *compiled.derived.values(),
        *compiled.criteria.values(),
        *compiled.eligibility.values(),
        *compiled.adjustments.values(),
    ]
    return {symbol for expression in expressions for symbol in expression.symbols}


def criteria_reading(rules: RuleSet, fields: set[str]) -> set[str]:
    """The criteria whose value reads any of ``fields``, directly or through a derived value."""
    compiled, tainted = rules.compiled, set(fields)
    for item in rules.derived:
        if set(compiled.derived[item.name].symbols) & tainted:
            tainted.add(item.name)
    return {c.id for c in rules.criteria if set(compiled.criteria[c.id].symbols) & tainted}


def public_ranges(table: ScoreTable, ranges: UnknownRanges) -> bool:
    """Whether the ranges may be published: no criterion that reads an unknown is worked from an
    exempt figure in any option.  Filling an unknown in then moves only the scale of criteria
    no secret figure enters, so a range says nothing an exact public score does not."""
    reading = criteria_reading(table.rules, {u.field for u in ranges.unknowns})
    eligible = table.options["eligible"].astype(bool)
    return not any(reading & set(fields) for fields in table.options.loc[eligible, "exempt"])


def _candidates(given: list[Any], column: str, rules: RuleSet) -> tuple[tuple[Any, ...], str]:
    """Values to try for an unknown of ``column``: those given elsewhere, else a criterion's scale."""
    if given and all(isinstance(v, bool) for v in given):
        return (False, True), "true or false"
    if given and all(isinstance(v, (int, float)) for v in given):
        return tuple(float(v) for v in given), "the values given elsewhere in the programme"
    if given:
        return tuple(given), "the values given elsewhere in the programme"
    for criterion in rules.criteria:
        reads = column in rules.compiled.criteria[criterion.id].symbols
        if reads and (criterion.normalisation or rules.normalisation) == "scale" and criterion.scale:
            lo, hi = criterion.scale
            return (float(lo), (lo + hi) / 2, float(hi)), f"the scale of criterion `{criterion.id}`"
    return (), "no other record gives it and no criterion reading it has a scale"


def _fillings(unknowns: list[Unknown]) -> list[tuple[str, list[dict[Unknown, Any]]]]:
    """Per service with bounded unknowns, every combination of their values (the ends only where
    the combinations would pass :data:`MAX_FILLINGS`)."""
    by_service: dict[str, list[Unknown]] = {}
    for unknown in unknowns:
        if unknown.values:
            by_service.setdefault(unknown.service, []).append(unknown)
    groups = []
    for service, group in by_service.items():
        choices = [u.values for u in group]
        if np.prod([len(c) for c in choices]) > MAX_FILLINGS:
            choices = [_ends(c) for c in choices]
        combos = itertools.islice(itertools.product(*choices), MAX_FILLINGS)
        groups.append((service, [dict(zip(group, combo, strict=True)) for combo in combos]))
    return groups


def _ends(values: tuple[Any, ...]) -> tuple[Any, ...]:
    numbers = all(isinstance(v, float) for v in values)
    return (min(values), max(values)) if numbers and len(values) > 2 else values


def _scores(table: ScoreTable, fillings: list[dict[Unknown, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Scores and eligibility (rows × fillings): one stacked copy of the table per filling-in."""
    n, copies = len(table.table), len(fillings)
    columns = {name: np.tile(column, copies) for name, column in table.table.columns.items()}
    for k, filling in enumerate(fillings):
        for unknown, value in filling.items():
            for row in unknown.rows:
                columns[unknown.field][k * n + row] = value
    drawn = stacked_draws(table, columns, copies, "with an unknown value filled in")
    weights = np.array([table.weights[c] for c in table.criteria()])
    return drawn.scores(weights), drawn.eligible


def _choices(table: ScoreTable, scores: np.ndarray, eligible: np.ndarray) -> dict[str, tuple[str, ...]]:
    """Services whose MoU recommendation differs in some filling-in: every option it could be."""
    choice = mou_choice(table.programme, table.options, scores, eligible)
    option = table.options["option"].to_numpy()
    given = dict(zip(table.services["service"], table.services["recommended"], strict=True))
    out = {}
    for service, rows in choice.chosen.items():
        seen = [given.get(service)] + [None if r == NONE else str(option[r]) for r in rows]
        distinct = tuple(dict.fromkeys(str(s) if s is not None else "no option" for s in seen))
        if len(distinct) > 1:
            out[service] = distinct
    return out
