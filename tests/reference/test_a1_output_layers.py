"""Reference checks for A1 output_layers.py (tasks 1.5-1.7): finite differences, PyTorch, purity."""

import numpy as np
import pytest

from solutions.a1_vanilla_rnn.output_layers import (
    temporal_affine_backward,
    temporal_affine_forward,
    temporal_softmax_loss,
)
from solutions.common.gradcheck import numerical_gradient, numerical_gradient_array, rel_error

# (N, T, H, V): N=1, T=1 and H != V are all covered.
SHAPES = [(1, 1, 3, 4), (2, 5, 3, 4), (3, 4, 6, 2), (4, 3, 5, 5)]
GRADCHECK_TOL = 1e-7
TORCH_TOL = 1e-10


def numeric_vjp(f, x, dout):
    """Centred differences of sum(dout * f(x)) w.r.t. x, refined by one Richardson step.

    (4 g(h) - g(2h)) / 3 cancels the O(h^2) error of centred differences, so the
    estimate is accurate to ~1e-13 and near-zero gradient entries still pass
    rel_error < 1e-7 (plain h = 1e-5 differences carry ~1e-11 absolute error).
    """
    g_h = numerical_gradient_array(f, x.copy(), dout, h=1e-3)
    g_2h = numerical_gradient_array(f, x.copy(), dout, h=2e-3)
    return (4.0 * g_h - g_2h) / 3.0


def numeric_grad(f, x):
    """Centred differences of the scalar f w.r.t. x, refined by one Richardson step.

    (4 g(h) - g(2h)) / 3 cancels the O(h^2) error of centred differences, so the
    estimate is accurate to ~1e-13 and near-zero gradient entries still pass
    rel_error < 1e-7 (plain h = 1e-5 differences carry ~1e-11 absolute error).
    """
    g_h = numerical_gradient(f, x.copy(), h=1e-3)
    g_2h = numerical_gradient(f, x.copy(), h=2e-3)
    return (4.0 * g_h - g_2h) / 3.0


def make_affine(rng, N, T, H, V):
    return rng.standard_normal((N, T, H)), rng.standard_normal((H, V)), rng.standard_normal(V)


def make_scores(rng, N, T, V):
    return rng.standard_normal((N, T, V)) * 2.0, rng.integers(0, V, size=(N, T))


@pytest.mark.task1_5
@pytest.mark.parametrize("N,T,H,V", SHAPES)
def test_temporal_affine_forward_matches_per_step_loop(rng, N, T, H, V):
    h, W, b = make_affine(rng, N, T, H, V)
    out, _ = temporal_affine_forward(h, W, b)
    expected = np.stack([h[:, t] @ W + b for t in range(T)], axis=1)
    assert out.shape == (N, T, V)
    assert out.dtype == np.float64
    assert rel_error(out, expected) < 1e-12


@pytest.mark.task1_6
@pytest.mark.parametrize("N,T,H,V", SHAPES)
def test_temporal_affine_backward_matches_finite_differences(rng, N, T, H, V):
    args = list(make_affine(rng, N, T, H, V))
    out, cache = temporal_affine_forward(*args)
    dout = rng.standard_normal(out.shape)
    grads = temporal_affine_backward(dout, cache)
    for k, analytic in enumerate(grads):
        def f(v, k=k):
            a = list(args)
            a[k] = v
            return temporal_affine_forward(*a)[0]
        numeric = numeric_vjp(f, args[k], dout)
        assert analytic.shape == args[k].shape
        assert rel_error(analytic, numeric) < GRADCHECK_TOL, f"gradient {k}"


@pytest.mark.task1_7
@pytest.mark.parametrize("N,T,H,V", SHAPES)
def test_temporal_softmax_loss_gradient_matches_finite_differences(rng, N, T, H, V):
    scores, y = make_scores(rng, N, T, V)
    _, dscores = temporal_softmax_loss(scores, y)
    numeric = numeric_grad(lambda s: temporal_softmax_loss(s, y)[0], scores)
    assert dscores.shape == scores.shape
    assert rel_error(dscores, numeric) < GRADCHECK_TOL


