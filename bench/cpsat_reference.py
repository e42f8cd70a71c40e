"""Reference solver for bench/psplib.py: OR-Tools CP-SAT on PSPLIB instances, in its own process
(ortools and highspy each bundle HiGHS and must not share one).  Reads instance paths on stdin,
writes one JSON line per instance as soon as it is solved (bench/psplib.py interleaves it with the
product, one instance at a time): name, status, makespan, bound, seconds (from reading the file).
"""

from __future__ import annotations

import json
import sys
import time

from ortools.sat.python import cp_model

from engine.optimise.psplib import read_sm, to_rcpsp


def solve(path: str, time_limit: float, workers: int) -> dict[str, object]:
    """CP-SAT on one file, timed like the product: from reading the file to the answer."""
    began = time.perf_counter()
    instance = read_sm(path)
    problem, _ = to_rcpsp(instance)
    model = cp_model.CpModel()
    horizon = sum(problem.durations)
    starts, intervals = [], []
    for j, d in enumerate(problem.durations):
        start = model.new_int_var(0, horizon, f"s{j}")
        starts.append(start)
        intervals.append(model.new_fixed_size_interval_var(start, d, f"i{j}"))
    for k, capacity in enumerate(problem.capacities):
        users = [(intervals[j], problem.demands[j][k]) for j in range(problem.size) if problem.demands[j][k]]
        model.add_cumulative([u for u, _ in users], [r for _, r in users], capacity)
    for j, succs in enumerate(problem.successors):
        for s in succs:
            model.add(starts[s] >= starts[j] + problem.durations[j])
    makespan = model.new_int_var(0, horizon, "makespan")
    for j, d in enumerate(problem.durations):
        model.add(makespan >= starts[j] + d)
    model.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    seconds = time.perf_counter() - began
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return {
        "name": instance.name,
        "status": "optimal" if status == cp_model.OPTIMAL else ("feasible" if found else "no solution"),
        "makespan": solver.objective_value if found else None,
        "bound": solver.best_objective_bound if found else None,
        "seconds": seconds,
    }


USAGE = "usage: cpsat_reference.py TIME_LIMIT WORKERS < instance paths (one per line); run by bench/psplib.py"


def main() -> None:
    try:
        time_limit, workers = float(sys.argv[1]), int(sys.argv[2])
    except (IndexError, ValueError):
        print(USAGE, file=sys.stderr)
        sys.exit(2)
    for line in sys.stdin:
        path = line.strip()
        if path:
            print(json.dumps(solve(path, time_limit, workers)), flush=True)


if __name__ == "__main__":
    main()
