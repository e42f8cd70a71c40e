"""Why a service is left as it is: computed, not templated.

For every service the plan keeps as it is, one of:

- the what-if keeps it (forced out), or it has no option to change to;
- no option is allowed (ineligible under the rules, or an exception short of the margin);
- no allowed option is worth it on its own or for what it enables (it scores no better than
  today, or loses money over its appraisal life);
- it would be worth it, but the best plan with it forced in is worse by X (the price of fitting
  it in), or it cannot fit at all: the elastic advice says which limit and by how much.

The last two re-plan with the service forced in, so they are bounded in number and in time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

from engine.optimise.instance import Instance
from engine.plan.disclosure import CANNOT_FIT, OUTSIDE_MEMBERSHIP
from engine.plan.result import PlanResult, PlanStatus
from engine.plan.settings import PlanSettings
from engine.programme.calendar import day_text
from engine.programme.model import DeliveryOption, Partner, Programme
from engine.programme.partners import membership, option_window
from engine.scoring.scores import ScoreTable

MAX_REPLANS = 15
TIME_STOPPED = "not re-planned: the time limit stopped the reasons pass"
COUNT_STOPPED = f"not re-planned: only the first {MAX_REPLANS} such services are"


def replan_seconds(programme: Programme) -> float:
    """The least time worth starting a re-plan with: a second, plus what building the instance and
    the priority-rule plan take before the solver (about 0.9 ms a service: 1.8 s at 2,000
    services, measured on the 2-core machine), so a re-plan never runs past the deadline."""
    return 1.0 + 0.001 * len(programme.services)


def left_out(
    programme: Programme,
    settings: PlanSettings,
    scores: ScoreTable | None,
    instance: Instance,
    result: PlanResult,
    deadline: float,
    replan: Callable[[PlanSettings], PlanResult],
) -> dict[str, str]:
    """service id -> the reason it keeps its status quo (plain words, names not ids).

    ``replan`` solves the same programme under other settings: the caller's ``solve``, so a
    re-plan goes through the same front door (time limit, verifier) as the plan it explains.
    """
    assert result.plan is not None
    changed = {a.service for a in result.plan.assignments}
    reasons: dict[str, str] = {}
    replans = 0
    rows = _by_service(scores)
    for service in programme.services:
        if service.id in changed:
            continue
        reason = _static_reason(programme, settings, rows, instance, service.id)
        if reason is None:
            remaining = deadline - time.perf_counter()
            if remaining < replan_seconds(programme):
                reason = f"worth changing on its own, but not fitted in; {TIME_STOPPED}"
            elif replans >= MAX_REPLANS:
                reason = f"worth changing on its own, but not fitted in; {COUNT_STOPPED}"
            else:
                replans += 1
                forced = settings.model_copy(
                    update={"force_in": (*settings.force_in, service.id), "time_limit": min(remaining, 10.0)}
                )
                reason = _forced_reason(programme, result, replan(forced))
        reasons[service.id] = reason
    return reasons


SOONEST_ONLY = "the soonest-finish objective plans only those"


def _by_service(scores: ScoreTable | None) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]] | None:
    """Each service's scored changes and exceptions, split once (not filtered per service)."""
    if scores is None:
        return None
    changes = scores.options[~scores.options["status_quo"].astype(bool)]
    exceptions = scores.exceptions
    empty = exceptions.iloc[0:0]
    split = {str(k): v for k, v in changes.groupby("service", sort=False)}
    short = {str(k): v for k, v in exceptions.groupby("service", sort=False)} if len(exceptions) else {}
    return {service: (frame, short.get(service, empty)) for service, frame in split.items()}


