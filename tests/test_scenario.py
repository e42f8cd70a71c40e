"""Scenarios: overrides give validated copies; the shipped what-ifs run end to end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.appraisal.scenario import load_scenario, run_scenario
from engine.base.errors import InputError
from engine.plan.result import PlanStatus
from engine.plan.verify import verify
from tests.conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*/*.yaml"))


def test_each_partnership_ships_a_baseline_and_an_alternative():
    names = {(p.parent.name, p.stem) for p in SCENARIOS}
    assert {
        ("gloucester-2015", s) for s in ("county-first", "hr-other-partner", "do-nothing", "tight-capacity")
    } <= names
    for programme in ("essex-2010", "lancaster-2011"):
        assert len([n for n in names if n[0] == programme]) >= 2


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_shipped_scenario_runs_end_to_end(path: Path):
    result = run_scenario(load_scenario(path))
    assert result.plan.status == PlanStatus.OPTIMAL
    assert verify(result.plan.plan, result.loaded.programme, result.loaded.settings) == []
    assert result.finance is not None


def test_overrides_are_copies_and_the_base_is_untouched():
    tight = load_scenario(ROOT / "scenarios" / "gloucester-2015" / "tight-capacity.yaml")
    assert tight.programme.resource("pm-days").capacity == 10
    assert tight.base.resource("pm-days").capacity == 12
    assert tight.programme.resource("ameo-days").overrides["2015-07"] == 4
    assert tight.programme.services == tight.base.services


def test_do_nothing_is_the_zero_baseline():
    result = run_scenario(load_scenario(ROOT / "scenarios" / "gloucester-2015" / "do-nothing.yaml"))
    assert result.plan.plan.assignments == ()
    assert result.finance.npv == 0 and result.finance.one_off == 0


def test_the_exception_case_commissions_hr_from_another_partner():
    county = run_scenario(load_scenario(ROOT / "scenarios" / "gloucester-2015" / "county-first.yaml"))
    other = run_scenario(load_scenario(ROOT / "scenarios" / "gloucester-2015" / "hr-other-partner.yaml"))
    assert county.plan.plan.by_service()["hr"].option == "hr-county-s101"
    frame = other.plan.to_frame().set_index("service")
    assert frame.loc["hr", "option"] == "hr-bureau" and bool(frame.loc["hr", "exception"])
    # the bureau saves £24,000 a year more (illustrative figures) but costs £25,000 more up front
    by_service = other.finance.by_service.set_index("service")
    assert by_service.loc["hr", "annual_saving"] == 262000 - 205000


def _write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "gloucester-2015"
    folder.mkdir(exist_ok=True)
    (tmp_path / "gloucester-2015.yaml").write_text((ROOT / "scenarios" / "gloucester-2015.yaml").read_text())
    path = folder / "what-if.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (
            "name: x\nbase: ../gloucester-2015.yaml\nforce_inn: [hr]\n",
            "unknown field `force_inn` (did you mean `force_in`?)",
            3,
        ),
        ("name: x\nbase: ../absent.yaml\n", "base programme `../absent.yaml` not found", None),
        (
            "name: x\nbase: ../gloucester-2015.yaml\ncapacities:\n  pm-dayz: {capacity: 3}\n",
            "unknown resource `pm-dayz`",
            None,
        ),
        ("name: x\nbase: ../gloucester-2015.yaml\nforce_in: [hrr]\n", "unknown service(s): hrr", None),
        ("name: x\nbase: ../gloucester-2015.yaml\nrules: nonesuch\n", "unknown rule set `nonesuch`", None),
        (
            "name: x\nbase: ../gloucester-2015.yaml\nmargin: 2\n",
            "margin: 2 looks like a percentage: write 2 % as 0.02",
            3,
        ),
        (
            "name: x\nbase: ../gloucester-2015.yaml\nexclude_options: [hr-nope]\n",
            "unknown option `hr-nope`",
            None,
        ),
    ],
)
def test_bad_scenarios_say_what_and_where(tmp_path: Path, text: str, message: str, line: int | None):
    with pytest.raises(InputError) as caught:
        load_scenario(_write(tmp_path, text))
    assert message in str(caught.value)
    if line is not None:
        assert line in [p.line for p in caught.value.problems]


def test_margin_needs_an_exception_policy(tmp_path: Path):
    folder = tmp_path / "essex-2010"
    folder.mkdir()
    (tmp_path / "essex-2010.yaml").write_text((ROOT / "scenarios" / "essex-2010.yaml").read_text())
    (folder / "m.yaml").write_text("name: m\nbase: ../essex-2010.yaml\nmargin: 0.1\n")
    with pytest.raises(InputError, match="no exception policy"):
        load_scenario(folder / "m.yaml")


GOLDEN = Path(__file__).parent / "golden" / "scenarios"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_scenario_results(path: Path):
    import json
    import os

    result = run_scenario(load_scenario(path))
    finance = result.finance
    view = {
        "status": result.plan.status.value,
        "schedule": [
            {"service": a.service, "option": a.option, "start": a.start, "finish": a.finish}
            for a in sorted(result.plan.plan.assignments, key=lambda a: (a.start, a.service))
        ],
        "npv": round(finance.npv, 2),
        "one_off": round(finance.one_off, 2),
        "annual_saving": round(finance.annual_saving, 2),
        "by_partner": {r["partner"]: round(r["npv"], 2) for r in finance.by_partner.to_dict("records")},
    }
    golden = GOLDEN / f"{path.parent.name}--{path.stem}.json"
    if os.environ.get("SSPLAN_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(view, indent=1, sort_keys=True) + "\n")
    assert view == json.loads(golden.read_text()), f"results changed; review and regenerate {golden.name}"


@pytest.mark.parametrize(
    "line,expected",
    [
        ("appraisal: {optimism_bias: 2}", "2 looks like a percentage: write 2 % as 0.02"),
        ("margin: 5", "5 looks like a percentage: write 5 % as 0.05"),
        ("appraisal: {rate: 3.5}", "3.5 looks like a percentage: write 3.5 % as 0.035"),
    ],
)
def test_percentages_written_as_whole_numbers_are_refused(tmp_path: Path, line: str, expected: str):
    folder = tmp_path / "gloucester-2015"
    folder.mkdir()
    (tmp_path / "gloucester-2015.yaml").write_text((ROOT / "scenarios" / "gloucester-2015.yaml").read_text())
    (folder / "p.yaml").write_text(f"name: p\nbase: ../gloucester-2015.yaml\n{line}\n")
    with pytest.raises(InputError, match=re.escape(expected)):
        load_scenario(folder / "p.yaml")


def test_a_programme_given_where_a_scenario_is_expected_is_told_so(capsys):
    """A programme file passed to `report` (or `compare`) names its scenarios instead of listing one
    "unknown field" per programme section; exit 2."""
    from engine.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["compare", str(ROOT / "scenarios" / "essex-2010.yaml")])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert "this file is not a scenario" in err and "scenarios/essex-2010/baseline.yaml" in err
    assert "unknown field" not in err
