"""A director's journey through the app in a real browser (issue 18), on Gloucester, Essex and Lancaster.

Each journey loads a programme, weighs the criteria, plans, compares, runs sensitivity, downloads
the report and records a decision; then switches partnership and checks that no page shows the
last programme's results; then re-uploads an edited file under the same name, resets the weights
and edits a capacity cell before planning once.  Assertions are on behaviour (whose services are
shown, which figures change, what is stale), not on wording, and each step leaves a screenshot
``tests/artifacts/journey-<programme>-<nn>-<step>.png``.
"""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import pytest

from engine.io.load import dump_programme, load_programme
from engine.programme.model import Programme
from tests.browser.support import MAIN, App
from tests.conftest import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PLOT = '[data-testid="stPlotlyChart"]'
DRAWS = "100"  # the least the pages allow: the journey checks behaviour, not the statistics


def shipped(name: str) -> Programme:
    return load_programme(ROOT / "scenarios" / f"{name}.yaml")


def only_in(one: Programme, other: Programme) -> list[str]:
    """Services' names of ``one`` that no name of ``other`` contains (both have an "ICT";
    Gloucester's "Payroll" is inside Lancaster's "HR and Payroll system")."""
    return [s.name for s in one.services if not any(s.name in t.name or s.id == t.id for t in other.services)]


class Journey:
    """Steps numbered in order, each leaving a screenshot named after the programme and step."""

    def __init__(self, app: App, label: str) -> None:
        self.app, self.label, self.step = app, label, 0
        self.started = time.perf_counter()

    def shot(self, what: str) -> None:
        self.step += 1
        self.app.shot(f"journey-{self.label}-{self.step:02d}-{what}")
        now = time.perf_counter()
        print(f"{self.label} {self.step:02d} {what}: {now - self.started:.1f} s")  # shown with -s
        self.started = now


def _shown(app: App, programme: Programme, names: list[str]) -> list[str]:
    """Which of the services named in ``names`` the page shows, by name."""
    text = app.text()
    return [name for name in names if name in text]


def _ids_in_cells(app: App, programme: Programme) -> list[str]:
    """The programme's record ids (those with a hyphen, underscore or digit, which no name has)
    that a table on the page shows as a whole cell: people read names, not ids."""
    records = (*programme.services, *programme.options, *programme.partners, *programme.resources)
    ids = {r.id for r in records if re.search(r"[-_0-9]", r.id)}
    cells = {c.strip() for c in app.page.locator(MAIN).locator("td").all_text_contents()}
    return sorted(cells & ids)


# a figure as a machine writes it: a float's tail ("18250.000000000004", "0.4771834954180449"), or
# in the page's own text five or more digits without a thousands separator ("133333", "£200000");
# the grids' accessible tables (read by screen readers) hold the figures as numbers, whole pounds
FLOAT_TAIL = re.compile(r"\d+\.\d{4,}")
RAW_FIGURE = re.compile(r"\d+\.\d{4,}|(?<![\d,.#])-?\d{5,}(?![\d,])")
POUNDS = re.compile(r"^[-−]?£\d{1,3}(,\d{3})*$")
TEXT_OUTSIDE_GRIDS = """(main) => {
    const walker = document.createTreeWalker(document.querySelector(main), NodeFilter.SHOW_TEXT);
    const texts = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.parentElement.closest('[data-testid="stDataFrame"]')) texts.push(node.textContent);
    }
    return texts;
}"""


def _raw_figures(app: App) -> list[str]:
    """Figures written as a machine writes them rather than as money, a score or a share: in the
    page's text (each text node on its own) and in the grids' accessible tables."""
    main = app.page.locator(MAIN)
    found = {raw for text in app.page.evaluate(TEXT_OUTSIDE_GRIDS, MAIN) for raw in RAW_FIGURE.findall(text)}
    found |= {raw for cell in main.locator("td").all_text_contents() for raw in FLOAT_TAIL.findall(cell)}
    return sorted(found)


def shows_services(app: App, programme: Programme, other: Programme) -> None:
    """The page names the programme's services and none that only the other programme has; its
    tables hold no record id and no figure written as a machine writes it."""

    def check() -> None:
        assert _shown(app, programme, [s.name for s in programme.services]), (
            f"none of {programme.name}'s services shown on {app.page.url}"
        )
        stale = _shown(app, other, only_in(other, programme))
        assert not stale, f"{other.name}'s services still shown on {app.page.url}: {stale}"
        ids = _ids_in_cells(app, programme)
        assert not ids, f"ids in the tables on {app.page.url}: {ids}"
        raw = _raw_figures(app)
        assert not raw, f"figures not written for people on {app.page.url}: {raw[:8]}"

    app.until(check)


