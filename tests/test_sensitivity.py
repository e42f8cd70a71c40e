"""Weight sensitivity: the fast path agrees with full re-scoring, and the seed fixes the answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engine.appraisal.sensitivity import _scores, weight_sensitivity
from engine.io.load import load_programme
from engine.rules.ruleset import load_ruleset
from engine.scoring.recommend import mou_choice, priorities
from engine.scoring.scores import score
from tests.conftest import ROOT, SHIPPED

RULES = load_ruleset(ROOT / "rules" / "default.yaml")


@pytest.mark.parametrize("method", ["wsm", "topsis"])
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_fast_path_matches_full_scoring_draw_by_draw(path, method):
    programme = load_programme(path)
    table = score(programme, RULES, method=method)
    criteria = table.criteria()
    draws = np.random.default_rng(7).dirichlet(np.ones(len(criteria)) * 5, size=6)
    fast = _scores(table, draws)
    chosen = mou_choice(programme, table.options, fast).chosen
    ranks = priorities(programme, table.options, fast, chosen)
    option = table.options["option"].to_numpy()
    for d, weights in enumerate(draws):
        full = score(programme, RULES, method=method, weights=dict(zip(criteria, weights * 100, strict=True)))
        np.testing.assert_allclose(fast[:, d], full.options["score"].to_numpy(), rtol=1e-9, equal_nan=True)
        recommended = full.services.set_index("service")["recommended"]
        for service in programme.services:
            pick = chosen[service.id][d]
            assert (option[pick] if pick >= 0 else None) == recommended[service.id]
        priority = full.services.set_index("service")["priority"]
        assert [int(ranks[i, d]) for i in range(len(programme.services))] == [
            int(priority[s.id]) for s in programme.services
        ]


@pytest.mark.parametrize("method", ["wsm", "topsis"])
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_mou_rule_over_a_batch_equals_it_draw_by_draw(path, method):
    """Scoring applies the rule to one draw, sensitivity to a batch: the same rule, the same answers."""
    programme = load_programme(path)
    table = score(programme, RULES, method=method)
    draws = np.random.default_rng(5).dirichlet(np.ones(len(table.criteria())) * 2, size=8)
    scores = _scores(table, draws)
    batch = mou_choice(programme, table.options, scores)
    ranks = priorities(programme, table.options, scores, batch.chosen)
    for d in range(len(draws)):
        one = mou_choice(programme, table.options, scores[:, [d]])
        for service in programme.services:
            assert batch.chosen[service.id][d] == one.chosen[service.id][0]
            assert batch.benchmark[service.id][d] == one.benchmark[service.id][0]
        assert (batch.passes[:, d] == one.passes[:, 0]).all()
        assert {n: bool(w[d]) for n, w in batch.won.items()} == {n: bool(w[0]) for n, w in one.won.items()}
        assert (ranks[:, d] == priorities(programme, table.options, scores[:, [d]], one.chosen)[:, 0]).all()


def test_same_seed_same_answer_and_base_recommendations(gloucester):
    first = weight_sensitivity(gloucester, RULES, draws=300, seed=3)
    again = weight_sensitivity(gloucester, RULES, draws=300, seed=3)
    assert first.services.equals(again.services) and first.exceptions.equals(again.exceptions)
    other = weight_sensitivity(gloucester, RULES, draws=300, seed=4)
    assert not first.services.equals(other.services)
    base = score(gloucester, RULES).services.set_index("service")["recommended"].to_dict()
    assert first.services.set_index("service")["recommended"].to_dict() == base
    probabilities = first.services["P(same recommendation)"]
    assert ((probabilities >= 0) & (probabilities <= 1)).all()


def test_tighter_concentration_is_more_stable(gloucester):
    loose = weight_sensitivity(gloucester, RULES, draws=500, seed=1, concentration=5)
    tight = weight_sensitivity(gloucester, RULES, draws=500, seed=1, concentration=500)
    assert tight.services["P(same recommendation)"].mean() > loose.services["P(same recommendation)"].mean()


def test_tornado_lists_every_criterion(gloucester):
    tornado = weight_sensitivity(gloucester, RULES, draws=10).tornado
    assert set(tornado["criterion"]) == {c.id for c in RULES.criteria}
    assert {"low: recommendations changed", "high: priority shift"} <= set(tornado.columns)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_tornado_puts_the_longest_bars_at_the_top(path):
    """A bar is both sides together (the chart draws half and one and a half times the weight):
    recommendations changed first, then places moved, largest at the top (Gloucester's quick wins,
    2 + 2 places, used to sit below impact's 2 because only the larger side counted)."""
    tornado = weight_sensitivity(load_programme(path), RULES, draws=10).tornado
    length = [
        (
            row["low: recommendations changed"] + row["high: recommendations changed"],
            row["low: priority shift"] + row["high: priority shift"],
        )
        for _, row in tornado.iterrows()
    ]
    assert length == sorted(length, reverse=True)
    if path.stem == "gloucester-2015":  # where the order has something to show
        assert length[0] > length[-1]
        assert tornado["criterion"].iloc[0] == "quick_wins"


def test_replanning_draws_do_not_depend_on_the_number_of_workers():
    from engine.appraisal.sensitivity import replan_sensitivity

    path = str(ROOT / "scenarios" / "essex-2010" / "baseline.yaml")
    ticks = []
    one = replan_sensitivity(path, draws=4, seed=9, workers=1, progress=lambda: ticks.append(1))
    two = replan_sensitivity(path, draws=4, seed=9, workers=2)
    assert one.equals(two) and len(ticks) == 4
    assert set(one.columns) == {"service", "P(changes)", "P(first wave)", "most frequent option"}
    assert ((one["P(changes)"] >= 0) & (one["P(changes)"] <= 1)).all()


@pytest.mark.slow
def test_replanning_on_a_dask_cluster_equals_the_local_run():
    """Workers in this process (no worker processes to start) but behind TCP rather than Dask's
    in-process transport, so the scenario, the tasks and the outcomes are still serialised and sent
    as they would be to a remote cluster."""
    distributed = pytest.importorskip("distributed")
    from engine.appraisal.sensitivity import replan_sensitivity

    path = str(ROOT / "scenarios" / "gloucester-2015" / "tight-capacity.yaml")
    local = replan_sensitivity(path, draws=6, seed=4, workers=1)
    ticks = []
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://")
        assert all(w.address.startswith("tcp://") for w in cluster.workers.values())
        remote = replan_sensitivity(
            path, draws=6, seed=4, scheduler=cluster.scheduler_address, progress=lambda: ticks.append(1)
        )
    pd.testing.assert_frame_equal(local, remote)
    assert len(ticks) == 6


def test_an_unreachable_scheduler_is_named(monkeypatch):
    pytest.importorskip("distributed")
    import engine.appraisal.sensitivity as sensitivity
    from engine.base.errors import SsplanError

    monkeypatch.setattr(sensitivity, "CONNECT_TIMEOUT", "1s")
    path = str(ROOT / "scenarios" / "essex-2010" / "baseline.yaml")
    with pytest.raises(SsplanError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"):
        sensitivity.replan_sensitivity(path, draws=2, scheduler="tcp://127.0.0.1:9")


def test_a_scenario_is_drawn_under_its_own_method_and_weights():
    """The command line, the app and a report's evidence draw a scenario through scenario_sensitivity:
    it must use the scenario's method and weights, not the rule set's."""
    from dataclasses import replace

    from engine.appraisal.scenario import load_scenario
    from engine.appraisal.sensitivity import scenario_sensitivity

    loaded = load_scenario(ROOT / "scenarios" / "gloucester-2015" / "county-first.yaml")
    criteria = [c.id for c in loaded.rules.criteria]
    weights = {criteria[0]: 60.0, criteria[-1]: 5.0}
    own = replace(
        loaded, scenario=loaded.scenario.model_copy(update={"method": "topsis", "weights": weights})
    )
    drawn = scenario_sensitivity(own, draws=120, seed=6, concentration=20, first_wave=2, costs=False)
    by_hand = weight_sensitivity(
        loaded.programme,
        loaded.rules,
        draws=120,
        seed=6,
        concentration=20,
        first_wave=2,
        method="topsis",
        weights=weights,
        costs=False,
    )
    for name in ("services", "exceptions", "tornado"):
        pd.testing.assert_frame_equal(getattr(drawn, name), getattr(by_hand, name))
    assert drawn.uncertain == [] and "P(in the first 2)" in drawn.services
    plain = scenario_sensitivity(loaded, draws=120, seed=6, concentration=20, first_wave=2, costs=False)
    assert not plain.tornado.equals(drawn.tornado)
