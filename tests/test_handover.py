"""Issue 19: the one-call hand-over to HiGHS and the budget-aware priority rule.

The hand-over must give HiGHS exactly the model PuLP's own interface gives it (same optimum, same
values and slacks read back); the priority rule must fill a binding budget with the changes that
earn most per pound when that beats the single most valuable change, and stay a verified plan.
"""

from __future__ import annotations

from typing import Any

import highspy
import pulp
import pytest

from engine.io.shipped import shipped_rules
from engine.optimise.heuristic import _priority_list, _rules, greedy_plan, plan_value, serial_sgs
from engine.optimise.highs import HandOver
from engine.optimise.instance import build_instance
from engine.optimise.run import build_model
from engine.optimise.solve import solve
from engine.plan.result import PlanStatus
from engine.plan.settings import PlanSettings
from engine.plan.verify import verify
from engine.programme.model import Programme
from engine.programme.synth import random_programme
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score


def _solved(objective: str, solver: pulp.LpSolver) -> pulp.LpProblem:
    programme = random_programme(7, services=8, periods=18, pools=2, dependency_density=0.2)
    table = score(programme, load_ruleset(shipped_rules()))
    model = build_model(build_instance(programme, PlanSettings(objective=objective), table))
    assert len(model.start) > 50 and len(model.problem.constraints()) > 20  # a model worth checking
    model.problem.solve(solver)
    return model.problem


@pytest.mark.parametrize("objective", ["value", "savings", "maxmin"])
def test_the_one_call_hand_over_reads_back_what_pulps_own_does(objective: str):
    ours = _solved(objective, HandOver(msg=False, threads=1))
    theirs = _solved(objective, pulp.HiGHS(msg=False, threads=1))
    assert ours.sol_status == theirs.sol_status == pulp.LpSolutionOptimal
    assert pulp.value(ours.objective) == pytest.approx(pulp.value(theirs.objective), rel=1e-9, abs=1e-9)
    theirs_by_name = {v.name: v.varValue for v in theirs.variables()}
    assert {v.name: round(v.varValue) for v in ours.variables() if v.cat == pulp.LpInteger} == {
        n: round(theirs_by_name[n]) for n in theirs_by_name if n.startswith("start")
    }
    slacks = {c.name: c.slack for c in theirs.constraints()}
    assert len(slacks) == len(ours.constraints()) > 0
    for c in ours.constraints():  # the same plan: every row read back with the same slack
        assert c.slack == pytest.approx(slacks[c.name], rel=1e-6, abs=1e-6)


def test_the_relaxation_goes_over_without_integrality():
    whole = pulp.value(_solved("savings", HandOver(msg=False, threads=1)).objective)
    relaxed = _solved("savings", HandOver(mip=False, msg=False, threads=1))
    assert relaxed.sol_status == pulp.LpSolutionOptimal
    kinds = set(relaxed.solverModel.getLp().integrality_)
    assert highspy.HighsVarType.kInteger not in kinds  # HiGHS was given no integer column
    assert highspy.HighsVarType.kInteger in set(
        _solved("value", HandOver(msg=False)).solverModel.getLp().integrality_
    )
    assert pulp.value(relaxed.objective) >= whole - 1e-6  # a relaxation bounds the optimum


def _budget_bound() -> Programme:
    """One financial year with £100,000 of one-off budget: `a` saves most (£200,000 a year for
    £100,000), `b` and `c` less each (£120,000 a year for £50,000) but more together."""
    services = [{"id": s, "name": s.upper(), "owner": "city", "annual_cost": 500000} for s in "abc"]
    cost = {"a": (100000, 300000), "b": (50000, 380000), "c": (50000, 380000)}
    options: list[dict[str, Any]] = [
        {
            "id": f"{s}-county",
            "service": s,
            "provider": "county",
            "model": "shared_service",
            "one_off_cost": one_off,
            "annual_cost": annual,
            "duration": 1,
        }
        for s, (one_off, annual) in cost.items()
    ]
    return Programme.model_validate(
        {
            "id": "budget-bound",
            "name": "Budget bound",
            "horizon": {"start": "2016-04-01", "period": "month", "periods": 12},
            "partners": [
                {"id": "city", "name": "City Council", "kind": "city"},
                {"id": "county", "name": "County Council", "kind": "county"},
            ],
            "services": services,
            "options": options,
            "budget": {"per_financial_year": 100000},
        }
    )


def test_the_priority_rule_fills_a_binding_budget_by_value_per_pound():
    programme = _budget_bound()
    settings = PlanSettings(objective="savings")
    instance = build_instance(programme, settings, None)
    by_value = serial_sgs(instance, _priority_list(instance, set(), _rules(instance)[0]))
    assert {a.service for a in by_value.assignments} == {"a"}  # the largest change fills the budget
    plan = greedy_plan(instance)
    assert {a.service for a in plan.assignments} == {"b", "c"}
    assert verify(plan, programme, settings) == []
    assert plan_value(instance, plan) > plan_value(instance, by_value)
    result = solve(programme, settings)  # and it is the optimum
    assert result.status == PlanStatus.OPTIMAL
    assert result.objective_value == pytest.approx(plan_value(instance, plan), rel=1e-9)


@pytest.mark.parametrize("seed", [2015, 2019])
@pytest.mark.parametrize("objective", ["value", "savings", "maxmin"])
def test_the_priority_rule_is_never_worse_than_value_alone(seed: int, objective: str):
    programme = random_programme(seed, services=12, periods=24, pools=2, dependency_density=0.15)
    settings = PlanSettings(objective=objective)
    instance = build_instance(programme, settings, None)
    plan = greedy_plan(instance)
    assert verify(plan, programme, settings) == []
    value_alone = serial_sgs(instance, _priority_list(instance, set(), _rules(instance)[0]))
    complete = instance.forced <= {a.service for a in value_alone.assignments}
    if complete:
        assert plan_value(instance, plan) >= plan_value(instance, value_alone) - 1e-9
