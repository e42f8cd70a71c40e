"""The robustness evidence a report cites: sensitivity, switching values, NPV risk, tight limits."""

from __future__ import annotations

from dataclasses import dataclass

from engine.appraisal.finance import NpvRisk, npv_risk
from engine.appraisal.scenario import ScenarioResult
from engine.appraisal.sensitivity import Sensitivity, scenario_sensitivity
from engine.plan.disclosure import Disclosure
from engine.plan.result import usage
from engine.plan.windows import capacity_windows
from engine.scoring.switching import SwitchingValue, switching_values


@dataclass
class Evidence:
    sensitivity: Sensitivity
    switching: list[SwitchingValue]
    npv_risk: NpvRisk | None
    binding: list[str]  # sentences naming the limits the plan uses to the full


def gather(
    result: ScenarioResult,
    draws: int = 1000,
    seed: int = 0,
    sensitivity: Sensitivity | None = None,
    switching: list[SwitchingValue] | None = None,
) -> Evidence:
    """Everything a report says about robustness, drawn with one ``seed`` so a report can be rebuilt.

    ``sensitivity`` and ``switching`` are the scenario's own, already worked out (the app's
    Sensitivity and Compare pages ask the same questions of the same inputs): given, they are
    used as they are; the caller answers for their being ``scenario_sensitivity(result.loaded,
    draws, seed)`` and the scenario's ``switching_values``."""
    loaded = result.loaded
    scenario = loaded.scenario
    if sensitivity is None:
        sensitivity = scenario_sensitivity(loaded, draws=draws, seed=seed)
    elif (sensitivity.draws, sensitivity.seed) != (draws, seed):
        raise ValueError(
            f"sensitivity of {sensitivity.draws} draws, seed {sensitivity.seed}, given for "
            f"{draws} draws, seed {seed}"
        )
    if switching is None:
        switching = switching_values(
            loaded.programme, loaded.rules, method=scenario.method, weights=scenario.weights or None
        )
    plan = result.plan.plan
    risk = None
    if plan is not None and any(o.ranges for o in loaded.programme.options):
        public = Disclosure.of(loaded.programme).public_programme()  # secret funding left out
        risk = npv_risk(plan, public, scenario.appraisal, draws=draws, seed=seed)
    return Evidence(sensitivity, switching, risk, _binding(result))


def _binding(result: ScenarioResult) -> list[str]:
    plan, programme = result.plan.plan, result.loaded.programme
    if plan is None:
        return []
    used = usage(plan, programme)
    out = []
    for pool in programme.resources:
        full = [
            w
            for w in capacity_windows(programme, pool.id, plan.periods)
            if w.limit > 0 and sum(used[pool.id][t] for t in w.periods) >= w.limit - 1e-6
        ]
        if full:
            shown = ", ".join(w.label for w in full[:4]) + (
                f" and {len(full) - 4} more" if len(full) > 4 else ""
            )
            out.append(
                f"{pool.name} are used to the full in {shown}: more of this resource would let "
                "later services start sooner."
            )
    return out
