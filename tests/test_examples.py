"""The illustrative example programmes: every partnership shape, end to end, with golden results.

``three-vales-2016``: three councils, a lead council per service, services shared by two of them,
each council's own exception policy, go-live-together and a savings target.
``riverside-2012``: membership over time (a partner that withdraws before launch, one that joins
later, a company formed part-way through).
Regenerate (after review) with ``SSPLAN_UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from tests.conftest import ROOT
from tests.report_wait import planned

GOLDEN = Path(__file__).parent / "golden" / "examples"
VALES = ROOT / "scenarios" / "three-vales-2016.yaml"
VALES_WHATIFS = sorted((ROOT / "scenarios" / "three-vales-2016").glob("*.yaml"))
RIVERSIDE = ROOT / "scenarios" / "riverside-2012.yaml"
RIVERSIDE_WHATIFS = sorted((ROOT / "scenarios" / "riverside-2012").glob("*.yaml"))


def _run(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stop:
        main(list(args))
    return int(stop.value.code or 0), capsys.readouterr().out


def _steady(value: Any) -> Any:
    """Floats to the penny (or four places for scores) so the golden files read as officers do."""
    if isinstance(value, float):
        return round(value, 4) if abs(value) < 10 else round(value, 2)
    if isinstance(value, dict):
        return {k: _steady(v) for k, v in value.items() if k not in {"solve_seconds", "seconds"}}
    if isinstance(value, list):
        return [_steady(v) for v in value]
    return value


def _golden(name: str, payload: Any) -> None:
    text = json.dumps(_steady(payload), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("SSPLAN_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text(), f"results changed; review and regenerate {golden.name}"


@pytest.mark.parametrize("path", [VALES, RIVERSIDE], ids=lambda p: p.stem)
def test_the_example_says_it_is_illustrative_in_every_record(path: Path):
    from engine.io.load import load_programme

    programme = load_programme(path)
    assert "ILLUSTRATIVE EXAMPLE" in programme.description
    records = [*programme.partners, *programme.services, *programme.options, *programme.dependencies]
    assert all(record.illustrative is True for record in records)


def test_lead_councils_validate_score_and_plan_with_golden_results(capsys):
    code, out = _run(capsys, "validate", str(VALES), *map(str, VALES_WHATIFS))
    assert code == 0 and out.count(": ok (") == 1 + len(VALES_WHATIFS)
    code, out = _run(capsys, "plan", str(VALES), "--format", "json")
    assert code == 0
    plan = json.loads(out)
    assert plan["status"] == "optimal"
    ends = {a["service"]: a["finish"] for a in plan["schedule"]}
    assert ends["building-control"] == ends["planning"]  # they go live together
    _golden("three-vales-2016--plan", plan)


def test_lead_councils_compare_with_golden_results(capsys):
    code, out = _run(capsys, "compare", *map(str, VALES_WHATIFS), "--format", "json")
    assert code == 0
    _golden("three-vales-2016--compare", json.loads(out))


def test_a_lead_council_leaving_with_golden_results(capsys):
    code, out = _run(capsys, "exit", str(VALES), "chase", "--format", "json")
    assert code == 0
    exit_ = json.loads(out)
    assert set(exit_["receives"]) == {"ict", "legal", "building-control", "planning", "audit"}
    _golden("three-vales-2016--exit-chase", exit_)


def test_lead_councils_report_names_each_councils_route(tmp_path):
    from engine.report.run import write_report

    out = tmp_path / "report.md"
    write_report(VALES_WHATIFS[0], out, draws=50)
    text = out.read_text()
    for route in ("Avon Vale District Council Cabinet", "Brook Vale Borough Council Executive"):
        assert route in text
    assert "the default provider" not in text.lower()


def test_lead_councils_in_the_app_plan_as_the_engine_does(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    from engine.appraisal.scenario import Scenario, prepare_scenario, run_scenario
    from engine.io.load import load_programme
    from engine.rules.ruleset import load_ruleset

    monkeypatch.setenv("SSPLAN_DB", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.delenv("SSPLAN_LOGIN", raising=False)
    at = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/programme.py").run()  # the app opens on Home
    at.selectbox(key="programme.pick").set_value("three-vales-2016")
    at.button(key="programme.load").click().run()
    leads = next(d.value for d in at.dataframe if "leads" in d.value.columns)
    assert "Building control" in leads.set_index("partner").loc["Chase Vale District Council", "leads"]
    at.switch_page("app_pages/plan.py").run()
    planned(at)
    assert not at.exception
    programme = load_programme(VALES)
    rules = load_ruleset(ROOT / "rules" / "default.yaml")
    loaded = prepare_scenario(Scenario(name="what-if", base="(on screen)"), programme, rules, ROOT / "w.yaml")
    expected = run_scenario(loaded).plan.to_frame()
    shown = next(d.value for d in at.dataframe if {"Service", "Start", "Finish"} <= set(d.value.columns))
    assert list(shown["Start"]) == list(expected["start_label"])


def test_membership_over_time_plans_with_golden_results(capsys):
    code, out = _run(capsys, "validate", str(RIVERSIDE), *map(str, RIVERSIDE_WHATIFS))
    assert code == 0 and out.count(": ok (") == 1 + len(RIVERSIDE_WHATIFS)
    code, out = _run(capsys, "plan", str(RIVERSIDE), "--format", "json")
    assert code == 0
    plan = json.loads(out)
    starts = {a["service"]: a["start"] for a in plan["schedule"]}
    assert "westshire-hr" not in starts  # Westshire withdrew before any change could be in place
    assert starts["hillside-revenues"] >= 24  # not before Hillside joins in April 2018 (quarter 24)
    _golden("riverside-2012--plan", plan)
    code, out = _run(capsys, "compare", *map(str, RIVERSIDE_WHATIFS), "--format", "json")
    assert code == 0
    _golden("riverside-2012--compare", json.loads(out))


def test_membership_over_time_progress_and_exit_with_golden_results(capsys):
    """Benefits realisation as of 1 April 2014 (HR live on time and over its one-off cost, legal late,
    ICT in progress) and Marsh leaving: both as the commands print them in JSON."""
    code, out = _run(capsys, "progress", str(RIVERSIDE), "--format", "json")
    assert code == 0
    progress = json.loads(out)
    _golden("riverside-2012--progress", progress)
    code, out = _run(capsys, "exit", str(RIVERSIDE), "marsh", "--format", "json")
    assert code == 0
    exit_ = json.loads(out)
    assert set(exit_["receives"]) == {"ict", "hr-payroll", "legal", "finance-system"}
    npv = {row["partner"]: row for row in exit_["npv_by_partner"]}
    assert npv["westshire"]["before"] == 0.0  # no part in the plan: £0, not "no plan"
    _golden("riverside-2012--exit-marsh", exit_)


def test_staged_changes_funding_and_a_dissolution_with_golden_results(capsys):
    """Planned for savings, the finance system changes twice (shared, then replaced); the legal
    company what-if takes legal through two stages; the dissolution unwinds shared ICT as the later
    stage of its change, with Marsh bearing 75 % of the stranded costs; the grant is in every NPV."""
    whatifs = {p.stem: p for p in RIVERSIDE_WHATIFS}
    code, out = _run(
        capsys,
        "compare",
        *(str(whatifs[n]) for n in ("savings-first", "legal-company", "dissolution")),
        "--format",
        "json",
    )
    assert code == 0
    compared = json.loads(out)
    summary = {row["scenario"]: row for row in compared["summary"]}
    assert summary["Riverside, planned for savings"]["funding 2012/13 (£)"] == 200000.0
    text = json.dumps(compared["choices"])
    assert "erp-shared from" in text and "then erp-replaced from" in text
    assert "then legal-company from" in text and "then ict-back from" in text
    _golden("riverside-2012--compare-stages", compared)


def test_the_dissolution_report_names_the_stages_the_funding_and_the_unknown(tmp_path):
    from engine.report.run import write_report

    out = tmp_path / "report.md"
    write_report(ROOT / "scenarios" / "riverside-2012" / "dissolution.yaml", out, draws=50)
    text = out.read_text()
    assert "Transformation grant (illustrative)" in text  # the funding source, by name
    assert "Finance system (ERP)" in text and "not known" in text  # its FTE is unknown, never 0
    assert "ict-back" in text or "hand" in text.lower()


def test_membership_over_time_in_the_app(monkeypatch, tmp_path):
    """Loaded from the shipped list, Riverside's partners show when they are members and the
    finance system's FTE shows as unknown, never 0."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SSPLAN_DB", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.delenv("SSPLAN_LOGIN", raising=False)
    at = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/programme.py").run()  # the app opens on Home
    at.selectbox(key="programme.pick").set_value("riverside-2012")
    at.button(key="programme.load").click().run()
    assert not at.exception
    partners = next(d.value for d in at.dataframe if "member" in d.value.columns).set_index("partner")
    assert "2018" in partners.loc["Hillside Borough Council", "member"]
    services = next(d.value for d in at.dataframe if "FTE" in d.value.columns).set_index("service")
    assert services.loc["Finance system (ERP)", "FTE"] == "unknown"
