"""Independent parts solved apart (``engine.optimise.decompose``): which services a row links, and
on small random programmes built of independent groups, the joined optimum equals the whole
model's and the exhaustive oracle's (``tests.test_oracle``) on every objective."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.optimise.decompose import components, join, parts, solve_parts
from engine.optimise.instance import build_instance
from engine.optimise.run import Outcome, build_model, run
from engine.plan.result import Assignment, Plan, PlanStatus
from engine.plan.settings import PlanSettings
from engine.plan.verify import verify
from engine.programme.model import Programme
from engine.scoring.scores import score
from tests.test_oracle import RULES, _check, _oracle_settings


def _programme(
    groups: list[int],
    spend: list[int],
    deps: list[tuple[int, int]],
    budget: float | None = None,
    **extra: Any,
) -> Programme:
    """Service ``i`` in group ``groups[i]`` (its option puts demand on pool ``pool{g}`` only), with
    one-off cost ``spend[i]``; ``deps`` as (before, after) indices."""
    services, options = [], []
    for i, group in enumerate(groups):
        services.append({"id": f"s{i}", "name": f"Service {i}", "owner": "city", "annual_cost": 100000})
        options.append(
            {
                "id": f"s{i}-a",
                "service": f"s{i}",
                "provider": "county",
                "model": "s101_delegation",
                "one_off_cost": spend[i],
                "annual_cost": 60000 + 10000 * i,
                "duration": 2,
                "demand": {f"pool{group}": 2},
            }
        )
    data: dict[str, Any] = {
        "id": "parts",
        "name": "Independent parts",
        "horizon": {"start": "2016-04-01", "period": "quarter", "periods": 5},
        "partners": [
            {"id": "city", "name": "City", "kind": "city"},
            {"id": "county", "name": "County", "kind": "county", "default_provider": True},
        ],
        "services": services,
        "options": options,
        "dependencies": [{"before": f"s{a}", "after": f"s{b}"} for a, b in deps],
        "resources": [{"id": f"pool{g}", "name": f"Pool {g}", "capacity": 2} for g in sorted(set(groups))],
        **extra,
    }
    if budget is not None:
        data["budget"] = {"per_financial_year": budget}
    return Programme.model_validate(data)


def _components(programme: Programme, **settings: Any) -> list[list[str]]:
    instance = build_instance(programme, PlanSettings(**settings), score(programme, RULES))
    return components(instance)


def test_pools_dependencies_and_budget_link_services_and_nothing_else_does():
    # pools 0 and 1 apart; s2 -> s3 links pool 1's users with s3 (pool 2)
    programme = _programme([0, 0, 1, 2], [0, 0, 0, 0], [(2, 3)])
    assert _components(programme) == [["s0", "s1"], ["s2", "s3"]]
    # a budget links the services that spend one-off money, and only those
    spenders = _programme([0, 1, 2, 3], [10000, 0, 20000, 0], [], budget=1_000_000)
    assert _components(spenders) == [["s0", "s2"], ["s1"], ["s3"]]


@pytest.mark.parametrize(
    "settings",
    [{"objective": "maxmin"}, {"objective": "makespan"}, {"consensus": True}, {"max_concurrent": 3}],
)
def test_what_holds_every_service_at_once_makes_one_part(settings: dict[str, Any]):
    programme = _programme([0, 1, 2], [0, 0, 0], [])
    assert _components(programme, **settings) == [["s0", "s1", "s2"]]


def test_small_components_share_one_model_and_large_ones_have_their_own():
    programme = _programme([0, 0, 1, 2], [0, 0, 0, 0], [])
    instance = build_instance(programme, PlanSettings(), score(programme, RULES))
    assert [list(p.jobs) for p in parts(instance)] == [["s0", "s1", "s2", "s3"]]  # all small: one model
    assert [list(p.jobs) for p in parts(instance, small=1)] == [["s2"], ["s3"], ["s0", "s1"]]
    # 4 starts each (5 quarters, 2 long): s0 with s1 has 8, so at 5 it is alone and s2, s3 share one
    assert [list(p.jobs) for p in parts(instance, small=5)] == [["s2", "s3"], ["s0", "s1"]]


def _plan(*starts: tuple[str, int]) -> Plan:
    return Plan(
        programme="parts",
        periods=5,
        assignments=tuple(
            Assignment(service=s, option=f"{s}-a", provider="county", start=t, duration=2) for s, t in starts
        ),
    )


def test_join_counts_the_funding_constant_once_and_proves_only_what_every_part_proves():
    programme = _programme([0, 1], [0, 0], [])
    instance = build_instance(programme, PlanSettings(objective="savings"), score(programme, RULES))
    offset = instance.objective_offset
    a = (Outcome(PlanStatus.OPTIMAL, 10.0 + offset, 10.0 + offset, 0.0), _plan(("s0", 1)))
    b = (Outcome(PlanStatus.FEASIBLE, 5.0 + offset, 6.0 + offset, 0.2), _plan(("s1", 0)))
    outcome, plan = join(instance, [a, b])
    assert (outcome.status, outcome.objective, outcome.bound) == (
        PlanStatus.FEASIBLE,
        15 + offset,
        16 + offset,
    )
    assert plan is not None and [x.service for x in plan.assignments] == ["s1", "s0"]  # by start
    both = join(instance, [a, (Outcome(PlanStatus.OPTIMAL, 5.0 + offset, 5.0 + offset, 0.0), b[1])])[0]
    assert (both.status, both.objective) == (PlanStatus.OPTIMAL, 15 + offset)
    none = join(instance, [a, (Outcome(PlanStatus.NO_SOLUTION, None, 7.0 + offset, None), None)])
    assert none[0].status == PlanStatus.NO_SOLUTION and none[1] is None
    assert none[0].bound == pytest.approx(17 + offset)
    infeasible = join(instance, [a, (Outcome(PlanStatus.INFEASIBLE, None, None, None), None)])
    assert infeasible[0].status == PlanStatus.INFEASIBLE


@st.composite
def grouped(draw: Any) -> tuple[Programme, dict[str, Any]]:
    """2–4 services in two groups that share no pool or dependency; a budget (only group 0 spends
    one-off money under it) or none; block or ignore; a forced service sometimes."""
    count = draw(st.integers(2, 4))
    groups = [i % 2 if i < 2 else draw(st.integers(0, 1)) for i in range(count)]
    budget = draw(st.sampled_from([None, 30000, 60000]))
    spend = [draw(st.sampled_from([0, 20000, 50000])) if budget is None or g == 0 else 0 for g in groups]
    pairs = [(a, b) for a in range(count) for b in range(a + 1, count) if groups[a] == groups[b]]
    deps = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=2)) if pairs else []
    deferred = draw(st.sampled_from(["block", "ignore"]))
    programme = _programme(groups, spend, deps, budget, settings={"deferred_dependency": deferred})
    forced = draw(st.lists(st.sampled_from([f"s{i}" for i in range(count)]), unique=True, max_size=1))
    return programme, {"force_in": tuple(forced)}


@pytest.mark.slow
@_oracle_settings(40)
@given(grouped())
def test_the_joined_optimum_is_the_whole_models_and_the_oracles(case: tuple[Programme, dict[str, Any]]):
    programme, forced = case
    table = score(programme, RULES)
    for objective in ("value", "savings"):
        settings = PlanSettings(objective=objective, gap=0.0, time_limit=60, **forced)
        instance = build_instance(programme, settings, table)
        assert len(components(instance)) >= 2  # the groups are apart
        pieces = parts(instance, small=1)
        assert len(pieces) >= 2
        whole, _ = run(build_model(instance), settings)
        joined, plan = solve_parts_with(pieces, instance)
        assert joined.status == whole.status
        if whole.status == PlanStatus.OPTIMAL:
            assert joined.objective == pytest.approx(whole.objective, rel=1e-9, abs=1e-6)
            assert plan is not None and not verify(plan, programme, settings)
    with mock.patch("engine.optimise.decompose.SMALL_PART", 1):  # every component its own model
        _check(programme, forced)  # the product's solve, split, against exhaustive enumeration


def solve_parts_with(pieces: list[Any], instance: Any) -> tuple[Outcome, Plan | None]:
    """The parts solved apart and joined, as :func:`solve_parts` does with its own cut."""
    return join(instance, [run(build_model(piece), piece.settings) for piece in pieces])


def test_solve_parts_on_one_part_is_the_plain_model():
    programme = _programme([0, 0], [0, 0], [(0, 1)])
    instance = build_instance(programme, PlanSettings(gap=0.0), score(programme, RULES))
    assert parts(instance)[0] is instance
    outcome, plan = solve_parts(instance)
    plain, _ = run(build_model(instance), instance.settings)
    assert outcome.status == plain.status == PlanStatus.OPTIMAL and plan is not None
    assert outcome.objective == pytest.approx(plain.objective)


def test_a_watched_search_is_one_model_so_every_plan_shown_is_whole():
    """Someone watching a search sees whole plans: with a watcher the programme is not split, and
    each better plan passed on holds every service the joined plan does."""
    from engine.optimise import anytime
    from engine.plan.progress import Progress

    programme = _programme([0, 0, 1, 2], [0, 0, 0, 0], [])
    instance = build_instance(programme, PlanSettings(gap=0.0), score(programme, RULES))
    assert len(parts(instance, small=1)) >= 2
    seen: list[Any] = []
    with mock.patch("engine.optimise.decompose.SMALL_PART", 1):
        split, _ = solve_parts(instance)
        with (
            anytime.watching(Progress(on_progress=seen.append)),
            mock.patch("engine.optimise.decompose.build_model", wraps=build_model) as built,
        ):
            watched, plan = solve_parts(instance)
    assert built.call_count == 1
    assert watched.objective == pytest.approx(split.objective) and plan is not None
