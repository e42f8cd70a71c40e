"""Run the optimiser: heuristic first, then the MIP, then the independent check.

The reported status is the truth: "optimal" only when the solver proved it (or the heuristic met
a lower bound); "best found, not proven" with the gap when a time limit stopped the search; and
never a plan that ``engine.plan.verify`` rejects.
"""

from __future__ import annotations

import math
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pulp

from engine.errors import InfeasibleError
from engine.heuristic import Rcpsp, greedy_plan, plan_value, propagate, rcpsp_schedule
from engine.instance import Instance, build_instance
from engine.model import Programme
from engine.optimise import constraints
from engine.optimise.elastic import advise
from engine.optimise.model import Model, build_variables
from engine.optimise.objective import set_objective
from engine.plan import Assignment, Plan, PlanResult, PlanSettings, PlanStatus, verify
from engine.scoring import ScoreTable


@dataclass
class Outcome:
    """What the solver said, translated once (see ``_translate``)."""

    status: PlanStatus
    objective: float | None
    bound: float | None
    gap: float | None


def make_solver(settings: PlanSettings, log: Path | None = None) -> pulp.LpSolver:
    """Every solver is created here. HiGHS (highspy) by default; CBC through COIN_CMD and cbcbox."""
    if settings.solver == "cbc":
        import cbcbox

        return pulp.getSolver(
            "COIN_CMD",
            path=cbcbox.cbc_bin_path(),
            msg=False,
            timeLimit=settings.time_limit,
            gapRel=settings.gap,
            threads=1,
            logPath=str(log) if log else None,
        )
    return pulp.getSolver("HiGHS", msg=False, timeLimit=settings.time_limit, gapRel=settings.gap, threads=1)


def build_model(instance: Instance) -> Model:
    maximise = instance.settings.objective != "makespan"
    model = build_variables(instance, pulp.LpMaximize if maximise else pulp.LpMinimize)
    if not maximise:
        model.makespan = model.problem.add_variable("makespan", lowBound=0, upBound=instance.periods)
        constraints.makespan_link(model)
    for family in constraints.ALL:
        family(model)
    set_objective(model)
    return model


def _translate(model: Model, solver: pulp.LpSolver, log: Path | None) -> Outcome:
    """The one place solver statuses become PlanStatus, with bound and gap read from the solver."""
    problem = model.problem
    sense = 1 if problem.sense == pulp.LpMinimize else -1
    if isinstance(solver, pulp.HiGHS):
        import highspy

        highs = problem.solverModel
        status = highs.getModelStatus()
        info = highs.getInfo()
        has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
        bound = info.mip_dual_bound * sense if abs(info.mip_dual_bound) < 1e30 else None
        value = info.objective_function_value * sense if has_plan else None
        if status == highspy.HighsModelStatus.kOptimal and has_plan:
            return Outcome(PlanStatus.OPTIMAL, value, bound if bound is not None else value, info.mip_gap)
        if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return Outcome(PlanStatus.INFEASIBLE, None, None, None)
        if has_plan:
            return Outcome(PlanStatus.FEASIBLE, value, bound, _gap(value, bound))
        return Outcome(PlanStatus.NO_SOLUTION, None, bound, None)
    # CBC: PuLP's `status` can say Optimal after a time limit; sol_status and the log say what happened
    text = log.read_text(errors="replace") if log and log.exists() else ""
    bound = _number(r"(?:Lower|Upper) bound:\s*(-?[\d.e+]+)", text)
    stopped = "Stopped on time" in text or "Stopped on iterations" in text
    value = pulp.value(problem.objective) if problem.sol_status in (1, 2) else None
    if problem.status == pulp.LpStatusInfeasible or problem.sol_status == pulp.LpSolutionInfeasible:
        return Outcome(PlanStatus.INFEASIBLE, None, None, None)
    if problem.sol_status == pulp.LpSolutionOptimal and not stopped:
        return Outcome(
            PlanStatus.OPTIMAL, value, value if bound is None else bound, _gap(value, bound) or 0.0
        )
    if value is not None and problem.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return Outcome(PlanStatus.FEASIBLE, value, bound, _gap(value, bound))
    return Outcome(PlanStatus.NO_SOLUTION, None, bound, None)


def _number(pattern: str, text: str) -> float | None:
    match = re.search(pattern, text)
    return float(match.group(1)) if match else None


def _gap(value: float | None, bound: float | None) -> float | None:
    if value is None or bound is None:
        return None
    return abs(value - bound) / max(abs(value), 1e-9)


