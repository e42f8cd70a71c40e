"""Benefits realisation (`ssplan progress`): actuals in the model, the comparison with the plan
and the target, the re-plan from today with the actuals as facts, and what the public view withholds.

The hand-computed case is ``tests/data/progress.yaml`` as of 10 March 2017 (money to 1 March):
HR went live early (20 May 2016, planned 1 June) and over budget (£15,000 spent, £12,000 planned);
Payroll is in progress (started 1 February 2017, three months); ICT was planned to start on
1 February 2017 and has not; Audit waits for ICT.
"""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date
from pathlib import Path

import pytest

from engine.appraisal.as_of import as_of_programme
from engine.appraisal.progress import progress
from engine.appraisal.scenario import load_scenario
from engine.base.errors import InputError
from engine.cli import main
from engine.io.load import dump_programme, load_programme, parse_programme
from engine.io.shipped import shipped_rules
from engine.io.xlsx import read_workbook, workbook_bytes
from engine.present.progress import progress_text
from engine.rules.ruleset import load_ruleset
from tests.conftest import DATA
from tests.leaks import hits, needles

PROGRAMME = DATA / "progress.yaml"
GOLDEN = Path(__file__).parent / "golden" / "progress"
RULES = load_ruleset(shipped_rules())


@pytest.fixture(scope="module")
def report():
    programme = load_programme(PROGRAMME)
    return progress(programme, RULES, date(2017, 3, 10))


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return (exited.value.code if isinstance(exited.value.code, int) else 0), out, err


# the model -----------------------------------------------------------------------------------------
def test_actuals_round_trip_through_yaml_and_excel(tmp_path: Path):
    loaded = load_programme(PROGRAMME)
    hr, payroll = loaded.actuals
    secret = payroll.model_copy(update={"exempt": ("one_off_cost",), "illustrative": True})
    programme = loaded.model_copy(update={"actuals": [hr, secret]})
    assert programme.as_of == date(2017, 3, 10) and len(programme.actuals) == 2
    assert parse_programme(dump_programme(programme), "again.yaml") == programme
    book = tmp_path / "progress.xlsx"
    book.write_bytes(workbook_bytes(programme))
    again = read_workbook(book)
    assert again.actuals == programme.actuals and again.as_of == programme.as_of


def test_a_programme_without_actuals_is_unchanged_by_the_feature():
    small = load_programme(DATA / "small.yaml")
    assert small.actuals == () and small.as_of is None
    assert "actuals" not in dump_programme(small) and "as_of" not in dump_programme(small)


def test_a_date_after_the_as_of_given_on_the_command_line_is_refused():
    programme = load_programme(PROGRAMME)
    with pytest.raises(InputError, match=r"started 2017-02-01 is after the date the actuals are recorded to"):
        progress(programme, RULES, date(2017, 1, 15))
    with pytest.raises(InputError, match="before the programme starts"):
        progress(programme, RULES, date(2016, 1, 1))


# the comparison with the plan ---------------------------------------------------------------------------
def test_each_change_against_the_plan_by_hand(report):
    rows = {c.service: c for c in report.changes}
    assert [c.service for c in report.changes] == ["hr", "payroll", "ict", "audit"]
    hr = rows["hr"]
    assert (hr.state, hr.late, hr.live, hr.planned_live) == (
        "live",
        False,
        date(2016, 5, 20),
        date(2016, 6, 1),
    )
    assert hr.one_off_planned == {"2016/17": 12000} and hr.one_off_actual == {"2016/17": 15000}
    # planned saving £24,000 a year = £2,000 a month, June 2016 to February 2017: 9 months
    assert hr.savings_planned == pytest.approx({"2016/17": 18000})
    # £10,000 over the 10 whole months from May 2016 to March 2017: £12,000 a year
    assert hr.measured and hr.rate == pytest.approx(12000)
    payroll = rows["payroll"]
    assert (payroll.state, payroll.late, payroll.started) == ("in progress", True, date(2017, 2, 1))
    assert payroll.savings_planned == pytest.approx({"2016/17": 6000})  # £750 a month, Jul 2016 – Feb 2017
    ict = rows["ict"]
    assert (ict.state, ict.late, ict.planned_start) == ("not started", True, date(2017, 2, 1))
    assert ict.one_off_planned == pytest.approx({"2016/17": 12000})  # one month of four at £48,000
    assert (rows["audit"].late, rows["audit"].one_off_planned) == (False, {})


