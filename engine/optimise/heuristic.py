"""Priority-rule schedules: a quick plan to start from, and the yardstick the MIP must beat.

``serial_sgs`` is the serial schedule-generation scheme of project scheduling: take jobs in
priority order (each only once its predecessors are settled) and start each at the earliest
period where every capacity, budget and concurrency limit still holds.  ``greedy_plan`` picks the
best option per service and schedules by value.  ``rcpsp_schedule`` is the improved version for
pure scheduling problems (PSPLIB): sampled priority lists plus forward–backward improvement.
"""

from __future__ import annotations

import heapq
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from engine.optimise.instance import FINISH_TO_START, GO_LIVE_TOGETHER, Instance, Job
from engine.plan.result import Assignment, Plan, partner_benefits
from engine.plan.settings import MAXMIN_TIE_BREAK


class _Ledger:
    """What is left of every limit while jobs are placed one by one."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.left = {pool: [w.limit for w in windows] for pool, windows in instance.windows.items()}
        self.window_of = {
            pool: {t: i for i, w in enumerate(windows) for t in w.periods}
            for pool, windows in instance.windows.items()
        }
        self.budget_left = [w.limit for w in instance.budget]
        self.budget_of = {t: i for i, w in enumerate(instance.budget) for t in w.periods}
        self.running = [0] * instance.periods

    def _needs(self, job: Job, start: int) -> tuple[dict[tuple[str, int], float], dict[int, float]]:
        needs: dict[tuple[str, int], float] = {}
        for pool in job.option.demand:
            if pool not in self.window_of:
                continue
            for k, amount in enumerate(job.demand(pool)):
                if amount:
                    key = (pool, self.window_of[pool][start + k])
                    needs[key] = needs.get(key, 0.0) + amount
        money: dict[int, float] = {}
        if self.budget_left and job.option.one_off_spend:
            for k in range(job.duration):
                window = self.budget_of[start + k]
                money[window] = money.get(window, 0.0) + job.spend_in(k)
        return needs, money

    def fits(self, job: Job, start: int) -> bool:
        cap = self.instance.max_concurrent
        if cap is not None and any(
            self.running[start + k] >= cap for k in range(job.duration) if job.busy(k)
        ):
            return False
        needs, money = self._needs(job, start)
        if any(amount > self.left[pool][w] + 1e-9 for (pool, w), amount in needs.items()):
            return False
        return all(amount <= self.budget_left[w] + 1e-6 for w, amount in money.items())

    def take(self, job: Job, start: int) -> None:
        needs, money = self._needs(job, start)
        for (pool, w), amount in needs.items():
            self.left[pool][w] -= amount
        for w, amount in money.items():
            self.budget_left[w] -= amount
        for k in range(job.duration):
            self.running[start + k] += job.busy(k)


def serial_sgs(instance: Instance, chosen: Sequence[Job]) -> Plan:
    """Schedule ``chosen`` (at most one job per service) in the given priority order.

    A job waits until its predecessors are settled, then starts no sooner than each one's end
    (finish-to-start) or start (start-to-start) plus the lag; under the 'block' setting a job
    whose predecessor was not scheduled is dropped.  A job that fits nowhere is dropped (the
    service keeps its status quo); forced jobs may therefore be missing, which callers check.
    Go-live-together dependencies are not handled here: ``chosen`` must not hold both of a pair
    (:func:`greedy_plan` leaves such pairs to the MIP).
    """
    ledger = _Ledger(instance)
    preds: dict[str, list[tuple[str, int, bool]]] = {}
    for dep in instance.dependencies:
        if dep.kind != GO_LIVE_TOGETHER:
            preds.setdefault(dep.after, []).append((dep.before, dep.lag, dep.kind == FINISH_TO_START))
    chosen_services = {job.service for job in chosen}
    placed: dict[str, Assignment] = {}
    dropped: set[str] = set()
    pending = list(chosen)

    def settled(job: Job) -> bool:
        return all(
            p not in chosen_services or p in placed or p in dropped for p, _, _ in preds.get(job.service, [])
        )

    while pending:
        job = next((j for j in pending if settled(j)), None)
        if job is None:  # only possible with a cycle, which validation excludes
            break
        pending.remove(job)
        earliest = job.earliest
        blocked = False
        for before, lag, finish in preds.get(job.service, []):
            if before in placed:
                earliest = max(earliest, (placed[before].end if finish else placed[before].start) + lag)
            elif instance.block:
                blocked = True
        start = next(
            (t for t in range(earliest, job.latest + 1) if not blocked and ledger.fits(job, t)), None
        )
        if start is None:
            dropped.add(job.service)
            continue
        ledger.take(job, start)
        placed[job.service] = Assignment(
            service=job.service,
            option=job.option.id,
            provider=job.option.provider,
            start=start,
            duration=job.duration,
        )
    return Plan(programme=instance.programme.id, periods=instance.periods, assignments=tuple(placed.values()))


def greedy_plan(instance: Instance) -> Plan:
    """Best option per service by a priority rule; forced services first, then by that rule.  For
    the planning objectives each rule of :func:`_rules` is tried and the best plan kept (one that
    places every forced service first); for makespan, value is the soonest finish.

    The priority rule declines services that go live together with another candidate (their
    ends must coincide, which a one-by-one schedule cannot promise), and under 'block' every
    service of a go-live-together pair (both change or neither): it keeps them as they are, so a
    plan that needs them is incomplete and the MIP alone plans it."""
    together = {
        s
        for d in instance.dependencies
        if d.kind == GO_LIVE_TOGETHER
        and (instance.block or (d.before in instance.jobs and d.after in instance.jobs))
        for s in (d.before, d.after)
    }
    if instance.settings.objective == "makespan":
        return serial_sgs(instance, _priority_list(instance, together, lambda j: _job_value(instance, j)))
    plans = [serial_sgs(instance, _priority_list(instance, together, rule)) for rule in _rules(instance)]
    return max(plans, key=lambda p: (_has_forced(instance, p), plan_value(instance, p)))


def _priority_list(instance: Instance, together: set[str], rule: Callable[[Job], float]) -> list[Job]:
    """Each service's best option by ``rule`` (forced services always, others if it gains), the
    forced first, then by ``rule``, highest first."""
    chosen = []
    for service, jobs in instance.jobs.items():
        if service in together:
            continue
        best = max(jobs, key=lambda j: (rule(j), -jobs.index(j)))
        if (
            service in instance.forced
            or _job_value(instance, best) > 0
            or instance.settings.objective == "makespan"
        ):
            chosen.append(best)
    chosen.sort(key=lambda j: (j.service not in instance.forced, -rule(j)))
    return chosen


def _rules(instance: Instance) -> list[Callable[[Job], float]]:
    """Priority rules for the planning objectives: value alone, value per share of the one-off
    budget over the horizon, and value per share of that budget and of each pool's capacity
    (fractions of the horizon's totals), since where a budget binds, value alone fills it with a
    few large changes (issue 19: the value rule was 18–27 % below the optimum on budget-bound
    programmes)."""
    budget = sum(w.limit for w in instance.budget)
    capacity = {pool: sum(w.limit for w in windows) for pool, windows in instance.windows.items()}

    def value(job: Job) -> float:
        return _job_value(instance, job)

    def per_pound(job: Job) -> float:
        return value(job) / (1e-3 + job.option.one_off_spend / budget) if budget > 0 else value(job)

    def per_scarce(job: Job) -> float:
        use = job.option.one_off_spend / budget if budget > 0 else 0.0
        use += sum(sum(job.demand(p)) / capacity[p] for p in job.option.demand if capacity.get(p, 0) > 0)
        return value(job) / (1e-3 + use)

    return [value, per_pound, per_scarce]


def _has_forced(instance: Instance, plan: Plan) -> bool:
    return instance.forced <= {a.service for a in plan.assignments}


def _job_value(instance: Instance, job: Job) -> float:
    if instance.settings.objective == "makespan":
        return -float(job.earliest + job.duration)
    return instance.value(job, job.earliest)


def plan_value(instance: Instance, plan: Plan) -> float:
    """The plan's objective value as the MIP counts it (makespan: periods to the last finish)."""
    if instance.settings.objective == "makespan":
        return float(plan.makespan)
    jobs = {job.option.id: job for job in instance.all_jobs()}
    total = sum(instance.value(jobs[a.option], a.start) for a in plan.assignments) + instance.funding_value
    if instance.settings.objective == "maxmin":
        return (
            min(
                partner_benefits(plan, instance.programme, instance.settings.appraisal).values(),
                default=0.0,
            )
            + MAXMIN_TIE_BREAK * total
        )
    return total


# ----------------------------------------------------------------- pure scheduling (PSPLIB)
@dataclass
class Rcpsp:
    """Single-mode RCPSP: durations, per-period demands, constant capacities, successors."""

    durations: list[int]
    demands: list[list[int]]  # job -> resource -> amount
    capacities: list[int]
    successors: list[list[int]]

    @property
    def size(self) -> int:
        return len(self.durations)

    def predecessors(self) -> list[list[int]]:
        preds: list[list[int]] = [[] for _ in range(self.size)]
        for j, succs in enumerate(self.successors):
            for s in succs:
                preds[s].append(j)
        return preds

    def topological(self) -> list[int]:
        return _precedence_list(self, self.predecessors(), [0.0] * self.size)

    def makespan(self, starts: list[int]) -> int:
        return max((s + d for s, d in zip(starts, self.durations, strict=True)), default=0)

    def heads(self) -> list[int]:
        """Earliest starts by precedence alone (critical path forward pass)."""
        head = [0] * self.size
        for j in self.topological():
            for s in self.successors[j]:
                head[s] = max(head[s], head[j] + self.durations[j])
        return head

    def tails(self) -> list[int]:
        """Longest path from each job's start to the end of the project, its own duration included."""
        tail = list(self.durations)
        for j in reversed(self.topological()):
            for s in self.successors[j]:
                tail[j] = max(tail[j], self.durations[j] + tail[s])
        return tail

    def frozen(self) -> tuple[tuple[int, ...], ...]:
        """Durations, capacities, each job's demands, each job's successors: a hashable copy."""
        return (
            tuple(self.durations),
            tuple(self.capacities),
            *(tuple(row) for row in self.demands),
            *(tuple(row) for row in self.successors),
        )

    def lower_bound(self) -> int:
        """max(critical path, resource energy): no schedule can finish sooner."""
        critical = max((h + d for h, d in zip(self.heads(), self.durations, strict=True)), default=0)
        energy = 0
        for k, capacity in enumerate(self.capacities):
            work = sum(d * r[k] for d, r in zip(self.durations, self.demands, strict=True))
            energy = max(energy, -(-work // capacity) if capacity else 0)
        return max(critical, energy)


def _sgs(problem: Rcpsp, order: Sequence[int], preds: list[list[int]], horizon: int) -> list[int]:
    """Serial schedule generation: each job in ``order`` at its earliest precedence- and
    resource-feasible start.  A clash at period u rules out every start up to u, so the search
    jumps past the last clash in the job's span (a C-speed ``min`` over the span tells whether
    there is one); on j30–j120 this is most of the priority-rule sampling's time."""
    durations = problem.durations
    free = [[c] * horizon for c in problem.capacities]
    start = [0] * problem.size
    for j in order:
        d = durations[j]
        rows = [(free[k], r) for k, r in enumerate(problem.demands[j]) if r]
        t = max((start[p] + durations[p] for p in preds[j]), default=0)
        clash = 0
        while d and clash >= 0:
            clash = -1
            for row, r in rows:
                if min(row[t : t + d]) < r:  # some period short: find the last one
                    u = t + d - 1
                    while row[u] >= r:
                        u -= 1
                    clash = max(clash, u)
            if clash >= 0:
                t = clash + 1
        for row, r in rows:
            for u in range(t, t + d):
                row[u] -= r
        start[j] = t
    return start


def _precedence_list(problem: Rcpsp, preds: list[list[int]], key: Sequence[float]) -> list[int]:
    """Highest-priority eligible job first (smaller key = earlier, ties by index), always
    precedence-feasible."""
    remaining = [len(p) for p in preds]
    ready = [(key[j], j) for j in range(problem.size) if remaining[j] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, j = heapq.heappop(ready)
        order.append(j)
        for s in problem.successors[j]:
            remaining[s] -= 1
            if remaining[s] == 0:
                heapq.heappush(ready, (key[s], s))
    return order


def _improve(
    problem: Rcpsp, start: list[int], preds: list[list[int]], horizon: int, backward: Rcpsp
) -> list[int]:
    """Forward–backward improvement: right-justify then left-justify until nothing shortens.
    ``backward`` is ``problem`` with every precedence reversed (see :func:`_reversed`)."""
    best = start
    best_span = problem.makespan(start)
    back_preds = problem.successors
    for _ in range(10):
        finish = [s + d for s, d in zip(best, problem.durations, strict=True)]
        order = _precedence_list(backward, back_preds, [-f for f in finish])
        back = _sgs(backward, order, back_preds, horizon)
        span = problem.makespan(back)
        mirrored = [span - (s + d) for s, d in zip(back, problem.durations, strict=True)]
        order = _precedence_list(problem, preds, mirrored)
        forward = _sgs(problem, order, preds, horizon)
        forward_span = problem.makespan(forward)
        if forward_span >= best_span:
            break
        best, best_span = forward, forward_span
    return best


def justify(problem: Rcpsp, starts: list[int]) -> list[int]:
    """``starts`` improved forward and backward (justified right, then left, while it shortens): a
    schedule read off a SAT model starts its jobs anywhere the model allowed, and justifying it
    often ends it a period or more sooner at no risk (never later than ``starts``)."""
    preds = problem.predecessors()
    horizon = max(sum(problem.durations), problem.makespan(starts)) + 1
    return _improve(problem, starts, preds, horizon, _reversed(problem, preds))


def neighbourhood_search(problem: Rcpsp, starts: list[int], until: float, rng: random.Random) -> list[int]:
    """Priority lists sampled around the best schedule so far (its start times, each moved by up
    to a tenth of its makespan at random), each scheduled and justified, until ``until``
    (``time.perf_counter()`` clock); a list as short as the best is taken too, so the search
    walks along plateaus.  Never returns a longer schedule than ``starts``."""
    preds = problem.predecessors()
    backward = _reversed(problem, preds)
    horizon = max(sum(problem.durations), problem.makespan(starts)) + 1
    best, best_span = starts, problem.makespan(starts)
    current = starts
    while time.perf_counter() < until:
        spread = max(1.0, 0.1 * best_span)
        key = [s + rng.random() * spread for s in current]
        order = _precedence_list(problem, preds, key)
        tried = _improve(problem, _sgs(problem, order, preds, horizon), preds, horizon, backward)
        span = problem.makespan(tried)
        if span <= best_span:
            current = tried
            if span < best_span:
                best, best_span = tried, span
    return best


def _reversed(problem: Rcpsp, preds: list[list[int]]) -> Rcpsp:
    """The same jobs with every precedence reversed: scheduling it forwards is scheduling the
    original backwards from its end."""
    return Rcpsp(problem.durations, problem.demands, problem.capacities, preds)


def rcpsp_schedule(
    problem: Rcpsp,
    samples: int = 60,
    seed: int = 0,
    until: float = math.inf,
    bound: int | None = None,
    rules: bool = True,
) -> tuple[list[int], int]:
    """Best schedule found by priority rules (LFT, MTS, GRPW) and biased random sampling, each
    improved forward and backward.  Deterministic for a given seed and enough time: the sampling
    stops at ``until`` (``time.perf_counter()`` clock; 60 samples take about 1 s on j120 under
    load), the three priority rules always run; and it stops as soon as a schedule meets ``bound``
    (a proven lower bound; critical path and resource energy when not given).  Without ``rules``
    only the samples run (the caller has the priority rules' schedule already).
    """
    if samples == 0 and rules and bound is None:
        starts, span = _priority_rules(problem.frozen())
        return list(starts), span
    preds = problem.predecessors()
    backward = _reversed(problem, preds)
    horizon = sum(problem.durations) + 1
    tails = problem.tails()
    latest_finish = [max(tails) - t + d for t, d in zip(tails, problem.durations, strict=True)]
    successors_total = _all_successors(problem)
    keys: list[list[float]] = [
        [float(lf) for lf in latest_finish],
        [-float(len(s)) for s in successors_total],
        [
            -float(problem.durations[j] + sum(problem.durations[s] for s in problem.successors[j]))
            for j in range(problem.size)
        ],
    ]
    rng = random.Random(seed)
    spread = max(latest_finish) - min(latest_finish) + 1
    if not rules:
        keys = []
    for _ in range(samples):
        keys.append([lf + rng.random() * spread * 0.3 for lf in latest_finish])
    best_start: list[int] = []
    best_span = horizon + 1
    bound = problem.lower_bound() if bound is None else bound
    for tried, key in enumerate(keys):
        if (tried >= 3 or not rules) and time.perf_counter() > until:
            break
        order = _precedence_list(problem, preds, key)
        start = _improve(problem, _sgs(problem, order, preds, horizon), preds, horizon, backward)
        span = problem.makespan(start)
        if span < best_span:
            best_start, best_span = start, span
        if best_span <= bound:
            break
    return best_start, best_span


@lru_cache(maxsize=8)
def _priority_rules(frozen: tuple[tuple[int, ...], ...]) -> tuple[tuple[int, ...], int]:
    """The three priority rules' best schedule, kept: reading a PSPLIB file takes its horizon from
    it, and the solve starts from it again (deterministic, so the same problem gives the same)."""
    size = len(frozen[0])
    durations, capacities = list(frozen[0]), list(frozen[1])
    demands = [list(row) for row in frozen[2 : 2 + size]]
    successors = [list(row) for row in frozen[2 + size :]]
    problem = Rcpsp(durations, demands, capacities, successors)
    starts, span = rcpsp_schedule(problem, samples=0, bound=problem.lower_bound())
    return tuple(starts), span


def _all_successors(problem: Rcpsp) -> list[set[int]]:
    out: list[set[int]] = [set() for _ in range(problem.size)]
    for j in reversed(problem.topological()):
        for s in problem.successors[j]:
            out[j] |= {s} | out[s]
    return out


def propagate(problem: Rcpsp, horizon: int, rounds: int = 200) -> tuple[list[int], list[int]] | None:
    """Start windows [earliest, latest] of every job if all must finish by ``horizon``; None if
    some window empties, which proves that no schedule finishes by then.

    Time-table reasoning: where a job's latest start comes before its earliest finish it surely
    runs in between (its compulsory part); other jobs cannot start where their demand on top of
    those compulsory parts would exceed a capacity.  Precedences pass the windows along.  This is
    the propagation a constraint solver applies, used here to shrink the time-indexed model.
    """
    n = problem.size
    earliest = problem.heads()
    latest = [horizon - t for t in problem.tails()]
    pred_edges = [(j, s) for j, succs in enumerate(problem.successors) for s in succs]
    for _ in range(rounds):
        if any(earliest[j] > latest[j] for j in range(n)):
            return None
        usage = _compulsory_usage(problem, earliest, latest, horizon)
        changed = _time_table_pass(problem, usage, earliest, latest)
        if changed is None:
            return None
        # the precedence pass runs every round, whether or not the time table changed anything
        if not (_precedence_pass(pred_edges, problem.durations, earliest, latest) or changed):
            break
    if any(earliest[j] > latest[j] for j in range(n)):
        return None
    return earliest, latest


def _compulsory_usage(
    problem: Rcpsp, earliest: list[int], latest: list[int], horizon: int
) -> list[list[int]]:
    """Resource use of the compulsory parts, per resource and period: a job whose latest start
    comes before its earliest finish surely runs from the one to the other, wherever it starts."""
    durations, demands = problem.durations, problem.demands
    usage = [[0] * (horizon + 1) for _ in problem.capacities]
    for j in range(problem.size):
        for u in range(latest[j], earliest[j] + durations[j]):
            for k, r in enumerate(demands[j]):
                usage[k][u] += r
    return usage


def _time_table_pass(
    problem: Rcpsp, usage: list[list[int]], earliest: list[int], latest: list[int]
) -> bool | None:
    """Move each job's earliest start later and its latest start earlier, in place, past the
    periods where it would not fit on top of the compulsory parts in ``usage``; None as soon as a
    window empties (no schedule fits the horizon), else whether any window shrank.

    ``usage`` is not updated as windows shrink: a larger compulsory part counts from the next round.
    """
    durations, demands, capacities = problem.durations, problem.demands, problem.capacities
    changed = False
    for j in range(problem.size):
        d, need = durations[j], demands[j]
        if not any(need):
            continue
        own = (latest[j], earliest[j] + d)  # this job's own compulsory part, before this pass
        t = _earliest_fit(usage, capacities, need, d, own, earliest[j], latest[j])
        if t != earliest[j]:
            earliest[j], changed = t, True
        if earliest[j] > latest[j]:
            return None
        t = _latest_fit(usage, capacities, need, d, own, earliest[j], latest[j])
        if t != latest[j]:
            latest[j], changed = t, True
        if earliest[j] > latest[j]:
            return None
    return changed


def _earliest_fit(
    usage: list[list[int]],
    capacities: list[int],
    need: list[int],
    duration: int,
    own: tuple[int, int],
    first: int,
    last: int,
) -> int:
    """The first start from ``first`` with no clash, jumping past each clash; above ``last`` if none."""
    t = first
    while t <= last:
        hit = _first_clash(usage, capacities, need, t, duration, own)
        if hit is None:
            break
        t = hit + 1
    return t


def _latest_fit(
    usage: list[list[int]],
    capacities: list[int],
    need: list[int],
    duration: int,
    own: tuple[int, int],
    first: int,
    last: int,
) -> int:
    """The last start from ``last`` down with no clash, so that the job finishes before each clash;
    below ``first`` if none."""
    t = last
    while t >= first:
        hit = _first_clash(usage, capacities, need, t, duration, own)
        if hit is None:
            break
        t = hit - duration
    return t


def _precedence_pass(
    pred_edges: list[tuple[int, int]], durations: list[int], earliest: list[int], latest: list[int]
) -> bool:
    """Pass the windows along each precedence (j before s), in place, in one sweep over the edges:
    s starts no sooner than j finishes, j starts late enough to finish by s's latest start.
    Whether any window shrank."""
    changed = False
    for j, s in pred_edges:
        if earliest[s] < earliest[j] + durations[j]:
            earliest[s], changed = earliest[j] + durations[j], True
        if latest[j] > latest[s] - durations[j]:
            latest[j], changed = latest[s] - durations[j], True
    return changed


def _first_clash(
    usage: list[list[int]],
    capacities: list[int],
    need: list[int],
    start: int,
    duration: int,
    own: tuple[int, int],
) -> int | None:
    """First period where starting at ``start`` would overload a resource, given the compulsory
    parts in ``usage`` (which include this job's own part, the periods in ``own``)."""
    for u in range(start, start + duration):
        mine = own[0] <= u < own[1]
        for k, r in enumerate(need):
            if r and usage[k][u] - (r if mine else 0) + r > capacities[k]:
                return u
    return None
