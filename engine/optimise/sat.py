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

import time
from dataclasses import dataclass

import pycryptosat
import pypblib.pblib as pb

from engine.optimise.deadline import check
from engine.optimise.deadline import deadline as command_deadline
from engine.optimise.heuristic import Rcpsp, propagate

# CryptoMiniSat's time limit counts its own CPU time, not the wall clock: under load a 7 s limit ran
# 36 s of wall.  So the search runs in slices of at most this much CPU, and the wall-clock deadline
# is checked between them; the solver keeps what it has learnt from one slice to the next.
SLICE_SECONDS = 0.25
CLAUSE_BATCH = 100_000  # clauses handed to the solver between two looks at the deadline
# CryptoMiniSat runs a stochastic local search before its first search, some 50–80 ms even on a
# formula of four clauses: most of the time on a j30 instance that needs one or two calls
SOLVER_OPTIONS = {"sls": "0"}


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
        config.set_PB_Encoder(pb.PB_BEST)
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


def sat_search(problem: Rcpsp, lower: int, upper: int, seconds: float) -> SatOutcome:
    """Bisect between ``lower`` (no shorter plan is possible) and ``upper`` (achieved): a horizon
    proved impossible raises the lower bound past it; a satisfied one brings the best plan down to
    the model's makespan.  They meet at the optimum, unless time runs out first (the best plan
    found so far is returned either way).  ``seconds`` and the command's deadline
    (:mod:`engine.optimise.deadline`) are both wall-clock bounds: building the clauses stops at the
    latter (raising ``OutOfTime``) and the search at whichever comes first."""
    deadline = min(time.perf_counter() + seconds, command_deadline())
    if lower >= upper:
        return SatOutcome(lower, None, True)
    windows = propagate(problem, upper - 1)
    if windows is None:  # nothing finishes before `upper`: the plan in hand is optimal
        return SatOutcome(upper, None, True)
    encoding = _Encoding(problem, upper - 1, windows)
    solver = pycryptosat.Solver(threads=1, options=SOLVER_OPTIONS)
    for first in range(0, len(encoding.clauses), CLAUSE_BATCH):  # millions on j120: a second or more
        check()
        solver.add_clauses(encoding.clauses[first : first + CLAUSE_BATCH])
    tails = problem.tails()
    best: list[int] | None = None
    while lower < upper:
        remaining = deadline - time.perf_counter()
        if remaining <= 0.01:
            return SatOutcome(lower, best, False)
        horizon = (lower + upper - 1) // 2
        assumptions = []
        possible = True
        for j in range(problem.size):
            finish_by = encoding.by(j, horizon - tails[j])  # start early enough to finish by `horizon`
            if finish_by is False:
                possible = False
                break
            if finish_by is not True:
                assumptions.append(int(finish_by))
        if not possible:
            lower = horizon + 1
            continue
        satisfied, model = _solve_by_wall_clock(solver, assumptions, deadline)
        if satisfied is None:
            return SatOutcome(lower, best, False)
        if satisfied:
            assert model is not None  # a satisfied call always has a model
            best = encoding.starts(model)
            upper = problem.makespan(best)
        else:
            lower = horizon + 1
    return SatOutcome(lower, best, True)


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
