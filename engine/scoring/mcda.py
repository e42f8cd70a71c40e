"""Pure multi-criteria kernels on numpy arrays, without validation (callers validate).

Conventions follow pymcdm so that its implementations serve as an independent oracle:
``matrix`` is alternatives × criteria, ``types`` is +1 for a benefit and -1 for a cost criterion.
WSM and TOPSIS take one weight vector or a batch of weight draws (draws × criteria), so that
scoring and the Monte-Carlo sensitivity share one implementation of each.
"""

from __future__ import annotations

import numpy as np


def normalise(
    column: np.ndarray, cost: bool, method: str, scale: tuple[float, float] | None = None
) -> np.ndarray:
    """One criterion's values onto a comparable scale where larger is always better.

    minmax: (x - min) / (max - min), reversed for costs; all-equal values score 1.
    vector: x / ||x||, and 1 - x / ||x|| for costs (pymcdm's convention).
    sum:    x / sum(x), and (1/x) / sum(1/x) for costs.
    scale:  (x - lo) / (hi - lo) on a fixed scale such as a 1–5 rating, reversed for costs.
    """
    x = column.astype(float)
    if method == "minmax":
        lo, hi = float(np.min(x)), float(np.max(x))
        if hi == lo:
            return np.ones_like(x)
        return (hi - x) / (hi - lo) if cost else (x - lo) / (hi - lo)
    if method == "vector":
        norm = float(np.sqrt(np.sum(x**2)))
        if norm == 0:
            return np.ones_like(x)
        return 1 - x / norm if cost else x / norm
    if method == "sum":
        if cost:
            inverse = 1 / x
            return inverse / np.sum(inverse)
        return x / np.sum(x)
    if method == "scale":
        assert scale is not None
        lo, hi = scale
        return (hi - x) / (hi - lo) if cost else (x - lo) / (hi - lo)
    raise ValueError(f"unknown normalisation {method}")


def change(delta: np.ndarray) -> np.ndarray:
    """Changes from the status quo (larger is better) divided by the largest absolute change, so
    they lie in [-1, 1], the status quo is 0 and an affine change x → a·x + b (a > 0) of the raw
    values leaves them as they are; all changes 0 stay 0 (the criterion decides nothing)."""
    largest = float(np.max(np.abs(delta))) if delta.size else 0.0
    return np.zeros_like(delta, dtype=float) if largest == 0 else delta / largest


def wsm(normalised: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted sum: ``S_i = Σ_j w_j r_ij``.  Returns (contributions w_j r_ij, scores).

    ``weights`` is one vector or a batch of draws (draws × criteria), as for :func:`topsis`: a batch
    gives both a leading draws axis (scores are then draws × alternatives).  The sum runs along the
    last, contiguous criteria axis for a batch as for one vector, so a draw scores to the last bit
    as it would alone (a matrix product need not add in the same order).
    """
    batch = np.asarray(weights, dtype=float)
    contributions = normalised[None, :, :] * np.atleast_2d(batch)[:, None, :]  # draws × rows × criteria
    scores = contributions.sum(axis=2)
    return (contributions, scores) if batch.ndim == 2 else (contributions[0], scores[0])


def topsis(normalised: np.ndarray, weights: np.ndarray) -> dict[str, np.ndarray]:
    """TOPSIS closeness ``P_i = D_i^- / (D_i^- + D_i^+)`` on a normalised (larger-is-better) matrix.

    The ideal (PIS) and anti-ideal (NIS) are the column maxima and minima of the weighted
    matrix; D are Euclidean distances to them.  Every intermediate table is returned so that
    an explanation can print it.

    ``weights`` is one vector (criteria) or a batch of draws (draws × criteria), so that scoring
    and the Monte-Carlo weight draws share this one implementation; a batch gives every table a
    leading draws axis (``score`` is then draws × alternatives).  Criteria stay the last,
    contiguous axis so a batch of one adds up exactly as a single vector does.
    """
    batch = np.asarray(weights, dtype=float)
    weighted = normalised[None, :, :] * np.atleast_2d(batch)[:, None, :]  # draws × rows × criteria
    pis, nis = weighted.max(axis=1), weighted.min(axis=1)
    d_plus = np.sqrt(((weighted - pis[:, None, :]) ** 2).sum(axis=2))
    d_minus = np.sqrt(((weighted - nis[:, None, :]) ** 2).sum(axis=2))
    total = d_plus + d_minus
    closeness = np.divide(d_minus, total, out=np.ones_like(total), where=total > 0)
    tables = {
        "weighted": weighted,
        "pis": pis,
        "nis": nis,
        "d_plus": d_plus,
        "d_minus": d_minus,
        "score": closeness,
    }
    return tables if batch.ndim == 2 else {name: table[0] for name, table in tables.items()}


def method_scores(method: str, normalised: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The scores alone under ``method`` (wsm or topsis), for one weight vector or a batch, for
    callers such as the Monte-Carlo draws that need neither method's intermediate tables."""
    if method == "wsm":
        return wsm(normalised, weights)[1]
    return topsis(normalised, weights)["score"]
