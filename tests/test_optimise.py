"""The optimiser: verified plans, what-ifs, infeasibility advice, PSPLIB optima, truthful status."""

from __future__ import annotations

import csv

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.io.load import load_programme, parse_programme
from engine.optimise.heuristic import greedy_plan, plan_value
from engine.optimise.instance import build_instance
from engine.optimise.psplib import read_sm, to_programme
from engine.optimise.solve import solve, solve_rcpsp
from engine.plan.result import PlanStatus
from engine.plan.settings import PlanSettings
from engine.plan.verify import verify
from engine.programme.synth import random_programme
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score
from tests.conftest import DATA, ROOT, SHARED, SHIPPED

RULES = load_ruleset(ROOT / "rules" / "default.yaml")
PSPLIB = SHARED / "benchmarks" / "psplib"


def _scored(path):
    programme = load_programme(path)
    return programme, score(programme, RULES)


@pytest.mark.parametrize("objective", ["value", "savings", "makespan"])
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_programmes_get_optimal_verified_plans(path, objective):
    programme, table = _scored(path)
    result = solve(programme, PlanSettings(objective=objective), table)
    assert result.status == PlanStatus.OPTIMAL, result.message
    assert result.plan is not None and verify(result.plan, programme) == []
    again = solve(programme, PlanSettings(objective=objective), table)
    assert again.plan == result.plan, "same inputs, same plan"


def test_gloucester_value_plan(gloucester):
    table = score(gloucester, RULES)
    result = solve(gloucester, PlanSettings(), table)
    plan = result.plan.by_service()
    assert plan["hr"].option == "hr-county-s101"
    assert plan["payroll"].start >= plan["hr"].end  # payroll follows HR
    assert "audit" not in plan  # out of scope: keeps the County partnership it has
    frame = result.to_frame()
    assert list(frame.columns[:5]) == ["service", "service_name", "option", "provider", "provider_name"]
    data = result.to_json()
    assert {
        "status",
        "objective_value",
        "bound",
        "gap",
        "solve_seconds",
        "makespan",
        "schedule",
        "usage",
    } <= set(data)
    assert data["schedule"][0]["start_date"] == "2015-07-01"


def test_cbc_agrees_with_highs(gloucester):
    table = score(gloucester, RULES)
    highs = solve(gloucester, PlanSettings(objective="savings"), table)
    cbc = solve(gloucester, PlanSettings(objective="savings", solver="cbc"), table)
    assert cbc.status == PlanStatus.OPTIMAL
    assert cbc.objective_value == pytest.approx(highs.objective_value)


def test_what_ifs_are_honoured(gloucester):
    table = score(gloucester, RULES)
    out = solve(gloucester, PlanSettings(force_out=("hr",)), table).plan.by_service()
    assert "hr" not in out and "payroll" not in out  # payroll is blocked without HR
    forced = solve(gloucester, PlanSettings(force_in=("finance-admin",)), table).plan.by_service()
    assert forced["finance-admin"].option == "finance-county"
    assert forced["finance-admin"].start >= forced["ict"].end + 1  # after ICT, with the lag
    # a what-if may overrule the MoU margin (the exception case a director asks about) ...
    fixed = solve(gloucester, PlanSettings(fix_option={"finance-admin": "finance-civica"}), table)
    assert fixed.plan.by_service()["finance-admin"].option == "finance-civica"
    provider = solve(gloucester, PlanSettings(fix_provider={"hr": "hr-bureau"}), table)
    assert provider.plan.by_service()["hr"].provider == "hr-bureau"


def test_what_ifs_cannot_overrule_eligibility():
    fixture = load_programme(DATA / "rules-fixture.yaml")
    result = solve(fixture, PlanSettings(fix_option={"licensing": "licensing-bureau"}), score(fixture, RULES))
    assert result.status == PlanStatus.INFEASIBLE
    assert "`licensing-bureau` is ruled out: a statutory service may not be outsourced" in result.advice[0]


def test_infeasible_capacity_says_which_limit_and_by_how_much(gloucester):
    text = (ROOT / "scenarios" / "gloucester-2015.yaml").read_text()
    tight = parse_programme(text.replace("    capacity: 12\n", "    capacity: 4\n"))
    result = solve(tight, PlanSettings(force_in=("ict",)), score(tight, RULES))
    assert result.status == PlanStatus.INFEASIBLE and result.plan is None
    assert any(
        "Programme and project management days in" in a and "must rise from 4 to 6 (+2)" in a
        for a in result.advice
    ), result.advice


