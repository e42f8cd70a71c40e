"""The ``ssplan`` command line: thin commands over the engine.

Exit codes: 0 success, 2 invalid input (the message names file, place and field), 1 anything
else (a bug: please report it with ``SSPLAN_DEBUG=1`` set for the traceback).

Imports: any wing, deferred to the command that needs it, so ``ssplan --help`` starts fast.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from types import FrameType

import typer

from engine.base.errors import SsplanError
from engine.cli.base import app, echo

__all__ = ["app", "main"]

# each module registers its commands on import; this order is the order `ssplan --help` lists them
for _name in ("programme", "scoring", "weights", "planning", "scenarios", "partners", "store", "output"):
    importlib.import_module(f"engine.cli.{_name}")


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def terminate_cleanly() -> Iterator[None]:
    """SIGTERM (kill, a batch system's timeout) unwinds like Ctrl-C, so every ``finally`` runs:
    no temporary file is left behind and no store transaction is left half done."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors exit 2 with a located message, bugs exit 1."""
    if argv is None:  # the whole process is this command: its time limit counts from the start
        from engine.optimise.deadline import mark_process_start

        mark_process_start()
    try:
        with terminate_cleanly():
            code = app(args=argv, standalone_mode=False)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except SsplanError as exc:
        for problem in exc.problems:
            echo(f"error: {problem}", err=True)
        sys.exit(2)
    except typer.Abort:
        echo("aborted", err=True)
        sys.exit(1)
    except Exception as exc:
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # a usage error: click prints it
            exc.show()
            sys.exit(exc.exit_code)
        # anything else is a bug: say so plainly, traceback on request
        if os.environ.get("SSPLAN_DEBUG"):
            traceback.print_exc()
        echo(f"internal error: {type(exc).__name__}: {exc} (set SSPLAN_DEBUG=1 for details)", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
