"""Precedence rows of linear size for large models: running sums in place of repeated prefix sums.

The disaggregated precedence row of a → b at period τ (:func:`engine.optimise.constraints.precedence`)
holds every start of b up to τ and every start of a that ends by τ − lag, so a dependency costs
O(T²) nonzeros and on a 500-service programme those rows were two thirds of the model (330,000 of
515,000 nonzeros; HiGHS's presolve alone took 20–30 s over them).  Here each service that a
dependency touches gets continuous running sums, defined once by chains of equalities

    S_s(τ) = S_s(τ−1) + Σ_{o∈S(s)} x[o,τ]            "s has started by τ"
    F_s(τ) = F_s(τ−1) + Σ_{o∈S(s)} x[o,τ−d_o]        "s has finished by τ"

(S_s, F_s = 0 before the first start or end, and the last one is any(s)), and each precedence row
becomes S_b(τ) − F_a(τ−lag) ≤ 0 (under 'ignore', + any(a) ≤ 1; start-to-start with S_a): two or
three nonzeros.  Substituting the equalities gives back the disaggregated rows term for term, so
the feasible plans, the LP relaxation (projected on x) and the optimum are the same.  Small models
keep the plain rows (:data:`SPARSE_FROM`), so the shipped programmes' models are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

import pulp

from engine.optimise.instance import FINISH_TO_START, Dep, Job
from engine.optimise.model import Model, Terms

# start variables from which a model's precedence rows are written as running sums
SPARSE_FROM = 5000


def worth_it(model: Model) -> bool:
    """Whether ``model`` is large enough for the running-sum precedence rows."""
    return len(model.start) >= SPARSE_FROM


def started_by(model: Model, service: str) -> dict[int, pulp.LpVariable]:
    """S_s(τ) for τ from the service's first start to its last (see the module docstring)."""
    return _running_sum(model, service, "started", lambda job, t: t)


def finished_by(model: Model, service: str) -> dict[int, pulp.LpVariable]:
    """F_s(τ) for τ from the service's first possible end to its last."""
    return _running_sum(model, service, "finished", lambda job, t: t + job.duration)


def _running_sum(
    model: Model, service: str, kind: str, when: Callable[[Job, int], int]
) -> dict[int, pulp.LpVariable]:
    cache = model.cache.setdefault(kind, {})
    if service in cache:
        return cache[service]  # type: ignore[return-value]
    at: dict[int, list[pulp.LpVariable]] = {}
    for job, t, var in model.starts_of(service):
        at.setdefault(when(job, t), []).append(var)
    horizon = model.instance.programme.horizon
    sums: dict[int, pulp.LpVariable] = {}
    previous: pulp.LpVariable | None = None
    for tau in range(min(at), max(at) + 1):
        key = horizon.key(tau)
        var = model.problem.add_variable(model.name(f"{kind}[{service}][{key}]"), lowBound=0, upBound=1)
        terms: Terms = [(var, 1), *((x, -1) for x in at.get(tau, []))]
        if previous is not None:
            terms = [*terms, (previous, -1)]
        when_words = horizon.label(tau) if tau < model.instance.periods else "the end"
        words = f"whether `{service}` has {kind} by {when_words}"
        model.row(terms, "==", 0, f"{kind}_by[{service}][{key}]", words)
        sums[tau] = previous = var
    cache[service] = sums
    return sums


def _at(sums: dict[int, pulp.LpVariable], tau: int) -> list[tuple[pulp.LpVariable, float]]:
    """The running sum at ``tau`` as terms: none before it starts, its last value after it ends."""
    if not sums or tau < min(sums):
        return []
    return [(sums[min(tau, max(sums))], 1.0)]


def starts_after(model: Model, dep: Dep) -> None:
    """Finish-to-start or start-to-start rows of ``dep`` as running sums: for every τ in b's
    start window, S_b(τ) ≤ F_a(τ − lag) (or S_a; under 'ignore', + any(a) ≤ 1)."""
    instance = model.instance
    horizon = instance.programme.horizon
    finish = dep.kind == FINISH_TO_START
    b_started = started_by(model, dep.after)
    a_done: dict[int, pulp.LpVariable] = {}
    if dep.before in instance.jobs:
        a_done = finished_by(model, dep.before) if finish else started_by(model, dep.before)
    a_any = [] if instance.block or not a_done else [(a_done[max(a_done)], 1.0)]
    words = "finishes" if finish else "starts"
    for tau in sorted(b_started):
        done = [(var, -c) for var, c in _at(a_done, tau - dep.lag)]
        model.row(
            [(b_started[tau], 1.0), *done, *a_any],
            "<=",
            0 if instance.block else 1,
            f"prec[{dep.before}->{dep.after}][{horizon.key(tau)}]",
            f"`{dep.after}` may start only {dep.lag} period(s) after `{dep.before}` {words}",
        )