def _extract(model: Model) -> Plan:
    chosen = []
    for (option, t), var in model.start.items():
        if var.varValue is not None and var.varValue > 0.5:
            job = model.jobs[option]
            chosen.append(
                Assignment(
                    service=job.service,
                    option=option,
                    provider=job.option.provider,
                    start=t,
                    duration=job.duration,
                )
            )
    chosen.sort(key=lambda a: (a.start, a.service))
    return Plan(
        programme=model.instance.programme.id, periods=model.instance.periods, assignments=tuple(chosen)
    )


def _run(model: Model, settings: PlanSettings) -> tuple[Outcome, Plan | None]:
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "cbc.log" if settings.solver == "cbc" else None
        solver = make_solver(settings, log)
        model.problem.solve(solver)
        outcome = _translate(model, solver, log)
    return outcome, _extract(model) if outcome.status.has_plan else None


def _allowed(instance: Instance) -> dict[str, set[str]]:
    return {service: {job.option.id for job in jobs} for service, jobs in instance.jobs.items()}


def solve(
    programme: Programme, settings: PlanSettings | None = None, scores: ScoreTable | None = None
) -> PlanResult:
    """Choose options and start periods; every returned plan has passed ``verify``."""
    settings = settings or PlanSettings()
    started = time.perf_counter()
    result = PlanResult(PlanStatus.ERROR, settings.objective, solver=settings.solver, programme=programme)
    try:
        instance = build_instance(programme, settings, scores)
    except InfeasibleError as exc:
        result.status = PlanStatus.INFEASIBLE
        result.message = "no plan can satisfy the settings"
        result.advice = [p.message for p in exc.problems]
        result.solve_seconds = time.perf_counter() - started
        return result
    heuristic = greedy_plan(instance)
    result.advice = list(instance.notes)
    if not instance.jobs:  # nothing can or need change: the empty plan is the only plan
        result.status, result.plan = PlanStatus.OPTIMAL, heuristic
        result.objective_value = result.bound = 0.0
        result.gap = 0.0
        result.message = "no service has an option to plan; every service keeps its status quo"
        result.solve_seconds = time.perf_counter() - started
        return result
    if settings.objective == "makespan":
        result = _solve_makespan(instance, heuristic, result)
    else:
        result = _solve_value(instance, heuristic, result)
    if result.plan is not None:
        problems = verify(result.plan, programme, settings, _allowed(instance))
        if problems:
            result.status, result.plan = PlanStatus.ERROR, None
            result.message = "the plan failed the independent check: " + "; ".join(problems)
    result.solve_seconds = time.perf_counter() - started
    return result


def _complete(instance: Instance, plan: Plan) -> bool:
    return instance.forced <= {a.service for a in plan.assignments}


def _solve_value(instance: Instance, heuristic: Plan, result: PlanResult) -> PlanResult:
    model = build_model(instance)
    outcome, plan = _run(model, instance.settings)
    have_heuristic = _complete(instance, heuristic)
    if outcome.status == PlanStatus.INFEASIBLE:
        result.status = PlanStatus.INFEASIBLE
        result.message = "no plan satisfies every limit"
        result.advice = advise(instance)
        return result
    if plan is None or outcome.objective is None:
        if have_heuristic:
            result.status, result.plan = PlanStatus.FEASIBLE, heuristic
            result.objective_value = plan_value(instance, heuristic)
            result.bound = outcome.bound
            result.gap = _gap(result.objective_value, outcome.bound)
            result.message = "the solver stopped before finding a plan; showing the priority-rule plan"
        else:
            result.status = PlanStatus.NO_SOLUTION
            result.message = "the solver stopped before finding a plan; allow more time"
        return result
    heuristic_value = plan_value(instance, heuristic) if have_heuristic else float("-inf")
    if outcome.status == PlanStatus.FEASIBLE and heuristic_value > outcome.objective + 1e-9:
        plan, outcome.objective = heuristic, heuristic_value
        outcome.gap = _gap(heuristic_value, outcome.bound)
    result.status, result.plan = outcome.status, plan
    result.objective_value, result.bound, result.gap = outcome.objective, outcome.bound, outcome.gap
    return result


def _pure_rcpsp(instance: Instance) -> Rcpsp | None:
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
        if lag:
            return None
        successors[index[before]].append(index[after])
    return Rcpsp([j.duration for j in jobs], demands, capacities, successors)


