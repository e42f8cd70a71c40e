"""Weights from pairwise comparisons (AHP): the rule set's weights when it gives a matrix."""

from __future__ import annotations

import numpy as np

# Saaty's random consistency indices for n = 1..10 (Saaty 1980, Table 1.2)
RANDOM_INDEX = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)


def ahp_weights(matrix: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Principal-eigenvector weights of a reciprocal pairwise matrix, λmax and consistency ratio.

    ``CI = (λmax - n) / (n - 1)``, ``CR = CI / RI(n)``; CR ≤ 0.1 is Saaty's acceptable limit.
    """
    values, vectors = np.linalg.eig(matrix)
    index = int(np.argmax(values.real))
    vector = np.abs(vectors[:, index].real)
    weights = vector / vector.sum()
    n = matrix.shape[0]
    lambda_max = float(values.real[index])
    if n < 3:
        return weights, lambda_max, 0.0
    ci = (lambda_max - n) / (n - 1)
    return weights, lambda_max, max(0.0, ci / RANDOM_INDEX[n - 1])
