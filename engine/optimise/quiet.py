"""Solver chatter never reaches standard output: standard output is the product's output.

HiGHS prints its banner from C++ on file descriptor 1 whatever ``msg`` says, so descriptor 1 is
pointed at standard error while a solver runs, and the C library's buffers are flushed before it
is put back (otherwise buffered lines would surface later, in the middle of the JSON).  With
``SSPLAN_SOLVER_LOG=1`` (``ssplan --verbose``) the solvers also write their logs, to standard error.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.RLock()
_depth = 0


def verbose() -> bool:
    """Whether the user asked to see solver logs (on standard error)."""
    return os.environ.get("SSPLAN_SOLVER_LOG", "") not in ("", "0")


def _flush_c_stdio() -> None:
    with contextlib.suppress(OSError, AttributeError):  # no C library (not expected on POSIX)
        ctypes.CDLL(None).fflush(None)


@contextmanager
def solver_output_to_stderr() -> Iterator[None]:
    """Point descriptor 1 at descriptor 2 for the duration (re-entrant, one thread at a time)."""
    global _depth
    with _lock:
        if _depth == 0:
            sys.stdout.flush()
            _flush_c_stdio()
            saved = os.dup(1)
            os.dup2(2, 1)
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
            if _depth == 0:
                _flush_c_stdio()
                os.dup2(saved, 1)
                os.close(saved)
