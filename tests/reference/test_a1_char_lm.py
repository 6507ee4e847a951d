"""Reference checks for A1 char_lm.py (tasks 1.8-1.10): one-hot, loss gradients, sampling, training."""

import numpy as np
import pytest

from solutions.a1_vanilla_rnn.char_lm import (
    VOCAB,
    char_lm_loss,
    decode,
    encode,
    init_char_lm,
    one_hot,
    sample,
    train_char_lm,
)
from solutions.a1_vanilla_rnn.rnn import rnn_step_forward
from solutions.common.activations import softmax
from solutions.common.gradcheck import numerical_gradient, rel_error

# (N, T, V, H): N=1, T=1 and V != H are all covered.
SHAPES = [(1, 1, 4, 3), (1, 4, 4, 8), (2, 5, 3, 4), (3, 3, 6, 2)]
GRADCHECK_TOL = 1e-7
TORCH_TOL = 1e-10


def numeric_grad(f, x):
    """Centred differences of the scalar f w.r.t. x, refined by one Richardson step.

    (4 g(h) - g(2h)) / 3 cancels the O(h^2) error of centred differences, so the
    estimate is accurate to ~1e-13 and near-zero gradient entries still pass
    rel_error < 1e-7 (plain h = 1e-5 differences carry ~1e-11 absolute error).
    """
    g_h = numerical_gradient(f, x.copy(), h=1e-3)
    g_2h = numerical_gradient(f, x.copy(), h=2e-3)
    return (4.0 * g_h - g_2h) / 3.0
KEYS = ("Wx", "Wh", "b", "Wy", "by")


def make_problem(rng, N, T, V, H):
    # Moderate scales keep tanh away from saturation: saturated units give gradient
    # entries ~1e-6 that finite differences cannot resolve to rel_error < 1e-7.
    params = {
        "Wx": rng.standard_normal((V, H)) * 0.3,
        "Wh": rng.standard_normal((H, H)) * 0.3,
        "b": rng.standard_normal(H) * 0.3,
        "Wy": rng.standard_normal((H, V)) * 0.3,
        "by": rng.standard_normal(V) * 0.3,
    }
    inputs = rng.integers(0, V, size=(N, T))
    targets = rng.integers(0, V, size=(N, T))
    h0 = rng.standard_normal((N, H)) * 0.5
    return params, inputs, targets, h0


def reference_sample(params, h0, seed_index, length, rng):
    """The documented sampling loop, written out independently of ``sample``."""
    V = params["Wx"].shape[0]
    h, idx, out = h0, seed_index, []
    for _ in range(length):
        x = np.eye(V)[[idx]]
        h = np.tanh(x @ params["Wx"] + h @ params["Wh"] + params["b"])
        probs = softmax(h @ params["Wy"] + params["by"])
        idx = int(np.argmax(probs[0])) if rng is None else int(rng.choice(V, p=probs[0]))
        out.append(idx)
    return np.array(out, dtype=np.int64)


@pytest.mark.task1_8
@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (2, 3, 4)])
def test_one_hot_matches_identity_rows(rng, shape):
    V = 6
    indices = rng.integers(0, V, size=shape)
    indices_copy = np.copy(indices)
    out = one_hot(indices, V)
    assert out.shape == tuple(shape) + (V,)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.eye(V)[indices])
    np.testing.assert_array_equal(indices, indices_copy)


@pytest.mark.task1_8
def test_encode_decode_and_one_hot_of_hello():
    idx = encode("hello")
    assert decode(idx) == "hello"
    np.testing.assert_array_equal(idx, [VOCAB.index(c) for c in "hello"])
    np.testing.assert_array_equal(one_hot(idx, len(VOCAB)).argmax(axis=-1), idx)


@pytest.mark.task1_9
@pytest.mark.parametrize("N,T,V,H", SHAPES)
def test_char_lm_loss_matches_finite_differences(rng, N, T, V, H):
    params, inputs, targets, h0 = make_problem(rng, N, T, V, H)
    loss, grads, h_last = char_lm_loss(params, inputs, targets, h0)
    assert set(grads) == set(params)
    assert h_last.shape == (N, H)
    for k in KEYS:
        def f(v, k=k):
            p = dict(params)
            p[k] = v
            return char_lm_loss(p, inputs, targets, h0)[0]
        numeric = numeric_grad(f, params[k])
        assert grads[k].shape == params[k].shape
        assert grads[k].dtype == np.float64
        assert rel_error(grads[k], numeric) < GRADCHECK_TOL, f"gradient {k}"


