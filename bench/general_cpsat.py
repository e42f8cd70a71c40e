"""Reference solver for bench/general.py: OR-Tools CP-SAT on the general planning MIP, in its own
process (ortools and highspy each bundle HiGHS and must not share one).

Reads one JSON object on stdin — ``model`` (PuLP's ``LpProblem.toDict()`` of the product's own
time-indexed model: every variable binary or integer), ``time_limit``, ``gap`` — and writes one
JSON line: status, objective (CP-SAT's, unscaled), bound, seconds, and the value of every variable
set to a non-zero value.

CP-SAT needs integer coefficients.  Each constraint row is multiplied by the smallest power of ten
(up to 10^6) that makes every coefficient integral, its right-hand side rounded inwards (floor for
≤, ceiling for ≥), so the integer row admits exactly the 0/1 points the float row does.  Rows that
no such power makes integral (budgets: money after optimism bias) are scaled by 10^6 and rounded,
exact to a millionth of a pound per term; their count is reported (``rounded_rows``).  The
objective is scaled so its largest coefficient is about 10^9 and rounded: the error is below 10^-9
of that coefficient per chosen variable, and bench/general.py judges agreement on the float
objective of CP-SAT's answer (re-evaluated exactly), not on the scaled one.
"""

from __future__ import annotations

import json
import math
import sys
import time
from typing import Any

from ortools.sat.python import cp_model

ROW_SCALES = [10**k for k in range(7)]
OBJECTIVE_MAGNITUDE = 1e9


def _row_scale(values: list[float]) -> int | None:
    for scale in ROW_SCALES:
        if all(abs(v * scale - round(v * scale)) < 1e-7 for v in values):
            return scale
    return None


def _variables(model: cp_model.CpModel, data: dict[str, Any]) -> dict[str, cp_model.IntVar]:
    out = {}
    for v in data["variables"]:
        if v["cat"] != "Integer":
            raise ValueError(f"continuous variable `{v['name']}`: CP-SAT needs integers")
        low = math.ceil(v["lowBound"]) if v["lowBound"] is not None else -(10**9)
        high = math.floor(v["upBound"]) if v["upBound"] is not None else 10**9
        out[v["name"]] = model.new_int_var(low, high, v["name"])
    return out


def _rows(model: cp_model.CpModel, data: dict[str, Any], x: dict[str, cp_model.IntVar]) -> int:
    """sum(a·x) + constant (≤, =, ≥) 0 for sense -1, 0, 1 (PuLP's convention); how many rows had
    to be rounded."""
    rounded = 0
    for row in data["constraints"]:
        coefficients = [(c["name"], c["value"]) for c in row["coefficients"]]
        rhs = -row["constant"]
        scale = _row_scale([a for _, a in coefficients] + [rhs])
        if scale is None:  # money after optimism bias and discounting: to a millionth of a unit
            scale = ROW_SCALES[-1]
            rounded += 1
        expression = sum(round(a * scale) * x[name] for name, a in coefficients)
        if row["sense"] == -1:
            model.add(expression <= math.floor(rhs * scale + 1e-7))
        elif row["sense"] == 1:
            model.add(expression >= math.ceil(rhs * scale - 1e-7))
        else:
            model.add(expression == round(rhs * scale))
    return rounded


def solve(data: dict[str, Any], time_limit: float, gap: float) -> dict[str, Any]:
    began, cpu = time.perf_counter(), time.process_time()
    model = cp_model.CpModel()
    x = _variables(model, data)
    rounded = _rows(model, data, x)
    objective = [(c["name"], c["value"]) for c in data["objective"]["coefficients"]]
    largest = max((abs(a) for _, a in objective), default=1.0) or 1.0
    scale = OBJECTIVE_MAGNITUDE / largest
    expression = sum(round(a * scale) * x[name] for name, a in objective)
    maximise = data["parameters"]["sense"] == -1
    model.maximize(expression) if maximise else model.minimize(expression)
    built = time.perf_counter() - began
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit - built)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.relative_gap_limit = gap
    status = solver.solve(model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return {
        "status": "optimal"
        if status == cp_model.OPTIMAL
        else ("feasible" if found else solver.status_name(status)),
        "objective": solver.objective_value / scale if found else None,
        "bound": solver.best_objective_bound / scale if found else None,
        "seconds": time.perf_counter() - began,
        "build_seconds": built,
        "cpu": time.process_time()
        - cpu,  # one worker: its CPU, building included (wall means little under load)
        "rounded_rows": rounded,
        "values": {name: solver.value(v) for name, v in x.items() if found and solver.value(v)},
    }


def main() -> None:
    request = json.load(sys.stdin)
    try:
        answer = solve(request["model"], float(request["time_limit"]), float(request["gap"]))
    except ValueError as exc:
        answer = {"status": f"refused: {exc}", "objective": None, "bound": None, "seconds": 0.0, "values": {}}
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
