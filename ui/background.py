"""Work the pages share across reruns and sessions, and the long job run beside them (issue 18).

Two things, both held once per server (``st.cache_resource``) and both keyed by content — the
hash of the programme, rule set and what-if a result was computed from — so a key never names
a stale result:

- :class:`Kept`: results worth keeping between pages (a what-if's sensitivity, its switching
  values, the cost draws a sensitivity makes whatever the weights), safe to read and fill from
  any thread, so the Report's background job reuses what the Sensitivity and Compare pages did.
- :class:`Jobs`: the Word report, written on a worker thread so the click that asks for it
  settles at once; the page shows progress and offers the files when they are ready.

The worker's first task imports what writing a report needs (matplotlib for the Gantt chart,
python-docx): 1–2 s that the first report would otherwise wait for.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import streamlit as st

T = TypeVar("T")


class Kept:
    """The last ``size`` results by key; thread-safe.  Values are shared, never copied: callers
    only read them (they are the engine's own results)."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, make: Callable[[], T]) -> T:
        """The value kept under ``key``, made (outside the lock) and kept when there is none."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                found: T = self._items[key]
                return found
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


class Jobs:
    """Work run one at a time on a background thread, by key: asking again for a key already
    started (and not failed) gives the same job, so a report is written once per content."""

    def __init__(self, keep: int = 6) -> None:
        self._keep = keep
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ssplan-job")
        self._jobs: OrderedDict[str, Future[Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._pool.submit(_warm)

    def start(self, key: str, work: Callable[[], T]) -> Future[T]:
        with self._lock:
            job = self._jobs.get(key)
            if job is None or (job.done() and job.exception() is not None):
                job = self._pool.submit(work)
                self._jobs[key] = job
            self._jobs.move_to_end(key)
            for old in [k for k, j in self._jobs.items() if j.done()][: max(0, len(self._jobs) - self._keep)]:
                del self._jobs[old]
            return job

    def get(self, key: str) -> Future[Any] | None:
        with self._lock:
            return self._jobs.get(key)


def _warm() -> None:
    """Import the report writer's heavy modules once per server, off the pages' thread."""
    import docx  # noqa: F401
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates
    import matplotlib.pyplot

    import engine.present.charts
    import engine.report.run  # noqa: F401


@st.cache_resource(show_spinner=False)
def kept() -> Kept:
    return Kept()


@st.cache_resource(show_spinner=False)
def jobs() -> Jobs:
    return Jobs()