@pytest.mark.oracle
@pytest.mark.task1_7
@pytest.mark.parametrize("N,T,H,V", SHAPES)
def test_temporal_softmax_loss_matches_torch_cross_entropy(torch, rng, N, T, H, V):
    scores, y = make_scores(rng, N, T, V)
    loss, dscores = temporal_softmax_loss(scores, y)
    st = torch.from_numpy(scores).clone().requires_grad_()
    ref = torch.nn.functional.cross_entropy(st.reshape(N * T, V), torch.from_numpy(y).reshape(-1), reduction="sum") / N
    ref.backward()
    assert isinstance(loss, float)
    assert abs(loss - ref.item()) < TORCH_TOL
    assert np.max(np.abs(dscores - st.grad.numpy())) < TORCH_TOL


@pytest.mark.oracle
@pytest.mark.task1_5
@pytest.mark.task1_6
@pytest.mark.parametrize("N,T,H,V", SHAPES)
def test_temporal_affine_matches_torch_linear(torch, rng, N, T, H, V):
    h, W, b = make_affine(rng, N, T, H, V)
    out, cache = temporal_affine_forward(h, W, b)
    dout = rng.standard_normal(out.shape)
    dh, dW, db = temporal_affine_backward(dout, cache)
    ht = torch.from_numpy(h).clone().requires_grad_()
    Wt = torch.from_numpy(W.T.copy()).requires_grad_()  # nn.functional.linear stores (V, H)
    bt = torch.from_numpy(b).clone().requires_grad_()
    ref = torch.nn.functional.linear(ht, Wt, bt)
    ref.backward(torch.from_numpy(dout))
    assert np.max(np.abs(out - ref.detach().numpy())) < TORCH_TOL
    assert np.max(np.abs(dh - ht.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dW - Wt.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(db - bt.grad.numpy())) < TORCH_TOL


@pytest.mark.task1_7
def test_temporal_softmax_loss_is_stable_for_large_scores(rng):
    scores, y = make_scores(rng, 2, 3, 5)
    loss, dscores = temporal_softmax_loss(scores, y)
    loss_big, dscores_big = temporal_softmax_loss(scores + 1000.0, y)
    assert np.isfinite(loss_big)
    assert abs(loss - loss_big) < 1e-9
    assert rel_error(dscores, dscores_big) < 1e-9


@pytest.mark.task1_7
def test_temporal_softmax_loss_sums_over_time(rng):
    scores, y = make_scores(rng, 3, 6, 4)
    loss, _ = temporal_softmax_loss(scores, y)
    loss_a, _ = temporal_softmax_loss(scores[:, :2], y[:, :2])
    loss_b, _ = temporal_softmax_loss(scores[:, 2:], y[:, 2:])
    assert abs(loss - (loss_a + loss_b)) < 1e-12


@pytest.mark.task1_5
@pytest.mark.task1_6
@pytest.mark.task1_7
def test_output_layers_do_not_mutate_arguments_and_return_float64(rng):
    args = make_affine(rng, 2, 4, 3, 5)
    copies = [a.copy() for a in args]
    out, cache = temporal_affine_forward(*args)
    dout = rng.standard_normal(out.shape)
    dout_copy = dout.copy()
    grads = temporal_affine_backward(dout, cache)
    scores, y = make_scores(rng, 2, 4, 5)
    scores_copy, y_copy = scores.copy(), y.copy()
    loss, dscores = temporal_softmax_loss(scores, y)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(dout, dout_copy)
    np.testing.assert_array_equal(scores, scores_copy)
    np.testing.assert_array_equal(y, y_copy)
    assert out.dtype == np.float64 and dscores.dtype == np.float64
    assert all(g.dtype == np.float64 for g in grads)
    assert isinstance(loss, float)
