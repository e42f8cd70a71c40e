"""Benefits realisation: what has happened against the plan and the target, and the re-plan.

``progress(programme, rules, as_of, against)`` compares the programme's actuals with a plan —
``against`` (a saved ``ssplan plan --format json``), else the programme planned from its start as
``ssplan plan`` plans it by default — change by change and financial year by financial year, to
the start of the period containing ``as_of`` (planned figures: one-off costs spread evenly over
the implementation months, savings a twelfth of the planned annual saving a month from go-live;
no optimism bias, as actuals have none).  It then re-plans what is not yet done from that period
with the actuals as facts (:func:`engine.appraisal.as_of.as_of_programme`), and states the
savings against ``savings_target``: achieved a year (the live changes' measured rates), forecast a
year once the re-plan's changes in place by the target date are done, and the target.

The public view (``include_exempt`` False) withholds an actual's exempt fields, the planned money
of an option whose figures are secret, and every total made from either.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from engine.appraisal.as_of import achieved_rate, as_of_programme, cut_off
from engine.appraisal.public import public_plan
from engine.base.errors import InputError, source_of
from engine.base.limits import MAX_FILE_BYTES, read_input
from engine.io.records import programme_data, validate_programme
from engine.optimise.solve import solve
from engine.plan.result import Assignment, Plan, PlanResult
from engine.plan.settings import PlanSettings
from engine.programme.calendar import add_months, day_text, financial_year
from engine.programme.exempt import secret_options
from engine.programme.model import Actual, Programme
from engine.rules.ruleset import RuleSet
from engine.scoring.scores import score

ByYear = dict[str, float]


@dataclass(frozen=True)
class ChangeProgress:
    """One service's change: planned against actual (None: a figure the public view withholds)."""

    service: str
    option: str  # the option taken, else the one planned
    planned_option: str | None  # None: the plan keeps the service as it is
    planned_start: date | None
    planned_live: date | None
    state: str  # "live", "in progress" or "not started"
    started: date | None
    live: date | None
    late: bool  # not started, or not live, by the planned date
    one_off_planned: ByYear | None
    one_off_actual: ByYear | None
    savings_planned: ByYear | None
    savings_actual: ByYear | None
    rate: float | None = None  # a live change's saving a year (measured, or planned if none recorded)
    measured: bool = False


@dataclass(frozen=True)
class TargetView:
    """Savings a year: the target, achieved so far and forecast (None: withheld or no target)."""

    target: float | None
    target_share: float | None
    achieved: float | None
    achieved_share: float | None
    forecast: float | None
    forecast_share: float | None
    late: list[str]  # services whose change is in place only after the target date
    withheld: str | None = None


@dataclass
class Progress:
    programme: Programme
    as_of: date
    against: str  # which plan the actuals are compared with, in words
    plan: Plan | None
    changes: list[ChangeProgress]
    target: TargetView | None
    replan: PlanResult | None  # None: the horizon has ended
    rebased: Programme | None
    notes: list[str] = field(default_factory=list)


def progress(
    programme: Programme,
    rules: RuleSet,
    as_of: date,
    against: Plan | None = None,
    settings: PlanSettings | None = None,
    include_exempt: bool = False,
    against_name: str | None = None,
) -> Progress:
    """Actuals against the plan and the target, and the re-plan from ``as_of`` (see the module)."""
    if as_of < programme.horizon.start:
        raise InputError.one(f"as of {as_of} is before the programme starts ({programme.horizon.start})")
    if programme.as_of != as_of:  # the actuals are checked against it, each problem located
        source = source_of(programme) or "<programme>"
        data = {**programme_data(programme), "as_of": as_of}
        programme = validate_programme(data, source, lambda loc: {"file": source})
    settings = settings or PlanSettings()
    plan, words = against, f"the plan in {against_name or 'the file given'}"
    if plan is None:
        result = solve(programme, settings, score(programme, rules))
        plan = result.plan
        words = f"the programme planned from its start ({settings.objective} objective, {result.status_text})"
    secret = set() if include_exempt else secret_options(programme)
    changes = _changes(programme, plan, as_of, secret, include_exempt)
    replan, rebased, notes = _replan(programme, rules, as_of, settings, include_exempt)
    target = _target(programme, changes, replan, rebased, include_exempt)
    return Progress(programme, as_of, words, plan, changes, target, replan, rebased, notes)


