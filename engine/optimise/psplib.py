"""PSPLIB single-mode instances (``.sm``, Kolisch & Sprecher) as scheduling problems and programmes.

Jobs become services with one option each (every one must be done); renewable resources become
pools with a constant capacity per period.  The dummy source and sink (duration 0) are dropped
and precedences through them kept transitively.

The file's own horizon is the sum of all durations (up to 744 periods on j120, past the model's
limit of ``MAX_PERIODS``); the programme's horizon is the makespan of a priority-rule schedule (a
plan exists within it, so the optimum does too; on j30 a third of the file's, and the model, the
verifier and the ledgers all work period by period), or a located error past ``MAX_PERIODS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from engine.base.errors import InputError
from engine.base.limits import MAX_FILE_BYTES, read_input
from engine.optimise.heuristic import Rcpsp, rcpsp_schedule
from engine.programme.model import Programme

MAX_PERIODS = 600  # the model's limit on a horizon (``Horizon.periods``)


@dataclass
class PsplibInstance:
    name: str
    horizon: int
    durations: list[int]
    demands: list[list[int]]
    capacities: list[int]
    successors: list[list[int]]  # 0-based job indices, dummies included
    horizon_line: int | None = None  # where the file gives its horizon, for errors


def read_sm(path: str | Path) -> PsplibInstance:
    path = Path(path)
    text = read_input(path, MAX_FILE_BYTES, "PSPLIB file").decode("ascii", errors="replace")
    try:
        return _parse(text, path.stem)
    except (ValueError, IndexError, KeyError) as exc:
        raise InputError.one(f"not a PSPLIB single-mode (.sm) file: {exc}", file=str(path)) from None


def _section(text: str, title: str) -> list[list[str]]:
    match = re.search(rf"^{title}.*?$(.*?)^\*{{5,}}", text, flags=re.M | re.S)
    if not match:
        raise KeyError(f"missing section {title!r}")
    return [line.split() for line in match.group(1).strip().splitlines() if line.strip()]


def _parse(text: str, name: str) -> PsplibInstance:
    horizon_match = re.search(r"^horizon\s*:\s*(\d+)", text, flags=re.M)
    jobs_match = re.search(r"^jobs \(incl\. supersource/sink \)\s*:\s*(\d+)", text, flags=re.M)
    if not horizon_match or not jobs_match:
        raise ValueError("no 'jobs' or 'horizon' line")
    jobs = int(jobs_match.group(1))
    successors: list[list[int]] = [[] for _ in range(jobs)]
    for row in _section(text, "PRECEDENCE RELATIONS:")[1:]:
        job, count = int(row[0]) - 1, int(row[2])
        successors[job] = [int(s) - 1 for s in row[3 : 3 + count]]
    durations, demands = [0] * jobs, [[0]] * jobs
    for row in _section(text, "REQUESTS/DURATIONS:")[2:]:
        job = int(row[0]) - 1
        durations[job] = int(row[2])
        demands[job] = [int(x) for x in row[3:]]
    capacities = [int(x) for x in _section(text, "RESOURCEAVAILABILITIES:")[1]]
    if any(len(d) != len(capacities) for d in demands):
        raise ValueError("a job's demands do not match the number of resources")
    line = text.count("\n", 0, horizon_match.start()) + 1
    horizon = int(horizon_match.group(1))
    return PsplibInstance(name, horizon, durations, demands, capacities, successors, line)


def to_rcpsp(instance: PsplibInstance) -> tuple[Rcpsp, list[int]]:
    """The real jobs (duration > 0) as an Rcpsp, and their original job numbers (1-based)."""
    keep = [j for j, d in enumerate(instance.durations) if d > 0]
    index = {j: i for i, j in enumerate(keep)}
    reach: dict[int, set[int]] = {}

    def real_successors(j: int) -> set[int]:
        if j not in reach:
            out: set[int] = set()
            for s in instance.successors[j]:
                out |= {s} if s in index else real_successors(s)
            reach[j] = out
        return reach[j]

    successors = [sorted(index[s] for s in real_successors(j)) for j in keep]
    problem = Rcpsp(
        [instance.durations[j] for j in keep],
        [instance.demands[j] for j in keep],
        instance.capacities,
        successors,
    )
    return problem, [j + 1 for j in keep]


def horizon_for(instance: PsplibInstance, problem: Rcpsp, source: str | None = None) -> int:
    """The priority-rule makespan (every optimal plan meets or beats it; never longer than the
    file's horizon); an ``InputError`` at the file's horizon line when even that is longer than
    ``MAX_PERIODS``."""
    _, makespan = rcpsp_schedule(problem, samples=0)
    if makespan <= MAX_PERIODS:
        # every optimal plan fits, and the model, the verifier and the ledgers work per period:
        # the file's horizon (the sum of durations) is about three times as long on j30
        return min(makespan, instance.horizon)
    raise InputError.one(
        f"the schedule needs {makespan} periods (the file's horizon is {instance.horizon}); "
        f"expected a programme that fits in at most {MAX_PERIODS} periods",
        file=source or instance.name,
        line=instance.horizon_line,
        field="horizon",
    )


def to_programme(
    instance: PsplibInstance, periods: int | None = None, source: str | None = None
) -> Programme:
    """The instance as a programme; ``periods`` overrides the horizon (see :func:`horizon_for`),
    ``source`` names the file in errors."""
    problem, numbers = to_rcpsp(instance)
    periods = periods or horizon_for(instance, problem, source)
    pools = [f"r{k + 1}" for k in range(len(problem.capacities))]
    data = {
        "id": re.sub(r"[^A-Za-z0-9_-]", "-", instance.name) or "psplib",
        "name": f"PSPLIB {instance.name}",
        "horizon": {"start": date(2000, 1, 1), "period": "month", "periods": periods},
        "partners": [{"id": "project", "name": "Project", "kind": "other"}],
        "services": [
            {
                "id": f"j{n}",
                "name": f"Job {n}",
                "owner": "project",
                "annual_cost": 0,
                "allow_status_quo": False,
            }
            for n in numbers
        ],
        "options": [
            {
                "id": f"j{n}-do",
                "service": f"j{n}",
                "provider": "project",
                "model": "in_house",
                "annual_cost": 0,
                "duration": d,
                "demand": {pools[k]: float(r) for k, r in enumerate(need) if r},
            }
            for n, d, need in zip(numbers, problem.durations, problem.demands, strict=True)
        ],
        "dependencies": [
            {"before": f"j{numbers[j]}", "after": f"j{numbers[s]}"}
            for j, succs in enumerate(problem.successors)
            for s in succs
        ],
        "resources": [
            {"id": pools[k], "name": f"Resource {k + 1}", "capacity": float(c)}
            for k, c in enumerate(problem.capacities)
        ],
    }
    return Programme.model_validate(data)
