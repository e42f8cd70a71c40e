"""One deadline for the whole command: ``--time-limit`` bounds the solve, the heuristics, the
infeasibility advice and the reasons, not just the solver's own search.

``solve`` opens a :func:`within` block; everything under it (model building, every solver call,
the elastic advice, the re-plans of the reasons pass, which open their own shorter blocks) asks
:func:`remaining` or calls :func:`check`, which raises :class:`OutOfTime` once the deadline has
passed.  The caller that catches it says in the result what the limit cut short.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import time
from collections.abc import Iterator

_DEADLINE: contextvars.ContextVar[float] = contextvars.ContextVar("ssplan_deadline", default=math.inf)

# a solver is never started with less than this (HiGHS needs a positive limit)
MIN_SOLVER_SECONDS = 0.05


class OutOfTime(Exception):
    """The command's time limit passed while building or running a model."""


@contextlib.contextmanager
def within(seconds: float) -> Iterator[float]:
    """Run the block under a deadline ``seconds`` from now, or the enclosing one if sooner."""
    deadline = min(_DEADLINE.get(), time.perf_counter() + seconds)
    token = _DEADLINE.set(deadline)
    try:
        yield deadline
    finally:
        _DEADLINE.reset(token)


def deadline() -> float:
    """The current deadline (``time.perf_counter()`` clock; infinite outside any block)."""
    return _DEADLINE.get()


def remaining() -> float:
    return _DEADLINE.get() - time.perf_counter()


def check() -> None:
    if time.perf_counter() > _DEADLINE.get():
        raise OutOfTime


def solver_seconds(limit: float) -> float:
    """What a solver may use: its own limit, but never past the deadline."""
    return max(MIN_SOLVER_SECONDS, min(limit, remaining()))
