"""Words, names and numbers the browser audit of the app found wrong (issue 18, the audit's seven
findings), checked where the words are made (engine/present and the sentence builders), so the
CLI and the report say them right too.  The app's own wiring is in tests/test_ui_appwords.py."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from engine.appraisal.public import public_plan
from engine.appraisal.scenario import CapacityOverride, Scenario, prepare_scenario, run_scenario
from engine.io.load import load_programme
from engine.plan.advice import BUDGET, Raise, counted, run_text
from engine.plan.disclosure import public_reason
from engine.present.frames import (
    WITHHELD,
    cell_text,
    exceptions_frame,
    ranking_frame,
    shown_texts,
    summary_cells,
    switching_frame,
)
from engine.present.robustness import exception_chances
from engine.present.words import (
    for_the_app,
    metric_words,
    option_phrase,
    payback_words,
    pounds,
    saved_as,
    score_text,
    when_text,
)
from engine.programme.exempt import WITHHELD_REASON
from engine.rules.ruleset import load_ruleset
from engine.scoring.scores import score
from engine.scoring.ties import near_ties
from tests.conftest import ROOT

GLOUCESTER = ROOT / "scenarios" / "gloucester-2015.yaml"
LANCASTER = ROOT / "scenarios" / "lancaster-2011.yaml"
RULES = load_ruleset(ROOT / "rules" / "default.yaml")


# 1. a reason that does not rest on exempt figures is not hidden; the app names its switch
@pytest.fixture(scope="module")
def lancaster_no_capacity():
    programme = load_programme(LANCASTER)
    capacities = {p.id: CapacityOverride(capacity=0.0, overrides={}) for p in programme.resources}
    scenario = Scenario(name="cap0", base="(test)", capacities=capacities)
    return run_scenario(prepare_scenario(scenario, programme, RULES, Path("cap0.yaml")), reasons=True)


def test_a_reason_of_officer_days_is_shown_in_public_on_lancaster_with_no_capacity(lancaster_no_capacity):
    result = lancaster_no_capacity
    shown = public_plan(result.plan, False, result.scores).left_out
    assert result.scores.secret_scales()  # the value objective's scores are on a secret scale
    assert shown["ict"].startswith("cannot fit: ") and "officer days" in shown["ict"]
    assert shown["ict"] == result.plan.left_out["ict"]  # days and periods: nothing exempt in it
    assert WITHHELD_REASON not in shown.values()


def test_only_a_reason_of_money_or_scores_is_withheld():
    days = "cannot fit: PM days in Aug 2016 must rise from 0 to 40 (+40)"
    money = "cannot fit: the one-off budget for 2016/17 must rise from £13,000 to £16,000 (+£3,000)"
    loss = (
        "worth changing on its own, but forcing it in lowers the best plan's objective by 0.0123 value points"
    )
    dates = "no option fits the time its partners are in the programme (County Council leaves 1 Jun 2016)"
    assert public_reason(days, True, True, WITHHELD_REASON) == days
    assert public_reason(money, False, True, WITHHELD_REASON) == (
        "cannot fit: the one-off budget for 2016/17 must rise from £[exempt] to £[exempt] (+£[exempt])"
    )
    # the service's own secret cost: which years fall short bounds it even with the £ masked
    assert public_reason(money, True, True, WITHHELD_REASON) == WITHHELD_REASON
    assert public_reason(money, False, False, WITHHELD_REASON) == money  # nothing secret: as it is
    assert public_reason(loss, True, False, WITHHELD_REASON) == WITHHELD_REASON
    assert public_reason(loss, False, True, WITHHELD_REASON) == loss
    assert public_reason(dates, True, True, WITHHELD_REASON) == dates


def test_the_app_names_its_switch_where_the_cli_names_its_flag():
    said = for_the_app(f"ICT: {WITHHELD_REASON}")
    assert "--include-exempt" not in said
    switch = '(switch on "Show confidential (exempt) figures" to see it)'
    assert said == f"ICT: the reason rests on exempt figures {switch}"


# 2. withheld figures read "withheld", a banded score its band, missing ones blank (never None)
def test_exceptions_read_withheld_where_a_price_is_exempt():
    table = score(load_programme(GLOUCESTER), RULES)
    frame = exceptions_frame(table)
    texts = shown_texts(frame)
    hidden = table.public_exceptions()["score"].isna().to_numpy()
    assert hidden.any()  # Gloucester's scores are on a scale an exempt price sets
    for column in ("Score", "NPV", "Benchmark NPV"):
        assert [t == WITHHELD for t in texts[column]] == list(hidden), column
        assert "None" not in texts[column] and "nan" not in texts[column]
    vales = score(load_programme(ROOT / "scenarios" / "three-vales-2016.yaml"), RULES)
    with_figures = shown_texts(exceptions_frame(vales))["NPV"]
    assert with_figures and all(t.lstrip("−").startswith("£") for t in with_figures)  # public: £


def test_a_banded_score_shows_its_band_on_lancaster():
    table = score(load_programme(LANCASTER), RULES)
    frame = ranking_frame(table, near_ties(table))
    texts = shown_texts(frame)
    assert frame["Score"].isna().any()  # the numbers underneath: the band is no number
    for column in ("Gain", "Score"):
        assert all(t and t not in {"None", "nan"} for t in texts[column]), texts[column]
    assert any("–" in t for t in texts["Score"])  # "0.4–0.5"


def test_money_cells_carry_the_minus_before_the_pound_and_blank_when_missing():
    assert pounds(-162_900) == "−£162,900"
    assert cell_text("Net", -162_900.0) == "−£162,900"
    assert cell_text("Net", float("nan")) == "" and cell_text("Score", None) == ""
    assert cell_text("Score", 0.51234) == "0.512"
    frame = pd.DataFrame({"Net": [-162_900.0, 0.0, math.nan]})
    assert shown_texts(frame) == {"Net": ["−£162,900", "£0", ""]}


# 3. an option id that is also a partner's id reads as the option
def test_an_option_sharing_a_partners_id_reads_as_the_option():
    programme = load_programme(GLOUCESTER)
    assert programme.partner("hr-bureau") and programme.option("hr-bureau")
    chances = pd.DataFrame({"exception": ["hr-bureau"], "recommended now": [False], "P(recommended)": [0.1]})
    named = exception_chances(chances, programme)["Exception"][0]
    hr = programme.service(programme.option("hr-bureau").service).name
    assert named.startswith(f"{hr}: ") and programme.partner("hr-bureau").name in named
    flips = [{"exception": "hr-bureau", "moving": "x", "what would flip it": "y"}]
    assert switching_frame(flips, programme)["Exception"][0] == named


# 4. one convention for money; nothing below zero that is zero; payback in the Plan page's words
def test_a_score_that_rounds_to_nothing_is_zero():
    assert score_text(-1e-12) == "0.000" and score_text(-0.0004) == "0.000"
    assert score_text(-0.0006) == "-0.001"


def test_compare_says_payback_as_the_plan_page_does():
    summary = pd.DataFrame(
        {
            "scenario": ["baseline", "no capacity", "spends", "no plan"],
            "services changing": [2, 0, 1, 0],
            "one-off cost (£)": [0.0, 0.0, 50_000.0, None],
            "payback (years)": [0.0, None, 2.94, None],
        }
    )
    cells = summary_cells(summary, load_programme(LANCASTER))["payback (years)"].tolist()
    assert cells == ["no spending", "no change, so no payback", "2.9", "no change, so no payback"]
    assert payback_words(None, False) == "not within the appraisal"


def test_a_long_payback_is_not_cut_short_in_a_metric():
    assert metric_words("2.9 years") == ("2.9 years", None)
    value, help = metric_words(payback_words(None, True))
    assert value == "none" and help == "No change, so no payback."


# 5. English
def test_advice_over_unequal_windows_gives_the_range_of_rises():
    run = [Raise("Officer days", "Q3 2011/12", 0, 0, 4), Raise("Officer days", "Q4 2011/12", 1, 0, 2)]
    text = run_text(run)
    assert text.endswith("must rise from 0 to between 2 and 4 (+2 to +4)")
    assert "by up to" not in text and "at most" not in text
    assert run_text([Raise(BUDGET, "2016/17", 0, 0, 5)]).endswith("(+£5)")


def test_counts_of_periods_are_english():
    assert counted(12, "month", "more ") == "12 more months"
    assert counted(1, "month", "more ") == "1 more month"
    assert counted(2, "quarter") == "2 quarters"


def test_an_option_is_the_object_of_a_sentence():
    lancaster = load_programme(LANCASTER)
    outsourced = next(o for o in lancaster.options if o.model == "outsourced")
    assert option_phrase(lancaster, outsourced.id).startswith("the option ‘outsourced with ")
    gloucester = load_programme(GLOUCESTER)
    s101 = next(o for o in gloucester.options if o.model == "s101_delegation")
    assert option_phrase(gloucester, s101.id).startswith("the s101 delegation with ")


def test_the_proof_of_a_plan_is_english():
    programme = load_programme(GLOUCESTER)
    scenario = Scenario(name="w", base="(test)")
    result = run_scenario(prepare_scenario(scenario, programme, RULES, Path("w.yaml")))
    assert result.plan.proof.startswith("proven optimal: no other choice of options and start dates")
    assert "candidate change(s)" not in result.plan.proof


# 6. times and saved files as people say them
def test_a_stored_time_reads_as_people_write_it():
    assert when_text("2026-12-02T06:39:47") == "2 Dec 2026, 06:39"
    assert when_text("not a time") == "not a time"


def test_a_saved_weight_set_is_named_not_pathed():
    said = saved_as("leader", "Working Together in Essex")
    assert said == "saved as ‘leader’ for Working Together in Essex" and "/" not in said
