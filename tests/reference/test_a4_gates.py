"""Reference checks for A4 gates.py (tasks 4.1-4.4): PyTorch gates, conventions, purity."""

import numpy as np
import pytest

from solutions.a4_gru.gates import candidate_hidden, gru_hidden_update, reset_gate, update_gate
from solutions.common.activations import sigmoid

# (N, D, H): N=1 and D != H are covered.
SHAPES = [(1, 3, 4), (2, 3, 4), (3, 6, 2), (4, 5, 5)]
TORCH_TOL = 1e-10
# Two conventions "differ" when some entry moves by more than this.
DIFFER_TOL = 1e-3


def make_step_params(rng, N, D, H):
    x = rng.standard_normal((N, D))
    h_prev = rng.standard_normal((N, H))
    Wx = rng.standard_normal((D, 3 * H)) * 0.5
    Wh = rng.standard_normal((H, 3 * H)) * 0.5
    bx = rng.standard_normal(3 * H) * 0.5
    bh = rng.standard_normal(3 * H) * 0.5
    return x, h_prev, Wx, Wh, bx, bh


def all_gates(x, h_prev, Wx, Wh, bx, bh):
    """ax, ah and the gates r, z, n, h of the pinned (PyTorch) convention."""
    ax = x @ Wx + bx
    ah = h_prev @ Wh + bh
    r = reset_gate(ax, ah)
    z = update_gate(ax, ah)
    n = candidate_hidden(ax, ah, r)
    h = gru_hidden_update(n, z, h_prev)
    return ax, ah, r, z, n, h


@pytest.mark.oracle
@pytest.mark.task4_1
@pytest.mark.task4_2
@pytest.mark.task4_3
@pytest.mark.task4_4
@pytest.mark.parametrize("N,D,H", SHAPES)
def test_gates_match_torch_gates(torch, rng, N, D, H):
    x, h_prev, _, _, _, _ = make_step_params(rng, N, D, H)
    torch.manual_seed(N * 100 + D * 10 + H)
    cell = torch.nn.GRUCell(D, H).double()
    W_ir, W_iz, W_in = cell.weight_ih.detach().chunk(3, 0)  # (H, D) each
    W_hr, W_hz, W_hn = cell.weight_hh.detach().chunk(3, 0)  # (H, H) each
    b_ir, b_iz, b_in = cell.bias_ih.detach().chunk(3, 0)
    b_hr, b_hz, b_hn = cell.bias_hh.detach().chunk(3, 0)
    xt, ht = torch.from_numpy(x), torch.from_numpy(h_prev)
    # The equations of the torch.nn.GRU documentation, gate by gate.
    r_t = torch.sigmoid(xt @ W_ir.T + b_ir + ht @ W_hr.T + b_hr)
    z_t = torch.sigmoid(xt @ W_iz.T + b_iz + ht @ W_hz.T + b_hz)
    n_t = torch.tanh(xt @ W_in.T + b_in + r_t * (ht @ W_hn.T + b_hn))
    h_t = (1 - z_t) * n_t + z_t * ht
    with torch.no_grad():
        h_cell = cell(xt, ht)
    assert np.max(np.abs(h_t.numpy() - h_cell.numpy())) < TORCH_TOL  # the documented equations are the cell's

    Wx = cell.weight_ih.detach().numpy().T.copy()
    Wh = cell.weight_hh.detach().numpy().T.copy()
    bx = cell.bias_ih.detach().numpy().copy()
    bh = cell.bias_hh.detach().numpy().copy()
    _, _, r, z, n, h = all_gates(x, h_prev, Wx, Wh, bx, bh)
    assert np.max(np.abs(r - r_t.numpy())) < TORCH_TOL
    assert np.max(np.abs(z - z_t.numpy())) < TORCH_TOL
    assert np.max(np.abs(n - n_t.numpy())) < TORCH_TOL
    assert np.max(np.abs(h - h_cell.numpy())) < TORCH_TOL


