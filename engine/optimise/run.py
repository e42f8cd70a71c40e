"""Build one model, run one solver, and translate what it says: the only place solver
statuses become PlanStatus.  PuLP's own `status` can say Optimal after a time limit; the
solution status, the best bound and the gap are read instead.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pulp

from engine.optimise import anytime, constraints, relax, reuse
from engine.optimise.deadline import SECONDS_PER_NONZERO, handover_seconds, remaining, solver_seconds
from engine.optimise.deadline import deadline as current_deadline
from engine.optimise.highs import HandOver, matrix
from engine.optimise.instance import Instance
from engine.optimise.interrupt import Interrupt, presolve_affordable
from engine.optimise.model import Model, build_variables
from engine.optimise.objective import set_objective
from engine.optimise.quiet import verbose
from engine.plan.result import Plan, PlanStatus
from engine.plan.settings import PlanSettings


@dataclass
class Outcome:
    """What the solver said, translated once (see ``_translate``)."""

    status: PlanStatus
    objective: float | None
    bound: float | None
    gap: float | None
    interrupted: bool = False  # HiGHS was stopped before it finished: the deadline or the Stop button


def make_solver(
    settings: PlanSettings,
    log: Path | None = None,
    relaxed: bool = False,
    reserve: float = 0.0,
    hooks: dict[str, Any] | None = None,
) -> pulp.LpSolver:
    """Every solver is created here. HiGHS (highspy) by default, handed the matrix in one call
    (:mod:`engine.optimise.highs`); CBC through COIN_CMD and cbcbox.

    ``relaxed`` solves the LP relaxation (integrality dropped), for lower bounds.  The time limit
    is the settings' but never past the command's deadline (:mod:`engine.optimise.deadline`), less
    ``reserve`` seconds for handing the model over and reading the answer back.  ``hooks`` are
    HiGHS callback options (a watched solve: :mod:`engine.optimise.anytime`).
    """
    seconds = solver_seconds(settings.time_limit, reserve)
    if settings.solver == "cbc":
        import cbcbox

        return pulp.getSolver(
            "COIN_CMD",
            path=cbcbox.cbc_bin_path(),
            mip=not relaxed,
            msg=verbose(),
            timeLimit=seconds,
            gapRel=settings.gap,
            threads=1,
            logPath=str(log) if log else None,
        )
    return HandOver(
        mip=not relaxed,
        msg=verbose(),
        timeLimit=seconds,
        gapRel=settings.gap,
        threads=1,
        **(hooks or {}),
    )


def build_model(instance: Instance) -> Model:
    started = time.perf_counter()
    maximise = instance.settings.objective != "makespan"
    model = build_variables(instance, pulp.LpMaximize if maximise else pulp.LpMinimize)
    if not maximise:
        model.makespan = model.problem.add_variable("makespan", lowBound=0, upBound=instance.periods)
        constraints.makespan_link(model)
    for family in constraints.ALL:
        family(model)
    set_objective(model)
    model.built_seconds = time.perf_counter() - started
    return model


def translate(model: Model, solver: pulp.LpSolver, log: Path | None) -> Outcome:
    """The one place solver statuses become PlanStatus, with bound and gap read from the solver,
    and the funding's constant (left out of the solver's objective) added to both."""
    return _with_offset(model, _translate(model, solver, log))


def _with_offset(model: Model, outcome: Outcome) -> Outcome:
    offset = model.instance.objective_offset
    if offset:
        outcome.objective = None if outcome.objective is None else outcome.objective + offset
        outcome.bound = None if outcome.bound is None else outcome.bound + offset
    return outcome


def _translate(model: Model, solver: pulp.LpSolver, log: Path | None) -> Outcome:
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
            return Outcome(PlanStatus.FEASIBLE, value, bound, gap_between(value, bound))
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
            PlanStatus.OPTIMAL, value, value if bound is None else bound, gap_between(value, bound) or 0.0
        )
    if value is not None and problem.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return Outcome(PlanStatus.FEASIBLE, value, bound, gap_between(value, bound))
    return Outcome(PlanStatus.NO_SOLUTION, None, bound, None)


def _number(pattern: str, text: str) -> float | None:
    match = re.search(pattern, text)
    return float(match.group(1)) if match else None


def gap_between(value: float | None, bound: float | None) -> float | None:
    if value is None or bound is None:
        return None
    return abs(value - bound) / max(abs(value), 1e-9)


def extract(model: Model) -> Plan:
    """The plan of the solver's final values."""
    return model.plan(lambda var: var.varValue is not None and var.varValue > 0.5)


