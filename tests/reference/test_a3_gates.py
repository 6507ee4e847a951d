"""Reference checks for A3 gates.py (tasks 3.1-3.6): PyTorch gate internals, block slicing, purity."""

import numpy as np
import pytest

from solutions.a3_lstm.gates import (
    cell_candidate,
    cell_state_update,
    forget_gate,
    hidden_state,
    input_gate,
    output_gate,
)
from solutions.common.activations import sigmoid

# (N, D, H): N=1 and D != H are covered.
SHAPES = [(1, 3, 4), (2, 3, 4), (3, 6, 2), (4, 5, 5)]
TORCH_TOL = 1e-10
GATES = [input_gate, forget_gate, cell_candidate, output_gate]  # the order i, f, g, o


def make_step(rng, N, D, H):
    x = rng.standard_normal((N, D))
    h_prev = rng.standard_normal((N, H))
    c_prev = rng.standard_normal((N, H))
    Wx = rng.standard_normal((D, 4 * H)) * 0.5
    Wh = rng.standard_normal((H, 4 * H)) * 0.5
    b = rng.standard_normal(4 * H) * 0.5
    return x, h_prev, c_prev, Wx, Wh, b


def torch_cell(torch, Wx, Wh, b, rng):
    """An LSTMCell holding our weights; b is split at random between bias_ih and bias_hh."""
    D, H4 = Wx.shape
    cell = torch.nn.LSTMCell(D, H4 // 4).double()
    b_ih = rng.standard_normal(H4)
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(Wx.T))
        cell.weight_hh.copy_(torch.from_numpy(Wh.T))
        cell.bias_ih.copy_(torch.from_numpy(b_ih))
        cell.bias_hh.copy_(torch.from_numpy(b - b_ih))
    return cell


@pytest.mark.oracle
@pytest.mark.task3_1
@pytest.mark.task3_2
@pytest.mark.task3_3
@pytest.mark.task3_4
@pytest.mark.parametrize("N,D,H", SHAPES)
def test_gates_match_torch_lstm_internals(torch, rng, N, D, H):
    x, h_prev, _, Wx, Wh, b = make_step(rng, N, D, H)
    cell = torch_cell(torch, Wx, Wh, b, rng)
    xt, ht = torch.from_numpy(x), torch.from_numpy(h_prev)
    with torch.no_grad():
        gates = xt @ cell.weight_ih.T + cell.bias_ih + ht @ cell.weight_hh.T + cell.bias_hh
        i_t, f_t, g_t, o_t = gates.chunk(4, dim=1)
        expected = [torch.sigmoid(i_t), torch.sigmoid(f_t), torch.tanh(g_t), torch.sigmoid(o_t)]

    a = x @ Wx + h_prev @ Wh + b  # (N, 4H)
    for gate, ref in zip(GATES, expected):
        out = gate(a)
        assert out.shape == (N, H)
        assert out.dtype == np.float64
        assert np.max(np.abs(out - ref.numpy())) < TORCH_TOL, gate.__name__


@pytest.mark.oracle
@pytest.mark.task3_1
@pytest.mark.task3_2
@pytest.mark.task3_3
@pytest.mark.task3_4
@pytest.mark.task3_5
@pytest.mark.task3_6
@pytest.mark.parametrize("N,D,H", SHAPES)
def test_cell_and_hidden_state_match_torch_lstm_cell(torch, rng, N, D, H):
    x, h_prev, c_prev, Wx, Wh, b = make_step(rng, N, D, H)
    cell = torch_cell(torch, Wx, Wh, b, rng)
    with torch.no_grad():
        h_ref, c_ref = cell(torch.from_numpy(x), (torch.from_numpy(h_prev), torch.from_numpy(c_prev)))

    a = x @ Wx + h_prev @ Wh + b
    i, f, g, o = (gate(a) for gate in GATES)
    c = cell_state_update(c_prev, f, i, g)
    h = hidden_state(c, o)
    assert c.shape == h.shape == (N, H)
    assert np.max(np.abs(c - c_ref.numpy())) < TORCH_TOL
    assert np.max(np.abs(h - h_ref.numpy())) < TORCH_TOL


@pytest.mark.task3_1
@pytest.mark.task3_2
@pytest.mark.task3_3
@pytest.mark.task3_4
@pytest.mark.parametrize("H", [1, 3, 5])
def test_each_gate_reads_only_its_own_block(rng, H):
    N = 3
    a = rng.standard_normal((N, 4 * H)) * 2.0
    activations = [sigmoid, sigmoid, np.tanh, sigmoid]
    for k, (gate, act) in enumerate(zip(GATES, activations)):
        block = slice(k * H, (k + 1) * H)
        np.testing.assert_allclose(gate(a), act(a[:, block]), rtol=0, atol=1e-15)
        # Changing every other block leaves the gate unchanged.
        a_other = rng.standard_normal(a.shape) * 2.0
        a_other[:, block] = a[:, block]
        np.testing.assert_array_equal(gate(a_other), gate(a))


@pytest.mark.task3_1
@pytest.mark.task3_2
@pytest.mark.task3_3
@pytest.mark.task3_4
def test_gates_stay_in_range_for_large_preactivations():
    a = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0, -1000.0, 1000.0, 0.0]] * 4).reshape(2, 16)
    # Overflow or nan would be a bug; underflow of exp(-1000) to 0 is harmless.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        outs = [gate(a) for gate in GATES]
    for k, out in enumerate(outs):
        assert np.all(np.isfinite(out))
        low = -1.0 if k == 2 else 0.0
        assert np.all(out >= low) and np.all(out <= 1.0)


@pytest.mark.task3_1
@pytest.mark.task3_2
@pytest.mark.task3_3
@pytest.mark.task3_4
@pytest.mark.parametrize("gate", GATES, ids=lambda g: g.__name__)
@pytest.mark.parametrize("width", [1, 6, 10])
def test_gate_rejects_width_not_multiple_of_four(gate, width):
    with pytest.raises(ValueError):
        gate(np.zeros((2, width)))


@pytest.mark.task3_5
def test_cell_state_update_is_additive(rng):
    c_prev, i, g = rng.standard_normal((3, 2, 5))
    f = np.ones((2, 5))
    # f = 1 and i = 0: the memory is carried over unchanged.
    np.testing.assert_array_equal(cell_state_update(c_prev, f, np.zeros((2, 5)), g), c_prev)
    # f = 0: the memory is replaced by i * g.
    np.testing.assert_array_equal(cell_state_update(c_prev, np.zeros((2, 5)), i, g), i * g)


@pytest.mark.task3_1
@pytest.mark.task3_2
@pytest.mark.task3_3
@pytest.mark.task3_4
@pytest.mark.task3_5
@pytest.mark.task3_6
def test_gate_functions_do_not_mutate_and_return_float64(rng):
    N, H = 3, 4
    a = rng.standard_normal((N, 4 * H))
    c_prev, f, i, g, o = (sigmoid(rng.standard_normal((N, H))) for _ in range(5))
    args = [a, c_prev, f, i, g, o]
    copies = [v.copy() for v in args]
    outs = [gate(a) for gate in GATES]
    c = cell_state_update(c_prev, f, i, g)
    outs += [c, hidden_state(c, o)]
    for v, v_copy in zip(args, copies):
        np.testing.assert_array_equal(v, v_copy)
    for out in outs:
        assert out.shape == (N, H)
        assert out.dtype == np.float64
