"""Property: whatever text a sender puts in a name, every export round-trips or escapes it.

Names are drawn from pieces of markup, formulas, template syntax, Markdown links and control
characters, put into tests/data/small.yaml (programme, partners, services, the pool, options' notes,
the dependency's reason, the final decision) and into the scenario's name, then every output is checked.
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from engine.appraisal.compare import compare
from engine.appraisal.scenario import load_scenario, run_scenario
from engine.io.cells import frame_csv
from engine.io.xlsx import read_workbook, workbook_bytes
from engine.present.comparison import comparison_html, comparison_workbook
from engine.present.tables import plan_workbook
from tests.test_injection import (
    CONTROL,
    cli,
    csv_formula_cells,
    hostile_programme,
    injected_tags,
    workbook_problems,
    workbook_texts,
    write_scenarios,
)

PIECES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<x-evil>",
    "</title>",
    "javascript:alert(1)",
    "[a](javascript:alert(1))",
    "![i](http://x/i.png)",
    "{{ 7*7 }}",
    "{% raw %}",
    "%s%d",
    "=HYPERLINK(",
    "+cmd|' /C calc'!A0",
    "\x1b]52;c;QQ==\x07",
    "\x1b[2J",
    "_x0041_",
    "&amp;",
    "HR",
]
ALPHABET = "<>&\"'=+-@{}%|[]()\n\t\r\x1b\x07\x00\x08\x7f\x85\x9b ab_x$"
KEYS = (
    "programme",
    "hr",
    "payroll",
    "city",
    "county",
    "other",
    "pm",
    "hr-county",
    "hr-other",
    "reason",
    "decision",
)

name = (
    st.lists(
        st.sampled_from(PIECES) | st.text(alphabet=ALPHABET, min_size=1, max_size=4), min_size=1, max_size=5
    )
    .map("".join)
    .filter(lambda text: text.strip() != "")  # a name that is only spaces reads back from Excel as no name
)
names = st.fixed_dictionaries({key: name for key in KEYS})
SETTINGS = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    phases=(
        Phase.explicit,
        Phase.reuse,
        Phase.generate,
    ),  # no shrinking: a failure is reported as drawn, at once
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _scenarios(folder: Path, drawn: dict[str, str], scenario: str):
    programme = hostile_programme(drawn)
    first, second = write_scenarios(folder, programme, scenario)
    return programme, first, second


@pytest.mark.slow  # 5–6 s of hypothesis examples through every export
@SETTINGS
@given(drawn=names, scenario=name)
def test_every_export_round_trips_or_neutralises_any_name(drawn, scenario):
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        programme, first, second = _scenarios(folder, drawn, scenario)

        # the programme workbook: no formula, and it reads back as the same programme
        book = workbook_bytes(programme)
        assert workbook_problems(book) == []
        assert read_workbook(io.BytesIO(book), "drawn.xlsx") == programme

        result, nothing = run_scenario(load_scenario(first)), run_scenario(load_scenario(second))
        assert result.loaded.scenario.name == scenario

        # csv: plan and scores; no cell a spreadsheet would run
        assert csv_formula_cells(frame_csv(result.plan.to_frame(), index=False)) == []
        options = result.scores.public_options().drop(columns=["exempt"])
        assert csv_formula_cells(frame_csv(options, index=False)) == []

        # xlsx: the plan and the comparison hold the names as text, never as formulas
        comparison = compare([result, nothing])
        for data in (plan_workbook(result.plan), comparison_workbook(comparison)):
            assert workbook_problems(data) == []
        assert scenario in workbook_texts(comparison_workbook(comparison))
        assert drawn["hr"] in workbook_texts(plan_workbook(result.plan))

        # html: the comparison page parses to no tag from a name
        assert injected_tags(comparison_html(comparison)) == []

        # the terminal: tables and messages without a control character
        for args in (
            ("show", str(folder / "programme.yaml")),
            ("plan", str(folder / "programme.yaml")),
            ("score", str(folder / "programme.yaml")),
            ("compare", str(first), str(second)),
        ):
            code, out, err = cli(*args)
            assert code == 0, err
            assert CONTROL.findall(out + err) == [], args


@pytest.mark.slow
@settings(SETTINGS, max_examples=5)
@given(drawn=names, scenario=name)
def test_the_gantt_page_and_the_report_escape_any_name(drawn, scenario):
    from engine.present.charts import write_gantt
    from engine.report.build import build_report
    from engine.report.text import render_html, render_markdown
    from engine.report.word import render_docx

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        _, first, _ = _scenarios(folder, drawn, scenario)
        result = run_scenario(load_scenario(first))
        write_gantt(result.plan, folder / "g.html")
        assert injected_tags((folder / "g.html").read_text(encoding="utf-8")) == []
        report = build_report(result, draws=10)
        assert injected_tags(render_html(report)) == []
        markdown = render_markdown(report).lower()
        for raw in ("<script", "<img", "<x-evil", "javascript:", "</title"):
            assert raw not in markdown
        assert re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", markdown) is None
        render_docx(report, folder / "r.docx")  # Word: names are XML text, control characters shown as ?
