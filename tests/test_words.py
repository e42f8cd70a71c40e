"""The words people read: names not ids, £ with separators, percentages, summarised advice, and
one colour per partner (engine.present.words, engine.programme.naming, engine.plan.advice,
engine.present.charts)."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from engine.base.errors import Problem
from engine.io.load import load_programme
from engine.plan.advice import BUDGET, Raise, run_text, runs
from engine.present.charts import money_bars_figure, partner_colours, provider_colours, tornado_figure
from engine.present.frames import (
    name_ids,
    problems_frame,
    ranking_frame,
    runs_frame,
    schedule_frame,
    summary_cells,
)
from engine.present.plain import assumed_lines, assumed_words, why_lines
from engine.present.words import id_help, level_text, names, percent, pounds, pounds_rounded, score_text
from engine.programme.naming import option_name
from engine.rules.ruleset import load_ruleset
from engine.scoring.assumed import assumed_inputs
from engine.scoring.scores import score
from engine.scoring.ties import near_ties
from tests.conftest import DATA, ROOT

GLOUCESTER = ROOT / "scenarios" / "gloucester-2015.yaml"


@pytest.fixture(scope="module")
def gloucester():
    return load_programme(GLOUCESTER)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (133333.3333, "£133,333"),
        (-121250, "−£121,250"),
        (0.4, "£0"),
        (-0.4, "£0"),
        (None, "—"),
        (math.nan, "—"),
    ],
)
def test_pounds_to_the_pound_with_separators(value, text):
    assert pounds(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2_204_000, "£2.20 m"),
        (152_153.73, "£152,000"),
        (950, "£950"),
        (-1_500_000, "−£1.50 m"),
        (999_600, "£1.00 m"),
    ],
)
def test_headline_money_as_officers_write_it(value, text):
    """The app's headline figures are written as the Cabinet report writes them."""
    assert pounds_rounded(value) == text
    assert pounds_rounded(None) == "—"


def test_percentages_and_scores():
    assert percent(0.873) == "87 %" and percent(0.035, 1) == "3.5 %" and percent(None) == "—"
    assert score_text(0.9468408906734891) == "0.947" and score_text(math.nan) == "—"


def test_options_are_named_by_model_and_provider(gloucester):
    assert option_name(gloucester, "hr-county-s101") == "s101 delegation with Gloucestershire County Council"
    assert option_name(gloucester, "hr-status-quo") == "keep as it is"
    assert option_name(gloucester, "no-such-option") == "no-such-option"
    every = names(gloucester)
    assert (
        every["hr"] == gloucester.service("hr").name and every["glos-cc"] == "Gloucestershire County Council"
    )
    assert every["hr-county-s101"] == f"{every['hr']}: s101 delegation with Gloucestershire County Council"
    assert every["hr-bureau"] == "Private HR and payroll bureau"  # an id of both: the partner


def _raise(i: int, amount: float = 3.0, words: str = "PM days", limit: float = 12.0) -> Raise:
    return Raise(words, f"M{i}", i, limit, amount)


def test_a_run_of_months_is_one_line_with_its_range():
    run = [
        Raise("PM days", label, i, 0.0, 3.0) for i, label in enumerate(["Jan 2016", "Feb 2016", "Mar 2016"])
    ]
    assert [run_text(r) for r in runs(run)] == [
        "PM days in the 3 months Jan 2016 – Mar 2016 must rise from 0 to 3 (+3) in each"
    ]


def test_runs_break_at_gaps_other_limits_and_other_levels():
    raised = [_raise(0), _raise(1), _raise(3), _raise(4, limit=6.0), _raise(5, words="AMEO days")]
    assert [[r.index for r in run] for run in runs(raised)] == [[0, 1], [3], [4], [5]]


def test_one_window_reads_as_before_and_unequal_rises_give_the_largest():
    assert run_text([Raise(BUDGET, "2016/17", 0, 13000, 3000)]) == (
        "the one-off budget for 2016/17 must rise from £13,000 to £16,000 (+£3,000)"
    )
    assert run_text([Raise("PM days", "Q1 2016/17", 0, 4, 1), Raise("PM days", "Q2 2016/17", 1, 4, 2.5)]) == (
        "PM days in the 2 quarters Q1 2016/17 – Q2 2016/17 must rise from 4 to between 5 and 6.5 (+1 to +2.5)"
    )


