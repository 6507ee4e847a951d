"""Reference checks for common/activations.py: the sigmoid against torch.sigmoid over the whole float64 range."""

import warnings

import numpy as np
import pytest

from solutions.common.activations import sigmoid, softmax


def test_sigmoid_agrees_with_torch_to_rounding_everywhere(torch):
    a = np.concatenate([np.linspace(-800.0, 800.0, 200_001), np.random.default_rng(0).standard_normal(1000) * 5,
                        [-745.2, -709.8, -1e300, 1e300, -0.0, 0.0, 5e-324]])
    want = torch.sigmoid(torch.from_numpy(a)).numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the overflow of exp(-a) for a < -709 is harmless and silenced
        got = sigmoid(a)
    assert got.dtype == np.float64 and got.shape == a.shape
    normal = want > np.finfo(np.float64).tiny  # below it torch and we both round into the subnormals
    assert np.max(np.abs(got[normal] - want[normal]) / want[normal]) < 1e-15
    assert np.max(np.abs(got - want)) < 1e-15


@pytest.mark.parametrize("a, want", [(np.inf, 1.0), (-np.inf, 0.0), (-1000.0, 0.0), (1000.0, 1.0), (0.0, 0.5)])
def test_sigmoid_limits_are_exact(a, want):
    assert sigmoid(np.array([a]))[0] == want


def test_sigmoid_keeps_nan_and_does_not_modify_its_argument():
    a = np.array([[np.nan, -3.0], [2.0, 800.0]])
    before = a.copy()
    out = sigmoid(a)
    assert np.isnan(out[0, 0]) and np.all(np.isfinite(out[~np.isnan(a)]))
    np.testing.assert_array_equal(a, before)


def test_softmax_rows_sum_to_one_for_huge_scores():
    p = softmax(np.array([[1000.0, 1000.0, -1000.0], [0.0, 1.0, 2.0]]))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(p[0], [0.5, 0.5, 0.0], rtol=0, atol=1e-15)
