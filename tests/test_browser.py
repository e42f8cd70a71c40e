"""End to end in a real headless browser: streamlit run, Debian's chromium, the Gloucester plan
(the server, browser and driver are shared with the journeys: tests/conftest.py, tests/browser/)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e

PLOT = '[data-testid="stPlotlyChart"]'


def test_load_gloucester_plan_and_see_the_gantt(app):
    app.load("gloucester")
    assert app.page.get_by_text("Deploy").count() == 0  # the toolbar is minimal
    app.go("plan", "Plan")
    app.click("Plan")
    page = app.page
    page.locator(PLOT).first.wait_for(timeout=120_000)
    app.settle()
    assert page.get_by_text("Plan: optimal").count() == 1
    assert page.locator(PLOT).count() == 2  # Gantt and resource use
    gantt = page.locator(PLOT).first
    gantt.scroll_into_view_if_needed()
    app.shot("plan-page")
    assert "Implementation plan" in gantt.inner_text()
    _one_click_after_a_capacity_edit(app)


def _one_click_after_a_capacity_edit(app) -> None:  # type: ignore[no-untyped-def]
    """Set the project-management days to 0 in the capacity table and press Plan once: the plan
    shown is the one with the edit (the first click used to be swallowed, leaving the old plan and
    a "settings have changed" warning), and it says why nothing changes."""
    page = app.page
    # the first row's capacity cell (columns pool, resource, per, capacity, as given)
    app.edit_grid_cell(page.locator('[data-testid="stDataFrame"]').first, 0.76, 0, "0")
    app.shot("plan-capacity-edited")
    app.click("Plan")
    app.shot("plan-after-one-click")
    page.get_by_text("No change fits the capacity").first.wait_for(timeout=10_000)
    app.settle()
    assert page.get_by_text("have changed since").count() == 0
    assert page.locator(PLOT).count() == 0
    payback = page.locator('[data-testid="stMetric"]').filter(has_text="Payback")
    assert payback.inner_text().split()[-1] == "none"  # short, never cut; the words are its help
    app.shot("plan-after-capacity-edit")


def test_a_long_plan_shows_the_best_so_far_and_stop_keeps_it(app, tmp_path):
    """A seeded 150-service programme under the savings objective (the priority-rule plan at once,
    the optimiser's first better plan after a few seconds, 10 % from the best possible, and the
    proof much later): after the click the page shows the search as it goes — the best plan so
    far, its gap, a Stop button — and Stop ends it with that plan, said to be stopped, never
    "optimal"."""
    from engine.io.load import dump_programme
    from engine.programme.synth import seeded_programme

    programme = seeded_programme(150)
    path = tmp_path / "seeded-150.yaml"
    path.write_text(dump_programme(programme))
    app.upload(path)
    app.go("plan", "Plan")
    page = app.page
    main = page.locator('[data-testid="stMain"]')
    main.locator('[data-testid="stSelectbox"]').first.click()
    app.rerun_by(page.get_by_role("option", name=re.compile("net savings")).first.click)
    app.click("Plan")
    page.get_by_text("Still searching").first.wait_for(timeout=30_000)
    assert page.get_by_text("Planning…").count() == 1
    assert page.get_by_text("The best plan so far").count() == 1
    assert main.get_by_role("button", name="Stop", exact=True).count() == 1
    page.locator(PLOT).first.wait_for(timeout=30_000)  # the best plan so far, as a Gantt
    app.shot("plan-searching")
    main.get_by_role("button", name="Stop", exact=True).click()
    page.get_by_text("Plan: stopped by you: best plan found, within").first.wait_for(timeout=30_000)
    app.settle()
    assert page.get_by_text("Planning…").count() == 0
    assert page.get_by_text("Plan: optimal").count() == 0
    assert page.locator(PLOT).count() == 2  # the stopped plan's Gantt and resource use
    app.shot("plan-stopped")


def test_a_reload_keeps_the_programme_loaded(app):
    """The audit's reload went back to Gloucester after Lancaster was loaded: the address now
    names the shipped programme held (``?programme=lancaster-2011``), on every page."""
    app.load("lancaster")
    app.go("plan", "Plan")
    page = app.page
    page.get_by_text("Programme: Lancaster").first.wait_for(timeout=30_000)
    assert "programme=lancaster-2011" in page.url
    page.reload()
    page.get_by_text("Programme: Lancaster").first.wait_for(timeout=60_000)
    app.settle()
    assert "programme=lancaster-2011" in page.url
    app.shot("plan-after-reload")
