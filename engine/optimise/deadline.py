"""One deadline for the whole command: ``--time-limit`` bounds the solve, the heuristics, the
infeasibility advice and the reasons, not just the solver's own search.

``solve`` opens a :func:`within` block; everything under it (model building, every solver call,
the elastic advice, the re-plans of the reasons pass, which open their own shorter blocks) asks
:func:`remaining` or calls :func:`check`, which raises :class:`OutOfTime` once the deadline has
passed.  The caller that catches it says in the result what the limit cut short.

The ``ssplan`` command counts its limit from the moment its process started (:func:`for_command`):
interpreter start-up, imports and reading the file are part of what a user waits for.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

_DEADLINE: contextvars.ContextVar[float] = contextvars.ContextVar("ssplan_deadline", default=math.inf)

# a solver is never started with less than this (HiGHS needs a positive limit)
MIN_SOLVER_SECONDS = 0.05
# PuLP hands a model to HiGHS before HiGHS starts its clock and reads the answer back after it
# (measured at 0.6× to 1.6× the time building the model took), and HiGHS's presolve does not look
# at the clock: on the 300-service elastic advice (18 million nonzeros) it ran 42 s past a 4 s
# limit.  Together about 3 µs per nonzero on the 2-core development machine; kept back with margin.
HANDOVER = 2.0
SECONDS_PER_NONZERO = 4e-6


def handover_seconds(problem: Any, built_seconds: float) -> float:
    """What to keep back from a solver's time for the work its clock does not see."""
    nonzeros = sum(len(constraint) for constraint in problem.constraints())
    return max(HANDOVER * built_seconds, SECONDS_PER_NONZERO * nonzeros)


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


# ``time.perf_counter()`` when this process started; set only by the command-line entry point (an
# in-process caller, such as a test, counts from the command itself)
_PROCESS_STARTED: float | None = None


def process_age() -> float:
    """Wall seconds since this process started, from ``/proc`` (0 where that cannot be read)."""
    try:
        stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        started = int(stat[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime, in clock ticks
    except (OSError, ValueError, IndexError):
        return 0.0
    return max(0.0, uptime - started)


def mark_process_start() -> None:
    """The command-line entry point: let :func:`for_command` count from the process's start."""
    global _PROCESS_STARTED
    _PROCESS_STARTED = time.perf_counter() - process_age()


@contextlib.contextmanager
def for_command(seconds: float) -> Iterator[float]:
    """A deadline ``seconds`` after the command began: the process's start when the entry point
    marked it, else now."""
    began = _PROCESS_STARTED if _PROCESS_STARTED is not None else time.perf_counter()
    with within(began + seconds - time.perf_counter()) as at:
        yield at


def deadline() -> float:
    """The current deadline (``time.perf_counter()`` clock; infinite outside any block)."""
    return _DEADLINE.get()


def remaining() -> float:
    return _DEADLINE.get() - time.perf_counter()


_STOPPED: contextvars.ContextVar[Callable[[], bool] | None] = contextvars.ContextVar(
    "ssplan_stopped", default=None
)


@contextlib.contextmanager
def stoppable(stopped: Callable[[], bool] | None) -> Iterator[None]:
    """Within the block, :func:`check` also ends the work when ``stopped()`` says the user asked
    (the Stop button: :mod:`engine.optimise.anytime`), as it does at the deadline."""
    token = _STOPPED.set(stopped)
    try:
        yield
    finally:
        _STOPPED.reset(token)


def check() -> None:
    """End the work (``OutOfTime``) at the deadline, or once the user has asked the search to stop:
    building a large model takes seconds, and a Stop then should not wait for the solver."""
    stopped = _STOPPED.get()
    if time.perf_counter() > _DEADLINE.get() or (stopped is not None and stopped()):
        raise OutOfTime


def solver_seconds(limit: float, reserve: float = 0.0) -> float:
    """What a solver may use: its own limit, but never past the deadline, less ``reserve`` seconds
    for the work around the solver's clock (``HANDOVER`` × the time building the model took).  Raises
    :class:`OutOfTime` when nothing useful is left."""
    left = remaining() - reserve
    if left < MIN_SOLVER_SECONDS and limit > left:
        raise OutOfTime
    return max(MIN_SOLVER_SECONDS, min(limit, left))