def test_infeasible_deadline_says_how_late(small):
    text = (
        (DATA / "small.yaml").read_text().replace("duration: 1}", "duration: 1, latest_finish: 2016-05-31}")
    )
    programme = parse_programme(text)
    result = solve(programme, PlanSettings(force_in=("payroll",)), score(programme, RULES))
    assert result.status == PlanStatus.INFEASIBLE
    assert "`payroll` (payroll-county) must change but cannot finish in time" in result.advice[0]
    assert "must be allowed to finish 1 period(s) later" in result.advice[0]


def test_unknown_service_in_settings_is_reported(small):
    result = solve(small, PlanSettings(force_in=("nope",)), score(small, RULES))
    assert result.status == PlanStatus.INFEASIBLE and "unknown service `nope`" in result.advice[0]


# ------------------------------------------------------------------------------ PSPLIB
def _optima() -> dict[str, int]:
    with open(PSPLIB / "optima.csv") as handle:
        return {
            row["instance"]: int(row["makespan"]) for row in csv.DictReader(handle) if row["set"] == "j30"
        }


needs_psplib = pytest.mark.skipif(not PSPLIB.exists(), reason="../shared/benchmarks/psplib not present")


@needs_psplib
@pytest.mark.parametrize(
    "name",
    # the last four are highly resource-constrained: the time-indexed LP bound alone never closed them
    [
        "j301_1",
        "j302_1",
        "j307_9",
        "j3014_5",
        "j3018_1",
        "j3024_8",
        "j3013_10",
        "j3025_7",
        "j3030_1",
        "j3046_3",
    ],
)
def test_psplib_published_optimum(name):
    instance = read_sm(PSPLIB / "j30" / f"{name}.sm")
    result = solve_rcpsp(to_programme(instance), time_limit=30)
    assert result.status == PlanStatus.OPTIMAL
    assert result.objective_value == _optima()[name]
    assert result.plan is not None and result.plan.makespan == _optima()[name]


@needs_psplib
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_status_is_true_when_time_runs_out(solver):
    """A hard instance stopped early is never called optimal, and never beats the optimum."""
    instance = read_sm(PSPLIB / "j30" / "j309_2.sm")  # about 5 s to prove; stopped after 1 s
    optimum = _optima()["j309_2"]
    result = solve_rcpsp(to_programme(instance), time_limit=1, solver=solver)
    assert result.objective_value is not None and result.objective_value >= optimum
    if result.objective_value > optimum:
        assert result.status == PlanStatus.FEASIBLE
        assert "not proven" in result.status_text
    if result.bound is not None:
        assert result.bound <= optimum


# --------------------------------------------------------------------- property tests
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), objective=st.sampled_from(["value", "savings", "makespan"]))
@example(seed=47062208, objective="makespan")  # a dependency on a service that cannot change
def test_random_programmes_plan_verified_and_beat_the_priority_rule(seed, objective):
    programme = random_programme(seed, services=6, periods=18)
    table = score(programme, RULES)
    plan_settings = PlanSettings(objective=objective, time_limit=20)
    result = solve(programme, plan_settings, table)
    assert result.status in (PlanStatus.OPTIMAL, PlanStatus.INFEASIBLE), result.message
    if result.status == PlanStatus.INFEASIBLE:
        return
    assert verify(result.plan, programme, plan_settings) == []
    instance = build_instance(programme, plan_settings, table)
    heuristic = greedy_plan(instance)
    assert verify(heuristic, programme, plan_settings) == []
    if instance.forced <= {a.service for a in heuristic.assignments}:
        if objective == "makespan":
            assert result.plan.makespan <= heuristic.makespan
        else:
            assert result.objective_value >= plan_value(instance, heuristic) - 1e-7


def test_makespan_leaves_out_a_change_whose_predecessor_cannot_change(small):
    table = score(small, RULES)
    assert set(table.services.loc[table.services["status"] == "change", "service"]) == {"payroll"}
    # payroll's recommended change needs HR first: HR takes an allowed option so payroll can follow
    both = solve(small, PlanSettings(objective="makespan"), table)
    assert both.status == PlanStatus.OPTIMAL and set(both.plan.by_service()) == {"hr", "payroll"}
    # with HR kept as it is, payroll's change is left out, and the plan says why
    result = solve(small, PlanSettings(objective="makespan", force_out=("hr",)), table)
    assert result.status == PlanStatus.OPTIMAL and result.plan.assignments == ()
    assert any("Payroll is left as it is" in a for a in result.advice), result.advice
    assert "keeps its status quo" in result.message
