"""Every problem of a file in one pass (issue 18, finding 9): field problems and the reference
problems of the same records, told together, each at its line (or cell) and field, with no
knock-on noise about records that exist but have field problems of their own.

The audit's file (``tests/data/audit``) is a copy of the Gloucester programme with a negative
cost (line 92), an option whose provider is an unknown partner (line 153) and a risk rated
"lowish" on that same option (line 159); the loader used to tell the first and the last, and the
unknown provider only once the two were fixed."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from engine.appraisal.scenario import load_scenario
from engine.base.errors import InputError, Problem
from engine.io.load import load_programme, parse_programme, save_programme
from engine.io.records import programme_data
from engine.io.yamlsource import dump_yaml
from engine.programme.rawrefs import raw_reference_problems
from tests.conftest import DATA, ROOT

AUDIT = DATA / "audit" / "gloucester-three-problems.yaml"
PROVIDER_ONLY = DATA / "audit" / "gloucester-unknown-provider.yaml"
REAL = [ROOT / "scenarios" / f"{name}.yaml" for name in ("gloucester-2015", "essex-2010", "lancaster-2011")]
THREE = {
    92: ("services[hr].annual_cost", "expected a number ≥ 0, got -262000"),
    153: (
        "options[hr-county-s101].provider",
        "option `hr-county-s101` references unknown partner `nobody-council`",
    ),
    159: ("options[hr-county-s101].risk", "expected one of 'low', 'medium' or 'high', got 'lowish'"),
}


def _problems(load: Callable[[], Any]) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        load()
    return list(caught.value.problems)


def test_the_audits_three_problems_are_told_at_once():
    problems = _problems(lambda: load_programme(AUDIT))
    assert {p.line: (p.field, p.message) for p in problems} == THREE
    assert len(problems) == 3 and all(p.file == str(AUDIT) for p in problems)


def test_validate_prints_the_three_problems_and_exits_2(capsys):
    from engine.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["validate", str(AUDIT)])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert f"{AUDIT}: 3 problem(s)" in err
    for line, (field, message) in THREE.items():
        assert f"{AUDIT}:{line}:" in err and f"{field}: {message}" in err, err
    assert "Traceback" not in err


def test_the_unknown_provider_alone_keeps_its_wording():
    """The reference found on the raw data reads exactly as the cross-checks' own message."""
    (alone,) = _problems(lambda: load_programme(PROVIDER_ONLY))
    assert (alone.line, alone.field, alone.message) == (153, *THREE[153])


@pytest.mark.slow
def test_the_upload_table_lists_the_three_problems():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/programme.py").run()
    at.radio(key="programme.source").set_value("my own file").run()
    upload = ("mine.yaml", AUDIT.read_bytes(), "application/x-yaml")
    at.file_uploader(key="programme.upload").set_value(upload).run()
    assert not at.exception
    assert "mine.yaml cannot be used: 3 problems found" in at.error[0].value
    table = at.dataframe[0].value
    assert sorted(table["Where"]) == ["line 153", "line 159", "line 92"]
    assert {(w, f) for w, f in zip(table["Where"], table["Field"], strict=True)} == {
        (f"line {line}", field) for line, (field, _) in THREE.items()
    }


def test_a_workbook_tells_the_same_three_problems_by_cell(tmp_path: Path):
    book = tmp_path / "gloucester.xlsx"
    save_programme(load_programme(REAL[0]), book)
    wb = load_workbook(book)
    cells = {}
    for sheet, row_id, column, value in (
        ("services", "hr", "annual_cost", -262000),
        ("options", "hr-county-s101", "provider", "nobody-council"),
        ("options", "hr-county-s101", "risk", "lowish"),
    ):
        ws = wb[sheet]
        header = {c.value: c.column_letter for c in ws[1]}
        row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == row_id)
        ws[f"{header[column]}{row}"] = value
        cells[(sheet, row, header[column])] = column
    wb.save(book)
    problems = _problems(lambda: load_programme(book))
    assert {(p.sheet, p.row, p.column) for p in problems} == set(cells)
    assert "option `hr-county-s101` references unknown partner `nobody-council`" in [
        p.message for p in problems
    ]


def test_a_scenario_tells_a_field_and_a_reference_of_one_option_at_its_own_lines(tmp_path: Path):
    shutil.copy(DATA / "small.yaml", tmp_path / "small.yaml")
    scenario = tmp_path / "what-if.yaml"
    scenario.write_text(
        "name: two problems\nbase: small.yaml\nchange:\n  options:\n"
        "    hr-county:\n      provider: nobody\n      risk: lowish\n"
    )
    problems = _problems(lambda: load_scenario(scenario))
    assert sorted((p.line, p.message.split(",")[0]) for p in problems) == [
        (6, "option `hr-county` references unknown partner `nobody`"),
        (7, "expected one of 'low'"),
    ]


