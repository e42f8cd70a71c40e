"""Each partner's own weights: its recommendations, where partners disagree, a plan's value to each."""

from __future__ import annotations

import json

import pytest

from engine.base.errors import RuleError
from engine.io.load import load_programme
from engine.io.records import programme_data
from engine.plan.result import Assignment, Plan
from engine.programme.model import Programme
from engine.rules.ruleset import load_ruleset
from engine.scoring.consensus import partner_tables, partner_views, plan_value_by_partner
from engine.scoring.scores import score
from tests.conftest import ROOT

RULES = load_ruleset(ROOT / "rules" / "default.yaml")
ESSEX = ROOT / "scenarios" / "essex-2010.yaml"


def test_each_partner_recommends_what_its_own_weights_score_highest():
    programme = load_programme(ESSEX)
    views = partner_views(programme, RULES)
    assert views.partners == ["braintree", "brentwood", "essex-cc"]
    frame = views.services.set_index("service")
    for partner in views.partners:
        own = score(programme, RULES, weights=programme.partner(partner).weights)
        assert own.services.set_index("service")["recommended"].to_dict() == frame[partner].to_dict()
        assert views.own_weights[partner] == own.weights
    shared = score(programme, RULES).services.set_index("service")["recommended"]
    assert frame["recommended"].to_dict() == shared.to_dict()
    for _, row in frame.iterrows():
        agreed = len({row["recommended"], *(row[p] for p in views.partners)}) == 1
        assert row["agreed"] == agreed
    # measured from today, the illustrative weights agree on every service; a partner that weighs
    # only the one-off cost would keep more as it is, and the views say where
    assert views.disagreements == []
    partners = tuple(
        p.model_copy(update={"weights": {"cost": 100, "impact": 1}}) if p.id == "brentwood" else p
        for p in programme.partners
    )
    frugal = partner_views(programme.model_copy(update={"partners": partners}), RULES)
    assert frugal.disagreements and set(frugal.disagreements) < set(frame.index)


def test_partners_without_weights_share_the_programme_weights():
    programme = load_programme(ROOT / "scenarios" / "gloucester-2015.yaml")
    views = partner_views(programme, RULES)
    assert views.disagreements == []
    assert all(t is views.tables[views.partners[0]] for t in views.tables.values())


def test_unknown_criterion_in_a_partners_weights_is_named():
    data = programme_data(load_programme(ESSEX))
    data["partners"][1]["weights"] = {"speed": 10}
    programme = Programme.model_validate(data)
    with pytest.raises(RuleError) as caught:
        partner_tables(programme, RULES)
    problem = caught.value.problems[0]
    assert "partner `brentwood` weights" in problem.message and "speed" in problem.message
    assert problem.field == "partners[brentwood].weights"


def test_plan_value_is_each_partners_share_of_its_score_gain():
    programme = load_programme(ESSEX)
    tables = partner_tables(programme, RULES)
    service = programme.service("procurement")
    option = next(o for o in programme.options_for("procurement") if not o.is_status_quo)
    plan = Plan(
        programme=programme.id,
        periods=programme.horizon.periods,
        assignments=(
            Assignment(
                service="procurement",
                option=option.id,
                provider=option.provider,
                start=0,
                duration=option.duration,
            ),
        ),
    )
    values = plan_value_by_partner({a.service: a.option for a in plan.assignments}, programme, tables)
    for partner, table in tables.items():
        scores = table.options.set_index("option")["score"]
        status_quo = next(o for o in programme.options_for("procurement") if o.is_status_quo)
        expected = service.shares[partner] * (scores[option.id] - scores[status_quo.id])
        assert values[partner] == pytest.approx(expected, abs=1e-12)


def test_score_by_partner_command(capsys):
    from tests.test_cli import run

    code, out, _ = run(capsys, "score", str(ESSEX), "--by-partner", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["partners"] == ["braintree", "brentwood", "essex-cc"]
    assert data["disagreements"] == [r["service"] for r in data["services"] if not r["agreed"]]
