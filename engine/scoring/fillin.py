"""Scoring a programme with its unknown values filled in, many fillings-in at once.

Rules read one row each, so a filling-in re-evaluates only the rows of the service whose unknowns
it sets: every filling-in's rows are stacked into one option table that every rule runs over once
(the batched evaluator, as cost draws use it), and each filling-in is then the programme's own
evaluation with those rows replaced, normalised and scored across the whole programme, and put
through the MoU rule.  :func:`with_turns` uses it to find where, between a number's ends, a
condition turns or a recommendation changes, so that the values tried include both sides.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from engine.rules.context import OptionTable
from engine.rules.evaluate import Evaluated, evaluate
from engine.scoring.mcda import method_scores
from engine.scoring.recommend import NONE, mou_choice
from engine.scoring.scores import ScoreTable, normalised_matrix, status_quo_rows

FTE = "service.fte"
ATTRIBUTE = "option.attributes."
GRID = 9  # points between a number's ends where conditions and recommendations are compared
STEPS = 30  # halvings that then place a turn (to about a billionth of the span)

Filling = dict["Unknown", Any]


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
class Filled:
    """Per filling-in (columns): every row's score and eligibility, each service's recommended
    row, and the conditions (eligibility, adjustments) of the rows it changed."""

    scores: np.ndarray  # rows × fillings; NaN where ruled out
    eligible: np.ndarray  # rows × fillings
    conditions: list[np.ndarray]

    def chosen(self, table: ScoreTable) -> dict[str, np.ndarray]:
        """Each service's recommended row (NONE: none) in every filling-in."""
        return mou_choice(table.programme, table.options, self.scores, self.eligible).chosen

    def own_choice(self, table: ScoreTable, services: list[str]) -> np.ndarray:
        """Per filling-in, the recommended row of the one service it fills in (``services``): the
        MoU rule run on those services' rows alone, which is all it reads of them."""
        frame = table.options
        rows = np.flatnonzero(frame["service"].isin(set(services)).to_numpy())
        part = frame.iloc[rows].reset_index(drop=True)
        chosen = mou_choice(table.programme, part, self.scores[rows], self.eligible[rows]).chosen
        picked = np.array([chosen[service][k] for k, service in enumerate(services)], dtype=np.intp)
        return np.where(picked == NONE, NONE, rows[np.maximum(picked, 0)])


def fill_in(table: ScoreTable, fillings: list[tuple[str, Filling]], base: Evaluated | None = None) -> Filled:
    """Score ``table``'s programme once per (service, filling-in); ``base`` is the programme's
    own evaluation, when the caller already has it."""
    base = base or evaluate(table.table, table.rules)
    stacked, where = _stacked_table(table, fillings)
    done = evaluate(stacked, table.rules, what="with an unknown value filled in")
    weights = np.array([table.weights[c] for c in table.criteria()])
    n, copies = len(table.table), len(where)
    scores, eligible = np.full((n, copies), np.nan), np.zeros((n, copies), dtype=bool)
    for k, (rows, at) in enumerate(where):
        raw, live = base.raw.copy(), base.eligible.copy()
        by_criterion, total = base.criterion_adjustment.copy(), base.total_adjustment.copy()
        raw[rows], live[rows] = done.raw[at], done.eligible[at]
        by_criterion[rows], total[rows] = done.criterion_adjustment[at], done.total_adjustment[at]
        eligible[:, k] = live
        if live.any():
            normalised = (
                normalised_matrix(table.rules, raw, live, status_quo_rows(table.table))[live]
                + by_criterion[live]
            )
            scores[live, k] = method_scores(table.method, normalised, weights) + total[live]
    conditions = [
        np.concatenate([done.eligible[at], done.total_adjustment[at], done.criterion_adjustment[at].ravel()])
        for _, at in where
    ]
    return Filled(scores, eligible, conditions)


def _stacked_table(
    table: ScoreTable, fillings: list[tuple[str, Filling]]
) -> tuple[OptionTable, list[tuple[np.ndarray, slice]]]:
    """The rows each filling-in changes, copied once per filling-in with its values put in, as one
    option table (so an error is still placed at its option); and per filling-in, which rows of
    the programme it replaces and where they sit in the stacked table."""
    rows_of: dict[str, list[int]] = {}
    for i, (record, _) in enumerate(table.table.rows):
        rows_of.setdefault(record.id, []).append(i)
    where: list[tuple[np.ndarray, slice]] = []
    start = 0
    for service, _ in fillings:
        rows = np.array(rows_of[service], dtype=np.intp)
        where.append((rows, slice(start, start + len(rows))))
        start += len(rows)
    index = np.concatenate([rows for rows, _ in where])
    columns = {name: column[index] for name, column in table.table.columns.items()}
    for (rows, at), (_, filling) in zip(where, fillings, strict=True):
        place = dict(zip(rows.tolist(), range(at.start, at.stop), strict=True))
        for unknown, value in filling.items():
            for row in unknown.rows:
                columns[unknown.field][place[row]] = value
    return OptionTable(table.programme, [table.table.rows[i] for i in index], columns), where


def with_turns(table: ScoreTable, unknowns: list[Unknown]) -> list[Unknown]:
    """Each number's values with, added, both sides of every point between its ends where a
    condition of its service's rows turns (an eligibility rule, an adjustment) or its service's
    recommendation changes: a score jumps there, and the MoU margin can make a middle value
    recommend what neither end does.  Found on a grid of :data:`GRID` points, then by
    :data:`STEPS` halvings, every unknown at once (one batched evaluation per step); each unknown
    is moved alone, the others left as given."""
    numbers = [u for u in unknowns if len(u.values) == 2 and all(isinstance(v, float) for v in u.values)]
    if not numbers:
        return unknowns
    base = evaluate(table.table, table.rules)
    grid = {u: np.linspace(u.values[0], u.values[1], GRID) for u in numbers}
    marks = _marks(table, [(u, float(v)) for u in numbers for v in grid[u]], base)
    brackets = []  # (unknown, below, above, what holds below)
    for j, u in enumerate(numbers):
        seen = marks[j * GRID : (j + 1) * GRID]
        brackets += [
            (u, grid[u][k], grid[u][k + 1], seen[k])
            for k in range(GRID - 1)
            if not np.array_equal(seen[k], seen[k + 1])
        ]
    for _ in range(STEPS if brackets else 0):
        middle = [(below + above) / 2 for _, below, above, _ in brackets]
        found = _marks(table, [(u, m) for (u, *_), m in zip(brackets, middle, strict=True)], base)
        brackets = [
            (u, m, above, mark) if np.array_equal(mark, now) else (u, below, m, mark)
            for (u, below, above, mark), m, now in zip(brackets, middle, found, strict=True)
        ]
    extra: dict[Unknown, list[float]] = {}
    for u, below, above, _ in brackets:
        extra.setdefault(u, []).extend((float(below), float(above)))
    return [replace(u, values=tuple(sorted({*u.values, *extra[u]}))) if u in extra else u for u in unknowns]


def _marks(table: ScoreTable, pairs: list[tuple[Unknown, float]], base: Evaluated) -> list[np.ndarray]:
    """For each (unknown, value): its service's rows' conditions and its recommended row."""
    filled = fill_in(table, [(u.service, {u: value}) for u, value in pairs], base)
    chosen = filled.own_choice(table, [u.service for u, _ in pairs])
    return [np.append(filled.conditions[k], chosen[k]) for k in range(len(pairs))]