def test_the_savings_against_the_target_by_hand(report):
    t = report.target
    assert (t.target, t.target_share) == (pytest.approx(60000), 0.15)  # 15 % of £400,000
    assert (t.achieved, t.achieved_share) == (pytest.approx(12000), pytest.approx(0.03))
    # achieved £12,000 + Payroll £9,000 + ICT £24,000 + Audit £6,000, all in place by March 2018
    assert (t.forecast, t.forecast_share) == (pytest.approx(51000), pytest.approx(0.1275))
    assert t.late == [] and t.withheld is None


# the re-plan --------------------------------------------------------------------------------------------
def test_the_replan_keeps_the_change_under_way_and_starts_the_rest_from_today(report):
    rebased, plan = report.rebased, report.replan.plan
    assert rebased.horizon.start == date(2017, 3, 1) and rebased.horizon.periods == 13
    by = plan.by_service()
    # Payroll: started February, three months, so March and April remain; live 1 May as expected
    assert (by["payroll"].option, by["payroll"].start, by["payroll"].duration) == ("payroll-county", 0, 2)
    assert rebased.horizon.period_start(by["payroll"].end) == date(2017, 5, 1)
    assert rebased.option("payroll-county").one_off_cost == 8000  # £12,000 less £4,000 spent
    assert all(a.start >= 0 for a in plan.assignments) and "hr" not in by
    assert by["audit"].start >= by["ict"].end  # the dependency still holds
    hr = rebased.service("hr")  # live: delivered by the County at £100,000 less £12,000 a year
    assert (hr.annual_cost, hr.current_provider, rebased.options_for("hr")[0].is_status_quo) == (
        88000,
        "county",
        True,
    )
    assert rebased.budget.overrides["2016/17"] == 50000 - 15000 - 4000


def test_money_already_spent_counts_against_this_years_budget():
    """At £42,000 a year, with HR's one-off £25,000 and Payroll's £4,000 spent, £13,000 is left for
    March: too little for ICT's first month (£12,000) beside Payroll's (£4,000), and from April all
    four of ICT's months (£48,000) would fall in 2017/18, so the re-plan cannot fit ICT and says
    the 2016/17 budget is what blocks it.  With no spend recorded, 2016/17 does not block it."""
    programme = load_programme(PROGRAMME)
    hr, payroll = programme.actuals
    spent = programme.model_copy(
        update={
            "budget": {"per_financial_year": 42000},
            "actuals": [hr.model_copy(update={"one_off_cost": {"2016/17": 25000}}), payroll],
        }
    )
    unspent = spent.model_copy(
        update={"actuals": [a.model_copy(update={"one_off_cost": {}}) for a in spent.actuals]}
    )
    reports = [progress(p, RULES, date(2017, 3, 10)) for p in (spent, unspent)]
    results = [r.replan for r in reports]
    assert "ICT stays as it is: cannot fit" in progress_text(reports[0])
    assert "ict" not in results[0].plan.by_service()
    assert "the one-off budget for 2016/17 must rise from £13,000 to £16,000" in results[0].left_out["ict"]
    assert "2016/17" not in results[1].left_out.get("ict", "")  # unspent, ICT fits (audit waits)
    assert as_of_programme(spent, date(2017, 3, 10)).budget.overrides["2016/17"] == 13000
    secret = spent.model_copy(
        update={
            "actuals": [
                hr.model_copy(update={"one_off_cost": {"2016/17": 25000}, "exempt": ("one_off_cost",)}),
                payroll,
            ]
        }
    )
    public = progress(secret, RULES, date(2017, 3, 10)).replan.left_out["ict"]
    assert "13,000" not in public and "£[exempt]" in public  # £42,000 less it gives the spend away


def test_after_the_horizon_nothing_is_left_to_plan():
    programme = load_programme(PROGRAMME)
    late = progress(programme, RULES, date(2018, 6, 1))
    assert late.replan is None and "nothing is left to plan" in late.notes[0]
    assert {c.service: c.late for c in late.changes}["audit"] is True


