"""Values the sources do not give: ``null`` / ``unknown`` in the files, "unknown" in every output,
never 0; money may not be unknown (the finance and the plan need a figure)."""

from __future__ import annotations

import csv
import io
import json
import re
import typing
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pydantic import BeforeValidator

from engine.appraisal.exit import partner_exit
from engine.appraisal.scenario import load_scenario, run_scenario
from engine.base.errors import InputError, RuleError
from engine.cli import main
from engine.io.load import dump_programme, load_programme, parse_programme, save_programme
from engine.io.shipped import shipped_rules
from engine.present.staff import fte_text, staff_total
from engine.present.summary import summary_text
from engine.programme.model import DeliveryOption, Programme, Service, _unknown_is_none
from engine.programme.synth import random_programme_data
from engine.report.implications import people
from engine.report.run import write_report
from engine.rules.ruleset import load_ruleset, parse_ruleset
from engine.scoring.scores import score
from engine.scoring.unknowns import unknown_ranges
from tests.conftest import DATA, ROOT

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
    assert "City Council: at least 3 FTE (the numbers for Audit and Payroll are not known)" in text
    grid = [b for b in section.blocks if b.kind == "table"][-1]  # after the equality screening
    assert {row[0]: row[2] for row in grid.rows} == {"HR": "3", "Payroll": "unknown", "Audit": "unknown"}


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


# ------------------------------------------------------------------ scores resting on unknowns
RULES = load_ruleset(DATA / "unknowns-rules.yaml")


def _score(programme, rules=RULES):
    return score(programme, rules)


def _row(table, option: str) -> int:
    return int(np.flatnonzero(table.options["option"].to_numpy() == option)[0])


def test_ranges_and_flips_worked_by_hand(unknowns):
    """Saving and outcome, equal weights, min–max.  Savings: HR 0 / 20,000 / 25,000, Payroll 0 /
    10,000, Audit 0 / 10,000 (scale 0–25,000).  Outcomes given: 4 (hr-county), 2 (payroll-county),
    status quo 3 by default, so the scale is 2–4 and the unknown outcomes are tried at 2 and 4.
    hr-other: (1 + 0.5)/2 = 0.75 as given (unrated 3), (1 + 0)/2 = 0.5 at 2, (1 + 1)/2 = 1.0 at 4;
    hr-county scores (0.8 + 1)/2 = 0.9; the MoU test is on NPV (hr-other's saving of 25,000 against
    20,000 clears the 5 % margin whatever the outcome), so hr-other is recommended when it scores
    above 0.9: only near 4.
    audit-county: (0.4 + 0.5)/2 = 0.45, 0.2 at 2 (below the status quo's 0.25), 0.7 at 4.
    The recommendation turns where (1 + (v - 2)/2)/2 = 0.9, v = 3.6 (HR), and where
    (0.4 + (v - 2)/2)/2 = 0.25, v = 2.2 (Audit): both sides of each are tried too."""
    table = _score(unknowns)
    ranges = unknown_ranges(table)
    assert [u.path for u in ranges.unknowns] == [
        "options[hr-other].attributes.outcome",
        "options[audit-county].attributes.outcome",
    ]
    for unknown, turn in zip(ranges.unknowns, (3.6, 2.2), strict=True):
        assert unknown.values[0] == 2.0 and unknown.values[-1] == 4.0 and len(unknown.values) == 4
        assert unknown.values[1:3] == pytest.approx((turn, turn), abs=1e-8)
    found = {
        str(table.options["option"].iloc[i]): (round(ranges.low[i], 12), round(ranges.high[i], 12))
        for i in range(len(table.options))
        if ranges.low[i] == ranges.low[i]
    }
    assert found == {"hr-other": (0.5, 1.0), "audit-county": (0.2, 0.7)}
    assert table.options["score"].iloc[_row(table, "hr-other")] == pytest.approx(0.75)
    assert ranges.choices == {"hr": ("hr-county", "hr-other"), "audit": ("audit-county", "audit-status-quo")}
    assert not ranges.could_flip("payroll")


