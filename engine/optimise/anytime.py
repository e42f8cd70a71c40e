"""The solver's side of watching and stopping a solve (:mod:`engine.plan.progress`).

``solve(..., progress=...)`` opens a :func:`watching` block; :func:`engine.optimise.run.run` asks
:func:`watcher` for a :class:`Watcher` and hands its callback to PuLP's HiGHS (``callbackTuple`` and
``callbacksToActivate``, PuLP's own way in).  HiGHS then calls back on the solving thread:

- ``kCallbackMipImprovingSolution`` with each better solution (its column values, objective and the
  dual bound): the values are decoded into a :class:`Plan`, checked by the independent verifier and
  offered to the watcher, so nothing unverified is ever shown;
- ``kCallbackMipInterrupt`` (and the simplex and interior-point ones, for a long root LP): when the
  watcher's ``stop`` is set, ``user_interrupt`` asks HiGHS to stop; it returns its best solution.

Nested solves (the reasons pass, re-plans) open their own block with no one watching, so only the
command's own search is reported.  CBC runs in another process and cannot be watched here.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import Any

import pulp

from engine.optimise.deadline import stoppable
from engine.optimise.heuristic import plan_value
from engine.optimise.instance import Instance
from engine.optimise.model import Model
from engine.plan.progress import Incumbent, Progress
from engine.plan.result import Plan, PlanResult, PlanStatus, gap_words
from engine.plan.settings import PlanSettings
from engine.plan.verify import verify

_WATCHED: contextvars.ContextVar[Progress | None] = contextvars.ContextVar("ssplan_progress", default=None)


@contextlib.contextmanager
def watching(progress: Progress | None) -> Iterator[None]:
    """Report the block's search to ``progress`` (None: to no one, hiding any enclosing watcher)."""
    token = _WATCHED.set(progress)
    try:
        with stoppable(None if progress is None else _stop_check(progress)):
            yield
    finally:
        _WATCHED.reset(token)


def _stop_check(progress: Progress) -> Callable[[], bool]:
    """Whether the user has stopped a search still going (the model building and the hand-over
    check it, so a Stop there ends the search at once, with the best plan so far)."""

    def stopped() -> bool:
        if progress.searching and progress.stop.is_set():
            progress.stopped_search = True
            return True
        return False

    return stopped


def current() -> Progress | None:
    return _WATCHED.get()


def stop_requested() -> bool:
    """Whether the watcher of this solve has asked it to stop (the work after the search is skipped)."""
    progress = _WATCHED.get()
    return progress is not None and progress.stop.is_set()


def search_over() -> None:
    """Tell the watcher the search has ended (the plan is found; the reasons pass may follow)."""
    progress = _WATCHED.get()
    if progress is not None:
        progress.searching = False


def _allowed(instance: Instance) -> dict[str, set[str]]:
    return {service: {job.option.id for job in jobs} for service, jobs in instance.jobs.items()}


def _gap(value: float, bound: float | None) -> float | None:
    return None if bound is None else abs(bound - value) / max(abs(value), 1e-9)


def offer_heuristic(instance: Instance, plan: Plan) -> None:
    """The priority-rule plan, the first thing a watcher sees, if it is complete and verified."""
    progress = _WATCHED.get()
    if progress is None or not instance.jobs:
        return
    if not instance.forced <= {a.service for a in plan.assignments}:
        return
    if verify(plan, instance.programme, instance.settings, _allowed(instance)):
        return
    makespan = instance.settings.objective == "makespan"
    value = float(plan.makespan) if makespan else plan_value(instance, plan)
    incumbent = Incumbent(plan, value, None, None, progress.elapsed(), "priority rule")
    progress.offer(incumbent, maximise=not makespan)


def plan_of(model: Model, values: Any) -> Plan:
    """The plan a solution's column values describe (``values[var.index]``, PuLP's column order)."""
    return model.plan(lambda var: values[var.index] > 0.5)