def _static_reason(
    programme: Programme,
    settings: PlanSettings,
    rows_by_service: dict[str, tuple[pd.DataFrame, pd.DataFrame]] | None,
    instance: Instance,
    service_id: str,
) -> str | None:
    if service_id in settings.force_out:
        return "kept as it is by this what-if"
    changes = [o for o in programme.options_for(service_id) if not o.is_status_quo]
    if not changes:
        return "has no option to change to"
    if settings.objective == "makespan":
        membership = _membership_reason(programme, instance.periods, service_id, changes)
        return membership or f"not among the recommended changes ({SOONEST_ONLY})"
    if service_id in instance.jobs:
        return None
    allowed = changes
    if rows_by_service is not None:
        rows, exceptions = rows_by_service.get(service_id, (None, None))
        if rows is None or exceptions is None or not rows["eligible"].any():
            found = [] if rows is None else rows["ineligible_reason"]
            why = "; ".join(sorted({str(r) for r in found if r}))
            return "no option is allowed by the rules" + (f": {why}" if why else "")
        short = exceptions[~exceptions["passes_margin"].astype(bool)]
        eligible = set(rows.loc[rows["eligible"], "option"])
        if eligible and eligible <= set(short["option"]):
            return "its only allowed options are exceptions that fall short of the programme's margin"
        allowed = [o for o in changes if o.id in eligible and o.id not in set(short["option"])]
    membership = _membership_reason(programme, instance.periods, service_id, allowed)
    if membership is not None:
        return membership
    if service_id not in instance.set_aside_services:
        return None  # it could not be placed at all: re-planning with it forced in says why
    if settings.objective == "value":
        return "no option scores better than today, alone or for what it enables"
    return "no option saves money over its appraisal life, alone or for what it enables"


def _membership_reason(
    programme: Programme, periods: int, service_id: str, options: list[DeliveryOption]
) -> str | None:
    """The reason when no allowed option fits the time its provider and the service's owner are
    both partners of the programme (None when some option does, or none is allowed)."""
    if not options:
        return None
    partners: dict[str, None] = {}
    for option in options:
        first, end = option_window(programme, option, periods)
        if end - first >= option.duration:
            return None
        providers = [stage.option.provider for stage in programme.stages(option.id)]
        for who in (*providers, programme.service(service_id).owner):
            if membership(programme, who, periods) != (0, periods):
                partners[who] = None
    dates = "; ".join(_membership_text(programme.partner(who)) for who in partners)
    return f"{OUTSIDE_MEMBERSHIP} ({dates})"


def _membership_text(partner: Partner) -> str:
    parts = [f"joins {day_text(partner.joins, short=True)}"] if partner.joins else []
    parts += [f"leaves {day_text(partner.leaves, short=True)}"] if partner.leaves else []
    return f"{partner.name} {' and '.join(parts)}"


def _forced_reason(programme: Programme, base: PlanResult, forced: PlanResult) -> str:
    if forced.status == PlanStatus.INFEASIBLE:
        advice = "; ".join(forced.advice[:3]) or "the limits leave no room for it"
        more = f" (and {len(forced.advice) - 3} more)" if len(forced.advice) > 3 else ""
        return f"{CANNOT_FIT}{advice}{more}"
    if not forced.status.has_plan or forced.objective_value is None or base.objective_value is None:
        return "worth changing on its own, but no plan with it was found in the time left"
    loss = base.objective_value - forced.objective_value
    proven = forced.status == PlanStatus.OPTIMAL  # else the re-plan ran out of time: its loss is at most this
    tied = abs(loss) <= 1e-9 * max(1.0, abs(base.objective_value))
    if tied and proven:
        return "an equally good plan changes it too (a tie); the plan shown keeps it"
    if tied:
        return (
            "worth changing on its own: a plan that changes it too was found as good as the one shown "
            "(the re-plan ran out of time before it could show more)"
        )
    if loss < 0:  # the plan shown was not proven the best
        return (
            "worth changing on its own: a plan that changes it too was found better than the one shown, "
            "which was not proven the best in the time there was"
        )
    unit = f"{loss:,.4f} value points" if base.objective == "value" else f"£{loss:,.0f}"
    if not proven:
        return (
            f"worth changing on its own, but forcing it in lowers the best plan's objective by at most "
            f"{unit} (the re-plan ran out of time before proving its best)"
        )
    return f"worth changing on its own, but forcing it in lowers the best plan's objective by {unit}"