@settings(max_examples=10, deadline=None)
@given(
    hr=st.floats(min_value=2, max_value=4, allow_nan=False),
    audit=st.floats(min_value=2, max_value=4, allow_nan=False),
)
def test_the_stated_range_holds_every_score_in_it(hr, audit):
    """Give the unknown ratings any value between the ends: each option's score stays within the
    range stated while they were unknown, and each recommendation is one of those named."""
    programme = load_programme(UNKNOWNS)
    ranges = unknown_ranges(_score(programme))
    options = {
        "hr-other": programme.option("hr-other").model_copy(update={"attributes": {"outcome": hr}}),
        "audit-county": programme.option("audit-county").model_copy(
            update={"attributes": {"outcome": audit}}
        ),
    }
    known = programme.model_copy(update={"options": tuple(options.get(o.id, o) for o in programme.options)})
    table = _score(known)
    for option in options:
        i = _row(table, option)
        assert ranges.low[i] - 1e-12 <= table.options["score"].iloc[i] <= ranges.high[i] + 1e-12
    for service, recommended in zip(table.services["service"], table.services["recommended"], strict=True):
        assert recommended in ranges.choices.get(service, (recommended,))


def test_an_unknown_fte_is_tried_at_the_other_services_values(unknowns):
    text = (
        (DATA / "unknowns-rules.yaml")
        .read_text()
        .replace(
            "criteria:\n",
            "criteria:\n  - {id: staff, name: Staff, text: staff to move, weight: 1, direction: cost, "
            "expr: 'option.is_status_quo ? 0 : service.fte ?? 5'}\n",
        )
    )
    rules = parse_ruleset(text, "staff.yaml")
    ranges = unknown_ranges(_score(unknowns, rules))
    fte = [u for u in ranges.unknowns if u.field == "service.fte"]
    assert [(u.path, u.values, u.rows) for u in fte] == [
        ("services[payroll].fte", (3.0,), (3, 4)),
        ("services[audit].fte", (3.0,), (5, 6)),
    ]


def test_a_rule_without_a_default_names_the_unknown_and_does_not_read_zero(unknowns):
    text = (
        (DATA / "unknowns-rules.yaml")
        .read_text()
        .replace(
            "criteria:\n",
            "criteria:\n  - {id: staff, name: Staff, text: staff, weight: 1, direction: cost, "
            "expr: service.fte * 2}\n",
        )
    )
    with pytest.raises(RuleError) as caught:
        _score(unknowns, parse_ruleset(text, "staff.yaml"))
    message = str(caught.value)
    assert "payroll" in message and "services[payroll].fte is unknown" in message and "`??`" in message


def test_no_other_value_given_uses_the_criterion_scale():
    """The default rules rate outcomes on a 1–5 scale: with no outcome given anywhere, an unknown
    one is tried at 1 and 5."""
    text = (
        UNKNOWNS.read_text().replace("attributes: {outcome: 4}", "").replace("attributes: {outcome: 2}", "")
    )
    programme = parse_programme(text, "x.yaml")
    ranges = unknown_ranges(_score(programme, load_ruleset(shipped_rules())))
    assert {(u.values[0], u.values[-1]) for u in ranges.unknowns} == {(1.0, 5.0)}
    assert {u.basis for u in ranges.unknowns} == {"the ends of the scale of criterion `outcomes`"}


