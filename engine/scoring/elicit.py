"""Weights elicited from people: AHP pairwise judgements, swing weighting and group aggregation.

Pure numbers here (the validated weight-set record and its files are in
:mod:`engine.scoring.weightsets`).  AHP weights are the principal eigenvector of the judgement
matrix, by the same :func:`engine.rules.pairwise.ahp_weights` a rule set's own matrix uses, with
Saaty's consistency ratio.  A group's AHP judgements are combined by their geometric mean (AIJ,
Forman & Peniwati 1998), which keeps the matrix reciprocal; other weight sets by the normalised
geometric mean of their weights (AIP).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

import numpy as np

from engine.rules.pairwise import ahp_weights

SAATY = tuple(range(1, 10))  # the 1–9 scale; 1/k are the reciprocals
MAX_CR = 0.1  # Saaty's limit on an acceptable consistency ratio

Pair = tuple[str, str]


def pairs(criteria: Sequence[str]) -> list[Pair]:
    """Every pair of criteria once, in the order a person is asked about them."""
    return [(a, b) for i, a in enumerate(criteria) for b in criteria[i + 1 :]]


def parse_saaty(text: str) -> float:
    """A judgement as typed: ``3`` (the first matters 3 times as much) or ``1/3`` (the second does).

    Only Saaty's scale is accepted (1–9 and their reciprocals), so every answer means the same."""
    try:
        value = Fraction(text.strip().replace(" ", ""))
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"expected a number from 1 to 9, or 1/2 … 1/9; got `{text}`") from None
    if value in SAATY or (value.numerator == 1 and value.denominator in SAATY):
        return float(value)
    raise ValueError(f"expected a number from 1 to 9, or 1/2 … 1/9; got `{text}`")


def saaty_text(value: float) -> str:
    """A judgement as a person writes it: ``3``, ``1/5`` (a group's geometric mean keeps decimals)."""
    if value >= 1:
        return f"{value:g}" if value == round(value) else f"{value:.3g}"
    inverse = 1 / value
    return f"1/{round(inverse)}" if abs(inverse - round(inverse)) < 1e-9 else f"1/{inverse:.3g}"


def judgement_matrix(criteria: Sequence[str], judgements: Mapping[Pair, float]) -> np.ndarray:
    """The reciprocal matrix: ``a[i, j]`` is how many times criterion i matters more than j."""
    index = {c: i for i, c in enumerate(criteria)}
    matrix = np.ones((len(criteria), len(criteria)))
    for (a, b), value in judgements.items():
        matrix[index[a], index[b]] = value
        matrix[index[b], index[a]] = 1 / value
    return matrix


@dataclass(frozen=True)
class AhpResult:
    """Weights from judgements, with what a reader needs to trust them."""

    weights: dict[str, float]
    lambda_max: float
    consistency_ratio: float
    inconsistent: list[tuple[Pair, float, float, float]]  # pair, judged, implied w_a/w_b, deviation

    @property
    def acceptable(self) -> bool:
        return self.consistency_ratio <= MAX_CR


def ahp(criteria: Sequence[str], judgements: Mapping[Pair, float]) -> AhpResult:
    """Eigenvector weights, λmax and CR of a full set of pairwise judgements; the judgements that
    deviate most from the ratio the weights imply come first (deviation ``max(a/r, r/a)`` ≥ 1, where
    ``r = w_a / w_b``): they are the ones to revisit when CR > 0.1."""
    missing = [p for p in pairs(criteria) if p not in judgements and p[::-1] not in judgements]
    if missing:
        raise ValueError(f"no judgement for {', '.join(f'{a}/{b}' for a, b in missing)}")
    matrix = judgement_matrix(criteria, judgements)
    values, lambda_max, ratio = ahp_weights(matrix)
    weights = {c: float(w) for c, w in zip(criteria, values, strict=True)}
    deviations = []
    for i, j in combinations(range(len(criteria)), 2):
        implied = values[i] / values[j]
        judged = matrix[i, j]
        deviation = float(max(judged / implied, implied / judged))
        deviations.append(((criteria[i], criteria[j]), float(judged), float(implied), deviation))
    deviations.sort(key=lambda d: -d[3])
    return AhpResult(weights, lambda_max, ratio, deviations)


def swing_weights(ranking: Sequence[str], ratings: Mapping[str, float]) -> dict[str, float]:
    """Swing weights: the top-ranked swing is worth 100, each other rated 0–100 against it and no
    more than the swing ranked above it; the weights are the ratings over their total."""
    if not ranking:
        raise ValueError("rank at least one criterion")
    if ratings.get(ranking[0]) != 100:
        raise ValueError(f"the swing ranked first ({ranking[0]}) is worth 100 by definition")
    previous = 100.0
    for criterion in ranking:
        rating = ratings[criterion]
        if not 0 <= rating <= previous:
            raise ValueError(
                f"the swing in {criterion} must be rated from 0 to {previous:g} "
                "(no more than the swing ranked above it)"
            )
        previous = rating
    total = sum(ratings[c] for c in ranking)
    return {c: ratings[c] / total for c in ranking}


def aggregate_judgements(
    criteria: Sequence[str], people: Sequence[Mapping[Pair, float]]
) -> dict[Pair, float]:
    """AIJ: each pair's judgement is the geometric mean of everyone's (reciprocal pairs stay
    reciprocal, because the mean of 1/a is 1 over the mean of a)."""
    out = {}
    for a, b in pairs(criteria):
        values = [p[(a, b)] if (a, b) in p else 1 / p[(b, a)] for p in people]
        out[(a, b)] = float(np.exp(np.mean(np.log(values))))
    return out


def aggregate_weights(criteria: Sequence[str], people: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """AIP: each criterion's normalised geometric mean of the individual weights.  A weight of 0
    (a swing rated 0) makes the group's 0 too: one person's veto, as the geometric mean means it."""
    logs = np.array([[np.log(p[c]) if p[c] > 0 else -np.inf for c in criteria] for p in people])
    means = np.exp(logs.mean(axis=0))
    total = means.sum()
    if total <= 0:
        raise ValueError("every criterion has a weight of 0 from someone: the group has no weights")
    return {c: float(m / total) for c, m in zip(criteria, means, strict=True)}


@dataclass(frozen=True)
class Spread:
    """One criterion across the stakeholders: each one's weight, the lowest and the highest."""

    criterion: str
    low: float
    high: float
    by: dict[str, float]


def spread(criteria: Sequence[str], people: Mapping[str, Mapping[str, float]]) -> list[Spread]:
    """Per criterion, how far the stakeholders' weights lie apart."""
    out = []
    for c in criteria:
        own = {name: float(w[c]) for name, w in people.items()}
        out.append(Spread(c, min(own.values()), max(own.values()), own))
    return out
