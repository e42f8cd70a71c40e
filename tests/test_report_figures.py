"""An independent check of the report's money: every £ figure in the body of each shipped
programme's report is recomputed here from the engine's public results (engine.appraisal), rounded
by this module's own reading of how officers write money, and must match.

This module deliberately does not import ``engine.report``: the report is written by the command
line in a separate process and read back with python-docx.
"""

from __future__ import annotations

import numbers
import re
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from engine.appraisal.alternatives import compare_alternative, short_list, variant
from engine.appraisal.evidence import gather
from engine.appraisal.public import finance_view
from engine.appraisal.scenario import ScenarioResult, load_scenario, run_scenario
from engine.plan.disclosure import Disclosure, public_switching
from tests.conftest import REPORT_BASELINES, ROOT

SCENARIOS = ROOT / "scenarios"
BASELINES = REPORT_BASELINES
DRAWS = 20
MONEY = re.compile(r"−?£\d{1,3}(?:,\d{3})*(?:\.\d+)?(?: m)?")


def rounded(value: float) -> str:
    """£2.20 m from a million (after rounding to the thousand), £229,000 from a thousand, else £450."""
    size = abs(value)
    sign = "−" if value < 0 and round(size) > 0 else ""
    if round(size / 1000) * 1000 >= 1_000_000:
        return f"{sign}£{size / 1_000_000:.2f} m"
    if size >= 999.5:
        return f"{sign}£{round(size / 1000) * 1000:,}"
    return f"{sign}£{round(size):,}"


def exact(value: float) -> str:
    sign = "−" if value < -0.005 else ""
    return f"{sign}£{abs(value):,.2f}"


def body_text(path: Path) -> str:
    """Paragraphs and tables in document order, up to Appendix 1 (the appendices are exact)."""
    document = docx.Document(str(path))
    parts: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
            if text.startswith("Appendix 1"):
                break
            parts.append(text)
        elif child.tag.endswith("}tbl"):
            cells = [c for c in child.iter() if c.tag.endswith("}tc")]
            parts.append(
                " | ".join("".join(t.text or "" for t in c.iter() if t.tag.endswith("}t")) for c in cells)
            )
    return "\n".join(parts)


def expected_figures(result: ScenarioResult, others: list[ScenarioResult]) -> set[str]:
    """Every figure the body may print, from the engine's public results."""
    found: set[str] = set()
    money = finance_view(result, include_exempt=False)
    if money is not None:
        values = [money.npv, money.one_off, money.annual_saving]
        for frame in (money.by_year, money.by_partner, money.by_service):
            values += [float(v) for c in frame.columns for v in frame[c] if isinstance(v, numbers.Real)]
        found |= {rounded(v) for v in values}
        if money.target is not None:
            t = money.target
            found |= {rounded(v) for v in (t.target, t.forecast, t.shortfall) if v is not None}
    listed = short_list(result)
    nothing = [variant(result, "nothing", do_nothing=True)] if result.plan.plan is not None else []
    for other in [*nothing, listed.do_minimum, listed.ambitious, *others]:
        if other is None:
            continue
        for m in compare_alternative(result, other, include_exempt=False).measures:
            if m.money:
                found |= {rounded(m.ours), rounded(m.theirs)}
    programme = result.loaded.programme
    found |= {rounded(v) for source in programme.funding for v in source.amounts.values()}
    thresholds = [  # the constitutions' key-decision thresholds, inputs the header compares against
        p.governance.key_decision_threshold
        for p in programme.partners
        if p.governance is not None and p.governance.key_decision_threshold is not None
    ]
    found |= {rounded(v) for v in thresholds} | {f"£{v:,.0f}" for v in thresholds}
    evidence = gather(result, draws=DRAWS, seed=0)
    shown, _ = public_switching(evidence.switching, Disclosure.of(programme))
    for v in shown:  # printed to the pound: the cost now, at the switch, and the change
        if v.switching is not None:
            change = abs(v.switching - v.current)
            found |= {f"£{x:,.0f}" for x in (v.current, v.switching)} | {
                f"−£{change:,.0f}",
                f"£{change:,.0f}",
            }
    risk = evidence.npv_risk
    if risk is not None:
        found |= {rounded(v) for v in (risk.p10, risk.p50, risk.p90)}
    return found


@pytest.mark.slow
@pytest.mark.parametrize("programme", list(BASELINES))
def test_every_figure_in_the_body_is_the_engines(programme, tmp_path):
    base = SCENARIOS / programme / BASELINES[programme]
    paths = [p for p in sorted((SCENARIOS / programme).glob("*.yaml")) if p != base]
    out = tmp_path / "report.docx"
    compare = [arg for p in paths for arg in ("--compare", str(p))]
    command = [
        sys.executable,
        "-m",
        "engine.cli",
        "report",
        str(base),
        "--out",
        str(out),
        "--draws",
        str(DRAWS),
    ]
    done = subprocess.run([*command, *compare], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    printed = MONEY.findall(body_text(out))
    assert printed or programme == "lancaster-2011", "the report prints no money"
    result = run_scenario(load_scenario(base))
    allowed = expected_figures(result, [run_scenario(load_scenario(p)) for p in paths])
    unexplained = sorted(set(printed) - allowed)
    assert not unexplained, f"figures the engine's results do not give: {unexplained}"


@pytest.mark.parametrize(
    ("value", "text"), [(2_946_826.86, "£2.95 m"), (437_000, "£437,000"), (-163_412, "−£163,000"), (0, "£0")]
)
def test_this_modules_rounding(value, text):
    assert rounded(value) == text
