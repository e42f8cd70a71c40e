"""Independent parts of a planning problem, solved apart and joined (issue 19).

Two services are *linked* when some row of the model holds variables of both: a dependency
between them (any kind), a pool both put demand on (its capacity rows), one-off spend by both
while there is a yearly budget (its budget rows).  A few things link every service at once — a
cap on concurrent transitions, the consensus rows (each partner's money over the whole plan), the
max-min objective (the worst-off partner) and the makespan objective (the last finish) — and then
the problem is one part.  The services of one connected component of the links share no row with
any other component, and the objective is a sum over services, so

    max Σ_k f_k(x_k)  subject to  x_k ∈ X_k for every k   =   Σ_k max { f_k(x_k) : x_k ∈ X_k },

the whole programme's optimum is the sum of the parts' optima, and a plan optimal for every part
is optimal for the whole: "proven optimal" keeps its meaning over the whole programme.  The joined
plan is checked by the independent verifier like any other (``engine.plan.verify``).

Why: HiGHS treats a block-diagonal model as one (its presolve, cut loop and branching run over all
of it, and the search tree multiplies across blocks), where each block alone is small.  Components
too small to be worth a model of their own are solved together in one (still independent of every
other part), so a programme of many singletons costs one model, not hundreds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from engine.optimise import anytime
from engine.optimise.instance import Instance, Job
from engine.optimise.run import Outcome, build_model, gap_between, run
from engine.plan.result import Plan, PlanStatus

# a component with fewer candidate start variables than this joins the shared "small parts" model
SMALL_PART = 2000


class _Links:
    """Union-find over service ids (path halving; the larger root wins)."""

    def __init__(self, items: Iterable[str]) -> None:
        self.parent = {item: item for item in items}

    def find(self, item: str) -> str:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, items: list[str]) -> None:
        roots = [self.find(item) for item in items]
        for root in roots[1:]:
            self.parent[root] = roots[0]


def couples_everything(instance: Instance) -> bool:
    """Whether some row or the objective itself holds every service (then there is one part)."""
    settings = instance.settings
    return (
        instance.max_concurrent is not None
        or settings.consensus
        or settings.objective in ("maxmin", "makespan")
    )


def _spends(job: Job) -> bool:
    return any(job.spend_in(k) for k in range(job.duration))


def components(instance: Instance) -> list[list[str]]:
    """The services of ``instance`` grouped so that no row of the model links two groups (see
    the module docstring), each group in file order, the groups by their first service."""
    services = list(instance.jobs)
    if couples_everything(instance):
        return [services] if services else []
    links = _Links(services)
    for dep in instance.dependencies:
        links.join([s for s in (dep.before, dep.after) if s in instance.jobs])
    for pool in instance.windows:
        users = [s for s, jobs in instance.jobs.items() if any(any(job.demand(pool)) for job in jobs)]
        links.join(users)
    if instance.budget:
        links.join([s for s, jobs in instance.jobs.items() if any(_spends(job) for job in jobs)])
    groups: dict[str, list[str]] = {}
    for service in services:
        groups.setdefault(links.find(service), []).append(service)
    return list(groups.values())


def parts(instance: Instance, small: int | None = None) -> list[Instance]:
    """``instance`` cut into independent sub-instances: each component of at least ``small``
    start variables on its own, the smaller ones together (smallest first, so the part most
    likely to need the time limit is solved last).  One part (``instance`` itself) when nothing
    splits.  ``small`` defaults to :data:`SMALL_PART`."""
    small = SMALL_PART if small is None else small
    groups = components(instance)
    if len(groups) <= 1:
        return [instance]
    size = {s: sum(job.latest - job.earliest + 1 for job in instance.jobs[s]) for s in instance.jobs}
    large = [g for g in groups if sum(size[s] for s in g) >= small]
    rest = [s for g in groups if sum(size[s] for s in g) < small for s in g]
    chosen = sorted(large, key=lambda g: sum(size[s] for s in g))
    if rest:
        chosen.insert(0, rest)
    if len(chosen) <= 1:
        return [instance]
    return [restrict(instance, group) for group in chosen]


def restrict(instance: Instance, services: list[str]) -> Instance:
    """The sub-problem of ``services``: their candidates, the dependencies that touch them, and
    every limit unchanged (a limit's other users are in other parts, whose rows are their own)."""
    keep = set(services)
    return dataclasses.replace(
        instance,
        jobs={s: jobs for s, jobs in instance.jobs.items() if s in keep},
        forced=instance.forced & keep,
        soft=instance.soft & keep,
        dependencies=[d for d in instance.dependencies if d.before in keep or d.after in keep],
    )


def solve_parts(instance: Instance) -> tuple[Outcome, Plan | None]:
    """Build and run one model per independent part and join the answers (the module docstring
    says why the sum of the parts' optima is the whole programme's).  A single part is the plain
    model.  Each part's solver gets what is left of the command's deadline."""
    pieces = parts(instance)
    if len(pieces) == 1 or anytime.current() is not None:
        # a watched search is one model: each better plan shown must be a whole plan, and a stop
        # must end one search, not leave the parts after it unsolved
        return run(build_model(instance), instance.settings)
    answers = [run(build_model(piece), piece.settings) for piece in pieces]
    return join(instance, answers)


def join(instance: Instance, answers: list[tuple[Outcome, Plan | None]]) -> tuple[Outcome, Plan | None]:
    """One outcome from the parts': infeasible if any part is; a plan only if every part has one;
    objective and bound the sums (the funding constant, which each part's outcome includes, counted
    once); optimal only if every part is and the joined gap is within the settings' gap."""
    outcomes = [outcome for outcome, _ in answers]
    if any(o.status == PlanStatus.INFEASIBLE for o in outcomes):
        return Outcome(PlanStatus.INFEASIBLE, None, None, None), None
    offset = instance.objective_offset
    extra = offset * (len(outcomes) - 1)
    bounds = [o.bound for o in outcomes]
    bound = None if any(b is None for b in bounds) else sum(b for b in bounds if b is not None) - extra
    plans = [plan for _, plan in answers]
    if any(p is None for p in plans) or any(o.objective is None for o in outcomes):
        return Outcome(PlanStatus.NO_SOLUTION, None, bound, None), None
    value = sum(o.objective for o in outcomes if o.objective is not None) - extra
    gap = gap_between(value, bound)
    proven = all(o.status == PlanStatus.OPTIMAL for o in outcomes)
    if proven and (gap is None or gap <= instance.settings.gap + 1e-9):
        status = PlanStatus.OPTIMAL
    else:
        status = PlanStatus.FEASIBLE
    assignments = sorted(
        (a for p in plans if p is not None for a in p.assignments), key=lambda a: (a.start, a.service)
    )
    first = next(p for p in plans if p is not None)
    plan = Plan(programme=first.programme, periods=first.periods, assignments=tuple(assignments))
    return Outcome(status, value, bound, gap), plan
