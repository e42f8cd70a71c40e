"""Proven answers of models solved before in this process, recalled instead of solved again.

A director moving a weight re-plans the programme; under the savings and max-min objectives the
model does not read the scores' weights (it counts money), so the model built after the move is
the very model solved before it.  HiGHS would prove the same optimum again (about a second at 40
services).  Here each proven answer is kept under a digest of the model's exact content — the
costs, the bounds, the matrix in row form, the integrality, the sense, and the options that decide
what "proven" means (integral or relaxed, the relative gap) — never under names: two models with
the same content have the same optimal column values, whatever their variables are called.

Only a proven optimum (HiGHS's ``kOptimal`` with a plan) is kept: a time-limited, stopped or
infeasible answer is solved again.  The time limit is not part of the key, because a proof does
not depend on how long it was allowed to take.  At most :data:`LIMIT` answers are kept, the least
recently used going first; a lock guards the store, since the app plans on worker threads.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import highspy
import numpy as np

# answers kept at most (an answer holds one float per column: 2 MB at 2,000 services)
LIMIT = 32


@dataclass(frozen=True)
class Proven:
    """A proven answer as HiGHS gave it, in the solver's terms (before the funding's constant)."""

    objective: float
    bound: float
    gap: float
    values: np.ndarray  # the optimal column values, in the model's column order


_STORE: OrderedDict[bytes, Proven] = OrderedDict()
_LOCK = threading.Lock()
_RECALLED = [0]  # answers recalled in this process (the what-if bench reports it)


def key(lp: highspy.HighsLp, integral: bool, gap: float | None) -> bytes:
    """A digest of everything that decides ``lp``'s optimum (the module docstring says what)."""
    digest = hashlib.blake2b(digest_size=32)
    matrix = lp.a_matrix_
    digest.update(repr((lp.num_col_, lp.num_row_, int(matrix.format_), integral, gap)).encode())
    for array in (
        lp.col_cost_,
        lp.col_lower_,
        lp.col_upper_,
        lp.row_lower_,
        lp.row_upper_,
        matrix.start_,
        matrix.index_,
        matrix.value_,
    ):
        digest.update(np.ascontiguousarray(array).tobytes())
        digest.update(b"|")
    digest.update(bytes(int(kind) for kind in lp.integrality_) if integral else b"")
    return digest.digest()


def recall(digest: bytes) -> Proven | None:
    """The answer proven for the model of ``digest``, if this process has one."""
    with _LOCK:
        answer = _STORE.get(digest)
        if answer is not None:
            _STORE.move_to_end(digest)
            _RECALLED[0] += 1
        return answer


def remember(digest: bytes, answer: Proven) -> None:
    """Keep a proven answer (the caller has checked it is one), dropping the oldest beyond LIMIT."""
    with _LOCK:
        _STORE[digest] = answer
        _STORE.move_to_end(digest)
        while len(_STORE) > LIMIT:
            _STORE.popitem(last=False)


def forget() -> None:
    """Drop every kept answer (tests that time or watch the solver itself start from nothing)."""
    with _LOCK:
        _STORE.clear()


def kept() -> int:
    with _LOCK:
        return len(_STORE)


def recalled() -> int:
    """How many answers this process has recalled instead of solving."""
    with _LOCK:
        return _RECALLED[0]
