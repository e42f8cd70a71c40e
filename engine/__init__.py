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
    "load_programme": "engine.load",
    "save_programme": "engine.load",
    "load_ruleset": "engine.ruleset",
    "shipped_rules": "engine.shipped",
    "shipped_programme": "engine.shipped",
    "shipped_scenario": "engine.shipped",
    "score": "engine.scoring",
    "solve": "engine.optimise",
    "PlanSettings": "engine.plan",
    "load_scenario": "engine.scenario",
    "run_scenario": "engine.scenario",
    "compare": "engine.compare",
    "plan_finance": "engine.finance",
    "weight_sensitivity": "engine.sensitivity",
    "switching_values": "engine.switching",
    "build_report": "engine.report",
    "write_report": "engine.report.run",
    "Disclosure": "engine.public",
}

__all__ = ["__version__", *_FRONT_DOOR]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ssplan")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    """Import a front-door name from its module the first time it is asked for (PEP 562); the
    version is read from the package metadata only when asked for (it costs a start-up)."""
    if name == "__version__":
        globals()[name] = _version()
        return globals()[name]
    module = _FRONT_DOOR.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
