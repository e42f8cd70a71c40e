"""What the real-browser tests share: a `streamlit run` server, Debian's Chromium, and a thin driver
that moves around the app the way a director does (sidebar links, buttons, sliders) and waits for
Streamlit to settle.

Pages are found by the URL path of their sidebar link (``/plan``), not by position, so a new first
page (a home view) does not move the journeys.  Results are read from what the browser shows: the
data grids' accessible tables, the charts' SVG text and the page's text.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# A MutationObserver on the app's script state, set before an action, sees the rerun the action
# starts however short it is; RERUN_DONE is true once that rerun has finished.
WATCH = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__ran = false;
    window.__watch?.disconnect();
    window.__watch = new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__ran = true;
    });
    window.__watch.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
RERUN_DONE = """() => window.__ran &&
    document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state') === 'notRunning'"""
MAIN = '[data-testid="stMain"]'


def need(condition: bool, what: str) -> None:
    """Skip a browser test where its tool is missing; in CI (``CI`` set) fail instead."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {what} (.ci/run installs it)")
    pytest.skip(f"{what} here")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def streamlit_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "ui" / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",  # as `ssplan ui` starts it (ui/.streamlit/config.toml says the same)
        "minimal",
    ]


def wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise AssertionError("streamlit did not start:\n" + log.read_text())
        time.sleep(0.1)


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``streamlit run ui/app.py`` on a free port, its store and weights in ``folder``; yields the URL."""
    port = free_port()
    env = {
        **os.environ,
        "SSPLAN_DB": f"sqlite:///{folder / 'store.db'}",
        "SSPLAN_LOGIN": "off",
        "SSPLAN_WEIGHTS_DIR": str(folder / "weights"),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    log_path = folder / "streamlit.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            streamlit_command(port), cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, server, log_path)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=20)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    need(Path(CHROMIUM).exists(), "Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


class App:
    """One director's session: a fresh browser context on the served app."""

    def __init__(self, page: Any, url: str) -> None:
        self.page, self.url = page, url

    def open(self) -> App:
        self.page.goto(self.url)
        self.settle()
        self.page.locator('[data-testid="stSidebarNav"]').wait_for(timeout=90_000)
        return self

    def settle(self, timeout: float = 120_000) -> None:
        """Wait until Streamlit's script has finished (its running indicator gone)."""
        self.page.wait_for_timeout(150)  # the rerun a click starts may not have begun yet
        self.page.wait_for_selector(IDLE, timeout=timeout)

    def go(self, path: str, title: str) -> None:
        """Open a page from the sidebar by its URL path (``plan``); the default page's link is the
        bare URL.  ``title`` is what the failure says."""
        nav = self.page.locator('[data-testid="stSidebarNav"]')
        link = nav.locator(f'a[href$="/{path}"]')
        if link.count() == 0:
            link = nav.locator(f'a[href="{self.url}/"]')
        assert link.count(), f"no sidebar link to the {title} page"
        href = str(link.first.get_attribute("href") or "").split("?")[0].rstrip("/")
        if self.page.url.split("?")[0].rstrip("/") == href:
            self.settle()  # already there
            return
        self.rerun_by(link.first.click)
        # the address carries the programme held (?programme=gloucester-2015): the path is the page
        self.page.wait_for_url(lambda url: url.split("?")[0].rstrip("/") == href, timeout=30_000)

    def load(self, programme: str) -> None:
        """Load a shipped programme on the Programme page (``programme``: a word of its file name,
        which is also a word of the programme's name, as the picker shows it)."""
        self.go("programme", "Programme")
        main = self.page.locator(MAIN)
        main.get_by_role("radio").first.check(force=True)  # "a shipped programme"
        self.settle()
        main.locator('[data-testid="stSelectbox"]').first.click()
        self.page.get_by_role("option", name=re.compile(programme, re.IGNORECASE)).first.click()
        self.settle()
        self.click("Load")

    def upload(self, path: Path) -> None:
        """Upload a programme file on the Programme page ("my own file")."""
        self.go("programme", "Programme")
        main = self.page.locator(MAIN)
        main.get_by_role("radio").nth(1).check(force=True)
        self.settle()
        # the bytes, not the path: Chromium keeps the first snapshot of a path it was given
        upload = {"name": path.name, "mimeType": "application/octet-stream", "buffer": path.read_bytes()}
        main.locator('input[type="file"]').set_input_files(files=[upload])
        self.settle()

    def until(self, check: Callable[[], None], seconds: float = 20) -> None:
        """Retry ``check`` (which asserts) until it passes: a rerun redraws the page element by
        element, so what it shows is judged once it has finished, not half-way."""
        deadline = time.monotonic() + seconds
        while True:
            self.settle()
            try:
                check()
                return
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
            self.page.wait_for_timeout(300)

    def text(self) -> str:
        """Everything the main area holds, the grids' accessible tables and the charts' SVG included."""
        return str(self.page.locator(MAIN).text_content() or "")

    def rerun_by(self, action: Callable[[], Any], timeout: float = 120_000) -> None:
        """Do ``action`` and wait until the rerun it starts has finished (not merely until the
        app is idle, which it may still be from before the action reached the server).  A run
        still going from before is let finish first: its end is not the action's."""
        self.page.wait_for_selector(IDLE, timeout=timeout)
        self.page.evaluate(WATCH)
        action()
        try:  # an action that starts no rerun (a value already committed) is seen to start none
            self.page.wait_for_function("() => window.__ran", timeout=10_000, polling="raf")
        except Exception:
            self.page.wait_for_selector(IDLE, timeout=timeout)
            return
        self.page.wait_for_function(RERUN_DONE, timeout=timeout, polling="raf")

    def click(self, name: str) -> None:
        self.rerun_by(self.page.locator(MAIN).get_by_role("button", name=name, exact=True).first.click)

    def press(self, key: str) -> None:
        """Press ``key`` on the focused widget and wait for the rerun it starts."""
        self.rerun_by(lambda: self.page.keyboard.press(key))

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def sliders(self) -> Any:
        return self.page.locator(f'{MAIN} [data-testid="stSlider"] input[type="range"]')

    def slider_values(self) -> list[float]:
        values = self.sliders()
        return [float(values.nth(i).get_attribute("value")) for i in range(values.count())]

    def edit_grid_cell(self, grid: Any, column: float, row: int, value: str) -> None:
        """Type ``value`` into a data editor's cell.  The grid is drawn on a canvas, so a cell is
        found by position: ``column`` is the fraction of the grid's width, rows are 35 px high."""
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        assert box is not None
        cell = (box["x"] + column * box["width"], box["y"] + 35 * (row + 1) + 17)
        self.page.mouse.move(*cell)  # the grid takes a click only once the pointer is over it
        self.page.wait_for_timeout(300)
        self.page.mouse.click(*cell)
        self.page.wait_for_timeout(300)
        self.page.keyboard.type(value)  # typing on a selected cell replaces its value
        self.page.wait_for_timeout(300)
        self.press("Enter")  # the edit is committed: a rerun


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 A/AA violations on the page as shown (axe injected from node_modules)."""
    need(AXE.is_file(), "axe-core is not installed (cd tests/browser && npm ci)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200)})),
            }));
        }"""
    )
    return found
