"""Reference checks for A1 rnn.py (tasks 1.1-1.4): finite differences, PyTorch, purity."""

import numpy as np
import pytest

from solutions.a1_vanilla_rnn.rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward
from solutions.common.gradcheck import numerical_gradient_array, rel_error

# (N, T, D, H): N=1, T=1 and D != H are all covered.
SHAPES = [(1, 1, 3, 4), (2, 5, 3, 4), (3, 4, 6, 2), (4, 3, 5, 5)]
GRADCHECK_TOL = 1e-7
TORCH_TOL = 1e-10


def make_params(rng, N, T, D, H):
    x = rng.standard_normal((N, T, D))
    h0 = rng.standard_normal((N, H))
    Wx = rng.standard_normal((D, H)) * 0.5
    Wh = rng.standard_normal((H, H)) * 0.5
    b = rng.standard_normal(H) * 0.5
    return x, h0, Wx, Wh, b


@pytest.mark.task1_2
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_rnn_step_backward_matches_finite_differences(rng, N, T, D, H):
    x, h0, Wx, Wh, b = make_params(rng, N, T, D, H)
    x0 = x[:, 0].copy()
    h_next, cache = rnn_step_forward(x0, h0, Wx, Wh, b)
    dh_next = rng.standard_normal(h_next.shape)
    grads = rnn_step_backward(dh_next, cache)
    args = [x0, h0, Wx, Wh, b]
    for k, analytic in enumerate(grads):
        def f(v, k=k):
            a = list(args)
            a[k] = v
            return rnn_step_forward(*a)[0]
        numeric = numerical_gradient_array(f, args[k].copy(), dh_next)
        assert rel_error(analytic, numeric) < GRADCHECK_TOL, f"gradient {k}"


@pytest.mark.task1_4
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_rnn_backward_matches_finite_differences(rng, N, T, D, H):
    args = list(make_params(rng, N, T, D, H))
    h, cache = rnn_forward(*args)
    dh = rng.standard_normal(h.shape)
    grads = rnn_backward(dh, cache)
    for k, analytic in enumerate(grads):
        def f(v, k=k):
            a = list(args)
            a[k] = v
            return rnn_forward(*a)[0]
        numeric = numerical_gradient_array(f, args[k].copy(), dh)
        assert analytic.shape == args[k].shape
        assert rel_error(analytic, numeric) < GRADCHECK_TOL, f"gradient {k}"


@pytest.mark.oracle
@pytest.mark.task1_3
@pytest.mark.task1_4
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_rnn_matches_torch(torch, rng, N, T, D, H):
    x, h0, Wx, Wh, b = make_params(rng, N, T, D, H)
    h, cache = rnn_forward(x, h0, Wx, Wh, b)
    dh = rng.standard_normal(h.shape)
    dx, dh0, dWx, dWh, db = rnn_backward(dh, cache)

    rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(Wx.T))
        rnn.weight_hh_l0.copy_(torch.from_numpy(Wh.T))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b))
        rnn.bias_hh_l0.zero_()
    xt = torch.from_numpy(x).requires_grad_()
    h0t = torch.from_numpy(h0)[None].clone().requires_grad_()
    out, _ = rnn(xt, h0t)
    out.backward(torch.from_numpy(dh))

    assert np.max(np.abs(h - out.detach().numpy())) < TORCH_TOL
    assert np.max(np.abs(dx - xt.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dh0 - h0t.grad[0].numpy())) < TORCH_TOL
    assert np.max(np.abs(dWx - rnn.weight_ih_l0.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(dWh - rnn.weight_hh_l0.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(db - rnn.bias_ih_l0.grad.numpy())) < TORCH_TOL


@pytest.mark.task1_1
@pytest.mark.task1_3
def test_sequence_of_length_one_equals_one_step(rng):
    x, h0, Wx, Wh, b = make_params(rng, 3, 1, 4, 5)
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    h_step, _ = rnn_step_forward(x[:, 0], h0, Wx, Wh, b)
    np.testing.assert_array_equal(h[:, 0], h_step)


@pytest.mark.task1_3
@pytest.mark.task1_4
def test_rnn_does_not_mutate_arguments_and_returns_float64(rng):
    args = make_params(rng, 2, 4, 3, 5)
    copies = [a.copy() for a in args]
    h, cache = rnn_forward(*args)
    dh = rng.standard_normal(h.shape)
    dh_copy = dh.copy()
    grads = rnn_backward(dh, cache)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(dh, dh_copy)
    assert h.dtype == np.float64
    assert all(g.dtype == np.float64 for g in grads)
