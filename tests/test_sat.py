"""The satisfiability search: its optimum equals exhaustive search on small random problems."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.optimise.heuristic import Rcpsp, rcpsp_schedule
from engine.optimise.sat import sat_search


@st.composite
def problems(draw) -> Rcpsp:
    n = draw(st.integers(2, 5))
    resources = draw(st.integers(1, 2))
    capacities = [draw(st.integers(1, 4)) for _ in range(resources)]
    durations = [draw(st.integers(0, 3)) for _ in range(n)]
    demands = [[draw(st.integers(0, c)) for c in capacities] for _ in range(n)]
    successors: list[list[int]] = [[] for _ in range(n)]
    for i, j in itertools.combinations(range(n), 2):  # i < j keeps the graph acyclic
        if draw(st.booleans()) and draw(st.booleans()):
            successors[i].append(j)
    return Rcpsp(durations, demands, capacities, successors)


def feasible(problem: Rcpsp, starts: list[int]) -> bool:
    for j, successors in enumerate(problem.successors):
        if any(starts[s] < starts[j] + problem.durations[j] for s in successors):
            return False
    end = max((s + d for s, d in zip(starts, problem.durations, strict=True)), default=0)
    for t in range(end):
        for k, capacity in enumerate(problem.capacities):
            used = sum(
                problem.demands[j][k]
                for j in range(problem.size)
                if starts[j] <= t < starts[j] + problem.durations[j]
            )
            if used > capacity:
                return False
    return True


def makespan(problem: Rcpsp, starts: list[int]) -> int:
    return max((s + d for s, d in zip(starts, problem.durations, strict=True)), default=0)


def brute_force(problem: Rcpsp, horizon: int) -> int:
    """The least makespan over every start vector within ``horizon`` (exhaustive: tiny problems)."""
    best = horizon
    for starts in itertools.product(range(horizon + 1), repeat=problem.size):
        if makespan(problem, list(starts)) < best and feasible(problem, list(starts)):
            best = makespan(problem, list(starts))
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems())
def test_sat_optimum_equals_exhaustive_search(problem):
    starts, upper = rcpsp_schedule(problem, samples=5)
    assert feasible(problem, starts)
    optimum = brute_force(problem, upper)
    outcome = sat_search(problem, 0, upper, seconds=30)
    assert outcome.finished
    if outcome.starts is None:  # nothing shorter than the heuristic: it was optimal
        assert outcome.lower == upper == optimum
    else:
        assert feasible(problem, outcome.starts)
        assert makespan(problem, outcome.starts) == outcome.lower == optimum


def test_no_time_means_no_claim():
    problem = Rcpsp([3, 3, 3], [[2], [2], [2]], [3], [[], [], []])
    outcome = sat_search(problem, 3, 9, seconds=0)
    assert not outcome.finished and outcome.starts is None and outcome.lower == 3
    done = sat_search(problem, 3, 9, seconds=10)
    assert done.finished and done.lower == 9 and done.starts is None  # three jobs that cannot overlap
