"""Comparing scenarios: side-by-side figures and the reasons for every change."""

from __future__ import annotations

import json
import re

import pytest

from engine.appraisal.compare import compare, comparison_text
from engine.appraisal.scenario import load_scenario, run_scenario
from engine.cli import main
from tests.conftest import ROOT

GLOUCESTER = ROOT / "scenarios" / "gloucester-2015"


@pytest.fixture(scope="module")
def comparison():
    names = ("county-first", "hr-other-partner", "tight-capacity", "do-nothing")
    return compare([run_scenario(load_scenario(GLOUCESTER / f"{n}.yaml")) for n in names])


def test_summary_has_a_row_per_scenario_with_finance(comparison):
    summary = comparison.summary.set_index("scenario")
    assert summary.index[0] == "County first (the MoU default)"
    baseline = summary.loc["Do nothing (the baseline)"]
    assert baseline["NPV (£)"] == 0 and baseline["services changing"] == 0
    other = summary.loc["HR from another partner (the exception case)"]
    assert "hr-bureau" in other["exceptions"]
    assert (
        summary.loc[
            "Tight capacity (10 project-manager days a month)", "peak Programme and project management days"
        ]
        <= 10
    )


def test_every_change_has_a_reason(comparison):
    reasons = {(c["scenario"], c["service"]): c["reason"] for c in comparison.changes}
    assert (
        reasons[("HR from another partner (the exception case)", "hr")]
        == "the provider is fixed to `hr-bureau`"
    )
    assert "follows `hr`" in reasons[("HR from another partner (the exception case)", "payroll")]
    assert "limit differs" in reasons[("Tight capacity (10 project-manager days a month)", "ict")]
    assert all(c["reason"] for c in comparison.changes)
    text = comparison_text(comparison)
    assert "What changed against the reference, and why:" in text


def test_compare_cli_json(capsys):
    with pytest.raises(SystemExit) as exited:
        main(
            [
                "compare",
                str(GLOUCESTER / "county-first.yaml"),
                str(GLOUCESTER / "do-nothing.yaml"),
                "--format",
                "json",
            ]
        )
    data = json.loads(capsys.readouterr().out)
    assert exited.value.code == 0
    assert data["scenarios"] == ["County first (the MoU default)", "Do nothing (the baseline)"]
    assert len(data["choices"]) == 10 and data["changes"]


def test_each_partner_sees_its_own_npv():
    essex = compare(
        [
            run_scenario(load_scenario(ROOT / "scenarios" / "essex-2010" / f"{n}.yaml"))
            for n in ("baseline", "consensus")
        ]
    )
    summary = essex.summary.set_index("scenario")
    columns = [c for c in summary.columns if c.startswith("NPV for ")]
    assert len(columns) == 3
    fair = summary.loc["Consensus of the three Leaders (worst-off council first)", columns]
    base = summary.loc["Leaders' Board baseline", columns]
    assert min(fair) >= min(base) - 1e-6


def test_compare_xlsx_and_html(capsys, tmp_path):
    from openpyxl import load_workbook

    files = [str(GLOUCESTER / "county-first.yaml"), str(GLOUCESTER / "hr-other-partner.yaml")]
    with pytest.raises(SystemExit) as exited:
        main(["compare", *files, "--format", "xlsx", "--out", str(tmp_path / "c.xlsx")])
    assert exited.value.code == 0
    assert load_workbook(tmp_path / "c.xlsx").sheetnames == ["summary", "choices", "changes"]
    with pytest.raises(SystemExit) as exited:
        main(["compare", *files, "--format", "html", "--out", str(tmp_path / "c.html")])
    html = (tmp_path / "c.html").read_text()
    assert exited.value.code == 0 and "What changed, and why" in html
    style = html[html.index("<style") : html.index("</style>", html.index("#fff3b0"))]
    # hr, payroll, finance admin, ict and community engagement differ from the reference
    assert len(re.findall(r"#T_\w+_row\d+_col1", style)) == 5
    capsys.readouterr()


def test_a_change_that_loses_money_is_flagged_in_the_comparison(tmp_path):
    from tests.test_reasons import losing_scenario

    reference = run_scenario(load_scenario(GLOUCESTER / "county-first.yaml"))
    losing = run_scenario(load_scenario(losing_scenario(tmp_path)))
    summary = compare([reference, losing]).summary.set_index("scenario")
    flagged = summary["changes losing money (NPV < 0)"]
    assert flagged.iloc[0] == "" and flagged.iloc[1] == "HR"