def test_each_partner_keeps_one_colour(gloucester):
    colours = partner_colours(gloucester)
    assert list(colours) == [p.id for p in gloucester.partners]
    assert len(set(colours.values())) == len(colours)  # no two partners share a colour
    assert partner_colours(load_programme(GLOUCESTER)) == colours  # the same on every load
    assert set(provider_colours(gloucester)) == {p.name for p in gloucester.partners}


def test_tornado_keeps_the_engines_order_and_draws_recommendations_changed():
    tornado = pd.DataFrame(
        {
            "criterion": ["cost", "impact"],
            "weight": [0.15, 0.3],
            "low: recommendations changed": [2, 0],
            "low: priority shift": [0, 1],
            "high: recommendations changed": [0, 0],
            "high: priority shift": [0, 0],
        }
    )
    figure = tornado_figure(tornado, {"cost": "Cost", "impact": "Impact"})
    changed = figure.data[0]  # weight × 0.5, recommendations changed
    assert list(changed.y) == ["Cost", "Impact"] and list(changed.x) == [-2, 0]
    assert list(figure.layout.yaxis.categoryarray) == ["Cost", "Impact"]
    assert list(figure.layout.xaxis.ticktext) == ["2", "1", "0", "1", "2"]  # counts either way, not negative


def test_money_bars_in_the_order_given_with_pound_labels():
    frame = pd.DataFrame({"scenario": ["zeta", "alpha"], "npv": [2_204_000.0, -5000.0]})
    figure = money_bars_figure(frame, "scenario", {"npv": "NPV"})
    assert list(figure.layout.xaxis.categoryarray) == ["zeta", "alpha"]
    assert list(figure.data[0].text) == ["£2.20 m", "−£5,000"]
    long = pd.DataFrame({"scenario": ["County savings of 8.5 %, not the 15 % targeted"], "npv": [1.0]})
    labels = money_bars_figure(long, "scenario", {"npv": "NPV"}).layout.xaxis.categoryarray
    assert labels == ("County savings of 8.5 %,<br>not the 15 % targeted",)


# ------------------------------------------------------------------ tables and plain English
RULES = ROOT / "rules" / "default.yaml"


@pytest.fixture(scope="module")
def scores(gloucester):
    return score(gloucester, load_ruleset(RULES))


def test_name_ids_replaces_whole_ids_only():
    lookup = {"hr": "HR", "hr-county": "HR by the County"}
    assert name_ids("hr-county from Jul 2015, then hr", lookup) == "HR by the County from Jul 2015, then HR"
    assert name_ids("shr and hr-x and hr_y", lookup) == "shr and hr-x and hr_y"  # not parts of other words


def test_name_ids_never_rewrites_a_figure_when_ids_are_numbers():
    """Ids may be all digits (`100`, `12`): the money and percentages around them stay figures."""
    lookup = {"100": "HR: shared service with Y", "12": "ICT: keep as it is", "5": "Audit"}
    text = "100 would be recommended if 12 moved from £100,000 to £112,500 (+£12,500, +12.5%) by 2016/17"
    assert name_ids(text, lookup) == (
        "HR: shared service with Y would be recommended if ICT: keep as it is moved from £100,000 to "
        "£112,500 (+£12,500, +12.5%) by 2016/17"
    )
    assert name_ids("5, 12 and 100.", lookup) == "Audit, ICT: keep as it is and HR: shared service with Y."


def test_the_ranking_names_every_service_and_recommendation(gloucester, scores):
    frame = ranking_frame(scores, near_ties(scores))
    assert list(frame.columns[:7]) == ["#", "Service", "Status", "Gain", "Score", "Tied with", "Recommended"]
    assert list(frame["Service"]) == list(scores.services["name"])
    first = scores.services.iloc[0]
    assert frame["Recommended"].iloc[0] == option_name(gloucester, first["recommended"])
    assert frame["Score"].iloc[0] == pytest.approx(first["score"])
    # HR and building control gain within 0.005 of each other: each names the other
    equal = dict(zip(frame["Service"], frame["Tied with"], strict=True))
    place = dict(zip(frame["Service"], frame["#"], strict=True))
    assert equal[gloucester.service("hr").name] == f"#{place[gloucester.service('building-control').name]}"


