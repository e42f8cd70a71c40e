"""Watching a long solve and stopping it: the anytime answer (issue 19, point 4).

A director should not wait blind on a plan that takes more than a couple of seconds.  A caller that
wants to watch hands :func:`engine.optimise.solve.solve` a :class:`Progress`: every better plan the
search finds (the priority-rule plan first, then each improving solution of the MIP) is decoded,
checked by the independent verifier and passed to ``on_progress`` as an :class:`Incumbent` with the
best bound known at that moment; setting ``stop`` ends the search at its next chance, and the result
is then the best plan found so far, ``PlanStatus.STOPPED``, with its gap.

This module holds only the words both sides share (no solver): the optimiser fills it in
(:mod:`engine.optimise.anytime`), the app and the command line read it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.plan.result import Plan, gap_words

__all__ = ["Incumbent", "Progress", "gap_words"]


@dataclass(frozen=True)
class Incumbent:
    """A verified plan the search has found, and how far from the best possible it may be."""

    plan: Plan
    objective: float
    bound: float | None  # the best value any plan could reach, as far as the solver has proved
    gap: float | None  # |bound - objective| / |objective|; None while no bound is known
    seconds: float  # since the solve began
    source: str  # "priority rule" or "solver"


@dataclass
class Progress:
    """What a caller gives ``solve`` to watch its search and to stop it.

    ``on_progress`` is called on the solving thread (keep it short: the solver waits for it); the
    plans it receives only ever get better, so a display can simply replace what it shows.
    ``stop`` may be set from any thread."""

    on_progress: Callable[[Incumbent], None] | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.perf_counter)
    best: Incumbent | None = None
    bound: float | None = None  # the solver's latest proven bound (it tightens between plans too)
    stopped_search: bool = False  # set by the optimiser when ``stop`` cut a search short
    searching: bool = True  # False once the search is over and only the reasons pass is left

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def gap(self) -> float | None:
        """How far the best plan so far may be from the best possible, by the latest bound."""
        best, bound = self.best, self.bound
        if best is None:
            return None
        bound = best.bound if bound is None else bound
        if bound is None:
            return None
        return max(0.0, abs(bound - best.objective) / max(abs(best.objective), 1e-9))

    def offer(self, incumbent: Incumbent, maximise: bool) -> bool:
        """Pass ``incumbent`` on if it is better than the best so far (ties and worse are dropped,
        so what the watcher sees is monotone); say whether it was."""
        best = self.best
        if best is not None:
            better = (
                incumbent.objective > best.objective if maximise else incumbent.objective < best.objective
            )
            if not better:
                return False
        self.best = incumbent
        if self.on_progress is not None:
            self.on_progress(incumbent)
        return True
