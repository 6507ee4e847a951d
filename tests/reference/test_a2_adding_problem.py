"""Reference checks for A2 adding_problem.py (task 2.10): structure (hypothesis), marker ranges, baseline MSE."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solutions.a2_bptt_gradients.adding_problem import BASELINE_MSE, adding_problem


@pytest.mark.task2_10
@settings(max_examples=60, deadline=None)
@given(N=st.integers(1, 40), T=st.integers(2, 60), seed=st.integers(0, 2**32 - 1))
def test_adding_problem_structure(N, T, seed):
    x, y = adding_problem(N, T, np.random.default_rng(seed))
    assert x.shape == (N, T, 2) and x.dtype == np.float64
    assert y.shape == (N, 1) and y.dtype == np.float64
    values, markers = x[..., 0], x[..., 1]
    assert np.all((values >= 0) & (values < 1))
    assert np.all((markers == 0) | (markers == 1))
    half = T // 2
    np.testing.assert_array_equal(markers[:, :half].sum(axis=1), 1)
    np.testing.assert_array_equal(markers[:, half:].sum(axis=1), 1)
    np.testing.assert_allclose(y[:, 0], np.sum(values * markers, axis=1), rtol=1e-15, atol=0)


@pytest.mark.task2_10
@pytest.mark.parametrize("T", [2, 3, 5, 8])
def test_marker_positions_cover_each_half(rng, T):
    # With many sequences every admissible position appears, and no other one does.
    x, _ = adding_problem(4000, T, rng)
    first = np.argmax(x[:, : T // 2, 1], axis=1)
    second = T // 2 + np.argmax(x[:, T // 2:, 1], axis=1)
    assert set(first.tolist()) == set(range(0, T // 2))
    assert set(second.tolist()) == set(range(T // 2, T))


@pytest.mark.task2_10
def test_adding_problem_is_deterministic_given_the_seed():
    a = adding_problem(7, 9, np.random.default_rng(5))
    b = adding_problem(7, 9, np.random.default_rng(5))
    c = adding_problem(7, 9, np.random.default_rng(6))
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])


@pytest.mark.task2_10
@pytest.mark.parametrize("T", [1, 0, -3, 2.0, "4"])
def test_too_short_or_non_int_T_raises(rng, T):
    with pytest.raises(ValueError):
        adding_problem(3, T, rng)


@pytest.mark.task2_10
def test_predicting_one_gives_the_baseline_mse(rng):
    # MSE of the constant prediction E[y] = 1, against BASELINE_MSE, within 5 standard errors
    # of the sample mean of the squared errors (the standard error is estimated from the sample).
    N = 200_000
    _, y = adding_problem(N, 4, rng)
    sq_err = (y[:, 0] - 1.0) ** 2
    mse = sq_err.mean()
    std_err = sq_err.std(ddof=1) / np.sqrt(N)
    assert abs(mse - BASELINE_MSE) < 5 * std_err
    # 1 is the best constant: the mean target is 1 within the same kind of tolerance.
    assert abs(y.mean() - 1.0) < 5 * y.std(ddof=1) / np.sqrt(N)
