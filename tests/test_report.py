"""The Cabinet report: read back from Word, checked against the engine's own results."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from engine.appraisal.scenario import inputs_hash, load_scenario, run_scenario
from engine.base.errors import InputError
from engine.programme.naming import option_name
from engine.report.build import build_report
from engine.report.document import PUBLIC_OUTLINE
from engine.report.figures import pounds, whole_pounds
from engine.report.make_template import TEMPLATES, template_bytes
from engine.report.run import write_report
from engine.report.text import render_html, render_markdown
from tests.conftest import ROOT

GLOUCESTER = ROOT / "scenarios" / "gloucester-2015"
DRAWS = 200


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("report")
    public, exempt = folder / "cabinet.docx", folder / "exempt.docx"
    write_report(
        GLOUCESTER / "county-first.yaml",
        public,
        compare=[GLOUCESTER / "hr-other-partner.yaml", GLOUCESTER / "do-nothing.yaml"],
        exempt_out=exempt,
        draws=DRAWS,
    )
    return {"public": public, "exempt": exempt, "folder": folder}


@pytest.fixture(scope="module")
def result():
    return run_scenario(load_scenario(GLOUCESTER / "county-first.yaml"))


def _text(path: Path) -> str:
    """Every word in the document: body paragraphs, tables, header and footer."""
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for grid in document.tables:
        for row in grid.rows:
            parts += [cell.text for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def _paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def test_headings_are_all_there_in_order(written):
    document = docx.Document(str(written["public"]))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[: len(PUBLIC_OUTLINE)] == [f"{n} {t}" for _, n, t in PUBLIC_OUTLINE]
    text = _text(written["public"])
    for label in (
        "Meeting:",
        "Subject:",
        "Report of:",
        "Wards affected:",
        "Key decision:",
        "Contact officer:",
    ):
        assert label in text
    assert "Overview & Scrutiny Committee, 15 June 2015; Cabinet, 17 June 2015" in text
    assert text.count("FOR GENERAL RELEASE") >= 2  # after the header block and in the footer


def test_recommendations_follow_the_plan(written, result):
    """The City's Cabinet agrees its own changes in the plan's order; the County's change is noted
    as the County's decision; every City service kept as it is is noted."""
    paragraphs = _paragraphs(written["public"])
    start = paragraphs.index("2.0 Recommendations")
    agree = next(p for p in paragraphs[start:] if "To agree the High Level Implementation Plan" in p)
    schedule = result.plan.to_frame()
    programme = result.loaded.programme
    city = schedule[schedule["service"].map(lambda s: programme.service(s).owner) == "gcc"]
    county = schedule[schedule["service"].map(lambda s: programme.service(s).owner) == "glos-cc"]
    words = [
        f"{r['service_name']} ({r['provider_name']}, from {r['start_label']})" for _, r in city.iterrows()
    ]
    positions = [agree.index(w) for w in words]
    assert positions == sorted(positions) and len(city) + len(county) == len(result.plan.plan.assignments)
    assert len(county) == 1  # community engagement: the County's to commission, not the City's
    noted = next(p for p in paragraphs[start:] if "are for Gloucestershire County Council to decide" in p)
    assert county.iloc[0]["service_name"] in noted and county.iloc[0]["service_name"] not in agree
    kept = [s.name for s in programme.services if s.owner == "gcc" and s.id not in set(schedule["service"])]
    stay = next(p for p in paragraphs[start:] if "stay as they are" in p)
    assert kept and all(name in stay for name in kept)


def test_money_matches_the_engine_to_the_penny(written, result):
    """The body rounds (see test_report_figures); Appendix 1 gives every figure to the penny."""
    finance = result.finance
    document = docx.Document(str(written["public"]))
    by_year = [t for t in document.tables if t.rows[0].cells[0].text == "financial year"][-1]
    rows = [[c.text for c in row.cells] for row in by_year.rows[1:]]
    expected = finance.flows.frame()
    assert rows == [
        [str(r["financial year"]), pounds(r["one-off costs"]), pounds(r["savings"]), pounds(r["net"])]
        for _, r in expected.iterrows()
    ]
    partners = [t for t in document.tables if t.rows[0].cells[0].text == "partner"][-1]
    shown = {row.cells[0].text: row.cells[3].text for row in partners.rows[1:]}
    for _, r in finance.by_partner.iterrows():
        assert shown[result.loaded.programme.partner(r["partner"]).name] == pounds(r["npv"])


