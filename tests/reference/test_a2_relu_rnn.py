"""Reference checks for A2 relu_rnn.py (tasks 2.8-2.9): finite differences away from the kink, PyTorch, purity, IRNN."""

import numpy as np
import pytest

from solutions.a2_bptt_gradients.relu_rnn import (
    relu_rnn_backward,
    relu_rnn_forward,
    relu_rnn_step_backward,
    relu_rnn_step_forward,
)
from solutions.common.gradcheck import numerical_gradient_array, rel_error

# (N, T, D, H): N=1, T=1 and D != H are all covered.
SHAPES = [(1, 1, 3, 4), (2, 5, 3, 4), (3, 4, 6, 2), (4, 3, 5, 5)]
GRADCHECK_TOL = 1e-7
TORCH_TOL = 1e-10
# Centred differences with step 1e-5 are exact for a piecewise-linear function only if no
# pre-activation crosses 0 within the step: keep every |a| above this margin.
KINK_MARGIN = 1e-3


def preactivations(x, h0, Wx, Wh, b):
    """Every pre-activation a_t of the unroll, shape (N, T, H) (test-side reference)."""
    a_all, h = [], h0
    for t in range(x.shape[1]):
        a = x[:, t] @ Wx + h @ Wh + b
        a_all.append(a)
        h = np.maximum(a, 0.0)
    return np.stack(a_all, axis=1)


def make_params(rng, N, T, D, H):
    """Random parameters whose pre-activations all stay KINK_MARGIN away from 0 (resampled otherwise)."""
    while True:
        x = rng.standard_normal((N, T, D))
        h0 = np.abs(rng.standard_normal((N, H)))
        Wx = rng.standard_normal((D, H)) * 0.5
        Wh = rng.standard_normal((H, H)) * 0.5
        b = rng.standard_normal(H) * 0.5
        a = preactivations(x, h0, Wx, Wh, b)
        # Also require both active and inactive units, so the ReLU mask is exercised.
        if np.min(np.abs(a)) > KINK_MARGIN and np.any(a < 0) and np.any(a > 0):
            return x, h0, Wx, Wh, b


@pytest.mark.task2_9
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_relu_rnn_step_backward_matches_finite_differences(rng, N, T, D, H):
    x, h0, Wx, Wh, b = make_params(rng, N, T, D, H)
    x0 = x[:, 0].copy()
    h_next, cache = relu_rnn_step_forward(x0, h0, Wx, Wh, b)
    dh_next = rng.standard_normal(h_next.shape)
    grads = relu_rnn_step_backward(dh_next, cache)
    args = [x0, h0, Wx, Wh, b]
    for k, analytic in enumerate(grads):
        def f(v, k=k):
            a = list(args)
            a[k] = v
            return relu_rnn_step_forward(*a)[0]
        numeric = numerical_gradient_array(f, args[k].copy(), dh_next)
        assert analytic.shape == args[k].shape
        assert analytic.dtype == np.float64
        assert rel_error(analytic, numeric) < GRADCHECK_TOL, f"gradient {k}"


@pytest.mark.task2_8
@pytest.mark.task2_9
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_relu_rnn_sequence_backward_matches_finite_differences(rng, N, T, D, H):
    args = list(make_params(rng, N, T, D, H))
    h, cache = relu_rnn_forward(*args)
    dh = rng.standard_normal(h.shape)
    grads = relu_rnn_backward(dh, cache)
    for k, analytic in enumerate(grads):
        def f(v, k=k):
            a = list(args)
            a[k] = v
            return relu_rnn_forward(*a)[0]
        numeric = numerical_gradient_array(f, args[k].copy(), dh)
        assert analytic.shape == args[k].shape
        assert rel_error(analytic, numeric) < GRADCHECK_TOL, f"gradient {k}"


@pytest.mark.task2_8
def test_relu_rnn_step_forward_matches_definition(rng):
    x, h0, Wx, Wh, b = make_params(rng, 3, 1, 4, 5)
    h_next, _ = relu_rnn_step_forward(x[:, 0], h0, Wx, Wh, b)
    a = x[:, 0] @ Wx + h0 @ Wh + b
    assert h_next.shape == (3, 5) and h_next.dtype == np.float64
    np.testing.assert_array_equal(h_next >= 0, True)
    assert rel_error(h_next, np.where(a > 0, a, 0.0)) < 1e-12


