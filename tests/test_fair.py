"""Issue 16 points 1–3: a fair status quo, a scale-free MoU test, rules that speak in months."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.base.errors import RuleError
from engine.io.load import load_programme, parse_programme
from engine.io.records import programme_data
from engine.programme.model import Programme
from engine.programme.money import GREEN_BOOK, change_npv_by_start
from engine.programme.synth import random_programme
from engine.rules.context import option_table
from engine.rules.ruleset import RuleSet, load_ruleset, parse_ruleset
from engine.scoring.scores import ScoreTable, score
from tests.conftest import ROOT

RULES = load_ruleset(ROOT / "rules" / "default.yaml")
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
seeds = st.integers(min_value=0, max_value=2**32 - 1)
FEW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ 1. a fair status quo
def _never_below_doing_nothing(table: ScoreTable) -> int:
    """Every eligible change with NPV > 0, outcomes no worse than today (3) and no penalty for risk
    scores above its service's status quo; returns how many such changes there were."""
    frame = table.options[table.options["eligible"].astype(bool)]
    today = frame[frame["status_quo"]].set_index("service")["score"]
    checked = 0
    for i, row in frame.iterrows():
        option = table.table.rows[int(str(i))][1]
        outcome = option.attributes.get("outcome")
        fair = row["npv"] > 0 and (outcome is None or outcome >= 3) and option.risk != "high"
        if fair and not row["status_quo"] and row["service"] in today:
            assert row["score"] > today[row["service"]], (row["option"], row["score"], row["npv"])
            checked += 1
    return checked


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_a_change_with_positive_npv_never_ranks_below_doing_nothing_on_the_shipped_programmes(path):
    table = score(load_programme(path), RULES)
    assert _never_below_doing_nothing(table) > 0  # the property is not vacuous on any of them
    assert (table.options.loc[table.options["status_quo"], "score"] == 0).all()


@FEW
@given(seed=seeds, quarterly=st.booleans())
def test_a_change_with_positive_npv_never_ranks_below_doing_nothing_on_generated_programmes(seed, quarterly):
    _never_below_doing_nothing(score(random_programme(seed, services=8, quarterly=quarterly), RULES))


def test_gloucester_finance_admin_now_beats_doing_nothing(gloucester):
    """£65 k a year for £80 k one-off: under min–max it scored 0.419 against the status quo's 0.425."""
    frame = score(gloucester, RULES).options.set_index("option")
    assert frame.at["finance-county", "score"] > frame.at["finance-admin-status-quo", "score"] == 0


def test_option_npv_is_the_finances_own(gloucester):
    table = option_table(gloucester, {})
    for (_, option), npv in zip(table.rows, table.columns["option.npv"], strict=True):
        assert npv == pytest.approx(change_npv_by_start(gloucester, option, [0], GREEN_BOOK)[0], abs=1e-6)


def test_change_values_lie_in_minus_one_to_one_and_the_status_quo_is_zero(gloucester):
    table = score(gloucester, RULES)
    frame = table.options[table.options["eligible"].astype(bool)]
    values = frame[[f"{c}.normalised" for c in table.criteria()]].to_numpy()
    assert np.nanmin(values) >= -1 and np.nanmax(values) <= 1
    assert np.isclose(np.abs(values[:, [0, 3, 4]]).max(), 1)  # impact, cost and time share one £ scale
    assert (frame.loc[frame["status_quo"], [f"{c}.normalised" for c in table.criteria()]] == 0).all().all()


def test_with_no_quick_win_the_criterion_gives_nobody_full_marks(lancaster):
    frame = score(lancaster, RULES).options
    assert (frame.loc[frame["eligible"].astype(bool), "quick_wins.normalised"] == 0).all()


def test_an_adjustment_that_leaves_a_criterion_scale_is_an_error(gloucester):
    rules = parse_ruleset(
        "id: over\nname: Over\nnormalisation: change\ncriteria:\n"
        "  - {id: saving, name: Saving, weight: 1, expr: service.annual_cost - option.annual_cost}\n"
        "adjustments:\n"
        "  - {id: boost, when: 'not option.is_status_quo', criterion: saving, add: 0.5, text: a boost}\n",
        "over.yaml",
    )
    with pytest.raises(RuleError) as caught:
        score(gloucester, rules)
    text = str(caught.value)
    assert "adjustment `boost` puts criterion `saving` of option `ict-county` at 1.500" in text
    assert "outside its scale [-1, 1]" in text and "over.yaml" in text


# ------------------------------------------------------------------ 2. a scale-free MoU test
def _verdicts(table: ScoreTable, services: set[str] | None = None) -> dict[str, tuple[Any, ...]]:
    frame = table.exceptions
    if services is not None:
        frame = frame[frame["service"].isin(services)]
    return {
        str(r["option"]): (
            r["benchmark_option"],
            bool(r["passes_margin"]),
            round(float(r["required_npv"]), 4),
        )
        for _, r in frame.iterrows()
    }


def _affine(rules: RuleSet, criteria: set[str], a: float, b: float) -> RuleSet:
    data = rules.model_dump()
    for c in data["criteria"]:
        if c["id"] in criteria:
            c["expr"] = f"{a!r} * ({c['expr']}) + {b!r}"
    return RuleSet.model_validate(data)


MONEY = {"impact", "cost", "time"}


