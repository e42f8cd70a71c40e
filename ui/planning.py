"""A plan worked out off the script thread, so a long search can be watched and stopped (issue 19).

Streamlit runs a page's script on its own thread and a click waits for it; a worker thread here runs
the engine's plan (:func:`engine.appraisal.scenario.run_scenario` with a
:class:`engine.plan.progress.Progress`) while the page polls it with a fragment.  The worker never
calls ``st.*`` (it has no script context): it only writes to this holder, under its lock, and the
page reads the holder from session state.

Finished (not stopped) results are also kept here by their inputs, a few at a time, so the cached
engine call in ``common.run_whatif`` answers them at once, as it did when the page called it
directly: another page asking for the same what-if does not plan it again.
"""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING

from engine.base.recent import Recent
from engine.plan.progress import Incumbent, Progress

if TYPE_CHECKING:
    from engine.appraisal.scenario import LoadedScenario, ScenarioResult

KEEP = 16  # finished results kept for common.run_whatif
_finished: Recent[str, ScenarioResult] = Recent(KEEP)


def _key(yaml_text: str, name: str, scenario_json: str) -> str:
    """The inputs a finished plan answers: the programme, the what-if and its rule file's content."""
    from common import scenario_rules_hash

    sha = hashlib.sha256()
    for part in (yaml_text, name, scenario_json, scenario_rules_hash(scenario_json)):
        data = part.encode()
        sha.update(f"{len(data)}:".encode() + data)
    return sha.hexdigest()


def finished(yaml_text: str, name: str, scenario_json: str) -> ScenarioResult | None:
    """The result a worker finished for these inputs, if it is still kept."""
    return _finished.get(_key(yaml_text, name, scenario_json))


def _remember(key: str, result: ScenarioResult) -> None:
    _finished.put(key, result)


_warmed = threading.Event()


def warm_up() -> None:
    """Once per server, on a daemon thread: import the optimiser and build a throwaway Plotly
    timeline and subplot figure, so the first **Plan** click does not pay for them (about a second
    of imports and Plotly's lazily loaded figure classes on the development machine)."""
    if _warmed.is_set():
        return
    _warmed.set()

    def work() -> None:
        import pandas as pd
        import plotly.express as px
        from plotly.subplots import make_subplots

        import engine.appraisal.scenario  # noqa: F401  (the solver and PuLP come with it)

        start = pd.Timestamp("2015-04-01")
        frame = pd.DataFrame({"row": ["a"], "begin": [start], "end": [start + pd.Timedelta(days=30)]})
        px.timeline(frame, x_start="begin", x_end="end", y="row").update_layout(height=200)
        make_subplots(rows=2, cols=1, shared_xaxes=True).update_layout(height=200)

    threading.Thread(target=work, name="ssplan-warm-up", daemon=True).start()


class Background:
    """One what-if being planned on a worker thread: the best plan so far, then the result.

    ``key`` is the page's inputs key (programme, rule set, what-if) the run was started for: its
    result belongs to those inputs and to no others."""

    def __init__(self, key: str, loaded: LoadedScenario, inputs: tuple[str, str, str]) -> None:
        self.key = key
        self._inputs = _key(*inputs)
        self._loaded = loaded
        self._lock = threading.Lock()
        self._best: Incumbent | None = None
        self._result: ScenarioResult | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        self.progress = Progress(on_progress=self._seen)
        self._thread = threading.Thread(target=self._work, name="ssplan-plan", daemon=True)

    def start(self) -> Background:
        self._thread.start()
        return self

    def _seen(self, incumbent: Incumbent) -> None:  # on the worker thread
        with self._lock:
            self._best = incumbent

    def _work(self) -> None:  # on the worker thread: no st.* here
        from engine.appraisal.scenario import run_scenario

        try:
            result = run_scenario(self._loaded, reasons=True, progress=self.progress)
        except BaseException as error:  # handed to the page, which shows or raises it
            with self._lock:
                self._error = error
        else:
            with self._lock:
                self._result = result
            if not self.progress.stopped_search:  # a stopped plan is not the answer to these inputs
                _remember(self._inputs, result)
        finally:
            self._done.set()

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the plan; whether it is done."""
        return self._done.wait(seconds)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def stop(self) -> None:
        """Ask the search to stop: it ends with the best plan found so far."""
        self.progress.stop.set()

    @property
    def stopping(self) -> bool:
        return self.progress.stop.is_set()

    def best(self) -> tuple[Incumbent | None, float | None]:
        """The best plan so far and its gap by the solver's latest bound."""
        with self._lock:
            return self._best, self.progress.gap()

    def seconds(self) -> float:
        return self.progress.elapsed()

    def outcome(self) -> ScenarioResult:
        """The finished result; a located input problem (``SsplanError``) or a bug is raised here,
        on the page's thread."""
        with self._lock:
            error, result = self._error, self._result
        if error is not None:
            raise error
        assert result is not None, "outcome() before the plan is done"
        return result
