"""Reference checks for A1 architectures.py (tasks 1.11-1.14): finite differences, PyTorch, purity."""

import numpy as np
import pytest

from solutions.a1_vanilla_rnn.architectures import (
    many_to_one_backward,
    many_to_one_forward,
    one_to_many_backward,
    one_to_many_forward,
)
from solutions.a1_vanilla_rnn.rnn import rnn_step_forward
from solutions.common.gradcheck import numerical_gradient_array, rel_error

# (N, T, D, H, C): N=1, T=1 and D != H != C are all covered.
SHAPES = [(1, 1, 3, 4, 2), (2, 5, 3, 4, 3), (3, 4, 6, 2, 5), (4, 3, 5, 5, 5)]
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


def make_many_to_one(rng, N, T, D, H, C):
    return [
        rng.standard_normal((N, T, D)),
        rng.standard_normal((N, H)),
        rng.standard_normal((D, H)) * 0.5,
        rng.standard_normal((H, H)) * 0.5,
        rng.standard_normal(H) * 0.5,
        rng.standard_normal((H, C)) * 0.5,
        rng.standard_normal(C) * 0.5,
    ]


def make_one_to_many(rng, N, D, H):
    return [
        rng.standard_normal((N, D)),
        rng.standard_normal((N, H)),
        rng.standard_normal((D, H)) * 0.5,
        rng.standard_normal((H, H)) * 0.5,
        rng.standard_normal(H) * 0.5,
    ]


def torch_rnn(torch, D, H, Wx, Wh, b):
    rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(Wx.T))
        rnn.weight_hh_l0.copy_(torch.from_numpy(Wh.T))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b))
        rnn.bias_hh_l0.zero_()
    return rnn


@pytest.mark.task1_12
@pytest.mark.parametrize("N,T,D,H,C", SHAPES)
def test_many_to_one_backward_matches_finite_differences(rng, N, T, D, H, C):
    args = make_many_to_one(rng, N, T, D, H, C)
    scores, cache = many_to_one_forward(*args)
    dscores = rng.standard_normal(scores.shape)
    grads = many_to_one_backward(dscores, cache)
    assert len(grads) == len(args)
    for k, analytic in enumerate(grads):
        def f(v, k=k):
            a = list(args)
            a[k] = v
            return many_to_one_forward(*a)[0]
        numeric = numeric_vjp(f, args[k], dscores)
        assert analytic.shape == args[k].shape
        assert rel_error(analytic, numeric) < GRADCHECK_TOL, f"gradient {k}"


@pytest.mark.task1_14
@pytest.mark.parametrize("N,T,D,H,C", SHAPES)
def test_one_to_many_backward_matches_finite_differences(rng, N, T, D, H, C):
    args = make_one_to_many(rng, N, D, H)
    h, cache = one_to_many_forward(*args, T)
    dh = rng.standard_normal(h.shape)
    grads = one_to_many_backward(dh, cache)
    assert len(grads) == len(args)
    for k, analytic in enumerate(grads):
        def f(v, k=k):
            a = list(args)
            a[k] = v
            return one_to_many_forward(*a, T)[0]
        numeric = numeric_vjp(f, args[k], dh)
        assert analytic.shape == args[k].shape
        assert rel_error(analytic, numeric) < GRADCHECK_TOL, f"gradient {k}"