def test_exempt_figures_only_in_the_exempt_appendix(written, result):
    programme = result.loaded.programme
    hidden = {o.id for o in programme.options if o.exempt}
    secret = [
        float(getattr(o, field))
        for o in programme.options
        for field in ("annual_cost", "one_off_cost")
        if field in o.exempt
    ]
    public_figures = {
        float(getattr(o, field))
        for o in programme.options
        if o.id not in hidden
        for field in ("annual_cost", "one_off_cost")
    } | {float(s.annual_cost) for s in programme.services}
    assert secret
    public, exempt = _text(written["public"]), _text(written["exempt"])
    for value in secret:
        assert pounds(value) in exempt
        if value in public_figures:  # the same sum is also a public figure of another option
            continue
        for shown in (pounds(value), whole_pounds(value), f"{value:,.0f}", f"{value:.0f}", f"{value:,.2f}"):
            assert shown not in public
    document = docx.Document(str(written["public"]))
    named = {(programme.service(programme.option(o).service).name, option_name(programme, o)) for o in hidden}
    words = {name for _, name in named} | hidden  # the report names options; an id must not slip in either
    for grid in document.tables:
        for row in grid.rows:
            cells = [c.text for c in row.cells]
            if any(option in cell for option in words for cell in cells):
                assert not any("£" in cell for cell in cells), cells
    for paragraph in document.paragraphs:
        if any(option in paragraph.text for option in words):
            assert "£" not in paragraph.text, paragraph.text
    matrix = next(t for t in document.tables if t.rows[0].cells[-1].text == "rank in service")
    checked = 0
    for row in matrix.rows[1:]:
        cells = [c.text for c in row.cells]  # service, option, each criterion, score, rank
        if (cells[0], cells[1]) in named:
            checked += 1  # criterion values would let a reader work back to the price
            assert cells[2:-2] == ["[exempt: see the exempt appendix]"] * (len(cells) - 4)
    assert checked == len(hidden)
    assert "NOT FOR PUBLICATION" in exempt and "FOR GENERAL RELEASE" not in exempt
    assert "Schedule 12A" in exempt
    assert "[exempt: see the exempt appendix]" in public


def test_gantt_is_embedded(written):
    document = docx.Document(str(written["public"]))
    assert len(document.inline_shapes) == 1
    with zipfile.ZipFile(written["public"]) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert media and all(n.endswith(".png") for n in media)


def test_report_states_how_to_reproduce_it(written, result):
    from engine import __version__

    text = _text(written["public"])
    assert f"ssplan {__version__}" in text and inputs_hash(result) in text
    assert f"{DRAWS} draws, seed 0" in text


def test_alternatives_are_reported_with_their_numbers(written):
    paragraphs = _paragraphs(written["public"])
    start, end = (
        paragraphs.index("4.0 Alternative Options Considered"),
        paragraphs.index("5.0 Reasons for Recommendations"),
    )
    body = "\n".join(paragraphs[start:end])
    assert "Do nothing" in body and "'HR from another partner (the exception case)'" in body
    assert "'Do nothing (the baseline)'" in body and "Private HR and payroll bureau" in body
    assert body.count("Do nothing (the baseline)") == 1  # doing nothing is listed once


def test_same_inputs_same_report(result, tmp_path):
    one = render_markdown(build_report(result, draws=DRAWS))
    two = render_markdown(
        build_report(run_scenario(load_scenario(GLOUCESTER / "county-first.yaml")), draws=DRAWS)
    )
    assert one == two


def test_markdown_and_html_carry_the_same_content(result):
    report = build_report(result, draws=DRAWS)
    markdown, html = render_markdown(report), render_html(report)
    for _, number, title in PUBLIC_OUTLINE:
        assert f"## {number} {title.replace('&', '&amp;')}" in markdown  # Markdown escapes & < > too
        assert f"<h2>{number} {title.replace('&', '&amp;')}</h2>" in html
    assert pounds(result.finance.npv) in markdown and pounds(result.finance.npv) in html  # Appendix 1
    assert "Overview &amp; Scrutiny" in html and "Overview &amp; Scrutiny" in markdown


def test_the_shipped_templates_are_what_the_script_builds():
    assert (TEMPLATES / "cabinet.docx").read_bytes() == template_bytes(exempt=False)
    assert (TEMPLATES / "exempt.docx").read_bytes() == template_bytes(exempt=True)


def _council_template(folder: Path, paragraph: str, replacement: str) -> Path:
    """The shipped template with one paragraph rewritten, as a council's own would be."""
    document = docx.Document(str(TEMPLATES / "cabinet.docx"))
    target = next(p for p in document.paragraphs if p.text == paragraph)
    target.runs[0].text = replacement
    council = folder / "council.docx"
    document.save(str(council))
    return council


def test_a_council_template_with_its_own_headings(tmp_path):
    council = _council_template(tmp_path, "1.0 Purpose of Report", "PART 1 – Purpose of this report")
    out = tmp_path / "r.docx"
    write_report(GLOUCESTER / "county-first.yaml", out, template=council, draws=50)
    assert "PART 1 – Purpose of this report" in _paragraphs(out)
    assert any(p.startswith("1.1 To seek Gloucester City Council's approval") for p in _paragraphs(out))


