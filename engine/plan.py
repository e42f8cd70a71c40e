"""Plans and their independent check: which option each service takes, and when.

Nothing here knows about solvers.  ``verify`` re-checks a plan from the programme alone (one
option per service, durations, precedences with lags, every capacity and budget in every window,
the horizon, deadlines and the what-if choices), so a plan is shown or saved only after a check
that shares no code with the model that produced it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

import pandas as pd
from pydantic import Field

from engine.calendar import Horizon
from engine.model import DeliveryOption, Programme, Record
from engine.money import Appraisal, plan_ledgers

Objective = Literal["value", "savings", "makespan", "maxmin"]
MAXMIN_TIE_BREAK = 1e-6  # weight of the total in the max-min objective: it only separates equal minima


class PlanSettings(Record):
    """What-if controls for one optimisation run."""

    objective: Objective = "value"
    solver: Literal["highs", "cbc"] = "highs"
    time_limit: float = Field(30.0, gt=0, le=86400, description="seconds")
    gap: float = Field(1e-4, ge=0, le=1, description="relative gap at which to stop")
    discount_rate: float = Field(0.035, ge=0, le=1, description="a year, for the value objective")
    appraisal: Appraisal = Field(
        default_factory=Appraisal, description="the money the savings and max-min objectives count"
    )
    force_in: tuple[str, ...] = Field((), description="services that must change")
    force_out: tuple[str, ...] = Field((), description="services kept as they are")
    fix_option: dict[str, str] = Field(default_factory=dict, description="service → option")
    fix_provider: dict[str, str] = Field(default_factory=dict, description="service → partner")
    max_concurrent: int | None = Field(None, ge=1, description="overrides the programme's setting")
    horizon: int | None = Field(None, ge=1, description="periods to plan in (default: the programme's)")
    consensus: bool = Field(False, description="every consenting partner no worse off than the status quo")


class Assignment(Record):
    service: str
    option: str
    provider: str
    start: int = Field(ge=0, description="first period (0-based)")
    duration: int = Field(ge=1)

    @property
    def end(self) -> int:
        """First period after the transition (exclusive end)."""
        return self.start + self.duration

    @property
    def finish(self) -> int:
        """Last period of the transition (inclusive)."""
        return self.end - 1


class Plan(Record):
    """The chosen option and start of every service that changes; the rest keep the status quo."""

    programme: str
    periods: int
    assignments: tuple[Assignment, ...] = ()

    def by_service(self) -> dict[str, Assignment]:
        return {a.service: a for a in self.assignments}

    @property
    def makespan(self) -> int:
        return max((a.end for a in self.assignments), default=0)


class PlanStatus(Enum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a verified plan, optimality not proven
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no solution"  # stopped (time limit) before any plan was found
    ERROR = "error"

    @property
    def has_plan(self) -> bool:
        return self in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE)


@dataclass
class PlanResult:
    status: PlanStatus
    objective: str
    objective_value: float | None = None
    bound: float | None = None
    gap: float | None = None
    solve_seconds: float = 0.0
    solver: str = ""
    plan: Plan | None = None
    message: str = ""
    advice: list[str] = field(default_factory=list)
    programme: Programme | None = None
    proof: str = ""  # what the status promises over the whole programme
    left_out: dict[str, str] = field(default_factory=dict)  # service -> why it keeps its status quo
    negative_npv: list[str] = field(default_factory=list)  # changes that lose money over their life
    notice: str = ""  # what the public view withheld, or that the output is NOT FOR PUBLICATION

    @property
    def status_text(self) -> str:
        if self.status == PlanStatus.OPTIMAL:
            return (
                "optimal" if not self.gap or self.gap < 1e-6 else f"optimal within the gap ({self.gap:.2%})"
            )
        if self.status == PlanStatus.FEASIBLE:
            gap = f" (gap {self.gap:.1%})" if self.gap is not None else ""
            return f"best found, not proven optimal{gap}"
        return self.status.value

    def to_frame(self) -> pd.DataFrame:
        """One tidy row per service: option, provider, start and finish (indices and dates)."""
        if self.plan is None or self.programme is None:
            return pd.DataFrame(columns=list(SCHEDULE_COLUMNS))
        return schedule_frame(self.plan, self.programme)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": self.status.value,
            "status_text": self.status_text,
            "objective": self.objective,
            "objective_value": self.objective_value,
            "bound": self.bound,
            "gap": self.gap,
            "solve_seconds": round(self.solve_seconds, 3),
            "solver": self.solver,
            "message": self.message,
            "advice": self.advice,
            "proof": self.proof,
            "left_out": self.left_out,
            "negative_npv": self.negative_npv,
            "notice": self.notice,
            "makespan": self.plan.makespan if self.plan else None,
            "schedule": [],
            "usage": {},
        }
        if self.plan is not None and self.programme is not None:
            data["schedule"] = self.to_frame().to_dict("records")
            horizon = self.programme.horizon
            data["usage"] = {
                pool: {horizon.key(t): round(v, 6) for t, v in enumerate(values)}
                for pool, values in usage(self.plan, self.programme).items()
            }
        return data


SCHEDULE_COLUMNS = (
    "service",
    "service_name",
    "option",
    "provider",
    "provider_name",
    "model",
    "exception",
    "start",
    "finish",
    "start_date",
    "finish_date",
    "start_label",
    "finish_label",
)


def schedule_frame(plan: Plan, programme: Programme) -> pd.DataFrame:
    """One row per change in start order; the same columns when nothing changes."""
    horizon = programme.horizon
    rows = []
    for a in sorted(plan.assignments, key=lambda a: (a.start, a.service)):
        option = option_of(programme, a.option)
        rows.append(
            {
                "service": a.service,
                "service_name": programme.service(a.service).name,
                "option": a.option,
                "provider": a.provider,
                "provider_name": programme.partner(a.provider).name,
                "model": option.model,
                "exception": programme.is_exception(option),
                "start": a.start,
                "finish": a.finish,
                "start_date": horizon.period_start(a.start).isoformat(),
                "finish_date": horizon.period_end(a.finish).isoformat(),
                "start_label": horizon.label(a.start),
                "finish_label": horizon.label(a.finish),
            }
        )
    return pd.DataFrame(rows, columns=list(SCHEDULE_COLUMNS))


def option_of(programme: Programme, option_id: str) -> DeliveryOption:
    return programme.option(option_id)


# ------------------------------------------------------------------------------ windows
@dataclass(frozen=True)
class Window:
    """A set of periods sharing one limit: a period, a financial year, or the whole horizon.

    ``key`` is the name an override gives the window (``2016-07``, ``2016/17``; empty for the
    whole horizon, which no override names)."""

    label: str
    periods: tuple[int, ...]
    limit: float
    key: str = ""


def capacity_windows(
    programme: Programme,
    pool_id: str,
    periods: int | None = None,
    *,
    capacity: float | None = None,
    overrides: Mapping[str, float] | None = None,
) -> list[Window]:
    """The pool's windows over the first ``periods`` periods, each with its limit: the window's
    override, else the capacity.  ``capacity`` and ``overrides`` (a what-if being edited) replace
    the pool's own; this is the one place a pool's capacity and its overrides are merged."""
    pool = programme.resource(pool_id)
    horizon = programme.horizon
    count = periods or horizon.periods
    default = pool.capacity if capacity is None else capacity
    named = pool.overrides if overrides is None else overrides
    if pool.per == "period":
        return [
            Window(horizon.label(t), (t,), named.get(horizon.key(t), default), horizon.key(t))
            for t in range(count)
        ]
    if pool.per == "financial_year":
        return [
            Window(fy, tuple(ts), named.get(fy, default), fy)
            for fy, ts in _financial_years(horizon, count).items()
        ]
    return [Window("the whole programme", tuple(range(count)), default)]


def named_overrides(limits: Mapping[str, float], capacity: float) -> dict[str, float]:
    """The inverse of the merge in :func:`capacity_windows`: the windows (by key) whose limit
    differs from ``capacity``, i.e. the overrides a what-if must name."""
    return {key: limit for key, limit in limits.items() if limit != capacity}


def budget_windows(
    programme: Programme,
    periods: int | None = None,
    *,
    per_financial_year: float | None = None,
    overrides: Mapping[str, float] | None = None,
) -> list[Window]:
    """Each financial year's one-off budget: its override, else the budget a year (none without a
    budget).  ``per_financial_year`` and ``overrides`` (a what-if being edited) replace the
    programme's own, as :func:`capacity_windows` does for a pool."""
    if programme.budget is None:
        return []
    count = periods or programme.horizon.periods
    budget = programme.budget
    default = budget.per_financial_year if per_financial_year is None else per_financial_year
    named = budget.overrides if overrides is None else overrides
    return [
        Window(fy, tuple(ts), named.get(fy, default), fy)
        for fy, ts in _financial_years(programme.horizon, count).items()
    ]


