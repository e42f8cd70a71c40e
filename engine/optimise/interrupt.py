"""HiGHS stopped at the command's deadline from inside its own loops (issue 19, point 5).

HiGHS's ``time_limit`` is set from the deadline when a run starts (:func:`engine.optimise.run.make_solver`),
but HiGHS measures it from its own start and checks it only where it chooses to.  The interrupt
callbacks (``kCallbackSimplexInterrupt``, ``kCallbackIpmInterrupt``, ``kCallbackMipInterrupt``:
every few simplex iterations, every interior-point iteration, at each node and heuristic of the MIP)
are the points where HiGHS can be asked to stop; there :class:`Interrupt` compares the wall clock
with the command's deadline and sets ``user_interrupt``.  HiGHS then returns its best solution
(``kInterrupt``), which the caller translates, extracts and verifies like any other.

HiGHS's presolve calls none of them (measured: 42–63 s of presolve on the 2,000-service model
with no callback at all, whatever ``presolve_mode``), so presolve is chosen by model size and the
time left (:func:`presolve_affordable`), not interrupted.

A watched search (:mod:`engine.optimise.anytime`) has its own callback; :class:`Interrupt` wraps it,
so PuLP's single ``callbackTuple`` carries both.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

# presolve's cost on these models, measured on the 2-core machine (seconds per nonzero of the
# model handed over): 42–63 s at 1.08 M nonzeros (2,000 services), 8 s at 221,000 (500 services);
# it grows faster than linearly, so the figure of the largest model is kept
PRESOLVE_SECONDS_PER_NONZERO = 4e-5
# below this many nonzeros presolve takes well under a second and is always run
PRESOLVE_CHECK_FROM = 100_000
# presolve is run only when it is expected to take at most this share of the time left
PRESOLVE_SHARE = 0.35

Callback = Callable[[Any, str, Any, Any, Any], None]


def presolve_affordable(nonzeros: int, seconds_left: float) -> bool:
    """Whether HiGHS's presolve (which cannot be interrupted) fits in the time left with room for
    the search after it: its expected time (:data:`PRESOLVE_SECONDS_PER_NONZERO` a nonzero) within
    :data:`PRESOLVE_SHARE` of ``seconds_left``; always on small models (:data:`PRESOLVE_CHECK_FROM`)."""
    if nonzeros < PRESOLVE_CHECK_FROM:
        return True
    return nonzeros * PRESOLVE_SECONDS_PER_NONZERO <= PRESOLVE_SHARE * seconds_left


class Interrupt:
    """The callback that stops one HiGHS run at ``deadline`` (``time.perf_counter()`` clock),
    passing every call on to ``inner`` (a watcher's callback) first."""

    def __init__(self, deadline: float, inner: Callback | None = None, inner_kinds: list[Any] | None = None):
        self.deadline, self.inner, self.inner_kinds = deadline, inner, list(inner_kinds or [])
        self.fired = False  # whether the deadline stopped the run

    def options(self) -> dict[str, Any]:
        """``callbackTuple`` and ``callbacksToActivate`` for PuLP's HiGHS."""
        import highspy

        kinds = highspy.cb.HighsCallbackType
        wanted = [kinds.kCallbackSimplexInterrupt, kinds.kCallbackIpmInterrupt, kinds.kCallbackMipInterrupt]
        wanted += [kind for kind in self.inner_kinds if kind not in wanted]
        return {"callbackTuple": (self.callback, None), "callbacksToActivate": wanted}

    def callback(self, kind: Any, message: str, out: Any, data_in: Any, user_data: Any) -> None:
        if self.inner is not None:
            self.inner(kind, message, out, data_in, user_data)
        if data_in is not None and time.perf_counter() >= self.deadline:
            data_in.user_interrupt = True
            self.fired = True