def torch_relu_rnn(torch, D, H, Wx, Wh, b):
    rnn = torch.nn.RNN(D, H, nonlinearity="relu", batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(Wx.T))
        rnn.weight_hh_l0.copy_(torch.from_numpy(Wh.T))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b))
        rnn.bias_hh_l0.zero_()
    return rnn


@pytest.mark.oracle
@pytest.mark.task2_8
@pytest.mark.task2_9
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_relu_rnn_matches_torch(torch, rng, N, T, D, H):
    x, h0, Wx, Wh, b = make_params(rng, N, T, D, H)
    h, cache = relu_rnn_forward(x, h0, Wx, Wh, b)
    dh = rng.standard_normal(h.shape)
    dx, dh0, dWx, dWh, db = relu_rnn_backward(dh, cache)

    rnn = torch_relu_rnn(torch, D, H, Wx, Wh, b)
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


@pytest.mark.oracle
@pytest.mark.task2_9
def test_relu_derivative_at_zero_is_zero_like_torch(torch, rng):
    # x = 0, h_prev = 0 and some b_j = 0 give pre-activations exactly 0 in those columns.
    N, D, H = 3, 4, 6
    x, h_prev = np.zeros((N, D)), np.zeros((N, H))
    Wx, Wh = rng.standard_normal((D, H)), rng.standard_normal((H, H))
    b = rng.standard_normal(H)
    b[::2] = 0.0
    h_next, cache = relu_rnn_step_forward(x, h_prev, Wx, Wh, b)
    dh_next = rng.standard_normal((N, H))
    _, _, _, _, db = relu_rnn_step_backward(dh_next, cache)

    bt = torch.from_numpy(b).clone().requires_grad_()
    out = torch.relu(torch.from_numpy(x) @ torch.from_numpy(Wx) + torch.from_numpy(h_prev) @ torch.from_numpy(Wh) + bt)
    out.backward(torch.from_numpy(dh_next))
    assert np.max(np.abs(h_next - out.detach().numpy())) < TORCH_TOL
    assert np.max(np.abs(db - bt.grad.numpy())) < TORCH_TOL
    np.testing.assert_array_equal(db[::2], 0.0)


@pytest.mark.task2_8
def test_sequence_of_length_one_equals_one_step(rng):
    x, h0, Wx, Wh, b = make_params(rng, 3, 1, 4, 5)
    h, _ = relu_rnn_forward(x, h0, Wx, Wh, b)
    h_step, _ = relu_rnn_step_forward(x[:, 0], h0, Wx, Wh, b)
    np.testing.assert_array_equal(h[:, 0], h_step)


@pytest.mark.task2_8
@pytest.mark.task2_9
def test_irnn_with_zero_input_copies_state_and_gradient(rng):
    # IRNN at initialisation: Wh = I, b = 0; with zero input h_t = h0 >= 0 and dh0 = sum_t dh_t
    # restricted to the active units.
    N, T, D, H = 2, 6, 3, 4
    x = np.zeros((N, T, D))
    h0 = np.abs(rng.standard_normal((N, H)))
    h0[0, 1] = 0.0  # an inactive unit stays inactive and blocks its gradient
    Wx, Wh, b = rng.standard_normal((D, H)), np.eye(H), np.zeros(H)
    h, cache = relu_rnn_forward(x, h0, Wx, Wh, b)
    np.testing.assert_array_equal(h, np.broadcast_to(h0[:, None], h.shape))
    dh = rng.standard_normal(h.shape)
    _, dh0, _, _, _ = relu_rnn_backward(dh, cache)
    active = h0 > 0
    np.testing.assert_allclose(dh0, np.where(active, dh.sum(axis=1), 0.0), rtol=1e-12, atol=1e-15)


@pytest.mark.task2_8
@pytest.mark.task2_9
def test_relu_rnn_does_not_mutate_arguments_and_returns_float64(rng):
    args = make_params(rng, 2, 4, 3, 5)
    copies = [a.copy() for a in args]
    h, cache = relu_rnn_forward(*args)
    dh = rng.standard_normal(h.shape)
    dh_copy = dh.copy()
    grads = relu_rnn_backward(dh, cache)
    step_out, step_cache = relu_rnn_step_forward(args[0][:, 0], *args[1:])
    dstep = rng.standard_normal(step_out.shape)
    dstep_copy = dstep.copy()
    step_grads = relu_rnn_step_backward(dstep, step_cache)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(dh, dh_copy)
    np.testing.assert_array_equal(dstep, dstep_copy)
    assert h.dtype == np.float64 and step_out.dtype == np.float64
    assert all(g.dtype == np.float64 for g in grads + step_grads)