def _financial_years(horizon: Horizon, count: int) -> dict[str, list[int]]:
    years: dict[str, list[int]] = defaultdict(list)
    for t in range(count):
        years[horizon.financial_year_of(t)].append(t)
    return dict(years)


def usage(plan: Plan, programme: Programme) -> dict[str, list[float]]:
    """Each pool's use in each period of the plan's horizon."""
    out = {pool.id: [0.0] * plan.periods for pool in programme.resources}
    for a in plan.assignments:
        option = option_of(programme, a.option)
        for pool in option.demand:
            for k, amount in enumerate(option.demand_profile(pool)):
                if 0 <= a.start + k < plan.periods:
                    out[pool][a.start + k] += amount
    return out


def spend(plan: Plan, programme: Programme) -> list[float]:
    """One-off spend in each period: each option's one-off cost spread evenly over its duration."""
    out = [0.0] * plan.periods
    for a in plan.assignments:
        option = option_of(programme, a.option)
        for k in range(a.duration):
            if 0 <= a.start + k < plan.periods:
                out[a.start + k] += option.one_off_cost / a.duration
    return out


def consenting_partners(programme: Programme) -> list[str]:
    """The partners whose agreement counts: the consensus list, else every partner with a share."""
    if programme.consensus is not None:
        return list(programme.consensus.partners)
    seen: dict[str, None] = {}
    for service in programme.services:
        for partner in service.shares or {service.owner: 1.0}:
            seen[partner] = None
    return list(seen)


