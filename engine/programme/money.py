"""Green Book money for changes and plans, month by month: one implementation for the finance,
the savings and max-min objectives, the consensus check and the oracle tests.

Conventions (HM Treasury Green Book):

- money is counted by month from 1 April of the financial year in which the programme starts;
  month ``m`` falls in appraisal year ``m // 12`` and is discounted by that year's factor
  (year 0 undiscounted; 3.5 % a year for years 1–30, then the declining long-term schedule);
- a change's one-off cost, uplifted for optimism bias, is spread evenly over its implementation
  months; so are its stranded costs (contracts, systems, redundancies left behind by unwinding a
  shared service), uplifted alike because they are estimates made at the same stage; the staff
  and consultancy days it draws from a resource pool with a ``unit_cost`` are costed in
  the periods they are used;
- its saving (today's annual cost less the option's) runs for ``Appraisal.years`` full years from
  the month after it completes, whatever the planning horizon: a change is never appraised over
  the stub of years the horizon happens to leave it;
- a staged path (:mod:`engine.programme.stages`) is counted stage by stage: each stage spends over
  its own periods and saves today's cost less its own from its go-live until the next stage goes
  live; the last stage's saving runs for ``Appraisal.years`` from its go-live (the path's end), so
  a path is appraised over its stages and then the same years as any change.

Everything is linear in each change, so a plan's money is the sum of its changes' money and the
objectives can use it as coefficients.  Who pays for a pool's days follows its funding tranches in
the order the days are used (the first 20 days by the County, the rest by the City).  Stranded
costs are borne by the option's ``stranded_split`` (default: the service's shares), every other
figure by the service's shares.  A plan's ledgers may also carry the programme's funding
(``plan_ledgers(..., funding=True)``: grants as income, contributions moved between partners; see
:mod:`engine.programme.funding`); a change's own ledger never does, and to the objectives the
funding is a constant (:func:`funding_npv`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
from pydantic import Field

from engine.programme.funding import income_by_year, receipts_by_partner, year_index
from engine.programme.model import DeliveryOption, Fraction, Programme, Record
from engine.programme.stages import Stage, stages_for

# Green Book declining long-term discount rates: (first year of the band, rate)
DECLINING = ((0, 0.035), (31, 0.03), (76, 0.025), (126, 0.02), (201, 0.015), (301, 0.01))


class Appraisal(Record):
    """How money is appraised; defaults follow the Green Book."""

    rate: Fraction = Field(0.035, description="discount rate a year for years 0–30: 0.035 for 3.5 %")
    declining: bool = Field(
        True, description="use the Green Book's lower rates after year 30 (scaled to the rate)"
    )
    years: int = Field(10, ge=1, le=100, description="years of savings appraised after each change")
    optimism_bias: Fraction = Field(0.0, description="uplift on one-off costs: 0.2 for 20 %")


GREEN_BOOK = Appraisal()


def discount_factor(year: int, appraisal: Appraisal = GREEN_BOOK) -> float:
    """1 / Π (1 + r_k) over years 1..year, r_k the rate in force in year k (Green Book)."""
    return float(_year_factors(appraisal.rate, appraisal.declining, year + 1)[year])


@lru_cache(maxsize=64)
def _year_factors(rate: float, declining: bool, years: int) -> np.ndarray:
    """Each year's factor.  The declining schedule is the Green Book's for 3.5 %, scaled to the
    rate in use, as the Green Book itself derives its 1.5 % (health) schedule from it: 1.5 %,
    1.29 %, 1.07 %, 0.86 %, 0.64 %, 0.43 %."""
    rates = np.full(years, rate)
    if declining:
        for first, band_rate in DECLINING:
            rates[first:] = band_rate * rate / DECLINING[0][1]
    rates[0] = 0.0  # year 0 is undiscounted
    return np.asarray(1.0 / np.cumprod(1.0 + rates))


def month_discounts(appraisal: Appraisal, months: int) -> np.ndarray:
    """Discount factor of each month from the appraisal start (its year's factor)."""
    factors = _year_factors(appraisal.rate, appraisal.declining, months // 12 + 1)
    return np.asarray(factors[np.arange(months) // 12])


def appraisal_start(programme: Programme) -> date:
    """1 April of the financial year in which the programme starts."""
    first = programme.horizon.start
    return date(first.year if first.month >= 4 else first.year - 1, 4, 1)


def month_offset(programme: Programme) -> int:
    """Months from the appraisal start to the programme's first period."""
    first, start = programme.horizon.start, appraisal_start(programme)
    return (first.year - start.year) * 12 + first.month - start.month


def year_labels(programme: Programme, months: int) -> list[str]:
    """Financial-year labels ('2015/16') covering ``months`` months from the appraisal start."""
    first = appraisal_start(programme).year
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(first, first + max(1, -(-months // 12)))]


def pool_cost_profile(
    programme: Programme, option: DeliveryOption, exclude: Collection[str] = ()
) -> list[float]:
    """£ of costed resource days the option uses in each implementation period."""
    out = [0.0] * option.duration
    for pool in programme.resources:
        if pool.unit_cost and pool.id in option.demand and pool.id not in exclude:
            for k, amount in enumerate(option.demand_profile(pool.id)):
                out[k] += amount * pool.unit_cost
    return out


@dataclass
class Ledger:
    """Money by month from the appraisal start, costs and savings both positive; ``one_off``
    includes the stranded costs, and ``stranded`` is that part of it; ``income`` is funding
    received less contributions paid (:mod:`engine.programme.funding`)."""

    one_off: np.ndarray
    resources: np.ndarray
    savings: np.ndarray
    stranded: np.ndarray
    income: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.income is None:
            self.income = np.zeros(len(self.one_off))

    @classmethod
    def empty(cls, months: int) -> Ledger:
        return cls(np.zeros(months), np.zeros(months), np.zeros(months), np.zeros(months))

    @property
    def funding(self) -> np.ndarray:
        assert self.income is not None
        return self.income

    @property
    def net(self) -> np.ndarray:
        return self.savings + self.funding - self.one_off - self.resources

    def npv(self, appraisal: Appraisal) -> float:
        return float(self.net @ month_discounts(appraisal, len(self.net)))

    def add(self, other: Ledger, share: float = 1.0) -> None:
        for name in ("one_off", "resources", "savings", "stranded", "income"):
            theirs = getattr(other, name)
            getattr(self, name)[: len(theirs)] += share * theirs

    def split(self) -> tuple[Ledger, Ledger]:
        """This ledger as its stranded costs and everything else (borne by different partners)."""
        zeros = np.zeros(len(self.net))
        rest = Ledger(
            self.one_off - self.stranded,
            self.resources.copy(),
            self.savings.copy(),
            zeros,
            self.funding.copy(),
        )
        return rest, Ledger(self.stranded.copy(), zeros.copy(), zeros.copy(), self.stranded.copy())


def change_months(programme: Programme, option: DeliveryOption, start: int, appraisal: Appraisal) -> int:
    """Months from the appraisal start to the end of the change's appraised savings."""
    mpp = programme.horizon.months_per_period
    return month_offset(programme) + (start + option.duration) * mpp + 12 * appraisal.years


def stage_ledgers(
    programme: Programme, option: DeliveryOption, start: int, appraisal: Appraisal, months: int | None = None
) -> list[tuple[DeliveryOption, Ledger]]:
    """The money of each stage of ``option`` started in period ``start`` (one stage unless it is a
    staged path), month by month: a stage spends over its own periods and saves (today's cost
    less its own) from its go-live until the next stage goes live, the last for
    ``Appraisal.years`` years."""
    mpp = programme.horizon.months_per_period
    months = months or change_months(programme, option, start, appraisal)
    current = programme.service(option.service).annual_cost
    first = month_offset(programme) + start * mpp
    out = []
    for stage, until in _stage_spans(programme, option, appraisal):
        ledger = Ledger.empty(months)
        begin, build = first + stage.offset * mpp, stage.duration * mpp
        if build:
            uplift = (1 + appraisal.optimism_bias) / build
            ledger.stranded[begin : begin + build] = stage.option.stranded_cost * uplift
            ledger.one_off[begin : begin + build] = stage.option.one_off_spend * uplift
        for k, cost in enumerate(pool_cost_profile(programme, stage.option)):
            ledger.resources[begin + k * mpp : begin + (k + 1) * mpp] = cost / mpp
        ledger.savings[begin + build : first + until] = (current - stage.annual_cost) / 12
        out.append((stage.option, ledger))
    return out


def _stage_spans(
    programme: Programme, option: DeliveryOption, appraisal: Appraisal
) -> list[tuple[Stage, int]]:
    """Each stage with the month, from the path's start, at which its savings stop: the next
    stage's go-live, or ``Appraisal.years`` after the last go-live."""
    mpp = programme.horizon.months_per_period
    stages = stages_for(programme, option)
    ends = [s.end * mpp for s in stages[1:]] + [stages[-1].end * mpp + 12 * appraisal.years]
    return list(zip(stages, ends, strict=True))


def change_ledger(
    programme: Programme, option: DeliveryOption, start: int, appraisal: Appraisal, months: int | None = None
) -> Ledger:
    """The money of ``option`` started in period ``start``, month by month (all its stages)."""
    months = months or change_months(programme, option, start, appraisal)
    ledger = Ledger.empty(months)
    for _, part in stage_ledgers(programme, option, start, appraisal, months):
        ledger.add(part)
    return ledger


def change_npv_by_start(
    programme: Programme,
    option: DeliveryOption,
    starts: Sequence[int],
    appraisal: Appraisal,
    exclude_pools: Collection[str] = (),
    stranded_only: bool = False,
    bearer: str | None = None,
) -> np.ndarray:
    """NPV of the change for each start period, from prefix sums of the monthly discount factors
    (the same money as :func:`change_ledger`, stage by stage, fast enough for every coefficient of
    the model); ``exclude_pools`` leaves out the days of those pools (a partner's view of funded
    pools); ``stranded_only`` gives the NPV of its stranded costs alone, and with ``bearer`` only
    that partner's part of them (each stage's by its own split)."""
    mpp = programme.horizon.months_per_period
    starts_arr = np.asarray(starts, dtype=int)
    if starts_arr.size == 0:
        return np.zeros(0)
    months = change_months(programme, option, int(starts_arr.max()), appraisal)
    prefix = np.concatenate(([0.0], np.cumsum(month_discounts(appraisal, months))))
    first = month_offset(programme) + starts_arr * mpp
    current = programme.service(option.service).annual_cost
    value = np.zeros(len(starts_arr))
    for stage, until in _stage_spans(programme, option, appraisal):
        begin, build = first + stage.offset * mpp, stage.duration * mpp
        if build:
            spent = stage.option.stranded_cost if stranded_only else stage.option.one_off_spend
            if bearer is not None:
                spent *= stranded_split_of(programme, stage.option).get(bearer, 0.0)
            value -= spent * (1 + appraisal.optimism_bias) / build * (prefix[begin + build] - prefix[begin])
        if stranded_only:
            continue
        for k, cost in enumerate(pool_cost_profile(programme, stage.option, exclude_pools)):
            if cost:
                value -= cost / mpp * (prefix[begin + (k + 1) * mpp] - prefix[begin + k * mpp])
        saving = current - stage.annual_cost
        value += saving / 12 * (prefix[first + until] - prefix[begin + build])
    return value


def change_present_values(
    programme: Programme, options: Sequence[DeliveryOption], appraisal: Appraisal
) -> np.ndarray:
    """Present values of each option's change started at the programme's start, one row per
    option: its savings against today, its one-off spend (stranded costs included) and its costed
    resource days — the parts of :func:`change_ledger`'s NPV, stage by stage, from one prefix sum
    of the monthly discount factors instead of a ledger per option (scoring reads them for every
    row, so a ledger each made scoring 3× slower)."""
    out = np.zeros((len(options), 3))
    if not options:
        return out
    mpp = programme.horizon.months_per_period
    months = max(change_months(programme, o, 0, appraisal) for o in options)
    prefix = np.concatenate(([0.0], np.cumsum(month_discounts(appraisal, months)))).tolist()
    first = month_offset(programme)
    costed = [(p.id, p.unit_cost) for p in programme.resources if p.unit_cost]
    for row, option in enumerate(options):
        current = programme.service(option.service).annual_cost
        saved = spent = days = 0.0
        for stage, until in _stage_spans(programme, option, appraisal):
            begin, build = first + stage.offset * mpp, stage.duration * mpp
            if build:
                spend = stage.option.one_off_spend * (1 + appraisal.optimism_bias) / build
                spent += spend * (prefix[begin + build] - prefix[begin])
            for pool, cost in costed:
                if pool in stage.option.demand:
                    for k, amount in enumerate(stage.option.demand_profile(pool)):
                        lo = begin + k * mpp
                        days += amount * cost / mpp * (prefix[lo + mpp] - prefix[lo])
            saving = (current - stage.annual_cost) / 12
            saved += saving * (prefix[first + until] - prefix[begin + build])
        out[row] = (saved, spent, days)
    return out


def benefit_discounts(programme: Programme, appraisal: Appraisal, periods: int) -> np.ndarray:
    """The value objective's discount for a score gain that starts ``k`` periods into the programme,
    for ``k`` = 0..``periods``: the mean factor of the months over which the finance counts a
    change's savings (``Appraisal.years`` from the start of the gain), so the value and the money
    share one convention, the Green Book's annual schedule.  It falls strictly as ``k`` grows
    (while the rate is above zero): an earlier start is always worth more."""
    mpp = programme.horizon.months_per_period
    offset = month_offset(programme)
    span = 12 * appraisal.years
    prefix = np.concatenate(([0.0], np.cumsum(month_discounts(appraisal, offset + periods * mpp + span))))
    first = offset + np.arange(periods + 1) * mpp
    return np.asarray((prefix[first + span] - prefix[first]) / span)


def period_discounts(programme: Programme, appraisal: Appraisal, periods: int) -> np.ndarray:
    """Average discount factor of each period's months (money spread evenly over a period)."""
    mpp = programme.horizon.months_per_period
    offset = month_offset(programme)
    monthly = month_discounts(appraisal, offset + periods * mpp)
    return np.asarray(monthly[offset:].reshape(periods, mpp).mean(axis=1))


# ------------------------------------------------------------------ who pays for resource days
def funded_pools(programme: Programme) -> list[str]:
    """Costed pools whose days are paid by funding tranches rather than by the services' partners."""
    return [p.id for p in programme.resources if p.unit_cost and p.funding]


def tranche_split(
    programme: Programme, pool_id: str, used: Sequence[float] | np.ndarray
) -> dict[str, np.ndarray]:
    """Each partner's share of ``pool_id``'s days in each period, filling the funding tranches in
    the order the days are used (partners named in one tranche share it equally)."""
    pool = programme.resource(pool_id)
    out: dict[str, np.ndarray] = {}
    filled = 0.0  # days used so far
    floor = 0.0  # first day of the current tranche
    bounds = []
    for tranche in pool.funding:
        ceiling = floor + tranche.first if tranche.first is not None else float("inf")
        bounds.append((floor, ceiling, tranche.by))
        floor = ceiling
    for t, amount in enumerate(used):
        for low, high, by in bounds:
            part = max(0.0, min(filled + amount, high) - max(filled, low))
            if part > 0:
                for partner in by:
                    out.setdefault(partner, np.zeros(len(used)))[t] += part / len(by)
        filled += amount
    return out


def shares_of(programme: Programme, service_id: str) -> dict[str, float]:
    service = programme.service(service_id)
    return dict(service.shares) or {service.owner: 1.0}


def stranded_split_of(programme: Programme, option: DeliveryOption) -> dict[str, float]:
    """Who bears ``option``'s stranded costs: its ``stranded_split``, else the service's shares."""
    return dict(option.stranded_split) or shares_of(programme, option.service)


def plan_ledgers(
    programme: Programme,
    changes: Iterable[tuple[DeliveryOption, int]],
    appraisal: Appraisal,
    funding: bool = False,
) -> tuple[Ledger, dict[str, Ledger], list[Ledger]]:
    """The plan's money in total, by partner, and by change (in the order given).

    A change's own ledger carries the full cost of the days it uses; by partner, the days of a
    funded pool go to the tranche funders, its stranded costs to its ``stranded_split`` and every
    other figure to the service's partners by their shares.  With ``funding``, the programme's
    funding sources are income too (grants to the total; every receipt and contribution paid to
    its partner); a change's own ledger never carries them."""
    changes = list(changes)
    months = max(
        [change_months(programme, o, s, appraisal) for o, s in changes]
        or [month_offset(programme) + 12 * appraisal.years]
    )
    if funding:
        months = max(months, funding_months(programme))
    total = Ledger.empty(months)
    partners: dict[str, Ledger] = {}
    own: list[Ledger] = []
    funded = set(funded_pools(programme))
    mpp = programme.horizon.months_per_period
    periods = max([s + o.duration for o, s in changes], default=0)
    used = {pool: np.zeros(periods) for pool in funded}
    for option, start in changes:
        parts = stage_ledgers(programme, option, start, appraisal, months)
        ledger = Ledger.empty(months)
        for _, part in parts:
            ledger.add(part)
        own.append(ledger)
        total.add(ledger)
        unfunded, _ = ledger.split()
        for pool in funded & set(option.demand):
            profile = option.demand_profile(pool)
            used[pool][start : start + option.duration] += profile
            cost = programme.resource(pool).unit_cost or 0.0
            first = month_offset(programme) + start * mpp
            for k, amount in enumerate(profile):
                unfunded.resources[first + k * mpp : first + (k + 1) * mpp] -= amount * cost / mpp
        for partner, share in shares_of(programme, option.service).items():
            partners.setdefault(partner, Ledger.empty(months)).add(unfunded, share)
        for stage, part in parts:  # each stage's stranded costs by its own split
            if stage.stranded_cost:
                stranded = part.split()[1]
                for partner, share in stranded_split_of(programme, stage).items():
                    partners.setdefault(partner, Ledger.empty(months)).add(stranded, share)
    for pool, days in used.items():
        cost = programme.resource(pool).unit_cost or 0.0
        for partner, split in tranche_split(programme, pool, days).items():
            monthly = np.zeros(months)
            first = month_offset(programme)
            monthly[first : first + periods * mpp] = np.repeat(split * cost / mpp, mpp)
            partners.setdefault(partner, Ledger.empty(months)).resources[:] += monthly
    if funding:
        _add_funding(programme, total, partners, months)
    return total, partners, own


def funding_months(programme: Programme) -> int:
    """Months from the appraisal start to the end of the last financial year with funding."""
    years = [year_index(programme, fy) for source in programme.funding for fy in source.amounts]
    return 12 * (max(years) + 1) if years else 0


def _year_months(programme: Programme, by_year: dict[str, float], months: int) -> np.ndarray:
    """£ by financial year spread evenly over each year's twelve months."""
    out = np.zeros(months)
    for fy, amount in by_year.items():
        first = 12 * year_index(programme, fy)
        out[first : first + 12] += amount / 12
    return out


def _add_funding(programme: Programme, total: Ledger, partners: dict[str, Ledger], months: int) -> None:
    """Grants to the programme's ledger; each partner's net receipts to its own."""
    total.funding[:] += _year_months(programme, income_by_year(programme), months)
    for partner, by_year in receipts_by_partner(programme).items():
        ledger = partners.setdefault(partner, Ledger.empty(months))
        ledger.funding[:] += _year_months(programme, by_year, months)


def funding_npv(programme: Programme, appraisal: Appraisal) -> tuple[float, dict[str, float]]:
    """The NPV of the funding alone, for the programme and each partner: a constant the savings
    and max-min objectives add to the changes' money (funding does not depend on the plan)."""
    total, partners, _ = plan_ledgers(programme, [], appraisal, funding=True)
    return total.npv(appraisal), {p: ledger.npv(appraisal) for p, ledger in partners.items()}
