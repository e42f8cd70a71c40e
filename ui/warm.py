"""Import what the later pages need in the background, once the first page is drawn (issue 18).

A cold server's first page imports only what Home shows (``tests/test_ui_start.py`` holds it to
that); pandas, the rule engine, the scoring, the optimiser, the charts and the report writer take
1–3 s more to import, and without this the director's first visit to each page would wait for them.
A daemon thread imports them after the first page has been sent, in the order of the menu: the
modules the pages and ``common`` import, read from their source (so a page's new import is warmed
without a list to keep up to date).

Python's import locks keep two threads from importing one module twice, but two threads entering
the same package by different modules can each hold a module the other needs, and one of them then
fails with "deadlock detected".  So a page never runs while the thread imports: :data:`GATE` lets
any number of page runs go together and a warm import only while no page runs or waits, one module
at a time, so a page waits at most for the one import in progress (which it would most likely have
needed itself).
"""

from __future__ import annotations

import ast
import gc
import importlib
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

UI = Path(__file__).resolve().parent
LOCAL = {"common", "auth", "warm", "__future__"}  # the app's own modules: never imported here


class Gate:
    """Page runs share the gate; a warm import holds it alone, and gives way to any page waiting."""

    def __init__(self) -> None:
        self._state = threading.Condition()
        self._running = 0  # page runs in progress
        self._waiting = 0  # page runs waiting for a warm import to finish
        self._importing = False

    @contextmanager
    def page(self) -> Iterator[None]:
        with self._state:
            self._waiting += 1
            self._state.wait_for(lambda: not self._importing)
            self._waiting -= 1
            self._running += 1
        try:
            yield
        finally:
            with self._state:
                self._running -= 1
                self._state.notify_all()

    @contextmanager
    def importing(self) -> Iterator[None]:
        with self._state:
            self._state.wait_for(lambda: self._running == 0 and self._waiting == 0)
            self._importing = True
        try:
            yield
        finally:
            with self._state:
                self._importing = False
                self._state.notify_all()


GATE = Gate()
PAUSE = 1.0  # seconds between the first page's run and the first background import
_started = threading.Lock()
_thread: threading.Thread | None = None


def imported_by(files: Iterable[Path], nested: bool = True) -> list[str]:
    """The absolute imports of ``files`` (module level first, then those inside functions and
    ``if`` blocks unless not ``nested``), in order, each once: ``import a.b`` gives ``a.b``;
    ``from a.b import c`` gives ``a.b`` and ``a.b.c`` (which may be a function rather than a
    module: :func:`warm_up` tells them apart)."""
    found: dict[str, None] = {}
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree) if nested else tree.body:
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            found.update((name, None) for name in names if name.split(".")[0] not in LOCAL)
    return list(found)


def menu_order(pages: Iterable[Path], menu: str) -> list[Path]:
    """The page files in the order ``menu`` (app.py's source) names them, Home left out (drawn)."""
    return sorted(
        (page for page in pages if page.stem != "home"), key=lambda page: menu.find(f'/ "{page.name}"')
    )


def warm_up(modules: Sequence[str], gate: Gate = GATE, pause: float = 0.0, freeze: bool = False) -> list[str]:
    """Import ``modules`` one at a time through ``gate``, after ``pause`` seconds; returns those
    imported here.  A name that is not a module (``from m import function``) is skipped, and so is a
    module that fails: the page that imports it meets the same error where it can show it.

    The pause lets the server send the first page's last messages before this thread competes with
    it for the interpreter.  At the end the objects the imports made are moved out of the garbage
    collector's sight (``freeze``, ``gc.freeze``): they live as long as the server, and a full collection that
    walks them all costs 0.1–0.4 s, which Streamlit's and Python's collections would otherwise pay
    after page runs."""
    time.sleep(pause)
    done = []
    for name in modules:
        parent, _, leaf = name.rpartition(".")
        if name in sys.modules or (parent in sys.modules and hasattr(sys.modules[parent], leaf)):
            continue
        with gate.importing():
            try:
                importlib.import_module(name)
            except Exception:  # not a module, or the page that imports it will report the error
                continue
        done.append(name)
    if freeze:
        gc.freeze()
    return done


def server_up(seconds: float = 60.0) -> bool:
    """Wait until this process's Streamlit server is up (its runtime past its initial state), so
    that imports here do not run beside the server's own start-up imports."""
    from streamlit.runtime import Runtime, RuntimeState

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if Runtime.exists() and Runtime.instance().state != RuntimeState.INITIAL:
            return True
        time.sleep(0.02)
    return False


def home_modules() -> list[str]:
    """What Home needs before it can draw: the module-level imports of ``common`` and the page."""
    return imported_by([UI / "common.py", UI / "app_pages" / "home.py"], nested=False)


def before_first_page() -> threading.Thread:
    """For a launcher that runs the server in this process (``ui/serve.py``): import what Home
    needs, and read the sample programme, while the first browser is still loading Streamlit's
    scripts (1-2 s after the server is up, when the server has nothing else to do), so the first
    page run finds them ready."""

    def run() -> None:
        if server_up():
            warm_up(home_modules())
            with GATE.importing():  # reading it imports a little more (the loader's own needs)
                try:
                    import common

                    common.sample()
                except Exception:  # Home reads it again and shows what is wrong
                    return

    thread = threading.Thread(target=run, name="ssplan-warm-home", daemon=True)
    thread.start()
    return thread


def start(pages: Sequence[Path]) -> threading.Thread | None:
    """Start warming the imports of ``common`` and ``pages`` (in the menu's order), once per server
    process; the thread when this call started it."""
    global _thread
    with _started:
        if _thread is not None:
            return None
        # each page's imports in the menu's order, then what common imports where first used
        modules = imported_by([UI / "common.py"], nested=False) + imported_by([*pages, UI / "common.py"])
        _thread = threading.Thread(
            target=warm_up, args=(modules, GATE, PAUSE, True), name="ssplan-warm-up", daemon=True
        )
        _thread.start()
        return _thread
