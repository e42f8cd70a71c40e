"""Unwinding a shared service: the hand-back option, stranded costs and who bears them, and the
default rules that must not make a dissolution infeasible."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.appraisal.finance import Appraisal, plan_finance
from engine.appraisal.scenario import load_scenario
from engine.base.errors import InputError
from engine.io.load import dump_programme, load_programme, parse_programme, save_programme
from engine.io.shipped import shipped_rules
from engine.optimise.solve import solve
from engine.plan.result import Assignment, Plan, partner_benefits
from engine.plan.settings import PlanSettings
from engine.present.summary import summary_text
from engine.programme.exempt import secret_options
from engine.programme.money import change_ledger, change_npv_by_start, plan_ledgers
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score
from tests.conftest import DATA

HAND_BACK = DATA / "hand-back.yaml"
# Σ_{t=1..10} 1/1.035^t = (1 − 1.035^−10) / 0.035 = (1 − 0.7089188) / 0.035 = 8.3166053: the
# Green Book factor of ten years of savings that start in appraisal year 1
ANNUITY = 8.3166053

# Two services shared today, each with a hand-back as its only option and no status quo: the
# partnership dissolves.  ICT costs more once handed back, Payroll a little less.
DISSOLUTION = """
id: dissolution
name: The partnership dissolves
horizon: {start: 2016-04-01, period: month, periods: 24}
partners:
  - {id: city, name: City Council, kind: city}
  - {id: county, name: County Council, kind: county, default_provider: true}
services:
  - {id: ict, name: ICT, owner: city, current_provider: county, annual_cost: 1000000,
     shares: {city: 0.6, county: 0.4}, allow_status_quo: false}
  - {id: payroll, name: Payroll, owner: county, annual_cost: 300000, shares: {county: 0.5, city: 0.5},
     allow_status_quo: false}
options:
  - {id: ict-back, service: ict, provider: city, model: hand_back, one_off_cost: 200000,
     stranded_cost: 100000, stranded_split: {city: 0.75, county: 0.25}, annual_cost: 1060000, duration: 6}
  - {id: payroll-back, service: payroll, provider: county, model: hand_back, one_off_cost: 20000,
     stranded_cost: 40000, annual_cost: 290000, duration: 3}