def shows_none_of(app: App, other: Programme, programme: Programme) -> None:
    def check() -> None:
        stale = _shown(app, other, only_in(other, programme))
        assert not stale, f"{other.name}'s services still shown on {app.page.url}: {stale}"

    app.until(check)


JOURNEYS = [  # (programme, the partnership switched to): Lancaster -> Gloucester is the case
    ("lancaster-2011", "gloucester-2015"),
    ("gloucester-2015", "essex-2010"),
    ("essex-2010", "lancaster-2011"),
]


@pytest.mark.parametrize(("first", "then"), JOURNEYS, ids=[j[0].split("-")[0] for j in JOURNEYS])
def test_a_directors_journey(app: App, first: str, then: str, tmp_path: Path) -> None:
    one, two = shipped(first), shipped(then)
    journey = Journey(app, first.split("-")[0])
    app.load(first.split("-")[0])
    shows_services(app, one, two)
    journey.shot("load")
    defaults = _weigh(app, one, two, journey)
    _plan(app, one, two, journey)
    _compare(app, one, two, journey)
    _sensitivity(app, one, two, journey)
    _report(app, one, journey, tmp_path)
    _decide(app, journey)
    _switch(app, then, two, one, journey)
    _reupload(app, first, tmp_path, journey)
    _reset(app, defaults, journey)
    _capacity_then_plan_once(app, journey)


def _weigh(app: App, one: Programme, two: Programme, journey: Journey) -> list[float]:
    """Move the first criterion's slider to 0: the slider holds it and the ranking is redrawn."""
    app.go("priorities", "Priorities")
    shows_services(app, one, two)
    defaults = app.slider_values()
    assert len(defaults) >= 2 and defaults[0] > 0
    app.sliders().first.focus()
    app.press("Home")
    assert app.slider_values()[0] == 0
    assert app.slider_values()[1:] == defaults[1:]
    shows_services(app, one, two)
    journey.shot("weigh")
    return defaults


def _plan(app: App, one: Programme, two: Programme, journey: Journey) -> None:
    app.go("plan", "Plan")
    app.click("Plan")
    app.page.locator(MAIN).get_by_text(re.compile(r"Plan: \w+")).first.wait_for(timeout=60_000)
    shows_services(app, one, two)
    money = app.page.locator(MAIN).locator('[data-testid="stMetricValue"]').all_text_contents()[:3]
    assert money and all(POUNDS.match(m.strip()) or not re.search(r"\d", m) for m in money), money
    journey.shot("plan")


def _compare(app: App, one: Programme, two: Programme, journey: Journey) -> None:
    """Save the what-if on screen and compare it with the first shipped scenario."""
    app.go("compare", "Compare")
    app.click("Save")
    app.page.locator(MAIN).locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
    shows_services(app, one, two)
    journey.shot("compare")


def _sensitivity(app: App, one: Programme, two: Programme, journey: Journey) -> None:
    app.go("sensitivity", "Sensitivity")
    app.page.locator(MAIN).locator('[data-testid="stNumberInput"] input').first.fill(DRAWS)
    app.press("Enter")
    app.click("Run")
    app.page.locator(MAIN).locator('[data-testid="stDataFrame"]').first.wait_for(timeout=120_000)
    shows_services(app, one, two)
    journey.shot("sensitivity")


def _report(app: App, one: Programme, journey: Journey, folder: Path) -> None:
    """Prepare and download the Cabinet report: a Word file that names the programme's services."""
    app.go("report", "Report")
    app.page.locator(MAIN).locator('[data-testid="stNumberInput"] input').first.fill(DRAWS)
    app.press("Enter")
    app.click("Prepare the report")
    # the Word files are written on a background job: the plan's downloads come first, then these
    button = app.page.locator(MAIN).locator(
        '[data-testid="stDownloadButton"] button', has_text="Cabinet report"
    )
    button.wait_for(timeout=180_000)
    with app.page.expect_download() as download:
        button.click()
    saved = folder / "report.docx"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as docx:
        body = docx.read("word/document.xml").decode()
    assert any(s.name.replace("&", "&amp;") in body for s in one.services if not s.exempt)
    journey.shot("report")


