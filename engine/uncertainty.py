"""Scores under uncertain costs: each draw is the programme with every ranged cost drawn anew.

Options may give a range for their annual and one-off costs (``ranges`` in the file).  A draw takes
each from a triangular distribution (low, the figure given, high), as :func:`engine.finance.npv_risk`
does for money.  Because every rule reads a single row, the draws are stacked end to end into one
long table and every rule runs once over it; normalising, which looks across a programme's options,
is then done per draw.
"""

from __future__ import annotations

import numpy as np

from engine.evaluate import evaluate
from engine.mcda import topsis
from engine.scoring import ScoreTable, normalised_matrix

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
    return columns


def cost_draw_scores(
    table: ScoreTable, weights: np.ndarray, draws: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Scores and eligibility (rows × draws) with costs drawn; ``weights`` is one vector for every
    draw or one per draw (draws × criteria)."""
    n = len(table.table)
    done = evaluate(
        table.table,
        table.rules,
        cost_draw_columns(table, draws, seed),
        rows=n * draws,
        what="in a cost draw",
    )
    criteria = len(table.criteria())
    raw = done.raw.reshape(draws, n, criteria)
    eligible = done.eligible.reshape(draws, n)
    by_criterion = done.criterion_adjustment.reshape(draws, n, criteria)
    total = done.total_adjustment.reshape(draws, n)
    w = np.broadcast_to(weights, (draws, criteria))
    scores = np.full((n, draws), np.nan)
    for d in range(draws):
        live = eligible[d]
        normalised = normalised_matrix(table.rules, raw[d], live)[live] + by_criterion[d][live]
        if table.method == "wsm":
            scores[live, d] = normalised @ w[d]
        else:
            scores[live, d] = topsis(normalised, w[d])["score"]
        scores[live, d] += total[d][live]
    return scores, eligible.T
