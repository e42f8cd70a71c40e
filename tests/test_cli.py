"""The command line: exit codes, messages, and the files it writes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from engine.cli import main
from engine.io.load import load_programme
from tests.conftest import DATA, ROOT, SHARED, SHIPPED, tight_gloucester


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_validate_ok(capsys):
    code, out, _ = run(capsys, "validate", *map(str, SHIPPED))
    assert code == 0
    assert out.count(": ok (") == len(SHIPPED)


def test_validate_reports_every_file_and_exits_2(capsys):
    bad = DATA / "bad" / "negative-cost.yaml"
    code, out, err = run(
        capsys, "validate", str(DATA / "small.yaml"), str(bad), str(DATA / "bad" / "cycle.yaml")
    )
    assert code == 2
    assert "small.yaml: ok" in out
    assert "negative-cost.yaml:14:60: services[payroll].annual_cost: expected a number ≥ 0" in err
    assert "dependency cycle: hr → payroll → hr" in err
    assert "Traceback" not in err


def test_show_withholds_exempt_figures_unless_asked(capsys):
    path = str(ROOT / "scenarios" / "gloucester-2015.yaml")
    code, out, _ = run(capsys, "show", path)
    assert code == 0
    assert "[exempt]" in out and "£205,000" not in out  # the bureau's tendered price
    assert "£229,000" in out and "Dependency order:" in out and "AMEO consultancy days" in out
    code, out, _ = run(capsys, "show", "--include-exempt", path)
    assert "£205,000" in out


def test_show_bad_file_exits_2_with_location(capsys):
    code, _, err = run(capsys, "show", str(DATA / "bad" / "unknown-field.yaml"))
    assert code == 2
    assert err.startswith("error: ") and "unknown field `ftes`" in err


def test_xlsx_import_export(capsys, tmp_path: Path):
    book, back = tmp_path / "g.xlsx", tmp_path / "g.yaml"
    source = ROOT / "scenarios" / "gloucester-2015.yaml"
    assert run(capsys, "export-xlsx", str(source), "-o", str(book))[0] == 0
    assert run(capsys, "import-xlsx", str(book), "-o", str(back))[0] == 0
    assert load_programme(back) == load_programme(source)
    code, _, err = run(capsys, "export-xlsx", str(source), "-o", str(tmp_path / "g.csv"))
    assert code == 2 and "must end in .xlsx" in err


@pytest.mark.slow
def test_demo_validates_summarises_and_writes_workbook(capsys, tmp_path: Path):
    code, out, _ = run(capsys, "demo", "--out", str(tmp_path))
    assert code == 0
    assert "Validated gloucester-2015.yaml: ok" in out
    assert "reads back identical: yes" in out
    assert "services ranked by the gain" in out and "Why HR goes to the County" in out
    assert (tmp_path / "gloucester-2015.xlsx").exists()
    assert "Plan (value objective, highs): optimal" in out
    assert (tmp_path / "gloucester-2015-plan.html").exists() and (
        tmp_path / "gloucester-2015-plan.png"
    ).exists()
    # it ends with the Cabinet report and its exempt appendix
    import docx

    report = docx.Document(str(tmp_path / "gloucester-2015-cabinet-report.docx"))
    assert any(p.text == "2.0 Recommendations" for p in report.paragraphs)
    exempt = docx.Document(str(tmp_path / "gloucester-2015-exempt-appendix.docx"))
    assert any(p.text == "NOT FOR PUBLICATION" for p in exempt.paragraphs)
    assert out.rstrip().endswith("gloucester-2015-exempt-appendix.docx")


def test_usage_error_is_not_a_traceback(capsys):
    code, _, err = run(capsys, "validate")
    assert code == 2 and "Missing argument" in err


def test_internal_error_exits_1(capsys, monkeypatch):
    def boom(*args, **kwargs):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr("engine.present.summary.summary_text", boom)  # the command imports it when it runs
    code, _, err = run(capsys, "show", str(DATA / "small.yaml"))
    assert code == 1 and "internal error: ZeroDivisionError" in err


def test_console_script_is_installed():
    exe = shutil.which("ssplan", path=str(Path(sys.executable).parent))
    assert exe, "the ssplan console script is not installed next to this Python"
    result = subprocess.run(
        [exe, "validate", str(DATA / "bad" / "empty.yaml")], capture_output=True, text=True
    )
    assert result.returncode == 2 and "the file is empty" in result.stderr


def test_score_table_ranks_services_and_lists_exceptions(capsys):
    code, out, _ = run(capsys, "score", str(ROOT / "scenarios" / "gloucester-2015.yaml"))
    assert code == 0
    assert "rule set `default`, method WSM" in out
    # the bureau's NPV clears the County's by the margin; its score (outcomes 3, high risk) does not lead
    bureau = (
        "Human Resources and related transactional services, outsourced with Private HR and payroll bureau"
    )
    assert f"{bureau}: beats the margin, but another option scores higher" in out
    assert "Ties:" in out
    # people read names: the table and its notes name services and options, never by their ids
    assert "s101 delegation with Gloucestershire County Council" in out
    assert not re.search(r"\b(hr|ict|payroll)-[a-z0-9-]+\b", out), out


def test_score_json_and_csv(capsys):
    path = str(ROOT / "scenarios" / "lancaster-2011.yaml")
    code, out, _ = run(
        capsys,
        "score",
        path,
        "--format",
        "json",
        "--method",
        "topsis",
        "--rules",
        str(ROOT / "rules" / "savings-first.yaml"),
    )
    data = json.loads(out)
    assert code == 0 and data["method"] == "topsis" and data["rules"] == "savings-first"
    code, out, _ = run(capsys, "score", path, "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("service,option,provider")


def test_score_explain(capsys):
    path = str(ROOT / "scenarios" / "gloucester-2015.yaml")
    code, out, _ = run(capsys, "score", path, "--explain", "hr")
    assert code == 0 and "option.duration_months (6) <= 3" in out
    code, _, err = run(capsys, "score", path, "--explain", "hrr")
    assert code == 2 and "unknown service `hrr`" in err


def test_rules_check(capsys):
    code, out, _ = run(capsys, "rules", "check", str(ROOT / "rules" / "default.yaml"))
    assert code == 0 and "ok (5 criteria" in out
    code, _, err = run(capsys, "rules", "check", str(DATA / "bad-rules" / "misspelt-field.yaml"))
    assert code == 2 and "did you mean `service.annual_cost`" in err


def test_bad_rules_in_score_exit_2(capsys):
    bad_rules = str(DATA / "bad-rules" / "regex.yaml")
    code, _, err = run(capsys, "score", str(DATA / "small.yaml"), "--rules", bad_rules)
    assert code == 2 and "regular-expression matching" in err


def test_plan_table_json_csv_xlsx_and_gantt(capsys, tmp_path: Path):
    path = str(ROOT / "scenarios" / "gloucester-2015.yaml")
    code, out, _ = run(capsys, "plan", path, "--gantt", str(tmp_path / "g.html"))
    assert code == 0 and "Plan (value objective, highs): optimal" in out
    assert "Human Resources and related transactional services" in out
    assert "s101 delegation with Gloucestershire County Council" in out and "hr-county-s101" not in out
    assert (tmp_path / "g.html").read_text().count("plotly") > 0
    code, out, _ = run(capsys, "plan", path, "--format", "json", "--objective", "makespan", "--solver", "cbc")
    data = json.loads(out)
    assert code == 0 and data["status"] == "optimal" and data["schedule"] and data["usage"]
    code, out, _ = run(capsys, "plan", path, "--format", "csv", "--gantt", str(tmp_path / "g.png"))
    assert code == 0 and out.startswith("service,service_name,option")
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    code, out, _ = run(capsys, "plan", path, "--format", "xlsx", "--out", str(tmp_path / "plan.xlsx"))
    sheets = load_workbook(tmp_path / "plan.xlsx").sheetnames
    assert code == 0 and sheets == ["Summary", "Schedule", "Resource use"]


def test_plan_what_if_options(capsys):
    path = str(ROOT / "scenarios" / "gloucester-2015.yaml")
    code, out, _ = run(
        capsys,
        "plan",
        path,
        "--force-out",
        "hr",
        "--fix-provider",
        "finance-admin=civica",
        "--max-concurrent",
        "2",
    )
    assert code == 0 and "finance-civica" in out and "EXCEPTION" in out
    assert "Kept as they are, and why:" in out
    assert "Human Resources and related transactional services: kept as it is by this what-if" in out
    hr = "Human Resources and related transactional services"
    assert f"Payroll: cannot fit: Payroll must change, but {hr}, which must come first" in out
    assert "Internal Audit: has no option to change to" in out
    code, _, err = run(capsys, "plan", path, "--fix-provider", "hr")
    assert code == 2 and "expected SERVICE=VALUE" in err


def test_plan_infeasible_exits_2_with_advice(capsys, tmp_path: Path):
    code, out, _ = run(capsys, "plan", str(tight_gloucester(tmp_path)), "--force-in", "ict")
    assert code == 2 and "infeasible" in out and "must rise from 4 to 6" in out


def test_plan_psplib(capsys):
    sm = SHARED / "benchmarks" / "psplib" / "j30" / "j301_1.sm"
    if not sm.exists():
        pytest.skip("PSPLIB instances not present")
    code, out, _ = run(capsys, "plan", "--psplib", str(sm), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["status"] == "optimal" and data["makespan"] == 43


def test_switching_command(capsys):
    gloucester = str(ROOT / "scenarios" / "gloucester-2015.yaml")
    code, out, _ = run(capsys, "switching", gloucester)  # every exception rests on an exempt price
    assert code == 0 and "£228,000" not in out and "6 switching value(s) rest on exempt" in out
    code, out, _ = run(capsys, "switching", gloucester, "--include-exempt")
    assert code == 0 and out.startswith("NOT FOR PUBLICATION")
    assert (
        "Finance administration functions: outsourced with Civica would be recommended if its annual cost "
        "moved from £228,000" in out
    )
    code, out, _ = run(capsys, "switching", str(ROOT / "scenarios" / "essex-2010.yaml"))
    assert code == 0 and "no option of another partner" in out


def test_sensitivity_command(capsys):
    scenario = str(ROOT / "scenarios" / "gloucester-2015" / "county-first.yaml")
    code, out, _ = run(capsys, "sensitivity", scenario, "--draws", "200", "--seed", "5", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["draws"] == 200 and len(data["services"]) == 10 and data["tornado"]
    code, again, _ = run(capsys, "sensitivity", scenario, "--draws", "200", "--seed", "5", "--format", "json")
    assert again == out
    assert data["costs_drawn_for"] == ["hr-bureau", "ict-county"]
    assert all("P(recommended: costs only)" in e for e in data["exceptions"])
    code, out, _ = run(capsys, "sensitivity", scenario, "--draws", "50", "--no-costs", "--format", "json")
    assert code == 0 and json.loads(out)["costs_drawn_for"] == []


def test_store_commands(capsys, tmp_path: Path):
    db = f"sqlite:///{tmp_path / 's.db'}"
    scenario = str(ROOT / "scenarios" / "gloucester-2015" / "county-first.yaml")
    assert run(capsys, "store", "save", scenario, "--db", db)[1].strip() == "stored run 1"
    code, out, _ = run(
        capsys,
        "store",
        "record-decision",
        "1",
        "--by",
        "DS",
        "--body",
        "Cabinet",
        "--decision",
        "approved",
        "--db",
        db,
    )
    assert code == 0 and "recorded decision 1 on run 1" in out
    code, out, _ = run(capsys, "store", "list", "--db", db)
    assert code == 0 and "1 decision(s)  County first" in out
    code, out, _ = run(capsys, "store", "show", "1", "--db", db)
    assert code == 0 and json.loads(out)["decisions"][0]["decision"] == "approved"
    code, _, err = run(capsys, "store", "show", "7", "--db", db)
    assert code == 2 and "no run 7" in err


def test_rules_check_on_a_programme_says_which_criterion_does_not_discriminate(capsys):
    rules = str(ROOT / "rules" / "default.yaml")
    lancaster = str(ROOT / "scenarios" / "lancaster-2011.yaml")
    gloucester = str(ROOT / "scenarios" / "gloucester-2015.yaml")
    code, out, _ = run(capsys, "rules", "check", rules, "--programme", lancaster)
    assert code == 0 and "ok (5 criteria" in out
    assert "criterion `quick_wins` does not discriminate" in out and "OneConnect" in out
    code, out, _ = run(capsys, "rules", "check", rules, "-p", gloucester)
    assert code == 0 and "does not discriminate" not in out
