"""Green Book appraisal of options and plans: cash flows by financial year, NPV, payback.

HM Treasury conventions: costs and benefits by financial year (April–March); year 0 (the first
financial year of the appraisal) undiscounted and year t discounted by 1/(1+r)^t at the social
time preference rate (3.5 % for years 0–30, then the declining long-term schedule); one-off costs
uplifted for optimism bias; every option compared with doing nothing, whose net value is 0 by
construction (all figures are changes against the status quo).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from pydantic import Field

from engine.calendar import add_months, financial_year
from engine.model import DeliveryOption, Programme, Record
from engine.plan import Plan

# Green Book declining long-term discount rates: (first year of the band, rate)
DECLINING = ((0, 0.035), (31, 0.03), (76, 0.025), (126, 0.02), (201, 0.015), (301, 0.01))


class Appraisal(Record):
    """How money is appraised; defaults follow the Green Book."""

    rate: float = Field(0.035, ge=0, le=1, description="discount rate a year for years 0–30")
    declining: bool = Field(True, description="use the Green Book's lower rates after year 30")
    years: int = Field(10, ge=1, le=100, description="appraisal period in financial years")
    optimism_bias: float = Field(0.0, ge=0, le=5, description="uplift on one-off costs, e.g. 0.2 for 20 %")


GREEN_BOOK = Appraisal()


def discount_factor(year: int, appraisal: Appraisal = GREEN_BOOK) -> float:
    """1 / Π (1 + r_k) over years 1..year, r_k the rate in force in year k (Green Book)."""
    factor = 1.0
    for k in range(1, year + 1):
        rate = appraisal.rate
        if appraisal.declining and appraisal.rate == DECLINING[0][1]:
            rate = next(r for first, r in reversed(DECLINING) if k >= first)
        factor /= 1 + rate
    return factor


@dataclass
class CashFlows:
    """Money by financial year (label → £), costs and savings both positive, and the net by month
    from the start of the appraisal (for the payback period)."""

    years: list[str]
    costs: dict[str, float] = field(default_factory=dict)
    savings: dict[str, float] = field(default_factory=dict)
    monthly_net: dict[int, float] = field(default_factory=dict)

    def add(self, other: CashFlows) -> None:
        for mine, theirs in ((self.costs, other.costs), (self.savings, other.savings)):
            for year, amount in theirs.items():
                mine[year] = mine.get(year, 0.0) + amount
        for month, amount in other.monthly_net.items():
            self.monthly_net[month] = self.monthly_net.get(month, 0.0) + amount

    def net(self, year: str) -> float:
        return self.savings.get(year, 0.0) - self.costs.get(year, 0.0)

    def npv(self, appraisal: Appraisal) -> float:
        return sum(self.net(y) * discount_factor(t, appraisal) for t, y in enumerate(self.years))

    def payback_years(self) -> float | None:
        """Years from the first month of spending until cumulative (undiscounted) savings have
        repaid it; 0 without spending; None if not repaid within the appraisal period."""
        months = sorted(self.monthly_net)
        spending = [m for m in months if self.monthly_net[m] < 0]
        if not spending:
            return 0.0
        total = 0.0
        for month in months:
            total += self.monthly_net[month]
            if month >= spending[-1] and total >= -1e-9:
                return (month - spending[0] + 1) / 12
        return None

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "financial year": self.years,
                "one-off costs": [self.costs.get(y, 0.0) for y in self.years],
                "savings": [self.savings.get(y, 0.0) for y in self.years],
                "net": [self.net(y) for y in self.years],
            }
        )


def appraisal_years(programme: Programme, appraisal: Appraisal) -> list[str]:
    first = programme.horizon.start
    start_year = first.year if first.month >= 4 else first.year - 1
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(start_year, start_year + appraisal.years)]


def option_cash_flows(
    programme: Programme, option: DeliveryOption, start: int, appraisal: Appraisal = GREEN_BOOK
) -> CashFlows:
    """An option started in period ``start``: its one-off cost (with optimism bias) spread evenly
    over its implementation months, and its saving against today's cost for every month after."""
    horizon = programme.horizon
    years = appraisal_years(programme, appraisal)
    flows = CashFlows(years)
    service = programme.service(option.service)
    months_per_period = horizon.months_per_period
    first_month = add_months(horizon.start, start * months_per_period)
    build_months = option.duration * months_per_period
    monthly_cost = option.one_off_cost * (1 + appraisal.optimism_bias) / build_months if build_months else 0.0
    monthly_saving = (service.annual_cost - option.annual_cost) / 12
    costs: dict[str, float] = defaultdict(float)
    savings: dict[str, float] = defaultdict(float)
    appraisal_start = date(int(years[0][:4]), 4, 1)
    offset = (first_month.year - appraisal_start.year) * 12 + first_month.month - appraisal_start.month
    for month in range(12 * appraisal.years - offset):
        year = financial_year(add_months(first_month, month))
        if month < build_months:
            costs[year] += monthly_cost
            flows.monthly_net[offset + month] = -monthly_cost
        else:
            savings[year] += monthly_saving
            flows.monthly_net[offset + month] = monthly_saving
    flows.costs, flows.savings = dict(costs), dict(savings)
    return flows


