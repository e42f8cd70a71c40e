"""One function per constraint family; each docstring gives its formula.

x[o,t] = 1 when option o starts in period t; d_o its duration; S(s) the options of service s.
"""

from __future__ import annotations

import networkx as nx
import pulp

from engine.optimise import steps
from engine.optimise.instance import FINISH_TO_START, GO_LIVE_TOGETHER, Dep, Job
from engine.optimise.model import Model
from engine.optimise.partners import partner_money
from engine.plan.windows import Window
from engine.programme.partners import consenting_partners


def one_option_per_service(model: Model) -> None:
    """Σ_{o∈S(s)} Σ_t x[o,t] ≤ 1, and = 1 for a forced service."""
    for service in model.instance.jobs:
        chosen = [(var, 1) for _, _, var in model.starts_of(service)]
        if service in model.instance.forced:
            model.row(chosen, "==", 1, f"one[{service}]", f"`{service}` must change")
        else:
            model.row(chosen, "<=", 1, f"one[{service}]", f"`{service}` takes at most one option")


def precedence(model: Model) -> None:
    """One family per dependency kind, in disaggregated form (tighter than comparing start times).

    With any(s) = Σ_{o∈S(s)} Σ_t x[o,t] and, for a = before, b = after and every period τ:

    - finish-to-start: Σ_{o∈S(b)} Σ_{t≤τ} x[o,t] ≤ Σ_{o∈S(a)} Σ_{t≤τ-d_o-lag} x[o,t]
      (+ 1 − any(a) under 'ignore'): "b has started by τ" needs "a finished lag periods before";
    - start-to-start: the same with the right side Σ_{o∈S(a)} Σ_{t≤τ-lag} x[o,t];
    - go-live-together, with F(s,τ) = Σ_{o∈S(s)} Σ_{t≤τ-d_o} x[o,t] ("s has finished by τ"):
      under 'block' F(a,τ) = F(b,τ) for every τ up to the horizon (the same end, and at τ = the
      horizon any(a) = any(b): both change or neither); under 'ignore'
      F(a,τ) ≤ F(b,τ) + 1 − any(b) and F(b,τ) ≤ F(a,τ) + 1 − any(a) (the same end if both change).

    Under 'block' a deferred a also keeps b from starting at all (the first two kinds).  A large
    model writes the first two kinds as running sums, the same rows in linear size
    (:mod:`engine.optimise.steps`).
    """
    instance = model.instance
    starts_after = steps.starts_after if steps.worth_it(model) else _starts_after
    for dep in instance.dependencies:
        if dep.kind == GO_LIVE_TOGETHER:
            _go_live_together(model, dep)
        elif dep.after in instance.jobs:
            starts_after(model, dep)


def _starts_after(model: Model, dep: Dep) -> None:
    """Finish-to-start or start-to-start rows of ``dep`` (see :func:`precedence`)."""
    instance = model.instance
    horizon = instance.programme.horizon
    b_starts = model.starts_of(dep.after)
    a_starts = model.starts_of(dep.before) if dep.before in instance.jobs else []
    a_any = [] if instance.block else [(var, 1) for _, _, var in a_starts]  # the 1 − any(a) of 'ignore'
    finish = dep.kind == FINISH_TO_START
    words = "finishes" if finish else "starts"
    for tau in range(min(t for _, t, _ in b_starts), max(t for _, t, _ in b_starts) + 1):
        started_b = [(var, 1) for _, t, var in b_starts if t <= tau]
        done_a = [
            (var, -1) for job, t, var in a_starts if t + (job.duration if finish else 0) + dep.lag <= tau
        ]
        model.row(
            started_b + done_a + a_any,
            "<=",
            0 if instance.block else 1,
            f"prec[{dep.before}->{dep.after}][{horizon.key(tau)}]",
            f"`{dep.after}` may start only {dep.lag} period(s) after `{dep.before}` {words}",
        )


def _go_live_together(model: Model, dep: Dep) -> None:
    """Go-live-together rows of ``dep`` (see :func:`precedence`)."""
    instance = model.instance
    horizon = instance.programme.horizon
    starts = {s: model.starts_of(s) if s in instance.jobs else [] for s in (dep.before, dep.after)}
    if not starts[dep.before] and not starts[dep.after]:
        return
    any_of: dict[str, Terms] = {s: [(var, 1.0) for _, _, var in v] for s, v in starts.items()}
    ends = [t + job.duration for v in starts.values() for job, t, _ in v]
    why = f"`{dep.before}` and `{dep.after}` go live in the same period"
    for tau in range(min(ends), instance.periods + 1):
        done: dict[str, Terms] = {
            s: [(var, 1.0) for job, t, var in v if t + job.duration <= tau] for s, v in starts.items()
        }
        name = f"together[{dep.before}={dep.after}][{horizon.key(tau)}]"
        a, b = dep.before, dep.after
        if instance.block:
            model.row(done[a] + _minus(done[b]), "==", 0, name, why)
            continue
        model.row(done[a] + _minus(done[b]) + any_of[b], "<=", 1, name + "[a]", why)
        model.row(done[b] + _minus(done[a]) + any_of[a], "<=", 1, name + "[b]", why)


