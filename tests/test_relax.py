"""Large models by their LP relaxation (``engine.optimise.relax``) and the command's deadline inside
HiGHS (``engine.optimise.interrupt``): the same optimum as the one MIP and as exhaustive enumeration
(``tests.test_oracle``) on every planning objective, and a HiGHS run stopped at the deadline."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

import highspy
import pytest
from hypothesis import given

from engine.optimise import relax
from engine.optimise.deadline import within
from engine.optimise.highs import matrix
from engine.optimise.instance import build_instance
from engine.optimise.interrupt import Interrupt, presolve_affordable
from engine.optimise.run import build_model, run
from engine.optimise.solve import solve
from engine.plan.result import PlanStatus
from engine.plan.settings import PlanSettings
from engine.plan.verify import verify
from engine.programme.model import Programme
from engine.programme.synth import seeded_programme
from engine.scoring.scores import score
from tests.test_oracle import RULES, _check, _oracle_settings, programmes

EVERY_MODEL = mock.patch("engine.optimise.relax.RELAX_FROM", 0)


def _model(services: int, objective: str, gap: float = 0.0) -> Any:
    programme = seeded_programme(services, seed=services)
    settings = PlanSettings(objective=objective, gap=gap)
    return build_model(build_instance(programme, settings, score(programme, RULES)))


def test_only_large_unwatched_highs_models_take_the_lp_route():
    model = _model(12, "value")
    assert not relax.worth_it(model, model.instance.settings)
    with EVERY_MODEL:
        assert relax.worth_it(model, model.instance.settings)
        assert not relax.worth_it(model, model.instance.settings.model_copy(update={"solver": "cbc"}))


def test_presolve_is_kept_on_small_models_and_dropped_where_it_cannot_finish_in_time():
    assert presolve_affordable(20_000, 0.5)  # a 40-service model: presolve takes milliseconds
    assert presolve_affordable(221_000, 60.0)  # 500 services: about 9 s of a minute
    assert not presolve_affordable(1_075_728, 60.0)  # 2,000 services: 42-63 s measured
    assert not presolve_affordable(221_000, 10.0)


@pytest.mark.slow
@pytest.mark.parametrize("objective", ["value", "savings", "maxmin"])
def test_the_lp_route_proves_the_one_mips_optimum(objective: str):
    answers = {}
    for route in (False, True):
        model = _model(30, objective)
        with mock.patch("engine.optimise.relax.RELAX_FROM", 0 if route else 10**12):
            outcome, plan = run(model, model.instance.settings)
        assert outcome.status == PlanStatus.OPTIMAL and plan is not None
        assert outcome.bound == pytest.approx(outcome.objective, rel=1e-9, abs=1e-6)
        instance = model.instance
        allowed = {s: {job.option.id for job in jobs} for s, jobs in instance.jobs.items()}
        assert not verify(plan, instance.programme, instance.settings, allowed)
        answers[route] = outcome.objective
    assert answers[True] == pytest.approx(answers[False], rel=1e-9, abs=1e-6)


@pytest.mark.slow
@_oracle_settings(40)
@given(programmes(extended=True))
def test_the_lp_route_equals_enumeration_on_every_objective(case: tuple[Programme, dict[str, Any]]):
    programme, forced = case
    with EVERY_MODEL:  # every model of the oracle's programmes solved by relaxation and fixing
        _check(programme, forced)


@pytest.mark.slow
def test_the_interrupt_stops_a_highs_run_at_the_deadline():
    """HiGHS given no time limit of its own: only the callback can stop it (the 100-service
    savings MIP takes seconds; the deadline is 0.3 s after the run starts)."""
    model = _model(100, "savings")
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.passModel(matrix(model.problem))
    clock = Interrupt(time.perf_counter() + 0.3)
    highs.setCallback(clock.callback, None)
    for kind in clock.options()["callbacksToActivate"]:
        highs.startCallback(kind)
    highs.run()
    assert clock.fired
    assert highs.getModelStatus() == highspy.HighsModelStatus.kInterrupt


@pytest.mark.slow
def test_a_large_solve_given_a_tiny_deadline_ends_soon_with_a_verified_plan_not_proven():
    """500 services by the LP route under a deadline that falls inside HiGHS's first run: the
    result comes back within a bounded overshoot, not proven, with a plan the verifier accepts."""
    programme = seeded_programme(500)
    table = score(programme, RULES)
    settings = PlanSettings(objective="savings", time_limit=600)
    instance = build_instance(programme, settings, table)
    model = build_model(instance)
    began = time.perf_counter()
    with within(0.2):
        outcome, _ = run(model, settings)
    took = time.perf_counter() - began
    assert outcome.interrupted and outcome.status != PlanStatus.OPTIMAL
    assert took < 0.2 + 3.0  # the hand-over and read-back, not the search
    began = time.perf_counter()
    result = solve(programme, settings.model_copy(update={"time_limit": 4.0}), table)
    assert time.perf_counter() - began < 4.0 + 3.0
    assert result.status == PlanStatus.FEASIBLE and result.plan is not None
    assert result.proof.startswith("not proven")
