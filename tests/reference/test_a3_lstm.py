"""Reference checks for A3 lstm.py (tasks 3.10-3.13): finite differences, PyTorch, gate order, purity."""

import numpy as np
import pytest

from solutions.a3_lstm.lstm import lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward
from solutions.common.activations import sigmoid
from solutions.common.gradcheck import numerical_gradient_array, rel_error

# (N, T, D, H): N=1, T=1 and D != H are all covered.
SHAPES = [(1, 1, 3, 4), (2, 5, 3, 4), (3, 4, 6, 2), (4, 3, 5, 5)]
GRADCHECK_TOL = 1e-7
TORCH_TOL = 1e-10


def make_params(rng, N, T, D, H):
    x = rng.standard_normal((N, T, D))
    h0 = rng.standard_normal((N, H))
    Wx = rng.standard_normal((D, 4 * H)) * 0.5
    Wh = rng.standard_normal((H, 4 * H)) * 0.5
    b = rng.standard_normal(4 * H) * 0.5
    return x, h0, Wx, Wh, b


def make_step_params(rng, N, D, H):
    x, h_prev, Wx, Wh, b = make_params(rng, N, 1, D, H)
    c_prev = rng.standard_normal((N, H))
    return x[:, 0].copy(), h_prev, c_prev, Wx, Wh, b


def swap_g_and_o(W):
    """Swap the last two H-wide blocks along the last axis: i, f, g, o <-> i, f, o, g."""
    H = W.shape[-1] // 4
    i, f, g, o = (W[..., k * H : (k + 1) * H] for k in range(4))
    return np.concatenate([i, f, o, g], axis=-1)


def cs231n_order_step(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step reading the pre-activation in CS231n's order i, f, o, g (for the order test)."""
    a = x @ Wx + h_prev @ Wh + b
    H = a.shape[1] // 4
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H]), sigmoid(a[:, 2 * H : 3 * H])
    g = np.tanh(a[:, 3 * H :])
    c = f * c_prev + i * g
    return o * np.tanh(c), c


@pytest.mark.task3_10
@pytest.mark.task3_11
@pytest.mark.parametrize("with_dc_next", [False, True], ids=["dc_next=0", "dc_next"])
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_lstm_step_backward_matches_finite_differences(rng, N, T, D, H, with_dc_next):
    args = list(make_step_params(rng, N, D, H))
    h_next, c_next, cache = lstm_step_forward(*args)
    dh_next = rng.standard_normal(h_next.shape)
    dc_next = rng.standard_normal(c_next.shape) if with_dc_next else np.zeros_like(c_next)
    grads = lstm_step_backward(dh_next, dc_next, cache)  # dx, dh_prev, dc_prev, dWx, dWh, db
    dout = np.concatenate([dh_next, dc_next], axis=1)  # the loss sees both h_next and c_next
    for k, analytic in enumerate(grads):
        def f(v, k=k):
            a = list(args)
            a[k] = v
            h, c, _ = lstm_step_forward(*a)
            return np.concatenate([h, c], axis=1)
        numeric = numerical_gradient_array(f, args[k].copy(), dout)
        assert analytic.shape == args[k].shape
        err = rel_error(analytic, numeric)
        assert err < GRADCHECK_TOL, f"gradient {k}: rel error {err:.2e}"


@pytest.mark.task3_12
@pytest.mark.task3_13
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_lstm_backward_matches_finite_differences(rng, N, T, D, H):
    args = list(make_params(rng, N, T, D, H))
    h, cache = lstm_forward(*args)
    dh = rng.standard_normal(h.shape)
    grads = lstm_backward(dh, cache)  # dx, dh0, dWx, dWh, db
    for k, analytic in enumerate(grads):
        def f(v, k=k):
            a = list(args)
            a[k] = v
            return lstm_forward(*a)[0]
        numeric = numerical_gradient_array(f, args[k].copy(), dh)
        assert analytic.shape == args[k].shape
        err = rel_error(analytic, numeric)
        assert err < GRADCHECK_TOL, f"gradient {k}: rel error {err:.2e}"