@pytest.mark.oracle
@pytest.mark.task1_11
@pytest.mark.task1_12
@pytest.mark.parametrize("N,T,D,H,C", SHAPES)
def test_many_to_one_matches_torch(torch, rng, N, T, D, H, C):
    x, h0, Wx, Wh, b, Wy, by = make_many_to_one(rng, N, T, D, H, C)
    scores, cache = many_to_one_forward(x, h0, Wx, Wh, b, Wy, by)
    dscores = rng.standard_normal(scores.shape)
    dx, dh0, dWx, dWh, db, dWy, dby = many_to_one_backward(dscores, cache)

    rnn = torch_rnn(torch, D, H, Wx, Wh, b)
    head = torch.nn.Linear(H, C).double()
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(Wy.T))
        head.bias.copy_(torch.from_numpy(by))
    xt = torch.from_numpy(x).clone().requires_grad_()
    h0t = torch.from_numpy(h0)[None].clone().requires_grad_()
    out, _ = rnn(xt, h0t)
    ref = head(out[:, -1])
    ref.backward(torch.from_numpy(dscores))

    assert np.max(np.abs(scores - ref.detach().numpy())) < TORCH_TOL
    assert np.max(np.abs(dx - xt.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dh0 - h0t.grad[0].numpy())) < TORCH_TOL
    assert np.max(np.abs(dWx - rnn.weight_ih_l0.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(dWh - rnn.weight_hh_l0.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(db - rnn.bias_ih_l0.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dWy - head.weight.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(dby - head.bias.grad.numpy())) < TORCH_TOL


@pytest.mark.oracle
@pytest.mark.task1_13
@pytest.mark.task1_14
@pytest.mark.parametrize("N,T,D,H,C", SHAPES)
def test_one_to_many_matches_torch(torch, rng, N, T, D, H, C):
    v, h0, Wx, Wh, b = make_one_to_many(rng, N, D, H)
    h, cache = one_to_many_forward(v, h0, Wx, Wh, b, T)
    dh = rng.standard_normal(h.shape)
    dv, dh0, dWx, dWh, db = one_to_many_backward(dh, cache)

    rnn = torch_rnn(torch, D, H, Wx, Wh, b)
    vt = torch.from_numpy(v).clone().requires_grad_()
    h0t = torch.from_numpy(h0)[None].clone().requires_grad_()
    xt = torch.cat([vt[:, None], torch.zeros(N, T - 1, D)], dim=1)  # v at t = 0, zeros after
    out, _ = rnn(xt, h0t)
    out.backward(torch.from_numpy(dh))

    assert np.max(np.abs(h - out.detach().numpy())) < TORCH_TOL
    assert np.max(np.abs(dv - vt.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dh0 - h0t.grad[0].numpy())) < TORCH_TOL
    assert np.max(np.abs(dWx - rnn.weight_ih_l0.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(dWh - rnn.weight_hh_l0.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(db - rnn.bias_ih_l0.grad.numpy())) < TORCH_TOL


@pytest.mark.task1_11
@pytest.mark.task1_13
def test_length_one_equals_one_step(rng):
    x, h0, Wx, Wh, b, Wy, by = make_many_to_one(rng, 3, 1, 4, 5, 2)
    h1, _ = rnn_step_forward(x[:, 0], h0, Wx, Wh, b)
    scores, _ = many_to_one_forward(x, h0, Wx, Wh, b, Wy, by)
    np.testing.assert_allclose(scores, h1 @ Wy + by, rtol=0, atol=1e-14)
    h, _ = one_to_many_forward(x[:, 0], h0, Wx, Wh, b, 1)
    np.testing.assert_array_equal(h[:, 0], h1)


@pytest.mark.task1_13
def test_one_to_many_feeds_zeros_after_the_first_step(rng):
    v, h0, Wx, Wh, b = make_one_to_many(rng, 2, 3, 4)
    h, _ = one_to_many_forward(v, h0, Wx, Wh, b, 4)
    h_prev, _ = rnn_step_forward(v, h0, Wx, Wh, b)
    np.testing.assert_array_equal(h[:, 0], h_prev)
    for t in range(1, 4):
        h_prev, _ = rnn_step_forward(np.zeros_like(v), h_prev, Wx, Wh, b)
        np.testing.assert_allclose(h[:, t], h_prev, rtol=0, atol=1e-14)


@pytest.mark.task1_11
@pytest.mark.task1_12
@pytest.mark.task1_13
@pytest.mark.task1_14
def test_architectures_do_not_mutate_arguments_and_return_float64(rng):
    args = make_many_to_one(rng, 2, 4, 3, 5, 3)
    copies = [a.copy() for a in args]
    scores, cache = many_to_one_forward(*args)
    dscores = rng.standard_normal(scores.shape)
    dscores_copy = dscores.copy()
    grads = many_to_one_backward(dscores, cache)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(dscores, dscores_copy)
    assert scores.shape == (2, 3) and scores.dtype == np.float64
    assert all(g.dtype == np.float64 for g in grads)

    args = make_one_to_many(rng, 2, 3, 5)
    copies = [a.copy() for a in args]
    h, cache = one_to_many_forward(*args, 4)
    dh = rng.standard_normal(h.shape)
    dh_copy = dh.copy()
    grads = one_to_many_backward(dh, cache)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(dh, dh_copy)
    assert h.shape == (2, 4, 5) and h.dtype == np.float64
    assert all(g.dtype == np.float64 for g in grads)