def test_a_reference_to_a_record_with_a_field_problem_is_not_unknown():
    """Breaking the default provider's kind sets the partner aside; every service, option and
    policy that names it (or needs a default provider) is still sound, so one problem only."""
    text = REAL[0].read_text().replace("kind: county", "kind: shire", 1)
    (only,) = _problems(lambda: parse_programme(text, "shire.yaml"))
    assert only.field == "partners[glos-cc].kind"


def test_references_are_judged_even_where_the_cross_checks_cannot_run():
    """A broken required section (the horizon) stops the cross-checks; the references can still
    be judged on the raw data, and a pool id or a follows that names nothing is told."""
    text = (DATA / "small.yaml").read_text().replace("periods: 12", "periods: x")
    text = text.replace("provider: other", "provider: othr", 1)
    fields = sorted(p.field or "" for p in _problems(lambda: parse_programme(text, "two.yaml")))
    assert fields == ["horizon.periods", "options[hr-other].provider"]
    data = {
        "options": [{"id": "a", "service": "s", "provider": "p", "demand": {"pm-day": [1]}, "follows": "b"}],
        "services": [{"id": "s"}],
        "partners": [{"id": "p"}],
        "resources": [{"id": "pm-days"}],
    }
    found = dict(raw_reference_problems(data, [("horizon",)], None))
    pool = ("options", 0, "demand", "pm-day")
    assert found == {
        pool: "option `a` references unknown resource `pm-day` (did you mean `pm-days`?)",
        ("options", 0, "follows"): "option `a` follows unknown option `b`",
    }
    # a place with a field problem of its own is left to it (a key's value is apart from the key);
    # a list of ids that cannot be read (not a list, an item without an id) judges no reference
    follows = ("options", 0, "follows")
    assert [loc for loc, _ in raw_reference_problems(data, [follows], None)] == [pool]
    assert [loc for loc, _ in raw_reference_problems(data, [pool[:3]], None)] == [follows]
    assert [loc for loc, _ in raw_reference_problems(data, [pool], None)] == [pool, follows]
    wrong = {**data, "options": [{**data["options"][0], "provider": "q", "service": "t"}]}
    kinds = [m.split("unknown ")[1].split()[0] for _, m in raw_reference_problems(wrong, [], None)]
    assert sorted(kinds) == ["option", "partner", "resource", "service"]
    unreadable = {**wrong, "partners": 5, "services": [{"name": "no id"}]}
    kinds = [m.split("unknown ")[1].split()[0] for _, m in raw_reference_problems(unreadable, [], None)]
    assert sorted(kinds) == ["option", "resource"]


# ---------------------------------------------------------------- injected problems, N at once
Data = dict[str, Any]
Injection = Callable[[Data, int], tuple[str, str]]


def _changes(data: Data) -> list[Data]:
    """Options that change something and are no hand-back: a wrong provider there is one problem."""
    return [o for o in data["options"] if o.get("model") not in ("status_quo", "hand_back")]


def _set(section: str, field: str, value: Any, expected: str) -> Injection:
    def inject(data: Data, k: int) -> tuple[str, str]:
        records = _changes(data) if section == "options" else data[section]
        record = records[k % len(records)]
        record[field] = value
        return f"{section}[{record['id']}].{field}", expected

    return inject


def _unknown_pool(data: Data, k: int) -> tuple[str, str]:
    option = [o for o in _changes(data) if o.get("demand")][k % 2]
    pool = next(iter(option["demand"]))
    option["demand"] = {
        **{p: v for p, v in option["demand"].items() if p != pool},
        "no-pool": option["demand"][pool],
    }
    return f"options[{option['id']}].demand.no-pool", "references unknown resource `no-pool`"


def _unknown_dependency(data: Data, k: int) -> tuple[str, str]:
    data["dependencies"][0]["after"] = "nowhere"
    return "dependencies[1].after", "references unknown service `nowhere`"


KINDS: dict[str, Injection] = {  # field kinds, then reference kinds; each on its own place
    "negative service cost": _set("services", "annual_cost", -1, "expected a number ≥ 0"),
    "partner kind": _set("partners", "kind", "parish", "expected one of"),
    "risk word": _set("options", "risk", "lowish", "expected one of 'low'"),
    "negative one-off": _set("options", "one_off_cost", -5, "expected a number ≥ 0"),
    "unknown provider": _set("options", "provider", "nobody-council", "unknown partner `nobody-council`"),
    "unknown pool": _unknown_pool,
    "unknown dependency service": _unknown_dependency,
    "unknown earlier stage": _set(
        "options", "follows", "no-such-stage", "follows unknown option `no-such-stage`"
    ),
}


