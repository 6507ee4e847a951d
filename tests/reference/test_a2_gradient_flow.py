"""Reference checks for A2 gradient_flow.py (task 2.4): finite differences, PyTorch, vanishing/exploding regimes, purity."""

import numpy as np
import pytest

from solutions.a1_vanilla_rnn.rnn import rnn_forward
from solutions.a2_bptt_gradients.gradient_flow import hidden_gradient_norms
from solutions.a2_bptt_gradients.relu_rnn import relu_rnn_forward
from solutions.common.gradcheck import numerical_gradient, rel_error

# (N, T, D, H): N=1, T=1 and D != H are all covered.
SHAPES = [(1, 1, 3, 4), (2, 5, 3, 4), (3, 4, 6, 2), (4, 6, 5, 5)]
NONLINEARITIES = ["tanh", "relu"]
FORWARD = {"tanh": rnn_forward, "relu": relu_rnn_forward}
GRADCHECK_TOL = 1e-7
TORCH_TOL = 1e-10
KINK_MARGIN = 1e-3


def preactivations(x, h0, Wx, Wh, b, nonlinearity):
    phi = np.tanh if nonlinearity == "tanh" else (lambda a: np.maximum(a, 0.0))
    a_all, h = [], h0
    for t in range(x.shape[1]):
        a = x[:, t] @ Wx + h @ Wh + b
        a_all.append(a)
        h = phi(a)
    return np.stack(a_all, axis=1)


def make_params(rng, N, T, D, H, nonlinearity="tanh"):
    """Random parameters; for ReLU, resampled until no pre-activation is within KINK_MARGIN of 0."""
    while True:
        x = rng.standard_normal((N, T, D))
        h0 = rng.standard_normal((N, H))
        Wx = rng.standard_normal((D, H)) * 0.5
        Wh = rng.standard_normal((H, H)) * 0.7
        b = rng.standard_normal(H) * 0.5
        dh_last = rng.standard_normal((N, H))
        a = preactivations(x, h0, Wx, Wh, b, nonlinearity)
        if nonlinearity == "tanh" or np.min(np.abs(a)) > KINK_MARGIN:
            return x, h0, Wx, Wh, b, dh_last


def gaussian_with_radius(rng, H, radius):
    """Test-side reference: a Gaussian matrix rescaled to the given spectral radius."""
    G = rng.standard_normal((H, H))
    return G * radius / np.max(np.abs(np.linalg.eigvals(G)))


@pytest.mark.task2_4
@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_norms_match_finite_differences(rng, N, T, D, H, nonlinearity):
    x, h0, Wx, Wh, b, dh_last = make_params(rng, N, T, D, H, nonlinearity)
    norms = hidden_gradient_norms(x, h0, Wx, Wh, b, dh_last, nonlinearity)
    h, _ = FORWARD[nonlinearity](x, h0, Wx, Wh, b)  # (N, T, H)
    expected = np.zeros(T)
    for t in range(T):
        # L as a function of h_t alone: run the remaining steps t+1 .. T-1 from h_t.
        def loss_from(h_t, t=t):
            h_end = FORWARD[nonlinearity](x[:, t + 1:], h_t, Wx, Wh, b)[0][:, -1] if t < T - 1 else h_t
            return np.sum(dh_last * h_end)
        expected[t] = np.linalg.norm(numerical_gradient(loss_from, h[:, t].copy()))
    assert norms.shape == (T,)
    assert norms.dtype == np.float64
    assert rel_error(norms, expected) < GRADCHECK_TOL


@pytest.mark.oracle
@pytest.mark.task2_4
@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_norms_match_torch_retain_grad(torch, rng, N, T, D, H, nonlinearity):
    x, h0, Wx, Wh, b, dh_last = make_params(rng, N, T, D, H, nonlinearity)
    norms = hidden_gradient_norms(x, h0, Wx, Wh, b, dh_last, nonlinearity)
    phi = torch.tanh if nonlinearity == "tanh" else torch.relu
    Wxt, Wht, bt = (torch.from_numpy(a).clone().requires_grad_() for a in (Wx, Wh, b))
    h = torch.from_numpy(h0)
    states = []
    for t in range(T):
        h = phi(torch.from_numpy(x[:, t]) @ Wxt + h @ Wht + bt)  # h_t, a non-leaf
        h.retain_grad()
        states.append(h)
    (torch.from_numpy(dh_last) * states[-1]).sum().backward()
    ref = np.array([s.grad.norm().item() for s in states])
    assert np.max(np.abs(norms - ref)) < TORCH_TOL


@pytest.mark.task2_4
@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_last_norm_is_upstream_norm_and_sequence_of_one(rng, nonlinearity):
    x, h0, Wx, Wh, b, dh_last = make_params(rng, 3, 5, 4, 6, nonlinearity)
    norms = hidden_gradient_norms(x, h0, Wx, Wh, b, dh_last, nonlinearity)
    assert norms[-1] == pytest.approx(np.linalg.norm(dh_last), rel=1e-14)
    norms_one = hidden_gradient_norms(x[:, :1], h0, Wx, Wh, b, dh_last, nonlinearity)
    assert norms_one.shape == (1,)
    assert norms_one[0] == pytest.approx(np.linalg.norm(dh_last), rel=1e-14)