def partner_benefits(
    plan: Plan, programme: Programme, appraisal: Appraisal | None = None
) -> dict[str, float]:
    """Each consenting partner's NPV from the plan (the finance's money: :mod:`engine.money`)."""
    appraisal = appraisal or Appraisal()
    changes = [(option_of(programme, a.option), a.start) for a in plan.assignments]
    _, partners, _ = plan_ledgers(programme, changes, appraisal)
    return {p: partners[p].npv(appraisal) if p in partners else 0.0 for p in consenting_partners(programme)}


# ------------------------------------------------------------------------------ the check
TOLERANCE = 1e-6


def verify(
    plan: Plan,
    programme: Programme,
    settings: PlanSettings | None = None,
    allowed: dict[str, set[str]] | None = None,
) -> list[str]:
    """Every way ``plan`` breaks the programme's rules or the what-if settings (empty: valid).

    ``allowed`` optionally restricts each service to the options scoring left eligible.  One
    checker per constraint family (mirroring :mod:`engine.optimise.constraints`), in the order
    the problems are reported: each assignment in turn (its option, its dates, the what-if's
    choices), then forced changes, precedence, pool capacity, budget, consensus and concurrency.
    """
    settings = settings or PlanSettings()
    problems: list[str] = []
    services = {s.id for s in programme.services}
    seen: dict[str, Assignment] = {}
    for a in plan.assignments:
        option, found = _one_option_per_service(a, programme, services, seen)
        problems += found
        if option is None:
            continue
        problems += _option_taken(a, option, allowed)
        problems += _dates(a, option, programme, plan.periods)
        problems += _fixed_choices(a, settings)
    problems += _forced_in(programme, settings, seen)
    problems += _precedence(programme, seen)
    known = {o.id for o in programme.options}
    if any(a.option not in known for a in plan.assignments):  # already reported; the sums below need options
        plan = plan.model_copy(
            update={"assignments": tuple(a for a in plan.assignments if a.option in known)}
        )
    problems += _pool_capacity(plan, programme)
    problems += _annual_budget(plan, programme)
    if settings.consensus:
        problems += _consensus_no_worse_off(plan, programme, settings)
    problems += _concurrent_transitions(plan, programme, settings)
    return problems


def _one_option_per_service(
    a: Assignment, programme: Programme, services: set[str], seen: dict[str, Assignment]
) -> tuple[DeliveryOption | None, list[str]]:
    """Σ_{o∈S(s)} [o in plan] ≤ 1: ``a`` names a known service not seen before and one of its
    options.  Records the service in ``seen``; returns the option (None: nothing more to check)."""
    if a.service not in services:
        return None, [f"unknown service `{a.service}`"]
    problems = []
    if a.service in seen:
        problems.append(f"service `{a.service}` has more than one option in the plan")
    seen[a.service] = a
    option = {o.id: o for o in programme.options_for(a.service)}.get(a.option)
    if option is None:
        problems.append(f"option `{a.option}` is not an option of service `{a.service}`")
    return option, problems


def _option_taken(a: Assignment, option: DeliveryOption, allowed: dict[str, set[str]] | None) -> list[str]:
    """The option is a change (not the status quo), by its own provider, for its own duration, and
    eligible when scoring restricted the choice."""
    problems = []
    if option.is_status_quo:
        problems.append(f"`{a.option}` is the status quo, which needs no place in the plan")
    if option.provider != a.provider:
        problems.append(f"`{a.option}` is provided by `{option.provider}`, not `{a.provider}`")
    if option.duration != a.duration:
        problems.append(f"`{a.option}` takes {option.duration} periods, not {a.duration}")
    if allowed is not None and a.option not in allowed.get(a.service, set()):
        problems.append(f"`{a.option}` is not an allowed (eligible) option of `{a.service}`")
    return problems