@pytest.mark.oracle
@pytest.mark.task3_10
@pytest.mark.task3_11
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_lstm_step_matches_torch_lstm_cell(torch, rng, N, T, D, H):
    x, h_prev, c_prev, Wx, Wh, b = make_step_params(rng, N, D, H)
    h_next, c_next, cache = lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    dh_next = rng.standard_normal(h_next.shape)
    dc_next = rng.standard_normal(c_next.shape)
    dx, dh_prev, dc_prev, dWx, dWh, db = lstm_step_backward(dh_next, dc_next, cache)

    cell = torch.nn.LSTMCell(D, H).double()
    b_ih = rng.standard_normal(4 * H)  # any split of b into the two torch biases
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(Wx.T))
        cell.weight_hh.copy_(torch.from_numpy(Wh.T))
        cell.bias_ih.copy_(torch.from_numpy(b_ih))
        cell.bias_hh.copy_(torch.from_numpy(b - b_ih))
    xt = torch.from_numpy(x).requires_grad_()
    ht = torch.from_numpy(h_prev).requires_grad_()
    ct = torch.from_numpy(c_prev).requires_grad_()
    h_ref, c_ref = cell(xt, (ht, ct))
    torch.autograd.backward([h_ref, c_ref], [torch.from_numpy(dh_next), torch.from_numpy(dc_next)])

    assert np.max(np.abs(h_next - h_ref.detach().numpy())) < TORCH_TOL
    assert np.max(np.abs(c_next - c_ref.detach().numpy())) < TORCH_TOL
    assert np.max(np.abs(dx - xt.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dh_prev - ht.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dc_prev - ct.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dWx - cell.weight_ih.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(dWh - cell.weight_hh.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(db - cell.bias_ih.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(db - cell.bias_hh.grad.numpy())) < TORCH_TOL


@pytest.mark.oracle
@pytest.mark.task3_12
@pytest.mark.task3_13
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_lstm_matches_torch(torch, rng, N, T, D, H):
    x, h0, Wx, Wh, b = make_params(rng, N, T, D, H)
    h, cache = lstm_forward(x, h0, Wx, Wh, b)
    dh = rng.standard_normal(h.shape)
    dx, dh0, dWx, dWh, db = lstm_backward(dh, cache)

    lstm = torch.nn.LSTM(D, H, batch_first=True).double()
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(Wx.T))
        lstm.weight_hh_l0.copy_(torch.from_numpy(Wh.T))
        lstm.bias_ih_l0.copy_(torch.from_numpy(b))
        lstm.bias_hh_l0.zero_()
    xt = torch.from_numpy(x).requires_grad_()
    h0t = torch.from_numpy(h0)[None].clone().requires_grad_()
    c0t = torch.zeros(1, N, H, dtype=torch.float64)  # lstm_forward starts from c0 = 0
    out, _ = lstm(xt, (h0t, c0t))
    out.backward(torch.from_numpy(dh))

    assert np.max(np.abs(h - out.detach().numpy())) < TORCH_TOL
    assert np.max(np.abs(dx - xt.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dh0 - h0t.grad[0].numpy())) < TORCH_TOL
    assert np.max(np.abs(dWx - lstm.weight_ih_l0.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(dWh - lstm.weight_hh_l0.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(db - lstm.bias_ih_l0.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(db - lstm.bias_hh_l0.grad.numpy())) < TORCH_TOL


@pytest.mark.task3_10
def test_gate_order_matters(rng):
    # Reading the same weights in CS231n's order i, f, o, g gives another LSTM ...
    x, h_prev, c_prev, Wx, Wh, b = make_step_params(rng, 3, 4, 5)
    h, c, _ = lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    h_cs, c_cs = cs231n_order_step(x, h_prev, c_prev, Wx, Wh, b)
    assert np.max(np.abs(h - h_cs)) > 1e-2
    assert np.max(np.abs(c - c_cs)) > 1e-2
    # ... and swapping the g and o blocks of Wx, Wh and b converts between the two.
    h_sw, c_sw, _ = lstm_step_forward(x, h_prev, c_prev, swap_g_and_o(Wx), swap_g_and_o(Wh), swap_g_and_o(b))
    np.testing.assert_allclose(h_sw, h_cs, rtol=0, atol=1e-14)
    np.testing.assert_allclose(c_sw, c_cs, rtol=0, atol=1e-14)


@pytest.mark.oracle
@pytest.mark.task3_10
def test_torch_disagrees_with_the_cs231n_gate_order(torch, rng):
    x, h_prev, c_prev, Wx, Wh, b = make_step_params(rng, 3, 4, 5)
    cell = torch.nn.LSTMCell(4, 5).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(Wx.T))
        cell.weight_hh.copy_(torch.from_numpy(Wh.T))
        cell.bias_ih.copy_(torch.from_numpy(b))
        cell.bias_hh.zero_()
        h_ref, _ = cell(torch.from_numpy(x), (torch.from_numpy(h_prev), torch.from_numpy(c_prev)))
    h, _, _ = lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    h_cs, _ = cs231n_order_step(x, h_prev, c_prev, Wx, Wh, b)
    assert np.max(np.abs(h - h_ref.numpy())) < TORCH_TOL
    assert np.max(np.abs(h_cs - h_ref.numpy())) > 1e-2


@pytest.mark.task3_10
@pytest.mark.task3_11
@pytest.mark.task3_12
@pytest.mark.task3_13
def test_sequence_of_length_one_equals_one_step(rng):
    x, h0, Wx, Wh, b = make_params(rng, 3, 1, 4, 5)
    h, cache = lstm_forward(x, h0, Wx, Wh, b)
    c0 = np.zeros_like(h0)
    h_step, _, step_cache = lstm_step_forward(x[:, 0], h0, c0, Wx, Wh, b)
    np.testing.assert_array_equal(h[:, 0], h_step)

    dh = rng.standard_normal(h.shape)
    dx, dh0, dWx, dWh, db = lstm_backward(dh, cache)
    dx_s, dh_prev_s, _, dWx_s, dWh_s, db_s = lstm_step_backward(dh[:, 0], np.zeros_like(c0), step_cache)
    for seq_grad, step_grad in [(dx[:, 0], dx_s), (dh0, dh_prev_s), (dWx, dWx_s), (dWh, dWh_s), (db, db_s)]:
        np.testing.assert_allclose(seq_grad, step_grad, rtol=0, atol=1e-14)


@pytest.mark.task3_10
@pytest.mark.task3_11
def test_lstm_step_does_not_mutate_arguments_and_returns_float64(rng):
    N, D, H = 2, 3, 5
    args = make_step_params(rng, N, D, H)
    copies = [a.copy() for a in args]
    h_next, c_next, cache = lstm_step_forward(*args)
    dh_next = rng.standard_normal(h_next.shape)
    dc_next = rng.standard_normal(c_next.shape)
    upstream_copies = [dh_next.copy(), dc_next.copy()]
    grads = lstm_step_backward(dh_next, dc_next, cache)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(dh_next, upstream_copies[0])
    np.testing.assert_array_equal(dc_next, upstream_copies[1])
    assert h_next.shape == c_next.shape == (N, H)
    assert h_next.dtype == c_next.dtype == np.float64
    assert [g.shape for g in grads] == [a.shape for a in args]
    assert all(g.dtype == np.float64 for g in grads)


@pytest.mark.task3_12
@pytest.mark.task3_13
def test_lstm_does_not_mutate_arguments_and_returns_float64(rng):
    N, T, D, H = 2, 4, 3, 5
    args = make_params(rng, N, T, D, H)
    copies = [a.copy() for a in args]
    h, cache = lstm_forward(*args)
    dh = rng.standard_normal(h.shape)
    dh_copy = dh.copy()
    grads = lstm_backward(dh, cache)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(dh, dh_copy)
    assert h.shape == (N, T, H)
    assert h.dtype == np.float64
    assert [g.shape for g in grads] == [a.shape for a in args]
    assert all(g.dtype == np.float64 for g in grads)