@pytest.mark.task2_4
@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_norms_obey_the_singular_value_bound(rng, nonlinearity):
    # |phi'| <= 1, so ||dL/dh_t|| <= ||dh_last|| * ||Wh||_2 ** (T-1-t).
    x, h0, Wx, Wh, b, dh_last = make_params(rng, 3, 10, 4, 6, nonlinearity)
    norms = hidden_gradient_norms(x, h0, Wx, Wh, b, dh_last, nonlinearity)
    sigma = np.linalg.norm(Wh, 2)
    distance = np.arange(10)[::-1]  # T-1-t
    bound = np.linalg.norm(dh_last) * sigma**distance
    assert np.all(norms <= bound * (1 + 1e-12))


@pytest.mark.task2_4
def test_small_spectral_radius_vanishes(rng):
    N, T, D, H = 4, 30, 3, 16
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    Wx, b = rng.standard_normal((D, H)) * 0.5, np.zeros(H)
    Wh = gaussian_with_radius(rng, H, 0.5)
    dh_last = rng.standard_normal((N, H))
    norms = hidden_gradient_norms(x, h0, Wx, Wh, b, dh_last, "tanh")
    assert norms[0] < norms[T // 2] < norms[-1]


@pytest.mark.task2_4
def test_large_spectral_radius_with_small_inputs_explodes(rng):
    # Small inputs, zero h0 and b: tanh stays in its linear regime (phi' ~ 1), so the
    # norms follow the linear prediction ||dh_last (Wh^T)^k||, which grows like 2^k.
    N, T, D, H = 3, 12, 3, 8
    x = rng.standard_normal((N, T, D)) * 1e-9
    h0, b = np.zeros((N, H)), np.zeros(H)
    Wx = rng.standard_normal((D, H))
    Wh = gaussian_with_radius(rng, H, 2.0)
    dh_last = rng.standard_normal((N, H))
    norms = hidden_gradient_norms(x, h0, Wx, Wh, b, dh_last, "tanh")
    assert norms[0] > norms[-1]
    linear = np.array([np.linalg.norm(dh_last @ np.linalg.matrix_power(Wh.T, T - 1 - t)) for t in range(T)])
    # Rigorous bound on the deviation: with D_s = diag(1 - h_s**2) = I - E_s, ||E_s||_2 <= delta,
    # || prod (D_s Wh^T) - (Wh^T)^k || <= ||Wh||_2^k ((1 + delta)^k - 1).
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    delta = np.max(h**2)
    k = np.arange(T)[::-1]
    sigma = np.linalg.norm(Wh, 2)
    slack = np.linalg.norm(dh_last) * sigma**k * ((1 + delta) ** k - 1)
    assert np.all(slack < linear)  # the regime is really near-linear, so the check is informative
    assert np.all(np.abs(norms - linear) <= slack * (1 + 1e-6) + 1e-12 * linear)


@pytest.mark.task2_4
def test_irnn_with_zero_input_keeps_norms_constant(rng):
    N, T, D, H = 3, 20, 4, 5
    x = np.zeros((N, T, D))
    h0 = np.abs(rng.standard_normal((N, H))) + 0.1  # every unit active
    Wx, Wh, b = rng.standard_normal((D, H)), np.eye(H), np.zeros(H)
    dh_last = rng.standard_normal((N, H))
    norms = hidden_gradient_norms(x, h0, Wx, Wh, b, dh_last, "relu")
    np.testing.assert_allclose(norms, np.full(T, np.linalg.norm(dh_last)), rtol=1e-12, atol=0)
    # The same set-up with tanh (and Wh = I) loses gradient at every step: tanh' < 1.
    norms_tanh = hidden_gradient_norms(x, h0, Wx, Wh, b, dh_last, "tanh")
    assert np.all(np.diff(norms_tanh) > 0)


@pytest.mark.task2_4
@pytest.mark.parametrize("nonlinearity", ["sigmoid", "ReLU", "", None])
def test_unknown_nonlinearity_raises(rng, nonlinearity):
    x, h0, Wx, Wh, b, dh_last = make_params(rng, 2, 3, 3, 4)
    with pytest.raises(ValueError):
        hidden_gradient_norms(x, h0, Wx, Wh, b, dh_last, nonlinearity)


@pytest.mark.task2_4
@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_hidden_gradient_norms_does_not_mutate_arguments(rng, nonlinearity):
    args = make_params(rng, 2, 5, 3, 4, nonlinearity)
    copies = [a.copy() for a in args]
    norms = hidden_gradient_norms(*args, nonlinearity=nonlinearity)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)
    assert norms.dtype == np.float64 and norms.shape == (5,)
