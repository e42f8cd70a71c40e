"""The programme as it stands on a date, with what has happened as fact (benefits realisation).

``as_of_programme(programme, as_of)`` is a new, validated programme whose horizon starts at the
period containing ``as_of`` and whose actuals have become the programme itself:

- **live** changes: the service now runs as the option did (its provider delivers it today) and
  its current cost is what it costs now, the original cost less the saving achieved a year
  (:func:`achieved_rate`: the savings recorded since go-live, annualised over the calendar months
  from the go-live month to the period containing ``as_of``; the option's planned saving where
  none is recorded yet); its options are gone, so the re-plan keeps it as it is, except the later
  stages of a staged path through it, each now a change of its own from the live stage's go-live
  plus its gap;
- **in progress** changes: fixed — the option is the service's only one (no status quo), to run
  for the rest of its planned duration from today (at least one period, if overdue), finishing
  when expected, with its one-off cost less what has been spent and the rest of its demand profile;
- funding of financial years now past is history and leaves the re-plan;
- changes **not started** are planned afresh from today, under the same objective, capacities and
  budget; a dependency whose later service has begun, or whose earlier one is live, is met and
  dropped;
- spend already made in the current financial year counts against that year's budget, and the
  capacity and budget overrides of windows now past are dropped;
- the savings target is left out: it is judged against the programme as written
  (:mod:`engine.appraisal.progress`), not against today's lower costs.

What it does not know: resource days already used this year by a pool counted per financial year
(actuals record money, not days), so such a pool's year starts full.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.base.errors import InputError
from engine.programme.calendar import add_months, financial_year
from engine.programme.model import Actual, DeliveryOption, Programme


def months_between(start: date, end: date) -> int:
    """Whole calendar months from the month of ``start`` to the month of ``end`` (≥ 0)."""
    return max(0, (end.year - start.year) * 12 + end.month - start.month)


def cut_off(programme: Programme, as_of: date) -> date:
    """The first day of the period containing ``as_of``: what comes before it is past."""
    horizon = programme.horizon
    return horizon.period_start(horizon.period_of(as_of))


def achieved_rate(programme: Programme, actual: Actual, as_of: date) -> tuple[float, bool]:
    """A live change's saving a year, and whether it is measured (else the option's plan): the
    savings recorded, times 12 over the calendar months from the go-live month (counted whole) to
    ``as_of``'s period."""
    option = programme.option(actual.option)
    planned = programme.service(option.service).annual_cost - option.annual_cost
    assert actual.live is not None
    months = months_between(actual.live, cut_off(programme, as_of))
    if not actual.savings or months == 0:
        return planned, False
    return sum(actual.savings.values()) * 12 / months, True


def as_of_programme(programme: Programme, as_of: date) -> Programme:
    """The programme re-based at ``as_of`` with its actuals as facts (see the module)."""
    horizon = programme.horizon
    first = horizon.period_of(as_of)
    if not 0 <= first < horizon.periods:
        raise InputError.one(
            f"as of {as_of} is outside the programme's horizon ({horizon.start} to {horizon.end})"
        )
    data = programme.model_dump(mode="python", exclude_defaults=True)
    data.update(actuals=(), as_of=None, savings_target=None)
    data["horizon"] = {
        **data["horizon"],
        "start": horizon.period_start(first),
        "periods": horizon.periods - first,
    }
    live = {programme.option(a.option).service: a for a in programme.actuals if a.is_live}
    going = {programme.option(a.option).service: a for a in programme.actuals if not a.is_live}
    services, options = [], []
    for service in data["services"]:
        if service["id"] in live:
            service = _live_service(programme, service, live[service["id"]], as_of)
        elif service["id"] in going:
            service = {**service, "allow_status_quo": False}
        services.append(service)
    for option in data["options"]:
        actual = live.get(option["service"]) or going.get(option["service"])
        if actual is None:
            options.append(option)
        elif option["id"] == actual.option and not actual.is_live:
            options.append(_in_progress(programme, actual, as_of))
        elif _after(programme, option["id"], actual.option):
            options.append(_later_stage(programme, option, actual))
    data.update(services=services, options=options)
    begun = set(live) | set(going)
    data["dependencies"] = [
        d for d in data.get("dependencies", ()) if d["after"] not in begun and d["before"] not in live
    ]
    _past_windows(programme, data, first)
    _spent_this_year(programme, data, as_of)
    _past_funding(programme, data, first)
    return Programme.model_validate(data)


def _after(programme: Programme, option_id: str, begun: str) -> bool:
    """Whether ``option_id`` is a later stage of a path whose first stages include ``begun``."""
    return begun in {stage.option.id for stage in programme.stages(option_id)[:-1]}


