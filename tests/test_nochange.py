"""A plan that changes nothing says the true reason and claims no payback (issue 18, defect 3).

With every capacity at 0 and nothing forced, Gloucester's plan keeps every service as it is.  It
used to say "Payback 0.0 years" (payback counted from no spending at all); now the money says there
is nothing to pay back, and the headline says no change fits the capacity, not that none is worth it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.appraisal.public import finance_view, run_summary
from engine.appraisal.scenario import CapacityOverride, Scenario, prepare_scenario, run_scenario
from engine.io.load import load_programme
from engine.present.nochange import nothing_changes
from engine.report.implications import financial
from engine.rules.ruleset import load_ruleset
from tests.conftest import ROOT

GLOUCESTER = ROOT / "scenarios" / "gloucester-2015.yaml"
RULES = load_ruleset(ROOT / "rules" / "default.yaml")


def _run(capacity: float | None):
    programme = load_programme(GLOUCESTER)
    capacities = (
        {}
        if capacity is None
        else {p.id: CapacityOverride(capacity=capacity, overrides={}) for p in programme.resources}
    )
    scenario = Scenario(name="w", base="(test)", capacities=capacities)
    return run_scenario(prepare_scenario(scenario, programme, RULES, Path("w.yaml")), reasons=True)


@pytest.fixture(scope="module")
def no_capacity():
    return _run(0.0)


def test_with_no_capacity_nothing_changes_and_there_is_no_payback(no_capacity):
    result = no_capacity
    assert result.plan.plan is not None and not result.plan.plan.assignments
    money = finance_view(result, include_exempt=False)
    assert money is not None and money.no_change
    assert money.payback_years is None
    assert money.payback_text == "no change, so no payback"
    assert run_summary(result)["payback_years"] is None
    words = " ".join(str(block) for block in financial(result, money).blocks)
    assert "no change, so no payback" in words and "0.0 years" not in words


def test_with_no_capacity_the_headline_says_no_change_fits(no_capacity):
    reasons = no_capacity.plan.left_out
    assert any(r.startswith("cannot fit") for r in reasons.values())
    assert not any("scores better" in r for s, r in reasons.items() if s in {"hr", "ict", "property"})
    assert nothing_changes(reasons).startswith("No change fits the capacity")


def test_a_plan_with_changes_keeps_its_payback_in_years():
    money = finance_view(_run(None), include_exempt=False)
    assert money is not None and not money.no_change and money.payback_years is not None
    assert money.payback_text == f"{money.payback_years:.1f} years"


@pytest.mark.parametrize(
    ("reasons", "start"),
    [
        ({"a": "kept as it is by this what-if", "b": "kept as it is by this what-if"}, "This what-if keeps"),
        ({"a": "no option scores better than today, alone or for what it enables"}, "Under this what-if"),
        ({"a": "has no option to change to", "b": "cannot fit: x must rise"}, "No change fits"),
        ({}, "Under this what-if"),
    ],
)
def test_the_headline_follows_the_reasons(reasons, start):
    assert nothing_changes(reasons).startswith(start)