@dataclass
class PlanFinance:
    flows: CashFlows
    npv: float
    one_off: float  # with optimism bias
    annual_saving: float  # full-year saving once every change is in place
    payback_years: float | None
    by_partner: pd.DataFrame  # partner, one-off costs, annual saving, NPV
    by_service: pd.DataFrame  # service, option, one-off, annual saving, NPV, payback


def plan_finance(plan: Plan, programme: Programme, appraisal: Appraisal = GREEN_BOOK) -> PlanFinance:
    years = appraisal_years(programme, appraisal)
    total = CashFlows(years)
    services: list[dict[str, object]] = []
    partners: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for a in sorted(plan.assignments, key=lambda a: (a.start, a.service)):
        option = programme.option(a.option)
        service = programme.service(a.service)
        flows = option_cash_flows(programme, option, a.start, appraisal)
        total.add(flows)
        one_off = option.one_off_cost * (1 + appraisal.optimism_bias)
        saving = service.annual_cost - option.annual_cost
        value = flows.npv(appraisal)
        services.append(
            {
                "service": a.service,
                "option": a.option,
                "one_off": one_off,
                "annual_saving": saving,
                "npv": value,
                "payback_years": flows.payback_years(),
            }
        )
        shares = service.shares or {service.owner: 1.0}
        for partner, share in shares.items():
            partners[partner][0] += one_off * share
            partners[partner][1] += saving * share
            partners[partner][2] += value * share
    by_partner = pd.DataFrame(
        [{"partner": p, "one_off": v[0], "annual_saving": v[1], "npv": v[2]} for p, v in partners.items()],
        columns=["partner", "one_off", "annual_saving", "npv"],
    )
    by_service = pd.DataFrame(
        services, columns=["service", "option", "one_off", "annual_saving", "npv", "payback_years"]
    )
    return PlanFinance(
        total,
        total.npv(appraisal),
        float(by_service["one_off"].sum()),
        float(by_service["annual_saving"].sum()),
        total.payback_years(),
        by_partner,
        by_service,
    )


@dataclass
class NpvRisk:
    draws: int
    seed: int
    mean: float
    p10: float
    p50: float
    p90: float
    probability_positive: float
    uncertain: list[str]  # options whose costs carry ranges


def npv_risk(
    plan: Plan, programme: Programme, appraisal: Appraisal = GREEN_BOOK, draws: int = 1000, seed: int = 0
) -> NpvRisk:
    """The plan's NPV when each option's uncertain costs are drawn from triangular distributions
    (low, the figure given, high).  For a fixed start the NPV is linear in an option's annual
    saving and one-off cost, so two unit appraisals per change make every draw a dot product."""
    import numpy as np

    rng = np.random.default_rng(seed)
    total = np.zeros(draws)
    uncertain = []
    for a in plan.assignments:
        option = programme.option(a.option)
        service = programme.service(a.service)
        per_saving = option_cash_flows(
            programme,
            option.model_copy(update={"annual_cost": service.annual_cost - 1.0, "one_off_cost": 0.0}),
            a.start,
            appraisal.model_copy(update={"optimism_bias": 0.0}),
        ).npv(appraisal)
        per_pound = -option_cash_flows(
            programme,
            option.model_copy(update={"annual_cost": service.annual_cost, "one_off_cost": 1.0}),
            a.start,
            appraisal,
        ).npv(appraisal)

        if option.ranges:
            uncertain.append(option.id)
        draws_of = {}
        for cost in ("annual_cost", "one_off_cost"):
            value = float(getattr(option, cost))
            low, high = option.ranges.get(cost, (value, value))
            draws_of[cost] = rng.triangular(low, value, high, draws) if high > low else np.full(draws, value)
        annual_cost, one_off = draws_of["annual_cost"], draws_of["one_off_cost"]
        total += (service.annual_cost - annual_cost) * per_saving - one_off * per_pound
    p10, p50, p90 = (float(np.percentile(total, q)) for q in (10, 50, 90))
    return NpvRisk(draws, seed, float(total.mean()), p10, p50, p90, float(np.mean(total > 0)), uncertain)
