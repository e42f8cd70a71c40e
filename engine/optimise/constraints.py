"""One function per constraint family; each docstring gives its formula.

x[o,t] = 1 when option o starts in period t; d_o its duration; S(s) the options of service s.
"""

from __future__ import annotations

import networkx as nx
import pulp

from engine.optimise.instance import Job
from engine.optimise.model import Model
from engine.optimise.partners import partner_money
from engine.plan.windows import Window
from engine.programme.partners import consenting_partners


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
            terms = capacity_terms(model, pool, window, users)
            if terms:
                model.add(
                    pulp.lpSum(c * v for v, c in terms) <= window.limit,
                    f"cap[{pool}][{window.label}]",
                    f"{name} in {window.label} ({window.limit:g} available)",
                )


def consensus_no_worse_off(model: Model) -> None:
    """For each consenting partner p: p's NPV from the plan ≥ 0 (no one worse off), the money of
    :func:`engine.optimise.partners.partner_money`."""
    instance = model.instance
    if not instance.settings.consensus:
        return
    for partner in consenting_partners(instance.programme):
        money = partner_money(model, partner)
        if money.keys():
            name = instance.programme.partner(partner).name
            model.add(
                money >= 0,
                f"consensus[{partner}]",
                f"{name} must be no worse off than the status quo",
            )


Terms = list[tuple[pulp.LpVariable, float]]


def capacity_terms(model: Model, pool: str, window: Window, users: list[Job]) -> Terms:
    """(variable, units) for every start that puts demand on ``pool`` inside ``window``."""
    terms: Terms = []
    for job in users:
        profile = job.demand(pool)
        for period in window.periods:
            terms += [(var, profile[k]) for k, var in model.running(job, period) if profile[k]]
    return terms


def budget_terms(model: Model, window: Window) -> Terms:
    """(variable, £) for every start that spends one-off money inside ``window``."""
    terms: Terms = []
    for job in model.instance.all_jobs():
        per_period = job.option.one_off_cost / job.duration
        if per_period:
            for period in window.periods:
                terms += [(var, per_period) for _, var in model.running(job, period)]
    return terms


def annual_budget(model: Model) -> None:
    """For each financial year Y: Σ_o Σ_{t∈Y} (one_off_o / d_o) · [o runs in t] ≤ budget(Y)."""
    instance = model.instance
    for window in instance.budget:
        terms = budget_terms(model, window)
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


def incompatible_cliques(model: Model) -> None:
    """For each clique C of services that can never run at the same time and each period t:
    Σ_{s∈C} Σ_{o∈S(s)} [o runs in t] ≤ 1.

    Two services are incompatible when one must come before the other (directly or through a
    chain) or when their demands on some pool together exceed its largest capacity.  The
    resource rows alone allow fractional overlaps that these rows forbid, which tightens the
    LP bound markedly on scheduling-heavy problems.
    """
    instance = model.instance
    services = list(instance.jobs)
    if len(services) < 2:
        return
    graph = nx.DiGraph()
    graph.add_nodes_from(services)
    graph.add_edges_from(
        (b, a) for b, a, _ in instance.dependencies if b in instance.jobs and a in instance.jobs
    )
    closure = nx.transitive_closure_dag(graph)
    peak = {
        pool: max((w.limit for w in windows), default=0.0)
        for pool, windows in instance.windows.items()
        if instance.programme.resource(pool).per == "period"
    }
    least = {
        s: {pool: min(min(job.demand(pool)) for job in instance.jobs[s]) for pool in peak} for s in services
    }
    clash = nx.Graph()
    clash.add_nodes_from(services)
    for i, a in enumerate(services):
        for b in services[i + 1 :]:
            if (
                closure.has_edge(a, b)
                or closure.has_edge(b, a)
                or any(least[a][pool] + least[b][pool] > peak[pool] + 1e-9 for pool in peak)
            ):
                clash.add_edge(a, b)
    horizon = instance.programme.horizon
    for number, clique in enumerate(_clique_cover(clash)):
        for period in range(instance.periods):
            running = [
                var for s in clique for job in instance.jobs[s] for _, var in model.running(job, period)
            ]
            if len(running) > 1:
                model.add(
                    pulp.lpSum(running) <= 1,
                    f"apart[{number}][{horizon.key(period)}]",
                    f"{', '.join(sorted(clique))} cannot run at the same time",
                )


def _clique_cover(graph: nx.Graph) -> list[frozenset[str]]:
    """Greedy maximal cliques covering every edge once at least (few rows, deterministic)."""
    order = sorted(graph.nodes, key=lambda n: (-graph.degree(n), n))
    rank = {n: i for i, n in enumerate(order)}
    cliques: list[frozenset[str]] = []
    covered: set[frozenset[str]] = set()
    for a, b in sorted(graph.edges, key=lambda e: (rank[e[0]] + rank[e[1]], sorted(e))):
        if frozenset((a, b)) in covered:
            continue
        clique = {a, b}
        for n in sorted(set(graph[a]) & set(graph[b]), key=rank.__getitem__):
            if all(graph.has_edge(n, m) for m in clique):
                clique.add(n)
        members = sorted(clique)
        covered.update(frozenset((x, y)) for i, x in enumerate(members) for y in members[i + 1 :])
        cliques.append(frozenset(clique))
    return cliques


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


ALL = (
    consensus_no_worse_off,
    one_option_per_service,
    precedence,
    pool_capacity,
    annual_budget,
    concurrent_transitions,
    incompatible_cliques,
)
