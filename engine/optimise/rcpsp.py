"""Pure scheduling problems (every service must change, one option each, constant capacities):
PSPLIB and programmes like it.  A strong heuristic bounds from above; critical path, resource
energy and time-table propagation bound from below; a satisfiability search with clause learning
(:mod:`engine.optimise.sat`) closes the gap on nearly every instance, and LP bounds and small MIPs
take what time it leaves.
"""

from __future__ import annotations

import math
import time

import pulp

from engine.errors import InfeasibleError
from engine.heuristic import Rcpsp, propagate, rcpsp_schedule
from engine.instance import Instance, build_instance
from engine.optimise.deadline import OutOfTime
from engine.optimise.deadline import deadline as command_deadline
from engine.optimise.run import build_model, gap_between, make_solver, run
from engine.optimise.sat import sat_search
from engine.plan import Assignment, Plan, PlanResult, PlanStatus

SAT_SHARE = 0.9  # of the time limit for the satisfiability search; the MIPs get what it leaves


def pure_rcpsp(instance: Instance) -> Rcpsp | None:
    """The instance as a plain RCPSP when it is one (every service forced, one option, constant
    per-period capacities, no budget, cap, release or deadline), else None."""
    jobs = instance.all_jobs()
    if (
        len(jobs) != len(instance.jobs)
        or instance.forced != set(instance.jobs)
        or instance.budget
        or instance.max_concurrent is not None
        or not instance.block
    ):
        return None
    pools = list(instance.windows)
    capacities = []
    for pool in pools:
        limits = {w.limit for w in instance.windows[pool]}
        if len(limits) != 1 or instance.programme.resource(pool).per != "period":
            return None
        capacities.append(int(limits.pop()))
    if any(j.option.earliest_start or j.option.latest_finish for j in jobs):
        return None
    index = {job.service: i for i, job in enumerate(jobs)}
    demands = []
    for job in jobs:
        row = []
        for pool in pools:
            profile = job.demand(pool)
            if len(set(profile)) > 1 or any(float(v) != int(v) for v in profile):
                return None
            row.append(int(profile[0]) if profile else 0)
        demands.append(row)
    successors: list[list[int]] = [[] for _ in jobs]
    for before, after, lag in instance.dependencies:
        if lag or before not in index or after not in index:  # a lag, or a service that cannot change
            return None
        successors[index[before]].append(index[after])
    return Rcpsp([j.duration for j in jobs], demands, capacities, successors)


def _at_horizon(instance: Instance, periods: int, rcpsp: Rcpsp | None = None) -> Instance | None:
    """The same problem with every transition finished by ``periods``, start windows narrowed by
    longest paths (and, for pure scheduling, by time-table propagation); None if that proves it
    impossible."""
    try:
        narrowed = build_instance(
            instance.programme, instance.settings.model_copy(update={"horizon": periods}), None
        )
    except InfeasibleError:
        return None
    if rcpsp is not None:
        windows = propagate(rcpsp, periods)
        if windows is None:
            return None
        for job, first, last in zip(narrowed.all_jobs(), *windows, strict=True):
            job.earliest, job.latest = max(job.earliest, first), min(job.latest, last)
            if job.earliest > job.latest:
                return None
    return narrowed


def _lp_feasible(instance: Instance, seconds: float) -> bool:
    model = build_model(instance)
    settings = instance.settings.model_copy(update={"time_limit": max(seconds, 0.1)})
    model.problem.solve(make_solver(settings, relaxed=True))
    return model.problem.status != pulp.LpStatusInfeasible


