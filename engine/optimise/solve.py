"""Run the optimiser: heuristic first, then the MIP, then the independent check.

The reported status is the truth: "optimal" only when the solver proved it (or the heuristic met
a lower bound); "best found, not proven" with the gap when a time limit stopped the search; and
never a plan that ``engine.plan.verify`` rejects.
"""

from __future__ import annotations

import time
from typing import Literal

from engine.base.errors import InfeasibleError
from engine.optimise import anytime
from engine.optimise.deadline import OutOfTime, within
from engine.optimise.deadline import deadline as current_deadline
from engine.optimise.decompose import solve_parts
from engine.optimise.elastic import advise
from engine.optimise.heuristic import greedy_plan, plan_value
from engine.optimise.instance import Instance, build_instance
from engine.optimise.quiet import solver_output_to_stderr
from engine.optimise.rcpsp import pure_rcpsp, solve_by_bounds
from engine.optimise.reasons import TIME_STOPPED, left_out
from engine.optimise.run import Outcome, build_model, gap_between, run
from engine.plan.progress import Progress
from engine.plan.result import Plan, PlanResult, PlanStatus
from engine.plan.settings import PlanSettings
from engine.plan.verify import verify
from engine.programme.model import Programme
from engine.programme.money import Appraisal, plan_ledgers
from engine.scoring.scores import ScoreTable


def _allowed(instance: Instance) -> dict[str, set[str]]:
    return {service: {job.option.id for job in jobs} for service, jobs in instance.jobs.items()}


def solve(
    programme: Programme,
    settings: PlanSettings | None = None,
    scores: ScoreTable | None = None,
    *,
    reasons: bool = False,
    progress: Progress | None = None,
) -> PlanResult:
    """Choose options and start periods; every returned plan has passed ``verify``.

    With ``reasons`` each service the plan keeps as it is gets the computed reason
    (``PlanResult.left_out``; see :mod:`engine.optimise.reasons`), within the same time limit.
    ``settings.time_limit`` bounds the whole call — model building, solvers, infeasibility advice
    and reasons (:mod:`engine.optimise.deadline`); what the limit cuts short, the result says.
    Whatever the solvers print goes to standard error (see :mod:`engine.optimise.quiet`).

    ``progress`` watches the search: each better verified plan is passed to its ``on_progress`` and
    setting its ``stop`` ends the search with the best plan so far, "stopped"
    (:mod:`engine.plan.progress`); the reasons pass is then skipped."""
    settings = settings or PlanSettings()
    with solver_output_to_stderr(), within(settings.time_limit), anytime.watching(progress):
        return anytime.settle(_solve(programme, settings, scores, reasons), progress)


def _solve(
    programme: Programme, settings: PlanSettings | None, scores: ScoreTable | None, reasons: bool = False
) -> PlanResult:
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
    rcpsp = pure_rcpsp(instance) if settings.objective == "makespan" and instance.jobs else None
    # pure scheduling starts from its own priority rules (engine.optimise.rcpsp), not the greedy
    # plan: on PSPLIB j30 that was a tenth of the time of an easy instance
    heuristic = greedy_plan(instance) if rcpsp is None else None
    if heuristic is not None:
        anytime.offer_heuristic(instance, heuristic)
    result.advice = list(instance.notes)
    if heuristic is None:
        assert rcpsp is not None
        result = solve_by_bounds(instance, rcpsp, result)
    elif not instance.jobs:  # nothing can or need change: the empty plan is the only plan
        result.status, result.plan = PlanStatus.OPTIMAL, heuristic
        result.objective_value = result.bound = plan_value(instance, heuristic)
        result.gap = 0.0
        result.message = "no change is worth planning; every service keeps its status quo"
    else:
        try:
            if settings.objective == "makespan":
                result = _solve_makespan(instance, heuristic, result)
            else:
                result = _solve_value(instance, heuristic, result)
        except OutOfTime:
            result = _out_of_time(instance, heuristic, result)
    if result.plan is not None:
        problems = verify(result.plan, programme, settings, _allowed(instance))
        if problems:
            result.status, result.plan = PlanStatus.ERROR, None
            result.message = "the plan failed the independent check: " + "; ".join(problems)
    result.proof = _proof(result, instance)
    if result.plan is not None:
        result.negative_npv = negative_npv(result.plan, programme, settings.appraisal)
    anytime.search_over()
    if reasons and result.plan is not None and not anytime.stop_requested():
        result.left_out = left_out(
            programme,
            settings,
            scores,
            instance,
            result,
            current_deadline(),
            lambda s: solve(programme, s, scores),
        )
        cut = sum(TIME_STOPPED in reason for reason in result.left_out.values())
        if cut:
            result.message = " ".join(
                part
                for part in (
                    result.message,
                    f"The time limit stopped the reasons pass: {cut} unchanged service(s) were not "
                    "re-planned to learn why (allow more time with --time-limit).",
                )
                if part
            )
    result.solve_seconds = time.perf_counter() - started
    return result


