"""Green Book appraisal of options and plans: cash flows by financial year, NPV, payback.

HM Treasury conventions, from :mod:`engine.programme.money` (one implementation for finance and objectives):
costs and benefits by financial year (April–March); year 0 (the first financial year of the
programme) undiscounted and year t discounted by 1/(1+r)^t at the social time preference rate
(3.5 % for years 0–30, then the declining long-term schedule); one-off costs uplifted for optimism
bias; resource days at their day rate; each change's savings appraised for ``Appraisal.years``
from its completion, so the appraisal runs to the last change's completion plus those years;
every option compared with doing nothing, whose net value is 0 by construction (all figures are
changes against the status quo).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from engine.plan.result import Plan
from engine.programme.funding import capitalisation_by_year
from engine.programme.model import DeliveryOption, Programme
from engine.programme.money import (
    DECLINING,
    GREEN_BOOK,
    Appraisal,
    Ledger,
    discount_factor,
    funding_npv,
    plan_ledgers,
    shares_of,
    year_labels,
)

__all__ = [
    "DECLINING",
    "GREEN_BOOK",
    "Appraisal",
    "CashFlows",
    "PlanFinance",
    "TargetProgress",
    "discount_factor",
    "npv_risk",
    "option_cash_flows",
    "plan_finance",
    "target_progress",
]


@dataclass
class CashFlows:
    """Money by financial year (label → £), costs and savings both positive, and the net by month
    from the start of the appraisal (for the payback period).  Costs include resource days."""

    years: list[str]
    costs: dict[str, float] = field(default_factory=dict)
    savings: dict[str, float] = field(default_factory=dict)
    monthly_net: dict[int, float] = field(default_factory=dict)
    funding: dict[str, float] | None = None  # income by year; None: the programme has no funding
    capital: dict[str, float] = field(default_factory=dict)  # one-off costs a direction capitalises

    @classmethod
    def of(cls, programme: Programme, ledger: Ledger, funded: bool = False) -> CashFlows:
        """``funded``: the ledger carries the programme's funding (a plan's, not a change's own)."""
        years = year_labels(programme, len(ledger.net))
        costs: dict[str, float] = defaultdict(float)
        savings: dict[str, float] = defaultdict(float)
        income: dict[str, float] = defaultdict(float)
        spent = ledger.one_off + ledger.resources
        for month, (cost, saving, got) in enumerate(zip(spent, ledger.savings, ledger.funding, strict=True)):
            if cost:
                costs[years[month // 12]] += float(cost)
            if saving:
                savings[years[month // 12]] += float(saving)
            if got:
                income[years[month // 12]] += float(got)
        net = ledger.net
        monthly = {
            m: float(net[m]) for m in range(len(net)) if spent[m] or ledger.savings[m] or ledger.funding[m]
        }
        with_funding = funded and bool(programme.funding)
        limits = capitalisation_by_year(programme) if with_funding else {}
        capital = {y: min(costs.get(y, 0.0), cap) for y, cap in limits.items() if y in years}
        return cls(
            years, dict(costs), dict(savings), monthly, dict(income) if with_funding else None, capital
        )

    def net(self, year: str) -> float:
        income = (self.funding or {}).get(year, 0.0)
        return self.savings.get(year, 0.0) + income - self.costs.get(year, 0.0)

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
        """One row a financial year; with funding, also the funding received, the one-off costs
        net of it, and the one-off costs met from capital and from revenue."""
        columns: dict[str, list[object]] = {
            "financial year": list(self.years),
            "one-off costs": [self.costs.get(y, 0.0) for y in self.years],
            "savings": [self.savings.get(y, 0.0) for y in self.years],
        }
        if self.funding is not None:
            columns["funding"] = [self.funding.get(y, 0.0) for y in self.years]
            columns["one-off net of funding"] = [
                self.costs.get(y, 0.0) - self.funding.get(y, 0.0) for y in self.years
            ]
            columns["capitalised"] = [self.capital.get(y, 0.0) for y in self.years]
            columns["revenue one-off"] = [
                self.costs.get(y, 0.0) - self.capital.get(y, 0.0) for y in self.years
            ]
        columns["net"] = [self.net(y) for y in self.years]
        return pd.DataFrame(columns)


def option_cash_flows(
    programme: Programme, option: DeliveryOption, start: int, appraisal: Appraisal = GREEN_BOOK
) -> CashFlows:
    """An option started in period ``start``: its one-off cost (with optimism bias) spread evenly
    over its implementation months, its costed resource days, and its saving against today's cost
    for ``appraisal.years`` years after it completes."""
    _, _, (ledger,) = plan_ledgers(programme, [(option, start)], appraisal)
    return CashFlows.of(programme, ledger)


@dataclass
class PlanFinance:
    flows: CashFlows
    npv: float
    one_off: float  # with optimism bias
    annual_saving: float  # full-year saving once every change is in place
    payback_years: float | None
    by_partner: pd.DataFrame  # partner, one-off costs, resource costs, annual saving, NPV
    by_service: pd.DataFrame  # service, option, one-off, resource costs, annual saving, NPV, payback
    resource_cost: float = 0.0  # resource days at their day rates, undiscounted
    funding: float = 0.0  # grants received, undiscounted (contributions net to nothing)
    capitalised: float = 0.0  # one-off costs met from capital under a capitalisation direction


def plan_finance(plan: Plan, programme: Programme, appraisal: Appraisal = GREEN_BOOK) -> PlanFinance:
    ordered = sorted(plan.assignments, key=lambda a: (a.start, a.service))
    changes = [(programme.option(a.option), a.start) for a in ordered]
    total, partners, own = plan_ledgers(programme, changes, appraisal, funding=True)
    services: list[dict[str, object]] = []
    for (option, _), ledger in zip(changes, own, strict=True):
        service = programme.service(option.service)
        services.append(
            {
                "service": service.id,
                "option": option.id,
                "one_off": option.one_off_spend * (1 + appraisal.optimism_bias),
                "resource_cost": float(ledger.resources.sum()),
                "annual_saving": service.annual_cost - option.annual_cost,
                "npv": ledger.npv(appraisal),
                "payback_years": CashFlows.of(programme, ledger).payback_years(),
            }
        )
    rows = []
    for partner, ledger in partners.items():
        saving = sum(
            shares_of(programme, o.service).get(partner, 0.0)
            * (programme.service(o.service).annual_cost - o.annual_cost)
            for o, _ in changes
        )
        rows.append(
            {
                "partner": partner,
                "one_off": float(ledger.one_off.sum()),
                "resource_cost": float(ledger.resources.sum()),
                "annual_saving": saving,
                "funding": float(ledger.funding.sum()),
                "npv": ledger.npv(appraisal),
            }
        )
    columns = ["partner", "one_off", "resource_cost", "annual_saving", "npv"]
    if programme.funding:  # net receipts, undiscounted (a contribution's payer: negative)
        columns.insert(4, "funding")
    by_partner = pd.DataFrame(rows, columns=columns)
    by_service = pd.DataFrame(
        services,
        columns=["service", "option", "one_off", "resource_cost", "annual_saving", "npv", "payback_years"],
    )
    flows = CashFlows.of(programme, total, funded=True)
    return PlanFinance(
        flows,
        total.npv(appraisal),
        float(by_service["one_off"].sum()),
        float(by_service["annual_saving"].sum()),
        flows.payback_years(),
        by_partner,
        by_service,
        float(total.resources.sum()),
        float(total.funding.sum()),
        sum(flows.capital.values()),
    )


def _unit_npvs(
    programme: Programme, option: DeliveryOption, start: int, appraisal: Appraisal
) -> tuple[float, float, float]:
    """The change's NPV with no saving and no one-off cost (its costed resource days), and what
    each £1 a year of saving adds and each £1 of one-off cost takes away."""
    current = programme.service(option.service).annual_cost

    def npv_with(saving: float, one_off: float) -> float:
        changed = option.model_copy(update={"annual_cost": current - saving, "one_off_cost": one_off})
        return option_cash_flows(programme, changed, start, appraisal).npv(appraisal)

    base = npv_with(0.0, 0.0)
    return base, npv_with(1.0, 0.0) - base, base - npv_with(0.0, 1.0)


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
    saving and one-off cost, so two unit appraisals per change make every draw a dot product.  The
    programme's funding (not uncertain, and the same whatever the plan) is added to every draw."""
    import numpy as np

    rng = np.random.default_rng(seed)
    total = np.full(draws, funding_npv(programme, appraisal)[0] if programme.funding else 0.0)
    uncertain = []
    for a in plan.assignments:
        option = programme.option(a.option)
        service = programme.service(a.service)
        base, per_saving, per_pound = _unit_npvs(programme, option, a.start, appraisal)
        total += base
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


@dataclass(frozen=True)
class TargetProgress:
    """A plan's annual savings against the programme's savings target (None: a figure the public
    view withholds, because an exempt figure would be worked back from it)."""

    target: float | None  # £ a year
    target_share: float | None  # of the in-scope services' current annual cost
    forecast: float | None  # £ a year from the changes in place by the target date
    forecast_share: float | None
    late: list[str]  # services whose change is in place only after the target date
    withheld: str | None = None  # why figures are withheld, in the public view

    @property
    def shortfall(self) -> float | None:
        """£ a year still to find (0 when the target is met)."""
        if self.target is None or self.forecast is None:
            return None
        return max(0.0, self.target - self.forecast)


def target_progress(plan: Plan, programme: Programme) -> TargetProgress | None:
    """The plan's full-year savings against ``programme.savings_target`` (None without one): a
    change counts once it is in place (the start of the period after it completes) by the target's
    date (a staged path: its last stage in place by then); the baseline is the current annual cost
    of the services in scope."""
    goal = programme.savings_target
    if goal is None:
        return None
    baseline = sum(s.annual_cost for s in programme.services if s.in_scope)
    horizon, forecast, late = programme.horizon, 0.0, []
    for a in plan.assignments:
        live = [
            stage
            for stage in programme.stages(a.option)
            if goal.by is None or horizon.period_start(a.start + stage.end) <= goal.by
        ]
        if not live:
            late.append(a.service)
            continue
        forecast += programme.service(a.service).annual_cost - live[-1].annual_cost
    target = goal.amount if goal.amount is not None else (goal.share or 0.0) * baseline
    share = goal.share if goal.share is not None else (target / baseline if baseline else None)
    return TargetProgress(target, share, forecast, forecast / baseline if baseline else None, late)
