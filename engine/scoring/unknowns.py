"""How far a score rests on values the sources do not give, and whether a recommendation could flip.

A value is *unknown* when the file says so (``null`` or ``unknown``): a service's FTE or an option's
attribute.  Rules read it as missing, so a rule's ``?? default`` stands in for it (and a rule with
no default fails, naming the option, rather than read 0).  An attribute a file simply leaves out is
the rule set's documented default ("unrated counts as 3"), not an unknown, so the status quo, which
has no attributes, is not flagged on every programme.

Each unknown is filled in with the smallest and the largest value the same field takes elsewhere
in the programme where it is a number (each value given, where it is text or true/false), or,
where no record gives it, the ends of the scale of a criterion that reads it; exempt values are
never tried; between a number's ends, both sides of each point where a condition of the rules
turns or the service's recommendation changes are tried too (:func:`engine.scoring.fillin.with_turns`).
The unknowns of one service (its FTE and its options' attributes) are filled in together, every
combination, since they move the same options, and scored as :mod:`engine.scoring.fillin` says.
An option's range is the lowest and highest score over its service's fillings-in and the score
as given; the MoU rule runs on every filling-in, and a service whose recommendation differs in
one is named.

Between two points tried where no condition turns, a criterion that rises or falls with the value
(every shipped one) makes a WSM score rise or fall with it too (a value beyond the others'
stretches a min–max scale, which moves every other option one way), so the range holds every
value between the ends.  A criterion that turns back on itself (a ternary or lookup inside a
criterion) may stray beyond it; the recommendation turns are found on a grid, so two turns
closer together than its step can be missed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.base.errors import RuleError
from engine.rules.ruleset import RuleSet
from engine.scoring.fillin import ATTRIBUTE, FTE, Filling, Unknown, fill_in, with_turns
from engine.scoring.recommend import NONE
from engine.scoring.scores import ScoreTable

__all__ = ["ATTRIBUTE", "FTE", "Unknown", "UnknownRanges", "public_ranges", "unknown_ranges"]

MAX_FILLINGS = 256  # per service


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


def unknown_ranges(table: ScoreTable, assumed: bool = False) -> UnknownRanges:
    """The ranges and possible flips of ``table``'s scores while its unknown values stay unknown;
    with ``assumed``, attributes the file leaves out (read through the rule's default) are tried
    as if unknown too (opt-in: it flags every status quo the rules rate by default)."""
    return table.once(("unknown_ranges", assumed), lambda: _unknown_ranges(table, assumed))


def _unknown_ranges(table: ScoreTable, assumed: bool) -> UnknownRanges:
    n = len(table.table)
    unknowns, failed = find_unknowns(table, assumed), ""
    try:
        unknowns = with_turns(table, unknowns)
    except RuleError as error:
        failed = str(error)
    reads: list[list[Unknown]] = [[] for _ in range(n)]
    for unknown in unknowns:
        for row in unknown.rows:
            reads[row].append(unknown)
    low, high = np.full(n, np.nan), np.full(n, np.nan)
    out = UnknownRanges(unknowns, reads, low, high, np.zeros(n, dtype=bool), failed=failed)
    groups = _fillings(unknowns)
    if not groups or failed:
        return out
    try:
        filled = fill_in(table, [(service, f) for service, batch in groups for f in batch])
    except RuleError as error:
        out.failed = str(error)
        return out
    scores, eligible = filled.scores, filled.eligible
    base = table.options["score"].to_numpy(dtype=float)
    start = 0
    for service, batch in groups:
        copies = slice(start, start + len(batch))
        start += len(batch)
        for row in (r for r in range(n) if reads[r] and table.table.rows[r][0].id == service):
            if any(not u.values for u in reads[row]):
                continue  # nothing bounds one of its unknowns: no range can be stated
            seen = np.append(scores[row, copies], base[row])
            if np.isnan(seen).all():
                continue  # ruled out whatever the value
            low[row], high[row] = np.nanmin(seen), np.nanmax(seen)
            out.ruled_out[row] = bool(table.options["eligible"].iloc[row]) and not eligible[row, copies].all()
    out.choices = _choices(table, filled.chosen(table))
    return out


def find_unknowns(table: ScoreTable, assumed: bool = False) -> list[Unknown]:
    """The unknown values the rule set reads, in programme order, each with the values to try
    (with ``assumed``, attributes left out of the file as well)."""
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
        zero_point = _measured_from_today(table.rules, column)
        for i, (service, option) in enumerate(rows):
            if assumed and option.is_status_quo and zero_point and name not in option.attributes:
                continue  # a status quo's assumed value is the zero point the changes are measured from
            if (name in option.attributes or assumed) and option.attributes.get(name) is None:
                values, basis = _candidates(given, column, table.rules)
                found.append(Unknown(column, option.id, service.id, (i,), values, basis))
    return found


def _measured_from_today(rules: RuleSet, column: str) -> bool:
    """Whether a criterion reading ``column`` scores each option by its change from the status quo
    (``change`` normalisation): then the status quo's own value is the zero point, not an input
    whose range moves any score, and trying it would cancel the change being tried."""
    return any(
        (criterion.normalisation or rules.normalisation) == "change"
        for criterion in rules.criteria
        if column in rules.compiled.criteria[criterion.id].symbols
    )


def fields_read(rules: RuleSet) -> set[str]:
    """Every field any rule of ``rules`` reads (derived values read what their expressions read)."""
    return set(rules.fields_read)


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
        ends = tuple(dict.fromkeys((float(min(given)), float(max(given)))))
        return ends, "the smallest and largest values given elsewhere in the programme"
    if given:
        return tuple(given), "the values given elsewhere in the programme"
    for criterion in rules.criteria:
        reads = column in rules.compiled.criteria[criterion.id].symbols
        if reads and criterion.scale:  # a declared scale bounds the raw values whatever the method
            lo, hi = criterion.scale
            return (float(lo), float(hi)), f"the ends of the scale of criterion `{criterion.id}`"
    return (), "no other record gives it and no criterion reading it has a scale"


def _fillings(unknowns: list[Unknown]) -> list[tuple[str, list[Filling]]]:
    """Per service with bounded unknowns, every combination of their values (at most
    :data:`MAX_FILLINGS`: a number takes only its two ends, so only text values could pass it)."""
    by_service: dict[str, list[Unknown]] = {}
    for unknown in unknowns:
        if unknown.values:
            by_service.setdefault(unknown.service, []).append(unknown)
    groups = []
    for service, group in by_service.items():
        combos = itertools.islice(itertools.product(*(u.values for u in group)), MAX_FILLINGS)
        groups.append((service, [dict(zip(group, combo, strict=True)) for combo in combos]))
    return groups


def _choices(table: ScoreTable, chosen: dict[str, np.ndarray]) -> dict[str, tuple[str, ...]]:
    """Services whose MoU recommendation differs in some filling-in: every option it could be."""
    option = table.options["option"].to_numpy()
    given = dict(zip(table.services["service"], table.services["recommended"], strict=True))
    out = {}
    for service, rows in chosen.items():
        seen = [given.get(service)] + [None if r == NONE else str(option[r]) for r in rows]
        distinct = tuple(dict.fromkeys(str(s) if s is not None else "no option" for s in seen))
        if len(distinct) > 1:
            out[service] = distinct
    return out
