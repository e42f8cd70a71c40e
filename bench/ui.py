"""The app's speed as a director meets it, in Debian's Chromium driven by Playwright (issue 18).

Cold start: from launching the server to its first page shown (target <= 5 s), for ``ssplan ui``
(what councils run), ``streamlit run ui/app.py`` (what the browser tests run) and, as the floor,
Streamlit alone serving one heading; beside them ``python -c "import streamlit"``, the machine's
speed at the time (the machine is shared, so its load moves every figure).
Interactions on Gloucester, each timed from the key press or click until the page has settled
(Streamlit's running indicator gone and the expected element shown), median of ``--repeat``
(target <= 1 s; plan <= 2 s): a weight moved (the ranking redrawn), plan, compare (save the what-if,
the comparison redrawn), sensitivity (1,000 draws) and the report asked for (the click settled, the
plan's files offered and the Word files' progress shown); then, apart, until the Word files are
offered (they are written in a worker process).  Each repetition moves a weight first, so no
answer comes from the cache of the one before.

``--apptest`` adds the older figures through Streamlit's AppTest (no browser: the script's own time).

    python bench/ui.py [--repeat 5] [--cold 3] [--apptest]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.support import (  # noqa: E402
    IDLE,
    MAIN,
    RERUN_DONE,
    WATCH,
    App,
    chromium,
    free_port,
    serve,
    streamlit_command,
)

HEADING = f"{MAIN} h1"
WORD = f'{MAIN} [data-testid="stDownloadButton"] button:has-text("Cabinet report")'


# Headless, as no window may open here; with an address, as a director's own start (not headless)
# would not look up the machine's external address either (`ssplan ui --help`).
SSPLAN_UI = [sys.executable, "-m", "engine.cli", "ui"]


def cold_commands(folder: Path) -> dict[str, Callable[[int], list[str]]]:
    """The servers whose cold start is timed, by name: the command councils use, the one the
    browser tests use, and Streamlit alone with an app that shows one heading (the floor: what no
    change to ssplan can go below on this machine at this load)."""
    empty = folder / "empty.py"
    empty.write_text('import streamlit as st\n\nst.title("ssplan")\n')
    return {
        "`ssplan ui`": lambda port: [*SSPLAN_UI, "--headless", "--address", "127.0.0.1", "--port", str(port)],
        "`streamlit run ui/app.py`": streamlit_command,
        "Streamlit alone (an app of one heading)": lambda port: [
            *streamlit_command(port)[:4],
            str(empty),
            *streamlit_command(port)[5:],
        ],
    }


def reference(runs: int = 3) -> float:
    """Median seconds of ``python -c "import streamlit"`` now: the machine's speed at this load."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import streamlit"], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cold_start(browser: Any, folder: Path, command: list[str], port: int) -> tuple[float, float]:
    """Seconds from starting the server to (the server answering, the first page's heading shown
    with the script finished)."""
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SSPLAN_LOGIN": "off", "SSPLAN_DB": f"sqlite:///{folder / 'store.db'}"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    page = browser.new_page()
    started = time.perf_counter()
    quiet = subprocess.DEVNULL
    server = subprocess.Popen(command, cwd=folder, env=env, stdout=quiet, stderr=quiet)
    try:
        while True:
            try:
                page.goto(url, timeout=2_000)
                break
            except Exception:  # not listening yet: try again at once, as a reloading user would
                if time.perf_counter() - started > 90:
                    raise
                time.sleep(0.05)
        answering = time.perf_counter() - started
        page.wait_for_selector(HEADING, timeout=90_000)
        page.wait_for_selector(IDLE, timeout=90_000)
        return answering, time.perf_counter() - started
    finally:
        page.close()
        server.terminate()
        server.wait(timeout=20)


def settled(app: App, action: Callable[[], None], *shown: str, later: list[float] | None = None) -> float:
    """Seconds from ``action`` until the rerun it started has finished and each of ``shown`` (a
    selector) is visible.  A MutationObserver set before the action sees the run start however
    short it is.  With ``later``, also waits for what the action started in the background (the
    Word report) and appends the seconds from the action until it is offered."""
    page = app.page
    page.wait_for_selector(IDLE, timeout=120_000)
    page.evaluate(WATCH)
    started = time.perf_counter()
    action()
    page.wait_for_function(RERUN_DONE, timeout=120_000, polling="raf")
    for selector in shown:
        page.locator(selector).first.wait_for(timeout=120_000)
    seconds = time.perf_counter() - started
    if later is not None:
        page.locator(WORD).first.wait_for(timeout=180_000)
        later.append(time.perf_counter() - started)
        page.wait_for_selector(IDLE, timeout=120_000)
    return seconds


