"""Pure scheduling problems (every service must change, one option each, constant capacities):
PSPLIB and programmes like it.  A strong heuristic bounds from above; critical path, resource
energy and time-table propagation bound from below; a satisfiability search with clause learning
(:mod:`engine.optimise.sat`) closes the gap on nearly every instance, and LP bounds and small MIPs
take what time it leaves.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import pulp

from engine.base.errors import InfeasibleError
from engine.optimise import anytime
from engine.optimise.deadline import OutOfTime, check
from engine.optimise.deadline import deadline as command_deadline
from engine.optimise.heuristic import Rcpsp, propagate, rcpsp_schedule
from engine.optimise.instance import Instance, Job, build_instance
from engine.optimise.run import build_model, gap_between, make_solver, run
from engine.optimise.sat import sat_search
from engine.plan.result import Assignment, Plan, PlanResult, PlanStatus

HEURISTIC_SHARE = 0.2  # of the time left, at most, for sampling priority-rule schedules first
SAMPLES = 10  # sampled priority lists when the priority rules leave a gap
SAT_SHARE = 0.9  # of the time limit for the satisfiability search; the MIPs get what it leaves


def pure_rcpsp(instance: Instance) -> Rcpsp | None:
    """The instance as a plain RCPSP when it is one (every service forced, one option, constant
    per-period capacities, no budget, cap, release, deadline or membership date, only lag-free
    finish-to-start dependencies), else None: the general MIP plans anything else."""
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
    if any(p.joins or p.leaves for p in instance.programme.partners):
        return None
    index = {job.service: i for i, job in enumerate(jobs)}
    demands = []
    for job in jobs:
        row = []
        for pool in pools:
            profile = set(job.demand(pool))
            if len(profile) > 1 or any(float(v) != int(v) for v in profile):
                return None
            row.append(int(profile.pop()) if profile else 0)
        demands.append(row)
    successors: list[list[int]] = [[] for _ in jobs]
    for dep in instance.dependencies:
        # a lag, another kind, or a service that cannot change
        if dep.lag or dep.kind != "finish_to_start" or dep.before not in index or dep.after not in index:
            return None
        successors[index[dep.before]].append(index[dep.after])
    return Rcpsp([j.duration for j in jobs], demands, capacities, successors)


def _at_horizon(instance: Instance, periods: int, rcpsp: Rcpsp | None = None) -> Instance | None:
    """The same problem with every transition finished by ``periods``, start windows narrowed by
    longest paths (and, for pure scheduling, by time-table propagation); None if that proves it
    impossible."""
    check()  # each narrowed instance is rebuilt from the programme: not after the deadline
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
    optimum, proved by the infeasibility of T − 1.  Each phase in ``_PHASES`` either proves the
    optimum (and returns the result) or tightens the bounds for the next; all share one deadline,
    the sooner of the time limit and the command's (:mod:`engine.optimise.deadline`).
    """
    deadline = min(time.perf_counter() + instance.settings.time_limit, command_deadline())
    search = _start(instance, rcpsp, result, deadline)
    try:
        for phase in _PHASES:
            done = phase(search)
            if done is not None:
                return done
        if search.horizon >= search.upper:
            return search.proved(search.best, "proved optimal: no plan can finish a period sooner")
        return search.stopped(search.horizon)
    except OutOfTime:  # the command's deadline passed inside a model: what is proven so far stands
        return search.stopped(search.lower)