def run(model: Model, settings: PlanSettings) -> tuple[Outcome, Plan | None]:
    """Solve ``model`` under the command's deadline: large models by their LP relaxation
    (:mod:`engine.optimise.relax`), the rest as one MIP whose HiGHS run the deadline interrupts
    (:mod:`engine.optimise.interrupt`; presolve only where it fits in the time left).  A model of
    the same content as one proven earlier in this process is not solved again: its answer is
    recalled, and a proven optimum is kept for next time (HiGHS only; :mod:`engine.optimise.reuse`)."""
    if relax.worth_it(model, settings):
        found = relax.solve_relaxed(model, settings)
        return Outcome(found.status, found.objective, found.bound, found.gap, found.cut_short), found.plan
    objective = model.problem.objective
    constant = objective is None or objective.isNumericalConstant()  # PuLP adds a dummy column to solve it
    built = matrix(model.problem) if settings.solver == "highs" and not constant else None
    digest = reuse.key(built, True, settings.gap, model.problem.sense) if built is not None else None
    known = reuse.recall(digest) if digest is not None else None
    if known is not None:
        for var in model.problem.variables():
            var.varValue = float(known.values[var.index])
        outcome = Outcome(PlanStatus.OPTIMAL, known.objective, known.bound, known.gap)
        return _with_offset(model, outcome), extract(model)
    outcome, form = _solve_once(model, settings, built)
    if digest is not None and outcome.status == PlanStatus.OPTIMAL and outcome.objective is not None:
        _keep(model, digest, outcome)
    if form is not None and outcome.status.has_plan:
        reuse.keep_start(form, np.array(model.problem.solverModel.getSolution().col_value, dtype=np.float64))
    outcome = _with_offset(model, outcome)
    return outcome, extract(model) if outcome.status.has_plan else None


def _solve_once(model: Model, settings: PlanSettings, built: Any) -> tuple[Outcome, bytes | None]:
    """One solver run (before the funding's constant), and the model's shape its plan is kept
    under as the next run's start (:func:`_start_from_last_plan`)."""
    form: bytes | None = None
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "cbc.log" if settings.solver == "cbc" else None
        watch = anytime.watcher(model, settings)  # None unless someone watches this solve
        clock = Interrupt(current_deadline(), *watch.hook()) if watch else Interrupt(current_deadline())
        reserve, hooks = _highs_terms(model, clock) if settings.solver == "highs" else (0.0, {})
        if settings.solver == "cbc":
            reserve = handover_seconds(model.problem, model.built_seconds)
        solver = make_solver(settings, log, reserve=reserve, hooks=hooks or None)
        if isinstance(solver, HandOver) and built is not None:
            solver.prebuilt = built
            form = _start_from_last_plan(solver, built, settings)
        model.problem.solve(solver)
        if watch is not None:
            watch.done()
        outcome = _translate(model, solver, log)
        outcome.interrupted = clock.fired or _cut_short(model, settings)
    return outcome, form


def _cut_short(model: Model, settings: PlanSettings) -> bool:
    """Whether HiGHS stopped on its time limit (set from the deadline) or an interrupt."""
    if settings.solver != "highs":
        return False
    import highspy

    status = model.problem.solverModel.getModelStatus()
    return status in (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt)


def _highs_terms(model: Model, clock: Interrupt) -> tuple[float, dict[str, Any]]:
    """What to keep back for the hand-over and read-back (HiGHS's clock does not see them; with
    the matrix passed in one call, well under :data:`SECONDS_PER_NONZERO` a nonzero), and the
    solver's hooks: the deadline's interrupt, and presolve off where it would not fit in the
    time left (it calls no interrupt callback)."""
    nonzeros = sum(len(constraint) for constraint in model.problem.constraints())
    reserve = SECONDS_PER_NONZERO * nonzeros
    hooks = clock.options()
    if not presolve_affordable(nonzeros, remaining() - reserve):
        hooks["presolve"] = "off"
    return reserve, hooks


def _start_from_last_plan(solver: HandOver, built: Any, settings: PlanSettings) -> bytes | None:
    """Under the value objective, hand HiGHS the last plan found for a model of the same shape (a
    weight moved changes the costs only) as a MIP start; the shape, to keep this run's plan under."""
    if settings.objective != "value":
        return None
    form = reuse.shape(built)
    solver.start = reuse.start_for(form)
    return form


def _keep(model: Model, digest: bytes, outcome: Outcome) -> None:
    """Keep a proven optimum (solver terms, before the funding's constant) with its column values."""
    assert outcome.objective is not None
    values = np.array(model.problem.solverModel.getSolution().col_value, dtype=np.float64)
    bound = outcome.objective if outcome.bound is None else outcome.bound
    reuse.remember(digest, reuse.Proven(outcome.objective, bound, outcome.gap or 0.0, values))
