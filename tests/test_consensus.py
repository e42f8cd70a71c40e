"""Consensus of several partners: no one worse off, and the worst-off partner as well off as possible."""

from __future__ import annotations

import pytest

from engine.load import parse_programme
from engine.optimise import solve
from engine.plan import PlanSettings, PlanStatus, partner_benefits, verify
from engine.ruleset import load_ruleset, parse_ruleset
from engine.scoring import score
from tests.conftest import DATA, ROOT

EVERY_CHANGE = parse_ruleset(
    "id: any\nname: Any change\ncriteria:\n"
    "  - {id: change, name: Change, weight: 1, expr: 'option.is_status_quo ? 0 : 1'}\n"
)


@pytest.fixture()
def costly():
    """HR through the County costs £900,000 up front: the City would be worse off."""
    text = (DATA / "small.yaml").read_text().replace("one_off_cost: 10000", "one_off_cost: 900000")
    return parse_programme(text)


def test_without_consensus_a_partner_can_be_left_worse_off(costly):
    result = solve(costly, PlanSettings(), score(costly, EVERY_CHANGE))
    assert result.plan.by_service()["hr"].option == "hr-county"  # the quickest change wins on value
    assert partner_benefits(result.plan, costly)["city"] < 0
    assert any("worse off" in p for p in verify(result.plan, costly, PlanSettings(consensus=True)))


def test_consensus_keeps_every_partner_no_worse_off(costly):
    table = score(costly, EVERY_CHANGE)
    settings = PlanSettings(consensus=True)
    result = solve(costly, settings, table)
    assert result.status == PlanStatus.OPTIMAL
    # the County's option would leave the City worse off, and the other partner's does not beat
    # the MoU margin: HR (and payroll, which follows it) stay as they are
    assert "hr" not in result.plan.by_service() and "payroll" not in result.plan.by_service()
    assert all(v >= 0 for v in partner_benefits(result.plan, costly).values())
    # a what-if that overrules the margin finds the change that leaves no one worse off
    overruled = PlanSettings(consensus=True, fix_provider={"hr": "other"})
    result = solve(costly, overruled, table)
    assert result.plan.by_service()["hr"].option == "hr-other"
    assert verify(result.plan, costly, overruled) == []


def test_maxmin_lifts_the_worst_off_partner(essex):
    table = score(essex, load_ruleset(ROOT / "rules" / "default.yaml"))
    value = solve(essex, PlanSettings(objective="value"), table)
    fairest = solve(essex, PlanSettings(objective="maxmin"), table)
    worst = min(partner_benefits(fairest.plan, essex).values())
    assert worst >= min(partner_benefits(value.plan, essex).values())
    assert set(partner_benefits(fairest.plan, essex)) == {"braintree", "brentwood", "essex-cc"}
    assert fairest.objective_value == pytest.approx(worst, rel=1e-4)
