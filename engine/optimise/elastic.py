"""When no plan exists, say which limit blocks it and by how much.

The elastic model keeps every forced service but lets each capacity, budget and concurrency limit
stretch (at a price proportional to how much, relative to the limit) and lets transitions run past
their deadlines and past the horizon (at a price per period).  Its cheapest stretch is the advice:
"Project and programme management days in Aug 2016 must rise from 12 to 15 (+3)".
"""

from __future__ import annotations

import time
from dataclasses import replace

import pulp

from engine.optimise.constraints import budget_terms, capacity_terms, one_option_per_service, precedence
from engine.optimise.deadline import OutOfTime, handover_seconds
from engine.optimise.instance import Instance
from engine.optimise.model import Model, build_variables
from engine.optimise.run import make_solver
from engine.plan.advice import BUDGET, Raise, counted, run_text, runs
from engine.plan.windows import budget_windows, capacity_windows
from engine.programme.naming import option_name

LATE_PRICE = 1.0  # per period beyond a deadline or the horizon
STRETCH_PRICE = 1.0  # per 100 % of a limit
STOPPED = (
    "the time limit stopped the infeasibility advice before it found which limit blocks the plan; "
    "allow more time (--time-limit) to learn which limit to relax and by how much"
)
NOT_LEAST = (
    "(the time limit stopped the search for the smallest relaxation: the changes above are enough, "
    "but a smaller set may exist)"
)


def advise(instance: Instance) -> list[str]:
    """Which limits to relax, and by how much, for a plan to exist; within the command's deadline
    (:mod:`engine.optimise.deadline`): when the deadline stops it, the advice says so."""
    try:
        return _advise(instance)
    except OutOfTime:
        return [STOPPED]


def _advise(instance: Instance) -> list[str]:
    started = time.perf_counter()
    relaxed, deadline = _stretched(instance)
    model = build_variables(relaxed, pulp.LpMinimize)
    one_option_per_service(model)
    precedence(model)
    penalties, stretches = _stretchable_limits(model, relaxed)
    penalties += _late_penalties(model, deadline)
    model.problem.setObjective(pulp.lpSum(penalties))
    # its time: what is left before the deadline, less the hand-over to the solver and back
    reserve = handover_seconds(model.problem, time.perf_counter() - started)
    model.problem.solve(make_solver(instance.settings, reserve=reserve))
    if model.problem.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        if model.problem.status != pulp.LpStatusInfeasible:
            return [STOPPED]
        return ["no plan exists even with every limit relaxed; check the forced services and dependencies"]
    advice = _stretch_advice(stretches) + _late_advice(model, instance, deadline)
    if advice and model.problem.sol_status != pulp.LpSolutionOptimal:
        advice.append(NOT_LEAST)
    return advice or [
        "the limits conflict in a way no single relaxation resolves; review the forced services"
    ]


def _stretched(instance: Instance) -> tuple[Instance, dict[str, int]]:
    """The instance with room to run late: the horizon extended (by at least 12 periods, or the
    forced services' shortest durations end to end), every job's latest start pushed to it; with
    each option's real deadline (its latest finish, or the horizon) kept to price lateness by."""
    programme = instance.programme
    extra = max(
        12, sum(min(j.duration for j in jobs) for s, jobs in instance.jobs.items() if s in instance.forced)
    )
    periods = instance.periods + extra
    deadline: dict[str, int] = {}
    jobs = {}
    for service, candidates in instance.jobs.items():
        stretched = []
        for job in candidates:
            deadline[job.option.id] = min(instance.periods, job.latest + job.duration)
            stretched.append(replace(job, latest=periods - job.duration))
        jobs[service] = stretched
    relaxed = replace(
        instance,
        periods=periods,
        jobs=jobs,
        windows={pool.id: capacity_windows(programme, pool.id, periods) for pool in programme.resources},
        budget=budget_windows(programme, periods),
    )
    return relaxed, deadline


