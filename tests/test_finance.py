"""Green Book finance checked against hand-computed discount factors 1/1.035^t."""

from __future__ import annotations

import pytest

from engine.appraisal.finance import Appraisal, discount_factor, option_cash_flows, plan_finance
from engine.io.load import parse_programme
from engine.plan.result import Assignment, Plan
from tests.conftest import DATA


def test_discount_factors_are_the_green_book_ones():
    book = Appraisal()
    assert discount_factor(0, book) == 1.0
    assert discount_factor(1, book) == pytest.approx(1 / 1.035)
    assert discount_factor(10, book) == pytest.approx(1 / 1.035**10)
    assert discount_factor(30, book) == pytest.approx(1 / 1.035**30)
    assert discount_factor(31, book) == pytest.approx(1 / (1.035**30 * 1.03))  # the declining schedule
    flat = Appraisal(declining=False)
    assert discount_factor(31, flat) == pytest.approx(1 / 1.035**31)
    assert discount_factor(5, Appraisal(rate=0.05)) == pytest.approx(1 / 1.05**5)


def test_option_cash_flows_by_financial_year(small):
    option = small.option("hr-county")  # £10,000 over 2 months, then £20,000 a year saved
    flows = option_cash_flows(small, option, start=0)
    # ten full years of savings from June 2016 run to May 2026: eleven financial years
    assert flows.years == [f"{y}/{(y + 1) % 100:02d}" for y in range(2016, 2027)]
    assert flows.costs == {"2016/17": pytest.approx(10000)}
    assert flows.savings["2016/17"] == pytest.approx(20000 * 10 / 12)  # June to March
    assert flows.savings["2017/18"] == pytest.approx(20000)
    assert flows.savings["2026/27"] == pytest.approx(20000 * 2 / 12)  # April and May
    assert sum(flows.savings.values()) == pytest.approx(20000 * 10)
    expected = (
        (20000 * 10 / 12 - 10000) + sum(20000 / 1.035**t for t in range(1, 10)) + 20000 * 2 / 12 / 1.035**10
    )
    assert flows.npv(Appraisal()) == pytest.approx(expected)
    # repaid after the 2 months of spending plus 6 months of savings (£1,666.67 a month)
    assert flows.payback_years() == pytest.approx(8 / 12)


def test_optimism_bias_uplifts_one_off_costs(small):
    option = small.option("hr-county")
    flows = option_cash_flows(small, option, start=0, appraisal=Appraisal(optimism_bias=0.2))
    assert flows.costs["2016/17"] == pytest.approx(12000)


def test_a_late_start_shifts_costs_and_savings_into_later_years(small):
    option = small.option("hr-county")
    flows = option_cash_flows(small, option, start=11)  # March 2017
    assert flows.costs == {"2016/17": pytest.approx(5000), "2017/18": pytest.approx(5000)}
    assert flows.savings.get("2016/17", 0.0) == 0.0
    assert flows.savings["2017/18"] == pytest.approx(20000 * 11 / 12)


def test_plan_finance_adds_options_and_splits_by_partner(small):
    plan = Plan(
        programme=small.id,
        periods=12,
        assignments=(
            Assignment(service="hr", option="hr-county", provider="county", start=0, duration=2),
            Assignment(service="payroll", option="payroll-county", provider="county", start=2, duration=1),
        ),
    )
    finance = plan_finance(plan, small)
    assert finance.one_off == pytest.approx(10000)
    assert finance.annual_saving == pytest.approx(20000 + 10000)
    hr = option_cash_flows(small, small.option("hr-county"), 0)
    payroll = option_cash_flows(small, small.option("payroll-county"), 2)
    assert finance.npv == pytest.approx(hr.npv(Appraisal()) + payroll.npv(Appraisal()))
    assert finance.by_partner.set_index("partner").loc["city", "annual_saving"] == pytest.approx(30000)
    assert list(finance.by_service["service"]) == ["hr", "payroll"]


