"""Staged options: a service that changes more than once (Legal into the County's shared service,
then a year after it goes live into a company the councils own, which joins the programme later).

The model and its located errors, round trips, the path the planner chooses, the money worked by
hand, membership stage by stage, and how plans show both stages."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.base.errors import InputError
from engine.io.load import dump_programme, load_programme, parse_programme, save_programme
from engine.optimise.solve import solve
from engine.plan.result import Assignment, Plan, partner_benefits, spend
from engine.plan.settings import PlanSettings
from engine.plan.verify import verify
from engine.present.tables import plan_text
from engine.programme.exempt import secret_options
from engine.programme.money import Appraisal, change_ledger, change_npv_by_start, plan_ledgers
from engine.programme.synth import random_programme
from tests.conftest import DATA

STAGED = DATA / "staged.yaml"
V = 1 / 1.035  # one year's Green Book discount


def _staged(**changes: object):
    programme = load_programme(STAGED)
    if not changes:
        return programme
    options = [o.model_copy(update=changes) if o.id == "legal-company" else o for o in programme.options]
    return programme.model_copy(update={"options": tuple(options)})


# ------------------------------------------------------------------ the model
def test_a_staged_option_is_presented_as_its_whole_path():
    """legal-shared takes 12 months, the gap 12, legal-company 12: the path takes 36 months, spends
    both one-off costs, runs at the company's cost, uses each stage's days at its own offset."""
    programme = _staged()
    path = programme.option("legal-company")
    assert [o.id for o in programme.options_for("legal")] == [
        "legal-status-quo",
        "legal-shared",
        "legal-company",
    ]
    assert path.duration == 36
    assert (path.one_off_cost, path.stranded_cost, path.annual_cost) == (180000, 30000, 960000)
    assert path.demand_profile("pm") == (2.0,) * 12 + (0.0,) * 12 + (1.0,) * 11 + (3.0,)
    assert [(s.option.id, s.offset, s.end) for s in programme.stages("legal-company")] == [
        ("legal-shared", 0, 12),
        ("legal-company", 24, 36),
    ]
    assert programme.option("legal-shared").duration == 12  # the earlier stage stays a choice of its own
    written = next(o for o in programme.options if o.id == "legal-company")
    assert written.duration == 12 and written.follows == "legal-shared" and written.stage_gap == 12


def test_the_path_moves_each_stages_dates_by_its_offset():
    """A second stage that may start only in Jan 2019 lets the path start 24 months earlier (Jan
    2017); a first stage that must finish by Mar 2018 leaves the path until 24 months later."""
    from datetime import date

    programme = _staged(earliest_start=date(2019, 1, 1))
    assert programme.option("legal-company").earliest_start == date(2017, 1, 1)
    shared = next(o for o in programme.options if o.id == "legal-shared")
    options = [shared.model_copy(update={"latest_finish": date(2018, 3, 1)}), *programme.options[1:]]
    later = programme.model_copy(update={"options": tuple(options)})
    assert later.option("legal-company").latest_finish == date(2020, 3, 1)


def test_a_path_is_an_exception_when_any_stage_is():
    """The company is neither the County (the default provider) nor the City (the owner): the
    shared stage alone is not an exception, the path through the company is."""
    programme = _staged()
    assert not programme.is_exception(programme.option("legal-shared"))
    assert programme.is_exception(programme.option("legal-company"))
    county = _staged(provider="county", model="s101_delegation")
    assert not county.is_exception(county.option("legal-company"))


def test_an_exempt_cost_of_an_earlier_stage_makes_the_path_secret():
    programme = load_programme(STAGED)
    options = [
        o.model_copy(update={"exempt": ("one_off_cost",)}) if o.id == "legal-shared" else o
        for o in programme.options
    ]
    secret = programme.model_copy(update={"options": tuple(options)})
    assert secret_options(secret) == {"legal-shared", "legal-company"}
    assert secret_options(programme) == set()


BASE = """
id: t
name: T
horizon: {start: 2016-04-01, period: month, periods: 48}
partners:
  - {id: city, name: City Council, kind: city}
  - {id: county, name: County Council, kind: county, default_provider: true}
