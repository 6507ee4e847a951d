"""Reference checks for A2 truncated_bptt.py (task 2.1): full BPTT, per-chunk finite differences, PyTorch, purity."""

import numpy as np
import pytest

from solutions.a1_vanilla_rnn.output_layers import temporal_affine_backward, temporal_affine_forward, temporal_softmax_loss
from solutions.a1_vanilla_rnn.rnn import rnn_backward, rnn_forward
from solutions.a2_bptt_gradients.truncated_bptt import truncated_bptt
from solutions.common.gradcheck import numerical_gradient, rel_error

# (N, T, D, H, V): N=1, T=1, D != H and T not a multiple of chunk_len are all covered.
SHAPES = [(1, 1, 3, 4, 5), (2, 5, 3, 4, 6), (3, 7, 4, 2, 3), (1, 6, 2, 5, 4)]
KEYS = ("Wx", "Wh", "b", "Wy", "by")
GRADCHECK_TOL = 1e-7
EXACT_TOL = 1e-10
TORCH_TOL = 1e-10


def make_problem(rng, N, T, D, H, V):
    x = rng.standard_normal((N, T, D))
    y = rng.integers(0, V, size=(N, T))
    h0 = rng.standard_normal((N, H)) * 0.5
    params = {
        "Wx": rng.standard_normal((D, H)) * 0.5,
        "Wh": rng.standard_normal((H, H)) * 0.5,
        "b": rng.standard_normal(H) * 0.5,
        "Wy": rng.standard_normal((H, V)) * 0.5,
        "by": rng.standard_normal(V) * 0.5,
    }
    return x, y, h0, params


def sequence_loss(x, y, h0, params):
    """Loss of the model on a (sub)sequence starting from h0, and the hidden states (forward only)."""
    h, _ = rnn_forward(x, h0, params["Wx"], params["Wh"], params["b"])
    scores, _ = temporal_affine_forward(h, params["Wy"], params["by"])
    return temporal_softmax_loss(scores, y)[0], h