def _solve_makespan(instance: Instance, heuristic: Plan, result: PlanResult) -> PlanResult:
    rcpsp = _pure_rcpsp(instance)
    if rcpsp is not None:
        return _solve_by_bounds(instance, rcpsp, result)
    if not _complete(instance, heuristic):
        model = build_model(instance)
        outcome, plan = _run(model, instance.settings)
        return _finish(result, outcome, plan, None, 0, instance)
    model = build_model(instance)
    outcome, plan = _run(model, instance.settings)
    return _finish(result, outcome, plan, heuristic, 0, instance)


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
    model.problem.solve(pulp.getSolver("HiGHS", mip=False, msg=False, timeLimit=max(seconds, 0.1), threads=1))
    return model.problem.status != pulp.LpStatusInfeasible


def _solve_by_bounds(instance: Instance, rcpsp: Rcpsp, result: PlanResult) -> PlanResult:
    """Pure scheduling: a strong heuristic for the upper bound, destructive LP bounds from below,
    then one small feasibility MIP per horizon upwards.

    Restricting the horizon to T narrows every start window (longest paths before and after each
    job), so the LP relaxation of "finish by T" is far tighter than the bound of one big model; the
    smallest T whose LP is feasible is a lower bound, and the first T whose MIP is feasible is the
    optimum, proved by the infeasibility of T − 1.
    """
    deadline = time.perf_counter() + instance.settings.time_limit
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

    if upper <= lower:
        return proved(
            heuristic, "the priority-rule plan meets the lower bound (critical path and resource energy)"
        )
    while lower < upper and propagate(rcpsp, lower) is None:  # destructive bound by propagation
        lower += 1
    if upper <= lower:
        return proved(heuristic, "proved optimal: time-table reasoning rules out every shorter plan")
    # first, one model "finish before the heuristic does", which settles most instances quickly
    shorter = _at_horizon(instance, upper - 1, rcpsp)
    if shorter is None:
        return proved(heuristic, "proved optimal: no plan can finish a period sooner (dependency chain)")
    model = build_model(shorter)
    assert model.makespan is not None
    model.add(model.makespan >= lower, "lower_bound", "critical path and resource energy")
    first_try = instance.settings.model_copy(
        update={"time_limit": max(0.1, 0.3 * instance.settings.time_limit)}
    )
    outcome, plan = _run(model, first_try)
    if outcome.status == PlanStatus.INFEASIBLE:
        return proved(heuristic, "proved optimal: no plan finishes a period sooner")
    if plan is not None and outcome.status == PlanStatus.OPTIMAL:
        return proved(plan.model_copy(update={"periods": instance.periods}), "proved optimal by the solver")
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
    starts, better = rcpsp_schedule(rcpsp, samples=300, seed=1)  # the bounds disagree: search harder
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
        outcome, plan = _run(model, instance.settings.model_copy(update={"time_limit": remaining}))
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
    result.gap = _gap(float(upper), float(horizon))
    result.message = f"time limit: best plan ends at {upper}; none ends before {horizon}"
    return result


def _finish(
    result: PlanResult,
    outcome: Outcome,
    plan: Plan | None,
    heuristic: Plan | None,
    lower: int,
    instance: Instance,
    searched_below: bool = False,
) -> PlanResult:
    bound = max(float(lower), outcome.bound or 0.0)
    if outcome.status == PlanStatus.INFEASIBLE:
        if searched_below and heuristic is not None:  # nothing shorter than the heuristic exists
            result.status, result.plan = PlanStatus.OPTIMAL, heuristic
            result.objective_value = result.bound = float(heuristic.makespan)
            result.gap = 0.0
            result.message = "proved optimal: no plan finishes a period sooner"
            return result
        result.status = PlanStatus.INFEASIBLE
        result.message = "no plan satisfies every limit"
        result.advice = advise(instance)
        return result
    if plan is not None and outcome.status == PlanStatus.OPTIMAL:
        result.status, result.plan = PlanStatus.OPTIMAL, plan
        result.objective_value = float(plan.makespan)
        result.bound, result.gap = float(plan.makespan), 0.0
        return result
    best = plan if plan is not None else heuristic
    if best is None:
        result.status = PlanStatus.NO_SOLUTION
        result.message = "the solver stopped before finding a plan; allow more time"
        return result
    if heuristic is not None and plan is not None and heuristic.makespan < plan.makespan:
        best = heuristic
    result.status, result.plan = PlanStatus.FEASIBLE, best
    result.objective_value = float(best.makespan)
    result.bound = bound
    result.gap = _gap(float(best.makespan), bound)
    return result


def solve_rcpsp(
    programme: Programme, time_limit: float = 10.0, solver: Literal["highs", "cbc"] = "highs"
) -> PlanResult:
    """Minimise the makespan of a programme in which every service must change (PSPLIB)."""
    settings = PlanSettings(
        objective="makespan",
        time_limit=time_limit,
        solver=solver,
        gap=0.0,
    )
    return solve(programme, settings, None)
