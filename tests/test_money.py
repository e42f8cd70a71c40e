"""One money everywhere: each change appraised over its own life, costed days and who pays for
them, and the savings and max-min objectives counting exactly the finance's NPV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.appraisal.finance import Appraisal, option_cash_flows, plan_finance
from engine.appraisal.scenario import load_scenario, run_scenario
from engine.io.load import parse_programme
from engine.io.shipped import shipped_rules
from engine.optimise.solve import solve
from engine.plan.result import Assignment, Plan, partner_benefits
from engine.plan.settings import PlanSettings
from engine.programme.money import (
    benefit_discounts,
    change_ledger,
    change_npv_by_start,
    change_present_values,
    discount_factor,
    month_discounts,
    month_offset,
    plan_ledgers,
    tranche_split,
)
from engine.programme.synth import random_programme
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score
from tests.conftest import DATA, ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*/*.yaml"))

DAYS = """
resources:
  - id: pm
    name: Project manager days
    capacity: 5
    unit_cost: 400
    funding:
      - {by: [county], first: 4}
      - {by: [city]}
"""


def _small_with_costed_days(horizon_periods: int = 12) -> object:
    text = (DATA / "small.yaml").read_text()
    text = text.split("resources:")[0].replace("periods: 12", f"periods: {horizon_periods}")
    text = text.replace("dependencies:", DAYS + "dependencies:")
    text += "exception_policy: {client: city, margin: 0.05, final_decision: City Council Cabinet}\n"
    return parse_programme(text, "days.yaml")


def _small_unwinding() -> object:
    """The costed-days programme with Payroll shared today (the County provides it, 70/30) and a
    hand-back whose stranded costs the County bears 80 %, unlike the service's shares."""
    text = (DATA / "small.yaml").read_text().split("resources:")[0]
    text = text.replace(
        "annual_cost: 40000}",
        "annual_cost: 40000, current_provider: county, shares: {city: 0.7, county: 0.3}}",
    )
    text = text.replace(
        "dependencies:",
        "  - {id: payroll-back, service: payroll, provider: city, model: hand_back, one_off_cost: 5000,\n"
        "     stranded_cost: 12000, stranded_split: {county: 0.8, city: 0.2}, annual_cost: 38000,\n"
        "     duration: 2, demand: {pm: 1}}\n" + DAYS + "dependencies:",
    )
    text += "exception_policy: {client: city, margin: 0.05, final_decision: City Council Cabinet}\n"
    return parse_programme(text, "unwinding.yaml")


def test_a_late_change_is_appraised_over_its_own_life_not_the_horizon():
    """A change completing in the horizon's last year still has ten full years of savings."""
    programme = _small_with_costed_days(horizon_periods=120)
    option = programme.option("payroll-county")  # saves £10,000 a year, no one-off cost
    flows = option_cash_flows(programme, option, start=110)
    assert sum(flows.savings.values()) == pytest.approx(10000 * 10)
    assert flows.npv(Appraisal()) > 0


def test_costed_days_are_in_the_finance_and_paid_by_the_tranches_in_order():
    programme = _small_with_costed_days()
    option = programme.option("hr-county")  # 3 pm days a month for 2 months at £400
    ledger = change_ledger(programme, option, 0, Appraisal())
    assert ledger.resources.sum() == pytest.approx(6 * 400)
    # the County pays for the first 4 days, the City for the rest
    split = tranche_split(programme, "pm", [3.0, 3.0])
    assert split["county"].tolist() == [3.0, 1.0] and split["city"].tolist() == [0.0, 2.0]
    plan = Plan(
        programme=programme.id,
        periods=12,
        assignments=(Assignment(service="hr", option="hr-county", provider="county", start=0, duration=2),),
    )
    finance = plan_finance(plan, programme).by_partner.set_index("partner")
    assert finance.loc["county", "resource_cost"] == pytest.approx(4 * 400)
    assert finance.loc["city", "resource_cost"] == pytest.approx(2 * 400)
    assert finance["npv"].sum() == pytest.approx(plan_finance(plan, programme).npv)


@pytest.mark.parametrize("option_id", ["hr-county", "hr-other", "payroll-county"])
def test_fast_coefficients_equal_the_monthly_ledger(option_id: str):
    programme = _small_with_costed_days()
    option = programme.option(option_id)
    book = Appraisal(optimism_bias=0.2)
    starts = list(range(0, 12 - option.duration + 1))
    fast = change_npv_by_start(programme, option, starts, book)
    slow = [change_ledger(programme, option, t, book).npv(book) for t in starts]
    assert np.allclose(fast, slow)


