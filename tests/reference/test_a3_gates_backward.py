"""Reference checks for A3 gates_backward.py (tasks 3.7-3.9): finite differences, PyTorch autograd, purity."""

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
from solutions.a3_lstm.gates_backward import (
    cell_state_update_backward,
    gate_preactivation_backward,
    hidden_state_backward,
)
from solutions.common.activations import sigmoid
from solutions.common.gradcheck import numerical_gradient_array, rel_error

# (N, H): N=1 and H=1 are covered.
SHAPES = [(1, 1), (1, 4), (2, 3), (4, 5)]
GRADCHECK_TOL = 1e-7
TORCH_TOL = 1e-10


def all_gates(a):
    """The four gate activations of a, concatenated in the order i, f, g, o: (N, 4H)."""
    return np.concatenate([input_gate(a), forget_gate(a), cell_candidate(a), output_gate(a)], axis=1)


def check_against_finite_differences(forward, args, dout, analytic):
    """Compare each analytic gradient with the centred-difference gradient w.r.t. args[k]."""
    for k, grad in enumerate(analytic):
        def f(v, k=k):
            a = list(args)
            a[k] = v
            return forward(*a)
        numeric = numerical_gradient_array(f, args[k].copy(), dout)
        assert grad.shape == args[k].shape
        err = rel_error(grad, numeric)
        assert err < GRADCHECK_TOL, f"gradient {k}: rel error {err:.2e}"


@pytest.mark.task3_7
@pytest.mark.parametrize("N,H", SHAPES)
def test_hidden_state_backward_matches_finite_differences(rng, N, H):
    c = rng.standard_normal((N, H))
    o = sigmoid(rng.standard_normal((N, H)))
    dh = rng.standard_normal((N, H))
    dc, do = hidden_state_backward(dh, c, o)
    check_against_finite_differences(hidden_state, [c, o], dh, [dc, do])


@pytest.mark.task3_8
@pytest.mark.parametrize("N,H", SHAPES)
def test_cell_state_update_backward_matches_finite_differences(rng, N, H):
    c_prev = rng.standard_normal((N, H))
    a = rng.standard_normal((N, 4 * H))
    i, f, g = input_gate(a), forget_gate(a), cell_candidate(a)
    dc = rng.standard_normal((N, H))
    grads = cell_state_update_backward(dc, c_prev, f, i, g)  # dc_prev, df, di, dg
    check_against_finite_differences(cell_state_update, [c_prev, f, i, g], dc, list(grads))


@pytest.mark.task3_9
@pytest.mark.parametrize("N,H", SHAPES)
def test_gate_preactivation_backward_matches_finite_differences(rng, N, H):
    a = rng.standard_normal((N, 4 * H))
    i, f, g, o = input_gate(a), forget_gate(a), cell_candidate(a), output_gate(a)
    di, df, dg, do = rng.standard_normal((4, N, H))
    da = gate_preactivation_backward(di, df, dg, do, i, f, g, o)
    assert da.shape == (N, 4 * H)
    dgates = np.concatenate([di, df, dg, do], axis=1)  # (N, 4H), order i, f, g, o
    numeric = numerical_gradient_array(all_gates, a.copy(), dgates)
    err = rel_error(da, numeric)
    assert err < GRADCHECK_TOL, f"rel error {err:.2e}"


@pytest.mark.task3_9
def test_gate_preactivation_backward_block_order_is_i_f_g_o(rng):
    N, H = 2, 3
    a = rng.standard_normal((N, 4 * H))
    i, f, g, o = input_gate(a), forget_gate(a), cell_candidate(a), output_gate(a)
    zero = np.zeros((N, H))
    dgate = rng.standard_normal((N, H))
    # A gradient reaching only gate k lands only in block k of da.
    for k in range(4):
        upstream = [zero] * 4
        upstream[k] = dgate
        da = gate_preactivation_backward(*upstream, i, f, g, o)
        for j in range(4):
            block = da[:, j * H : (j + 1) * H]
            if j == k:
                assert np.all(block != 0.0)
            else:
                np.testing.assert_array_equal(block, zero)


@pytest.mark.oracle
@pytest.mark.task3_7
@pytest.mark.task3_8
@pytest.mark.task3_9
@pytest.mark.parametrize("N,H", SHAPES)
def test_gate_backward_chain_matches_torch_autograd(torch, rng, N, H):
    a = rng.standard_normal((N, 4 * H))
    c_prev = rng.standard_normal((N, H))
    dh = rng.standard_normal((N, H))
    dc_next = rng.standard_normal((N, H))

    at = torch.from_numpy(a).requires_grad_()
    ct = torch.from_numpy(c_prev).requires_grad_()
    i_t, f_t, g_t, o_t = at.chunk(4, dim=1)
    c_t = torch.sigmoid(f_t) * ct + torch.sigmoid(i_t) * torch.tanh(g_t)
    h_t = torch.sigmoid(o_t) * torch.tanh(c_t)
    torch.autograd.backward([h_t, c_t], [torch.from_numpy(dh), torch.from_numpy(dc_next)])

    i, f, g, o = input_gate(a), forget_gate(a), cell_candidate(a), output_gate(a)
    c = cell_state_update(c_prev, f, i, g)
    dc_from_h, do = hidden_state_backward(dh, c, o)
    dc_prev, df, di, dg = cell_state_update_backward(dc_next + dc_from_h, c_prev, f, i, g)
    da = gate_preactivation_backward(di, df, dg, do, i, f, g, o)
    assert np.max(np.abs(da - at.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(dc_prev - ct.grad.numpy())) < TORCH_TOL


@pytest.mark.task3_7
@pytest.mark.task3_8
@pytest.mark.task3_9
def test_gate_backwards_do_not_mutate_and_return_float64(rng):
    N, H = 3, 4
    a = rng.standard_normal((N, 4 * H))
    i, f, g, o = input_gate(a), forget_gate(a), cell_candidate(a), output_gate(a)
    c_prev, c, dh, dc, di, df, dg, do = rng.standard_normal((8, N, H))
    args = [i, f, g, o, c_prev, c, dh, dc, di, df, dg, do]
    copies = [v.copy() for v in args]
    outs = list(hidden_state_backward(dh, c, o))
    outs += list(cell_state_update_backward(dc, c_prev, f, i, g))
    da = gate_preactivation_backward(di, df, dg, do, i, f, g, o)
    for v, v_copy in zip(args, copies):
        np.testing.assert_array_equal(v, v_copy)
    assert len(outs) == 6
    for out in outs:
        assert out.shape == (N, H)
        assert out.dtype == np.float64
    assert da.shape == (N, 4 * H)
    assert da.dtype == np.float64