def _dates(a: Assignment, option: DeliveryOption, programme: Programme, periods: int) -> list[str]:
    """start + d ≤ the horizon; start ≥ the earliest start; start + d − 1 ≤ the deadline."""
    problems = []
    if a.end > periods:
        problems.append(f"`{a.option}` ends after the horizon (period {a.finish} ≥ {periods})")
    if option.earliest_start and a.start < programme.horizon.period_of(option.earliest_start):
        problems.append(f"`{a.option}` starts before its earliest start {option.earliest_start}")
    if option.latest_finish and a.finish > programme.horizon.period_of(option.latest_finish):
        problems.append(f"`{a.option}` finishes after its deadline {option.latest_finish}")
    return problems


def _fixed_choices(a: Assignment, settings: PlanSettings) -> list[str]:
    """The what-if's fixed option and fixed provider hold, and a service forced out does not change."""
    problems = []
    fixed = settings.fix_option.get(a.service)
    if fixed and fixed != a.option:
        problems.append(f"service `{a.service}` is fixed to `{fixed}`, not `{a.option}`")
    provider = settings.fix_provider.get(a.service)
    if provider and provider != a.provider:
        problems.append(f"service `{a.service}` is fixed to provider `{provider}`, not `{a.provider}`")
    if a.service in settings.force_out:
        problems.append(f"service `{a.service}` is forced out but the plan changes it")
    return problems


def _forced_in(programme: Programme, settings: PlanSettings, seen: dict[str, Assignment]) -> list[str]:
    """Σ_{o∈S(s)} [o in plan] = 1 for a service forced in or without a status quo."""
    return [
        f"service `{service.id}` must change but the plan leaves it as it is"
        for service in programme.services
        if (service.id in settings.force_in or not service.allow_status_quo) and service.id not in seen
    ]


def _precedence(programme: Programme, seen: dict[str, Assignment]) -> list[str]:
    """start(after) ≥ end(before) + lag; a change whose predecessor stays as it is breaks the rule
    only when deferred dependencies block."""
    problems = []
    for dep in programme.dependencies:
        before, after = seen.get(dep.before), seen.get(dep.after)
        if after is None:
            continue
        if before is None:
            if programme.settings.deferred_dependency == "block":
                problems.append(f"`{dep.after}` changes but `{dep.before}`, which must come first, does not")
            continue
        if after.start < before.end + dep.lag:
            problems.append(
                f"`{dep.after}` starts in period {after.start} but `{dep.before}` ends in period "
                f"{before.finish} and needs a lag of {dep.lag}"
            )
    return problems


def _pool_capacity(plan: Plan, programme: Programme) -> list[str]:
    """For each pool and window W: Σ_{t∈W} use(t) ≤ capacity(W)."""
    problems = []
    used = usage(plan, programme)
    for pool in programme.resources:
        for window in capacity_windows(programme, pool.id, plan.periods):
            total = sum(used[pool.id][t] for t in window.periods)
            if total > window.limit + TOLERANCE:
                problems.append(f"{pool.name} in {window.label}: {total:g} used, {window.limit:g} available")
    return problems


def _annual_budget(plan: Plan, programme: Programme) -> list[str]:
    """For each financial year Y: Σ_{t∈Y} one-off spend(t) ≤ budget(Y)."""
    problems = []
    spent = spend(plan, programme)
    for window in budget_windows(programme, plan.periods):
        total = sum(spent[t] for t in window.periods)
        if total > window.limit + TOLERANCE * max(1.0, window.limit):
            problems.append(
                f"one-off budget in {window.label}: £{total:,.0f} spent, £{window.limit:,.0f} available"
            )
    return problems


def _consensus_no_worse_off(plan: Plan, programme: Programme, settings: PlanSettings) -> list[str]:
    """For each consenting partner p: p's NPV from the plan ≥ 0."""
    return [
        f"partner `{partner}` is worse off than the status quo (£{benefit:,.0f})"
        for partner, benefit in partner_benefits(plan, programme, settings.appraisal).items()
        if benefit < -TOLERANCE * max(1.0, abs(benefit))
    ]


def _concurrent_transitions(plan: Plan, programme: Programme, settings: PlanSettings) -> list[str]:
    """For each period t: Σ_o [o runs in t] ≤ the cap (the what-if's, else the programme's)."""
    cap = settings.max_concurrent or programme.settings.max_concurrent_transitions
    if cap is None:
        return []
    problems = []
    for t in range(plan.periods):
        running = sum(1 for a in plan.assignments if a.start <= t < a.end)
        if running > cap:
            problems.append(
                f"{running} transitions run in {programme.horizon.label(t)}; at most {cap} allowed"
            )
    return problems