@pytest.mark.parametrize("stranded_only", [False, True])
@pytest.mark.parametrize("option_id", ["payroll-back", "hr-county"])
def test_fast_coefficients_equal_the_monthly_ledger_with_stranded_costs(option_id: str, stranded_only: bool):
    programme = _small_unwinding()
    option = programme.option(option_id)
    book = Appraisal(optimism_bias=0.2)
    starts = list(range(0, 12 - option.duration + 1))
    fast = change_npv_by_start(programme, option, starts, book, stranded_only=stranded_only)
    ledgers = [change_ledger(programme, option, t, book) for t in starts]
    if stranded_only:
        slow = [-float(ledger.stranded @ month_discounts(book, len(ledger.stranded))) for ledger in ledgers]
    else:
        slow = [ledger.npv(book) for ledger in ledgers]
    assert np.allclose(fast, slow)


def _ledger_present_values(programme, options, book: Appraisal) -> np.ndarray:
    rows = []
    for option in options:
        ledger = change_ledger(programme, option, 0, book)
        discount = month_discounts(book, len(ledger.net))
        rows.append([ledger.savings @ discount, ledger.one_off @ discount, ledger.resources @ discount])
    return np.array(rows)


@pytest.mark.parametrize(
    "programme",
    [
        _small_unwinding(),
        parse_programme(  # a staged path with costed days in each stage
            (DATA / "staged.yaml").read_text().replace("capacity: 3}", "capacity: 3, unit_cost: 350}"),
            "staged.yaml",
        ),
        random_programme(7, services=30, staged=True),
        random_programme(8, services=30, quarterly=True, staged=True),
    ],
    ids=["unwinding", "staged", "generated-monthly", "generated-quarterly"],
)
@pytest.mark.parametrize("book", [Appraisal(), Appraisal(optimism_bias=0.2, rate=0.05, years=40)])
def test_scorings_present_values_equal_the_monthly_ledgers(programme, book: Appraisal):
    """The closed-form present values scoring reads (savings, one-off, days) are the ledger's,
    option by option, staged paths, stranded costs, costed days and quarters included."""
    options = [o for s in programme.services for o in programme.options_for(s.id)]
    fast = change_present_values(programme, options, book)
    slow = _ledger_present_values(programme, options, book)
    assert np.abs(slow).max() > 1000  # the programmes have real money in them
    assert np.allclose(fast, slow, rtol=1e-12, atol=1e-6)
    npv = fast[:, 0] - fast[:, 1] - fast[:, 2]
    assert np.allclose(npv, [change_npv_by_start(programme, o, [0], book)[0] for o in options])


def test_partner_money_adds_up_to_the_plan_npv_with_stranded_costs():
    """Stranded costs go by the stranded split (County 80 %), the rest by the shares (City 70 %):
    the partners' money still adds up to the plan's, and the objectives' partner money is the
    finance's."""
    programme = _small_unwinding()
    book = Appraisal(optimism_bias=0.2)
    plan = Plan(
        programme=programme.id,
        periods=12,
        assignments=(
            Assignment(service="hr", option="hr-county", provider="county", start=0, duration=2),
            Assignment(service="payroll", option="payroll-back", provider="city", start=2, duration=2),
        ),
    )
    changes = [(programme.option(a.option), a.start) for a in plan.assignments]
    total, partners, _ = plan_ledgers(programme, changes, book)
    assert sum(p.npv(book) for p in partners.values()) == pytest.approx(total.npv(book))
    assert partners["county"].stranded.sum() == pytest.approx(0.8 * 12000 * 1.2)
    assert partners["city"].stranded.sum() == pytest.approx(0.2 * 12000 * 1.2)
    finance = plan_finance(plan, programme, book).by_partner.set_index("partner")
    # County: 30 % of Payroll's 5,000 one-off and 80 % of its 12,000 stranded, uplifted 20 %
    assert finance.loc["county", "one_off"] == pytest.approx((0.3 * 5000 + 0.8 * 12000) * 1.2)
    assert partner_benefits(plan, programme, book) == pytest.approx(finance["npv"].to_dict())