def _later_stage(programme: Programme, option: dict[str, Any], actual: Actual) -> dict[str, Any]:
    """A later stage of a change already begun stays open to the re-plan: after a live stage it is
    a change of its own (from the live stage's go-live plus the gap, the path's wait); after a
    stage in progress it still follows it."""
    if not actual.is_live or option.get("follows") != actual.option:
        return option
    assert actual.live is not None
    horizon = programme.horizon
    gap = int(option.get("stage_gap", 0))
    ready = add_months(horizon.period_start(horizon.period_of(actual.live)), gap * horizon.months_per_period)
    out = {k: v for k, v in option.items() if k not in ("follows", "stage_gap")}
    earliest = option.get("earliest_start")
    out["earliest_start"] = max(ready, earliest) if earliest else ready
    return out


def _past_funding(programme: Programme, data: dict[str, Any], first: int) -> None:
    """Funding of financial years now past is history, not part of the re-plan: its amounts go (a
    source with none left goes too); this year's stays, and still raises this year's budget."""
    years = _years_from(programme, first)
    kept = []
    for source in data.get("funding", ()):
        amounts = {year: value for year, value in source.get("amounts", {}).items() if year in years}
        if amounts:
            kept.append({**source, "amounts": amounts})
    if "funding" in data:
        data["funding"] = kept


def _live_service(
    programme: Programme, service: dict[str, Any], actual: Actual, as_of: date
) -> dict[str, Any]:
    """The service as the live option runs it, at today's cost."""
    option = programme.option(actual.option)
    rate, _ = achieved_rate(programme, actual, as_of)
    out = {**service, "annual_cost": max(0.0, programme.service(option.service).annual_cost - rate)}
    out.pop("current_provider", None)
    out.pop("allow_status_quo", None)  # it has nothing left to change to: it stays as it now is
    if option.provider != service["owner"]:
        out["current_provider"] = option.provider
    secret = "annual_cost" in option.exempt or "savings" in actual.exempt
    if secret and "annual_cost" not in out.get("exempt", ()):
        out["exempt"] = (*out.get("exempt", ()), "annual_cost")
    return out


def remaining_periods(programme: Programme, actual: Actual, as_of: date) -> int:
    """Periods an in-progress change still needs from ``as_of``'s period: to its planned end
    (started period + duration), at least one."""
    horizon = programme.horizon
    option = programme.option(actual.option)
    return max(1, horizon.period_of(actual.started) + option.duration - horizon.period_of(as_of))


def _in_progress(programme: Programme, actual: Actual, as_of: date) -> dict[str, Any]:
    """The option of a change under way: the rest of its duration, cost and demand, pinned."""
    option: DeliveryOption = programme.option(actual.option)
    left = min(option.duration, remaining_periods(programme, actual, as_of))
    spent = sum(actual.one_off_cost.values())
    one_off = max(0.0, option.one_off_cost - spent)
    stranded = max(0.0, option.stranded_cost - max(0.0, spent - option.one_off_cost))
    demand = {
        pool: (value[-left:] if isinstance(value, tuple) else value) for pool, value in option.demand.items()
    }
    data = option.model_dump(mode="python", exclude_defaults=True)
    start = cut_off(programme, as_of)
    last = add_months(start, left * programme.horizon.months_per_period)
    data.update(
        duration=left,
        one_off_cost=one_off,
        stranded_cost=stranded,
        demand=demand,
        earliest_start=start,
        latest_finish=date.fromordinal(last.toordinal() - 1),
        ranges={k: v for k, v in option.ranges.items() if k == "annual_cost"},
    )
    if "one_off_cost" in actual.exempt:  # what is left to spend gives away what was spent
        data["exempt"] = tuple(dict.fromkeys((*option.exempt, "one_off_cost", "stranded_cost")))
    return data


def _years_from(programme: Programme, first: int) -> set[str]:
    """The financial years from the one containing period ``first`` to the horizon's end."""
    years = programme.horizon.financial_years()
    return set(years[years.index(programme.horizon.financial_year_of(first)) :])


def _past_windows(programme: Programme, data: dict[str, Any], first: int) -> None:
    """Drop capacity and budget overrides of periods and financial years now past."""
    horizon = programme.horizon
    years = _years_from(programme, first)

    def current(key: str) -> bool:
        index = horizon.index_of_key(key)
        return index >= first if index is not None else key in years

    for pool in data.get("resources", ()):
        if "overrides" in pool:
            pool["overrides"] = {k: v for k, v in pool["overrides"].items() if current(k)}
    if data.get("budget") and "overrides" in data["budget"]:
        data["budget"]["overrides"] = {k: v for k, v in data["budget"]["overrides"].items() if current(k)}


def _spent_this_year(programme: Programme, data: dict[str, Any], as_of: date) -> None:
    """One-off money already spent in ``as_of``'s financial year comes off that year's budget."""
    budget = data.get("budget")
    if not budget:
        return
    year = financial_year(cut_off(programme, as_of))
    spent = sum(a.one_off_cost.get(year, 0.0) for a in programme.actuals)
    if spent:
        overrides = budget.setdefault("overrides", {})
        limit = overrides.get(year, budget["per_financial_year"])
        overrides[year] = max(0.0, limit - spent)
