"""``ssplan plan --progress``: each better plan on standard error while the solver runs, and the
first Ctrl+C stops the search with the best plan so far (standard output stays the product's).

Only what the public view would print anyway is shown: the number of changes and the gap, never
the objective value (it may be made of exempt figures)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

import typer

from engine.plan.progress import Incumbent, Progress
from engine.plan.result import gap_words


def line(incumbent: Incumbent) -> str:
    """ "[  2.3 s] best plan so far (optimiser): 12 changes, within 1.25% of the best possible"."""
    found = "priority rule" if incumbent.source == "priority rule" else "optimiser"
    changes = len(incumbent.plan.assignments)
    plural = "" if changes == 1 else "s"
    return (
        f"[{incumbent.seconds:5.1f} s] best plan so far ({found}): {changes} change{plural}, "
        f"{gap_words(incumbent.gap)}"
    )


def on_stderr() -> Progress:
    return Progress(on_progress=lambda incumbent: typer.echo(line(incumbent), err=True))


@contextlib.contextmanager
def stop_on_interrupt(progress: Progress | None) -> Iterator[None]:
    """While the block runs, the first Ctrl+C asks the search to stop (HiGHS calls back often, and
    Python runs the handler at the next call); a second one interrupts as usual."""
    if progress is None:
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: FrameType | None) -> None:
        if progress.stop.is_set():
            raise KeyboardInterrupt
        progress.stop.set()
        typer.echo("stopping: the best plan so far follows (Ctrl+C again to abandon it)", err=True)

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