class Watcher:
    """One HiGHS run reported to one :class:`Progress`."""

    def __init__(self, model: Model, progress: Progress) -> None:
        self.model, self.progress = model, progress
        self.maximise = model.problem.sense == pulp.LpMaximize
        self.error: BaseException | None = None  # raised after the run: never inside HiGHS

    def options(self) -> dict[str, Any]:
        """Keyword arguments for ``pulp.getSolver("HiGHS", ...)``."""
        import highspy

        kinds = highspy.cb.HighsCallbackType
        wanted = [
            kinds.kCallbackMipImprovingSolution,
            kinds.kCallbackMipInterrupt,
            kinds.kCallbackSimplexInterrupt,
            kinds.kCallbackIpmInterrupt,
        ]
        return {"callbackTuple": (self._callback, None), "callbacksToActivate": wanted}

    def hook(self) -> tuple[Any, list[Any]]:
        """The callback and the kinds it wants, for a wrapper that shares PuLP's one callback
        (:class:`engine.optimise.interrupt.Interrupt`)."""
        options = self.options()
        return options["callbackTuple"][0], options["callbacksToActivate"]

    def _callback(self, kind: Any, message: str, out: Any, data_in: Any, user_data: Any) -> None:
        import highspy

        kinds = highspy.cb.HighsCallbackType
        try:
            if kind == kinds.kCallbackMipImprovingSolution:
                self._improving(out)
                return
            if kind == kinds.kCallbackMipInterrupt:
                self._bound(out.mip_dual_bound)
            if data_in is not None and self.progress.stop.is_set():
                data_in.user_interrupt = True
                self.progress.stopped_search = True
        except BaseException as exc:  # an exception must not unwind through HiGHS: stop, raise later
            self.error = self.error or exc
            if data_in is not None:
                data_in.user_interrupt = True

    def _value(self, highs_value: float) -> float | None:
        """A HiGHS objective value in the plan's terms (HiGHS minimises: PuLP negated a maximum; the
        funding's constant is left out of the solver's objective), None for an infinite one."""
        if abs(highs_value) >= 1e30:
            return None
        return (-1.0 if self.maximise else 1.0) * highs_value + self.model.instance.objective_offset

    def _bound(self, highs_bound: float) -> None:
        """Keep the latest bound, for the whole programme's search only: a makespan search solves
        models cut to a shorter horizon, whose bounds do not hold for the programme."""
        bound = self._value(highs_bound)
        if bound is not None and self.model.instance.settings.objective != "makespan":
            self.progress.bound = bound

    def _improving(self, out: Any) -> None:
        """Decode, verify and offer one improving solution."""
        value, bound = self._value(out.objective_function_value), self._value(out.mip_dual_bound)
        if value is None:
            return
        self._bound(out.mip_dual_bound)
        if self.model.instance.settings.objective == "makespan":
            bound = None  # see _bound
        plan = plan_of(self.model, out.mip_solution)
        instance = self.model.instance
        if verify(plan, instance.programme, instance.settings, _allowed(instance)):
            return  # never shown: only verified plans reach the watcher
        incumbent = Incumbent(plan, value, bound, _gap(value, bound), self.progress.elapsed(), "solver")
        self.progress.offer(incumbent, self.maximise)

    def done(self) -> None:
        if self.error is not None:
            raise self.error


def watcher(model: Model, settings: PlanSettings) -> Watcher | None:
    """A watcher for this run of ``model``, or None when no one watches (or the solver is CBC)."""
    progress = _WATCHED.get()
    if progress is None or settings.solver != "highs":
        return None
    return Watcher(model, progress)


def settle(result: PlanResult, progress: Progress | None) -> PlanResult:
    """A search the user stopped says so: "stopped by you", the best plan found and its gap.  A
    search that finished (or was proved, or ran out of time) before the stop reached the solver
    keeps its own status."""
    if progress is None or not progress.stopped_search:
        return result
    if result.status == PlanStatus.NO_SOLUTION:
        result.message = "You stopped the search before it had found a plan."
        return result
    if result.status != PlanStatus.FEASIBLE:
        return result
    result.status = PlanStatus.STOPPED
    result.message = f"You stopped the search: this is the best plan found, {gap_words(result.gap)}."
    result.proof = "not proven optimal: you stopped the search before it could prove this is the best plan"
    return result