def _decide(app: App, journey: Journey) -> None:
    """Store the plan as a run and record a decision on it: the log shows the decision."""
    app.go("decisions", "Decisions")
    main = app.page.locator(MAIN)
    app.rerun_by(main.locator(".st-key-decisions-save button").click)  # store the what-if's plan
    form = main.locator('[data-testid="stForm"]')
    form.wait_for(timeout=30_000)
    inputs = form.locator('input[type="text"]')
    inputs.nth(0).fill("A. Director")
    inputs.nth(1).fill("Cabinet, 17 June 2015")
    words = f"Agreed in the journey test ({journey.label})"
    form.locator("textarea").first.fill(words)
    app.rerun_by(form.locator('[data-testid$="FormSubmit"]').first.click)
    app.page.get_by_text(words).first.wait_for(timeout=30_000)
    journey.shot("decision")


def _switch(app: App, then: str, two: Programme, one: Programme, journey: Journey) -> None:
    """Load the next partnership: every page shows its services or none, never the last one's;
    Sensitivity and Report offer nothing computed on the last programme (no download)."""
    app.load(then.split("-")[0])
    shows_services(app, two, one)
    journey.shot("switch")
    for path, title in (("priorities", "Priorities"), ("plan", "Plan"), ("compare", "Compare")):
        app.go(path, title)
        shows_none_of(app, one, two)
    for path, title in (("sensitivity", "Sensitivity"), ("report", "Report")):
        app.go(path, title)
        shows_none_of(app, one, two)
        assert app.page.locator(MAIN).locator('[data-testid="stDownloadButton"]').count() == 0
        assert app.page.locator(MAIN).locator('[data-testid="stDataFrame"]').count() == 0
        journey.shot(f"switch-{path}")


def _reupload(app: App, first: str, folder: Path, journey: Journey) -> None:
    """Upload a programme as mine.yaml, then the same name with a service's cost changed: the
    Programme page shows the new cost (it used to keep the old file's figures)."""
    programme = shipped(first)
    service = next(s for s in programme.services if "annual_cost" not in s.exempt)
    mine = folder / "upload" / "mine.yaml"
    mine.parent.mkdir()
    mine.write_text(dump_programme(programme))
    app.upload(mine)
    before = _row_of(app, service.name)
    changed = programme.model_copy(
        update={
            "services": tuple(
                s.model_copy(update={"annual_cost": 1_987_000.0}) if s.id == service.id else s
                for s in programme.services
            )
        }
    )
    mine.write_text(dump_programme(changed))
    app.upload(mine)

    def check() -> None:
        after = _row_of(app, service.name)
        assert after != before
        assert re.search(r"1,987,000|1\.99\s*m", after), after

    app.until(check)
    journey.shot("reupload")


def _row_of(app: App, name: str) -> str:
    """The text of the first table row that names ``name`` (rows of the grids' accessible tables)."""
    rows = app.page.locator(MAIN).locator("tr").filter(has_text=name)
    rows.first.wait_for(state="attached", timeout=30_000)
    return str(rows.first.text_content())


def _reset(app: App, defaults: list[float], journey: Journey) -> None:
    """Move a slider, reset: the sliders stand at the rule set's weights, and stay there after
    another page is visited and after another interaction (they used to spring back)."""
    app.go("priorities", "Priorities")
    app.sliders().nth(1).focus()
    app.press("End")
    assert app.slider_values() != defaults
    app.click("Reset weights")
    app.until(lambda: _at(app, defaults))
    app.sliders().first.focus()
    app.press("ArrowRight")
    app.press("ArrowLeft")
    app.until(lambda: _at(app, defaults))
    app.go("plan", "Plan")
    app.go("priorities", "Priorities")
    app.until(lambda: _at(app, defaults))
    journey.shot("reset")


def _at(app: App, values: list[float]) -> None:
    assert app.slider_values() == values


def _capacity_then_plan_once(app: App, journey: Journey) -> None:
    """Plan, set the first resource's capacity to 0 and press Plan once: the plan shown is the new
    one (no stale warning and no Gantt: with no capacity nothing can change)."""
    app.go("plan", "Plan")
    app.click("Plan")
    main = app.page.locator(MAIN)
    main.locator(PLOT).first.wait_for(timeout=60_000)
    app.edit_grid_cell(main.locator('[data-testid="stDataFrame"]').first, 0.76, 0, "0")
    app.click("Plan")
    assert main.locator(PLOT).count() == 0
    assert main.locator('[data-testid="stAlertContentWarning"]').filter(has_text="changed").count() == 0
    journey.shot("capacity-plan-once")