def test_an_assumed_rating_is_said_in_words(scores):
    assumed = assumed_inputs(scores)
    said = {assumed_words(scores, a) for items in assumed for a in items}
    assert "Outcome not rated, so it counts as 3, the middle of the 1–5 scale" in said
    lines = assumed_lines(scores, assumed)
    assert lines and not any("option.attributes" in line or "??" in line for line in lines)


def test_why_names_the_recommendation_and_keeps_exempt_scores_banded(gloucester, scores):
    lines = why_lines(scores, "hr")
    assert lines[0].startswith("**Recommended: s101 delegation with Gloucestershire County Council**")
    bureau = next(line for line in lines if "Private HR and payroll bureau" in line)
    assert "score band" in bureau and "counts most" not in bureau  # its price is exempt
    s101 = next(line for line in lines if line.startswith("- S101 delegation"))
    assert re.search(r"score 0\.\d{3} \(counts most: ", s101)
    assert not any(re.search(r"option\.|is_status_quo|\?\?", line) for line in lines)


def test_problems_are_placed_as_their_format_places_them():
    frame = problems_frame(
        [
            Problem(
                "expected a number ≥ 0", file="a.yaml", line=76, column=18, field="services[hr].annual_cost"
            ),
            Problem(
                "unknown partner", file="b.xlsx", sheet="options", row=4, column="provider", field="provider"
            ),
        ]
    )
    assert list(frame["Where"]) == ["line 76", "sheet options, row 4, column provider"]
    assert list(frame["Field"]) == ["services[hr].annual_cost", "provider"]


def test_compare_summary_cells_read_as_money(gloucester):
    summary = pd.DataFrame(
        {
            "scenario": ["a"],
            "objective value": [0.9468408906734891],
            "NPV (£)": [152153.7302],
            "payback (years)": [2.917],
            "exceptions": ["finance-civica (Civica)"],
        }
    )
    cells = summary_cells(summary, gloucester).iloc[0]
    assert cells["objective value"] == "0.947" and cells["NPV (£)"] == "£152,154"
    assert cells["payback (years)"] == "2.9"
    assert cells["exceptions"] == "Finance administration functions: outsourced with Civica (Civica)"


def test_schedule_and_runs_tables_by_name(gloucester):
    schedule = pd.DataFrame(
        {
            "service_name": ["HR"],
            "option": ["hr-county-s101"],
            "exception": [False],
            "start_label": ["Jul 2015"],
            "finish_label": ["Dec 2015"],
            "stages": [""],
        }
    )
    shown = schedule_frame(schedule, gloucester)
    assert shown["Change"].iloc[0] == "s101 delegation with Gloucestershire County Council"
    runs = runs_frame(
        [{"id": 1, "programme": "gloucester-2015", "decisions": 0, "created": "2026-12-01T21:08"}], gloucester
    )
    assert list(runs.columns) == ["Run", "Programme", "Decisions", "Stored"]
    assert runs["Programme"].iloc[0] == gloucester.name and runs["Stored"].iloc[0] == "1 Dec 2026, 21:08"


def test_an_id_tooltip_lists_each_name_with_its_id():
    text = id_help([("hr", "HR"), ("ict", "ICT"), ("audit", "Audit")], "Services", most=2)
    assert text == "Services by their id in the programme file: HR = `hr`; ICT = `ict`; and 1 more."


def _small_plan():  # type: ignore[no-untyped-def]
    from pathlib import Path

    from engine.appraisal.scenario import Scenario, prepare_scenario, run_scenario

    programme = load_programme(ROOT / "tests" / "data" / "small.yaml")
    loaded = prepare_scenario(Scenario(name="x", base="b"), programme, load_ruleset(RULES), Path("x.yaml"))
    return programme, run_scenario(loaded).plan


