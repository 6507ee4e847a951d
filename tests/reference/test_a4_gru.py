"""Reference checks for A4 gru.py (tasks 4.7-4.10): finite differences, PyTorch, purity."""

import numpy as np
import pytest

from solutions.a4_gru.gru import gru_backward, gru_forward, gru_step_backward, gru_step_forward
from solutions.common.gradcheck import numerical_gradient_array, rel_error

# (N, T, D, H): N=1, T=1 and D != H are all covered.
SHAPES = [(1, 1, 3, 4), (2, 5, 3, 4), (3, 4, 6, 2), (4, 3, 5, 5)]
GRADCHECK_TOL = 1e-7
TORCH_TOL = 1e-10
GRAD_NAMES = ["x", "h0", "Wx", "Wh", "bx", "bh"]


def make_params(rng, N, T, D, H):
    x = rng.standard_normal((N, T, D))
    h0 = rng.standard_normal((N, H))
    Wx = rng.standard_normal((D, 3 * H)) * 0.5
    Wh = rng.standard_normal((H, 3 * H)) * 0.5
    bx = rng.standard_normal(3 * H) * 0.5
    bh = rng.standard_normal(3 * H) * 0.5
    return x, h0, Wx, Wh, bx, bh


def load_torch_weights(torch, module, Wx, Wh, bx, bh, suffix=""):
    """Copy our weights into an nn.GRU (suffix "_l0") or nn.GRUCell (suffix "")."""
    with torch.no_grad():
        getattr(module, "weight_ih" + suffix).copy_(torch.from_numpy(Wx.T))
        getattr(module, "weight_hh" + suffix).copy_(torch.from_numpy(Wh.T))
        getattr(module, "bias_ih" + suffix).copy_(torch.from_numpy(bx))
        getattr(module, "bias_hh" + suffix).copy_(torch.from_numpy(bh))


@pytest.mark.task4_8
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_gru_step_backward_matches_finite_differences(rng, N, T, D, H):
    x, h0, Wx, Wh, bx, bh = make_params(rng, N, T, D, H)
    args = [x[:, 0].copy(), h0, Wx, Wh, bx, bh]
    h_next, cache = gru_step_forward(*args)
    dh_next = rng.standard_normal(h_next.shape)
    grads = gru_step_backward(dh_next, cache)
    assert len(grads) == 6
    for k, analytic in enumerate(grads):
        def f(v, k=k):
            a = list(args)
            a[k] = v
            return gru_step_forward(*a)[0]
        numeric = numerical_gradient_array(f, args[k].copy(), dh_next)
        assert analytic.shape == args[k].shape, GRAD_NAMES[k]
        assert rel_error(analytic, numeric) < GRADCHECK_TOL, GRAD_NAMES[k]


@pytest.mark.task4_10
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_gru_backward_matches_finite_differences(rng, N, T, D, H):
    args = list(make_params(rng, N, T, D, H))
    h, cache = gru_forward(*args)
    dh = rng.standard_normal(h.shape)
    grads = gru_backward(dh, cache)
    assert len(grads) == 6
    for k, analytic in enumerate(grads):
        def f(v, k=k):
            a = list(args)
            a[k] = v
            return gru_forward(*a)[0]
        numeric = numerical_gradient_array(f, args[k].copy(), dh)
        assert analytic.shape == args[k].shape, GRAD_NAMES[k]
        assert rel_error(analytic, numeric) < GRADCHECK_TOL, GRAD_NAMES[k]