@dataclass
class _Search:
    """What the phases of :func:`solve_by_bounds` share: the best plan found so far (``best``,
    ending at ``upper``); the lower bound proven by propagation, satisfiability and the first MIP
    (``lower``, what a search cut short by the command's deadline reports); the horizon from which
    the LP bound and the MIPs go on upwards (``horizon``); and the deadline."""

    instance: Instance
    rcpsp: Rcpsp
    result: PlanResult
    deadline: float
    jobs: list[Job]
    best: Plan
    upper: int
    lower: int
    horizon: int = 0

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def as_plan(self, starts: list[int]) -> Plan:
        return _as_plan(self.instance, self.jobs, starts)

    def on_horizon(self, plan: Plan) -> Plan:
        """A MIP's plan on the instance's horizon rather than its narrowed model's."""
        return plan.model_copy(update={"periods": self.instance.periods})

    def proved(self, plan: Plan, message: str) -> PlanResult:
        result = self.result
        result.status, result.plan, result.message = PlanStatus.OPTIMAL, plan, message
        result.objective_value = result.bound = float(plan.makespan)
        result.gap = 0.0
        return result

    def stopped(self, bound: int) -> PlanResult:
        """The time ran out: the best plan found, with ``bound`` as what is proven."""
        result = self.result
        result.status, result.plan = PlanStatus.FEASIBLE, self.best
        result.objective_value, result.bound = float(self.upper), float(bound)
        result.gap = gap_between(float(self.upper), float(bound))
        result.message = f"time limit: best plan ends at {self.upper}; none ends before {bound}"
        return result


def _as_plan(instance: Instance, jobs: list[Job], starts: list[int]) -> Plan:
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


def _start(instance: Instance, rcpsp: Rcpsp, result: PlanResult, deadline: float) -> _Search:
    """Bounds: the priority rules' plan from above, critical path, resource energy and time-table
    reasoning from below; then, only if they still differ, sampled priority lists (on at most
    ``HEURISTIC_SHARE`` of the time left) until one meets the lower bound.  Cheap, and on most j30
    instances already equal: sampling 60 lists where the bound is met or the satisfiability search
    settles it anyway was most of the time on easy instances."""
    jobs = instance.all_jobs()
    lower = rcpsp.lower_bound()
    starts, upper = rcpsp_schedule(rcpsp, samples=0)  # kept from reading a PSPLIB file
    search = _Search(instance, rcpsp, result, deadline, jobs, _as_plan(instance, jobs, starts), upper, lower)
    anytime.offer_heuristic(instance, search.best)  # what a watcher sees first
    if upper > lower:
        _time_table(search)
    if search.upper > search.lower:
        until = time.perf_counter() + HEURISTIC_SHARE * search.left()
        sampled, better = rcpsp_schedule(rcpsp, samples=SAMPLES, until=until, bound=search.lower, rules=False)
        if better < search.upper:
            search.best, search.upper = search.as_plan(sampled), better
    return search


def _meets_lower_bound(search: _Search) -> PlanResult | None:
    """Heuristic: done when the priority-rule plan already meets critical path and energy."""
    if search.upper <= search.lower:
        return search.proved(
            search.best, "the priority-rule plan meets the lower bound (critical path and resource energy)"
        )
    return None


def _time_table(search: _Search) -> PlanResult | None:
    """Destructive bound by propagation: raise the lower bound while time-table reasoning rules
    the horizon out; no solver needed."""
    while search.lower < search.upper and propagate(search.rcpsp, search.lower) is None:
        search.lower += 1
    if search.upper <= search.lower:
        return search.proved(search.best, "proved optimal: time-table reasoning rules out every shorter plan")
    return None


def _satisfiability(search: _Search) -> PlanResult | None:
    """SAT search with clause learning, on ``SAT_SHARE`` of the time left: it settles nearly
    every instance; the MIPs below get the rest."""
    starts = [a.start for a in search.best.assignments]  # in job order (see _as_plan)
    found = sat_search(search.rcpsp, search.lower, search.upper, SAT_SHARE * search.left(), starts)
    if found.starts is not None:
        if found.finished:
            message = f"proved optimal: no plan finishes before period {found.lower}"
            return search.proved(search.as_plan(found.starts), message)
        search.best = search.as_plan(found.starts)  # shorter, not proved
        search.upper = search.rcpsp.makespan(found.starts)
    search.lower = max(search.lower, found.lower)
    if search.upper <= search.lower:
        return search.proved(
            search.best, "proved optimal: no plan can finish a period sooner (satisfiability)"
        )
    return None