@pytest.mark.task4_1
@pytest.mark.task4_2
@pytest.mark.task4_3
@pytest.mark.task4_4
@pytest.mark.parametrize("N,D,H", SHAPES)
def test_gates_match_their_formulas(rng, N, D, H):
    x, h_prev, Wx, Wh, bx, bh = make_step_params(rng, N, D, H)
    ax, ah, r, z, n, h = all_gates(x, h_prev, Wx, Wh, bx, bh)
    pre = 1.0 / (1.0 + np.exp(-(ax + ah)))  # sigmoid of every column, written out
    np.testing.assert_allclose(r, pre[:, 0:H], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(z, pre[:, H : 2 * H], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(n, np.tanh(ax[:, 2 * H :] + r * ah[:, 2 * H :]), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h, n + z * (h_prev - n), rtol=1e-12, atol=1e-12)
    for out in (r, z, n, h):
        assert out.shape == (N, H)
        assert out.dtype == np.float64
    assert np.all((r > 0) & (r < 1)) and np.all((z > 0) & (z < 1))
    assert np.all(np.abs(n) < 1)


@pytest.mark.task4_1
@pytest.mark.task4_2
@pytest.mark.task4_3
def test_gate_width_not_multiple_of_three_raises(rng):
    ax = rng.standard_normal((2, 7))
    ah = rng.standard_normal((2, 7))
    r = rng.standard_normal((2, 2))
    with pytest.raises(ValueError):
        reset_gate(ax, ah)
    with pytest.raises(ValueError):
        update_gate(ax, ah)
    with pytest.raises(ValueError):
        candidate_hidden(ax, ah, r)


@pytest.mark.task4_3
def test_reset_gate_near_zero_ignores_the_previous_state(rng):
    N, D, H = 3, 4, 5
    x, h_prev, Wx, Wh, bx, bh = make_step_params(rng, N, D, H)
    ax = x @ Wx + bx
    ah = h_prev @ Wh + bh
    n_reset = candidate_hidden(ax, ah, np.zeros((N, H)))
    np.testing.assert_allclose(n_reset, np.tanh(ax[:, 2 * H :]), rtol=1e-12, atol=1e-14)
    n_other = candidate_hidden(ax, ah + rng.standard_normal(ah.shape), np.zeros((N, H)))
    np.testing.assert_array_equal(n_reset, n_other)  # with r = 0 the hidden half does not matter


@pytest.mark.task4_4
def test_update_gate_one_keeps_and_zero_overwrites(rng):
    n = np.tanh(rng.standard_normal((3, 4)))
    h_prev = rng.standard_normal((3, 4))
    np.testing.assert_array_equal(gru_hidden_update(n, np.ones((3, 4)), h_prev), h_prev)
    np.testing.assert_array_equal(gru_hidden_update(n, np.zeros((3, 4)), h_prev), n)


@pytest.mark.task4_3
@pytest.mark.parametrize("N,D,H", SHAPES)
def test_cho_v3_reset_before_matmul_differs_from_pinned_convention(rng, N, D, H):
    x, h_prev, Wx, Wh, bx, bh = make_step_params(rng, N, D, H)
    ax, ah, r, _, n, _ = all_gates(x, h_prev, Wx, Wh, bx, bh)
    # Cho et al. 2014 v3 / d2l: n = tanh(x W + (r * h_prev) U + b), r before the matmul.
    n_cho = np.tanh(ax[:, 2 * H :] + (r * h_prev) @ Wh[:, 2 * H :] + bh[2 * H :])
    assert np.max(np.abs(n - n_cho)) > DIFFER_TOL


@pytest.mark.task4_4
@pytest.mark.parametrize("N,D,H", SHAPES)
def test_swapped_update_gate_differs_from_pinned_convention(rng, N, D, H):
    x, h_prev, Wx, Wh, bx, bh = make_step_params(rng, N, D, H)
    _, _, _, z, n, h = all_gates(x, h_prev, Wx, Wh, bx, bh)
    # Chung et al. 2014 / makemore: h = z * n + (1 - z) * h_prev.
    h_swapped = z * n + (1.0 - z) * h_prev
    assert np.max(np.abs(h - h_swapped)) > DIFFER_TOL


@pytest.mark.oracle
@pytest.mark.task4_3
@pytest.mark.task4_4
def test_torch_agrees_with_pinned_convention_not_with_variants(torch, rng):
    N, D, H = 3, 4, 5
    x, h_prev, Wx, Wh, bx, bh = make_step_params(rng, N, D, H)
    ax, ah, r, z, n, h = all_gates(x, h_prev, Wx, Wh, bx, bh)
    cell = torch.nn.GRUCell(D, H).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(Wx.T))
        cell.weight_hh.copy_(torch.from_numpy(Wh.T))
        cell.bias_ih.copy_(torch.from_numpy(bx))
        cell.bias_hh.copy_(torch.from_numpy(bh))
        h_torch = cell(torch.from_numpy(x), torch.from_numpy(h_prev)).numpy()
    n_cho = np.tanh(ax[:, 2 * H :] + (r * h_prev) @ Wh[:, 2 * H :] + bh[2 * H :])
    h_cho = gru_hidden_update(n_cho, z, h_prev)
    h_swapped = z * n + (1.0 - z) * h_prev
    assert np.max(np.abs(h - h_torch)) < TORCH_TOL
    assert np.max(np.abs(h_cho - h_torch)) > DIFFER_TOL
    assert np.max(np.abs(h_swapped - h_torch)) > DIFFER_TOL


@pytest.mark.task4_1
@pytest.mark.task4_2
@pytest.mark.task4_3
@pytest.mark.task4_4
def test_gates_do_not_mutate_arguments(rng):
    H = 4
    ax = rng.standard_normal((3, 3 * H))
    ah = rng.standard_normal((3, 3 * H))
    r = sigmoid(rng.standard_normal((3, H)))
    z = sigmoid(rng.standard_normal((3, H)))
    n = np.tanh(rng.standard_normal((3, H)))
    h_prev = rng.standard_normal((3, H))
    args = [ax, ah, r, z, n, h_prev]
    copies = [a.copy() for a in args]
    reset_gate(ax, ah)
    update_gate(ax, ah)
    candidate_hidden(ax, ah, r)
    gru_hidden_update(n, z, h_prev)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)