services:
  - {id: legal, name: Legal, owner: city, annual_cost: 1200000}
  - {id: hr, name: HR, owner: city, annual_cost: 500000}
options:
  - {id: legal-shared, service: legal, provider: county, model: shared_service, annual_cost: 1000000,
     duration: 6}
  - {id: hr-shared, service: hr, provider: county, model: shared_service, annual_cost: 400000, duration: 6}
"""


def _problems(*options: str) -> list:
    text = BASE + "".join(f"  - {o}\n" for o in options)
    with pytest.raises(InputError) as caught:
        parse_programme(text, "stages.yaml")
    return caught.value.problems


@pytest.mark.parametrize(
    ("follows", "expected"),
    [
        ("legal-sharde", "follows unknown option `legal-sharde` (did you mean `legal-shared`?)"),
        ("hr-shared", "follows `hr-shared`, an option of service `hr`, not of `legal`"),
        ("legal-status-quo", "follows the status quo"),
        ("legal-b", "follows itself"),
    ],
)
def test_each_bad_reference_of_a_stage_is_located(follows: str, expected: str):
    option = (
        f"{{id: legal-b, service: legal, provider: county, model: outsourced, annual_cost: 900000, "
        f"duration: 3, follows: {follows}}}"
    )
    problems = _problems(option)
    assert len(problems) == 1
    assert expected in problems[0].message
    assert problems[0].field == "options[legal-b].follows"
    assert problems[0].line == 15


def test_stages_that_follow_each_other_in_a_cycle_are_reported_at_each():
    problems = _problems(
        "{id: a, service: legal, provider: county, model: outsourced, annual_cost: 9, follows: b}",
        "{id: b, service: legal, provider: county, model: outsourced, annual_cost: 9, follows: a}",
    )
    assert [p.line for p in problems] == [15, 16]
    assert "stages follow each other in a cycle: `a` follows `b` follows `a`" in problems[0].message


def test_a_gap_needs_a_stage_and_a_status_quo_follows_nothing():
    with pytest.raises(InputError, match="stage_gap is the wait after an earlier stage"):
        parse_programme(
            BASE
            + "  - {id: x, service: hr, provider: county, model: outsourced, annual_cost: 1, stage_gap: 2}\n"
        )
    with pytest.raises(InputError, match="follows no earlier stage"):
        parse_programme(
            BASE
            + "  - {id: x, service: hr, provider: city, model: status_quo, annual_cost: 1,\n"
            + "     follows: hr-shared}\n"
        )


def test_yaml_round_trip_keeps_the_stages_as_written():
    programme = load_programme(STAGED)
    text = dump_programme(programme)
    again = parse_programme(text, "again.yaml")
    assert again == programme
    assert dump_programme(again) == text
    assert again.option("legal-company").duration == 36


def test_xlsx_round_trip_keeps_the_stages_as_written(tmp_path: Path):
    programme = load_programme(STAGED)
    book = tmp_path / "staged.xlsx"
    save_programme(programme, book)
    again = load_programme(book)
    assert again == programme
    assert again.stages("legal-company")[1].offset == 24


# ------------------------------------------------------------------ the money, by hand
def test_the_paths_money_worked_by_hand():
    """Started in April 2016 (the appraisal's first month), each stage 12 months, a 12-month gap.

    Year 0: the shared service's one-off 120,000 (undiscounted).
    Years 1–2: it saves 1,200,000 − 1,080,000 = 120,000 a year (the company is not live yet).
    Year 2: the company's one-off 60,000 and stranded 30,000 (months 24–35).
    Years 3–12: the company saves 1,200,000 − 960,000 = 240,000 a year (ten years from its go-live).
    NPV = −120,000 + 120,000 (v + v²) − 90,000 v² + 240,000 Σ_{t=3..12} vᵗ, v = 1/1.035
        = −120,000 + 227,963.32 − 84,015.96 + 1,863,273.60 = 1,887,220.96.
    The County bears the stranded 30,000 (its split) and half the rest; the City half the rest.
    """
    programme, book = _staged(), Appraisal()
    path = programme.option("legal-company")
    by_hand = -120000 + 120000 * (V + V**2) - 90000 * V**2 + 240000 * sum(V**t for t in range(3, 13))
    assert by_hand == pytest.approx(1887220.96, abs=0.05)
    ledger = change_ledger(programme, path, 0, book)
    assert ledger.npv(book) == pytest.approx(by_hand, abs=1e-6)
    assert ledger.savings[12:24].sum() == pytest.approx(120000)
    assert ledger.savings[36:48].sum() == pytest.approx(240000)
    assert len(ledger.savings) == 36 + 120 and ledger.savings[-1] == pytest.approx(20000)
    assert ledger.one_off[12:24].sum() == 0 and ledger.one_off[24:36].sum() == pytest.approx(90000)
    _, partners, _ = plan_ledgers(programme, [(path, 0)], book)
    rest = -120000 + 120000 * (V + V**2) - 60000 * V**2 + 240000 * sum(V**t for t in range(3, 13))
    assert partners["city"].npv(book) == pytest.approx(rest / 2, abs=1e-6)
    assert partners["county"].npv(book) == pytest.approx(rest / 2 - 30000 * V**2, abs=1e-6)


@pytest.mark.parametrize("book", [Appraisal(), Appraisal(years=3, optimism_bias=0.2, rate=0.05)])
def test_the_fast_coefficients_equal_the_monthly_ledger_for_paths(book: Appraisal):
    """For every start, quarterly and monthly, with gaps and stranded costs: the prefix-sum NPV,
    its stranded part, and each bearer's stranded part are the ledger's."""
    programmes = [_staged()] + [random_programme(seed, staged=True) for seed in range(6)]
    checked = 0
    for programme in programmes:
        for option in programme.options:
            path = programme.option(option.id)
            if path.follows is None:
                continue
            starts = list(range(programme.horizon.periods - path.duration + 1))
            fast = change_npv_by_start(programme, path, starts, book)
            stranded = change_npv_by_start(programme, path, starts, book, stranded_only=True)
            for start, value, lost in zip(starts, fast, stranded, strict=True):
                ledger = change_ledger(programme, path, start, book)
                assert value == pytest.approx(ledger.npv(book), rel=1e-9, abs=1e-6)
                only = ledger.split()[1]
                assert lost == pytest.approx(only.npv(book), rel=1e-9, abs=1e-6)
            checked += 1
    assert checked >= 3


def test_one_off_spend_falls_in_each_stages_own_periods():
    programme = _staged()
    plan = Plan(
        programme="staged",
        periods=60,
        assignments=(
            Assignment(service="legal", option="legal-company", provider="legal-co", start=12, duration=36),
        ),
    )
    spent = spend(plan, programme)
    assert spent[12:24] == pytest.approx([10000.0] * 12)
    assert spent[24:36] == [0.0] * 12
    assert spent[36:48] == pytest.approx([7500.0] * 12)


# ------------------------------------------------------------------ planning
def _plan(programme, objective: str = "savings"):
    result = solve(programme, PlanSettings(objective=objective, gap=0.0))
    assert result.plan is not None, result.message
    return result


def test_the_path_is_chosen_when_the_second_stage_pays():
    result = _plan(_staged())
    (a,) = result.plan.assignments
    assert a.option == "legal-company"
    assert not verify(result.plan, result.programme)


def test_the_first_stage_alone_is_chosen_when_the_second_does_not_pay():
    """A company dearer to run than the shared service only costs money: legal-shared alone."""
    result = _plan(_staged(annual_cost=1100000))
    (a,) = result.plan.assignments
    assert (a.option, a.start, a.duration) == ("legal-shared", 0, 12)


def test_the_second_stage_waits_for_the_company_to_join():
    """The company joins in April 2019 (period 36): without it the path would start at once; with
    it the company's stage starts in period 36, so the path starts 24 periods before."""
    result = _plan(_staged())
    (a,) = result.plan.assignments
    assert a.start == 12
    programme = result.programme
    free = programme.model_copy(
        update={"partners": tuple(p.model_copy(update={"joins": None}) for p in programme.partners)}
    )
    assert _plan(free).plan.assignments[0].start == 0


def test_the_verifier_rejects_a_stage_that_breaks_membership_or_its_dates():
    programme = _staged()
    early = Plan(
        programme="staged",
        periods=60,
        assignments=(
            Assignment(service="legal", option="legal-company", provider="legal-co", start=0, duration=36),
        ),
    )
    problems = verify(early, programme)
    assert problems == [
        "`legal-company` starts in period 24, before its provider `legal-co` joins (2019-04-01)"
    ]
    from datetime import date

    late = _staged(latest_finish=date(2019, 12, 1))
    on_time = early.model_copy(
        update={"assignments": (early.assignments[0].model_copy(update={"start": 12}),)}
    )
    assert verify(on_time, late) == ["`legal-company` finishes after its deadline 2019-12-01"]


def test_maxmin_counts_each_stages_stranded_costs_by_its_own_split():
    result = _plan(_staged(), "maxmin")
    benefits = partner_benefits(result.plan, result.programme)
    assert benefits["county"] < benefits["city"]
    assert result.plan.assignments[0].option == "legal-company"


# ------------------------------------------------------------------ what people see
def test_plan_json_and_text_name_both_stages_with_their_dates():
    result = _plan(_staged())
    row = result.to_json()["schedule"][0]
    assert [(s["option"], s["provider_name"], s["start_label"], s["live_label"]) for s in row["stages"]] == [
        ("legal-shared", "County Council", "Apr 2017", "Apr 2018"),
        ("legal-company", "Legal Services Company", "Apr 2019", "Apr 2020"),
    ]
    words = (
        "shared service with County Council from Apr 2018, "
        "then joint venture with Legal Services Company from Apr 2020"
    )
    assert row["stages"] and result.to_frame()["stages"].iloc[0] == words
    assert words in plan_text(result)


def test_a_single_change_has_one_stage_and_no_stage_words():
    result = _plan(_staged(annual_cost=1100000))
    row = result.to_json()["schedule"][0]
    assert [s["option"] for s in row["stages"]] == ["legal-shared"]
    assert result.to_frame()["stages"].iloc[0] == ""
    assert "in stages" not in plan_text(result)


# ------------------------------------------------------------------ scenarios
def _what_if(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "what-if.yaml"
    path.write_text(f"name: what-if\nbase: {STAGED}\n{body}")
    return path


def test_a_scenario_changes_a_stages_gap_and_adds_a_stage(tmp_path: Path):
    from engine.appraisal.scenario import load_scenario

    body = (
        "change:\n  options:\n    legal-company: {stage_gap: 0}\n"
        "add:\n  options:\n    - {id: legal-outsourced, service: legal, provider: county,\n"
        "       model: outsourced,\n"
        "       annual_cost: 900000, duration: 6, follows: legal-company}\n"
    )
    programme = load_scenario(_what_if(tmp_path, body)).programme
    assert programme.option("legal-company").duration == 24
    assert [s.option.id for s in programme.stages("legal-outsourced")] == [
        "legal-shared",
        "legal-company",
        "legal-outsourced",
    ]
    assert programme.option("legal-outsourced").duration == 30


def test_removing_an_option_a_stage_follows_is_a_located_error(tmp_path: Path):
    """The dependent stage is not removed with it: the scenario must say so (remove it too)."""
    from engine.appraisal.scenario import load_scenario

    with pytest.raises(InputError) as caught:
        load_scenario(_what_if(tmp_path, "remove:\n  options: [legal-shared]\n"))
    (problem,) = caught.value.problems
    assert "follows unknown option `legal-shared`" in problem.message
    assert "removed by this scenario" in str(caught.value)
    assert problem.file.endswith("what-if.yaml") and problem.line == 4
    both = load_scenario(_what_if(tmp_path, "remove:\n  options: [legal-shared, legal-company]\n"))
    assert [o.id for o in both.programme.options_for("legal")] == ["legal-status-quo"]


# ------------------------------------------------------------------ show, explain, charts, compare, report
def test_show_and_explain_say_which_stages_an_option_takes():
    from engine.io.shipped import shipped_rules
    from engine.present.explain import explain_service
    from engine.present.summary import summary_text
    from engine.rules.ruleset import load_ruleset
    from engine.scoring.scores import score

    programme = _staged()
    shown = " ".join(summary_text(programme, width=400).split())
    assert (
        "in stages, figures for the whole path: legal-shared by County Council from month 1 for 12" in shown
    )
    explained = explain_service(score(programme, load_ruleset(shipped_rules())), "legal")
    assert (
        "joint venture with Legal Services Company (`legal-company`) (in stages, scored as the whole "
        "path: shared service with County Council, then joint venture with Legal Services Company)"
    ) in explained


@pytest.mark.slow  # matplotlib
def test_the_gantt_draws_each_stage_as_its_own_bar_on_the_services_row(tmp_path: Path):
    from engine.present.charts import _rows, write_gantt

    result = _plan(_staged())
    bars = _rows(result)
    assert list(bars["provider_name"]) == ["County Council", "Legal Services Company"]
    assert list(bars["start_date"]) == ["2017-04-01", "2019-04-01"]
    assert list(bars["finish_date"]) == ["2018-03-31", "2020-03-31"]
    assert list(bars["exception"]) == [False, True]
    assert bars["label"].nunique() == 1
    write_gantt(result, tmp_path / "plan.png")
    assert (tmp_path / "plan.png").stat().st_size > 0


def _scenario_file(tmp_path: Path, name: str, objective: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\nbase: {STAGED}\nobjective: {objective}\n")
    return path


def test_compare_and_the_report_name_both_stages_with_their_dates(tmp_path: Path):
    from engine.appraisal.compare import compare
    from engine.appraisal.scenario import load_scenario, run_scenario
    from engine.report.build import build_report
    from engine.report.text import render_markdown

    result = run_scenario(load_scenario(_scenario_file(tmp_path, "staged-savings", "savings")))
    choices = compare([result]).choices
    assert (
        choices.loc["legal", "staged-savings"]
        == "legal-shared from Apr 2017, then legal-company from Apr 2019"
    )
    text = " ".join(render_markdown(build_report(result, draws=20)).split())
    words = (
        "Legal (shared service with County Council from Apr 2018, then joint venture with Legal Services "
        "Company from Apr 2020)"
    )
    assert words in text
    assert "Legal changes in stages: shared service with County Council from Apr 2018" in text


def _with_hr_and_one_transition_at_a_time():
    from engine.programme.model import DeliveryOption, Service, Settings

    programme = _staged()
    hr = Service(id="hr", name="HR", owner="city", annual_cost=500000)
    option = DeliveryOption(
        id="hr-shared",
        service="hr",
        provider="county",
        model="shared_service",
        annual_cost=400000,
        duration=6,
    )
    return programme.model_copy(
        update={
            "services": (*programme.services, hr),
            "options": (*programme.options, option),
            "settings": Settings(max_concurrent_transitions=1),
        }
    )


def test_a_path_is_a_transition_in_flight_only_while_a_stage_runs():
    """One transition at a time: HR may run in Legal's gap (periods 24–35 of a path started at 12),
    not while a stage runs; the planner uses the gap."""
    programme = _with_hr_and_one_transition_at_a_time()
    legal = Assignment(service="legal", option="legal-company", provider="legal-co", start=12, duration=36)

    def plan(hr_start: int) -> Plan:
        hr = Assignment(service="hr", option="hr-shared", provider="county", start=hr_start, duration=6)
        return Plan(programme="staged", periods=60, assignments=(legal, hr))

    assert verify(plan(24), programme) == []
    assert verify(plan(30), programme) == []
    assert verify(plan(20), programme) == [
        "2 transitions run in Dec 2017; at most 1 allowed",
        "2 transitions run in Jan 2018; at most 1 allowed",
        "2 transitions run in Feb 2018; at most 1 allowed",
        "2 transitions run in Mar 2018; at most 1 allowed",
    ]
    for objective in ("savings", "value"):
        result = _plan(programme, objective)
        assert not verify(result.plan, programme)
    chosen = _plan(programme).plan.by_service()
    assert chosen["legal"].option == "legal-company"
    assert chosen["hr"].start + 6 <= 12 or 24 <= chosen["hr"].start <= 30


def test_npv_risk_and_the_savings_target_read_the_stages():
    """With no ranges every draw is the plan's NPV; a target dated between the two go-lives
    counts the shared service's saving (the first stage is in place, the company is not)."""
    from datetime import date

    from engine.appraisal.finance import npv_risk, plan_finance, target_progress
    from engine.programme.model import SavingsTarget

    programme = _staged()
    plan = Plan(
        programme="staged",
        periods=60,
        assignments=(
            Assignment(service="legal", option="legal-company", provider="legal-co", start=12, duration=36),
        ),
    )
    risk = npv_risk(plan, programme, draws=20)
    assert risk.p10 == pytest.approx(plan_finance(plan, programme).npv, rel=1e-9)
    ranged = _staged(ranges={"one_off_cost": (40000.0, 90000.0)})
    assert ranged.option("legal-company").ranges == {"one_off_cost": (160000.0, 210000.0)}
    spread = npv_risk(plan, ranged, draws=400)
    assert spread.p10 < plan_finance(plan, ranged).npv < spread.p90
    for by, forecast in (
        (date(2018, 3, 1), None),
        (date(2019, 1, 1), 120000.0),
        (date(2020, 4, 1), 240000.0),
    ):
        target = SavingsTarget(amount=100000.0, by=by)
        progress = target_progress(plan, programme.model_copy(update={"savings_target": target}))
        assert progress is not None
        if forecast is None:
            assert progress.late == ["legal"] and progress.forecast == 0
        else:
            assert progress.late == [] and progress.forecast == forecast


def test_a_partner_that_leaves_takes_its_stage_and_the_stages_after_it(tmp_path: Path):
    """The County leaves: the shared service it provides goes, and with it the company stage that
    follows it; the company alone is no stage, so Legal keeps its status quo."""
    from engine.appraisal.scenario import load_scenario

    body = (
        "remove:\n  partners: [county]\n"
        "change:\n  partners:\n    city: {default_provider: true}\n"
        "  exception_policy: {client: city}\n"
    )
    programme = load_scenario(_what_if(tmp_path, body)).programme
    assert [o.id for o in programme.options_for("legal")] == ["legal-status-quo"]
    company_leaves = load_scenario(_what_if(tmp_path, "remove:\n  partners: [legal-co]\n")).programme
    assert [o.id for o in company_leaves.options_for("legal")] == ["legal-status-quo", "legal-shared"]


def test_the_paths_stranded_split_weighs_each_stages_by_its_stranded_cost():
    """10,000 stranded by the shared stage (the service's shares, 50/50) and 30,000 by the company
    stage (the County alone): in all the City bears 5,000 and the County 35,000 of 40,000."""
    programme = _staged()
    shared = next(o for o in programme.options if o.id == "legal-shared")
    options = [shared.model_copy(update={"stranded_cost": 10000.0}), *programme.options[1:]]
    both = programme.model_copy(update={"options": tuple(options)})
    assert both.option("legal-company").stranded_split == pytest.approx({"city": 0.125, "county": 0.875})
    assert programme.option("legal-company").stranded_split == {"county": 1.0}
    _, partners, _ = plan_ledgers(both, [(both.option("legal-company"), 0)], Appraisal())
    assert partners["city"].stranded.sum() == pytest.approx(5000)
    assert partners["county"].stranded.sum() == pytest.approx(35000)


# ------------------------------------------------------------------ random programmes, the README
def test_the_generator_draws_stages_only_when_asked():
    from engine.programme.synth import random_programme_data

    plain = random_programme_data(3, services=12)
    staged = random_programme_data(3, services=12, staged=True)
    assert random_programme_data(3, services=12) == plain
    assert all("follows" not in o for o in plain["options"])
    assert staged["options"][: len(plain["options"])] == plain["options"]
    later = [o for seed in range(5) for o in random_programme_data(seed, services=12, staged=True)["options"]]
    assert sum("follows" in o for o in later) >= 5
    assert any(o.get("stage_gap") for o in later)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("objective", ["value", "savings", "makespan"])
def test_random_programmes_with_stages_plan_verified_and_beat_the_heuristic(seed: int, objective: str):
    from engine.io.shipped import shipped_rules
    from engine.optimise.heuristic import greedy_plan, plan_value
    from engine.optimise.instance import build_instance
    from engine.plan.result import PlanStatus
    from engine.rules.ruleset import load_ruleset
    from engine.scoring.scores import score

    programme = random_programme(seed, services=6, periods=18, staged=True, kinds_and_membership=True)
    table = score(programme, load_ruleset(shipped_rules()))
    settings = PlanSettings(objective=objective, time_limit=20)
    result = solve(programme, settings, table)
    assert result.status in (PlanStatus.OPTIMAL, PlanStatus.INFEASIBLE), result.message
    if result.status == PlanStatus.INFEASIBLE:
        return
    assert result.plan is not None and verify(result.plan, programme, settings) == []
    instance = build_instance(programme, settings, table)
    heuristic = greedy_plan(instance)
    assert verify(heuristic, programme, settings) == []
    if instance.forced <= {a.service for a in heuristic.assignments}:
        if objective == "makespan":
            assert result.plan.makespan <= heuristic.makespan
        else:
            assert result.objective_value >= plan_value(instance, heuristic) - 1e-7


def test_the_readme_table_names_the_stage_fields():
    import re

    from engine.programme.model import DeliveryOption

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("**Staged options.**")[1].split("\n\n")[1]
    rows = re.findall(r"^\| option \| `(\w+)` \| (.*) \|$", table, flags=re.M)
    assert [field for field, _ in rows] == ["follows", "stage_gap"]
    assert all(field in DeliveryOption.model_fields for field, _ in rows)


def test_the_plan_command_shows_both_stages_as_text_json_and_csv(capsys: pytest.CaptureFixture[str]):
    import csv
    import io
    import json

    from tests.test_cli import run

    code, out, _ = run(capsys, "plan", str(STAGED), "--objective", "savings", "--format", "json")
    assert code == 0
    (row,) = json.loads(out)["schedule"]
    assert [s["option"] for s in row["stages"]] == ["legal-shared", "legal-company"]
    assert [s["start_date"] for s in row["stages"]] == ["2017-04-01", "2019-04-01"]
    code, out, _ = run(capsys, "plan", str(STAGED), "--objective", "savings", "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and row["stages"].startswith("shared service with County Council from Apr 2018, then")
    code, out, _ = run(capsys, "plan", str(STAGED), "--objective", "savings")
    assert (
        code == 0 and "in stages: shared service with County Council from Apr 2018, then joint venture" in out
    )


def test_a_scenario_that_points_a_stage_at_another_option_is_located_in_the_scenario(tmp_path: Path):
    from engine.appraisal.scenario import load_scenario

    with pytest.raises(InputError) as caught:
        load_scenario(_what_if(tmp_path, "change:\n  options:\n    legal-company: {follows: legal-shard}\n"))
    (problem,) = caught.value.problems
    assert "follows unknown option `legal-shard` (did you mean `legal-shared`?)" in problem.message
    assert problem.file.endswith("what-if.yaml") and problem.line == 5