def test_both_gantts_colour_each_provider_as_its_partner(monkeypatch, tmp_path):
    import matplotlib.axes

    from engine.present.charts import gantt_figure, gantt_png

    programme, plan = _small_plan()
    assert not plan.to_frame().empty
    colours = {
        p.name: c for p, c in zip(programme.partners, partner_colours(programme).values(), strict=True)
    }
    figure = gantt_figure(plan)
    assert {t.name: t.marker.color for t in figure.data} == {
        name: colours[name] for name in set(plan.to_frame()["provider_name"])
    }
    drawn: list[str] = []
    barh = matplotlib.axes.Axes.barh
    monkeypatch.setattr(
        matplotlib.axes.Axes, "barh", lambda self, *a, **kw: drawn.append(kw["color"]) or barh(self, *a, **kw)
    )
    gantt_png(plan, tmp_path / "plan.png")
    assert drawn == [colours[name] for name in plan.to_frame()["provider_name"]]


def test_a_criterion_level_reads_as_money_or_a_plain_number():
    assert level_text(1566796.2128851884, money=True) == "£1.57 m"
    assert level_text(247886.47, money=True) == "£248,000"
    assert level_text(3.0, money=False) == "3" and level_text(0.4567, money=False) == "0.457"
    assert level_text(15667.2, money=False) == "15,667" and level_text(math.nan, money=False) == "—"


def test_options_that_would_read_the_same_carry_their_ids():
    """Two partners may share a display name: two options of one service with the same model and
    such partners would read alike, so each says its id; an option that reads uniquely does not."""
    from engine.io.load import parse_programme

    text = (DATA / "small.yaml").read_text()
    text = text.replace("{id: other, name: Other Council", "{id: other, name: County Council")
    text = text.replace("model: s101_delegation", "model: shared_service")
    programme = parse_programme(text, "twins.yaml")
    assert option_name(programme, "hr-county") == "shared service with County Council (hr-county)"
    assert option_name(programme, "hr-other") == "shared service with County Council (hr-other)"
    assert option_name(programme, "payroll-county") == "commercial contract with County Council"


def test_each_pools_use_has_room_and_its_unit():
    """Three Vales' one pool was drawn as a strip 70 px high with its axis numbers overlapping:
    each pool gets 220 px of plot besides the headings, its axis named by its unit."""
    from engine.present.charts import usage_figure

    programme, plan = _small_plan()
    figure = usage_figure(plan)
    pools = len(programme.resources)
    assert figure.layout.height >= 150 + 220 * pools
    titles = [figure.layout[f"yaxis{'' if i == 1 else i}"].title.text for i in range(1, pools + 1)]
    assert titles == [pool.unit for pool in programme.resources]


def test_the_plan_workbook_is_for_people():
    """The app's 'Plan (.xlsx)' held objective_value 0.4320053852180988, solver, shared_service,
    False and ids: now names, months and the plan's reasons in words (json and csv keep the ids)."""
    from engine.appraisal.scenario import load_scenario, run_scenario
    from engine.present.tables import plan_workbook
    from tests.test_injection import workbook_texts

    scenario = load_scenario(ROOT / "scenarios" / "gloucester-2015" / "county-first.yaml")
    result = run_scenario(scenario, reasons=True)
    texts = workbook_texts(plan_workbook(result.plan))
    programme = result.loaded.programme
    records = (*programme.services, *programme.options, *programme.partners, *programme.resources)
    ids = {r.id for r in records if re.search(r"[-_0-9]", r.id)}
    assert not {t for t in texts if any(re.search(rf"\b{re.escape(i)}\b", t) for i in ids)}
    planned = {programme.service(s).name for s in result.plan.to_frame()["service"]}
    assert planned <= texts and "Jul 2015" in texts
    assert {"solver", "objective_value", "shared_service", "highs"}.isdisjoint(texts)
    kept = {s.name for s in programme.services} - planned
    assert {f"Kept as it is: {name}" for name in kept} <= texts
    assert all(result.plan.left_out[s.id] in texts for s in programme.services if s.name in kept)


def test_a_date_reads_as_people_write_it():
    from datetime import date

    from engine.programme.calendar import day_text

    assert day_text(date(2013, 4, 1)) == "1 April 2013"
    assert day_text(date(2016, 6, 1), short=True) == "1 Jun 2016"
    assert day_text(date(2017, 3, 10)) == "10 March 2017"