def test_shared_services_split_by_their_shares(essex):
    plan = Plan(
        programme=essex.id,
        periods=27,
        assignments=(
            Assignment(
                service="procurement", option="procurement-coe", provider="essex-cc", start=0, duration=6
            ),
        ),
    )
    by_partner = plan_finance(plan, essex).by_partner.set_index("partner")
    saving = 2600000 - 2250000
    assert by_partner.loc["braintree", "annual_saving"] == pytest.approx(0.2 * saving)
    assert by_partner.loc["essex-cc", "annual_saving"] == pytest.approx(0.65 * saving)
    assert by_partner["npv"].sum() == pytest.approx(plan_finance(plan, essex).npv)


def test_nothing_spent_pays_back_at_once_and_never_repaid_is_none(small):
    assert plan_finance(Plan(programme=small.id, periods=12), small).payback_years == 0.0
    free = small.option("hr-other")  # no one-off cost, saves £25,000 a year
    assert option_cash_flows(small, free, 0).payback_years() == 0.0
    text = (
        (DATA / "small.yaml")
        .read_text()
        .replace("annual_cost: 75000, duration: 3", "one_off_cost: 5000, annual_cost: 105000, duration: 3")
    )
    worse = parse_programme(text).option("hr-other")  # costs more every year: never repaid
    assert option_cash_flows(parse_programme(text), worse, 0).payback_years() is None


def _ranged(small_text: str) -> str:
    return small_text.replace(
        "annual_cost: 75000,",
        "annual_cost: 75000, ranges: {annual_cost: [70000, 90000], one_off_cost: [0, 6000]},",
    )


def test_without_ranges_every_draw_is_the_npv(small):
    from engine.appraisal.finance import npv_risk

    plan = Plan(
        programme=small.id,
        periods=12,
        assignments=(Assignment(service="hr", option="hr-county", provider="county", start=0, duration=2),),
    )
    risk = npv_risk(plan, small, draws=50)
    npv = plan_finance(plan, small).npv
    assert risk.p10 == pytest.approx(npv) and risk.p90 == pytest.approx(npv) and risk.uncertain == []


def test_cost_ranges_give_the_expected_mean_and_are_seeded():
    from engine.appraisal.finance import npv_risk, option_cash_flows

    programme = parse_programme(_ranged((DATA / "small.yaml").read_text()))
    plan = Plan(
        programme=programme.id,
        periods=12,
        assignments=(Assignment(service="hr", option="hr-other", provider="other", start=0, duration=3),),
    )
    risk = npv_risk(plan, programme, draws=40000, seed=2)
    assert risk.uncertain == ["hr-other"] and risk.p10 < risk.p50 < risk.p90
    # triangular means: (70,000 + 75,000 + 90,000) / 3 and (0 + 0 + 6,000) / 3; the NPV is linear in both
    mean_cost, mean_one_off = (70000 + 75000 + 90000) / 3, 6000 / 3
    option = programme.option("hr-other").model_copy(
        update={"annual_cost": mean_cost, "one_off_cost": mean_one_off}
    )
    expected = option_cash_flows(programme, option, 0).npv(Appraisal())
    assert risk.mean == pytest.approx(expected, rel=0.01)
    assert npv_risk(plan, programme, draws=500, seed=7) == npv_risk(plan, programme, draws=500, seed=7)


def test_ranges_must_contain_the_figure():
    from engine.base.errors import InputError

    text = _ranged((DATA / "small.yaml").read_text()).replace("[70000, 90000]", "[80000, 90000]")
    with pytest.raises(InputError, match=r"ranges.annual_cost must run from at most 75000 to at least 75000"):
        parse_programme(text, "r.yaml")


def test_the_declining_schedule_follows_the_rate_as_the_green_books_health_rates_do():
    """At 1.5 % the Green Book's health schedule: 1.5 % for years 1–30, then 1.29 % from year 31
    (3.0 % × 1.5 / 3.5); a flat rate when the schedule is turned off."""
    health = Appraisal(rate=0.015)
    assert discount_factor(30, health) == pytest.approx(1 / 1.015**30)
    assert discount_factor(31, health) == pytest.approx(1 / (1.015**30 * (1 + 0.03 * 0.015 / 0.035)))
    assert discount_factor(31, Appraisal(rate=0.015, declining=False)) == pytest.approx(1 / 1.015**31)
