from __future__ import annotations

from pathlib import Path

import pytest

from engine.io.load import load_programme
from engine.io.shipped import shipped_programmes
from engine.programme.model import Programme

ROOT = Path(__file__).resolve().parent.parent
# Each shipped programme's scenario its Cabinet report is written from (the others are its alternatives).
REPORT_BASELINES = {
    "gloucester-2015": "county-first.yaml",
    "essex-2010": "baseline.yaml",
    "lancaster-2011": "baseline.yaml",
    "riverside-2012": "baseline.yaml",
    "three-vales-2016": "baseline.yaml",
}
DATA = Path(__file__).resolve().parent / "data"


def tight_gloucester(folder: Path) -> Path:
    """Gloucester with its project-manager days cut from 12 to 4 a month: ICT no longer fits."""
    text = (
        (ROOT / "scenarios" / "gloucester-2015.yaml")
        .read_text()
        .replace("    capacity: 12\n", "    capacity: 4\n")
    )
    tight = folder / "tight.yaml"
    tight.write_text(text)
    return tight


SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _solve_afresh():
    """Each test solves its own models: no proven answer is recalled from an earlier test
    (engine.optimise.reuse), so a test's outcome does not depend on the order tests run in."""
    from engine.optimise import reuse

    reuse.forget()


SHIPPED = shipped_programmes()


@pytest.fixture(scope="session")
def gloucester() -> Programme:
    return load_programme(ROOT / "scenarios" / "gloucester-2015.yaml")


@pytest.fixture(scope="session")
def essex() -> Programme:
    return load_programme(ROOT / "scenarios" / "essex-2010.yaml")


@pytest.fixture(scope="session")
def lancaster() -> Programme:
    return load_programme(ROOT / "scenarios" / "lancaster-2011.yaml")


@pytest.fixture(scope="session")
def small() -> Programme:
    return load_programme(DATA / "small.yaml")


# ------------------------------------------------------------------ the real-browser tests
@pytest.fixture(scope="module")
def served(tmp_path_factory):  # type: ignore[no-untyped-def]
    """One ``streamlit run`` server per test module (tests/browser/support.py)."""
    from tests.browser.support import serve

    with serve(tmp_path_factory.mktemp("served")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium, one per test module; each test opens its own context (its own session)."""
    from tests.browser.support import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture
def app(served, browser):  # type: ignore[no-untyped-def]
    """A fresh director's session on the served app, its first page shown."""
    from tests.browser.support import App

    context = browser.new_context(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
    try:
        yield App(context.new_page(), served).open()
    finally:
        context.close()
