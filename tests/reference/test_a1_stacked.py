"""Reference checks for A1 stacked_rnn.py (tasks 1.15-1.16): finite differences, PyTorch, purity."""

import numpy as np
import pytest

from solutions.a1_vanilla_rnn.rnn import rnn_forward
from solutions.a1_vanilla_rnn.stacked_rnn import stacked_rnn_backward, stacked_rnn_forward
from solutions.common.gradcheck import numerical_gradient_array, rel_error

# (N, T, D, H, L): N=1, T=1, D != H and L = 1, 2, 3 are all covered.
SHAPES = [(1, 1, 3, 4, 2), (2, 5, 3, 4, 2), (3, 4, 6, 2, 3), (2, 3, 5, 5, 1)]
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


def make_stack(rng, N, T, D, H, L):
    x = rng.standard_normal((N, T, D))
    h0 = rng.standard_normal((L, N, H))
    layers = [
        (
            rng.standard_normal((D if l == 0 else H, H)) * 0.5,
            rng.standard_normal((H, H)) * 0.5,
            rng.standard_normal(H) * 0.5,
        )
        for l in range(L)
    ]
    return x, h0, layers


def replace_layer_param(layers, l, j, value):
    new = [list(p) for p in layers]
    new[l][j] = value
    return [tuple(p) for p in new]


@pytest.mark.task1_16
@pytest.mark.parametrize("N,T,D,H,L", SHAPES)
def test_stacked_rnn_backward_matches_finite_differences(rng, N, T, D, H, L):
    x, h0, layers = make_stack(rng, N, T, D, H, L)
    h_top, cache = stacked_rnn_forward(x, h0, layers)
    dh_top = rng.standard_normal(h_top.shape)
    dx, dh0, dlayers = stacked_rnn_backward(dh_top, cache)

    numeric = numeric_vjp(lambda v: stacked_rnn_forward(v, h0, layers)[0], x, dh_top)
    assert dx.shape == x.shape
    assert rel_error(dx, numeric) < GRADCHECK_TOL, "dx"
    numeric = numeric_vjp(lambda v: stacked_rnn_forward(x, v, layers)[0], h0, dh_top)
    assert dh0.shape == h0.shape
    assert rel_error(dh0, numeric) < GRADCHECK_TOL, "dh0"
    assert len(dlayers) == L
    for l in range(L):
        for j in range(3):
            def f(v, l=l, j=j):
                return stacked_rnn_forward(x, h0, replace_layer_param(layers, l, j, v))[0]
            numeric = numeric_vjp(f, layers[l][j], dh_top)
            assert dlayers[l][j].shape == layers[l][j].shape
            assert rel_error(dlayers[l][j], numeric) < GRADCHECK_TOL, f"layer {l} gradient {j}"


@pytest.mark.oracle
@pytest.mark.task1_15
@pytest.mark.task1_16
@pytest.mark.parametrize("N,T,D,H,L", SHAPES)
def test_stacked_rnn_matches_torch(torch, rng, N, T, D, H, L):
    x, h0, layers = make_stack(rng, N, T, D, H, L)
    h_top, cache = stacked_rnn_forward(x, h0, layers)
    dh_top = rng.standard_normal(h_top.shape)
    dx, dh0, dlayers = stacked_rnn_backward(dh_top, cache)

    rnn = torch.nn.RNN(D, H, num_layers=L, nonlinearity="tanh", batch_first=True).double()
    with torch.no_grad():
        for l, (Wx, Wh, b) in enumerate(layers):
            getattr(rnn, f"weight_ih_l{l}").copy_(torch.from_numpy(Wx.T))
            getattr(rnn, f"weight_hh_l{l}").copy_(torch.from_numpy(Wh.T))
            getattr(rnn, f"bias_ih_l{l}").copy_(torch.from_numpy(b))
            getattr(rnn, f"bias_hh_l{l}").zero_()
    xt = torch.from_numpy(x).clone().requires_grad_()
    h0t = torch.from_numpy(h0).clone().requires_grad_()
    out, _ = rnn(xt, h0t)
    out.backward(torch.from_numpy(dh_top))

    assert np.max(np.abs(h_top - out.detach().numpy())) < TORCH_TOL
    assert np.max(np.abs(dx - xt.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dh0 - h0t.grad.numpy())) < TORCH_TOL
    for l, (dWx, dWh, db) in enumerate(dlayers):
        assert np.max(np.abs(dWx - getattr(rnn, f"weight_ih_l{l}").grad.numpy().T)) < TORCH_TOL
        assert np.max(np.abs(dWh - getattr(rnn, f"weight_hh_l{l}").grad.numpy().T)) < TORCH_TOL
        assert np.max(np.abs(db - getattr(rnn, f"bias_ih_l{l}").grad.numpy())) < TORCH_TOL


@pytest.mark.task1_15
def test_one_layer_stack_equals_rnn_forward(rng):
    x, h0, layers = make_stack(rng, 2, 4, 3, 5, 1)
    h_top, _ = stacked_rnn_forward(x, h0, layers)
    h, _ = rnn_forward(x, h0[0], *layers[0])
    np.testing.assert_array_equal(h_top, h)


@pytest.mark.task1_15
def test_two_layer_stack_feeds_layer_one_states_to_layer_two(rng):
    x, h0, layers = make_stack(rng, 2, 4, 3, 5, 2)
    h_top, _ = stacked_rnn_forward(x, h0, layers)
    h1, _ = rnn_forward(x, h0[0], *layers[0])
    h2, _ = rnn_forward(h1, h0[1], *layers[1])
    np.testing.assert_array_equal(h_top, h2)


@pytest.mark.task1_15
@pytest.mark.task1_16
def test_stacked_rnn_does_not_mutate_arguments_and_returns_float64(rng):
    x, h0, layers = make_stack(rng, 2, 4, 3, 5, 3)
    x_copy, h0_copy = x.copy(), h0.copy()
    layer_copies = [tuple(p.copy() for p in layer) for layer in layers]
    h_top, cache = stacked_rnn_forward(x, h0, layers)
    dh_top = rng.standard_normal(h_top.shape)
    dh_top_copy = dh_top.copy()
    dx, dh0, dlayers = stacked_rnn_backward(dh_top, cache)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(h0, h0_copy)
    np.testing.assert_array_equal(dh_top, dh_top_copy)
    for layer, copy in zip(layers, layer_copies):
        for p, c in zip(layer, copy):
            np.testing.assert_array_equal(p, c)
    assert h_top.shape == (2, 4, 5) and h_top.dtype == np.float64
    assert dx.dtype == np.float64 and dh0.shape == (3, 2, 5) and dh0.dtype == np.float64
    assert all(g.dtype == np.float64 for layer in dlayers for g in layer)