def test_maxmin_counts_the_stranded_split_exactly():
    """Payroll's hand-back fixed: the County, bearing 80 % of its stranded costs, is worse off."""
    programme = _small_unwinding()
    settings = PlanSettings(objective="maxmin", fix_option={"payroll": "payroll-back"}, time_limit=30)
    result = solve(programme, settings)
    assert result.plan is not None and result.objective_value is not None
    assert "payroll-back" in {a.option for a in result.plan.assignments}
    money = partner_benefits(result.plan, programme)
    total = plan_finance(result.plan, programme).npv
    assert result.objective_value == pytest.approx(min(money.values()) + 1e-6 * total, abs=1e-3)


def test_partner_money_adds_up_to_the_plan_npv(essex):
    plan = run_scenario(load_scenario(ROOT / "scenarios" / "essex-2010" / "baseline.yaml")).plan.plan
    assert plan is not None
    changes = [(essex.option(a.option), a.start) for a in plan.assignments]
    total, partners, _ = plan_ledgers(essex, changes, Appraisal())
    assert sum(p.npv(Appraisal()) for p in partners.values()) == pytest.approx(total.npv(Appraisal()))
    assert sum(partner_benefits(plan, essex).values()) == pytest.approx(total.npv(Appraisal()), rel=1e-9)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_savings_objective_is_the_plans_npv_and_no_objective_beats_it(path: Path):
    """'Net savings' is the finance's NPV, so no other objective's plan has a higher NPV."""
    loaded = load_scenario(path)
    result = run_scenario(loaded)
    settings = loaded.settings.model_copy(update={"objective": "savings"})
    best = solve(loaded.programme, settings, result.scores)
    if not best.status.has_plan:
        pytest.skip(f"{path.stem}: {best.status_text}")
    assert best.plan is not None and best.objective_value is not None
    npv = plan_finance(best.plan, loaded.programme, loaded.scenario.appraisal).npv
    assert best.objective_value == pytest.approx(npv, rel=1e-6, abs=1.0)
    for objective in ("value", "maxmin", "makespan"):
        other = solve(loaded.programme, settings.model_copy(update={"objective": objective}), result.scores)
        if other.plan is not None:
            theirs = plan_finance(other.plan, loaded.programme, loaded.scenario.appraisal).npv
            assert npv >= theirs - 1.0, f"{objective} plan has NPV {theirs:,.0f} > savings' {npv:,.0f}"


def test_maxmin_counts_tranches_exactly():
    """The max-min objective's worst-off partner is the finance's, tranches and all."""
    programme = _small_with_costed_days()
    settings = PlanSettings(objective="maxmin", time_limit=30)
    result = solve(programme, settings)
    assert result.plan is not None and result.objective_value is not None
    money = partner_benefits(result.plan, programme)
    total = plan_finance(result.plan, programme).npv
    assert result.objective_value == pytest.approx(min(money.values()) + 1e-6 * total, abs=1e-3)


@pytest.mark.parametrize("appraisal", [Appraisal(), Appraisal(rate=0.06, years=3), Appraisal(years=40)])
def test_the_value_objective_discounts_by_the_finances_annual_schedule(appraisal: Appraisal):
    """One convention: a score gain starting in period k is discounted by the mean Green Book factor
    of the months the finance would count its savings over, and an earlier start is worth more."""
    programme = _small_with_costed_days()
    found = benefit_discounts(programme, appraisal, programme.horizon.periods)
    mpp, offset = programme.horizon.months_per_period, month_offset(programme)
    for k, value in enumerate(found):
        months = range(offset + k * mpp, offset + k * mpp + 12 * appraisal.years)
        expected = np.mean([discount_factor(m // 12, appraisal) for m in months])
        assert value == pytest.approx(expected, rel=1e-12)
    assert (np.diff(found) < 0).all()
    assert benefit_discounts(programme, Appraisal(rate=0.0), 4) == pytest.approx(np.ones(5))


def test_the_scenarios_appraisal_moves_the_value_objective():
    """The value objective reads the same Appraisal as the finance: a higher rate lowers it."""
    programme = parse_programme((DATA / "small.yaml").read_text(), "small.yaml")
    scores = score(programme, load_ruleset(shipped_rules()))
    low = solve(programme, PlanSettings(appraisal=Appraisal(rate=0.01)), scores)
    high = solve(programme, PlanSettings(appraisal=Appraisal(rate=0.10)), scores)
    assert low.objective_value is not None and high.objective_value is not None
    assert high.objective_value < low.objective_value