def _out_of_time(instance: Instance, heuristic: Plan, result: PlanResult) -> PlanResult:
    """The deadline passed while the model was being built or solved: the priority-rule plan if
    it is a complete, valid plan (not proven optimal), else no plan; either way, say so."""
    usable = _complete(instance, heuristic) and not verify(
        heuristic, instance.programme, instance.settings, _allowed(instance)
    )
    if not usable:
        result.status, result.plan = PlanStatus.NO_SOLUTION, None
        result.message = (
            "the time limit stopped the search before a plan was found; allow more time (--time-limit)"
        )
        return result
    result.status, result.plan = PlanStatus.FEASIBLE, heuristic
    if instance.settings.objective == "makespan":
        result.objective_value = float(heuristic.makespan)
    else:
        result.objective_value = plan_value(instance, heuristic)
    result.bound = result.gap = None
    result.message = (
        "the time limit stopped the search before the solver could run; showing the priority-rule "
        "plan, not proven optimal (allow more time with --time-limit)"
    )
    return result


def negative_npv(plan: Plan, programme: Programme, appraisal: Appraisal) -> list[str]:
    """Services whose change in the plan loses money over its appraisal life (flagged, not hidden)."""
    changes = [(programme.option(a.option), a.start) for a in plan.assignments]
    _, _, own = plan_ledgers(programme, changes, appraisal)
    pairs = zip(plan.assignments, own, strict=True)
    return [a.service for a, ledger in pairs if ledger.npv(appraisal) < -0.005]


def _proof(result: PlanResult, instance: Instance) -> str:
    """What the status line promises, over the whole programme."""
    if result.status == PlanStatus.OPTIMAL:
        scope = (
            "proven optimal: no other choice of options and start dates that the programme and this "
            "what-if allow does better"
        )
        if instance.settings.objective == "makespan":
            scope = "proven soonest finish for the recommended changes"
        if instance.set_aside:
            scope += (
                f"; {instance.set_aside} candidate change{'s were' if instance.set_aside != 1 else ' was'} "
                "set aside first by a dominance rule "
                "that cannot change the optimum (they cannot repay their cost)"
            )
        return scope
    if result.status == PlanStatus.FEASIBLE:
        gap = f" (gap {result.gap:.2%})" if result.gap is not None else ""
        return f"not proven optimal: the time limit stopped the search{gap}"
    return ""


def _complete(instance: Instance, plan: Plan) -> bool:
    return instance.forced <= {a.service for a in plan.assignments}


def _solve_value(instance: Instance, heuristic: Plan, result: PlanResult) -> PlanResult:
    outcome, plan = solve_parts(instance)  # independent parts apart, joined (engine.optimise.decompose)
    have_heuristic = _complete(instance, heuristic) and not verify(
        heuristic, instance.programme, instance.settings, _allowed(instance)
    )
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
            result.gap = gap_between(result.objective_value, outcome.bound)
            result.message = "the solver stopped before finding a plan; showing the priority-rule plan"
        else:
            result.status = PlanStatus.NO_SOLUTION
            result.message = "the solver stopped before finding a plan; allow more time"
        return result
    heuristic_value = plan_value(instance, heuristic) if have_heuristic else float("-inf")
    if outcome.status == PlanStatus.FEASIBLE and heuristic_value > outcome.objective + 1e-9:
        plan, outcome.objective = heuristic, heuristic_value
        outcome.gap = gap_between(heuristic_value, outcome.bound)
    result.status, result.plan = outcome.status, plan
    result.objective_value, result.bound, result.gap = outcome.objective, outcome.bound, outcome.gap
    return result


def _solve_makespan(instance: Instance, heuristic: Plan, result: PlanResult) -> PlanResult:
    rcpsp = pure_rcpsp(instance)
    if rcpsp is not None:
        return solve_by_bounds(instance, rcpsp, result)
    if not _complete(instance, heuristic):
        model = build_model(instance)
        outcome, plan = run(model, instance.settings)
        return _finish(result, outcome, plan, None, 0, instance)
    model = build_model(instance)
    outcome, plan = run(model, instance.settings)
    return _finish(result, outcome, plan, heuristic, 0, instance)


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
    result.gap = gap_between(float(best.makespan), bound)
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