exception_policy: {client: city, margin: 0.05, final_decision: City Council Cabinet}
"""


def _dissolution():
    return parse_programme(DISSOLUTION, "dissolution.yaml")


def _hand_back_plan(start: int = 0) -> Plan:
    return Plan(
        programme="hand-back",
        periods=24,
        assignments=(
            Assignment(service="ict", option="ict-hand-back", provider="city", start=start, duration=12),
        ),
    )


# ------------------------------------------------------------------ 2. the money, by hand
def test_each_partner_bears_its_one_off_costs_and_stranded_share_worked_by_hand():
    """The ICT hand-back starts in April 2016 (the appraisal's first month) and takes 12 months, so
    every one-off pound falls in year 0 (undiscounted) and the savings run for years 1–10.

    One-off by the service's shares 60/40: City 120,000, County 80,000.
    Stranded by the stranded split 75/25: City 75,000, County 25,000.
    One-off costs: City 195,000, County 105,000, total 300,000.
    Saving: 1,000,000 − 1,060,000 = −60,000 a year: City −36,000, County −24,000.
    NPV: City −195,000 − 36,000 × 8.3166053 = −494,397.79;
         County −105,000 − 24,000 × 8.3166053 = −304,598.53; total −798,996.32.
    """
    programme = load_programme(HAND_BACK)
    finance = plan_finance(_hand_back_plan(), programme)
    by_partner = finance.by_partner.set_index("partner")
    assert by_partner.loc["city", "one_off"] == pytest.approx(195_000)
    assert by_partner.loc["county", "one_off"] == pytest.approx(105_000)
    assert by_partner.loc["city", "annual_saving"] == pytest.approx(-36_000)
    assert by_partner.loc["county", "annual_saving"] == pytest.approx(-24_000)
    assert by_partner.loc["city", "npv"] == pytest.approx(-195_000 - 36_000 * ANNUITY, rel=1e-7)
    assert by_partner.loc["county", "npv"] == pytest.approx(-105_000 - 24_000 * ANNUITY, rel=1e-7)
    assert finance.one_off == pytest.approx(300_000)
    assert finance.npv == pytest.approx(-300_000 - 60_000 * ANNUITY, rel=1e-7)
    assert finance.flows.costs["2016/17"] == pytest.approx(300_000)


def test_optimism_bias_uplifts_stranded_costs_like_one_off_costs():
    """With 20 % optimism bias: City (120,000 + 75,000) × 1.2 = 234,000; County 105,000 × 1.2 = 126,000."""
    programme = load_programme(HAND_BACK)
    book = Appraisal(optimism_bias=0.2)
    finance = plan_finance(_hand_back_plan(), programme, book)
    by_partner = finance.by_partner.set_index("partner")
    assert by_partner.loc["city", "one_off"] == pytest.approx(234_000)
    assert by_partner.loc["county", "one_off"] == pytest.approx(126_000)
    assert finance.one_off == pytest.approx(360_000)
    assert finance.by_service.loc[0, "one_off"] == pytest.approx(360_000)


def test_stranded_split_defaults_to_the_services_shares():
    programme = _dissolution()
    option = programme.option("payroll-back")  # stranded 40,000, no split: the 50/50 shares
    _, partners, _ = plan_ledgers(programme, [(option, 0)], Appraisal())
    assert partners["county"].stranded.sum() == pytest.approx(20_000)
    assert partners["city"].stranded.sum() == pytest.approx(20_000)
    assert partners["city"].one_off.sum() == pytest.approx(10_000 + 20_000)


@pytest.mark.parametrize("book", [Appraisal(), Appraisal(optimism_bias=0.2, rate=0.06)])
def test_stranded_coefficients_equal_the_monthly_ledger(book: Appraisal):
    programme = _dissolution()
    for option in (programme.option("ict-back"), programme.option("payroll-back")):
        starts = list(range(0, 24 - option.duration + 1))
        fast = change_npv_by_start(programme, option, starts, book, stranded_only=True)
        ledgers = [change_ledger(programme, option, t, book) for t in starts]
        slow = [-(ledger.stranded @ _discounts(book, len(ledger.stranded))) for ledger in ledgers]
        assert np.allclose(fast, slow)


def _discounts(book: Appraisal, months: int) -> np.ndarray:
    from engine.programme.money import month_discounts

    return month_discounts(book, months)


# ------------------------------------------------------------------ the optimiser counts them
def test_the_savings_objective_is_plan_finances_npv_with_stranded_costs():
    programme = _dissolution()
    scores = score(programme, load_ruleset(shipped_rules()))
    result = solve(programme, PlanSettings(objective="savings", time_limit=30), scores)
    assert result.plan is not None and result.objective_value is not None
    finance = plan_finance(result.plan, programme)
    assert result.objective_value == pytest.approx(finance.npv, rel=1e-6, abs=1.0)
    assert finance.one_off == pytest.approx(200_000 + 100_000 + 20_000 + 40_000)


def test_maxmin_counts_each_partners_stranded_share():
    """The max-min objective's worst-off partner is the finance's, stranded split and all."""
    programme = _dissolution()
    result = solve(programme, PlanSettings(objective="maxmin", time_limit=30))
    assert result.plan is not None and result.objective_value is not None
    money = partner_benefits(result.plan, programme)
    by_partner = plan_finance(result.plan, programme).by_partner.set_index("partner")["npv"].to_dict()
    assert money == pytest.approx(by_partner)
    total = plan_finance(result.plan, programme).npv
    assert result.objective_value == pytest.approx(min(money.values()) + 1e-6 * total, abs=1e-3)


# ------------------------------------------------------------------ 3. the default rules
def test_a_forced_dissolution_plans_feasibly_under_the_default_rules():
    programme = _dissolution()
    scores = score(programme, load_ruleset(shipped_rules()))
    eligible = scores.options.set_index("option")["eligible"]
    assert bool(eligible["ict-back"]) and bool(eligible["payroll-back"])
    for objective in ("value", "savings", "maxmin", "makespan"):
        result = solve(programme, PlanSettings(objective=objective, time_limit=30), scores)
        assert result.status.has_plan, f"{objective}: {result.status_text}"
        assert result.plan is not None
        assert {a.option for a in result.plan.assignments} == {"ict-back", "payroll-back"}


def test_a_hand_back_forced_in_by_the_what_if_is_eligible_and_planned():
    programme = load_programme(HAND_BACK)
    scores = score(programme, load_ruleset(shipped_rules()))
    result = solve(programme, PlanSettings(objective="savings", force_in=("ict",), time_limit=30), scores)
    assert result.plan is not None
    assert [a.option for a in result.plan.assignments] == ["ict-hand-back"]


def test_no_saving_no_outcome_still_rules_out_a_costlier_change_that_is_not_a_hand_back():
    text = DISSOLUTION.replace("provider: city, model: hand_back", "provider: county, model: shared_service")
    programme = parse_programme(text, "costlier.yaml")
    options = score(programme, load_ruleset(shipped_rules())).options.set_index("option")
    assert not bool(options.loc["ict-back", "eligible"])
    assert bool(options.loc["payroll-back", "eligible"])


# ------------------------------------------------------------------ 1. the MoU rule
def test_a_hand_back_is_never_an_exception():
    programme = _dissolution()
    for option_id in ("ict-back", "payroll-back"):
        assert not programme.is_exception(programme.option(option_id))
    exceptions = score(programme, load_ruleset(shipped_rules())).exceptions
    assert exceptions.empty or not exceptions["option"].isin(["ict-back", "payroll-back"]).any()
    # the county is the default provider and the city's policy governs ICT: a hand-back written
    # with any other provider than the owner is refused, so the exception route never arises
    text = DISSOLUTION.replace("service: ict, provider: city", "service: ict, provider: county")
    with pytest.raises(InputError, match="a hand-back is written with the service's owner `city`"):
        parse_programme(text, "x.yaml")


# ------------------------------------------------------------------ 4. outputs and round trips
def test_show_states_the_hand_back_and_who_bears_the_stranded_costs():
    text = summary_text(load_programme(HAND_BACK), include_exempt=False, width=400)
    assert "hand back" in text and "each client council takes its part back in house" in text
    assert "£100,000" in text
    assert "City Council 75%" in text and "County Council 25%" in text


def test_an_exempt_stranded_cost_makes_the_option_secret_and_is_withheld():
    secret = "    duration: 12\n    exempt: [stranded_cost]\n"
    text = HAND_BACK.read_text().replace("    duration: 12\n", secret)
    programme = parse_programme(text, "exempt.yaml")
    assert secret_options(programme) == {"ict-hand-back"}
    public = summary_text(programme, include_exempt=False, width=400)
    assert "100,000" not in public and "stranded costs [exempt]" in public
    assert "100,000" in summary_text(programme, include_exempt=True, width=400)


def test_yaml_round_trip_keeps_the_hand_back():
    programme = _dissolution()
    again = parse_programme(dump_programme(programme), "again.yaml")
    assert again == programme
    assert again.option("ict-back").stranded_split == {"city": 0.75, "county": 0.25}


def test_xlsx_round_trip_keeps_the_hand_back(tmp_path: Path):
    programme = _dissolution()
    book = tmp_path / "dissolution.xlsx"
    save_programme(programme, book)
    assert load_programme(book) == programme


# ------------------------------------------------------------------ a partner leaves
def test_a_leaving_partner_drops_out_of_the_stranded_split_and_its_hand_backs_go(tmp_path: Path):
    """Three councils share ICT; the Other council leaves: its part of the stranded split goes to
    the rest pro rata (City 0.6 / 0.8 = 0.75, County 0.25); when the County, which provides ICT,
    leaves too, ICT is the City's alone and its hand-back has nothing left to unwind."""
    base = tmp_path / "three.yaml"
    text = DISSOLUTION.replace(
        "  - {id: county, name: County Council, kind: county, default_provider: true}\n",
        "  - {id: county, name: County Council, kind: county, default_provider: true}\n"
        "  - {id: other, name: Other Council, kind: district}\n",
    ).replace(
        "stranded_split: {city: 0.75, county: 0.25}", "stranded_split: {city: 0.6, county: 0.2, other: 0.2}"
    )
    base.write_text(text.replace("allow_status_quo: false", "allow_status_quo: true"))
    scenario = tmp_path / "leaves.yaml"
    scenario.write_text(f"name: other leaves\nbase: {base}\nremove:\n  partners: [other]\n")
    programme = load_scenario(scenario).programme
    assert programme.option("ict-back").stranded_split == pytest.approx({"city": 0.75, "county": 0.25})
    scenario.write_text(
        f"name: county leaves\nbase: {base}\nremove:\n  partners: [county]\n  exception_policy: true\n"
        "change:\n  partners:\n    other: {default_provider: true}\n"
    )
    programme = load_scenario(scenario).programme
    assert "ict-back" not in {o.id for o in programme.options}