def test_a_template_that_drops_a_section_is_used_and_says_so(tmp_path, capsys):
    council = _council_template(tmp_path, "{{p financial }}", "(financial section removed)")
    out = tmp_path / "r.docx"
    write_report(GLOUCESTER / "county-first.yaml", out, template=council, draws=50)
    text = _text(out)
    assert "omitted sections (not placed by the template): 7.0 Financial Implications" in text
    assert "One-off costs are" not in text  # the financial body is not placed anywhere
    assert "council.docx does not place these sections, so they are omitted: 7.0 Financial" in (
        capsys.readouterr().err
    )
    (tmp_path / "junk.docx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="cannot read the Word template"):
        write_report(
            GLOUCESTER / "county-first.yaml", tmp_path / "r2.docx", template=tmp_path / "junk.docx", draws=50
        )
    assert not (tmp_path / "r2.docx").exists()


@pytest.mark.parametrize(
    "scenario",
    [
        ROOT / "scenarios" / "essex-2010" / "consensus.yaml",
        ROOT / "scenarios" / "lancaster-2011" / "baseline.yaml",
    ],
)
def test_every_partnership_gets_a_report(scenario, tmp_path):
    out = tmp_path / "report.md"
    written = write_report(scenario, out, draws=50)
    text = out.read_text()
    assert written == [out] and (tmp_path / "report-plan.png").exists()
    assert "## 11.0 Other Corporate Implications" in text and "## Appendix 3 Exception Justifications" in text


def test_a_scenario_that_changes_nothing_still_reports(tmp_path):
    out = tmp_path / "nothing.docx"
    write_report(GLOUCESTER / "do-nothing.yaml", out, draws=50)
    text = _text(out)
    assert "Every service stays as it is under this scenario" in text
    assert len(docx.Document(str(out)).inline_shapes) == 0


def test_report_command(tmp_path, capsys):
    from tests.test_cli import run

    out = tmp_path / "r.html"
    code, printed, _ = run(
        capsys, "report", str(GLOUCESTER / "county-first.yaml"), "--out", str(out), "--draws", "50"
    )
    assert (
        code == 0 and f"wrote {out}" in printed and "<h2>7.0 Financial Implications</h2>" in out.read_text()
    )
    code, _, err = run(
        capsys, "report", str(GLOUCESTER / "county-first.yaml"), "--out", str(tmp_path / "r.pdf")
    )
    assert code == 2 and "unknown report format `pdf`" in err


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


ARTIFACTS = ROOT / "tests" / "artifacts" / "gloucester-report"


@pytest.mark.e2e
@pytest.mark.slow
def test_the_report_opens_in_libreoffice(written, tmp_path):
    """The Gloucester report as LibreOffice prints it (PDF), each page saved as a PNG under
    tests/artifacts/gloucester-report/ for a person to look at.  pypdfium2 (PDFium's Python binding,
    already the test extra's PDF reader, a wheel with no system library) renders the pages, so the
    check needs nothing beyond LibreOffice itself."""
    soffice = _soffice()
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("CI must convert the report with LibreOffice: .ci/run installs it")
        pytest.skip("LibreOffice is not installed here")
    pdfium = pytest.importorskip("pypdfium2")
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(written["public"]),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = pdfium.PdfDocument(str(tmp_path / "cabinet.pdf"))
    pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    assert 8 <= len(pages) <= 40
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    for i in range(len(pdf)):
        pdf[i].render(scale=1.5).to_pil().save(ARTIFACTS / f"page-{i + 1:02d}.png")
    pictures = sorted(ARTIFACTS.glob("page-*.png"))
    assert len(pictures) == len(pages) > 1 and all(p.stat().st_size > 5000 for p in pictures)
    first = " ".join(pages[0].split())  # lines wrap as the page does
    assert "Subject: Partnership working with Gloucestershire County Council" in first
    opening = " ".join(" ".join(page.split()) for page in pages[:2])  # Scrutiny first, then Cabinet
    assert "Overview & Scrutiny Committee is asked to note the report" in opening
    assert "Cabinet is asked to RESOLVE" in opening
    assert "FOR GENERAL RELEASE" in pages[0] and "Purpose of Report" in pages[0]
    appendix = next(i for i, text in enumerate(pages) if "Appendix 1 High Level Implementation Plan" in text)
    images = [o for o in pdf[appendix].get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
    assert images, "the Gantt chart is on the Appendix 1 page"
    assert f"sensitivity: {DRAWS} draws, seed 0" in pages[-1]  # the report details close the document
    pdf.close()


def test_the_appendices_tables_name_services_and_options_not_their_ids(written, result):
    """Appendices 1 and 2 (the plan and the scoring matrix, the rules applied, assumed values and
    ties) are read by members: every option is its model and provider, every service its name."""
    programme = result.loaded.programme
    ids = {o.id for o in programme.options} | {s.id for s in programme.services}
    document = docx.Document(str(written["public"]))
    cells = [c.text.strip() for grid in document.tables for row in grid.rows for c in row.cells]
    assert not ids & set(cells), sorted(ids & set(cells))
    assert not [c for c in cells if any(f"{o} (" in c or c.startswith(f"{o}:") for o in ids)]
    plan = next(
        t
        for t in document.tables
        if [c.text for c in t.rows[0].cells] == ["service", "change", "start", "finish"]
    )
    first = [c.text for c in plan.rows[1].cells]
    assignment = result.plan.plan.assignments[0]
    assert first[0] == programme.service(assignment.service).name
    assert first[1].startswith(option_name(programme, assignment.option))
