"""Large models by their LP relaxation: a bound first, then the MIP over what the LP left open.

Why (issue 19, point 2): on the seeded 2,000-service programme HiGHS's MIP presolve alone runs
42–63 s without looking at the clock, and with presolve off its search was 4.2 % from the
optimum after 564 s; yet the LP relaxation is almost integral (25 of 142,972 columns strictly
between 0.01 and 0.99) and within 10⁻⁶ of the optimum at 500 services.  So, for models of
:data:`RELAX_FROM` start variables or more:

1. the LP relaxation, dual simplex with presolve off (every few iterations an interrupt callback,
   so the command's deadline holds: :mod:`engine.optimise.interrupt`).  Its optimum is a bound on
   every plan of the whole programme (the relaxation only drops integrality);
2. a first plan: every start at most :data:`FIX_TOLERANCE` in the LP fixed at 0, and the MIP over
   the rest (a few thousand columns), with presolve, in at most :data:`HEURISTIC_SHARE` of the time
   left, all of it where step 3 cannot run (fixing the starts near 1 as well was measured worse:
   0.041 % below the LP bound at 500 services, against 0.022 %);
3. the proof, where presolve fits in the time left (:func:`presolve_affordable`): the fixings of 2.
   undone, the starts fixed instead by their reduced costs against that plan (exact:
   :func:`_fix_by_reduced_costs`), and the MIP over the rest started from the plan of 2.  Its dual
   bound, where tighter, replaces the LP's.

The plan is "optimal" only when it is within the settings' gap of the bound, which holds over the
whole programme; otherwise "best found, not proven" with that gap.  The caller verifies the plan
(``engine.plan.verify``) like any other.

If the first MIP has no plan (fixing can cut every plan off), step 3 is the whole MIP; if there
is still no plan, the outcome has the bound and no plan, and
:func:`engine.optimise.solve._solve_value` shows the priority-rule plan against it.
A watched search (:mod:`engine.optimise.anytime`) keeps the one whole-programme MIP: the bounds
it shows while searching must hold for the programme, and a restricted MIP's do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import highspy
import numpy as np

from engine.optimise import anytime
from engine.optimise.deadline import deadline, remaining
from engine.optimise.highs import matrix
from engine.optimise.interrupt import Interrupt, presolve_affordable
from engine.optimise.model import Model
from engine.optimise.quiet import verbose
from engine.plan.result import Plan, PlanStatus
from engine.plan.settings import PlanSettings

# start variables from which the LP route is taken (500 seeded services: 24,736)
RELAX_FROM = 10_000
# an LP value this close to 0 or 1 is fixed there before the MIP
FIX_TOLERANCE = 0.01
# the share of the time left for the MIP over the columns the LP left open (the first plan)
HEURISTIC_SHARE = 0.5
# what the read-back and the plan need after HiGHS stops: seconds, and seconds a start variable
# (reading the plan back, verifying it, each change's money and the reasons' first pass: 2.2 s
# after HiGHS at 2,000 services, 104,000 start variables, measured on the 2-core machine)
READ_BACK = 0.5
READ_BACK_PER_START = 2e-5


def read_back(model: Model) -> float:
    """Seconds kept back from HiGHS for the work after it, so the command ends at its deadline."""
    return READ_BACK + READ_BACK_PER_START * len(model.start)


def worth_it(model: Model, settings: PlanSettings) -> bool:
    """Whether ``model`` takes the LP route (large, HiGHS, a planning objective, no one watching)."""
    return (
        len(model.start) >= RELAX_FROM
        and settings.solver == "highs"
        and settings.objective != "makespan"
        and anytime.current() is None
    )


def _highs(settings: PlanSettings, clock: Interrupt) -> highspy.Highs:
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", verbose())
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("mip_rel_gap", settings.gap)
    highs.setCallback(clock.callback, None)
    for kind in clock.options()["callbacksToActivate"]:
        highs.startCallback(kind)
    return highs


def _limit(settings: PlanSettings, reserve: float, share: float = 1.0) -> float:
    return max(0.05, min(settings.time_limit, share * (remaining() - reserve)))


@dataclass
class _Search:
    """One HiGHS object through the three runs, in HiGHS's terms (it minimises)."""

    model: Model
    settings: PlanSettings
    highs: highspy.Highs
    starts: np.ndarray  # the columns of the start variables
    reserve: float  # seconds kept back for the work after HiGHS (read_back)
    cut_short: bool = False  # a run stopped on its time limit or an interrupt

    def run(self, relaxation: bool, presolve: str, share: float = 1.0) -> highspy.HighsModelStatus:
        self.highs.setOptionValue("solve_relaxation", relaxation)
        self.highs.setOptionValue("presolve", presolve)
        self.highs.setOptionValue("time_limit", _limit(self.settings, self.reserve, share))
        self.highs.run()
        status = self.highs.getModelStatus()
        self.cut_short |= status in (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt)
        return status

    def fix(self, columns: np.ndarray, level: float) -> None:
        if columns.size:
            bounds = np.full(columns.size, level)
            self.highs.changeColsBounds(columns.size, columns, bounds, bounds)

    def free(self) -> None:
        self.highs.changeColsBounds(
            self.starts.size, self.starts, np.zeros(self.starts.size), np.ones(self.starts.size)
        )

    def incumbent(self) -> tuple[float, np.ndarray] | None:
        if self.highs.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
            return None
        return self.highs.getInfo().objective_function_value, np.asarray(self.highs.getSolution().col_value)


