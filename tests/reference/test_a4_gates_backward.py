"""Reference checks for A4 gates_backward.py (tasks 4.5-4.6): finite differences, PyTorch, purity."""

import numpy as np
import pytest

from solutions.a4_gru.gates import candidate_hidden, gru_hidden_update
from solutions.a4_gru.gates_backward import candidate_hidden_backward, gru_hidden_update_backward
from solutions.common.activations import sigmoid
from solutions.common.gradcheck import numerical_gradient_array, rel_error

# (N, H): N=1 is covered.
SHAPES = [(1, 4), (2, 3), (3, 2), (4, 5)]
GRADCHECK_TOL = 1e-7
TORCH_TOL = 1e-10


def make_update_inputs(rng, N, H):
    n = np.tanh(rng.standard_normal((N, H)))
    z = sigmoid(rng.standard_normal((N, H)))
    h_prev = rng.standard_normal((N, H))
    return n, z, h_prev


def make_candidate_inputs(rng, N, H):
    # Scaled by 0.5 so that tanh is not saturated: at a saturated entry the
    # gradient is ~1e-6 and centred differences lose their relative accuracy.
    ax_n = rng.standard_normal((N, H)) * 0.5
    ah_n = rng.standard_normal((N, H)) * 0.5
    r = sigmoid(rng.standard_normal((N, H)))
    return ax_n, ah_n, r


def candidate_from_parts(ax_n, ah_n, r):
    """n through the graded candidate_hidden, with the r and z columns padded by zeros."""
    pad = np.zeros((ax_n.shape[0], 2 * ax_n.shape[1]))
    return candidate_hidden(np.hstack([pad, ax_n]), np.hstack([pad, ah_n]), r)


@pytest.mark.task4_5
@pytest.mark.parametrize("N,H", SHAPES)
def test_hidden_update_backward_matches_finite_differences(rng, N, H):
    args = list(make_update_inputs(rng, N, H))
    dh = rng.standard_normal((N, H))
    grads = gru_hidden_update_backward(dh, *args)
    for k, analytic in enumerate(grads):
        def f(v, k=k):
            a = list(args)
            a[k] = v
            return gru_hidden_update(*a)
        numeric = numerical_gradient_array(f, args[k].copy(), dh)
        assert analytic.shape == (N, H)
        assert analytic.dtype == np.float64
        assert rel_error(analytic, numeric) < GRADCHECK_TOL, f"gradient {k}"


@pytest.mark.task4_6
@pytest.mark.parametrize("N,H", SHAPES)
def test_candidate_backward_matches_finite_differences(rng, N, H):
    args = list(make_candidate_inputs(rng, N, H))  # ax_n, ah_n, r
    ax_n, ah_n, r = args
    n = candidate_from_parts(ax_n, ah_n, r)
    dn = rng.standard_normal((N, H))
    grads = candidate_hidden_backward(dn, n, r, ah_n)  # dax_n, dah_n, dr: same order as args
    for k, analytic in enumerate(grads):
        def f(v, k=k):
            a = list(args)
            a[k] = v
            return candidate_from_parts(*a)
        numeric = numerical_gradient_array(f, args[k].copy(), dn)
        assert analytic.shape == (N, H)
        assert analytic.dtype == np.float64
        assert rel_error(analytic, numeric) < GRADCHECK_TOL, f"gradient {k}"


@pytest.mark.oracle
@pytest.mark.task4_5
@pytest.mark.task4_6
@pytest.mark.parametrize("N,H", SHAPES)
def test_gate_backwards_match_torch_autograd(torch, rng, N, H):
    ax_n, ah_n, r = make_candidate_inputs(rng, N, H)
    _, z, h_prev = make_update_inputs(rng, N, H)
    dh = rng.standard_normal((N, H))

    n = candidate_from_parts(ax_n, ah_n, r)
    dn, dz, dh_prev = gru_hidden_update_backward(dh, n, z, h_prev)
    dax_n, dah_n, dr = candidate_hidden_backward(dn, n, r, ah_n)

    leaves = [torch.from_numpy(a).clone().requires_grad_() for a in (ax_n, ah_n, r, z, h_prev)]
    ax_t, ah_t, r_t, z_t, hp_t = leaves
    n_t = torch.tanh(ax_t + r_t * ah_t)
    h_t = (1 - z_t) * n_t + z_t * hp_t
    h_t.backward(torch.from_numpy(dh))

    for ours, leaf in zip((dax_n, dah_n, dr, dz, dh_prev), leaves):
        assert np.max(np.abs(ours - leaf.grad.numpy())) < TORCH_TOL


@pytest.mark.task4_5
@pytest.mark.task4_6
def test_gate_backwards_do_not_mutate_arguments(rng):
    n, z, h_prev = make_update_inputs(rng, 3, 4)
    ax_n, ah_n, r = make_candidate_inputs(rng, 3, 4)
    dh = rng.standard_normal((3, 4))
    dn = rng.standard_normal((3, 4))
    args = [n, z, h_prev, ax_n, ah_n, r, dh, dn]
    copies = [a.copy() for a in args]
    gru_hidden_update_backward(dh, n, z, h_prev)
    candidate_hidden_backward(dn, n, r, ah_n)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)
