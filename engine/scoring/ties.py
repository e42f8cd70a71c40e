"""Ties and near-ties: scores too close for their order to mean anything.

Two scores are *effectively equal* when they differ by no more than the rule set's
``tie_tolerance`` (default 0.005 on the 0–1 scale: half a unit in the third decimal, the precision
scores are shown to; a one-point change of one whole-percent weight moves a score by up to 0.01,
so a smaller gap is within what the weights themselves can support).  The test is absolute, so it
is symmetric, and two scores further apart than the tolerance are never flagged.  It is not
transitive: a ≈ b and b ≈ c does not make a ≈ c, so each item lists those it is equal to.

Options are compared within their service, by score; services in the ranking by the gain of
their recommended change.  Services that keep the status quo gain exactly nothing and are not
ranked for action, so they are not flagged among themselves.  In the public view a score given
only as its band is never compared: saying it is within 0.005 of a published score would give it
away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from engine.scoring.scores import ScoreTable

EPSILON = 1e-12  # floating-point slack: 0.612 - 0.607 must count as 0.005


def effectively_equal(values: Sequence[float] | np.ndarray, tolerance: float) -> list[list[int]]:
    """For each value, the indices of the others within ``tolerance`` of it (NaN: never)."""
    x = np.asarray(values, dtype=float)
    close = np.abs(x[:, None] - x[None, :]) <= tolerance + EPSILON
    np.fill_diagonal(close, False)
    return [np.flatnonzero(row).tolist() for row in close]


@dataclass
class Ties:
    """Near-ties of one score table, as the chosen view may show them."""

    tolerance: float
    options: list[list[str]]  # per options row: options of its service effectively equal to it
    services: list[list[str]]  # per services row: services whose gain is effectively equal
    recommendation: dict[str, list[str]] = field(default_factory=dict)  # service -> its rivals

    def any(self) -> bool:
        return any(self.options) or any(self.services)


def near_ties(table: ScoreTable, include_exempt: bool = False) -> Ties:
    """The table's near-ties under its rule set's tolerance, in the public view unless asked."""
    return table.once(("near_ties", include_exempt), lambda: _near_ties(table, include_exempt))


def _near_ties(table: ScoreTable, include_exempt: bool) -> Ties:
    tolerance = table.rules.tie_tolerance
    frame = table.options if include_exempt else table.public_options()
    scores = np.where(frame["eligible"].astype(bool), _numbers(frame["score"]), np.nan)
    option_ids = frame["option"].astype(str).tolist()
    options: list[list[str]] = [[] for _ in option_ids]
    for _, rows in frame.groupby("service", sort=False).indices.items():
        for k, others in zip(rows, effectively_equal(scores[rows], tolerance), strict=True):
            options[k] = [option_ids[rows[j]] for j in others]
    services = table.services if include_exempt else table.public_services()
    acting = services["status"].isin(["change", "exception"]).to_numpy()
    gains = np.where(acting, _numbers(services["gain"]), np.nan)
    names = services["service"].astype(str).tolist()
    ranked = [[names[j] for j in others] for others in effectively_equal(gains, tolerance)]
    rivals = {}
    for _, row in services.iterrows():
        chosen = row["recommended"]
        if isinstance(chosen, str) and chosen in option_ids:
            tied = options[option_ids.index(chosen)]
            if tied:
                rivals[str(row["service"])] = tied
    return Ties(tolerance, options, ranked, rivals)


def _numbers(column: pd.Series) -> np.ndarray:
    """A score or gain column as floats; a band (text) or a withheld value is NaN."""
    return np.array(
        [float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else np.nan for v in column],
        dtype=float,
    )