Stretch = tuple[pulp.LpVariable, str, str, int, float]  # slack, limit's words, window, index, limit


def _stretchable_limits(model: Model, relaxed: Instance) -> tuple[list, list[Stretch]]:
    """Every capacity, budget and concurrency limit with a slack priced relative to the limit
    (so stretching a small limit costs as much as a large one by the same share): the penalty
    terms, and each slack with its limit's words, its window (label and place in the limit's
    windows) and the limit, for the advice."""
    programme, horizon = relaxed.programme, relaxed.programme.horizon
    penalties = []
    stretches: list[Stretch] = []

    def stretchable(label: str, words: str, window: tuple[str, int], terms: list, limit: float) -> None:
        if not terms:
            return
        slack = model.problem.add_variable(model.name(f"stretch[{label}]"), lowBound=0)
        model.row([*terms, (slack, -1)], "<=", limit, label, f"{words} in {window[0]}")
        penalties.append(slack * (STRETCH_PRICE / max(limit, 1.0)))
        stretches.append((slack, words, *window, limit))

    for pool, windows in relaxed.windows.items():
        name = programme.resource(pool).name
        users = [job for job in relaxed.all_jobs() if pool in job.option.demand]
        for i, window in enumerate(windows):
            terms = capacity_terms(model, pool, window, users)
            stretchable(f"cap[{pool}][{window.label}]", name, (window.label, i), terms, window.limit)
    for i, window in enumerate(relaxed.budget):
        terms = budget_terms(model, window)
        stretchable(f"budget[{window.label}]", BUDGET, (window.label, i), terms, window.limit)
    if relaxed.max_concurrent is not None:
        for t in range(relaxed.periods):
            terms = [
                (var, 1.0) for job in relaxed.all_jobs() for k, var in model.running(job, t) if job.busy(k)
            ]
            stretchable(
                f"concurrent[{t}]",
                "concurrent transitions",
                (horizon.label(t), t),
                terms,
                float(relaxed.max_concurrent),
            )
    return penalties, stretches


def _late_penalties(model: Model, deadline: dict[str, int]) -> list:
    """``LATE_PRICE`` per period a start would finish past its option's deadline."""
    penalties = []
    for (option, t), var in model.start.items():
        late = max(0, t + model.jobs[option].duration - deadline[option])
        if late:
            penalties.append(var * (LATE_PRICE * late))
    return penalties


def _stretch_advice(stretches: list[Stretch]) -> list[str]:
    """Each limit the cheapest relaxation stretched, from what to what: one line per limit and run
    of consecutive windows with the same limit ("in the 21 months Jan 2016 – Sep 2017"), not
    one line per month."""
    raised = [
        Raise(words, label, index, limit, slack.varValue or 0.0)
        for slack, words, label, index, limit in stretches
        if (slack.varValue or 0.0) > 1e-6
    ]
    return [run_text(run) for run in runs(raised)]


def _late_advice(model: Model, instance: Instance, deadline: dict[str, int]) -> list[str]:
    """Each transition the cheapest relaxation lets finish late: past the horizon, or past its
    own deadline."""
    programme = instance.programme
    horizon = programme.horizon
    advice = []
    for (option, t), var in model.start.items():
        if (var.varValue or 0) > 0.5:
            job = model.jobs[option]
            late = t + job.duration - deadline[option]
            if late > 0:
                over_horizon = t + job.duration - instance.periods
                if over_horizon > 0 and deadline[option] == instance.periods:
                    advice.append(
                        f"{programme.service(job.service).name} ({option_name(programme, option)}) needs "
                        f"{counted(over_horizon, horizon.period, 'more ')} than the "
                        f"horizon: it would finish in {horizon.label(t + job.duration - 1)}"
                    )
                else:
                    advice.append(
                        f"{programme.service(job.service).name} ({option_name(programme, option)}) must "
                        f"be allowed to finish {counted(late, horizon.period)} after "
                        f"its deadline, in {horizon.label(t + job.duration - 1)}"
                    )
    return advice