def _changes(
    programme: Programme, plan: Plan | None, as_of: date, secret: set[str], include_exempt: bool
) -> list[ChangeProgress]:
    planned = plan.by_service() if plan is not None else {}
    actual = {programme.option(a.option).service: a for a in programme.actuals}
    cut = cut_off(programme, as_of)
    out = []
    for service in programme.services:
        a, done = planned.get(service.id), actual.get(service.id)
        if a is None and done is None:
            continue
        out.append(_change(programme, service.id, a, done, cut, as_of, secret, include_exempt))
    return out


def _change(
    programme: Programme,
    service: str,
    a: Assignment | None,
    done: Actual | None,
    cut: date,
    as_of: date,
    secret: set[str],
    include_exempt: bool,
) -> ChangeProgress:
    horizon = programme.horizon
    start = horizon.period_start(a.start) if a else None
    live = horizon.period_start(a.end) if a else None
    one_off, savings = _planned(programme, a, cut) if a else ({}, {})
    hidden = a is not None and a.option in secret
    state = "not started" if done is None else ("live" if done.is_live else "in progress")
    if done is None:
        late = start is not None and start < cut
    else:
        late = live is not None and (done.live or cut) > live
    shown = (lambda name: include_exempt or name not in done.exempt) if done else (lambda name: True)
    rate, measured = achieved_rate(programme, done, as_of) if done and done.is_live else (None, False)
    rate_secret = done is not None and (
        not shown("savings")
        or (not measured and done.option in secret)
        or _cost_secret(programme, service, include_exempt)
    )
    return ChangeProgress(
        service=service,
        option=done.option if done else (a.option if a else ""),
        planned_option=a.option if a else None,
        planned_start=start,
        planned_live=live,
        state=state,
        started=done.started if done and shown("started") else None,
        live=done.live if done and shown("live") else None,
        late=late,
        one_off_planned=None if hidden else one_off,
        one_off_actual=(dict(done.one_off_cost) if shown("one_off_cost") else None) if done else {},
        savings_planned=None if hidden else savings,
        savings_actual=(dict(done.savings) if shown("savings") else None) if done else {},
        rate=None if rate_secret else rate,
        measured=measured,
    )


def _cost_secret(programme: Programme, service: str, include_exempt: bool) -> bool:
    return not include_exempt and "annual_cost" in programme.service(service).exempt


def _planned(programme: Programme, a: Assignment, cut: date) -> tuple[ByYear, ByYear]:
    """The plan's one-off spend and savings by financial year, before ``cut`` (see the module)."""
    horizon, option = programme.horizon, programme.option(a.option)
    months = a.duration * horizon.months_per_period
    spend: ByYear = {}
    first = horizon.period_start(a.start)
    for k in range(months):
        month = add_months(first, k)
        if month < cut and option.one_off_spend:
            year = financial_year(month)
            spend[year] = spend.get(year, 0.0) + option.one_off_spend / months
    saving = programme.service(a.service).annual_cost - option.annual_cost
    savings: ByYear = {}
    month = horizon.period_start(a.end)
    while month < cut:
        year = financial_year(month)
        savings[year] = savings.get(year, 0.0) + saving / 12
        month = add_months(month, 1)
    return spend, savings


def _replan(
    programme: Programme, rules: RuleSet, as_of: date, settings: PlanSettings, include_exempt: bool
) -> tuple[PlanResult | None, Programme | None, list[str]]:
    """What is not yet done, planned from ``as_of``'s period with the actuals as facts."""
    horizon = programme.horizon
    if horizon.period_of(as_of) >= horizon.periods:
        return (
            None,
            None,
            [f"the programme's horizon ended on {day_text(horizon.end)}: nothing is left to plan"],
        )
    rebased = as_of_programme(programme, as_of)
    going = {programme.option(a.option).service: a.option for a in programme.actuals if not a.is_live}
    fixed = settings.model_copy(
        update={
            "fix_option": {**settings.fix_option, **going},
            "force_out": tuple(s for s in settings.force_out if s not in going),
            "horizon": None,
        }
    )
    table = score(rebased, rules)
    result = public_plan(solve(rebased, fixed, table, reasons=True), include_exempt, table)
    if not include_exempt and any("one_off_cost" in a.exempt for a in programme.actuals):
        result = _without_budget_figures(result)
    notes = [
        f"{programme.service(s).name} is under way: it keeps {o} and finishes when expected"
        for s, o in going.items()
    ]
    return result, rebased, notes


