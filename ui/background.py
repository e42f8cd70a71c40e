"""Work the pages share across reruns and sessions, and the long job run beside them (issue 18).

Two things, both held once per server (``st.cache_resource``) and both keyed by content — the
hash of the programme, rule set and what-if a result was computed from — so a key never names
a stale result:

- :class:`Kept`: results worth keeping between pages (a what-if's sensitivity, its switching
  values, the cost draws a sensitivity makes whatever the weights), safe to read and fill from
  any thread, so the Report's background job reuses what the Sensitivity and Compare pages did.
- :class:`Jobs`: the Word report, written in a worker process so the click that asks for it
  settles at once; the page shows progress and offers the files when they are ready.  Compare's
  switching values are worked out the same way, in a second worker.  A process,
  not a thread: writing a document is pure Python, and on a thread it would hold the interpreter
  lock half the time, slowing every page of every session while it runs.

The worker starts when the server first needs it (a visit to Compare, Sensitivity or Report) and
imports what writing a report needs (matplotlib for the Gantt chart, python-docx) before the
first report is asked for: 1–2 s that report would otherwise wait for.
"""

from __future__ import annotations

import sys
import threading
import types
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import streamlit as st

from engine.base.recent import Recent

T = TypeVar("T")
_MISSING = object()


class Kept:
    """The last ``size`` results by key; thread-safe.  Values are shared, never copied: callers
    only read them (they are the engine's own results)."""

    def __init__(self, size: int = 32) -> None:
        self._items: Recent[str, Any] = Recent(size)

    def peek(self, key: str) -> Any:
        """The value kept under ``key``, or None."""
        return self._items.peek(key)

    def get(self, key: str, make: Callable[[], T]) -> T:
        """The value kept under ``key``, made (outside the lock) and kept when there is none."""
        found: Any = self._items.get(key, _MISSING)
        if found is not _MISSING:
            return found
        value = make()
        self._items.put(key, value)
        return value


class Jobs:
    """Work run one at a time in a worker process, by key: asking again for a key already started
    (and not failed) gives the same job, so a report is written once per content."""

    def __init__(self, warm: Callable[[], None], keep: int = 6) -> None:
        self._keep, self._warm = keep, warm
        self._jobs: OrderedDict[str, Future[Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        import multiprocessing

        import report_writer

        # a fresh interpreter ("spawn"): forking a server that runs threads is not safe
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=self._warm)
        # spawn re-runs the parent's __main__ in the child, and Streamlit makes the page script
        # __main__: the worker is started under a blank one so it never runs the app
        blank, main = types.ModuleType("__main__"), sys.modules["__main__"]
        sys.modules["__main__"] = blank
        try:
            pool.submit(report_writer.ready)  # start the worker (and its imports) now
        finally:
            sys.modules["__main__"] = main
        return pool

    def start(self, key: str, work: Callable[..., T], *args: Any) -> Future[T]:
        """``work(*args)`` in the worker (a module-level function; the arguments are pickled)."""
        with self._lock:
            job = self._jobs.get(key)
            if job is None or (job.done() and job.exception() is not None):
                try:
                    job = self._pool.submit(work, *args)
                except BrokenProcessPool:  # the worker died (killed for memory): start another
                    self._pool = self._new_pool()
                    job = self._pool.submit(work, *args)
                self._jobs[key] = job
            self._jobs.move_to_end(key)
            for old in [k for k, j in self._jobs.items() if j.done()][: max(0, len(self._jobs) - self._keep)]:
                del self._jobs[old]
            return job

    def get(self, key: str) -> Future[Any] | None:
        with self._lock:
            return self._jobs.get(key)


@st.cache_resource(show_spinner=False)
def kept() -> Kept:
    return Kept()


@st.cache_resource(show_spinner=False)
def jobs() -> Jobs:
    """The Word report's worker."""
    import report_writer

    return Jobs(report_writer.warm)


@st.cache_resource(show_spinner=False)
def quick() -> Jobs:
    """A second worker for the short work a page fills in after it is drawn (Compare's switching
    values, about a second of re-scoring), so it never waits behind a report being written."""
    import report_writer

    return Jobs(report_writer.warm_scoring)
