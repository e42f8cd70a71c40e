"""Issue 19, the what-if loop: a model solved before in this process is recalled, not solved again.

Under the savings and max-min objectives the model does not read the weights, so a weight moved
re-builds the model solved before; its proven answer is recalled by the model's exact content
(``engine.optimise.reuse``).  What must hold: a recalled answer is exactly the fresh solve's; the
key follows every number of the model and no name; a stopped (time-limited) answer is never kept;
the store is bounded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pulp
import pytest

from engine.io.load import load_programme
from engine.io.shipped import shipped_rules
from engine.optimise import reuse
from engine.optimise.highs import HandOver, matrix
from engine.optimise.instance import build_instance
from engine.optimise.run import build_model, run
from engine.optimise.solve import solve
from engine.plan.result import PlanStatus
from engine.plan.settings import PlanSettings
from engine.programme.synth import random_programme, seeded_programme
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score
from tests.conftest import DATA

RULES = load_ruleset(shipped_rules())
WEIGHTS = [{"impact": 30, "outcomes": 25, "time": 15}, {"impact": 10, "outcomes": 40, "time": 30}]


def _programme():  # type: ignore[no-untyped-def]
    return random_programme(11, services=8, periods=18, pools=2, dependency_density=0.2)


def _no_solver(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count HiGHS runs from here on."""
    calls: list[int] = []
    original = HandOver.actualSolve

    def counted(self: HandOver, lp: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(self, lp, *args, **kwargs)

    monkeypatch.setattr(HandOver, "actualSolve", counted)
    return calls


@pytest.mark.parametrize("objective", ["savings", "maxmin"])
def test_a_weight_move_under_a_money_objective_recalls_the_proven_plan(objective: str, monkeypatch):
    programme = _programme()
    settings = PlanSettings(objective=objective)
    calls = _no_solver(monkeypatch)
    first = solve(programme, settings, score(programme, RULES, weights=WEIGHTS[0]))
    assert first.status == PlanStatus.OPTIMAL and len(calls) == 1 and reuse.kept() == 1
    recalled = reuse.recalled()
    again = solve(programme, settings, score(programme, RULES, weights=WEIGHTS[1]))
    assert len(calls) == 1, "the same model was solved again"
    assert reuse.recalled() == recalled + 1
    assert again.status == PlanStatus.OPTIMAL
    assert again.plan == first.plan
    assert (again.objective_value, again.bound, again.gap) == (first.objective_value, first.bound, first.gap)


def test_the_value_objective_reads_the_weights_so_a_move_solves_afresh(monkeypatch):
    programme = _programme()
    settings = PlanSettings(objective="value")
    calls = _no_solver(monkeypatch)
    for weights in WEIGHTS:
        assert (
            solve(programme, settings, score(programme, RULES, weights=weights)).status == PlanStatus.OPTIMAL
        )
    assert len(calls) == 2 and reuse.kept() == 2


def test_a_recalled_answer_is_the_fresh_solves_with_the_funding_added_once():
    programme = load_programme(DATA / "funded.yaml")
    settings = PlanSettings(objective="savings")
    table = score(programme, RULES)
    fresh = solve(programme, settings, table)
    assert fresh.status == PlanStatus.OPTIMAL and reuse.kept() == 1
    recalled = solve(programme, settings, table)
    reuse.forget()
    again = solve(programme, settings, table)
    assert recalled.plan == again.plan == fresh.plan
    assert recalled.objective_value == pytest.approx(again.objective_value, rel=1e-12)
    assert build_instance(programme, settings, table).objective_offset != 0  # funding is counted


def _model(objective: str = "savings"):  # type: ignore[no-untyped-def]
    programme = _programme()
    return build_model(build_instance(programme, PlanSettings(objective=objective), score(programme, RULES)))


def test_the_key_follows_every_number_and_no_name():
    model = _model()
    lp = matrix(model.problem)
    base = reuse.key(lp, True, 1e-4)
    assert reuse.key(matrix(_model().problem), True, 1e-4) == base  # built again: the same content
    assert reuse.key(lp, True, 1e-3) != base  # another gap proves something else
    assert reuse.key(lp, False, 1e-4) != base  # the relaxation is another model
    for field in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        changed = matrix(model.problem)
        values = np.array(getattr(changed, field), dtype=np.float64)
        values[len(values) // 2] = (
            0.0 if abs(values[len(values) // 2]) >= 1e30 else values[len(values) // 2] + 1
        )
        setattr(changed, field, values)
        assert reuse.key(changed, True, 1e-4) != base, field
    changed = matrix(model.problem)
    coefficients = np.array(changed.a_matrix_.value_, dtype=np.float64)
    coefficients[-1] *= 1.5
    changed.a_matrix_.value_ = coefficients
    assert reuse.key(changed, True, 1e-4) != base
    for var in model.problem.variables():  # names are not content
        var.name = var.name + "_renamed"
    assert reuse.key(matrix(model.problem), True, 1e-4) == base


def test_a_time_limited_answer_is_never_kept(monkeypatch):
    programme = seeded_programme(40)
    settings = PlanSettings(objective="savings", time_limit=0.2)
    model = build_model(build_instance(programme, settings, score(programme, RULES)))
    monkeypatch.setattr("engine.optimise.run.handover_seconds", lambda problem, seconds: 0.0)
    outcome, _ = run(model, settings)  # 40 services take HiGHS a second or more to prove
    assert outcome.status in (PlanStatus.FEASIBLE, PlanStatus.NO_SOLUTION)
    assert reuse.kept() == 0


def test_the_store_keeps_the_most_recently_used_answers_only():
    answer = reuse.Proven(1.0, 1.0, 0.0, np.zeros(3))
    for n in range(reuse.LIMIT):
        reuse.remember(n.to_bytes(4, "big"), answer)
    assert reuse.recall((0).to_bytes(4, "big")) is answer  # used: now the most recent
    reuse.remember(reuse.LIMIT.to_bytes(4, "big"), answer)
    assert reuse.kept() == reuse.LIMIT
    assert reuse.recall((1).to_bytes(4, "big")) is None  # the least recently used went
    assert reuse.recall((0).to_bytes(4, "big")) is answer


def _starts(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each HiGHS run from here on was handed a MIP start."""
    seen: list[bool] = []
    original = HandOver.buildSolverModel

    def watched(self: HandOver, lp: Any) -> None:
        seen.append(self.start is not None)
        original(self, lp)

    monkeypatch.setattr(HandOver, "buildSolverModel", watched)
    return seen


def test_a_weight_move_under_the_value_objective_starts_from_the_last_plan(monkeypatch):
    programme = _programme()
    value, savings = PlanSettings(objective="value"), PlanSettings(objective="savings")
    seen = _starts(monkeypatch)
    for weights in WEIGHTS:
        solve(programme, value, score(programme, RULES, weights=weights))
    assert seen == [False, True]
    solve(programme, savings, score(programme, RULES))  # money objectives take no start
    narrower = PlanSettings(objective="value", force_out=(programme.services[0].id,))
    solve(programme, narrower, score(programme, RULES, weights=WEIGHTS[0]))  # another shape: no start
    assert seen == [False, True, False, False]


@pytest.mark.parametrize("seed", [3, 5, 8])
def test_a_started_solve_proves_the_same_optimum_as_a_fresh_one(seed: int, monkeypatch):
    programme = random_programme(seed, services=8, periods=18, pools=2, dependency_density=0.2)
    settings = PlanSettings(objective="value", gap=0.0)
    draws = [{"impact": 10 + 7 * n, "outcomes": 40 - 5 * n, "time": 5 + 3 * n} for n in range(3)]
    seen = _starts(monkeypatch)
    started = [solve(programme, settings, score(programme, RULES, weights=w)) for w in draws]
    assert any(seen), "no move kept the model's shape: nothing was started"
    fresh = []
    for weights in draws:
        reuse.forget()
        fresh.append(solve(programme, settings, score(programme, RULES, weights=weights)))
    for a, b in zip(started, fresh, strict=True):
        assert a.status == b.status == PlanStatus.OPTIMAL
        assert a.objective_value == pytest.approx(b.objective_value, rel=1e-9, abs=1e-12)


def test_a_model_with_a_constant_objective_is_solved_as_pulp_solves_it():
    """PuLP adds a dummy column to such a model while solving, so its matrix is not built ahead."""
    model = _model()
    model.problem.setObjective(pulp.LpAffineExpression(0))
    plans = []
    for _ in range(2):  # the second time PuLP has left its dummy column in, with a cost of 0
        outcome, plan = run(model, PlanSettings(objective="savings"))
        assert outcome.status == PlanStatus.OPTIMAL and outcome.objective == 0
        plans.append(plan)
    assert plans[0] is not None and plans[0] == plans[1]


def test_a_maximum_and_the_minimum_of_its_negated_costs_are_kept_apart():
    """The matrix of a maximum has its costs negated, so max 3x + 2y and min -3x - 2y hand HiGHS the
    same model; their answers are each other's negation, so the key holds the sense too."""
    import pulp

    def problem(sense: int, sign: float) -> pulp.LpProblem:
        made = pulp.LpProblem("p", sense)
        x, y = made.add_variable("x", 0, 1, cat="Binary"), made.add_variable("y", 0, 1, cat="Binary")
        made += sign * (3 * x + 2 * y)
        made += x + y <= 1
        return made

    highest, lowest = problem(pulp.LpMaximize, 1.0), problem(pulp.LpMinimize, -1.0)
    assert list(matrix(highest).col_cost_) == list(matrix(lowest).col_cost_)  # one model to HiGHS
    assert reuse.key(matrix(highest), True, 1e-4, highest.sense) != reuse.key(
        matrix(lowest), True, 1e-4, lowest.sense
    )
