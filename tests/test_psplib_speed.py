"""Issue 19 point 5's fast path for pure scheduling: the faster serial schedule generation gives
the same schedules, justification and the neighbourhood search never lengthen a schedule and
keep it feasible, the SAT search's probes shorten the plan where a bisection call is stuck, and a
PSPLIB file's horizon is the priority rules' makespan."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from engine.optimise import sat
from engine.optimise.heuristic import (
    Rcpsp,
    _sgs,
    justify,
    neighbourhood_search,
    rcpsp_schedule,
)
from engine.optimise.psplib import read_sm, to_programme, to_rcpsp
from tests.test_sat import brute_force, feasible, makespan, problems

PSPLIB = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "psplib"
needs_psplib = pytest.mark.skipif(not (PSPLIB / "j60").is_dir(), reason="PSPLIB files not present")


def _earliest_start_sgs(problem: Rcpsp, order: list[int]) -> list[int]:
    """The serial SGS by its definition: each job at the first period, from its predecessors'
    finish, where it fits for its whole duration (period by period, no jumps)."""
    preds = problem.predecessors()
    start = [0] * problem.size
    placed: list[int] = []

    def fits(j: int, t: int) -> bool:
        for u in range(t, t + problem.durations[j]):
            for k, capacity in enumerate(problem.capacities):
                used = sum(
                    problem.demands[i][k] for i in placed if start[i] <= u < start[i] + problem.durations[i]
                )
                if used + problem.demands[j][k] > capacity:
                    return False
        return True

    for j in order:
        t = max((start[p] + problem.durations[p] for p in preds[j]), default=0)
        while not fits(j, t):
            t += 1
        start[j] = t
        placed.append(j)
    return start


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems())
def test_the_fast_sgs_places_every_job_at_its_earliest_feasible_start(problem):
    order = problem.topological()
    horizon = sum(problem.durations) + 1
    fast = _sgs(problem, order, problem.predecessors(), horizon)
    assert fast == _earliest_start_sgs(problem, order)
    assert feasible(problem, fast)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems())
def test_justifying_or_searching_around_a_schedule_never_lengthens_it(problem):
    starts, upper = rcpsp_schedule(problem, samples=0)
    shifted = [s + 2 for s in starts]  # a feasible schedule with slack before every job
    justified = justify(problem, shifted)
    assert feasible(problem, justified) and makespan(problem, justified) <= upper + 2
    found = neighbourhood_search(problem, shifted, until=0.0, rng=random.Random(1))
    assert found == shifted  # no time: the schedule given
    found = neighbourhood_search(problem, shifted, time.perf_counter() + 0.02, random.Random(1))
    assert feasible(problem, found) and makespan(problem, found) <= upper


def test_a_left_shift_is_found_by_justifying():
    """Two independent jobs placed one after the other with a gap: justified, both start at 0."""
    problem = Rcpsp([2, 3], [[1], [1]], [2], [[], []])
    assert makespan(problem, justify(problem, [4, 0])) == 3


@needs_psplib
def test_a_j30_file_has_the_priority_rules_horizon():
    instance = read_sm(PSPLIB / "j30" / "j301_1.sm")
    problem, _ = to_rcpsp(instance)
    periods = to_programme(instance).horizon.periods
    assert periods == rcpsp_schedule(problem, samples=0)[1] < instance.horizon  # 158 in the file
    assert periods >= 43  # the published optimum fits


@needs_psplib
@pytest.mark.slow
def test_probes_shorten_the_plan_where_the_bisection_is_stuck():
    """j609_2 (optimum 82, priority rules 93): the first bisection call (at 83) runs past 8 s on
    this machine; the probes below the best plan bring it down within 4 s."""
    problem, _ = to_rcpsp(read_sm(PSPLIB / "j60" / "j609_2.sm"))
    starts, upper = rcpsp_schedule(problem, samples=0)
    lower = problem.lower_bound()
    outcome = sat.sat_search(problem, lower, upper, seconds=4.0, starts=starts)
    assert outcome.starts is not None and feasible(problem, outcome.starts)
    assert 82 <= makespan(problem, outcome.starts) < upper


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems())
def test_the_search_that_starts_with_a_neighbourhood_search_still_finds_the_optimum(problem):
    """Every instance treated as costly to encode: the neighbourhood search runs first (its plan
    narrows the clauses) and the bisection after it still ends at the optimum."""
    starts, upper = rcpsp_schedule(problem, samples=0)
    optimum = brute_force(problem, upper)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sat, "ENCODING_LARGE", -1)
        patch.setattr(sat, "LOCAL_SHARE", 0.002)
        outcome = sat.sat_search(problem, 0, upper, seconds=5, starts=starts)
    assert outcome.finished and outcome.lower == optimum
    if outcome.starts is not None:
        assert feasible(problem, outcome.starts) and makespan(problem, outcome.starts) == optimum
    else:
        assert upper == optimum