def _shorter_than_best(search: _Search) -> PlanResult | None:
    """One MIP "finish before the best plan does" on 30 % of the time limit: it settles most of
    what satisfiability left quickly, and otherwise may improve either bound."""
    instance = search.instance
    shorter = _at_horizon(instance, search.upper - 1, search.rcpsp)
    if shorter is None:
        return search.proved(
            search.best, "proved optimal: no plan can finish a period sooner (dependency chain)"
        )
    model = build_model(shorter)
    assert model.makespan is not None
    model.add(model.makespan >= search.lower, "lower_bound", "critical path and resource energy")
    seconds = max(0.1, min(0.3 * instance.settings.time_limit, search.left()))
    outcome, plan = run(model, instance.settings.model_copy(update={"time_limit": seconds}))
    if outcome.status == PlanStatus.INFEASIBLE:
        return search.proved(search.best, "proved optimal: no plan finishes a period sooner")
    if plan is not None and outcome.status == PlanStatus.OPTIMAL:
        return search.proved(search.on_horizon(plan), "proved optimal by the solver")
    if plan is not None and plan.makespan < search.upper:
        search.best, search.upper = search.on_horizon(plan), plan.makespan
    if outcome.bound is not None:
        search.lower = max(search.lower, math.ceil(outcome.bound - 1e-6))
    if search.upper <= search.lower:
        return search.proved(search.best, "proved optimal: the plan meets the solver's bound")
    return None


def _lp_bound(search: _Search) -> PlanResult | None:
    """Destructive LP bound, by bisection over the horizon: every horizon below ``horizon`` has an
    infeasible LP relaxation, so no plan ends before it."""
    low, high = search.lower, search.upper  # every horizon below `low` is impossible; `high` is achievable
    while low < high and time.perf_counter() < search.deadline:
        middle = (low + high) // 2
        narrowed = _at_horizon(search.instance, middle, search.rcpsp)
        if narrowed is not None and _lp_feasible(narrowed, search.left()):
            high = middle
        else:
            low = middle + 1
    search.horizon = low
    if low >= search.upper:
        return search.proved(search.best, "proved optimal: no plan can finish a period sooner (LP bound)")
    return None


def _search_harder(search: _Search) -> PlanResult | None:
    """The bounds still disagree: with more than a second left, a longer heuristic search may
    close the gap from above."""
    better = search.upper
    if search.left() > 1.0:
        starts, better = rcpsp_schedule(search.rcpsp, samples=300, seed=1, until=search.deadline)
    if better < search.upper:
        search.best, search.upper = search.as_plan(starts), better
        if search.upper <= search.horizon:
            return search.proved(search.best, "proved optimal: the improved plan meets the LP bound")
    return None


def _horizon_by_horizon(search: _Search) -> PlanResult | None:
    """One feasibility MIP per horizon upwards from the LP bound: the first feasible one is the
    optimum, proved by the infeasibility of the ones before.  Stops when the time is up or a MIP
    neither finds a plan nor proves there is none."""
    while search.horizon < search.upper:
        remaining = search.left()
        if remaining <= 0.05:
            break
        narrowed = _at_horizon(search.instance, search.horizon, search.rcpsp)
        if narrowed is None:
            search.horizon += 1
            continue
        model = build_model(narrowed)
        assert model.makespan is not None
        horizon = search.horizon
        model.add(model.makespan >= horizon, "proved_bound", f"nothing finishes before period {horizon}")
        outcome, plan = run(model, search.instance.settings.model_copy(update={"time_limit": remaining}))
        if outcome.status == PlanStatus.INFEASIBLE:
            search.horizon += 1
            continue
        if plan is not None:
            return search.proved(
                search.on_horizon(plan), f"proved optimal: no plan finishes before period {horizon}"
            )
        break
    return None


# in order; each proves the optimum (returning the result) or hands tighter bounds to the next
_PHASES: tuple[Callable[[_Search], PlanResult | None], ...] = (
    _meets_lower_bound,
    _time_table,
    _satisfiability,
    _shorter_than_best,
    _lp_bound,
    _search_harder,
    _horizon_by_horizon,
)