@pytest.mark.oracle
@pytest.mark.task4_7
@pytest.mark.task4_8
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_gru_step_matches_torch_grucell(torch, rng, N, T, D, H):
    x, h0, Wx, Wh, bx, bh = make_params(rng, N, T, D, H)
    x0 = x[:, 0].copy()
    h_next, cache = gru_step_forward(x0, h0, Wx, Wh, bx, bh)
    dh_next = rng.standard_normal(h_next.shape)
    dx, dh_prev, dWx, dWh, dbx, dbh = gru_step_backward(dh_next, cache)

    cell = torch.nn.GRUCell(D, H).double()
    load_torch_weights(torch, cell, Wx, Wh, bx, bh)
    xt = torch.from_numpy(x0).clone().requires_grad_()
    ht = torch.from_numpy(h0).clone().requires_grad_()
    out = cell(xt, ht)
    out.backward(torch.from_numpy(dh_next))

    assert np.max(np.abs(h_next - out.detach().numpy())) < TORCH_TOL
    assert np.max(np.abs(dx - xt.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dh_prev - ht.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dWx - cell.weight_ih.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(dWh - cell.weight_hh.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(dbx - cell.bias_ih.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dbh - cell.bias_hh.grad.numpy())) < TORCH_TOL


@pytest.mark.oracle
@pytest.mark.task4_9
@pytest.mark.task4_10
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_gru_matches_torch(torch, rng, N, T, D, H):
    x, h0, Wx, Wh, bx, bh = make_params(rng, N, T, D, H)
    h, cache = gru_forward(x, h0, Wx, Wh, bx, bh)
    dh = rng.standard_normal(h.shape)
    dx, dh0, dWx, dWh, dbx, dbh = gru_backward(dh, cache)

    gru = torch.nn.GRU(D, H, batch_first=True).double()
    load_torch_weights(torch, gru, Wx, Wh, bx, bh, suffix="_l0")
    xt = torch.from_numpy(x).clone().requires_grad_()
    h0t = torch.from_numpy(h0)[None].clone().requires_grad_()
    out, h_last = gru(xt, h0t)
    out.backward(torch.from_numpy(dh))

    assert np.max(np.abs(h - out.detach().numpy())) < TORCH_TOL
    assert np.max(np.abs(h[:, -1] - h_last[0].detach().numpy())) < TORCH_TOL
    assert np.max(np.abs(dx - xt.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dh0 - h0t.grad[0].numpy())) < TORCH_TOL
    assert np.max(np.abs(dWx - gru.weight_ih_l0.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(dWh - gru.weight_hh_l0.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(dbx - gru.bias_ih_l0.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dbh - gru.bias_hh_l0.grad.numpy())) < TORCH_TOL


@pytest.mark.task4_7
@pytest.mark.task4_8
@pytest.mark.task4_9
@pytest.mark.task4_10
def test_sequence_of_length_one_equals_one_step(rng):
    x, h0, Wx, Wh, bx, bh = make_params(rng, 3, 1, 4, 5)
    h, cache = gru_forward(x, h0, Wx, Wh, bx, bh)
    h_step, step_cache = gru_step_forward(x[:, 0], h0, Wx, Wh, bx, bh)
    np.testing.assert_array_equal(h[:, 0], h_step)
    dh = rng.standard_normal(h.shape)
    grads = gru_backward(dh, cache)
    step_grads = gru_step_backward(dh[:, 0], step_cache)
    np.testing.assert_allclose(grads[0][:, 0], step_grads[0], rtol=1e-12, atol=1e-14)
    for g, g_step in zip(grads[1:], step_grads[1:]):
        np.testing.assert_allclose(g, g_step, rtol=1e-12, atol=1e-14)


@pytest.mark.task4_9
def test_gru_forward_starts_from_h0(rng):
    x, h0, Wx, Wh, bx, bh = make_params(rng, 2, 3, 4, 5)
    h, _ = gru_forward(x, h0, Wx, Wh, bx, bh)
    h_zero, _ = gru_forward(x, np.zeros_like(h0), Wx, Wh, bx, bh)
    h_first, _ = gru_step_forward(x[:, 0], h0, Wx, Wh, bx, bh)
    np.testing.assert_array_equal(h[:, 0], h_first)
    assert np.max(np.abs(h - h_zero)) > 1e-3


@pytest.mark.task4_7
@pytest.mark.task4_8
def test_gru_step_does_not_mutate_arguments_and_returns_float64(rng):
    x, h0, Wx, Wh, bx, bh = make_params(rng, 2, 1, 3, 4)
    args = [x[:, 0].copy(), h0, Wx, Wh, bx, bh]
    copies = [a.copy() for a in args]
    h_next, cache = gru_step_forward(*args)
    dh_next = rng.standard_normal(h_next.shape)
    dh_copy = dh_next.copy()
    grads = gru_step_backward(dh_next, cache)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(dh_next, dh_copy)
    assert h_next.dtype == np.float64 and h_next.shape == (2, 4)
    for g, a in zip(grads, args):
        assert g.dtype == np.float64 and g.shape == a.shape


@pytest.mark.task4_9
@pytest.mark.task4_10
def test_gru_does_not_mutate_arguments_and_returns_float64(rng):
    args = make_params(rng, 2, 4, 3, 5)
    copies = [a.copy() for a in args]
    h, cache = gru_forward(*args)
    dh = rng.standard_normal(h.shape)
    dh_copy = dh.copy()
    grads = gru_backward(dh, cache)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(dh, dh_copy)
    assert h.dtype == np.float64 and h.shape == (2, 4, 5)
    for g, a in zip(grads, args):
        assert g.dtype == np.float64 and g.shape == a.shape
