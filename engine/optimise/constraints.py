"""One function per constraint family; each docstring gives its formula.

x[o,t] = 1 when option o starts in period t; d_o its duration; S(s) the options of service s.
"""

from __future__ import annotations

import pulp

from engine.optimise.model import Model


def one_option_per_service(model: Model) -> None:
    """Σ_{o∈S(s)} Σ_t x[o,t] ≤ 1, and = 1 for a forced service."""
    for service in model.instance.jobs:
        chosen = pulp.lpSum(var for _, _, var in model.starts_of(service))
        if service in model.instance.forced:
            model.add(chosen == 1, f"one[{service}]", f"`{service}` must change")
        else:
            model.add(chosen <= 1, f"one[{service}]", f"`{service}` takes at most one option")


def precedence(model: Model) -> None:
    """Disaggregated finish-to-start: for every period τ,
    Σ_{o∈S(b)} Σ_{t≤τ} x[o,t] ≤ Σ_{o∈S(a)} Σ_{t≤τ-d_o-lag} x[o,t] (+ 1 - Σ_{S(a)} x when 'ignore').

    "b has started by τ" needs "a has finished lag periods before τ"; under 'block' a deferred a
    also keeps b from starting at all.  This form is tighter than comparing start times.
    """
    instance = model.instance
    horizon = instance.programme.horizon
    for before, after, lag in instance.dependencies:
        if after not in instance.jobs:
            continue
        b_starts = model.starts_of(after)
        a_starts = model.starts_of(before) if before in instance.jobs else []
        a_any = pulp.lpSum(var for _, _, var in a_starts)
        last = max(t for _, t, _ in b_starts)
        for tau in range(min(t for _, t, _ in b_starts), last + 1):
            started_b = pulp.lpSum(var for _, t, var in b_starts if t <= tau)
            done_a = pulp.lpSum(var for job, t, var in a_starts if t + job.duration + lag <= tau)
            rhs = done_a if instance.block else done_a + 1 - a_any
            model.add(
                started_b <= rhs,
                f"prec[{before}->{after}][{horizon.key(tau)}]",
                f"`{after}` may start only {lag} period(s) after `{before}` finishes",
            )


def pool_capacity(model: Model) -> None:
    """For each pool and window W (a period, a financial year or the horizon):
    Σ_{t∈W} Σ_o Σ_{t'} demand_o[t - t'] x[o,t'] ≤ capacity(W)."""
    instance = model.instance
    for pool, windows in instance.windows.items():
        name = instance.programme.resource(pool).name
        users = [job for job in instance.all_jobs() if pool in job.option.demand]
        for window in windows:
            terms = []
            for job in users:
                profile = job.demand(pool)
                for period in window.periods:
                    terms += [(var, profile[k]) for k, var in model.running(job, period) if profile[k]]
            if terms:
                model.add(
                    pulp.lpSum(c * v for v, c in terms) <= window.limit,
                    f"cap[{pool}][{window.label}]",
                    f"{name} in {window.label} ({window.limit:g} available)",
                )


def annual_budget(model: Model) -> None:
    """For each financial year Y: Σ_o Σ_{t∈Y} (one_off_o / d_o) · [o runs in t] ≤ budget(Y)."""
    instance = model.instance
    for window in instance.budget:
        terms = []
        for job in instance.all_jobs():
            per_period = job.option.one_off_cost / job.duration
            if per_period:
                for period in window.periods:
                    terms += [(var, per_period) for _, var in model.running(job, period)]
        if terms:
            model.add(
                pulp.lpSum(c * v for v, c in terms) <= window.limit,
                f"budget[{window.label}]",
                f"the one-off budget for {window.label} (£{window.limit:,.0f})",
            )


def concurrent_transitions(model: Model) -> None:
    """For each period t: Σ_o [o runs in t] ≤ the cap on concurrent transitions."""
    instance = model.instance
    if instance.max_concurrent is None:
        return
    horizon = instance.programme.horizon
    for period in range(instance.periods):
        running = [var for job in instance.all_jobs() for _, var in model.running(job, period)]
        if len(running) > instance.max_concurrent:
            model.add(
                pulp.lpSum(running) <= instance.max_concurrent,
                f"concurrent[{horizon.key(period)}]",
                f"at most {instance.max_concurrent} transitions at once in {horizon.label(period)}",
            )


def makespan_link(model: Model) -> None:
    """C ≥ Σ_{o∈S(s)} Σ_t (t + d_o) x[o,t] for every service s without a successor in the plan."""
    assert model.makespan is not None
    instance = model.instance
    has_successor = {before for before, after, _ in instance.dependencies if after in instance.forced}
    for service in instance.jobs:
        if service in has_successor and service in instance.forced:
            continue  # its successor finishes later
        finish = pulp.lpSum((t + job.duration) * var for job, t, var in model.starts_of(service))
        model.add(model.makespan >= finish, f"makespan[{service}]", f"the programme ends after `{service}`")


ALL = (one_option_per_service, precedence, pool_capacity, annual_budget, concurrent_transitions)
