"""The partner exit stress test (`ssplan exit`): who is affected, the plan after, each partner's
money, checked against the same programme written by hand without the partner."""

from __future__ import annotations

import json
from datetime import date

import pytest
import yaml

from engine.appraisal.exit import partner_exit
from engine.appraisal.finance import plan_finance
from engine.cli import main
from engine.io.load import load_programme, parse_programme
from engine.io.shipped import shipped_rules
from engine.optimise.solve import solve
from engine.plan.settings import PlanSettings
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score
from tests.conftest import DATA, ROOT
from tests.leaks import hits, needles

RULES = load_ruleset(shipped_rules())


def _shared() -> dict:
    """tests/data/small.yaml with HR shared 60/40 by the City and the Other council."""
    data = yaml.safe_load((DATA / "small.yaml").read_text())
    data["services"][0]["shares"] = {"city": 0.6, "other": 0.4}
    data["options"] = [o for o in data["options"] if o["provider"] != "other"]  # the Other provides nothing
    return data


def test_the_leavers_part_of_a_shared_service_leaves_with_it():
    """The Other council (40 % of HR) leaves now: HR's running cost and the County option's shrink
    to 60 % (£60,000 and £48,000), the one-off cost stays £10,000, the City holds all of HR. The
    City's money after equals planning that programme written by hand."""
    programme = parse_programme(yaml.safe_dump(_shared()), "shared.yaml")
    analysis = partner_exit(programme, RULES, "other")
    assert analysis.receives == ["hr"] and analysis.provides == []
    hand = _shared()
    hand["partners"] = [p for p in hand["partners"] if p["id"] != "other"]
    hand["services"][0].update(annual_cost=60000, shares={"city": 1.0})
    hand["options"][0]["annual_cost"] = 48000
    by_hand = parse_programme(yaml.safe_dump(hand), "by-hand.yaml")
    result = solve(by_hand, PlanSettings(), score(by_hand, RULES))
    assert result.plan is not None and analysis.after.plan.plan is not None
    assert analysis.after.plan.plan.assignments == result.plan.assignments
    expected = plan_finance(result.plan, by_hand).by_partner.set_index("partner")["npv"]
    after = dict((p, a) for p, _, a in analysis.npv_by_partner())
    assert after["city"] == pytest.approx(float(expected["city"]), abs=0.01)
    assert "other" not in after or after["other"] is None
    before = dict((p, b) for p, b, _ in analysis.npv_by_partner())
    assert before["other"] is not None and before["other"] > 0  # it had a share of HR's savings
    # who pays the £10,000 one-off: 60/40 before (£6,000 and £4,000), the City alone after
    assert analysis.money_before is not None and analysis.money_after is not None
    paid_before = analysis.money_before.by_partner.set_index("partner")["one_off"]
    paid_after = analysis.money_after.by_partner.set_index("partner")["one_off"]
    assert (paid_before["city"], paid_before["other"]) == pytest.approx((6000, 4000))
    assert paid_after["city"] == pytest.approx(10000) and "other" not in paid_after


def test_a_provider_leaving_on_a_date_must_be_replaced_before_then():
    """The County leaves Gloucester on 1 January 2017: audit and communications, delivered by the
    County today, have no other option, so no plan can be made, and the advice says which."""
    programme = load_programme(ROOT / "scenarios" / "gloucester-2015.yaml")
    analysis = partner_exit(programme, RULES, "glos-cc", date(2017, 1, 1))
    assert {"audit", "communications"} <= set(analysis.provides)
    assert analysis.after.plan.plan is None
    audit = programme.service("audit").name  # named, not by its id
    assert any(audit in line and "partners of the programme" in line for line in analysis.after.plan.advice)


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_the_command_in_json_and_its_refusals(capsys):
    essex = str(ROOT / "scenarios" / "essex-2010.yaml")
    code, out, _ = _cli(capsys, "exit", essex, "brentwood", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["partner"] == "brentwood" and payload["plan_after"].startswith("optimal")
    assert {row["partner"] for row in payload["npv_by_partner"]} == {"braintree", "brentwood", "essex-cc"}
    for args, message in [
        (("nobody",), "unknown partner `nobody`"),
        (("brentwood", "--at", "2030-01-01"), "outside the programme's horizon"),
        (("brentwood", "--at", "1 May"), "expected a date written YYYY-MM-DD"),
    ]:
        code, out, err = _cli(capsys, "exit", essex, *args)
        assert code == 2 and message in out + err


def test_an_exit_in_public_never_shows_an_exempt_figure(capsys):
    """OneConnect's prices are exempt: the public exit names what it leaves out, gives no change
    of NPV made from a withheld figure, and no exempt figure appears."""
    path = ROOT / "scenarios" / "lancaster-2011.yaml"
    code, out, _ = _cli(capsys, "exit", str(path), "oneconnect")
    assert code == 0 and "Left out of the figures (exempt)" in out
    assert hits(out, needles(load_programme(path), RULES)) == []
    assert "(+£" not in out and "(−£" not in out
    code, out, _ = _cli(capsys, "exit", str(path), "oneconnect", "--include-exempt")
    assert "NOT FOR PUBLICATION" in out


def test_an_exit_from_a_dissolving_partnership_keeps_its_hand_backs_whole():
    """The County leaves the dissolution programme now: ICT stops being shared, so its hand-back
    goes; the plan is still made, and nothing it changes fails (a hand-back is never scaled)."""
    programme = load_programme(DATA / "dissolution.yaml")
    analysis = partner_exit(programme, RULES, "county")
    assert analysis.after.plan.plan is not None
    assert "ict-back" not in {o.id for o in analysis.after.loaded.programme.options}
    assert len(analysis.notes()) == 1 and "exception rule no longer applies" in analysis.notes()[0]