def interactions(app: App, repeat: int) -> dict[str, list[float]]:
    steps = ("weight moved", "plan", "compare", "sensitivity", "report", "report: Word files offered")
    times: dict[str, list[float]] = {step: [] for step in steps}
    main = app.page.locator(MAIN)
    grid, download = '[data-testid="stDataFrame"]', '[data-testid="stDownloadButton"]'
    for round_ in range(repeat):
        app.go("priorities", "Priorities")
        slider = app.sliders().nth(round_ % 2)
        slider.focus()
        key = "ArrowRight" if round_ % 4 < 2 else "ArrowLeft"
        press = lambda key=key: app.page.keyboard.press(key)  # noqa: E731
        times["weight moved"].append(settled(app, press, f"{MAIN} {grid}"))
        app.go("plan", "Plan")
        plan = main.get_by_role("button", name="Plan", exact=True)
        # the plan's own heading, not the search view a plan longer than 2 s shows first
        final = f"{MAIN} >> text=/^Plan: /"
        times["plan"].append(settled(app, plan.click, final, f'{MAIN} [data-testid="stPlotlyChart"]'))
        app.go("compare", "Compare")
        save = main.get_by_role("button", name="Save", exact=True)
        times["compare"].append(settled(app, save.click, f"{MAIN} {grid}"))
        app.go("sensitivity", "Sensitivity")
        run = main.get_by_role("button", name="Run", exact=True)
        times["sensitivity"].append(settled(app, run.click, f"{MAIN} {grid}"))
        app.go("report", "Report")
        make = main.get_by_role("button", name="Prepare the report", exact=True)
        word = times["report: Word files offered"]
        times["report"].append(settled(app, make.click, f"{MAIN} {download}", later=word))
    return times


def apptest(repeat: int) -> None:
    """The older figures: Streamlit's AppTest, the script alone (no browser, no network)."""
    from streamlit.testing.v1 import AppTest

    def timed(action: Callable[[], object]) -> float:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start

    at = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=120)
    at.run()
    for name in ("gloucester-2015", "essex-2010", "lancaster-2011"):
        at.switch_page("app_pages/programme.py").run()
        at.selectbox(key="programme.pick").set_value(name)
        at.button(key="programme.load").click().run()
        at.switch_page("app_pages/priorities.py").run()
        criterion = next(s for s in at.slider if s.key.startswith("priorities.weight."))
        weights = [timed(lambda v=v, c=criterion: c.set_value(v).run()) for v in range(5, 5 + 5 * repeat, 5)]
        at.switch_page("app_pages/plan.py").run()
        plans = []
        for step in range(repeat):
            at.session_state["whatif.current"]["weights"] = {criterion.key.rsplit(".", 1)[1]: 6.0 + step}
            plans.append(timed(lambda: at.button(key="plan.run").click().run()))
            assert not at.exception
        print(
            f"| {name} | {statistics.median(weights):.2f} s | {statistics.median(plans):.2f} s "
            f"(max {max(plans):.2f} s) |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cold", type=int, default=3, help="cold starts to time")
    parser.add_argument("--apptest", action="store_true", help="also time through AppTest")
    args = parser.parse_args()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average {load}\n")
    with chromium() as browser, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        before = reference()
        commands = cold_commands(folder)
        starts: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.cold):  # taken in turn, so that each meets the same load
            for name, command in commands.items():
                port = free_port()
                starts[name].append(cold_start(browser, folder, command(port), port))
        print("| in Chromium | median | max | target |\n|---|---|---|---|")
        print(f'| reference: `python -c "import streamlit"` | {before:.2f} s | | |')
        for name, times in starts.items():
            answering, colds = [a for a, _ in times], [c for _, c in times]
            up, first = statistics.median(answering), statistics.median(colds)
            target = "" if name.startswith("Streamlit alone") else "5 s"
            print(f"| cold start, {name}: server answering | {up:.2f} s | {max(answering):.2f} s | |")
            print(f"| cold start, {name}: first page | {first:.2f} s | {max(colds):.2f} s | {target} |")
        with serve(folder) as url:
            context = browser.new_context(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
            app = App(context.new_page(), url).open()
            app.load("gloucester")
            for what, seconds in interactions(app, args.repeat).items():
                target = {"plan": "2 s", "report: Word files offered": ""}.get(what, "1 s")
                median, worst = statistics.median(seconds), max(seconds)
                print(f"| Gloucester: {what} | {median:.2f} s | {worst:.2f} s | {target} |")
            context.close()
    if args.apptest:
        print("\n| AppTest | weight moved, ranking shown | new what-if planned |\n|---|---|---|")
        apptest(args.repeat)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f'\nload average after: {load}; `python -c "import streamlit"` now {reference():.2f} s')


if __name__ == "__main__":
    main()