def full_bptt(x, y, h0, params):
    """Loss and full-BPTT gradients, assembled from the A1 layers."""
    h, rnn_cache = rnn_forward(x, h0, params["Wx"], params["Wh"], params["b"])
    scores, affine_cache = temporal_affine_forward(h, params["Wy"], params["by"])
    loss, dscores = temporal_softmax_loss(scores, y)
    dh, dWy, dby = temporal_affine_backward(dscores, affine_cache)
    _, _, dWx, dWh, db = rnn_backward(dh, rnn_cache)
    return loss, {"Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby}, h[:, -1]


def extrapolated_numerical_gradient(f, x, h=2e-3):
    """Centred differences at steps h and h/2 combined by Richardson extrapolation,
    (4 g(h/2) - g(h)) / 3, which cancels the O(h^2) error. The loss summed over time is
    O(T log V), so plain differences at h=1e-5 carry a round-off of ~1e-11 that exceeds
    1e-7 relative error on the smallest gradient entries; the larger steps keep it ~1e-13."""
    return (4.0 * numerical_gradient(f, x.copy(), h / 2) - numerical_gradient(f, x.copy(), h)) / 3.0


def per_chunk_numerical_grads(x, y, h0, params, chunk_len):
    """Independent reference: sum over chunks of the centred-difference gradient of that
    chunk's loss, with the hidden state carried into the chunk held constant."""
    T = x.shape[1]
    _, h_full = sequence_loss(x, y, h0, params)  # the carried values come from the full forward
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    for start in range(0, T, chunk_len):
        stop = min(start + chunk_len, T)
        h_in = h0 if start == 0 else h_full[:, start - 1].copy()
        for key in KEYS:
            def f(v, key=key):
                p = dict(params)
                p[key] = v
                return sequence_loss(x[:, start:stop], y[:, start:stop], h_in, p)[0]
            grads[key] += extrapolated_numerical_gradient(f, params[key])
    return grads


@pytest.mark.task2_1
@pytest.mark.parametrize("N,T,D,H,V", SHAPES)
def test_chunk_len_at_least_T_is_full_bptt(rng, N, T, D, H, V):
    x, y, h0, params = make_problem(rng, N, T, D, H, V)
    full_loss, full_grads, full_h_last = full_bptt(x, y, h0, params)
    for chunk_len in (T, T + 1, 3 * T):
        loss, grads, h_last = truncated_bptt(x, y, h0, params, chunk_len)
        assert abs(loss - full_loss) <= EXACT_TOL * abs(full_loss)
        assert set(grads) == set(KEYS)
        for key in KEYS:
            assert grads[key].shape == params[key].shape
            assert rel_error(grads[key], full_grads[key]) < EXACT_TOL, key
        assert rel_error(h_last, full_h_last) < EXACT_TOL


@pytest.mark.task2_1
@pytest.mark.parametrize("N,T,D,H,V", SHAPES)
def test_truncated_gradients_match_per_chunk_finite_differences(rng, N, T, D, H, V):
    x, y, h0, params = make_problem(rng, N, T, D, H, V)
    for chunk_len in range(1, T + 1):
        _, grads, _ = truncated_bptt(x, y, h0, params, chunk_len)
        numeric = per_chunk_numerical_grads(x, y, h0, params, chunk_len)
        for key in KEYS:
            assert rel_error(grads[key], numeric[key]) < GRADCHECK_TOL, (chunk_len, key)


@pytest.mark.task2_1
@pytest.mark.parametrize("N,T,D,H,V", SHAPES)
def test_loss_and_last_state_do_not_depend_on_chunk_len(rng, N, T, D, H, V):
    x, y, h0, params = make_problem(rng, N, T, D, H, V)
    full_loss, full_grads, full_h_last = full_bptt(x, y, h0, params)
    for chunk_len in range(1, T + 2):
        loss, grads, h_last = truncated_bptt(x, y, h0, params, chunk_len)
        assert isinstance(loss, float)
        assert abs(loss - full_loss) <= EXACT_TOL * abs(full_loss), chunk_len
        assert rel_error(h_last, full_h_last) < EXACT_TOL
        # The forward pass is unchanged, so the output layer sees the full gradient.
        assert rel_error(grads["Wy"], full_grads["Wy"]) < EXACT_TOL
        assert rel_error(grads["by"], full_grads["by"]) < EXACT_TOL


@pytest.mark.task2_1
def test_truncation_drops_cross_chunk_terms(rng):
    x, y, h0, params = make_problem(rng, 2, 6, 3, 4, 5)
    _, full_grads, _ = full_bptt(x, y, h0, params)
    for chunk_len in range(1, 6):
        _, grads, _ = truncated_bptt(x, y, h0, params, chunk_len)
        for key in ("Wx", "Wh", "b"):
            assert not np.allclose(grads[key], full_grads[key]), (chunk_len, key)


@pytest.mark.oracle
@pytest.mark.task2_1
@pytest.mark.parametrize("N,T,D,H,V", SHAPES)
def test_truncated_bptt_matches_torch_detach(torch, rng, N, T, D, H, V):
    x, y, h0, params = make_problem(rng, N, T, D, H, V)
    rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True).double()
    out_layer = torch.nn.Linear(H, V).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(params["Wx"].T))
        rnn.weight_hh_l0.copy_(torch.from_numpy(params["Wh"].T))
        rnn.bias_ih_l0.copy_(torch.from_numpy(params["b"]))
        rnn.bias_hh_l0.zero_()
        out_layer.weight.copy_(torch.from_numpy(params["Wy"].T))
        out_layer.bias.copy_(torch.from_numpy(params["by"]))
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for chunk_len in range(1, T + 1):
        rnn.zero_grad()
        out_layer.zero_grad()
        h = torch.from_numpy(h0)[None].clone()
        total = 0.0
        for start in range(0, T, chunk_len):
            h = h.detach()  # the truncation
            out, h = rnn(xt[:, start:start + chunk_len], h)
            scores = out_layer(out)
            loss = torch.nn.functional.cross_entropy(
                scores.reshape(-1, V), yt[:, start:start + chunk_len].reshape(-1), reduction="sum"
            ) / N
            loss.backward()
            total += loss.item()
        ref = {
            "Wx": rnn.weight_ih_l0.grad.numpy().T,
            "Wh": rnn.weight_hh_l0.grad.numpy().T,
            "b": rnn.bias_ih_l0.grad.numpy(),
            "Wy": out_layer.weight.grad.numpy().T,
            "by": out_layer.bias.grad.numpy(),
        }
        loss_np, grads, h_last = truncated_bptt(x, y, h0, params, chunk_len)
        assert abs(loss_np - total) < TORCH_TOL
        assert np.max(np.abs(h_last - h[0].detach().numpy())) < TORCH_TOL
        for key in KEYS:
            assert np.max(np.abs(grads[key] - ref[key])) < TORCH_TOL, (chunk_len, key)


@pytest.mark.task2_1
@pytest.mark.parametrize("chunk_len", [0, -1, 2.0, 1.5, "3", None, True])
def test_invalid_chunk_len_raises(rng, chunk_len):
    x, y, h0, params = make_problem(rng, 2, 4, 3, 4, 5)
    with pytest.raises(ValueError):
        truncated_bptt(x, y, h0, params, chunk_len)


@pytest.mark.task2_1
def test_numpy_integer_chunk_len_is_accepted(rng):
    x, y, h0, params = make_problem(rng, 2, 5, 3, 4, 5)
    loss_a, grads_a, _ = truncated_bptt(x, y, h0, params, 2)
    loss_b, grads_b, _ = truncated_bptt(x, y, h0, params, np.int64(2))
    assert loss_a == loss_b
    for key in KEYS:
        np.testing.assert_array_equal(grads_a[key], grads_b[key])


@pytest.mark.task2_1
def test_truncated_bptt_does_not_mutate_arguments_and_returns_float64(rng):
    x, y, h0, params = make_problem(rng, 3, 7, 3, 4, 5)
    copies = (x.copy(), y.copy(), h0.copy(), {k: v.copy() for k, v in params.items()})
    loss, grads, h_last = truncated_bptt(x, y, h0, params, 3)
    np.testing.assert_array_equal(x, copies[0])
    np.testing.assert_array_equal(y, copies[1])
    np.testing.assert_array_equal(h0, copies[2])
    assert set(params) == set(copies[3])
    for key in KEYS:
        np.testing.assert_array_equal(params[key], copies[3][key])
        assert grads[key].dtype == np.float64
        assert grads[key] is not params[key]
    assert isinstance(loss, float)
    assert h_last.shape == h0.shape and h_last.dtype == np.float64