@pytest.mark.oracle
@pytest.mark.task1_9
@pytest.mark.parametrize("N,T,V,H", SHAPES)
def test_char_lm_loss_matches_torch(torch, rng, N, T, V, H):
    params, inputs, targets, h0 = make_problem(rng, N, T, V, H)
    loss, grads, h_last = char_lm_loss(params, inputs, targets, h0)

    rnn = torch.nn.RNN(V, H, nonlinearity="tanh", batch_first=True).double()
    head = torch.nn.Linear(H, V).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(params["Wx"].T))
        rnn.weight_hh_l0.copy_(torch.from_numpy(params["Wh"].T))
        rnn.bias_ih_l0.copy_(torch.from_numpy(params["b"]))
        rnn.bias_hh_l0.zero_()
        head.weight.copy_(torch.from_numpy(params["Wy"].T))
        head.bias.copy_(torch.from_numpy(params["by"]))
    x = torch.nn.functional.one_hot(torch.from_numpy(inputs), V).double()
    out, hn = rnn(x, torch.from_numpy(h0)[None])
    scores = head(out)
    ref = torch.nn.functional.cross_entropy(
        scores.reshape(N * T, V), torch.from_numpy(targets).reshape(-1), reduction="sum"
    ) / N
    ref.backward()

    assert abs(loss - ref.item()) < TORCH_TOL
    assert np.max(np.abs(h_last - hn[0].detach().numpy())) < TORCH_TOL
    assert np.max(np.abs(grads["Wx"] - rnn.weight_ih_l0.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(grads["Wh"] - rnn.weight_hh_l0.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(grads["b"] - rnn.bias_ih_l0.grad.numpy())) < TORCH_TOL
    assert np.max(np.abs(grads["Wy"] - head.weight.grad.numpy().T)) < TORCH_TOL
    assert np.max(np.abs(grads["by"] - head.bias.grad.numpy())) < TORCH_TOL


@pytest.mark.task1_9
def test_char_lm_loss_over_chunks_carrying_h_last_equals_full_sequence(rng):
    params, inputs, targets, h0 = make_problem(rng, 2, 7, 4, 5)
    loss, _, h_last = char_lm_loss(params, inputs, targets, h0)
    loss_a, _, h_mid = char_lm_loss(params, inputs[:, :3], targets[:, :3], h0)
    loss_b, _, h_end = char_lm_loss(params, inputs[:, 3:], targets[:, 3:], h_mid)
    assert abs(loss - (loss_a + loss_b)) < 1e-12
    np.testing.assert_allclose(h_end, h_last, rtol=0, atol=1e-14)


@pytest.mark.task1_9
def test_char_lm_loss_does_not_mutate_arguments(rng):
    params, inputs, targets, h0 = make_problem(rng, 2, 4, 4, 3)
    copies = {k: v.copy() for k, v in params.items()}
    inputs_copy, targets_copy, h0_copy = inputs.copy(), targets.copy(), h0.copy()
    loss, grads, h_last = char_lm_loss(params, inputs, targets, h0)
    for k in KEYS:
        np.testing.assert_array_equal(params[k], copies[k])
        assert grads[k] is not params[k]
    np.testing.assert_array_equal(inputs, inputs_copy)
    np.testing.assert_array_equal(targets, targets_copy)
    np.testing.assert_array_equal(h0, h0_copy)
    assert isinstance(loss, float)
    assert h_last.dtype == np.float64


@pytest.mark.task1_10
@pytest.mark.parametrize("seeded", [False, True])
def test_sample_follows_the_documented_loop(rng, seeded):
    params, _, _, _ = make_problem(rng, 1, 1, 5, 6)
    h0 = rng.standard_normal((1, 6))
    h0_copy = h0.copy()
    got = sample(params, h0, 2, 12, np.random.default_rng(7) if seeded else None)
    expected = reference_sample(params, h0, 2, 12, np.random.default_rng(7) if seeded else None)
    assert got.shape == (12,)
    assert np.issubdtype(got.dtype, np.integer)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(h0, h0_copy)


@pytest.mark.task1_10
def test_sample_first_step_is_one_rnn_step(rng):
    params, _, _, _ = make_problem(rng, 1, 1, 4, 3)
    h0 = rng.standard_normal((1, 3))
    h1, _ = rnn_step_forward(np.eye(4)[[1]], h0, params["Wx"], params["Wh"], params["b"])
    expected = int(np.argmax(h1 @ params["Wy"] + params["by"]))
    assert int(sample(params, h0, 1, 1)[0]) == expected


@pytest.mark.task1_9
@pytest.mark.task1_10
def test_train_char_lm_learns_hello():
    params, losses = train_char_lm("hello", H=8, seed=0)
    assert losses[-1] < 0.05
    assert losses[-1] < losses[0] / 50
    H = params["Wh"].shape[0]
    generated = sample(params, np.zeros((1, H)), encode("h")[0], 4)
    assert decode(generated) == "ello"


@pytest.mark.task1_9
def test_init_char_lm_shapes(rng):
    params = init_char_lm(4, 7, rng)
    shapes = {"Wx": (4, 7), "Wh": (7, 7), "b": (7,), "Wy": (7, 4), "by": (4,)}
    for k, s in shapes.items():
        assert params[k].shape == s and params[k].dtype == np.float64
