"""Hostile and careless files: each is made here, small where possible, and each must end in a
located error (InputError or RuleError; exit 2 through the CLI) quickly, never a traceback, an
"internal error" or a long hang.  The limits themselves are in :mod:`engine.base.limits`.

The time bounds below are generous sanity checks (a regression to the old behaviour took minutes);
real speed claims belong in bench/.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl import load_workbook

from engine.appraisal.scenario import load_scenario
from engine.base import limits
from engine.base.errors import InputError, RuleError
from engine.io.load import load_programme, parse_programme, programme_from_upload, save_programme
from engine.rules.expr import ExprError, compile_expression
from engine.rules.ruleset import load_ruleset, parse_ruleset
from tests.conftest import DATA

ROOT = Path(__file__).resolve().parents[1]
SMALL = DATA / "small.yaml"
SANITY_SECONDS = 10


@contextmanager
def quickly(seconds: float = SANITY_SECONDS) -> Iterator[None]:
    start = time.perf_counter()
    yield
    assert time.perf_counter() - start < seconds


def refused(path: Path | str, error: type[Exception] = InputError) -> str:
    """The message of loading ``path``, which must be refused quickly with ``error``."""
    with quickly(), pytest.raises(error) as caught:
        if str(path).endswith((".yaml", ".yml", ".xlsx")) and "rules" not in Path(path).name:
            load_programme(path)
        else:
            load_ruleset(path)
    return str(caught.value)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "engine.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


# ----------------------------------------------------------------------------------- workbooks
@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid programme workbook (about 10 KB) to spoil."""
    path = tmp_path_factory.mktemp("book") / "small.xlsx"
    save_programme(load_programme(SMALL), path)
    return path


def sheet_member(book: Path, title: str) -> str:
    """The zip member holding the sheet called ``title``."""
    names = load_workbook(book, read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index(title) + 1}.xml"


