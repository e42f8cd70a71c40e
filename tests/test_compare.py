"""Comparing scenarios: side-by-side figures and the reasons for every change."""

from __future__ import annotations

import json
import re

import pytest

from engine.appraisal.compare import compare
from engine.appraisal.scenario import load_scenario, run_scenario
from engine.cli import main
from engine.present.comparison import comparison_text
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
        == "the provider is fixed to hr-bureau"
    )
    assert "follows hr," in reasons[("HR from another partner (the exception case)", "payroll")]
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
    # hr, payroll, finance admin, ict and community engagement differ from the reference
    assert html.count("<td style='background-color: #fff3b0") == 5
    capsys.readouterr()


def test_a_change_that_loses_money_is_flagged_in_the_comparison(tmp_path):
    from tests.test_reasons import losing_scenario

    reference = run_scenario(load_scenario(GLOUCESTER / "county-first.yaml"))
    losing = run_scenario(load_scenario(losing_scenario(tmp_path)))
    summary = compare([reference, losing]).summary.set_index("scenario")
    flagged = summary["changes losing money (NPV < 0)"]
    assert flagged.iloc[0] == "" and flagged.iloc[1] == "HR"


def _ids(comparison) -> set[str]:
    """Every id of the compared programmes that a person could mistake for a word: the ones with a
    hyphen, an underscore or a digit."""
    found: set[str] = set()
    for result in comparison.results:
        programme = result.loaded.programme
        for record in (*programme.services, *programme.options, *programme.partners, *programme.resources):
            if re.search(r"[-_0-9]", record.id):
                found.add(record.id)
    return found


def test_the_people_outputs_speak_names_and_money_not_ids_and_floats(comparison):
    """The terminal table and the HTML page name every service and option and write money as £ with
    separators; the JSON keeps the ids for machines."""
    from engine.present.comparison import comparison_html

    ids = _ids(comparison)
    for text in (comparison_text(comparison), comparison_html(comparison)):
        spoken = set(re.findall(r"[A-Za-z0-9][\w-]*", text))
        assert not ids & spoken, sorted(ids & spoken)
        assert "£2,946,827" in text and "2946826" not in text
        assert "s101 delegation with Gloucestershire County Council from Jul 2015" in text
        assert "the provider is fixed to Private HR and payroll bureau" in text
    assert "hr-county-s101 from Jul 2015" in json.dumps(comparison.to_json())