def _without_budget_figures(result: PlanResult) -> PlanResult:
    """The re-plan's advice and reasons without money: this year's budget is less what was spent,
    so a figure of it would give an exempt spend away."""

    def scrub(text: str) -> str:
        return re.sub(r"£[\d,]+(?:\.\d+)?", "£[exempt]", text)

    return replace(
        result,
        advice=[scrub(line) for line in result.advice],
        left_out={service: scrub(why) for service, why in result.left_out.items()},
    )


def _target(
    programme: Programme,
    changes: list[ChangeProgress],
    replan: PlanResult | None,
    rebased: Programme | None,
    include_exempt: bool,
) -> TargetView | None:
    """Savings a year against the target; the forecast adds the re-plan's changes in place by the
    target's date to what the live changes achieve."""
    goal = programme.savings_target
    if goal is None:
        return None
    scope = [s for s in programme.services if s.in_scope]
    baseline = sum(s.annual_cost for s in scope)
    live = [c for c in changes if c.state == "live"]
    achieved: float | None = None if any(c.rate is None for c in live) else sum(c.rate or 0.0 for c in live)
    forecast, late, reasons = achieved, [], []
    if achieved is None:
        reasons.append("the savings achieved include exempt figures")
    plan = replan.plan if replan is not None else None
    if plan is not None and rebased is not None:
        hidden = set() if include_exempt else secret_options(rebased)
        added = 0.0
        for a in plan.assignments:
            if goal.by is not None and rebased.horizon.period_start(a.end) > goal.by:
                late.append(a.service)
                continue
            if a.option in hidden:
                forecast = None
                reasons.append(f"the forecast includes exempt figures of {a.option}")
            added += rebased.service(a.service).annual_cost - rebased.option(a.option).annual_cost
        forecast = None if forecast is None else forecast + added
    target = goal.amount if goal.amount is not None else (goal.share or 0.0) * baseline
    share = goal.share if goal.share is not None else (target / baseline if baseline else None)
    secret_scope = not include_exempt and any("annual_cost" in s.exempt for s in scope)

    def of_scope(value: float | None) -> float | None:
        return None if value is None or secret_scope or not baseline else value / baseline

    if secret_scope:
        reasons.append("the in-scope cost includes an exempt current cost")
    return TargetView(
        target=None if secret_scope and goal.amount is None else target,
        target_share=None if secret_scope and goal.share is None else share,
        achieved=achieved,
        achieved_share=of_scope(achieved),
        forecast=forecast,
        forecast_share=of_scope(forecast),
        late=late,
        withheld="; ".join(dict.fromkeys(reasons)) or None,
    )


def read_against(path: Path, programme: Programme) -> Plan:
    """A plan saved by ``ssplan plan --format json``, checked against ``programme`` (located errors)."""
    if not path.exists():
        raise InputError.one("no such plan file", file=str(path))
    try:
        data = json.loads(read_input(path, MAX_FILE_BYTES, "plan file"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError.one(f"not a plan saved as JSON ({exc})", file=str(path)) from None
    rows = data.get("schedule") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise InputError.one(
            "expected the output of `ssplan plan --format json` (no `schedule`)", file=str(path)
        )
    problems, assignments = [], []
    for i, row in enumerate(rows):
        at = f"schedule[{i + 1}]"
        try:
            option = programme.option(str(row["option"]))
            start, finish = int(row["start"]), int(row["finish"])
            if option.service != row["service"] or finish < start:
                raise ValueError(
                    f"option `{option.id}` is not an option of `{row['service']}` starting before it finishes"
                )
            assignments.append(
                Assignment(
                    service=option.service,
                    option=option.id,
                    provider=option.provider,
                    start=start,
                    duration=finish - start + 1,
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(
                InputError.one(f"not a change of this programme ({exc})", file=str(path), field=at).problems[
                    0
                ]
            )
    if problems:
        raise InputError(problems)
    return Plan(programme=programme.id, periods=programme.horizon.periods, assignments=tuple(assignments))
