"""The programme's savings target ("15 % targeted, 8.5 % achieved"): what counts towards it, what
the public view withholds, and where it is stated (show, compare, the report, the store)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.appraisal.compare import compare
from engine.appraisal.finance import target_progress
from engine.appraisal.public import public_target
from engine.appraisal.scenario import load_scenario, run_scenario
from engine.base.errors import InputError
from engine.io.load import parse_programme
from engine.plan.result import Assignment, Plan
from engine.present.summary import summary_text
from engine.programme.model import Programme
from engine.report.build import build_report
from engine.report.text import render_markdown
from tests.conftest import DATA


def _small(target: dict, exempt_hr: bool = False) -> Programme:
    data = yaml.safe_load((DATA / "small.yaml").read_text())
    data["savings_target"] = target
    if exempt_hr:
        data["services"][0]["exempt"] = ["annual_cost"]
    return parse_programme(yaml.safe_dump(data), "target.yaml")


def _plan(programme: Programme) -> Plan:
    """HR to the County in periods 0–1 (in place from June 2016), payroll in period 4 (from
    September 2016): savings £20,000 and £10,000 a year on £140,000 in scope."""
    assignments = (
        Assignment(service="hr", option="hr-county", provider="county", start=0, duration=2),
        Assignment(service="payroll", option="payroll-county", provider="county", start=4, duration=1),
    )
    return Plan(programme=programme.id, assignments=assignments, periods=programme.horizon.periods)


@pytest.mark.parametrize("target", [{"share": 0.1, "amount": 5000}, {"by": "2017-03-31"}])
def test_a_target_is_a_share_or_an_amount(target: dict):
    with pytest.raises(InputError, match="as a `share` of the in-scope cost or as an `amount`"):
        _small(target)


def test_changes_in_place_by_the_date_count_towards_the_target():
    programme = _small({"share": 0.15, "by": "2016-08-01"})
    progress = target_progress(_plan(programme), programme)
    assert progress is not None
    assert progress.target == pytest.approx(21000)  # 15 % of £140,000
    assert progress.forecast == pytest.approx(20000)  # payroll is in place only in September
    assert progress.late == ["payroll"]
    assert progress.shortfall == pytest.approx(1000)
    assert progress.forecast_share == pytest.approx(20000 / 140000)


def test_an_amount_target_met_within_the_horizon():
    programme = _small({"amount": 25000})
    progress = target_progress(_plan(programme), programme)
    assert progress is not None and progress.late == []
    assert progress.forecast == pytest.approx(30000) and progress.shortfall == 0
    assert progress.target_share == pytest.approx(25000 / 140000)


def _scenario(tmp_path: Path, programme: Programme) -> Path:
    from engine.io.load import save_programme

    save_programme(programme, tmp_path / "programme.yaml")
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump({"name": "plan", "base": "programme.yaml", "objective": "savings"}))
    return path


def test_the_public_view_withholds_what_an_exempt_current_cost_sets(tmp_path: Path):
    """HR's current cost is exempt: 15 % of the in-scope cost would give it away (£21,000 / 0.15 -
    £40,000), and so would the forecast's share of it."""
    programme = _small({"share": 0.15}, exempt_hr=True)
    result = run_scenario(load_scenario(_scenario(tmp_path, programme)))
    public = public_target(result, include_exempt=False)
    full = public_target(result, include_exempt=True)
    assert full is not None and full.target == pytest.approx(21000) and full.withheld is None
    assert public is not None and public.target is None and public.forecast_share is None
    assert public.target_share == pytest.approx(0.15)
    assert "exempt current cost" in (public.withheld or "")
    assert "£21,000" not in summary_text(programme)
    assert "£21,000" in summary_text(programme, include_exempt=True)
    words = render_markdown(build_report(result, draws=50))
    assert "savings target is 15.0%" in words and "21,000" not in words


def test_compare_and_the_report_state_the_target(tmp_path: Path):
    programme = _small({"share": 0.15, "by": "2017-03-31"})
    result = run_scenario(load_scenario(_scenario(tmp_path, programme)))
    row = compare([result]).summary.iloc[0]
    assert row["savings target (£ a year)"] == pytest.approx(21000)
    assert row["saving towards the target (£ a year)"] is not None
    text = " ".join(render_markdown(build_report(result, draws=50)).split())
    target = "savings target is 15.0% of the in-scope services' current cost (£21,000 a year)"
    assert target in text
    assert "Savings target: 15% of the in-scope services' current cost (£21,000 a year) by 31 Mar 2017." in (
        summary_text(programme)
    )


def test_the_target_round_trips_through_yaml_and_excel(tmp_path: Path):
    from engine.io.load import load_programme, save_programme

    programme = _small({"share": 0.15, "by": "2017-03-31", "source": "the business case"})
    for name in ("again.yaml", "again.xlsx"):
        save_programme(programme, tmp_path / name)
        assert load_programme(tmp_path / name) == programme
