"""The value-for-money frontier: re-plan a scenario across levels of one-off budget (or of one
pool's capacity) and show what each level buys — the curve a director uses to argue for more, or
less, programme resource.  Scores do not depend on budgets or capacities, so they are computed once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from engine.appraisal.finance import plan_finance
from engine.appraisal.scenario import LoadedScenario
from engine.base.errors import InputError
from engine.io.records import programme_data
from engine.optimise.solve import solve
from engine.plan.disclosure import Disclosure
from engine.programme.exempt import secret_options
from engine.programme.model import Programme
from engine.scoring.scores import score


def _at_level(programme: Programme, level: float, pool: str | None) -> Programme:
    data: dict[str, Any] = programme_data(programme)
    if pool is None:
        data["budget"] = {"per_financial_year": level}
    else:
        for resource in data.get("resources", []):
            if resource["id"] == pool:
                resource["capacity"] = level
                resource.pop("overrides", None)
    return Programme.model_validate(data)


def default_levels(loaded: LoadedScenario, pool: str | None, steps: int = 6) -> list[float]:
    programme = loaded.programme
    if pool is None:
        secret = secret_options(programme)  # levels printed from exempt prices would give them away
        top = sum(o.one_off_spend for o in programme.options if o.id not in secret) or 1.0
        top = max(top / max(1, len(programme.horizon.financial_years()) - 1), 1.0)
    else:
        top = 2 * programme.resource(pool).capacity or 10.0
    return [round(top * i / (steps - 1), 2) for i in range(steps)]


def frontier(
    loaded: LoadedScenario,
    levels: Sequence[float] | None = None,
    pool: str | None = None,
    include_exempt: bool = False,
) -> pd.DataFrame:
    """One row per level: plan status, objective value, NPV, one-off cost, annual saving, the
    services changing, and those that enter at this level. Money is the public view's (secret
    options left out of the totals and named) unless ``include_exempt``."""
    programme = loaded.programme
    if pool is not None and pool not in {r.id for r in programme.resources}:
        known = ", ".join(r.id for r in programme.resources)
        raise InputError.one(f"unknown resource `{pool}`; expected one of {known}", field="pool")
    levels = sorted(levels) if levels else default_levels(loaded, pool)
    scenario = loaded.scenario
    table = score(programme, loaded.rules, method=scenario.method, weights=scenario.weights or None)
    rows: list[dict[str, Any]] = []
    previous: set[str] = set()
    scaled = not include_exempt and bool(table.secret_scales())  # value scores on a secret scale
    for level in levels:
        at = _at_level(programme, level, pool)
        result = solve(at, loaded.settings, table)
        disclosure = Disclosure.of(at, include_exempt)
        hidden = disclosure.withheld_in(result.plan)
        finance = (
            None
            if result.plan is None
            else plan_finance(
                disclosure.public_part(result.plan), disclosure.public_programme(), scenario.appraisal
            )
        )
        chosen: set[str] = set() if result.plan is None else {a.service for a in result.plan.assignments}
        rows.append(
            {
                "level": level,
                "plan": result.status_text,
                "objective value": None
                if result.objective_value is None
                or hidden
                or (scaled and result.objective == "value")
                or disclosure.hides_objective(result.objective)
                else round(result.objective_value, 6) + 0.0,
                "NPV (£)": None if finance is None else round(finance.npv, 2),
                "one-off cost (£)": None if finance is None else round(finance.one_off, 2),
                "annual saving (£)": None if finance is None else round(finance.annual_saving, 2),
                "services": ", ".join(sorted(chosen)),
                "entering": ", ".join(sorted(chosen - previous)),
                "leaving": ", ".join(sorted(previous - chosen)),
                "left out of the figures (exempt)": ", ".join([*hidden, *disclosure.funding_withheld]),
            }
        )
        previous = chosen
    return pd.DataFrame(rows)