@FEW
@given(
    seed=seeds,
    criterion=st.sampled_from(["impact", "outcomes", "cost", "time", "money"]),
    a=st.floats(0.01, 100),
    b=st.floats(-1e6, 1e6),
)
def test_the_exception_verdict_is_invariant_to_an_affine_rescaling_of_a_criterion(seed, criterion, a, b):
    """The MoU test (benchmark, pass or fail, NPV needed) never moves; where the rescaled criterion
    has a scale of its own (outcomes), or the whole £ unit is rescaled alike, no score moves either,
    so neither does any recommendation.  (Rescaling one money criterion alone takes it off the £
    scale it shares: scores may then move, the MoU test still does not.)"""
    programme = random_programme(seed, services=6)
    criteria = MONEY if criterion == "money" else {criterion}
    before, after = score(programme, RULES), score(programme, _affine(RULES, criteria, a, b))
    assert _verdicts(before) == _verdicts(after)
    if criterion in ("outcomes", "money"):
        assert np.allclose(before.options["score"], after.options["score"], equal_nan=True)
        assert before.exceptions["verdict"].tolist() == after.exceptions["verdict"].tolist()


def _with_option(programme: Programme, option: dict[str, Any]) -> Programme:
    data = programme_data(programme)
    data["options"].append(option)
    return Programme.model_validate(data)


def _worse_copy(programme: Programme, source: str, service: str | None = None) -> dict[str, Any]:
    """A copy of option ``source`` (moved to ``service`` if given) that costs more and saves less:
    dominated by its source on every criterion when left in the same service."""
    data = programme_data(programme)
    option = copy.deepcopy(next(o for o in data["options"] if o["id"] == source))
    option["id"] = f"{source}-worse"
    option["annual_cost"] = float(option["annual_cost"]) * 1.1 + 1000
    option["one_off_cost"] = float(option.get("one_off_cost", 0)) * 2 + 1000
    option.get("attributes", {})["outcome"] = 1
    if service is not None:
        option["service"] = service
        option.pop("follows", None)
    return option


@FEW
@given(seed=seeds, pick=st.integers(0, 10**6))
def test_the_exception_verdict_is_invariant_to_adding_an_unrelated_or_dominated_option(seed, pick):
    programme = random_programme(seed, services=6)
    before = score(programme, RULES)
    changes = [o for o in programme.options if not o.is_status_quo and not o.follows]
    if not changes:
        return
    source = changes[pick % len(changes)]
    dominated = score(_with_option(programme, _worse_copy(programme, source.id)), RULES)
    after = _verdicts(dominated)
    assert {k: v for k, v in after.items() if k != f"{source.id}-worse"} == _verdicts(before)
    others = [s.id for s in programme.services if s.id != source.service]
    if others:
        target = others[pick % len(others)]
        moved = score(_with_option(programme, _worse_copy(programme, source.id, target)), RULES)
        kept = {s.id for s in programme.services} - {target}
        assert _verdicts(moved, kept) == _verdicts(before, kept)


def test_the_verdict_states_margin_unit_and_reading(gloucester):
    from engine.plan.disclosure import Disclosure
    from engine.present.tables import ranking_text

    text = ranking_text(score(gloucester, RULES), Disclosure.of(gloucester, include_exempt=True))
    assert "the margin of 5% of the benchmark's NPV (in £)" in text
    assert "this is the programme's reading of the MoU's 'greater value' (the MoU gives no margin)" in text


def test_a_zero_benchmark_needs_a_positive_npv():
    """No option of the default provider: the benchmark is the status quo (NPV 0), so an exception
    with a negative NPV fails however the scores fall, and one with a positive NPV passes."""
    base = """
id: zero
name: Zero
horizon: {{start: 2016-04-01, periods: 12}}
partners:
  - {{id: city, name: City, kind: city}}
  - {{id: county, name: County, kind: county, default_provider: true}}
  - {{id: other, name: Other, kind: district}}
services:
  - {{id: hr, name: HR, owner: city, annual_cost: 100000}}
options:
  - {{id: hr-other, service: hr, provider: other, model: shared_service, annual_cost: {cost},
     one_off_cost: 50000, attributes: {{outcome: 5}}}}
exception_policy: {{client: city, margin: 0.05, final_decision: City Council Cabinet}}
"""
    for cost, passes in ((99000, False), (80000, True)):
        table = score(parse_programme(base.format(cost=cost)), RULES)
        (row,) = table.exceptions.to_dict("records")
        assert row["benchmark_option"] == "hr-status-quo" and row["benchmark_npv"] == 0
        assert row["passes_margin"] is passes or bool(row["passes_margin"]) == passes


# ------------------------------------------------------------------ 3. periods in months
def _quick(period: str, duration: int) -> bool:
    text = f"""
id: q
name: Q
horizon: {{start: 2016-04-01, period: {period}, periods: 8}}
partners:
  - {{id: city, name: City, kind: city}}
services:
  - {{id: hr, name: HR, owner: city, annual_cost: 100000}}
options:
  - {{id: hr-new, service: hr, provider: city, model: in_house, annual_cost: 90000, duration: {duration},
     earliest_start: 2016-10-01}}
"""
    programme = parse_programme(text)
    table = score(programme, RULES)
    columns = table.table.columns
    row = [o.id for _, o in table.table.rows].index("hr-new")
    months = 3 if period == "quarter" else 1
    assert columns["option.duration_months"][row] == duration * months
    assert columns["option.earliest_start_month"][row] == 6
    assert columns["horizon.months"][row] == 8 * months
    return bool(table.values["quick_win"][row])


def test_a_quick_win_means_the_same_on_a_monthly_and_a_quarterly_programme():
    assert _quick("month", 3) and _quick("quarter", 1)  # three months either way
    assert not _quick("month", 6) and not _quick("quarter", 2)  # six months is not quick
    assert not _quick("month", 9) and not _quick("quarter", 3)  # Lancaster's "3 periods" was 9 months
