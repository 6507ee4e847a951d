"""Reference checks for A2 initializers.py (tasks 2.5-2.7): spectral radius, orthogonality, exact draws, determinism."""

import numpy as np
import pytest

from solutions.a2_bptt_gradients.initializers import init_identity, init_orthogonal, init_spectral_radius

SIZES = [1, 2, 5, 16, 64]
SEED = 231


def spectral_radius(W):
    return float(np.max(np.abs(np.linalg.eigvals(W))))


@pytest.mark.task2_5
@pytest.mark.parametrize("H", SIZES)
@pytest.mark.parametrize("radius", [0.5, 1.0, 1.5])
def test_spectral_radius_is_exact(H, radius):
    W = init_spectral_radius(H, radius, np.random.default_rng(SEED))
    assert W.shape == (H, H) and W.dtype == np.float64
    assert spectral_radius(W) == pytest.approx(radius, rel=1e-10)


@pytest.mark.task2_5
@pytest.mark.parametrize("H", SIZES)
def test_spectral_radius_rescales_the_generators_gaussian_draw(H):
    # W must be rng.standard_normal((H, H)) times a positive scalar (the hidden graders
    # reproduce the draw from the seed).
    W = init_spectral_radius(H, 0.9, np.random.default_rng(SEED))
    G = np.random.default_rng(SEED).standard_normal((H, H))
    scale = np.sum(W * G) / np.sum(G * G)
    assert scale > 0
    np.testing.assert_allclose(W, scale * G, rtol=1e-12, atol=0)
    assert scale == pytest.approx(0.9 / spectral_radius(G), rel=1e-10)


@pytest.mark.task2_5
@pytest.mark.task2_6
def test_initialisers_are_deterministic_given_the_seed():
    for init in (lambda rng: init_spectral_radius(8, 1.2, rng), lambda rng: init_orthogonal(8, rng, gain=0.7)):
        a = init(np.random.default_rng(SEED))
        b = init(np.random.default_rng(SEED))
        c = init(np.random.default_rng(SEED + 1))
        np.testing.assert_array_equal(a, b)
        assert not np.allclose(a, c)


@pytest.mark.task2_6
@pytest.mark.parametrize("H", SIZES)
@pytest.mark.parametrize("gain", [1.0, 0.5, 2.0])
def test_orthogonal_has_all_singular_values_equal_to_gain(H, gain):
    W = init_orthogonal(H, np.random.default_rng(SEED), gain=gain)
    assert W.shape == (H, H) and W.dtype == np.float64
    eye = np.eye(H)
    np.testing.assert_allclose(W.T @ W, gain**2 * eye, rtol=0, atol=1e-12 * H * gain**2)
    np.testing.assert_allclose(W @ W.T, gain**2 * eye, rtol=0, atol=1e-12 * H * gain**2)
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), gain, rtol=1e-12)


@pytest.mark.task2_6
@pytest.mark.parametrize("H", SIZES)
def test_orthogonal_is_the_unique_qr_factor_with_positive_diagonal(H):
    # For an invertible G there is exactly one Q with G = Q R, Q orthogonal, R upper triangular
    # with a positive diagonal: that is what the sign fix selects. So R = Q^T G must be such an R.
    gain = 1.5
    W = init_orthogonal(H, np.random.default_rng(SEED), gain=gain)
    G = np.random.default_rng(SEED).standard_normal((H, H))
    R = (W / gain).T @ G
    scale = np.max(np.abs(R))
    np.testing.assert_allclose(np.tril(R, k=-1), 0.0, rtol=0, atol=1e-12 * scale)
    assert np.all(np.diag(R) > 0)


@pytest.mark.oracle
@pytest.mark.task2_6
@pytest.mark.parametrize("H", SIZES)
def test_orthogonal_matches_torch_qr_with_sign_fix(torch, H):
    # torch.nn.init.orthogonal_ draws with torch's own generator; on the same Gaussian matrix
    # its algorithm (linalg.qr, then q *= sign(diag(r))) must give the same W.
    W = init_orthogonal(H, np.random.default_rng(SEED), gain=0.8)
    G = torch.from_numpy(np.random.default_rng(SEED).standard_normal((H, H)))
    q, r = torch.linalg.qr(G)
    q = q * torch.diag(r).sign()
    assert np.max(np.abs(W - 0.8 * q.numpy())) < 1e-10


@pytest.mark.task2_7
@pytest.mark.parametrize("H", SIZES)
@pytest.mark.parametrize("scale", [1.0, 0.5, 0.0])
def test_identity(H, scale):
    W = init_identity(H, scale)
    assert W.shape == (H, H) and W.dtype == np.float64
    np.testing.assert_array_equal(W, scale * np.eye(H))
    np.testing.assert_array_equal(init_identity(H), np.eye(H))


@pytest.mark.task2_5
@pytest.mark.task2_6
@pytest.mark.task2_7
def test_spectral_radius_of_the_three_initialisations():
    # Orthogonal and identity matrices have every |eigenvalue| equal to the gain / scale.
    H = 12
    W_orth = init_orthogonal(H, np.random.default_rng(SEED), gain=0.9)
    np.testing.assert_allclose(np.abs(np.linalg.eigvals(W_orth)), 0.9, rtol=1e-10)
    assert spectral_radius(init_identity(H, 0.9)) == pytest.approx(0.9, rel=1e-14)
    assert spectral_radius(init_spectral_radius(H, 0.9, np.random.default_rng(SEED))) == pytest.approx(0.9, rel=1e-10)