class Relaxed(NamedTuple):
    """What the route found (``engine.optimise.run`` makes its ``Outcome`` of it)."""

    status: PlanStatus
    objective: float | None
    bound: float | None
    gap: float | None
    plan: Plan | None
    cut_short: bool  # a time limit or the deadline stopped a HiGHS run


def _gap(value: float, bound: float) -> float:
    return abs(value - bound) / max(abs(value), 1e-9)


def solve_relaxed(model: Model, settings: PlanSettings) -> Relaxed:
    """Solve ``model`` by the route of the module docstring."""
    clock = Interrupt(deadline())
    highs = _highs(settings, clock)
    lp = matrix(model.problem, integral=True)
    nonzeros = len(lp.a_matrix_.value_)
    highs.passModel(lp)
    del lp
    starts = np.array([var.index for var in model.start.values()], dtype=np.int32)
    search = _Search(model, settings, highs, starts, read_back(model))
    status = search.run(relaxation=True, presolve="off")
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return Relaxed(PlanStatus.INFEASIBLE, None, None, None, None, clock.fired)  # LP has none: MIP neither
    if status != highspy.HighsModelStatus.kOptimal:
        return Relaxed(PlanStatus.NO_SOLUTION, None, None, None, None, clock.fired or search.cut_short)
    lower = highs.getInfo().objective_function_value
    values, costs = np.asarray(highs.getSolution().col_value), np.asarray(highs.getSolution().col_dual)
    taken = values[search.starts]
    search.fix(search.starts[taken <= FIX_TOLERANCE], 0.0)
    # the first plan shares the time with the proof only where the proof can run at all; decided
    # once, so a proof planned for is not dropped for want of the half the first plan was given
    proof = presolve_affordable(nonzeros, remaining() - search.reserve)
    search.run(relaxation=False, presolve="on", share=HEURISTIC_SHARE if proof else 1.0)
    best = search.incumbent()
    if not clock.fired and proof:
        search.free()
        if best is not None:
            _fix_by_reduced_costs(search, lower, best[0], values, costs)
            highs.setSolution(_solution(best[1]))
        status = search.run(relaxation=False, presolve="on")
        if best is None and status == highspy.HighsModelStatus.kInfeasible:  # the whole MIP: none
            return Relaxed(PlanStatus.INFEASIBLE, None, None, None, None, clock.fired or search.cut_short)
        found = search.incumbent()
        if found is not None and (best is None or found[0] <= best[0]):
            best = found
        # a bound over the whole programme (see _fix_by_reduced_costs), whether or not it was proved;
        # an infeasible or unbounded run's is infinite and says nothing
        dual = highs.getInfo().mip_dual_bound
        if abs(dual) < 1e30 and status != highspy.HighsModelStatus.kInfeasible:
            lower = max(lower, dual)
    sign = -1.0 if _maximising(model) else 1.0  # matrix() negated the costs of a maximum
    offset = model.instance.objective_offset
    bound = sign * lower + offset
    if best is None:  # the fixed MIP found no plan
        return Relaxed(PlanStatus.NO_SOLUTION, None, bound, None, None, clock.fired or search.cut_short)
    value, solution = sign * best[0] + offset, best[1]
    plan = model.plan(lambda var: solution[var.index] > 0.5)
    gap = _gap(value, bound)
    proven = gap <= settings.gap + 1e-9
    verdict = PlanStatus.OPTIMAL if proven else PlanStatus.FEASIBLE
    # a run cut short on its way to a proven plan (the first plan's share) stopped nothing
    return Relaxed(verdict, value, bound, gap, plan, clock.fired or (search.cut_short and not proven))


def _solution(values: np.ndarray) -> highspy.HighsSolution:
    solution = highspy.HighsSolution()
    solution.col_value = values
    solution.value_valid = True
    return solution


def _fix_by_reduced_costs(
    search: _Search, lower: float, upper: float, values: np.ndarray, costs: np.ndarray
) -> None:
    """Reduced-cost fixing, which is exact: with the LP optimum ``lower`` (HiGHS minimises) and a
    start at a bound with reduced cost d, every solution that moves it off that bound costs at
    least lower + |d|; where that exceeds ``upper`` (a plan in hand) no better plan moves it, so it
    is fixed.  The MIP over the rest then holds every plan at least as good as the one in hand,
    and its dual bound is a bound over the whole programme."""
    slack = 1e-9 * max(1.0, abs(upper))
    cut = lower + np.abs(costs[search.starts]) > upper + slack
    taken = values[search.starts]
    search.fix(search.starts[cut & (taken <= 1e-9)], 0.0)
    search.fix(search.starts[cut & (taken >= 1 - 1e-9)], 1.0)


def _maximising(model: Model) -> bool:
    import pulp

    return bool(model.problem.sense == pulp.LpMaximize)
