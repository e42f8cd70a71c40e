"""The Cabinet report of a plan that changes nothing, and of one that changes a single service,
read back from Word: every section says what is true (audit of issue 18: capacity 0 on Lancaster
gave an empty list of councils' NPVs, "changes a single service", one service "under review" of
three, "The order was chosen by optimisation…" and £0.00)."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from engine.appraisal.scenario import load_scenario, run_scenario
from engine.report.build import build_report
from engine.report.money import NOTHING
from engine.report.word import render_docx
from tests.conftest import ROOT

SCENARIOS = ROOT / "scenarios"
POOLS = {
    "lancaster-2011": ("officer-days", "s151-days"),
    "gloucester-2015": ("pm-days", "ameo-days", "gcc-staff-days"),
}
WRONG = (
    "changes a single service",  # 4.3
    "The order was chosen by optimisation",  # 5.1
    "Services not in this plan stay under review",  # 6.2 (all stay: every one is listed)
    "for each council",  # 7.2's empty list
    "is: .",
    "start dates in Appendix 1",  # 6.1: there are none
    "as the plan in Appendix 1 shows",  # 12.4
    "£0.00",
    "(P10)",  # 9.5: a range of nothing
    "recommended order",  # 1.1: no order
)


def _scenario(folder: Path, programme: str, extra: str) -> Path:
    path = folder / f"{programme}-nothing.yaml"
    path.write_text(f"name: {programme} what-if\nbase: {SCENARIOS / programme}.yaml\nrules: default\n{extra}")
    return path


def _zero(programme: str) -> str:
    return "capacities:\n" + "".join(f"  {pool}: {{capacity: 0}}\n" for pool in POOLS[programme])


def _read(path: Path, tmp: Path) -> tuple[dict[str, str], str]:
    """The numbered paragraphs by number ("7.2" -> its text), and every word of the document."""
    result = run_scenario(load_scenario(path))
    out = tmp / f"{path.stem}.docx"
    render_docx(build_report(result, draws=20), out)
    document = docx.Document(str(out))
    paragraphs = [p.text for p in document.paragraphs]
    numbered = dict(p.split(" ", 1) for p in paragraphs if p[:1].isdigit() and " " in p)
    cells = [cell.text for grid in document.tables for row in grid.rows for cell in row.cells]
    return numbered, "\n".join(paragraphs + cells)


@pytest.mark.slow
@pytest.mark.parametrize("programme", sorted(POOLS))
def test_a_plan_with_no_capacity_reads_truly_in_every_section(programme, tmp_path):
    path = _scenario(tmp_path, programme, _zero(programme))
    services = [s.name for s in load_scenario(path).programme.services]
    paragraphs, text = _read(path, tmp_path)
    for wrong in WRONG:
        assert wrong not in text, wrong
    because = "because no change fits the programme's limits (resource capacity, budgets and dependencies)"
    assert paragraphs["1.1"].startswith("To report to Cabinet that under this scenario")
    assert f"none of the {len(services)} services" in paragraphs["1.1"] and because in paragraphs["1.1"]
    assert paragraphs["4.3"] == (
        "Do minimum: the recommendation changes no service, so there is nothing smaller: "
        "it is business as usual."
    )
    assert paragraphs["5.1"].startswith("No change is recommended, " + because)
    assert paragraphs["6.2"].startswith("Every service stays under review: " + ", ".join(services) + ".")
    assert paragraphs["7.2"] == NOTHING
    assert text.count(NOTHING) == 2  # and Appendix 1, instead of tables of £0 and £0.00
    assert "No change is planned, so nothing is to be bought or agreed now." in text


@pytest.mark.slow
def test_a_do_nothing_scenario_says_the_scenario_keeps_every_service(tmp_path):
    paragraphs, text = _read(SCENARIOS / "gloucester-2015" / "do-nothing.yaml", tmp_path)
    assert "because this scenario keeps every service as it is" in paragraphs["5.1"]
    assert "changes a single service" not in text and "The order was chosen" not in text


@pytest.mark.slow
def test_a_plan_that_changes_one_service_says_so(tmp_path):
    """Lancaster with Customer Access kept as it is: ICT alone changes; it is its own minimum, the
    change (not an order) was chosen, the other two services stay under review."""
    path = _scenario(tmp_path, "lancaster-2011", "force_out: [customer-access]\n")
    result = run_scenario(load_scenario(path))
    assert result.plan.plan is not None
    assert [a.service for a in result.plan.plan.assignments] == ["ict"]
    paragraphs, text = _read(path, tmp_path)
    assert "the recommended change to how 1 of the 3 services" in paragraphs["1.1"]
    assert (
        paragraphs["4.3"]
        == "Do minimum: the recommendation changes a single service, so it is itself the minimum."
    )
    reasons = [text for number, text in paragraphs.items() if number.startswith("5.")]
    assert any(r.startswith("The change was chosen by optimisation") for r in reasons)
    assert "The order was chosen" not in text and NOTHING not in text
    assert paragraphs["6.2"].startswith(
        "Services not in this plan stay under review: Customer Access (contact centre and customer service "
        "points), HR and Payroll system."
    )
    # OneConnect's price is exempt: the one change's money is in the exempt appendix, not "nothing"
    assert "rests on commercially confidential prices" in paragraphs["7.2"]


@pytest.mark.slow
def test_a_plan_that_changes_nothing_but_has_funding_says_the_money_is_the_funding(tmp_path):
    """Riverside's grant and Marsh's contribution are money even when no service changes: 7.2 gives
    Marsh's £100,000 (its half of the £300,000 grant less its £50,000 contribution) as funding."""
    path = _scenario(tmp_path, "riverside-2012", "capacities:\n  programme-days: {capacity: 0}\n")
    paragraphs, text = _read(path, tmp_path)
    assert paragraphs["7.2"].startswith(
        "For Marsh District Council, the plan's net present value is £100,000 (the programme's funding "
        "alone: the plan changes no service)"
    )
    assert "The plan changes no service: its only money is the programme's funding" in text
    assert NOTHING not in text and "changes a single service" not in text
