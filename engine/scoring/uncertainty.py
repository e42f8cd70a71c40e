"""Scores under uncertain costs: each draw is the programme with every ranged cost drawn anew.

Options may give a range for their annual and one-off costs (``ranges`` in the file).  A draw takes
each from a triangular distribution (low, the figure given, high), as
:func:`engine.appraisal.finance.npv_risk` does for money.  Because every rule reads a single row,
the draws are stacked end to end into one long table and every rule runs once over it;
normalising, which looks across a programme's options, is then done per draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.programme.model import DeliveryOption
from engine.programme.money import GREEN_BOOK, change_ledger, month_discounts
from engine.rules.evaluate import evaluate
from engine.scoring.mcda import method_scores
from engine.scoring.scores import ScoreTable, normalised_matrix, status_quo_rows

COSTS = ("annual_cost", "one_off_cost")


def uncertain_options(table: ScoreTable) -> list[str]:
    return [o.id for _, o in table.table.rows if o.ranges]


def cost_draw_columns(table: ScoreTable, draws: int, seed: int) -> dict[str, np.ndarray]:
    """The table's columns repeated ``draws`` times, ranged costs drawn in each copy (seeded)."""
    rows = table.table.rows
    n = len(rows)
    rng = np.random.default_rng([seed, 1])  # its own stream: weight draws use ``seed`` alone
    columns = {name: np.tile(column, draws) for name, column in table.table.columns.items()}
    for i, (_, option) in enumerate(rows):
        for cost in COSTS:
            if cost not in option.ranges:
                continue
            value = float(getattr(option, cost))
            low, high = option.ranges[cost]
            drawn = rng.triangular(low, value, high, draws) if high > low else np.full(draws, value)
            columns[f"option.{cost}"][i::n] = drawn
            _move_present_values(table, option, cost, drawn - value, columns, slice(i, None, n))
    return columns


def _move_present_values(
    table: ScoreTable,
    option: DeliveryOption,
    cost: str,
    moved: np.ndarray,
    columns: dict[str, np.ndarray],
    at: slice,
) -> None:
    """Move the option's present values with a drawn cost, as the finance would: £1 more one-off
    adds its discounted spread to ``pv_one_off``; £1 a year more running cost takes a discounted
    year of saving from ``pv_savings``; ``npv`` follows both."""
    unit = option.model_copy(
        update={
            "one_off_cost": 1.0,
            "stranded_cost": 0.0,
            "annual_cost": table.programme.service(option.service).annual_cost - 1.0,
        }
    )
    ledger = change_ledger(table.programme, unit, 0, GREEN_BOOK)
    discount = month_discounts(GREEN_BOOK, len(ledger.net))
    if cost == "one_off_cost":
        spent = moved * float(ledger.one_off @ discount)
        columns["option.pv_one_off"][at] += spent
        columns["option.npv"][at] -= spent
    else:
        saved = -moved * float(ledger.savings @ discount)
        columns["option.pv_savings"][at] += saved
        columns["option.npv"][at] += saved


@dataclass
class CostDraws:
    """The programme's options under ``draws`` cost draws, normalised draw by draw: the part of
    scoring that does not depend on the weights, so any number of weight sets can reuse it."""

    method: str
    eligible: np.ndarray  # rows × draws
    normalised: list[np.ndarray]  # per draw: eligible rows × criteria, adjustments included
    total: list[np.ndarray]  # per draw: eligible rows' adjustment to the total
    npv: np.ndarray  # rows × draws: each option's £ NPV against today in the draw (the MoU test's)

    def scores(self, weights: np.ndarray) -> np.ndarray:
        """Scores (rows × draws; NaN where ruled out) for one weight vector or one per draw."""
        rows, draws = self.eligible.shape
        w = np.broadcast_to(weights, (draws, np.shape(weights)[-1]))
        out = np.full((rows, draws), np.nan)
        for d, (normalised, total) in enumerate(zip(self.normalised, self.total, strict=True)):
            live = self.eligible[:, d]
            out[live, d] = method_scores(self.method, normalised, w[d]) + total
        return out


def cost_draws(table: ScoreTable, draws: int, seed: int) -> CostDraws:
    """Every rule run once over the stacked draws, then each draw normalised on its own."""
    n = len(table.table)
    columns = cost_draw_columns(table, draws, seed)
    done = evaluate(
        table.table,
        table.rules,
        columns,
        rows=n * draws,
        what="in a cost draw",
    )
    criteria = len(table.criteria())
    raw = done.raw.reshape(draws, n, criteria)
    eligible = done.eligible.reshape(draws, n)
    by_criterion = done.criterion_adjustment.reshape(draws, n, criteria)
    total = done.total_adjustment.reshape(draws, n)
    baseline = status_quo_rows(table.table)
    normalised = [
        normalised_matrix(table.rules, raw[d], eligible[d], baseline)[eligible[d]]
        + by_criterion[d][eligible[d]]
        for d in range(draws)
    ]
    npv = columns["option.npv"].reshape(draws, n).T
    return CostDraws(table.method, eligible.T, normalised, [total[d][eligible[d]] for d in range(draws)], npv)


def cost_draw_scores(
    table: ScoreTable, weights: np.ndarray, draws: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Scores and eligibility (rows × draws) with costs drawn; ``weights`` is one vector for every
    draw or one per draw (draws × criteria)."""
    drawn = cost_draws(table, draws, seed)
    return drawn.scores(weights), drawn.eligible