def rewrite(src: Path, dst: Path, changes: dict[str, bytes | str]) -> Path:
    """A copy of the workbook ``src`` with some zip members replaced (or added)."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, changes.get(info.filename, old.read(info.filename)))
        for name, data in changes.items():
            if name not in old.namelist():
                new.writestr(name, data)
    return dst


def sheet_xml(book: Path, title: str) -> str:
    with zipfile.ZipFile(book) as archive:
        return archive.read(sheet_member(book, title)).decode()


def test_workbook_with_one_cell_at_xfd1048576_is_refused_before_its_cells_are_read(workbook, tmp_path):
    book = load_workbook(workbook)
    book["services"]["XFD1048576"] = "x"
    path = tmp_path / "xfd.xlsx"
    book.save(path)
    assert path.stat().st_size < 20_000  # the 9.8 KB file: it ran ~15 min of CPU
    message = refused(path)
    assert "the workbook's services sheet claims 1,048,576 rows; the limit is 100,000" in message
    assert str(path) in message


def test_sheet_that_does_not_declare_its_range_is_bounded_while_reading(workbook, tmp_path):
    member = sheet_member(workbook, "services")
    xml = re.sub(r"<dimension [^>]*/>", "", sheet_xml(workbook, "services"))
    far_row = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    rows = rewrite(workbook, tmp_path / "rows.xlsx", {member: xml.replace("</sheetData>", far_row)})
    assert "services sheet has more than 100,000 rows" in refused(rows)
    far_column = '<row r="9"><c r="XFD9" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    columns = rewrite(workbook, tmp_path / "cols.xlsx", {member: xml.replace("</sheetData>", far_column)})
    message = refused(columns)
    assert "[sheet services] row 9" in message
    assert "a cell in column XFD, beyond the limit of 256 columns (IV)" in message


def test_shared_strings_bomb_is_refused_from_the_zip_headers(workbook, tmp_path):
    # the case: 0.77 MB that inflated to 300 MB took 247 s and 1.9 GB, then said "ok"
    strings = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    strings += "a" * (2 * 1024 * 1024) + "</t></si></sst>"
    path = rewrite(workbook, tmp_path / "bomb.xlsx", {"xl/sharedStrings.xml": strings})
    assert path.stat().st_size < 30_000
    message = refused(path)
    assert "`xl/sharedStrings.xml` inside the workbook inflates" in message
    assert "looks like a zip bomb" in message


def test_shared_strings_that_compress_normally_are_bounded_by_size(workbook, tmp_path):
    text = os.urandom(9 * 1024 * 1024).hex()  # 18 MiB that compresses about 2 times
    strings = (
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{text}</t></si></sst>'
    )
    path = rewrite(workbook, tmp_path / "strings.xlsx", {"xl/sharedStrings.xml": strings})
    assert "the workbook's shared strings take 18 MiB; the limit is 16 MiB" in refused(path)


@pytest.mark.parametrize("mebibytes", [80, pytest.param(1024, marks=pytest.mark.slow)], ids=["80MiB", "1GiB"])
def test_one_huge_string_in_a_small_workbook_is_refused_before_it_is_inflated(workbook, tmp_path, mebibytes):
    # the 1 MB workbook with one 1 GiB string ended in "internal error: MemoryError";
    # the member is written in chunks, so the test never holds the string
    path = tmp_path / "huge.xlsx"
    with zipfile.ZipFile(workbook) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info.filename))
        with new.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            chunk = b"a" * (1024 * 1024)
            for _ in range(mebibytes):
                member.write(chunk)
            member.write(b"</t></si></sst>")
    assert path.stat().st_size < 2 * 1024 * 1024
    assert f"the workbook unzips to {mebibytes:,} MiB; the limit is 64 MiB" in refused(path)


def test_long_text_in_a_cell_is_refused_at_its_cell(workbook, tmp_path):
    member = sheet_member(workbook, "services")
    xml = sheet_xml(workbook, "services")
    spoilt = xml.replace("<t>HR</t>", f"<t>{'b' * 40_000}</t>", 1)
    assert spoilt != xml
    message = refused(rewrite(workbook, tmp_path / "long.xlsx", {member: spoilt}))
    assert "[sheet services] row 2, column B: a text of 40,000 characters; the limit is 32,767" in message


def test_damaged_xml_inside_the_workbook_is_a_located_error(workbook, tmp_path):
    member = sheet_member(workbook, "services")
    path = rewrite(
        workbook, tmp_path / "entity.xlsx", {member: '<?xml version="1.0"?><worksheet>&nope;</worksheet>'}
    )
    message = refused(path)
    assert message.startswith(f"{path}: not a readable Excel workbook (.xlsx)")
    assert "ParseError: undefined entity" in message
    result = cli("validate", str(path))
    assert result.returncode == 2, result.stderr
    assert "undefined entity" in result.stdout + result.stderr
    assert "internal error" not in result.stdout + result.stderr


@pytest.mark.parametrize("content", [b"PK\x03\x04 not really a zip", b"", b"\x00" * 100])
def test_not_a_zip_is_a_located_error(tmp_path, content):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    assert refused(path).startswith(f"{path}: not an Excel workbook (.xlsx)")


def test_truncated_workbook_is_a_located_error(workbook, tmp_path):
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(workbook.read_bytes()[:-200])
    assert str(path) in refused(path)


def test_formula_without_a_cached_value_says_so(workbook, tmp_path):
    book = load_workbook(workbook)
    sheet = book["services"]
    column = next(c.column_letter for c in sheet[1] if c.value == "annual_cost")
    sheet[f"{column}2"] = "=40000+60000"  # openpyxl stores no value: as if Excel never calculated it
    path = tmp_path / "formula.xlsx"
    book.save(path)
    message = refused(path)
    assert f"[sheet services] row 2, column {column}: formula without a value" in message
    assert "required field is missing" not in message


def test_workbook_upload_is_checked_like_a_file(workbook):
    content = workbook.read_bytes()
    book = load_workbook(io.BytesIO(content))
    book["options"]["XFD1048576"] = 1
    buffer = io.BytesIO()
    book.save(buffer)
    with quickly(), pytest.raises(InputError, match="options sheet claims 1,048,576 rows") as caught:
        programme_from_upload(buffer.getvalue(), "upload.xlsx")
    assert caught.value.problems[0].file == "upload.xlsx"


# ---------------------------------------------------------------------------------------- YAML
def services_yaml(count: int, padding: str = "") -> str:
    head = SMALL.read_text().split("services:")[0]
    rows = "".join(
        f"  - {{id: s{i}, name: Service {i}{padding}, owner: city, annual_cost: 1000}}\n"
        for i in range(count)
    )
    return head + "services:\n" + rows


def test_yaml_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    # the 50 MB of real records took 4.1 GB and was refused "through YAML aliases" at <input>:1
    path = tmp_path / "big.yaml"
    path.write_text(services_yaml(80_000))
    assert path.stat().st_size > limits.MAX_FILE_BYTES
    message = refused(path)
    assert re.search(r"the programme file is [\d.]+ MiB; the limit is 4 MiB", message), message
    assert "aliases" not in message
    assert message.startswith(str(path))


def test_yaml_with_too_many_values_gives_that_reason_and_the_file(tmp_path):
    path = tmp_path / "values.yaml"
    path.write_text(SMALL.read_text() + "description: [" + "0," * (limits.MAX_VALUES + 10_000) + "0]\n")
    assert path.stat().st_size < limits.MAX_FILE_BYTES
    message = refused(path)
    assert "the document holds" in message and f"values; the limit is {limits.MAX_VALUES:,}" in message
    assert "aliases" not in message
    assert message.startswith(str(path))


def test_yaml_with_too_many_records_names_the_section(tmp_path):
    path = tmp_path / "records.yaml"
    path.write_text(SMALL.read_text() + "sources: [" + "x," * 100_000 + "x]\n")
    message = refused(path)
    assert "`sources` has 100,001 items; the limit is 100,000" in message


def test_alias_bomb_still_says_aliases_and_names_the_file():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    with quickly(), pytest.raises(InputError) as caught:
        parse_programme("\n".join(lines), "bomb.yaml")
    assert str(caught.value).startswith(
        f"bomb.yaml:1: the document expands to more than {limits.MAX_VALUES:,} values"
    )


def test_long_text_in_yaml_is_refused_at_its_line(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(SMALL.read_text().replace("name: Payroll", "name: " + "p" * 40_000))
    message = refused(path)
    assert f"{path}:10:" in message
    assert "a text of 40,000 characters; the limit is 32,767" in message


def test_yaml_upload_over_the_limit_is_refused():
    with pytest.raises(InputError, match="the programme file is 5 MiB; the limit is 4 MiB") as caught:
        programme_from_upload(b"#" * (5 * 1024 * 1024), "upload.yaml")
    assert caught.value.problems[0].file == "upload.yaml"


# ------------------------------------------------------------------------------ not regular files
@pytest.mark.parametrize("name", ["programme.yaml", "programme.xlsx", "rules.yaml"])
def test_symlink_to_dev_zero_is_refused_without_reading(tmp_path, name):
    path = tmp_path / name
    path.symlink_to("/dev/zero")
    error = RuleError if name.startswith("rules") else InputError
    message = refused(path, error)
    assert message == f"{path}: is not a regular file (a character device); expected a " + (
        "rule file" if error is RuleError else "workbook" if name.endswith(".xlsx") else "programme file"
    )


def test_fifo_is_refused_without_opening_it(tmp_path):
    path = tmp_path / "programme.yaml"
    os.mkfifo(path)  # opening it for reading would block until a writer came
    assert "is not a regular file (a pipe)" in refused(path)


def test_scenario_that_is_a_device_is_refused(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.symlink_to("/dev/zero")
    with quickly(), pytest.raises(InputError, match=r"is not a regular file \(a character device\)"):
        load_scenario(path)


def test_dev_zero_through_the_cli_exits_2(tmp_path):
    path = tmp_path / "zero.yaml"
    path.symlink_to("/dev/zero")
    with quickly(30):
        result = cli("validate", str(path))
    assert result.returncode == 2
    assert f"{path}: is not a regular file" in result.stdout + result.stderr


# ------------------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("demand: {pm: 3}", "demand: {pm: 1e300}", "expected a number ≤ 1,000,000,000"),
        ("demand: {pm: 3}", "demand: {pm: 1.0e+300}", "expected a number ≤ 1,000,000,000"),
        ("annual_cost: 100000,", "annual_cost: 1.0e+300,", "expected a number ≤ 100,000,000,000"),
        ("capacity: 5,", "capacity: 1.0e+16,", "expected a number ≤ 1,000,000,000"),
        ("fte: 3", "fte: 1.0e+300", "expected a number ≤ 1,000,000,000"),
        ("duration: 2,", "duration: 2, attributes: {outcome: 1.0e+300},", "expected a number from"),
        ("kind: city}", "kind: city, weights: {impact: 1.0e+300}}", "expected a number ≤ 1,000,000"),
    ],
)
def test_huge_finite_numbers_are_refused_at_validation(old, new, expected):
    text = SMALL.read_text()
    assert old in text
    with pytest.raises(InputError, match=re.escape(expected)):
        parse_programme(text.replace(old, new, 1), "huge.yaml")


def test_demand_1e300_exits_2_through_plan_not_internal_error(tmp_path):
    # it ended in "internal error: IndexError" inside PuLP's HiGHS interface (row values of a
    # model HiGHS had refused for coefficients above 1e15)
    path = tmp_path / "huge.yaml"
    path.write_text(SMALL.read_text().replace("demand: {pm: 3}", "demand: {pm: 1e300}"))
    result = cli("plan", str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "internal error" not in result.stdout + result.stderr
    assert f"{path}:12:" in result.stderr


def test_largest_allowed_numbers_still_plan(tmp_path):
    text = SMALL.read_text()
    for old, new in [
        ("demand: {pm: 3}", "demand: {pm: 1000000000}"),
        ("annual_cost: 100000, fte: 3", "annual_cost: 100000000000, fte: 1000000000"),
        ("capacity: 5,", "capacity: 1000000000,"),
        ("one_off_cost: 10000,", "one_off_cost: 100000000000,"),
    ]:
        text = text.replace(old, new)
    path = tmp_path / "largest.yaml"
    path.write_text(text)
    result = cli("plan", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr


def test_huge_weight_in_a_rule_set_is_refused():
    text = (ROOT / "rules" / "default.yaml").read_text()
    spoilt = re.sub(r"weight: [\d.]+", "weight: 1.0e+300", text, count=1)
    with pytest.raises(RuleError, match="expected a number ≤ 1,000,000"):
        parse_ruleset(spoilt, "rules.yaml")


# ---------------------------------------------------------------------------- rule expressions
SCHEMA_RULES = (ROOT / "rules" / "default.yaml").read_text()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(1e999999).ceiling", "the number `1e999999` is too large"),
        ("1e16 > 0", "the number `1e16` is too large"),
        ("0x" + "f" * 60 + " > 0", "a number written with more than 40 characters"),
        ("[1, 2, 3][1] > 0", "indexing and slicing (`x[...]`) are not allowed"),
        ("service.name[1:2] == 'x'", "indexing and slicing (`x[...]`) are not allowed"),
        ("service.name[0] == 'x'", "indexing and slicing (`x[...]`) are not allowed"),
        ("'abc'[0] == 'a'", "indexing and slicing (`x[...]`) are not allowed"),
        ("service.name&[0] == 'x'", "indexing and slicing (`x[...]`) are not allowed"),
        ("(1e15 ** 10 ** 10 ** 10).ceiling > 0", "only fields of service, option, provider and horizon"),
        ("'abc'.length > 1", "only fields of service, option, provider and horizon"),
        ("2 ** (5 + 5) > 0", "`**` needs a plain number from -10 to 10"),
        ("1 << 1e15", "bit operations (`<<`) are not allowed"),
        ("__import__('os') == 1", "calling functions is not allowed"),
        ("x" * 1001, "longer than 1000 characters"),
    ],
)
def test_expression_is_checked_before_rule_engine_parses_it(text, expected):
    from engine.rules.context import schema_for

    with quickly(2), pytest.raises(ExprError) as caught:
        compile_expression(text, schema_for({}))
    assert expected in caught.value.message


def test_constant_folding_bomb_in_a_rule_file_names_the_rule(tmp_path):
    # took 65 s of CPU inside rule-engine's parser before it was refused
    text = SCHEMA_RULES.replace("\nderived:\n", "\nderived:\n  - {name: big, expr: (1e999999).ceiling}\n", 1)
    assert text != SCHEMA_RULES
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    message = refused(path, RuleError)
    assert re.search(
        rf"{re.escape(str(path))}:\d+:\d+: derived\[big\]\.expr: the number `1e999999` is too large", message
    )
    assert "(at character 2)" in message


def test_readme_limits_table_is_the_code():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("**Limits on input files.**")[1].split("\n\n")[1]
    mib = limits.megabytes
    for expected in [
        f"| YAML programme, scenario, rule set or PSPLIB file | {mib(limits.MAX_FILE_BYTES)} |",
        f"| Excel workbook (.xlsx, as stored) | {mib(limits.MAX_WORKBOOK_BYTES)} |",
        f"| {mib(limits.MAX_UNZIPPED_BYTES)}; a member over {mib(limits.ZIP_RATIO_FLOOR)} may inflate "
        f"at most {limits.MAX_ZIP_RATIO} times; at most {limits.MAX_ZIP_MEMBERS:,} members |",
        f"| {mib(limits.MAX_SHARED_STRINGS_BYTES)} |",
        f"| {limits.MAX_SHEET_ROWS:,} rows, {limits.MAX_SHEET_COLUMNS} columns (A–IV) |",
        f"| records in one list of a YAML file | {limits.MAX_RECORDS:,} |",
        f"| {limits.MAX_VALUES:,} (a 2,000-service programme has about 215,000) |",
        f"| filled cells in one workbook | {limits.MAX_CELLS:,} (a 1,000-service workbook has about "
        "43,000) |",
        f"| one text value | {limits.MAX_STRING_CHARS:,} characters",
        f"| £{limits.MAX_MONEY:,.0f} |",
        f"| {limits.MAX_AMOUNT:,.0f} |",
        f"| {limits.MAX_WEIGHT:,.0f} |",
        f"| ±{limits.MAX_ATTRIBUTE:,.0f} |",
        f"| a rule expression | {limits.MAX_EXPRESSION_CHARS:,} characters, "
        f"brackets {limits.MAX_EXPRESSION_DEPTH} deep, numbers at most {limits.MAX_LITERAL:,.0f} "
        f"and {limits.MAX_LITERAL_CHARS} characters",
    ]:
        assert expected in table, expected
    assert table.count("\n| ") == 14  # a row per limit above (the header line aside)
    assert limits.MAX_SHEET_COLUMNS == 256  # column IV


def test_readme_says_indexing_and_slicing_are_refused():
    readme = (ROOT / "README.md").read_text()
    assert re.search(
        r"Anything else \([^)]*indexing[^)]*slicing[^)]*\) is refused", readme.replace("\n", " ")
    )


# ------------------------------------------------------------------------------------------ ids
def test_ids_that_differ_only_in_case_are_refused_naming_both(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(
        SMALL.read_text().replace(
            "  - {id: payroll, name: Payroll,",
            "  - {id: HR, name: HR again, owner: city, annual_cost: 1}\n  - {id: payroll, name: Payroll,",
        )
    )
    result = cli("validate", str(path))
    output = result.stdout + result.stderr
    assert result.returncode == 2
    assert f"{path}:10:" in output
    assert "service id `HR` differs from service `hr` (item 1) only in case" in output


# ------------------------------------------------------------------------ messages name the file
def test_problems_found_while_scoring_name_the_programme_file(tmp_path):
    from engine.rules.ruleset import load_ruleset as rules_from
    from engine.scoring.scores import score

    path = tmp_path / "attr.yaml"
    path.write_text(
        SMALL.read_text().replace("demand: {pm: 3}", "demand: {pm: 3}, attributes: {outcome: high}")
    )
    programme = load_programme(path)
    with pytest.raises(RuleError) as caught:
        score(programme, rules_from(ROOT / "rules" / "default.yaml"))
    assert caught.value.problems[0].file == str(path)
    assert "<input>" not in str(caught.value)
    what_if = programme.model_copy(update={"name": "what if"})  # a what-if of the file is still its
    with pytest.raises(RuleError) as caught:
        score(what_if, rules_from(ROOT / "rules" / "default.yaml"))
    assert caught.value.problems[0].file == str(path)
    assert programme == parse_programme(path.read_text(), "elsewhere.yaml")  # the note is not a field


def test_workbook_programme_knows_its_file(workbook):
    from engine.base.errors import source_of

    assert source_of(load_programme(workbook)) == str(workbook)


@pytest.mark.slow
def test_workbook_with_too_many_filled_cells_is_refused_while_reading(workbook, tmp_path):
    member = sheet_member(workbook, "partners")
    xml = re.sub(r"<dimension [^>]*/>", "", sheet_xml(workbook, "partners"))
    cells = '<c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{b}</v></c><c r="C{r}"><v>{c}</v></c>'
    rows = "".join(f'<row r="{r}">{cells.format(r=r, b=r * 7, c=r * 13)}</row>' for r in range(10, 70_010))
    path = rewrite(
        workbook, tmp_path / "cells.xlsx", {member: xml.replace("</sheetData>", rows + "</sheetData>")}
    )
    message = refused(path)
    assert "[sheet partners] row " in message
    assert "the workbook holds more than 200,000 filled cells; the limit is 200,000" in message


@pytest.mark.slow
def test_a_regional_programme_of_2000_services_is_read_within_the_limits(tmp_path):
    """A county and its districts (2,000 service lines, three options each) is a file the planner
    is built for (issue 19): the limits on untrusted input must not refuse it."""
    from engine.io.load import dump_programme, load_programme
    from engine.programme.synth import seeded_programme

    path = tmp_path / "regional.yaml"
    path.write_text(dump_programme(seeded_programme(2000)))
    assert path.stat().st_size < limits.MAX_FILE_BYTES
    assert len(load_programme(path).services) == 2000
