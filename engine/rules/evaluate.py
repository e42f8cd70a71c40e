"""The row-local half of scoring: derived values, eligibility, raw criterion values, adjustments.

Every rule reads one service × option row, so the same evaluation serves one programme
(:func:`engine.scoring.scores.score`) and many copies of it stacked end to end with drawn costs
(:mod:`engine.scoring.uncertainty`).  Normalising and weighting look across rows and stay in scoring.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.base.errors import Problem, RuleError, source_of
from engine.rules.context import OptionTable
from engine.rules.expr import EvaluationError, Expression, Kind
from engine.rules.ruleset import Lookup, RuleSet


@dataclass(frozen=True)
class Fired:
    rule: str
    kind: str  # eligibility | adjustment | criterion
    text: str
    effect: str = ""


@dataclass
class Evaluated:
    columns: dict[str, np.ndarray]  # every column rules read, derived values included
    raw: np.ndarray  # rows × criteria
    eligible: np.ndarray  # rows
    criterion_adjustment: np.ndarray  # rows × criteria, added to the normalised value
    total_adjustment: np.ndarray  # rows, added to the score
    fired: list[list[Fired]]


def evaluate(
    table: OptionTable,
    rules: RuleSet,
    columns: dict[str, np.ndarray] | None = None,
    rows: int | None = None,
    vectorised: bool = True,
    what: str = "",
) -> Evaluated:
    """Run every rule of ``rules`` on ``columns`` (default: the table's own) of ``rows`` rows.

    Rows beyond the table's length are copies of it (row ``i`` is the table's ``i % len``), which is
    how errors in drawn copies are still located at the option they came from; ``what`` says which
    copy (e.g. "in a cost draw").
    """
    n = len(table) if rows is None else rows
    columns = dict(table.columns if columns is None else columns)
    compiled = rules.compiled
    run = _Runner(table, columns, vectorised, rules, n, what)
    for item in rules.derived:
        columns[item.name] = run(compiled.derived[item.name], f"derived value `{item.name}`")

    fired: list[list[Fired]] = [[] for _ in range(n)]
    eligible = np.ones(n, dtype=bool)
    for rule in rules.eligibility:
        hit = run(compiled.eligibility[rule.id], f"eligibility rule `{rule.id}`").astype(bool)
        for i in np.flatnonzero(hit):
            fired[i].append(Fired(rule.id, "eligibility", rule.text, "ruled out"))
        eligible &= ~hit

    criteria = [c.id for c in rules.criteria]
    raw = np.zeros((n, len(criteria)))
    for j, criterion in enumerate(rules.criteria):
        values = run(compiled.criteria[criterion.id], f"criterion `{criterion.id}`")
        if criterion.lookup is not None:
            values = _lookup(values, criterion.lookup, criterion.id, table, source_of(rules))
        elif compiled.criteria[criterion.id].type.kind == Kind.BOOLEAN:
            for i in np.flatnonzero(values.astype(bool)):
                fired[i].append(Fired(criterion.id, "criterion", criterion.text, f"{criterion.name}: yes"))
        if values.dtype == object:  # a true/false that may be missing: missing is no number
            values = np.array([np.nan if v is None else v for v in values], dtype=float)
        raw[:, j] = values.astype(float)
        bad = ~np.isfinite(raw[:, j]) & eligible
        if bad.any():
            first = int(np.argmax(bad))
            value = raw[first, j]
            why = " (a missing value: give it a default with `??`)" if value != value else f" ({value})"
            raise run.error(first, f"criterion `{criterion.id}` gives no finite number{why}")

    by_criterion = np.zeros((n, len(criteria)))
    total = np.zeros(n)
    for adjustment in rules.adjustments:
        hit = (
            run(compiled.adjustments[adjustment.id], f"adjustment `{adjustment.id}`").astype(bool) & eligible
        )
        target = f"{adjustment.criterion}" if adjustment.criterion else "the total"
        for i in np.flatnonzero(hit):
            fired[i].append(
                Fired(adjustment.id, "adjustment", adjustment.text, f"{adjustment.add:+g} on {target}")
            )
        if adjustment.criterion:
            by_criterion[hit, criteria.index(adjustment.criterion)] += adjustment.add
        else:
            total[hit] += adjustment.add
    return Evaluated(columns, raw, eligible, by_criterion, total, fired)


class _Runner:
    """Evaluates expressions on the columns, turning row failures into located rule errors."""

    def __init__(
        self,
        table: OptionTable,
        columns: dict[str, np.ndarray],
        vectorised: bool,
        rules: RuleSet,
        rows: int,
        what: str,
    ):
        self.table, self.columns, self.vectorised, self.rules = table, columns, vectorised, rules
        self.rows, self.what = rows, what

    def __call__(self, expression: Expression, what: str) -> np.ndarray:
        try:
            if self.vectorised:
                return expression.evaluate_frame(self.columns, self.rows)
            values = expression.evaluate_rows(self.contexts())
            kind = expression.type.kind
            if kind == Kind.NUMBER:
                return np.array([np.nan if v is None else v for v in values], dtype=float)
            if kind == Kind.BOOLEAN:
                return np.array(values, dtype=bool)
            out = np.empty(len(values), dtype=object)
            out[:] = values
            return out
        except EvaluationError as exc:
            raise self.error(exc.row, f"{what}: {exc.message}") from None

    def error(self, row: int, message: str) -> RuleError:
        return row_error(
            self.table, row % len(self.table), message + (f" ({self.what})" if self.what else ""), self.rules
        )

    def contexts(self) -> list[dict[str, Any]]:
        """Row contexts including derived values computed so far (rebuilt as they grow)."""
        contexts = [self.table.row_context(i) for i in range(len(self.table))]
        base = set(self.table.columns)
        for name, column in self.columns.items():
            if name in base:
                continue
            for i, context in enumerate(contexts):
                value = column[i]
                context[name] = (
                    None
                    if isinstance(value, float) and value != value
                    else (value.item() if isinstance(value, np.generic) else value)
                )
        return contexts


def row_error(table: OptionTable, row: int, message: str, rules: RuleSet) -> RuleError:
    service, option = table.rows[row]
    unknown = [f"services[{service.id}].fte"] if service.fte is None else []
    unknown += [f"options[{option.id}].attributes.{k}" for k, v in option.attributes.items() if v is None]
    if unknown and "missing value" in message:  # say why it is missing, and what to write
        message += (
            f"; {' and '.join(unknown)} {'are' if len(unknown) > 1 else 'is'} unknown: give the rule a "
            "default with `??` (e.g. `service.fte ?? 10`) or the file a figure"
        )
    return RuleError(
        [
            Problem(
                f"option `{option.id}` (service `{service.id}`): {message}",
                file=source_of(rules) or f"rule set {rules.id}",
            )
        ]
    )


def _lookup(
    keys: np.ndarray, lookup: Lookup, criterion: str, table: OptionTable, source: str | None
) -> np.ndarray:
    mapping, default = lookup.table, lookup.default
    out = np.empty(len(keys))
    for i, key in enumerate(keys):
        if key in mapping:
            out[i] = mapping[key]
        elif default is not None:
            out[i] = default
        else:
            _, option = table.rows[i % len(table)]
            raise RuleError.one(
                f"criterion `{criterion}`: option `{option.id}` gives `{key}`, which the lookup table "
                f"does not list ({', '.join(mapping)}) and there is no default",
                file=source,
            )
    return out
