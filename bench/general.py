"""A reference for the general planning problem (issue 19, point 1): the product's planner against
OR-Tools CP-SAT on the same programmes, seeded (``engine.programme.synth``) and shipped.

What CP-SAT gets is the product's own time-indexed model (option choice as one start per option and
period, windows, pool capacities, budget by financial year, dependencies with lags under block or
ignore, the value or savings objective), exported by PuLP (``LpProblem.toDict``) and rebuilt in
CP-SAT with integer coefficients in a subprocess (bench/general_cpsat.py says how rows and the
objective are scaled).  So this measures the solver on one formulation, not a native CP model with
interval variables: a formulation CP-SAT would prefer is not tried here.

Timing: the product from the scored programme to the verified plan (``solve``: instance, model
building, HiGHS, verifier); CP-SAT from its rebuilt model to the answer (its model building is
shown apart), one worker each, the same time limit and relative gap.  Agreement: CP-SAT's plan is
re-evaluated on the float objective (plus the funding constant the product adds) and compared with
the product's objective; "=" when both are proven and they differ by at most the gap, "≠" otherwise.

Run: .venv/bin/python bench/general.py [--sizes 40 100 250] [--objectives value savings]
     [--time-limit 120] [--gap 1e-4] [--shipped]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from unittest import mock

from engine.io.load import load_programme
from engine.io.shipped import shipped_programmes, shipped_rules
from engine.optimise import reuse
from engine.optimise.instance import build_instance
from engine.optimise.run import build_model
from engine.optimise.solve import solve
from engine.plan.settings import PlanSettings
from engine.programme.model import Programme
from engine.programme.synth import seeded_programme as seeded
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import ScoreTable, score

ROOT = Path(__file__).resolve().parent.parent


def reference(programme: Programme, settings: PlanSettings, table: ScoreTable) -> dict[str, Any]:
    """CP-SAT on the product's model, its answer valued on the float objective."""
    instance = build_instance(programme, settings, table)
    with mock.patch("engine.optimise.steps.SPARSE_FROM", float("inf")):  # CP-SAT takes integers only:
        model = build_model(instance)  # the disaggregated rows, not the continuous running sums
    request = {"model": model.problem.toDict(), "time_limit": settings.time_limit, "gap": settings.gap}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("general_cpsat.py"))],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if done.returncode != 0:
        return {"status": "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1], "objective": None}
    answer: dict[str, Any] = json.loads(done.stdout)
    if answer["objective"] is not None:
        coefficients = model.problem.objective.items()
        exact = sum(c * answer["values"].get(v.name, 0) for v, c in coefficients)
        answer["exact"] = exact + instance.objective_offset
        answer["bound"] = answer["bound"] + instance.objective_offset
    return answer


def building_cpu(programme: Programme, settings: PlanSettings, table: ScoreTable) -> float:
    """CPU seconds to build the product's instance and model again, as ``solve`` builds them."""
    began = time.process_time()
    build_model(build_instance(programme, settings, table))
    return time.process_time() - began


def compare(
    programme: Programme, table: ScoreTable, objective: str, limit: float, gap: float
) -> dict[str, Any]:
    settings = PlanSettings(objective=objective, time_limit=limit, gap=gap)  # type: ignore[arg-type]
    reuse.forget()  # a fresh solve: no answer recalled from a model solved before (engine.optimise.reuse)
    began, cpu = time.perf_counter(), time.process_time()
    result = solve(programme, settings, table)
    ours = {"status": result.status.value, "objective": result.objective_value, "gap": result.gap}
    ours["seconds"] = time.perf_counter() - began
    ours["cpu"] = time.process_time() - cpu  # one thread: HiGHS runs in this process
    ours["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ours["building_cpu"] = building_cpu(programme, settings, table)
    theirs = reference(programme, settings, table)
    return {"ours": ours, "cpsat": theirs, "agree": agree(ours, theirs, gap)}


def agree(ours: dict[str, Any], theirs: dict[str, Any], gap: float) -> str:
    """'=' when both proved and the objectives differ by at most the relative gap (and 1e-6)."""
    if ours["objective"] is None or theirs.get("exact") is None:
        return "—"
    a, b = ours["objective"], theirs["exact"]
    close = abs(a - b) <= max(gap, 1e-6) * max(1.0, abs(a), abs(b))
    if ours["status"] == "optimal" and theirs["status"] == "optimal":
        return "=" if close else "≠"
    return "≈" if close else ("ours better" if a > b else "CP-SAT better")


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.6g}"


def _gap(theirs: dict[str, Any]) -> str:
    """CP-SAT's own gap (its bound against its float-valued answer), when it has both."""
    value, bound = theirs.get("exact"), theirs.get("bound")
    if value is None or bound is None:
        return ""
    return f" (gap {abs(bound - value) / max(abs(value), 1e-9):.2%})"


def _own_gap(ours: dict[str, Any]) -> str:
    """The product's gap, or why there is none (no bound: the limit stopped it before the solver)."""
    return "no bound" if ours["gap"] is None else f"gap {ours['gap']:.2%}"


def line(label: str, objective: str, row: dict[str, Any]) -> str:
    ours, theirs = row["ours"], row["cpsat"]
    share = f"{ours['building_cpu']:.1f} s ({ours['building_cpu'] / max(ours['cpu'], 1e-9):.0%})"
    return (
        f"| {label} | {objective} | {ours['status']} {ours['seconds']:.2f} s ({_own_gap(ours)}) "
        f"| {ours['cpu']:.1f} s | {share} | {ours['peak_mb']:.0f} MB "
        f"| {theirs['status']} {theirs.get('seconds', 0):.2f} s{_gap(theirs)} "
        f"(+{theirs.get('build_seconds', 0):.2f} s building) | {theirs.get('cpu', 0):.1f} s "
        f"| {_number(ours['objective'])} | {_number(theirs.get('exact'))} | {row['agree']} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[40, 100, 250])
    parser.add_argument("--objectives", nargs="*", default=["value", "savings"])
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument("--shipped", action="store_true", help="also the shipped partnerships")
    args = parser.parse_args()
    rules = load_ruleset(shipped_rules())
    cases = [(f"seeded {n}", seeded(n)) for n in args.sizes]
    if args.shipped:
        cases += [(path.stem, load_programme(path)) for path in shipped_programmes()]
    print(
        f"load average {os.getloadavg()[0]:.1f}; {args.time_limit:g} s limit, gap {args.gap:g}, "
        "one thread each"
    )
    print(
        "| programme | objective | product | product CPU | building (CPU share) | peak memory so far "
        "| CP-SAT | CP-SAT CPU | product objective | CP-SAT objective | agree |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for label, programme in cases:
        table = score(programme, rules)
        for objective in args.objectives:
            print(
                line(label, objective, compare(programme, table, objective, args.time_limit, args.gap)),
                flush=True,
            )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
