"""A cold start of the app (issue 18: the first page in <= 5 s): Home imports only what it shows, the
other pages' imports are warmed in the background without ever running beside a page, and the
server options that cost time on every run are off."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "ui"))
import warm

HEAVY = ("pandas", "pulp", "highspy", "rule_engine", "networkx", "docx", "openpyxl", "jinja2", "scipy")


def test_home_on_a_cold_server_imports_no_pandas_rule_engine_or_planner():
    """The first page draws with the programme model only: the rest waits for warm.py, and a page
    that needs it.  Run in a fresh interpreter (this one has imported everything already)."""
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'ui')!r})\n"
        "import warm\n"
        "warm.start = lambda pages: None  # no background imports: what Home itself imports\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(ROOT / 'ui' / 'app.py')!r}, default_timeout=60).run()\n"
        "assert not at.exception, at.exception\n"
        "print(at.title[0].value, '|', at.info[0].value)\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "SSPLAN_LOGIN": "off", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stderr
    shown, modules = run.stdout.strip().splitlines()[-2:]
    assert shown.startswith("ssplan") and "Gloucester" in shown  # Home, with the sample loaded
    assert modules == "[]"


def test_reading_a_sound_programme_needs_no_networkx():
    """The cycle check finds no loop in a plain pass (engine.programme.checks.acyclic); networkx
    comes in only to name a loop that is there."""
    code = (
        "import sys\nfrom engine.io.load import load_programme\n"
        f"load_programme({str(ROOT / 'scenarios' / 'gloucester-2015.yaml')!r})\n"
        "print('networkx' in sys.modules)\n"
        f"from engine.base.errors import SsplanError\n"
        f"try:\n    load_programme({str(ROOT / 'tests' / 'data' / 'bad' / 'cycle.yaml')!r})\n"
        "except SsplanError as error:\n    print('cycle' in str(error), 'networkx' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert run.stdout.split() == ["False", "True", "True"]


def test_imports_are_read_from_the_pages_in_order_wherever_they_are(tmp_path: Path):
    page = tmp_path / "page.py"
    page.write_text(
        "import streamlit as st\nfrom common import need_programme\nimport warm\nfrom . import sibling\n"
        "from engine.present.words import pounds, named\n"
        "def later():\n    import engine.report.run\n    from engine.present import charts\n"
    )
    other = tmp_path / "other.py"
    other.write_text("import json\nimport streamlit\n")
    assert warm.imported_by([page, other]) == [
        "streamlit",
        "engine.present.words",
        "engine.present.words.pounds",
        "engine.present.words.named",
        "engine.report.run",
        "engine.present",
        "engine.present.charts",
        "json",
    ]


def test_warm_up_imports_modules_and_passes_over_functions_and_failures(tmp_path: Path, monkeypatch):
    package = tmp_path / "warmpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "light.py").write_text("def helper():\n    return 1\n")
    (package / "broken.py").write_text("raise RuntimeError('broken on import')\n")
    (package / "late.py").write_text("VALUE = 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    names = ["warmpkg.light", "warmpkg.light.helper", "warmpkg.broken", "warmpkg.missing", "warmpkg.late"]
    try:
        assert warm.warm_up(names, warm.Gate()) == ["warmpkg.light", "warmpkg.late"]
        assert "warmpkg.late" in sys.modules and "warmpkg.broken" not in sys.modules
        assert warm.warm_up(names, warm.Gate()) == []  # nothing twice
    finally:
        for name in [n for n in sys.modules if n.startswith("warmpkg")]:
            del sys.modules[name]


def _blocked(action, seconds: float = 0.3) -> tuple[threading.Thread, threading.Event]:
    """Run ``action`` (a context manager factory) in a thread; the event is set once it got in."""
    inside = threading.Event()

    def run() -> None:
        with action():
            inside.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    inside.wait(seconds)
    return thread, inside


def test_a_page_waits_for_the_import_in_progress_and_an_import_for_the_pages():
    gate = warm.Gate()
    with gate.importing():
        thread, inside = _blocked(gate.page)
        assert not inside.is_set()  # the page waits for the import
    thread.join(2)
    assert inside.is_set()
    with gate.page():
        thread, inside = _blocked(gate.importing)
        assert not inside.is_set()  # the import waits for the page
        with gate.page():
            pass  # pages run together
    thread.join(2)
    assert inside.is_set()


def test_a_waiting_page_goes_before_the_next_import():
    """Imports come one after another; a page that waits behind one must not wait behind them all."""
    gate = warm.Gate()
    order: list[str] = []

    def run(what: str, enter) -> threading.Thread:
        def body() -> None:
            with enter():
                order.append(what)

        thread = threading.Thread(target=body, daemon=True)
        thread.start()
        time.sleep(0.1)
        return thread

    first_import = gate.importing()
    first_import.__enter__()
    page = run("page", gate.page)  # waits for the first import
    importer = run("import", gate.importing)  # the next import, ready as soon as the first ends
    assert order == []
    first_import.__exit__(None, None, None)
    page.join(2)
    importer.join(2)
    assert order == ["page", "import"]


def test_the_server_options_that_cost_time_are_off_and_are_streamlits_own():
    """Streamlit ignores an option it does not know (a warning in the log): each must be real."""
    from streamlit import config

    options = tomllib.loads((ROOT / "ui" / ".streamlit" / "config.toml").read_text())
    assert options["server"]["fileWatcherType"] == "none"
    assert options["runner"]["postScriptGC"] is False
    known = config._config_options_template  # every option Streamlit knows, by "section.name"
    for section, values in options.items():
        for name in values:
            assert f"{section}.{name}" in known, f"{section}.{name}"


def test_the_pages_are_warmed_in_the_order_of_the_menu():
    pages = warm.menu_order((ROOT / "ui" / "app_pages").glob("*.py"), (ROOT / "ui" / "app.py").read_text())
    every = {p.stem for p in (ROOT / "ui" / "app_pages").glob("*.py")} - {"home"}
    assert [p.stem for p in pages][:3] == ["programme", "priorities", "weights"]
    assert {p.stem for p in pages} == every and pages[-1].stem == "decisions"


def test_home_needs_only_the_model_before_the_first_page():
    """What ui/serve.py imports while the first browser loads: Home's needs, not the heavy rest."""
    modules = warm.home_modules()
    assert {"engine.io.load", "engine.programme.model", "engine.present.welcome"} <= set(modules)
    later = ("engine.scoring", "engine.rules", "engine.appraisal", "engine.optimise")
    heavy = {m for m in modules if m.split(".")[0] in HEAVY or m.startswith(later)}
    assert not heavy


