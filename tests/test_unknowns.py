"""Values the sources do not give: ``null`` / ``unknown`` in the files, "unknown" in every output,
never 0; money may not be unknown (the finance and the plan need a figure)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from engine.appraisal.scenario import load_scenario, run_scenario
from engine.base.errors import InputError
from engine.cli import main
from engine.io.load import dump_programme, load_programme, parse_programme, save_programme
from engine.present.staff import fte_text, staff_total
from engine.present.summary import summary_text
from engine.report.implications import people
from tests.conftest import DATA

UNKNOWNS = DATA / "unknowns.yaml"


@pytest.fixture(scope="module")
def unknowns():
    return load_programme(UNKNOWNS)


def test_null_and_the_word_unknown_read_as_unknown(unknowns):
    fte = {s.id: s.fte for s in unknowns.services}
    assert fte == {"hr": 3.0, "payroll": None, "audit": None}
    outcome = {o.id: o.attributes.get("outcome", "absent") for o in unknowns.options}
    assert outcome["hr-county"] == 4 and outcome["hr-other"] is None and outcome["audit-county"] is None


def test_an_fte_left_out_is_still_zero_by_default():
    """Leaving the field out keeps today's default; only `null`/`unknown` say "not known"."""
    text = UNKNOWNS.read_text().replace(", fte: unknown}", "}")
    assert parse_programme(text, "x.yaml").service("payroll").fte == 0.0


@pytest.mark.parametrize("written", ["Unknown", " UNKNOWN ", "null", "~"])
def test_every_spelling_of_unknown(written):
    text = UNKNOWNS.read_text().replace("fte: unknown", f"fte: {written}")
    assert parse_programme(text, "x.yaml").service("payroll").fte is None


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "annual_cost: 40000, fte: unknown",
            "annual_cost: null, fte: unknown",
            "services[payroll].annual_cost",
        ),
        ("one_off_cost: 10000", "one_off_cost: unknown", "options[hr-county].one_off_cost"),
        ("annual_cost: 30000", "annual_cost: Unknown", "options[payroll-county].annual_cost"),
    ],
)
def test_money_may_not_be_unknown(old, new, field):
    with pytest.raises(InputError) as caught:
        parse_programme(UNKNOWNS.read_text().replace(old, new), "x.yaml")
    [problem] = caught.value.problems
    assert problem.field == field and problem.line is not None
    assert "a figure is needed here, not unknown" in problem.message
    assert "illustrative" in problem.message and "ranges" in problem.message


def test_unknown_is_refused_where_a_number_is_needed_with_all_problems_at_once():
    text = UNKNOWNS.read_text().replace("duration: 1,", "duration: unknown,")
    text = text.replace("annual_cost: 60000, fte: null", "annual_cost: unknown, fte: null")
    with pytest.raises(InputError) as caught:
        parse_programme(text, "x.yaml")
    fields = sorted(p.field for p in caught.value.problems)
    assert fields == ["options[payroll-county].duration", "services[audit].annual_cost"]


def test_yaml_round_trip_keeps_unknown(unknowns, tmp_path: Path):
    text = dump_programme(unknowns)
    assert "fte: null" in text and "fte: 0" not in text
    again = tmp_path / "again.yaml"
    save_programme(unknowns, again)
    assert load_programme(again) == unknowns


def test_excel_round_trip_keeps_unknown_and_blank_stays_the_default(unknowns, tmp_path: Path):
    book = tmp_path / "book.xlsx"
    save_programme(unknowns, book)
    sheet = load_workbook(book)["services"]
    header = [c.value for c in sheet[1]]
    cells = {row[0]: row[header.index("fte")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells == {"hr": 3, "payroll": "unknown", "audit": "unknown"}
    assert load_programme(book) == unknowns
    workbook = load_workbook(book)
    workbook["services"].cell(row=3, column=header.index("fte") + 1).value = None  # payroll: blank
    workbook.save(book)
    assert load_programme(book).service("payroll").fte == 0.0


def test_fte_text_and_totals():
    assert fte_text(None) == "unknown" and fte_text(0) == "0" and fte_text(2.5) == "2.5"
    assert staff_total([("HR", 3), ("Audit", 4.5)]).text() == "7.5 FTE"
    assert (
        staff_total([("HR", 3), ("Pay", None), ("Audit", None)]).text()
        == "at least 3 FTE; 2 services unknown"
    )
    assert staff_total([("HR", 0), ("Pay", None)]).text() == "at least 0 FTE; 1 service unknown"
    assert staff_total([("Pay", None)]).text() == "unknown (1 service: the sources do not say)"


def _services_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith((" HR (", " Payroll (", " Audit ("))]


def test_show_says_unknown_never_zero(unknowns):
    text = summary_text(unknowns)
    lines = _services_lines(text)
    assert [("FTE unknown" in line) for line in lines] == [False, True, True]
    assert not any("0 FTE" in line for line in lines)
    assert "Staff: at least 3 FTE; 2 services unknown." in text


def test_show_adds_no_staff_line_when_every_fte_is_known(small):
    assert "Staff:" not in summary_text(small)


def test_an_exempt_unknown_fte_stays_withheld_and_out_of_the_total():
    text = UNKNOWNS.read_text().replace(
        "annual_cost: 40000, fte: unknown}", "annual_cost: 40000, fte: unknown, exempt: [fte]}"
    )
    programme = parse_programme(text, "x.yaml")
    public = summary_text(programme)
    assert "Staff: at least 3 FTE; 1 service unknown (not counting 1 exempt)." in public
    assert "[exempt]" in _services_lines(public)[1]
    assert "Staff: at least 3 FTE; 2 services unknown." in summary_text(programme, include_exempt=True)


def test_show_on_the_command_line_exits_0(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["show", str(UNKNOWNS)])
    out = capsys.readouterr().out
    assert exited.value.code in (0, None) and "FTE unknown" in out


def _scenario(tmp_path: Path, body: str = "") -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(f"name: what if\nbase: {UNKNOWNS}\nrules: default\n{body}")
    return path


def test_report_people_section_says_how_many_are_unknown(tmp_path: Path):
    result = run_scenario(load_scenario(_scenario(tmp_path, "force_in: [hr, payroll, audit]\n")))
    section = people(result)
    text = " ".join(b.text for b in section.blocks if b.kind == "para")
    assert "At least 3 full-time-equivalent posts (the number for Audit and Payroll are not known)" in text
    [grid] = [b for b in section.blocks if b.kind == "table"]
    assert {row[0]: row[1] for row in grid.rows} == {"HR": "3", "Payroll": "unknown", "Audit": "unknown"}


def test_a_scenario_may_give_an_unknown_value_or_make_one_unknown(tmp_path: Path):
    body = (
        "change:\n  services:\n    payroll: {fte: 7}\n    hr: {fte: unknown}\n"
        "  options:\n    hr-other: {attributes: {outcome: 5}}\n    hr-county: {attributes: {outcome: null}}\n"
    )
    programme = load_scenario(_scenario(tmp_path, body)).programme
    assert programme.service("payroll").fte == 7 and programme.service("hr").fte is None
    assert programme.option("hr-other").attributes == {"outcome": 5}
    assert programme.option("hr-county").attributes == {"outcome": None}


def test_a_scenario_may_not_make_money_unknown(tmp_path: Path):
    body = "change:\n  services:\n    payroll: {annual_cost: unknown}\n"
    with pytest.raises(InputError) as caught:
        load_scenario(_scenario(tmp_path, body))
    [problem] = caught.value.problems
    assert problem.file.endswith("scenario.yaml") and problem.line == 6
    assert "a figure is needed here, not unknown" in problem.message
