"""Capacity and budget windows (a limit that holds over some periods), and what a plan uses of
them; the optimiser's constraints and the verifier read the same windows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from engine.programme.calendar import Horizon
from engine.programme.funding import budget_relief
from engine.programme.model import Programme


@dataclass(frozen=True)
class Window:
    """A set of periods sharing one limit: a period, a financial year, or the whole horizon.

    ``key`` is the name an override gives the window (``2016-07``, ``2016/17``; empty for the
    whole horizon, which no override names)."""

    label: str
    periods: tuple[int, ...]
    limit: float
    key: str = ""


def capacity_windows(
    programme: Programme,
    pool_id: str,
    periods: int | None = None,
    *,
    capacity: float | None = None,
    overrides: Mapping[str, float] | None = None,
) -> list[Window]:
    """The pool's windows over the first ``periods`` periods, each with its limit: the window's
    override, else the capacity.  ``capacity`` and ``overrides`` (a what-if being edited) replace
    the pool's own; this is the one place a pool's capacity and its overrides are merged."""
    pool = programme.resource(pool_id)
    horizon = programme.horizon
    count = periods or horizon.periods
    default = pool.capacity if capacity is None else capacity
    named = pool.overrides if overrides is None else overrides
    if pool.per == "period":
        return [
            Window(label, (t,), named.get(key, default), key)
            for t, (label, key) in enumerate(_period_names(horizon, count))
        ]
    if pool.per == "financial_year":
        return [
            Window(fy, tuple(ts), named.get(fy, default), fy)
            for fy, ts in _financial_years(horizon, count).items()
        ]
    return [Window("the whole programme", tuple(range(count)), default)]


@lru_cache(maxsize=64)
def _period_names(horizon: Horizon, count: int) -> tuple[tuple[str, str], ...]:
    """Each period's label and key: the optimiser, the verifier and the charts ask for the same
    horizon's windows pool after pool, and the calendar arithmetic was most of the time."""
    return tuple((horizon.label(t), horizon.key(t)) for t in range(count))


def named_overrides(limits: Mapping[str, float], capacity: float) -> dict[str, float]:
    """The inverse of the merge in :func:`capacity_windows`: the windows (by key) whose limit
    differs from ``capacity``, i.e. the overrides a what-if must name."""
    return {key: limit for key, limit in limits.items() if limit != capacity}


def budget_windows(
    programme: Programme,
    periods: int | None = None,
    *,
    per_financial_year: float | None = None,
    overrides: Mapping[str, float] | None = None,
    funded: bool = True,
) -> list[Window]:
    """Each financial year's one-off budget: its override, else the budget a year (none without a
    budget), plus what the year's grants and capitalisation directions add (``funded``; a
    contribution moves money between partners and adds nothing: see
    :func:`engine.programme.funding.budget_relief`).  ``per_financial_year`` and ``overrides`` (a
    what-if being edited) replace the programme's own, as :func:`capacity_windows` does for a pool;
    an editor shows them with ``funded=False``, so the funding is never counted into an override."""
    if programme.budget is None:
        return []
    count = periods or programme.horizon.periods
    budget = programme.budget
    default = budget.per_financial_year if per_financial_year is None else per_financial_year
    named = budget.overrides if overrides is None else overrides
    relief = budget_relief(programme) if funded else {}
    return [
        Window(fy, tuple(ts), named.get(fy, default) + relief.get(fy, 0.0), fy)
        for fy, ts in _financial_years(programme.horizon, count).items()
    ]


def _financial_years(horizon: Horizon, count: int) -> dict[str, list[int]]:
    years: dict[str, list[int]] = defaultdict(list)
    for t in range(count):
        years[horizon.financial_year_of(t)].append(t)
    return dict(years)
