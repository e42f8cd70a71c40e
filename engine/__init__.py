"""ssplan: decision support for UK local-government shared-services programmes.

The front door for a notebook: the functions below are imported on first use (so ``import engine``
and the command line stay fast)::

    from engine import load_programme, load_ruleset, score, solve, PlanSettings, shipped_rules
    programme = load_programme("scenarios/gloucester-2015.yaml")
    scores = score(programme, load_ruleset(shipped_rules()))
    result = solve(programme, PlanSettings(objective="savings"), scores)
    print(result.to_frame()[["service_name", "option", "start_label"]])
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> the module that holds it
_FRONT_DOOR = {
    "load_programme": "engine.io.load",
    "save_programme": "engine.io.load",
    "load_ruleset": "engine.rules.ruleset",
    "shipped_rules": "engine.io.shipped",
    "shipped_programme": "engine.io.shipped",
    "shipped_scenario": "engine.io.shipped",
    "score": "engine.scoring.scores",
    "solve": "engine.optimise.solve",
    "PlanSettings": "engine.plan.settings",
    "load_scenario": "engine.appraisal.scenario",
    "run_scenario": "engine.appraisal.scenario",
    "compare": "engine.appraisal.compare",
    "plan_finance": "engine.appraisal.finance",
    "weight_sensitivity": "engine.appraisal.sensitivity",
    "switching_values": "engine.scoring.switching",
    "build_report": "engine.report.build",
    "write_report": "engine.report.run",
    "Disclosure": "engine.plan.disclosure",
}

__all__ = ["__version__", *_FRONT_DOOR]


def __getattr__(name: str) -> Any:
    """Import a front-door name from its module the first time it is asked for (PEP 562); the
    version is read from the package metadata only when asked for (it costs a start-up)."""
    if name == "__version__":
        from engine.base.version import package_version

        globals()[name] = package_version()
        return globals()[name]
    module = _FRONT_DOOR.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
