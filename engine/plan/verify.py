"""Plans and their independent check: which option each service takes, and when.

Nothing here knows about solvers.  ``verify`` re-checks a plan from the programme alone (one
option per service, durations, precedences of every kind with lags, partners' membership, every
capacity and budget in every window, the horizon, deadlines and the what-if choices), so a plan
is shown or saved only after a check that shares no code with the model that produced it.
"""

from __future__ import annotations

from engine.plan.result import Assignment, Plan, partner_benefits, spend, usage
from engine.plan.settings import PlanSettings
from engine.plan.windows import budget_windows, capacity_windows
from engine.programme.model import DeliveryOption, Programme

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
    the problems are reported: each assignment in turn (its option, its dates, its provider's and
    owner's membership, the what-if's choices), then forced changes, precedence, pool capacity,
    budget, consensus and concurrency.
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
        problems += _membership(a, option, programme)
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
    """start + d ≤ the horizon; for each stage k (the option alone unless it is a staged path,
    stage k running from start + o_k for d_k periods): start + o_k ≥ its earliest start and
    start + o_k + d_k − 1 ≤ its deadline."""
    problems = []
    if a.end > periods:
        problems.append(f"`{a.option}` ends after the horizon (period {a.finish} ≥ {periods})")
    for stage, first, last in _stage_periods(a, option, programme):
        if stage.earliest_start and first < programme.horizon.period_of(stage.earliest_start):
            problems.append(f"`{stage.id}` starts before its earliest start {stage.earliest_start}")
        if stage.latest_finish and last > programme.horizon.period_of(stage.latest_finish):
            problems.append(f"`{stage.id}` finishes after its deadline {stage.latest_finish}")
    return problems


def _stage_periods(
    a: Assignment, option: DeliveryOption, programme: Programme
) -> list[tuple[DeliveryOption, int, int]]:
    """Each stage as written with its first and last period in the plan (the option alone, with
    the assignment's own periods, unless it is a staged path)."""
    if option.follows is None:
        return [(option, a.start, a.finish)]
    return [
        (s.option, a.start + s.offset, a.start + s.offset + s.option.duration - 1)
        for s in programme.stages(option.id)
    ]


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
    """By kind: start(after) ≥ end(before) + lag (finish-to-start), start(after) ≥ start(before)
    + lag (start-to-start), end(after) = end(before) (go-live-together).  A change whose 'before'
    stays as it is breaks the rule only when deferred dependencies block; a go-live-together pair
    then changes both or neither."""
    problems = []
    block = programme.settings.deferred_dependency == "block"
    for dep in programme.dependencies:
        before, after = seen.get(dep.before), seen.get(dep.after)
        if dep.kind == "go_live_together":
            problems += _go_live_together(dep.before, dep.after, before, after, block)
            continue
        if after is None:
            continue
        if before is None:
            if block:
                problems.append(f"`{dep.after}` changes but `{dep.before}`, which must come first, does not")
            continue
        if dep.kind == "start_to_start" and after.start < before.start + dep.lag:
            problems.append(
                f"`{dep.after}` starts in period {after.start} but `{dep.before}` starts in period "
                f"{before.start} and needs a lag of {dep.lag}"
            )
        if dep.kind == "finish_to_start" and after.start < before.end + dep.lag:
            problems.append(
                f"`{dep.after}` starts in period {after.start} but `{dep.before}` ends in period "
                f"{before.finish} and needs a lag of {dep.lag}"
            )
    return problems


def _go_live_together(
    first: str, second: str, a: Assignment | None, b: Assignment | None, block: bool
) -> list[str]:
    """end(a) = end(b) when both change; under 'block' both change or neither."""
    if a is not None and b is not None and a.end != b.end:
        return [
            f"`{first}` and `{second}` must go live together but finish in periods {a.finish} and {b.finish}"
        ]
    if block and (a is None) != (b is None):
        changes, stays = (first, second) if a is not None else (second, first)
        return [f"`{changes}` changes but `{stays}`, which must go live with it, does not"]
    return []


def _membership(a: Assignment, option: DeliveryOption, programme: Programme) -> list[str]:
    """A change runs while its provider and its service's owner are both members: start ≥ the
    period containing each one's ``joins``; start + d ≤ the period containing each one's ``leaves``
    (a staged path: each stage with its own provider over its own periods)."""
    problems = []
    horizon = programme.horizon
    owner = next(s.owner for s in programme.services if s.id == a.service)
    for stage, first, last in _stage_periods(a, option, programme):
        for role, partner_id in (("provider", stage.provider), ("owner", owner)):
            partner = next(p for p in programme.partners if p.id == partner_id)
            if partner.joins is not None and first < horizon.period_of(partner.joins):
                problems.append(
                    f"`{stage.id}` starts in period {first}, before its {role} `{partner_id}` joins "
                    f"({partner.joins})"
                )
            if partner.leaves is not None and last + 1 > horizon.period_of(partner.leaves):
                problems.append(
                    f"`{stage.id}` ends in period {last}, but its {role} `{partner_id}` leaves "
                    f"({partner.leaves}) before it is complete"
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
        for partner, benefit in partner_benefits(plan, programme, settings.appraisal, funding=False).items()
        if benefit < -TOLERANCE * max(1.0, abs(benefit))
    ]


def _concurrent_transitions(plan: Plan, programme: Programme, settings: PlanSettings) -> list[str]:
    """For each period t: Σ_o [a stage of o runs in t] ≤ the cap (the what-if's, else the
    programme's); a staged path is not in flight between its stages."""
    cap = settings.max_concurrent or programme.settings.max_concurrent_transitions
    if cap is None:
        return []
    problems = []
    busy = [
        {a.start + s.offset + k for s in programme.stages(a.option) for k in range(s.option.duration)}
        if programme.option(a.option).follows
        else set(range(a.start, a.end))
        for a in plan.assignments
    ]
    for t in range(plan.periods):
        running = sum(1 for periods in busy if t in periods)
        if running > cap:
            problems.append(
                f"{running} transitions run in {programme.horizon.label(t)}; at most {cap} allowed"
            )
    return problems