def _inject(path: Path, chosen: list[tuple[str, int]]) -> tuple[list[Problem], dict[str, str]]:
    data = copy.deepcopy(programme_data(load_programme(path)))
    expected = dict(KINDS[kind](data, k) for kind, k in chosen)
    problems = _problems(lambda: parse_programme(dump_yaml(data), path.name))
    return problems, expected


def _assert_each_once(problems: list[Problem], expected: dict[str, str]) -> None:
    told = {p.field: p.message for p in problems}
    assert len(problems) == len(expected) and set(told) == set(expected), "\n".join(map(str, problems))
    assert all(fragment in told[field] for field, fragment in expected.items())
    assert all(p.line for p in problems)


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.stem)
def test_every_kind_injected_at_once_is_told_once(path: Path):
    """Eight independent problems, field and reference kinds mixed (a provider and a risk, and
    a provider and a cost, on one option), all told in one pass, each at its own field."""
    problems, expected = _inject(path, [(kind, 0) for kind in KINDS])
    _assert_each_once(problems, expected)


_CHOICES = st.lists(
    st.tuples(st.sampled_from(sorted(KINDS)), st.integers(0, 5)),
    min_size=1,
    max_size=len(KINDS),
    unique_by=lambda c: c[0],
)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(REAL), chosen=_CHOICES)
def test_any_set_of_independent_problems_is_told_in_one_pass(path: Path, chosen: list[tuple[str, int]]):
    problems, expected = _inject(path, chosen)
    _assert_each_once(problems, expected)


def test_a_workbook_with_a_problem_of_its_own_still_tells_the_others(tmp_path: Path):
    """The reader's own problems (an unknown column, a formula never calculated) no longer stop
    the pass: the negative cost and the unknown provider on other rows are told with them, and
    the formula's empty cell is not told again as a missing field."""
    book = tmp_path / "gloucester.xlsx"
    save_programme(load_programme(REAL[0]), book)
    wb = load_workbook(book)
    services, options = wb["services"], wb["options"]
    header = {c.value: c.column_letter for c in services[1]}
    services[f"{header['annual_cost']}2"] = "=1+1"  # openpyxl stores no value, as if never calculated
    services[f"{header['annual_cost']}3"] = -5
    provider = next(c.column_letter for c in options[1] if c.value == "provider")
    options[f"{provider}2"] = "nobody-council"
    options.cell(row=1, column=options.max_column + 1, value="colour")
    wb.save(book)
    problems = _problems(lambda: load_programme(book))
    told = sorted((p.sheet or "", p.row or 0, p.message.split(":")[0].split(" (")[0]) for p in problems)
    assert told == [
        ("options", 1, "unknown column `colour`"),
        ("options", 2, f"option `{options['A2'].value}` references unknown partner `nobody-council`"),
        ("services", 2, "formula without a value"),
        ("services", 3, "expected a number ≥ 0, got -5"),
    ], "\n".join(map(str, problems))


def test_a_missing_column_is_told_alone_not_once_a_row(tmp_path: Path):
    book = tmp_path / "gloucester.xlsx"
    save_programme(load_programme(REAL[0]), book)
    wb = load_workbook(book)
    options = wb["options"]
    options.delete_cols(next(c.column for c in options[1] if c.value == "model"))
    wb["services"][f"{next(c.column_letter for c in wb['services'][1] if c.value == 'annual_cost')}3"] = -5
    wb.save(book)
    (only,) = _problems(lambda: load_programme(book))
    assert only.message == "missing column `model`" and only.sheet == "options"


@pytest.mark.parametrize(
    ("broken", "second"),
    [(3, 3), (1, 3), (0, 5)],
    ids=["the repeat is broken", "the first use is broken", "both kept, after a broken record"],
)
def test_a_repeated_id_is_told_with_field_problems_at_the_files_own_item_number(broken: int, second: int):
    """An id used twice is told whichever of the two records has a field problem, and the item it
    was first used at is counted in the file, not among the records left after setting aside."""
    data = copy.deepcopy(programme_data(load_programme(REAL[0])))
    first = second - 2
    repeated = data["options"][first]["id"]
    data["options"][second]["id"] = repeated
    data["options"][broken]["risk"] = "lowish"
    problems = _problems(lambda: parse_programme(dump_yaml(data), "twice.yaml"))
    messages = sorted(p.message for p in problems)
    assert len(problems) == 2 and messages[0] == (
        f"duplicate option id `{repeated}` (first used at item {first + 1})"
    ), messages