# the command ---------------------------------------------------------------------------------------------
def test_json_and_csv_parse_and_the_against_plan_is_used(capsys, tmp_path: Path):
    code, out, _ = _cli(capsys, "progress", str(PROGRAMME), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["target"]["forecast"] == pytest.approx(51000)
    assert data["compared_with"].startswith("the programme planned from its start")
    code, out, _ = _cli(capsys, "progress", str(PROGRAMME), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows[0]["one_off_actual"] == "15000.0" and rows[1]["state"] == "in progress"
    _, plan, _ = _cli(capsys, "plan", str(PROGRAMME), "--format", "json")
    saved = tmp_path / "plan.json"
    saved.write_text(plan)
    code, out, _ = _cli(capsys, "progress", str(PROGRAMME), "--against", str(saved), "--format", "json")
    assert code == 0 and json.loads(out)["changes"] == data["changes"]
    assert json.loads(out)["compared_with"] == f"the plan in {saved}"


def test_a_bad_as_of_is_refused_naming_the_option(capsys):
    code, _, err = _cli(capsys, "progress", str(PROGRAMME), "--as-of", "10/03/2017")
    assert code == 2 and "--as-of" in err and "YYYY-MM-DD" in err


def test_a_bad_plan_file_is_a_located_error(capsys, tmp_path: Path):
    saved = tmp_path / "plan.json"
    saved.write_text(
        json.dumps({"schedule": [{"service": "hr", "option": "hr-nobody", "start": 0, "finish": 1}]})
    )
    code, _, err = _cli(capsys, "progress", str(PROGRAMME), "--against", str(saved))
    assert code == 2 and "schedule[1]" in err and "hr-nobody" in err and "Traceback" not in err


def test_public_output_withholds_an_exempt_actual(capsys, tmp_path: Path):
    text = PROGRAMME.read_text().replace(
        'savings: {"2016/17": 10000}}', 'savings: {"2016/17": 10123}, exempt: [savings]}'
    )
    text = text.replace(
        'one_off_cost: {"2016/17": 4000}}', 'one_off_cost: {"2016/17": 4321}, exempt: [one_off_cost]}'
    )
    secret = tmp_path / "secret.yaml"
    secret.write_text(text)
    searched = needles(load_programme(secret), RULES)
    assert [n.what for n in searched] == [
        "actual hr-county savings 2016/17",
        "actual payroll-county one_off_cost 2016/17",
    ]
    for fmt in ("text", "json", "csv"):
        code, out, _ = _cli(capsys, "progress", str(secret), "--format", fmt)
        assert code == 0 and not hits(out, searched), fmt
        assert "12,147" not in out and "12147" not in out  # the rate made from it: 10,123 × 12 / 10
        assert "7,679" not in out and "7679" not in out  # Payroll's £12,000 less £4,321: what is left
    code, out, _ = _cli(capsys, "progress", str(secret), "--include-exempt")
    assert code == 0 and "NOT FOR PUBLICATION" in out and "£10,123" in out and "£4,321" in out


# scenarios -----------------------------------------------------------------------------------------------
def test_a_scenario_adds_changes_and_removes_actuals_with_located_errors(tmp_path: Path):
    (tmp_path / "progress.yaml").write_text(PROGRAMME.read_text())
    good = tmp_path / "good.yaml"
    good.write_text(
        "name: what-if\nbase: progress.yaml\n"
        "change:\n  actuals:\n    hr-county: {savings: {'2016/17': 8000}}\n"
        "remove:\n  actuals: [payroll-county]\n"
        "add:\n  actuals: [{option: ict-county, started: 2017-03-01}]\n"
    )
    programme = load_scenario(good).programme
    assert {a.option: a for a in programme.actuals}["hr-county"].savings == {"2016/17": 8000}
    assert sorted(a.option for a in programme.actuals) == ["hr-county", "ict-county"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: what-if\nbase: progress.yaml\n"
        "change:\n  actuals:\n    hr-county: {live: 2016-01-01}\n    audit-county: {live: 2017-01-01}\n"
    )
    with pytest.raises(InputError) as caught:
        load_scenario(bad)
    found = {(p.line, p.field) for p in caught.value.problems}
    assert (5, "change.actuals.hr-county.live") in found
    assert any(p.line == 6 and "actual of option `audit-county`" in p.message for p in caught.value.problems)
    gone = tmp_path / "gone.yaml"
    gone.write_text("name: what-if\nbase: progress.yaml\nremove:\n  options: [hr-county]\n")
    with pytest.raises(InputError) as caught:
        load_scenario(gone)
    (problem,) = caught.value.problems
    assert problem.line == 4 and "actual of option `hr-county` references unknown option" in problem.message


# the golden output ---------------------------------------------------------------------------------------
def test_golden_progress_output(capsys):
    code, out, _ = _cli(capsys, "progress", str(PROGRAMME), "--as-of", "2017-03-10")
    golden = GOLDEN / "progress.txt"
    if os.environ.get("SSPLAN_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(out)
    assert code == 0 and out == golden.read_text(), "progress output changed; review and regenerate"


# properties ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["small.yaml", "progress.yaml"])
def test_with_nothing_recorded_at_the_start_the_replan_is_the_plan(name: str):
    loaded = load_programme(DATA / name)
    programme = loaded.model_copy(update={"actuals": (), "as_of": None})
    start = programme.horizon.start
    report = progress(programme, RULES, start)
    assert report.rebased.horizon == programme.horizon
    assert report.replan.plan.assignments == report.plan.assignments
    assert all(c.state == "not started" and not c.late for c in report.changes)


def test_a_quarterly_horizon_is_rebased_on_the_quarter():
    programme = load_programme(PROGRAMME)
    text = PROGRAMME.read_text().replace("period: month, periods: 24", "period: quarter, periods: 8")
    quarterly = parse_programme(text, "quarterly.yaml")
    rebased = as_of_programme(quarterly, date(2017, 3, 10))
    assert (rebased.horizon.start, rebased.horizon.periods) == (date(2017, 1, 1), 5)
    # Payroll started on 1 February 2017, in Q4 2016/17 (period 3), for three quarters: all
    # three remain from the quarter it started in, so it finishes by 30 September 2017
    payroll = rebased.option("payroll-county")
    assert payroll.duration == 3 and payroll.latest_finish == date(2017, 9, 30)
    assert programme.option("payroll-county").demand == payroll.demand


def test_show_names_the_changes_begun(capsys):
    code, out, _ = _cli(capsys, "show", str(PROGRAMME))
    text = " ".join(out.split())
    assert (
        code == 0
        and "Actuals (to 10 Mar 2017): HR live since 20 May 2016; Payroll in progress since 1 Feb 2017"
        in text
    )


def test_the_re_plan_leaves_past_funding_behind_and_keeps_a_later_stage_open():
    """Riverside as of 1 April 2014: its grant (2012/13 and 2013/14) and Marsh's contribution
    (2013/14) are history, not part of the re-plan (they used to make the re-based programme
    invalid); legal's first stage went live on 1 January 2013, so its later stage into the company
    is now a change of its own, from that go-live plus the 16-quarter gap (1 January 2017)."""
    from engine.io.shipped import shipped_programme

    riverside = load_programme(shipped_programme("riverside-2012"))
    now = as_of_programme(riverside, date(2014, 4, 1))
    assert now.funding == ()
    company = now.option("legal-company")
    assert company.follows is None and company.earliest_start == date(2017, 1, 1)
    assert company.duration == 2  # the stage alone, no longer the path through legal-city
    assert {o.id for o in now.options_for("legal") if not o.is_status_quo} == {"legal-company"}


def test_an_actual_of_a_later_stage_is_refused_and_says_which_to_record(tmp_path: Path):
    text = (DATA / "staged.yaml").read_text() + (
        "as_of: 2018-01-01\nactuals:\n  - {option: legal-company, started: 2017-04-01}\n"
    )
    path = tmp_path / "staged-actual.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_programme(path)
    assert "later stage (it follows `legal-shared`)" in str(caught.value)
    assert caught.value.problems[0].field == "actuals[legal-company].option"