def _cli(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    assert exited.value.code in (0, None), err
    return out


def test_score_marks_the_options_in_every_format(capsys):
    args = ("score", str(UNKNOWNS), "--rules", str(DATA / "unknowns-rules.yaml"))
    text = _cli(capsys, *args)
    assert (
        "hr-other (Other Council): 0.750 (0.500–1.000 while the outcome of HR by Other Council is unknown)"
        in text
    )
    assert "  HR: hr-county or hr-other" in text and "  Audit: audit-county or audit-status-quo" in text
    data = json.loads(_cli(capsys, *args, "--format", "json"))
    by_option = {o["option"]: o for o in data["options"]}
    assert by_option["hr-other"]["score_range"] == [0.5, 1.0]
    assert by_option["hr-other"]["unknown_inputs"][0]["path"] == "options[hr-other].attributes.outcome"
    assert by_option["hr-county"]["score_range"] is None and by_option["hr-county"]["unknown_inputs"] == []
    assert data["could_change"] == {
        "hr": ["hr-county", "hr-other"],
        "audit": ["audit-county", "audit-status-quo"],
    }
    rows = list(csv.DictReader(io.StringIO(_cli(capsys, *args, "--format", "csv"))))
    audit = next(r for r in rows if r["option"] == "audit-county")
    assert (audit["unknown_inputs"], float(audit["score_low"]), float(audit["score_high"])) == (
        "options[audit-county].attributes.outcome",
        0.2,
        0.7,
    )


def test_a_shipped_programme_has_nothing_to_mark(capsys, gloucester):
    path = "scenarios/gloucester-2015.yaml"
    assert "unknown" not in _cli(capsys, "score", path)
    data = json.loads(_cli(capsys, "score", path, "--format", "json"))
    assert all(o["score_range"] is None and not o["unknown_inputs"] for o in data["options"])
    assert data["could_change"] == {}


def test_ranges_resting_on_exempt_figures_are_withheld(capsys, tmp_path: Path):
    """hr-other's exempt price sets the saving scale, so every score is banded: no range is printed."""
    path = tmp_path / "secret.yaml"
    path.write_text(
        UNKNOWNS.read_text().replace(
            "attributes: {outcome: unknown}", "attributes: {outcome: unknown}, exempt: [annual_cost]"
        )
    )
    args = ("score", str(path), "--rules", str(DATA / "unknowns-rules.yaml"))
    text = _cli(capsys, *args)
    assert "range withheld (exempt figures)" in text and "0.500–1.000" not in text
    data = json.loads(_cli(capsys, *args, "--format", "json"))
    assert all(o["score_range"] is None for o in data["options"])
    assert "0.500–1.000" in _cli(capsys, *args, "--include-exempt")


def test_the_readme_table_names_every_field_that_may_be_unknown():
    """The fields whose type takes an unknown are the ones the README's table lists."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("**Values not known.**")[1].split("\n\n")[1]
    listed = set(re.findall(r"^\| (\w+) \| `(\w+)` \|", table, flags=re.M))
    maybe = {
        (record, name)
        for record, model in (("service", Service), ("option", DeliveryOption))
        for name, info in model.model_fields.items()
        if any(isinstance(m, BeforeValidator) and m.func is _unknown_is_none for m in _metadata(info))
    }
    assert listed == maybe == {("service", "fte"), ("option", "attributes")}


def _metadata(info) -> list:
    """Validators on the field and, for a mapping, on its values."""
    found = list(info.metadata)
    for arg in typing.get_args(info.annotation):
        found += list(getattr(arg, "__metadata__", ()))
    return found


BOOLEAN_RULES = """
id: b
name: ICT shared
attributes: {shared_ict: boolean}
criteria:
  - {id: ict, name: ICT, text: t, weight: 1, direction: benefit, expr: "EXPR"}
  - {id: saving, name: S, text: t, weight: 1, direction: benefit,
     expr: service.annual_cost - option.annual_cost}
"""


@pytest.mark.parametrize("vectorised", [True, False])
def test_an_unknown_true_or_false_takes_the_rules_default_not_false(vectorised):
    """A missing or unknown true/false used to read as false, so `?? true` never applied."""
    text = (
        UNKNOWNS.read_text()
        .replace("attributes: {outcome: 4}", "attributes: {shared_ict: true}")
        .replace("attributes: {outcome: 2}", "attributes: {shared_ict: false}")
        .replace("attributes: {outcome: unknown}", "attributes: {shared_ict: unknown}")
    )
    programme = parse_programme(text, "b.yaml")
    rules = parse_ruleset(BOOLEAN_RULES.replace("EXPR", "option.attributes.shared_ict ?? true"), "b.yaml")
    table = score(programme, rules, vectorised=vectorised)
    raw = dict(zip(table.options["option"], table.options["ict.raw"], strict=True))
    assert (raw["hr-county"], raw["payroll-county"], raw["hr-other"], raw["hr-status-quo"]) == (1, 0, 1, 1)
    ranges = unknown_ranges(table)
    assert [(u.path, u.values) for u in ranges.unknowns] == [
        ("options[hr-other].attributes.shared_ict", (False, True))
    ]
    with pytest.raises(RuleError, match=r"criterion `ict` gives no finite number \(a missing value"):
        score(
            programme, parse_ruleset(BOOLEAN_RULES.replace("EXPR", "option.attributes.shared_ict"), "b.yaml")
        )


def test_the_explanation_says_unknown_where_the_file_does_and_missing_where_it_is_left_out(capsys):
    text = _cli(
        capsys, "score", str(UNKNOWNS), "--rules", str(DATA / "unknowns-rules.yaml"), "--explain", "hr"
    )
    assert (
        "while values the sources do not give stay unknown, the recommendation could be s101 delegation "
        "with County Council or shared service with Other Council" in text
    )
    other = text.split("- shared service with Other Council (`hr-other`):")[1]
    assert (
        "resting on unknown values: 0.750 (0.500–1.000 while the outcome of HR by Other Council is unknown)"
        in other
    )
    assert "option.attributes.outcome (unknown) ?? 3" in other
    assert (
        "option.attributes.outcome (missing) ?? 3"
        in text.split("- keep as it is (`hr-status-quo`):")[1].split("(`hr-county`)")[0]
    )


def test_the_apps_programme_page_says_unknown(monkeypatch, tmp_path: Path):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SSPLAN_DB", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.delenv("SSPLAN_LOGIN", raising=False)
    at = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/programme.py").run()  # the app opens on Home
    at.radio(key="programme.source").set_value("my own file").run()
    at.file_uploader(key="programme.upload").set_value(
        ("unknowns.yaml", UNKNOWNS.read_bytes(), "application/x-yaml")
    )
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    services = next(d.value for d in at.dataframe if "FTE" in d.value.columns)
    assert dict(zip(services["service"], services["FTE"], strict=True)) == {
        "HR": "3",
        "Payroll": "unknown",
        "Audit": "unknown",
    }
    assert any("Staff: at least 3 FTE; 2 services unknown" in c.value for c in at.caption)


@pytest.mark.slow
def test_the_written_report_says_unknown_and_gives_the_ranges(tmp_path: Path):
    out = tmp_path / "report.md"
    write_report(_scenario(tmp_path, "force_in: [hr, payroll, audit]\n"), out, draws=20)
    text = out.read_text()
    assert "| Payroll | City Council | unknown | County Council |" in text
    assert "| Payroll | City Council | 0 |" not in text
    assert "City Council: at least 3 FTE (the numbers for Audit and Payroll are not known)" in text
    assert "### Scores resting on unknown values" in text
    assert (
        "| HR: shared service with Other Council | 0.450 (0.200–0.700 while the outcome of HR by Other "
        "Council is unknown) |" in text
    )


def test_unknown_money_in_a_workbook_is_located_at_its_cell(unknowns, tmp_path: Path):
    book = tmp_path / "book.xlsx"
    save_programme(unknowns, book)
    workbook = load_workbook(book)
    sheet = workbook["options"]
    column = next(c.column_letter for c in sheet[1] if c.value == "annual_cost")
    sheet[f"{column}3"] = "unknown"  # hr-other
    workbook.save(book)
    with pytest.raises(InputError) as caught:
        load_programme(book)
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("options", 3, column)
    assert problem.field == "options[hr-other].annual_cost" and "a figure is needed here" in problem.message


def test_a_partner_leaving_keeps_an_unknown_fte_unknown():
    """The exit stress test shrinks a shared service's FTE to the others' share: unknown stays unknown."""
    text = UNKNOWNS.read_text().replace(
        "annual_cost: 40000, fte: unknown}",
        "annual_cost: 40000, fte: unknown, shares: {city: 0.5, other: 0.5}}",
    )
    text = text.replace(
        "annual_cost: 100000, fte: 3}", "annual_cost: 100000, fte: 3, shares: {city: 0.5, other: 0.5}}"
    )
    analysis = partner_exit(parse_programme(text, "x.yaml"), RULES, "other")
    after = analysis.after.loaded.programme
    assert after.service("payroll").fte is None and after.service("hr").fte == 1.5


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), pick=st.integers(0, 100), share=st.floats(0, 1))
def test_on_random_programmes_the_range_holds_every_value_between_the_ends(seed, pick, share):
    """Mark one option's outcome unknown in a generated programme; give it any value between the
    ends tried: its score (where eligible) stays in the stated range, and each service's
    recommendation is one the ranges named."""
    data = random_programme_data(seed, services=4, options_per_service=3, min_options=2)
    option = data["options"][pick % len(data["options"])]
    option["attributes"]["outcome"] = None
    rules = load_ruleset(shipped_rules())
    programme = Programme.model_validate(data)
    table = score(programme, rules)
    ranges = unknown_ranges(table)
    [unknown] = ranges.unknowns
    low, high = min(unknown.values), max(unknown.values)
    option["attributes"]["outcome"] = low + share * (high - low)
    known = score(Programme.model_validate(data), rules)
    i = _row(known, option["id"])
    if known.options["eligible"].iloc[i]:
        assert ranges.low[i] - 1e-12 <= known.options["score"].iloc[i] <= ranges.high[i] + 1e-12
    for service, recommended in zip(known.services["service"], known.services["recommended"], strict=True):
        assert recommended in ranges.choices.get(
            service, (table.services.set_index("service").at[service, "recommended"],)
        )
