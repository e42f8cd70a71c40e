"""Precedence rows as running sums (``engine.optimise.steps``): the same plans and optimum as the
disaggregated rows, in far fewer nonzeros; checked against the plain model on seeded programmes
and against exhaustive enumeration (``tests.test_oracle``) on every dependency kind."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pulp
import pytest
from hypothesis import given

from bench.general import seeded
from engine.optimise import steps
from engine.optimise.instance import build_instance
from engine.optimise.run import build_model, run
from engine.plan.result import PlanStatus
from engine.plan.settings import PlanSettings
from engine.programme.model import Programme
from engine.scoring.scores import score
from tests.test_oracle import RULES, _check, _oracle_settings, programmes

EVERY_MODEL = mock.patch("engine.optimise.steps.SPARSE_FROM", 0)
NO_MODEL = mock.patch("engine.optimise.steps.SPARSE_FROM", 10**12)


def _rows(problem: pulp.LpProblem) -> dict[str, Any]:
    return {row.name: row for row in problem.constraints()}


def _nonzeros(problem: pulp.LpProblem) -> int:
    return sum(len(row) for row in problem.constraints())


def _model(services: int, objective: str, sparse: bool) -> Any:
    programme = seeded(services, seed=services)
    instance = build_instance(programme, PlanSettings(objective=objective, gap=0.0), score(programme, RULES))
    with EVERY_MODEL if sparse else NO_MODEL:
        return build_model(instance)


def test_small_models_keep_the_plain_rows_and_large_ones_the_running_sums():
    assert not steps.worth_it(_model(12, "value", sparse=False))
    with mock.patch("engine.optimise.steps.SPARSE_FROM", 1):
        assert steps.worth_it(_model(12, "value", sparse=True))
    plain = _model(12, "value", sparse=False)
    assert not any(name.startswith(("started_by", "finished_by")) for name in _rows(plain.problem))


def test_running_sums_cut_the_precedence_nonzeros():
    plain, sparse = _model(40, "savings", sparse=False), _model(40, "savings", sparse=True)
    dense_rows, sparse_rows = _rows(plain.problem), _rows(sparse.problem)
    prec = [name for name in dense_rows if name.startswith("prec")]
    assert prec and set(prec) <= set(sparse_rows)  # the same rows, by name
    dense_prec = sum(len(dense_rows[n]) for n in prec)
    sparse_prec = sum(len(sparse_rows[n]) for n in prec)
    chains = _nonzeros(sparse.problem) - (_nonzeros(plain.problem) - dense_prec) - sparse_prec
    assert sparse_prec <= 3 * len(prec)  # S_b(τ), F_a(τ − lag) and, under 'ignore', any(a)
    assert sparse_prec + chains < dense_prec / 2


@pytest.mark.slow
@pytest.mark.parametrize("objective", ["value", "savings"])
def test_running_sums_give_the_plain_models_optimum(objective: str):
    answers = {}
    for sparse in (False, True):
        model = _model(12, objective, sparse)
        outcome, plan = run(model, model.instance.settings)
        assert outcome.status == PlanStatus.OPTIMAL and plan is not None
        answers[sparse] = outcome.objective
    assert answers[True] == pytest.approx(answers[False], rel=1e-9, abs=1e-6)


@pytest.mark.slow
@_oracle_settings(40)
@given(programmes(extended=True))
def test_running_sums_equal_enumeration_on_every_kind(case: tuple[Programme, dict[str, Any]]):
    programme, forced = case
    with EVERY_MODEL:  # every model of the oracle's programmes written with running sums
        _check(programme, forced)
