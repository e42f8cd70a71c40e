"""Optimality proofs for pure scheduling by satisfiability, with clause learning.

"Can every job finish by period T?" is encoded once, for the largest T still in doubt: for each job
and period a variable "job j has started by t" (the order encoding: a ladder of implications),
precedences as implications between ladders, and each resource's limit in each period as a
pseudo-Boolean constraint over "job j runs in t", turned into clauses by PBLib.  A conflict-driven
SAT solver (CryptoMiniSat) then bisects on T between the lower bound and the best makespan found,
with "finish by T" as assumptions, so what it learns about one horizon carries over to the next: an
impossible T raises the lower bound, a satisfied one gives a shorter schedule (read off the model and
checked again by the plan verifier).  Where they meet, the schedule is optimal.

This is how constraint solvers with learning (lazy clause generation) close PSPLIB j30, where the
time-indexed LP bound stays several periods short on the highly resource-constrained instances.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import pycryptosat
import pypblib.pblib as pb

from engine.optimise.deadline import OutOfTime, check, within
from engine.optimise.deadline import deadline as command_deadline
from engine.optimise.heuristic import Rcpsp, justify, neighbourhood_search, propagate

# CryptoMiniSat's time limit counts its own CPU time, not the wall clock: under load a 7 s limit ran
# 36 s of wall.  So the search runs in slices of at most this much CPU, and the wall-clock deadline
# is checked between them; the solver keeps what it has learnt from one slice to the next.
SLICE_SECONDS = 0.25
CLAUSE_BATCH = 100_000  # clauses handed to the solver between two looks at the deadline
# CryptoMiniSat runs a stochastic local search before its first search, some 50–80 ms even on a
# formula of four clauses: most of the time on a j30 instance that needs one or two calls
SOLVER_OPTIONS = {"sls": "0"}
PROBE_AFTER = 0.5  # seconds a bisection call runs before the first probe below the best plan
PROBE_SECONDS = 0.2  # wall-clock seconds for each probe
# no probes once the bounds are this close (relative to the best plan): the bisection's own
# horizons are then next to the best plan anyway, and the hard calls are the last proofs (j309_2)
PROBE_GAP = 0.05
PROBES_EACH = 2
# Where the clauses would be costly to build (j60's hardest, most of j120: 3–15 s for 0.5–0.8
# million clauses under load) and the bounds far apart, a neighbourhood search around the best
# schedule runs first on this share of the time: a shorter plan narrows every window, so the
# clauses are fewer as well.  j30 stays below the size (j309_2: about 1,900).
ENCODING_LARGE = 4000
# PBLib's choice per constraint; on 13 j30 instances that need the search, BDDs alone took 2.6 s,
# this 2.8 s, binary merge 5.5 s, sequential weight counters 7.3 s, adders 10.3 s, sorting networks 17.6 s
PB_ENCODER = pb.PB_BEST
LOCAL_SHARE = 0.3


@dataclass
class SatOutcome:
    lower: int  # every horizon below this is proved impossible
    starts: list[int] | None  # the best schedule the search found (None: none shorter than `upper`)
    finished: bool  # the search ended by proof (`starts`, if any, is optimal), not by the time limit


class _Encoding:
    """The clauses for "finish by ``horizon``", start windows narrowed by time-table reasoning."""

    def __init__(self, problem: Rcpsp, horizon: int, windows: tuple[list[int], list[int]]):
        self.problem = problem
        self.earliest, self.latest = windows
        self.count = 0
        self.clauses: list[list[int]] = []
        self.started: dict[tuple[int, int], int] = {}  # (job, t) -> "started by t", earliest ≤ t < latest
        for j in range(problem.size):
            check()  # on j120 the encoding alone takes seconds: it stops at the command's deadline
            for t in range(self.earliest[j], self.latest[j]):
                self.started[j, t] = self._new()
                if t > self.earliest[j]:
                    self.clauses.append([-self.started[j, t - 1], self.started[j, t]])
        for j, successors in enumerate(problem.successors):
            for s in successors:
                for t in range(self.earliest[s], self.latest[s] + 1):
                    self._implies(self.by(s, t), self.by(j, t - problem.durations[j]))
        self._resources(horizon)

    def _new(self) -> int:
        self.count += 1
        return self.count

    def by(self, job: int, t: int) -> bool | int:
        """The literal "``job`` has started by ``t``" (True or False outside its window)."""
        if t < self.earliest[job]:
            return False
        if t >= self.latest[job]:
            return True
        return self.started[job, t]

    def _implies(self, a: bool | int, b: bool | int) -> None:
        if a is False or b is True:
            return
        clause = ([] if a is True else [-int(a)]) + ([] if b is False else [int(b)])
        self.clauses.append(clause)

    def _resources(self, horizon: int) -> None:
        problem = self.problem
        running: dict[int, list[tuple[int, int]]] = {}  # t -> [(job, literal "runs at t")]
        for j, d in enumerate(problem.durations):
            if d == 0 or not any(problem.demands[j]):
                continue
            for t in range(self.earliest[j], min(self.latest[j] + d, horizon)):
                now, before = self.by(j, t), self.by(j, t - d)
                if now is False or before is True:
                    continue
                literal = self._new()
                clause = (
                    [literal]
                    + ([] if now is True else [-int(now)])
                    + ([] if before is False else [int(before)])
                )
                self.clauses.append(clause)  # started by t and not by t - d  ⇒  runs at t
                running.setdefault(t, []).append((j, literal))
        config = pb.PBConfig()
        config.set_PB_Encoder(PB_ENCODER)
        encoder = pb.Pb2cnf(config)
        for _, jobs in sorted(running.items()):
            check()
            for k, capacity in enumerate(problem.capacities):
                terms = [(problem.demands[j][k], literal) for j, literal in jobs if problem.demands[j][k] > 0]
                if sum(w for w, _ in terms) <= capacity:
                    continue
                constraint = pb.PBConstraint([pb.WeightedLit(v, w) for w, v in terms], pb.LEQ, capacity)
                auxiliary = pb.AuxVarManager(self.count + 1)
                database = pb.VectorClauseDatabase(config)
                encoder.encode(constraint, database, auxiliary)
                self.clauses.extend(database.get_clauses())
                self.count = max(self.count, auxiliary.get_biggest_returned_auxvar())

    def starts(self, model: tuple[bool | None, ...]) -> list[int]:
        out = []
        for j in range(self.problem.size):
            t = self.earliest[j]
            while t < self.latest[j] and not model[self.started[j, t]]:
                t += 1
            out.append(t)
        return out


def sat_search(
    problem: Rcpsp, lower: int, upper: int, seconds: float, starts: list[int] | None = None
) -> SatOutcome:
    """Bisect between ``lower`` (no shorter plan is possible) and ``upper`` (achieved): a horizon
    proved impossible raises the lower bound past it; a satisfied one brings the best plan down to
    the model's makespan.  They meet at the optimum, unless time runs out first (the best plan
    found so far is returned either way).  ``seconds`` and the command's deadline
    (:mod:`engine.optimise.deadline`) are both wall-clock bounds: building the clauses and the
    search stop at whichever comes first.

    A horizon halfway between far-apart bounds can take the solver longer than the whole limit
    (j60, j120), and the plan in hand would then be the priority rules' to the end.  So a call that
    has run ``PROBE_AFTER`` seconds (then twice, four times as long…) is interrupted, while the
    bounds are more than ``PROBE_GAP`` apart, by short probes just below the best plan ("finish
    one period sooner" is usually quick to satisfy; each best plan is probed at most
    ``PROBES_EACH`` times, as the horizon below it may be the hard proof), then resumed; the
    solver keeps what it learnt, so the bisection loses little.  ``starts`` (a schedule ending at
    ``upper``) seeds the neighbourhood searches: where a probe cannot tell, and first of all where
    the clauses would be costly to build (see ``ENCODING_LARGE``)."""
    deadline = min(time.perf_counter() + seconds, command_deadline())
    if lower >= upper:
        return SatOutcome(lower, None, True)
    windows = propagate(problem, upper - 1)
    shortened = None
    if windows is not None and starts is not None and _costly(problem, windows, lower, upper):
        until = time.perf_counter() + LOCAL_SHARE * (deadline - time.perf_counter())
        shortened = neighbourhood_search(problem, starts, until, random.Random(0))
        if problem.makespan(shortened) < upper:
            starts, upper = shortened, problem.makespan(shortened)
            windows = propagate(problem, upper - 1) if lower < upper else None
        else:
            shortened = None
    if windows is None:  # nothing finishes before `upper`: the plan in hand is optimal
        return SatOutcome(upper, shortened, True)
    solver = pycryptosat.Solver(threads=1, options=SOLVER_OPTIONS)
    try:
        with within(deadline - time.perf_counter()):  # the search's own share, or the command's
            encoding = _Encoding(problem, upper - 1, windows)
            for first in range(0, len(encoding.clauses), CLAUSE_BATCH):  # millions on j120
                check()
                solver.add_clauses(encoding.clauses[first : first + CLAUSE_BATCH])
    except OutOfTime:  # no time to search: the neighbourhood search's plan, if shorter, stands
        return SatOutcome(lower, shortened, False)
    search = _Bisection(problem, encoding, solver, lower, upper, deadline, shortened, given=starts)
    while search.lower < search.upper:
        horizon = (search.lower + search.upper - 1) // 2
        wait = PROBE_AFTER
        while search.ask(horizon, time.perf_counter() + wait) is None:
            if search.out_of_time():
                return SatOutcome(search.lower, search.best, False)
            if search.upper - search.lower > PROBE_GAP * search.upper:
                search.probe_below_best()
            if search.upper <= horizon or search.lower > horizon:  # the probes settled it
                break
            wait *= 2
    return SatOutcome(search.lower, search.best, True)


def _costly(problem: Rcpsp, windows: tuple[list[int], list[int]], lower: int, upper: int) -> bool:
    """Whether the clauses would take long to build (a job-period "runs" literal for each period a
    job may run, and the resource constraints over them: ``ENCODING_LARGE`` of those take some
    seconds) while the bounds are far apart."""
    earliest, latest = windows
    running = sum(
        last - first + d
        for first, last, d, need in zip(earliest, latest, problem.durations, problem.demands, strict=True)
        if any(need)
    )
    return running > ENCODING_LARGE and upper - lower > PROBE_GAP * upper


@dataclass
class _Bisection:
    """The state of :func:`sat_search`: bounds, the best schedule, one solver and its clauses."""

    problem: Rcpsp
    encoding: _Encoding
    solver: pycryptosat.Solver
    lower: int
    upper: int
    deadline: float
    best: list[int] | None = None

    given: list[int] | None = None  # the caller's schedule ending at `upper`, if it has one

    def __post_init__(self) -> None:
        self.tails = self.problem.tails()
        self.rng = random.Random(0)
        self.probed: list[int] = []  # the best makespan at each probe

    def out_of_time(self) -> bool:
        return self.deadline - time.perf_counter() <= 0.01

    def ask(self, horizon: int, until: float) -> bool | None:
        """Can everything finish by ``horizon``?  Moves the bounds by the answer; None when
        ``until`` (or the deadline) came first."""
        assumptions = []
        for j in range(self.problem.size):
            finish_by = self.encoding.by(
                j, horizon - self.tails[j]
            )  # start early enough to finish by `horizon`
            if finish_by is False:
                self.lower = max(self.lower, horizon + 1)
                return False
            if finish_by is not True:
                assumptions.append(int(finish_by))
        satisfied, model = _solve_by_wall_clock(self.solver, assumptions, min(until, self.deadline))
        if satisfied:
            assert model is not None  # a satisfied call always has a model
            self.best = justify(self.problem, self.encoding.starts(model))
            self.upper = self.problem.makespan(self.best)
        elif satisfied is False:
            self.lower = max(self.lower, horizon + 1)
        return satisfied

    def probe_below_best(self) -> None:
        """One period sooner than the best plan, on ``PROBE_SECONDS`` each, while that succeeds;
        where the solver cannot tell in that time, as long again for a neighbourhood search
        around the best schedule (the solver alone found nothing in 10 s on j6013_10)."""
        while self.lower < self.upper and self.probed.count(self.upper) < PROBES_EACH:
            self.probed.append(self.upper)
            answer = self.ask(self.upper - 1, time.perf_counter() + PROBE_SECONDS)
            if answer is None and self.best_or_heuristic is not None:
                until = min(self.deadline, time.perf_counter() + PROBE_SECONDS)
                found = neighbourhood_search(self.problem, self.best_or_heuristic, until, self.rng)
                if self.problem.makespan(found) < self.upper:
                    self.best, self.upper = found, self.problem.makespan(found)
                    continue
            if not answer:
                return

    @property
    def best_or_heuristic(self) -> list[int] | None:
        return self.best if self.best is not None else self.given


def _solve_by_wall_clock(
    solver: pycryptosat.Solver, assumptions: list[int], deadline: float
) -> tuple[bool | None, tuple[bool | None, ...] | None]:
    """One SAT call bounded by the wall clock: slices of ``SLICE_SECONDS`` of CPU until it answers
    or ``deadline`` (``time.perf_counter()`` clock) passes; None when the deadline stopped it."""
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0.01:
            return None, None
        satisfied, model = solver.solve(assumptions, time_limit=min(SLICE_SECONDS, remaining))
        if satisfied is not None:
            return satisfied, model
