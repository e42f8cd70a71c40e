"""Proven answers of models solved before in this process, recalled instead of solved again.

A director moving a weight re-plans the programme; under the savings and max-min objectives the
model does not read the scores' weights (it counts money), so the model built after the move is
the very model solved before it.  HiGHS would prove the same optimum again (about a second at 40
services).  Here each proven answer is kept under a digest of the model's exact content — the
costs, the bounds, the matrix in row form, the integrality, the sense, and the options that decide
what "proven" means (integral or relaxed, the relative gap) — never under names: two models with
the same content have the same optimal column values, whatever their variables are called.

Under the value objective a weight moved changes the costs only: the model has the same *shape*
(matrix, bounds, integrality; :func:`shape`), so the plan found for the last weights is a feasible
plan of the new model, and is handed to HiGHS as a MIP start (:func:`start_for`).  Measured on
seeds 2015–2018 at 40 services, five weight moves each: 19.4 s of HiGHS CPU with the start against
25.3 s without, faster in 18 of 19 moves (bench/README.md).  A start is a first plan, not a proof:
any plan the solver returned is kept as one, proven or not.

Only a proven optimum (HiGHS's ``kOptimal`` with a plan) is kept as an answer: a time-limited, stopped or
infeasible answer is solved again.  The time limit is not part of the key, because a proof does
not depend on how long it was allowed to take.  At most :data:`LIMIT` answers are kept, the least
recently used going first; a lock guards the store, since the app plans on worker threads.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

import highspy
import numpy as np

from engine.base.recent import Recent

# answers kept at most (an answer holds one float per column: 2 MB at 2,000 services)
LIMIT = 32


@dataclass(frozen=True)
class Proven:
    """A proven answer as HiGHS gave it, in the solver's terms (before the funding's constant)."""

    objective: float
    bound: float
    gap: float
    values: np.ndarray  # the optimal column values, in the model's column order


_STORE: Recent[bytes, Proven] = Recent(LIMIT)
_STARTS: Recent[bytes, np.ndarray] = Recent(LIMIT)  # shape -> the last plan's column values
_LOCK = threading.Lock()
_RECALLED = [0]  # answers recalled in this process (the what-if bench reports it)


def key(lp: highspy.HighsLp, integral: bool, gap: float | None, sense: int = 1) -> bytes:
    """A digest of everything that decides ``lp``'s optimum (the module docstring says what).
    ``sense`` is the model's (PuLP's 1 minimise, -1 maximise): the matrix of a maximum has its
    costs negated, so a maximum and the minimum of the negated costs hand over the same ``lp``,
    and the answer kept is in the model's own terms."""
    return _digest(lp, integral, (gap, sense), costs=True)


def shape(lp: highspy.HighsLp) -> bytes:
    """A digest of ``lp``'s feasible plans: everything but the costs (and the gap)."""
    return _digest(lp, True, None, costs=False)


def _digest(lp: highspy.HighsLp, integral: bool, gap: object, costs: bool) -> bytes:
    digest = hashlib.blake2b(digest_size=32, person=b"costs" if costs else b"shape")
    matrix = lp.a_matrix_
    digest.update(repr((lp.num_col_, lp.num_row_, int(matrix.format_), integral, gap)).encode())
    for array in (
        lp.col_cost_ if costs else np.zeros(0),
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
    answer = _STORE.get(digest)
    if answer is not None:
        with _LOCK:
            _RECALLED[0] += 1
    return answer


def remember(digest: bytes, answer: Proven) -> None:
    """Keep a proven answer (the caller has checked it is one), dropping the oldest beyond LIMIT."""
    _STORE.put(digest, answer)


def start_for(form: bytes) -> np.ndarray | None:
    """The column values of the last plan found for a model of shape ``form``, if any."""
    return _STARTS.get(form)


def keep_start(form: bytes, values: np.ndarray) -> None:
    """Keep a plan's column values as the next start for models of shape ``form``."""
    _STARTS.put(form, values)


def forget() -> None:
    """Drop every kept answer and start (tests that time or watch the solver itself start from
    nothing)."""
    _STORE.clear()
    _STARTS.clear()


def kept() -> int:
    return len(_STORE)


def recalled() -> int:
    """How many answers this process has recalled instead of solving."""
    with _LOCK:
        return _RECALLED[0]
