"""Reference checks for A2 clipping.py (tasks 2.2-2.3): PyTorch's clip_grad_norm_ / clip_grad_value_, properties, purity."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solutions.a2_bptt_gradients.clipping import clip_grad_norm, clip_grad_value

TORCH_TOL = 1e-10
SHAPES = {"Wx": (3, 4), "Wh": (4, 4), "b": (4,), "Wy": (4, 5), "by": (5,)}


def make_grads(rng, scale=1.0):
    return {k: rng.standard_normal(shape) * scale for k, shape in SHAPES.items()}


def global_norm(grads):
    return float(np.linalg.norm(np.concatenate([g.ravel() for g in grads.values()])))


def torch_params_with_grads(torch, grads):
    params = {}
    for k, g in grads.items():
        p = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        p.grad = torch.from_numpy(g.copy())
        params[k] = p
    return params


@pytest.mark.oracle
@pytest.mark.task2_2
@pytest.mark.parametrize("ratio", [0.01, 0.5, 0.999, 1.0, 2.0, 100.0])
def test_clip_grad_norm_matches_torch(torch, rng, ratio):
    grads = make_grads(rng, scale=3.0)
    max_norm = ratio * global_norm(grads)
    clipped, total_norm = clip_grad_norm(grads, max_norm)
    params = torch_params_with_grads(torch, grads)
    ref_norm = torch.nn.utils.clip_grad_norm_(list(params.values()), max_norm)
    assert isinstance(total_norm, float)
    assert abs(total_norm - ref_norm.item()) < TORCH_TOL
    assert set(clipped) == set(grads)
    for k in grads:
        assert clipped[k].shape == grads[k].shape
        assert clipped[k].dtype == np.float64
        assert np.max(np.abs(clipped[k] - params[k].grad.numpy())) < TORCH_TOL, k


@pytest.mark.oracle
@pytest.mark.task2_3
@pytest.mark.parametrize("clip_value", [0.0, 0.1, 1.0, 10.0])
def test_clip_grad_value_matches_torch(torch, rng, clip_value):
    grads = make_grads(rng, scale=2.0)
    clipped = clip_grad_value(grads, clip_value)
    params = torch_params_with_grads(torch, grads)
    torch.nn.utils.clip_grad_value_(list(params.values()), clip_value)
    assert set(clipped) == set(grads)
    for k in grads:
        assert clipped[k].shape == grads[k].shape
        assert clipped[k].dtype == np.float64
        assert np.max(np.abs(clipped[k] - params[k].grad.numpy())) < TORCH_TOL, k


@pytest.mark.task2_2
@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), log_scale=st.floats(-3, 3), log_ratio=st.floats(-3, 3))
def test_clip_grad_norm_properties(seed, log_scale, log_ratio):
    rng = np.random.default_rng(seed)
    grads = make_grads(rng, scale=10.0**log_scale)
    total = global_norm(grads)
    max_norm = total * 10.0**log_ratio
    clipped, total_norm = clip_grad_norm(grads, max_norm)
    assert abs(total_norm - total) <= 1e-12 * total
    coef = max_norm / (total + 1e-6)
    expected_norm = total * min(coef, 1.0)
    # Never above max_norm, and exactly the rescaled norm.
    assert global_norm(clipped) <= max_norm * (1 + 1e-12)
    assert abs(global_norm(clipped) - expected_norm) <= 1e-12 * total
    for k in grads:
        # One common coefficient: the direction of the whole update is kept.
        np.testing.assert_allclose(clipped[k], grads[k] * min(coef, 1.0), rtol=1e-12, atol=0)


@pytest.mark.task2_2
def test_clip_grad_norm_leaves_small_gradients_unchanged_but_copies(rng):
    grads = make_grads(rng)
    clipped, total_norm = clip_grad_norm(grads, 2.0 * global_norm(grads))
    for k in grads:
        np.testing.assert_array_equal(clipped[k], grads[k])
        assert clipped[k] is not grads[k]
        assert not np.shares_memory(clipped[k], grads[k])


@pytest.mark.task2_2
@pytest.mark.task2_3
def test_clipping_does_not_mutate_arguments(rng):
    grads = make_grads(rng, scale=5.0)
    copies = {k: v.copy() for k, v in grads.items()}
    clipped_norm, _ = clip_grad_norm(grads, 0.1)
    clipped_value = clip_grad_value(grads, 0.1)
    assert set(grads) == set(copies)
    for k in grads:
        np.testing.assert_array_equal(grads[k], copies[k])
        assert not np.shares_memory(clipped_norm[k], grads[k])
        assert not np.shares_memory(clipped_value[k], grads[k])


@pytest.mark.task2_3
@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), clip_value=st.floats(0.0, 5.0))
def test_clip_grad_value_properties(seed, clip_value):
    rng = np.random.default_rng(seed)
    grads = make_grads(rng, scale=2.0)
    clipped = clip_grad_value(grads, clip_value)
    for k, g in grads.items():
        c = clipped[k]
        assert np.all(np.abs(c) <= clip_value)
        inside = np.abs(g) <= clip_value
        np.testing.assert_array_equal(c[inside], g[inside])
        np.testing.assert_array_equal(c[~inside], np.sign(g[~inside]) * clip_value)
