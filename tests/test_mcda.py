"""MCDA kernels: published examples, and agreement with pymcdm as an independent oracle."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pymcdm import normalizations
from pymcdm.methods import TOPSIS, WSM
from pymcdm.weights.subjective import AHP

from engine.rules.pairwise import RANDOM_INDEX, ahp_weights
from engine.scoring.mcda import method_scores, normalise, topsis, wsm

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

NORMALISERS = {
    "minmax": normalizations.minmax_normalization,
    "vector": normalizations.vector_normalization,
    "sum": normalizations.sum_normalization,
}


def _matrix(matrix, types, how):
    return np.column_stack([normalise(matrix[:, j], types[j] < 0, how) for j in range(matrix.shape[1])])


def test_wsm_reproduces_the_published_example():
    """pymcdm's documented WSM example (sum normalisation): 0.609, 0.313, 0.334, 0.265, 0.479."""
    matrix = np.array(
        [[96, 83, 75, 7], [63, 5, 56, 9], [72, 30, 32, 48], [11, 4, 27, 9], [77, 21, 17, 11]], float
    )
    weights = np.array([8, 5, 6, 7]) / 13
    _, scores = wsm(_matrix(matrix, [1, 1, -1, -1], "sum"), weights)
    assert np.round(scores, 3).tolist() == [0.609, 0.313, 0.334, 0.265, 0.479]


def test_topsis_reproduces_the_published_example():
    """pymcdm's documented TOPSIS example (min-max normalisation): 0.500, 0.617, 0.500."""
    matrix = np.array([[1, 2, 5], [3000, 3750, 4500]], float).T
    result = topsis(_matrix(matrix, [-1, 1], "minmax"), np.array([0.5, 0.5]))
    assert np.round(result["score"], 3).tolist() == [0.5, 0.617, 0.5]


def decision_problems():
    return st.integers(3, 9).flatmap(
        lambda m: st.integers(2, 6).flatmap(
            lambda n: st.tuples(
                arrays(float, (m, n), elements=st.floats(1, 1000, allow_nan=False)).filter(
                    lambda a: all(len(np.unique(a[:, j])) > 1 for j in range(a.shape[1]))
                ),
                arrays(float, n, elements=st.floats(0.05, 1)),
                st.lists(st.sampled_from([1, -1]), min_size=n, max_size=n).map(np.array),
            )
        )
    )


@settings(max_examples=150, deadline=None)
@given(problem=decision_problems(), how=st.sampled_from(["minmax", "vector", "sum"]))
def test_wsm_agrees_with_pymcdm(problem, how):
    matrix, weights, types = problem
    weights = weights / weights.sum()
    _, ours = wsm(_matrix(matrix, types, how), weights)
    theirs = WSM(normalization_function=NORMALISERS[how])(matrix, weights, types)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(problem=decision_problems(), how=st.sampled_from(["minmax", "vector"]))
def test_topsis_agrees_with_pymcdm(problem, how):
    matrix, weights, types = problem
    weights = weights / weights.sum()
    ours = topsis(_matrix(matrix, types, how), weights)["score"]
    theirs = TOPSIS(normalization_function=NORMALISERS[how])(matrix, weights, types)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(problem=decision_problems(), draws=st.integers(1, 6))
def test_topsis_over_a_batch_of_weights_equals_one_vector_at_a_time(problem, draws):
    """Scoring passes one vector, the weight draws a batch: the same numbers, to the last bit."""
    matrix, weights, types = problem
    normalised = _matrix(matrix, types, "minmax")
    batch = np.random.default_rng(draws).dirichlet(weights, size=draws)
    together = topsis(normalised, batch)
    for d in range(draws):
        alone = topsis(normalised, batch[d])
        for name, table in alone.items():
            assert np.array_equal(together[name][d], table), name


@settings(max_examples=100, deadline=None)
@given(problem=decision_problems(), draws=st.integers(1, 6), how=st.sampled_from(["minmax", "vector", "sum"]))
def test_wsm_over_a_batch_of_weights_equals_one_vector_at_a_time(problem, draws, how):
    """As for TOPSIS: a batch has a leading draws axis and each draw is, to the last bit, the draw alone."""
    matrix, weights, types = problem
    normalised = _matrix(matrix, types, how)
    batch = np.random.default_rng(draws).dirichlet(weights, size=draws)
    contributions, scores = wsm(normalised, batch)
    assert contributions.shape == (draws, *normalised.shape) and scores.shape == (draws, len(matrix))
    for d in range(draws):
        one_contributions, one_scores = wsm(normalised, batch[d])
        assert np.array_equal(contributions[d], one_contributions)
        assert np.array_equal(scores[d], one_scores)


@settings(max_examples=100, deadline=None)
@given(problem=decision_problems(), draws=st.integers(1, 6), how=st.sampled_from(["minmax", "vector"]))
def test_batched_scores_agree_with_pymcdm_draw_by_draw(problem, draws, how):
    """The batch the weight sensitivity scores, each row checked against the oracle with that draw."""
    matrix, weights, types = problem
    normalised = _matrix(matrix, types, how)
    batch = np.random.default_rng(draws).dirichlet(weights * 10, size=draws)
    for method, oracle in (("wsm", WSM), ("topsis", TOPSIS)):
        ours = method_scores(method, normalised, batch)
        assert ours.shape == (draws, len(matrix))
        for d in range(draws):
            theirs = oracle(normalization_function=NORMALISERS[how])(matrix, batch[d], types)
            np.testing.assert_allclose(ours[d], theirs, rtol=1e-9, atol=1e-12)


def test_ahp_recovers_the_weights_of_a_consistent_matrix():
    weights = np.array([0.4, 0.3, 0.2, 0.1])
    matrix = weights[:, None] / weights[None, :]
    found, lambda_max, ratio = ahp_weights(matrix)
    np.testing.assert_allclose(found, weights)
    assert lambda_max == pytest.approx(4) and ratio == pytest.approx(0, abs=1e-12)


def reciprocal_matrices():
    scale = [1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 3, 5, 7, 9]
    return st.integers(3, 7).flatmap(
        lambda n: st.lists(st.sampled_from(scale), min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2).map(
            lambda upper: _reciprocal(n, upper)
        )
    )


def _reciprocal(n, upper):
    matrix = np.ones((n, n))
    values = iter(upper)
    for i in range(n):
        for j in range(i + 1, n):
            matrix[i, j] = next(values)
            matrix[j, i] = 1 / matrix[i, j]
    return matrix


@settings(max_examples=100, deadline=None)
@given(matrix=reciprocal_matrices())
def test_ahp_agrees_with_pymcdm(matrix):
    ours, _, ratio = ahp_weights(matrix)
    oracle = AHP(matrix=matrix)
    np.testing.assert_allclose(ours, oracle(), rtol=1e-7, atol=1e-9)
    n = matrix.shape[0]
    # same λmax; the ratio differs only by the random index table (Saaty's vs Tummala & Ling's)
    expected = oracle.get_cr() * AHP.RI_M[n - 1] / RANDOM_INDEX[n - 1]
    assert ratio == pytest.approx(max(0.0, expected), rel=1e-6, abs=1e-9)


def test_constant_criterion_does_not_discriminate():
    assert normalise(np.array([3.0, 3.0, 3.0]), False, "minmax").tolist() == [1, 1, 1]
    assert normalise(np.array([1.0, 3.0, 5.0]), True, "scale", (1, 5)).tolist() == [1, 0.5, 0]