def solve_by_bounds(instance: Instance, rcpsp: Rcpsp, result: PlanResult) -> PlanResult:
    """Pure scheduling: a strong heuristic for the upper bound, destructive LP bounds from below,
    then one small feasibility MIP per horizon upwards.

    Restricting the horizon to T narrows every start window (longest paths before and after each
    job), so the LP relaxation of "finish by T" is far tighter than the bound of one big model; the
    smallest T whose LP is feasible is a lower bound, and the first T whose MIP is feasible is the
    optimum, proved by the infeasibility of T − 1.
    """
    deadline = min(time.perf_counter() + instance.settings.time_limit, command_deadline())
    jobs = instance.all_jobs()

    def as_plan(starts: list[int]) -> Plan:
        return Plan(
            programme=instance.programme.id,
            periods=instance.periods,
            assignments=tuple(
                Assignment(
                    service=j.service,
                    option=j.option.id,
                    provider=j.option.provider,
                    start=t,
                    duration=j.duration,
                )
                for j, t in zip(jobs, starts, strict=True)
            ),
        )

    starts, upper = rcpsp_schedule(rcpsp, samples=60)
    heuristic = as_plan(starts)
    lower = rcpsp.lower_bound()

    def proved(plan: Plan, message: str) -> PlanResult:
        result.status, result.plan, result.message = PlanStatus.OPTIMAL, plan, message
        result.objective_value = result.bound = float(plan.makespan)
        result.gap = 0.0
        return result

    try:
        if upper <= lower:
            return proved(
                heuristic, "the priority-rule plan meets the lower bound (critical path and resource energy)"
            )
        while lower < upper and propagate(rcpsp, lower) is None:  # destructive bound by propagation
            lower += 1
        if upper <= lower:
            return proved(heuristic, "proved optimal: time-table reasoning rules out every shorter plan")
        # satisfiability with clause learning settles nearly every instance; the MIPs below get the rest
        search = sat_search(rcpsp, lower, upper, SAT_SHARE * (deadline - time.perf_counter()))
        if search.starts is not None:
            if search.finished:
                message = f"proved optimal: no plan finishes before period {search.lower}"
                return proved(as_plan(search.starts), message)
            heuristic, upper = as_plan(search.starts), rcpsp.makespan(search.starts)  # shorter, not proved
        lower = max(lower, search.lower)
        if upper <= lower:
            return proved(heuristic, "proved optimal: no plan can finish a period sooner (satisfiability)")
        # first, one model "finish before the heuristic does", which settles most instances quickly
        shorter = _at_horizon(instance, upper - 1, rcpsp)
        if shorter is None:
            return proved(heuristic, "proved optimal: no plan can finish a period sooner (dependency chain)")
        model = build_model(shorter)
        assert model.makespan is not None
        model.add(model.makespan >= lower, "lower_bound", "critical path and resource energy")
        first_try = instance.settings.model_copy(
            update={
                "time_limit": max(
                    0.1, min(0.3 * instance.settings.time_limit, deadline - time.perf_counter())
                )
            }
        )
        outcome, plan = run(model, first_try)
        if outcome.status == PlanStatus.INFEASIBLE:
            return proved(heuristic, "proved optimal: no plan finishes a period sooner")
        if plan is not None and outcome.status == PlanStatus.OPTIMAL:
            return proved(
                plan.model_copy(update={"periods": instance.periods}), "proved optimal by the solver"
            )
        if plan is not None and plan.makespan < upper:
            heuristic, upper = plan.model_copy(update={"periods": instance.periods}), plan.makespan
        if outcome.bound is not None:
            lower = max(lower, math.ceil(outcome.bound - 1e-6))
        if upper <= lower:
            return proved(heuristic, "proved optimal: the plan meets the solver's bound")
        low, high = lower, upper  # every horizon below `low` is impossible; `high` is achievable
        while low < high and time.perf_counter() < deadline:  # destructive LP bound, by bisection
            middle = (low + high) // 2
            narrowed = _at_horizon(instance, middle, rcpsp)
            if narrowed is not None and _lp_feasible(narrowed, deadline - time.perf_counter()):
                high = middle
            else:
                low = middle + 1
        if low >= upper:
            return proved(heuristic, "proved optimal: no plan can finish a period sooner (LP bound)")
        better = upper
        if deadline - time.perf_counter() > 1.0:  # the bounds disagree and there is time: search harder
            starts, better = rcpsp_schedule(rcpsp, samples=300, seed=1)
        if better < upper:
            heuristic, upper = as_plan(starts), better
            if upper <= low:
                return proved(heuristic, "proved optimal: the improved plan meets the LP bound")
        horizon = low
        while horizon < upper:
            remaining = deadline - time.perf_counter()
            if remaining <= 0.05:
                break
            narrowed = _at_horizon(instance, horizon, rcpsp)
            if narrowed is None:
                horizon += 1
                continue
            model = build_model(narrowed)
            assert model.makespan is not None
            model.add(model.makespan >= horizon, "proved_bound", f"nothing finishes before period {horizon}")
            outcome, plan = run(model, instance.settings.model_copy(update={"time_limit": remaining}))
            if outcome.status == PlanStatus.INFEASIBLE:
                horizon += 1
                continue
            if plan is not None:
                return proved(
                    plan.model_copy(update={"periods": instance.periods}),
                    f"proved optimal: no plan finishes before period {horizon}",
                )
            break
        if horizon >= upper:
            return proved(heuristic, "proved optimal: no plan can finish a period sooner")
        result.status, result.plan = PlanStatus.FEASIBLE, heuristic
        result.objective_value, result.bound = float(upper), float(horizon)
        result.gap = gap_between(float(upper), float(horizon))
        result.message = f"time limit: best plan ends at {upper}; none ends before {horizon}"
        return result
    except OutOfTime:  # the command's deadline passed inside a model: what is proven so far stands
        result.status, result.plan = PlanStatus.FEASIBLE, heuristic
        result.objective_value, result.bound = float(upper), float(lower)
        result.gap = gap_between(float(upper), float(lower))
        result.message = f"time limit: best plan ends at {upper}; none ends before {lower}"
        return result