def test_the_launcher_imports_homes_needs_and_reads_the_sample_once_the_server_is_up(monkeypatch):
    import common

    calls: list[list[str]] = []
    monkeypatch.setattr(warm, "server_up", lambda: True)
    monkeypatch.setattr(warm, "warm_up", lambda modules: calls.append(list(modules)) or [])
    common._shipped_yaml.cache_clear()
    warm.before_first_page().join(30)
    assert calls == [warm.home_modules()] and common._shipped_yaml.cache_info().currsize == 1
    monkeypatch.setattr(warm, "server_up", lambda: False)  # a server that never came up: nothing
    warm.before_first_page().join(5)
    assert len(calls) == 1


def test_the_sample_is_read_once_per_version_of_its_file(tmp_path: Path, monkeypatch):
    import common

    from engine.io.load import parse_programme

    name, text = common.sample()
    assert name == "gloucester-2015" and parse_programme(text).name.startswith("Gloucester")
    assert common.sample()[1] is text  # the same, not read again
    copy = tmp_path / "gloucester-2015.yaml"
    original = (ROOT / "scenarios" / "gloucester-2015.yaml").read_text()
    copy.write_text(original.replace("\nname: Gloucester City", "\nname: Glos City"))
    monkeypatch.setattr(common, "shipped", lambda: {"gloucester-2015": copy})
    assert "Glos City" in common.sample()[1]  # another file (or a new version of it): read afresh


@pytest.mark.e2e
def test_ssplan_ui_serves_home_with_the_sample_in_a_real_browser(tmp_path: Path):
    """The command councils use (``ssplan ui`` runs ui/serve.py) starts the app and shows Home."""
    from tests.browser.support import IDLE, MAIN, chromium, free_port, wait_healthy

    port = free_port()
    env = {**os.environ, "SSPLAN_LOGIN": "off", "SSPLAN_DB": f"sqlite:///{tmp_path / 'store.db'}"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    command = [sys.executable, "-m", "engine.cli", "ui", "--headless", "--address", "127.0.0.1"]
    command += ["--port", str(port)]
    log = tmp_path / "server.log"
    with chromium() as browser, log.open("w") as out:
        server = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_healthy(f"http://127.0.0.1:{port}", server, log)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}")
            page.wait_for_selector(f"{MAIN} h1", timeout=90_000)
            page.wait_for_selector(IDLE, timeout=90_000)
            text = page.locator(MAIN).inner_text()
            assert "ssplan: shared services planning" in text and "sample programme is loaded" in text
        finally:
            server.terminate()
            server.wait(timeout=20)
    assert "Traceback" not in log.read_text()


def test_ssplan_ui_runs_the_launcher_with_the_options_given(monkeypatch):
    import subprocess as processes

    from engine.cli import main

    started: list[list[str]] = []
    monkeypatch.setattr(processes, "call", lambda command: started.append(command) or 0)
    with pytest.raises(SystemExit) as done:
        main(["ui", "--headless", "--address", "127.0.0.1", "--port", "8600"])
    assert done.value.code == 0 and len(started) == 1
    command = started[0]
    assert command[0] == sys.executable and command[1].endswith(str(Path("ui") / "serve.py"))
    assert " ".join(command[2:]) == (
        "--server.port 8600 --client.toolbarMode minimal --server.headless true --server.address 127.0.0.1"
    )


def test_ssplan_ui_serves_this_machine_only_unless_told(monkeypatch):
    """The app holds confidential prices and login is off by default, so `ssplan ui` listens on
    127.0.0.1 unless an address is given."""
    import subprocess as processes

    from engine.cli import main

    started: list[list[str]] = []
    monkeypatch.setattr(processes, "call", lambda command: started.append(command) or 0)
    for args, address in (([], "127.0.0.1"), (["--address", "0.0.0.0"], "0.0.0.0")):
        with pytest.raises(SystemExit):
            main(["ui", "--headless", *args])
        command = started[-1]
        assert command[command.index("--server.address") + 1] == address
        assert command.count("--server.address") == 1
