"""The public view: what an exempt price withholds, and what the programme may choose to publish."""

from __future__ import annotations

import math

import pytest

from engine.appraisal.public import finance_view, public_plan, run_summary
from engine.appraisal.scenario import load_scenario, run_scenario
from engine.io.load import load_programme
from engine.io.shipped import shipped_rules
from engine.plan.disclosure import Disclosure
from engine.programme.exempt import band
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score
from tests.conftest import ROOT

LANCASTER = ROOT / "scenarios" / "lancaster-2011.yaml"
RULES = load_ruleset(shipped_rules())


def test_a_score_is_banded_to_a_tenth():
    assert band(0.6286) == "0.6–0.7"
    assert band(0.7) == "0.7–0.8"
    assert band(-0.05) == "-0.1–0.0"
    assert band(math.nan) is None


def test_a_secret_options_score_is_banded_unless_the_programme_publishes_it():
    programme = load_programme(LANCASTER)
    public = score(programme, RULES).public_options().set_index("option")
    assert (
        math.isnan(public.at["ict-oneconnect", "score"])
        and public.at["ict-oneconnect", "score_band"] == "0.5–0.6"
    )
    assert math.isnan(public.at["ict-oneconnect", "impact.normalised"])
    # the largest saving is a secret one: it sets the £ scale impact, cost and time share, so every
    # option's value on them (and total) would give it back
    assert score(programme, RULES).secret_scales() == ["impact", "cost", "time"]
    assert math.isnan(public.at["ict-county", "impact.normalised"])
    assert math.isnan(public.at["ict-county", "score"]) and public.at["ict-county", "score_band"]
    gloucester = score(load_programme(ROOT / "scenarios" / "gloucester-2015.yaml"), RULES)
    assert gloucester.secret_scales() == []  # its scales are set by public prices
    assert not math.isnan(gloucester.public_options().set_index("option").at["hr-county-s101", "score"])
    settings = programme.settings.model_copy(update={"band_exempt_scores": False})
    published = score(programme.model_copy(update={"settings": settings}), RULES).public_options()
    published = published.set_index("option")
    assert not math.isnan(published.at["ict-oneconnect", "score"])
    assert math.isnan(published.at["ict-oneconnect", "impact.normalised"])  # the price's own value still not


def test_totals_leave_the_secret_options_out_and_name_them():
    result = run_scenario(load_scenario(ROOT / "scenarios" / "lancaster-2011" / "baseline.yaml"))
    hidden = Disclosure.of(result.loaded.programme).withheld_in(result.plan.plan)
    assert hidden == ["ict-oneconnect", "customer-access-oneconnect"] or set(hidden) == {
        "ict-oneconnect",
        "customer-access-oneconnect",
    }
    summary = run_summary(result)
    assert summary["objective_value"] is None and set(summary["left_out_as_exempt"]) == set(hidden)
    money = finance_view(result, include_exempt=False)
    assert money is not None and money.npv == pytest.approx(summary["npv"])
    assert result.finance is not None and money.npv != pytest.approx(result.finance.npv)
    full = run_summary(result, include_exempt=True)
    assert (
        full["npv"] == pytest.approx(result.finance.npv) and full["classification"] == "NOT FOR PUBLICATION"
    )


def test_the_plans_objective_value_is_withheld_with_a_notice():
    result = run_scenario(load_scenario(ROOT / "scenarios" / "lancaster-2011" / "baseline.yaml"))
    shown = public_plan(result.plan)
    assert shown.objective_value is None and shown.bound is None and "exempt" in shown.notice
    assert public_plan(result.plan, include_exempt=True).objective_value == result.plan.objective_value
