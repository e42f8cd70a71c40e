"""The app's fast paths give the answers of the slow ones (issue 18: speed by not repeating work).

Switching values bisect on a verdict asked of the score arrays instead of full score tables; the
sensitivity may reuse cost draws made under other weights; a report may be written from evidence
gathered before.  Each must equal the full computation exactly.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

import pandas as pd
import pytest

from engine.appraisal.evidence import gather
from engine.appraisal.scenario import load_scenario, run_scenario
from engine.appraisal.sensitivity import Sensitivity, weight_sensitivity
from engine.io.load import load_programme
from engine.programme.model import Programme
from engine.rules.ruleset import RuleSet, load_ruleset
from engine.scoring import switching
from engine.scoring.scores import ScoreTable, score
from engine.scoring.switching import (
    SwitchingValue,
    _with_cost,
    exception_recommended,
    recommended_by_exception,
    switching_values,
)
from engine.scoring.uncertainty import CostDraws, cost_draws
from tests.conftest import ROOT

RULES = load_ruleset(ROOT / "rules" / "default.yaml")
SHIPPED = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))


def _by_full_scoring(
    programme: Programme, rules: RuleSet, weights: Mapping[str, float] | None = None
) -> list[SwitchingValue]:
    """Switching values as they were worked out before: a full score table at every bisection step."""
    fast = switching.recommended_by_exception

    def full(
        p: Programme,
        r: RuleSet,
        e: str,
        m: str | None = None,
        w: Mapping[str, float] | None = None,
        options: pd.DataFrame | None = None,
    ) -> bool:
        return exception_recommended(p, r, e, m, w)

    switching.recommended_by_exception = full
    try:
        return switching_values(programme, rules, weights=weights)
    finally:
        switching.recommended_by_exception = fast


def test_the_verdict_from_arrays_is_the_score_tables_at_costs_either_side(gloucester):
    table = score(gloucester, RULES)
    asked = 0
    for _, row in table.exceptions.iterrows():
        exception, benchmark = str(row["option"]), str(row["benchmark_option"])
        for subject in (exception, benchmark):
            current = gloucester.option(subject).annual_cost
            for cost in (0.0, 0.5 * current, current, 1.7 * current, 3 * current):
                changed = _with_cost(gloucester, subject, cost)
                full = exception_recommended(changed, RULES, exception)
                assert recommended_by_exception(changed, RULES, exception, options=table.options) == full
                assert recommended_by_exception(changed, RULES, exception) == full
                asked += 1
    assert asked >= 30
    flips = {
        exception_recommended(_with_cost(gloucester, "finance-civica", c), RULES, "finance-civica")
        for c in (100_000, 400_000)
    }
    assert flips == {True, False}  # the cases asked include both verdicts


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED)
def test_switching_values_equal_those_of_full_rescoring_on_every_shipped_programme(name):
    programme = load_programme(ROOT / "scenarios" / f"{name}.yaml")
    for weights in (None, {"impact": 40.0, "cost": 10.0}):
        assert switching_values(programme, RULES, weights=weights) == _by_full_scoring(
            programme, RULES, weights
        )


def _same_sensitivity(a: Sensitivity, b: Sensitivity) -> None:
    assert (a.draws, a.seed, a.uncertain) == (b.draws, b.seed, b.uncertain)
    for frame in ("services", "exceptions", "tornado"):
        assert getattr(a, frame).equals(getattr(b, frame)), frame


def test_sensitivity_from_cost_draws_kept_from_other_weights_is_the_same(gloucester):
    kept: list[CostDraws] = []

    def keeping(table: ScoreTable, draws: int, seed: int) -> CostDraws:
        if not kept:
            kept.append(cost_draws(table, draws, seed))
        return kept[0]

    weight_sensitivity(gloucester, RULES, draws=200, seed=3, drawn_costs=keeping)  # made here
    weights = {"impact": 40.0, "outcomes": 5.0}
    reused = weight_sensitivity(gloucester, RULES, draws=200, seed=3, weights=weights, drawn_costs=keeping)
    fresh = weight_sensitivity(gloucester, RULES, draws=200, seed=3, weights=weights)
    assert len(kept) == 1 and reused.uncertain
    _same_sensitivity(reused, fresh)


def _parts(document: bytes) -> dict[str, bytes]:
    """A Word file's parts, less the creation time the writer stamps."""
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


@pytest.mark.slow
def test_a_report_from_evidence_gathered_before_is_the_same_report():
    from engine.report.run import report_downloads

    result = run_scenario(load_scenario(ROOT / "scenarios" / "gloucester-2015" / "county-first.yaml"))
    evidence = gather(result, draws=100, seed=1)
    again = gather(result, draws=100, seed=1, sensitivity=evidence.sensitivity, switching=evidence.switching)
    assert again.sensitivity is evidence.sensitivity and again.switching is evidence.switching
    public, exempt = report_downloads(result, draws=100, seed=1)
    given_public, given_exempt = report_downloads(result, draws=100, seed=1, evidence=again)
    assert _parts(given_public) == _parts(public)
    assert exempt is not None and given_exempt is not None
    assert _parts(given_exempt) == _parts(exempt)


def test_evidence_refuses_a_sensitivity_of_other_draws(gloucester):
    result = run_scenario(load_scenario(ROOT / "scenarios" / "gloucester-2015" / "county-first.yaml"))
    other = weight_sensitivity(result.loaded.programme, result.loaded.rules, draws=100, seed=2)
    with pytest.raises(ValueError, match="100 draws, seed 2"):
        gather(result, draws=100, seed=1, sensitivity=other)
