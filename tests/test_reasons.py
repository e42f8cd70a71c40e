"""Why each unchanged service stays as it is, computed by re-planning, and what the status
line promises."""

from __future__ import annotations

from pathlib import Path

from engine.io.shipped import shipped_rules
from engine.optimise.solve import solve
from engine.plan.result import PlanStatus
from engine.plan.settings import PlanSettings
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score
from tests.conftest import DATA

RULES = load_ruleset(shipped_rules())


def test_zero_capacity_gives_capacity_as_the_reason_not_the_scores(gloucester):
    pools = [
        pool.model_copy(update={"capacity": 0.0, "overrides": {}}) if pool.id == "pm-days" else pool
        for pool in gloucester.resources
    ]
    programme = gloucester.model_copy(update={"resources": tuple(pools)})
    table = score(programme, RULES)
    result = solve(programme, PlanSettings(), table, reasons=True)
    assert result.status == PlanStatus.OPTIMAL and result.plan is not None
    assert result.plan.assignments == ()
    worth = [s for s, why in result.left_out.items() if why.startswith("cannot fit")]
    assert "hr" in worth and "ict" in worth
    assert "Programme and project management days" in result.left_out["hr"]
    assert all("scores better" not in result.left_out[s] for s in worth)
    assert "proven optimal: no other choice of options and start dates" in result.proof


def test_a_service_left_out_for_a_better_plan_says_what_forcing_it_in_costs(gloucester):
    """One transition at a time within a year: ICT would take the whole year."""
    table = score(gloucester, RULES)
    settings = PlanSettings(horizon=12, max_concurrent=1)
    result = solve(gloucester, settings, table, reasons=True)
    assert result.plan is not None and result.objective_value is not None
    costly = {s: why for s, why in result.left_out.items() if "lowers the best plan's objective" in why}
    assert "ict" in costly
    for service, why in costly.items():
        forced = solve(gloucester, settings.model_copy(update={"force_in": (service,)}), table)
        assert forced.objective_value is not None
        assert f"{result.objective_value - forced.objective_value:,.4f} value points" in why
    assert "has no option" in result.left_out["audit"]


def test_plan_json_carries_the_proof_and_the_reasons(gloucester):
    result = solve(gloucester, PlanSettings(), score(gloucester, RULES), reasons=True)
    data = result.to_json()
    assert data["proof"].startswith("proven optimal")
    # finance admin (saving £65 k a year for £80 k) no longer scores below doing nothing: it is planned
    assert "finance-admin" in {a["service"] for a in data["schedule"]}
    assert set(data["left_out"]) == {s.id for s in gloucester.services} - {
        a["service"] for a in data["schedule"]
    }


def test_a_recommended_change_that_loses_money_is_flagged(small):
    """hr-county costs £10,000 and saves £20,000 a year; at £19,000 a year more it loses money."""
    options = tuple(
        o.model_copy(update={"one_off_cost": 500000.0}) if o.id == "hr-county" else o for o in small.options
    )
    programme = small.model_copy(update={"options": options})
    result = solve(programme, PlanSettings(force_in=("hr",), fix_option={"hr": "hr-county"}), reasons=True)
    assert result.plan is not None and result.negative_npv == ["hr"]
    from engine.present.tables import plan_text

    assert "HR loses money over its appraisal" in plan_text(result)


def losing_scenario(folder: Path) -> Path:
    """A what-if on the small programme that forces in HR by the County at £500,000 one-off."""
    text = (DATA / "small.yaml").read_text().replace("one_off_cost: 10000", "one_off_cost: 500000")
    (folder / "costly.yaml").write_text(text)
    scenario = folder / "forced.yaml"
    scenario.write_text(
        "name: HR forced at any price\nbase: costly.yaml\nforce_in: [hr]\nfix_option: {hr: hr-county}\n"
    )
    return scenario


def test_the_report_warns_members_of_a_change_that_loses_money(tmp_path):
    from engine.appraisal.scenario import load_scenario, run_scenario
    from engine.report.build import build_report
    from engine.report.text import render_markdown

    result = run_scenario(load_scenario(losing_scenario(tmp_path)))
    text = render_markdown(build_report(result, draws=20))
    assert "the recommended change of HR has a negative net present value" in text


def test_a_re_plan_cut_short_gives_its_loss_as_at_most(gloucester):
    """A re-plan that ran out of time found a plan, not the best with the service forced in: its
    loss is an upper bound ("at most"), and a plan it found at least as good is not called a tie."""
    from engine.optimise.reasons import _forced_reason
    from engine.plan.result import PlanResult

    def result(status: PlanStatus, value: float) -> PlanResult:
        made = PlanResult(status, "savings", programme=gloucester)
        made.objective_value = value
        return made

    base = result(PlanStatus.OPTIMAL, 100_000.0)
    assert _forced_reason(gloucester, base, result(PlanStatus.OPTIMAL, 90_000.0)).endswith("by £10,000")
    cut = _forced_reason(gloucester, base, result(PlanStatus.FEASIBLE, 90_000.0))
    assert "by at most £10,000" in cut and "ran out of time" in cut
    assert "(a tie)" in _forced_reason(gloucester, base, result(PlanStatus.OPTIMAL, 100_000.0))
    assert "as good as the one shown" in _forced_reason(
        gloucester, base, result(PlanStatus.FEASIBLE, 100_000.0)
    )
    better = _forced_reason(
        gloucester, result(PlanStatus.FEASIBLE, 100_000.0), result(PlanStatus.OPTIMAL, 1.1e5)
    )
    assert "better than the one shown" in better and "lowers" not in better
