"""A plan and the result of planning: which option each service takes, and when; one tidy
row per service; each partner's money from a plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import pandas as pd
from pydantic import Field

from engine.programme.model import DeliveryOption, Programme, Record
from engine.programme.money import Appraisal, plan_ledgers
from engine.programme.partners import consenting_partners


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
    STOPPED = "stopped"  # the user stopped the search: the best verified plan found so far

    @property
    def has_plan(self) -> bool:
        return self in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE, PlanStatus.STOPPED)


def gap_words(gap: float | None) -> str:
    """A gap as a director reads it: "within 1.25% of the best possible"."""
    if gap is None:
        return "how far it is from the best possible is not known"
    return f"within {max(gap, 0.0):.2%} of the best possible"


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
        if self.status == PlanStatus.STOPPED:
            return f"stopped by you: best plan found, {gap_words(self.gap)}"
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
            by_service = self.plan.by_service()
            data["schedule"] = [
                {**row, "stages": stage_rows(self.programme, by_service[row["service"]])}
                for row in self.to_frame().to_dict("records")
            ]
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
    "stages",
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
                "stages": stages_words(programme, a),
            }
        )
    return pd.DataFrame(rows, columns=list(SCHEDULE_COLUMNS))


def stage_rows(programme: Programme, a: Assignment) -> list[dict[str, Any]]:
    """Each stage of the assignment's option (one unless it is a staged path) with its own
    provider, model and dates: the periods it runs are its offset from the path's start on."""
    horizon = programme.horizon
    rows = []
    for stage in programme.stages(a.option):
        first = a.start + stage.offset
        last = first + stage.duration - 1
        rows.append(
            {
                "option": stage.option.id,
                "provider": stage.option.provider,
                "provider_name": programme.partner(stage.option.provider).name,
                "model": stage.option.model,
                "exception": programme.is_own_exception(stage.option),
                "start": first,
                "finish": last,
                "start_date": horizon.period_start(first).isoformat(),
                "finish_date": horizon.period_end(last).isoformat(),
                "start_label": horizon.label(first),
                "finish_label": horizon.label(last),
                "live_label": horizon.label(last + 1),
            }
        )
    return rows


def stages_words(programme: Programme, a: Assignment) -> str:
    """A staged path in words, each stage from its go-live ("shared service with County Council
    from Apr 2016, then joint venture with Legal Co from Apr 2021"); empty for a single change."""
    rows = stage_rows(programme, a)
    if len(rows) < 2:
        return ""
    return ", then ".join(
        f"{row['model'].replace('_', ' ')} with {row['provider_name']} from {row['live_label']}"
        for row in rows
    )


def option_of(programme: Programme, option_id: str) -> DeliveryOption:
    return programme.option(option_id)


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
    """One-off spend in each period: each option's one-off cost spread evenly over its duration (a
    staged path's: each stage's over its own periods, nothing in the gaps)."""
    out = [0.0] * plan.periods
    for a in plan.assignments:
        for stage in programme.stages(a.option):
            for k in range(stage.duration):
                if 0 <= a.start + stage.offset + k < plan.periods:
                    out[a.start + stage.offset + k] += stage.option.one_off_spend / stage.duration
    return out


def partner_benefits(
    plan: Plan, programme: Programme, appraisal: Appraisal | None = None, funding: bool = True
) -> dict[str, float]:
    """Each consenting partner's NPV from the plan (the finance's money: :mod:`engine.programme.money`),
    its funding receipts and contributions included unless ``funding`` is False (the consensus
    test: funding is the same whatever the plan, doing nothing included, so it cancels)."""
    appraisal = appraisal or Appraisal()
    changes = [(option_of(programme, a.option), a.start) for a in plan.assignments]
    _, partners, _ = plan_ledgers(programme, changes, appraisal, funding=funding)
    return {p: partners[p].npv(appraisal) if p in partners else 0.0 for p in consenting_partners(programme)}