def _minus(terms: Terms) -> Terms:
    return [(var, -c) for var, c in terms]


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
                model.row(
                    terms,
                    "<=",
                    window.limit,
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


Terms = list[tuple[pulp.LpVariable, float]]  # (variable, coefficient) pairs of one row


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
        if job.option.one_off_spend:
            for period in window.periods:
                terms += [(var, job.spend_in(k)) for k, var in model.running(job, period) if job.spend_in(k)]
    return terms


def annual_budget(model: Model) -> None:
    """For each financial year Y: Σ_o Σ_{t∈Y} spend_o(t − start) · [o runs in t] ≤ budget(Y), with
    spend_o = one_off_o / d_o in each period (a staged path: each stage's over its own periods)."""
    instance = model.instance
    for window in instance.budget:
        terms = budget_terms(model, window)
        if terms:
            model.row(
                terms,
                "<=",
                window.limit,
                f"budget[{window.label}]",
                f"the one-off budget for {window.label} (£{window.limit:,.0f})",
            )


def concurrent_transitions(model: Model) -> None:
    """For each period t: Σ_o [a stage of o runs in t] ≤ the cap on concurrent transitions (a
    staged path is not in flight in the gaps between its stages)."""
    instance = model.instance
    if instance.max_concurrent is None:
        return
    horizon = instance.programme.horizon
    for period in range(instance.periods):
        running = [
            (var, 1) for job in instance.all_jobs() for k, var in model.running(job, period) if job.busy(k)
        ]
        if len(running) > instance.max_concurrent:
            model.row(
                running,
                "<=",
                instance.max_concurrent,
                f"concurrent[{horizon.key(period)}]",
                f"at most {instance.max_concurrent} transitions at once in {horizon.label(period)}",
            )


def incompatible_cliques(model: Model) -> None:
    """For each clique C of services that can never run at the same time and each period t:
    Σ_{s∈C} Σ_{o∈S(s)} [o runs in t] ≤ 1.

    Two services are incompatible when one must finish before the other starts (a
    finish-to-start dependency; under 'block' also through a chain of them, since each link then
    changes too; under 'ignore' a link that stays as it is releases the chain, so only direct
    ones count) or when their demands on some pool together exceed its largest capacity.  The
    resource rows alone allow fractional overlaps that these rows forbid, which tightens the
    LP bound markedly on scheduling-heavy problems.

    Only for the makespan objective.  For the planning objectives, where option choice and
    budgets decide, the rows slowed HiGHS (the 40-service what-if: 1.7 s of solver time on
    savings with them, 1.1 s without; bench/README.md).  They are valid inequalities, so leaving
    them out changes no optimum; and the dependency clashes add nothing to the LP anyway: for
    a → b the disaggregated precedence rows give running(b, τ) ≤ started(b, τ) ≤ finished(a, τ)
    = started(a, τ) − running(a, τ) ≤ 1 − running(a, τ).
    """
    instance = model.instance
    services = list(instance.jobs)
    if len(services) < 2 or instance.settings.objective != "makespan":
        return
    graph = nx.DiGraph()
    graph.add_nodes_from(services)
    graph.add_edges_from(
        (d.before, d.after)
        for d in instance.dependencies
        if d.kind == FINISH_TO_START and d.before in instance.jobs and d.after in instance.jobs
    )
    closure = nx.transitive_closure_dag(graph) if instance.block else graph
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
                (var, 1) for s in clique for job in instance.jobs[s] for _, var in model.running(job, period)
            ]
            if len(running) > 1:
                model.row(
                    running,
                    "<=",
                    1,
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
    """C ≥ Σ_{o∈S(s)} Σ_t (t + d_o) x[o,t] for every service s without a successor in the plan
    (a forced service that finishes before it starts, or goes live with it)."""
    assert model.makespan is not None
    instance = model.instance
    has_successor = {
        d.before
        for d in instance.dependencies
        if d.after in instance.forced and d.kind in (FINISH_TO_START, GO_LIVE_TOGETHER)
    }
    for service in instance.jobs:
        if service in has_successor and service in instance.forced:
            continue  # its successor finishes later
        finish = [(var, -(t + job.duration)) for job, t, var in model.starts_of(service)]
        words = f"the programme ends after `{service}`"
        model.row([(model.makespan, 1), *finish], ">=", 0, f"makespan[{service}]", words)


ALL = (
    consensus_no_worse_off,
    one_option_per_service,
    precedence,
    pool_capacity,
    annual_budget,
    concurrent_transitions,
    incompatible_cliques,
)
