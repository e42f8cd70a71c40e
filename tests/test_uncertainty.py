"""Cost draws: the stacked evaluation equals re-scoring each drawn programme; exceptions under costs."""

from __future__ import annotations

import numpy as np
import pytest

from engine.appraisal.sensitivity import weight_sensitivity
from engine.io.load import load_programme
from engine.rules.ruleset import load_ruleset
from engine.scoring.recommend import mou_choice
from engine.scoring.scores import score
from engine.scoring.uncertainty import cost_draw_columns, cost_draw_scores, uncertain_options
from tests.conftest import ROOT

RULES = load_ruleset(ROOT / "rules" / "default.yaml")
GLOUCESTER = ROOT / "scenarios" / "gloucester-2015.yaml"


def _with_costs(programme, costs: dict[str, dict[str, float]]):
    options = tuple(o.model_copy(update=costs.get(o.id, {})) for o in programme.options)
    return programme.model_copy(update={"options": options})


@pytest.mark.parametrize("method", ["wsm", "topsis"])
def test_each_cost_draw_scores_as_the_programme_with_those_costs(method):
    programme = load_programme(GLOUCESTER)
    table = score(programme, RULES, method=method)
    assert uncertain_options(table)  # the shipped file gives ranges
    draws, seed = 5, 11
    columns = cost_draw_columns(table, draws, seed)
    criteria = table.criteria()
    weights = np.random.default_rng(3).dirichlet(np.ones(len(criteria)) * 5, size=draws)
    scores, eligible = cost_draw_scores(table, weights, draws, seed)
    n = len(table.table)
    rows = table.table.rows
    for d in range(draws):
        costs = {
            o.id: {c: float(columns[f"option.{c}"][d * n + i]) for c in ("annual_cost", "one_off_cost")}
            for i, (_, o) in enumerate(rows)
            if o.ranges
        }
        for option_id, drawn in costs.items():
            low_high = programme.option(option_id).ranges
            for cost, value in drawn.items():
                if cost in low_high:
                    assert low_high[cost][0] <= value <= low_high[cost][1]
        full = score(
            _with_costs(programme, costs),
            RULES,
            method=method,
            weights=dict(zip(criteria, weights[d], strict=True)),
        )
        np.testing.assert_allclose(scores[:, d], full.options["score"].to_numpy(), rtol=1e-9, equal_nan=True)
        assert (eligible[:, d] == full.options["eligible"].to_numpy()).all()
        chosen = mou_choice(programme, table.options, scores[:, [d]], eligible[:, [d]]).chosen
        recommended = full.services.set_index("service")["recommended"]
        option = table.options["option"].to_numpy()
        for service in programme.services:
            pick = chosen[service.id][0]
            assert (option[pick] if pick >= 0 else None) == recommended[service.id]


def test_cost_draws_are_seeded_and_reported_per_source():
    programme = load_programme(GLOUCESTER)
    first = weight_sensitivity(programme, RULES, draws=200, seed=5)
    again = weight_sensitivity(programme, RULES, draws=200, seed=5)
    assert first.exceptions.equals(again.exceptions) and first.services.equals(again.services)
    assert first.uncertain == ["hr-bureau", "ict-county"]
    columns = set(first.exceptions.columns)
    assert {"P(recommended)", "P(recommended: weights only)", "P(recommended: costs only)"} <= columns
    without = weight_sensitivity(programme, RULES, draws=200, seed=5, costs=False)
    assert without.uncertain == [] and "P(recommended: costs only)" not in without.exceptions.columns
    # weights alone: the same figure whether or not costs are drawn alongside
    assert np.allclose(without.exceptions["P(recommended)"], first.exceptions["P(recommended: weights only)"])


def test_a_range_that_only_makes_the_exception_dearer_never_helps_it():
    programme = load_programme(GLOUCESTER)
    civica = programme.option("finance-civica")  # not recommended now, but close (see the draws)
    fixed = (civica.one_off_cost, civica.one_off_cost)

    def costs_only(low: float, high: float) -> float:
        ranged = {civica.id: {"ranges": {"annual_cost": (low, high), "one_off_cost": fixed}}}
        result = weight_sensitivity(_with_costs(programme, ranged), RULES, draws=400, seed=2)
        row = result.exceptions.set_index("exception").loc[civica.id]
        assert not row["recommended now"]
        return float(row["P(recommended: costs only)"])

    value = civica.annual_cost
    cheaper, dearer = costs_only(0.6 * value, value), costs_only(value, 1.4 * value)
    assert dearer == 0.0  # never cheaper than the figure that already falls short
    assert 0.0 < cheaper < 1.0  # a cheaper price would sometimes carry it over the MoU margin


def test_a_changed_copy_of_a_programme_never_keeps_the_old_options():
    programme = load_programme(GLOUCESTER)
    programme.option("hr-bureau")  # fill the cached lookups
    dearer = programme.model_copy(
        update={
            "options": tuple(
                o.model_copy(update={"annual_cost": o.annual_cost + 1}) for o in programme.options
            )
        }
    )
    assert dearer.option("hr-bureau").annual_cost == programme.option("hr-bureau").annual_cost + 1
    assert programme.model_copy().option("hr-bureau") == programme.option("hr-bureau")
