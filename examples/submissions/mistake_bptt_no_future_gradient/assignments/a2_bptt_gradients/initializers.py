"""Initialisations of the recurrent matrix Wh and what they do to gradient flow.

The gradient from step T-1 to step t is multiplied by (T-1-t) factors
diag(phi'(a_s)) Wh^T, so the scale of Wh at initialisation decides whether it
vanishes or explodes (Pascanu et al. 2013):

    spectral radius (Task 2.5):  W = G * radius / max_i |lambda_i(G)|,  G ~ N(0, 1)^(H x H)
        rho(W) = radius exactly; rho < 1 -> vanishing, rho > 1 -> exploding
        in the linear regime (echo-state networks use rho slightly below 1).

    orthogonal (Task 2.6):       G = Q R (QR decomposition), W = gain * Q diag(sign(diag(R)))
        W^T W = gain^2 I: every singular value equals gain, so a linear RNN
        preserves norms exactly when gain = 1. Fixing the signs by diag(R)
        makes Q the unique QR factor with a positive-diagonal R, hence
        Haar-distributed (Mezzadri 2007), as in ``torch.nn.init.orthogonal_``.

    identity (Task 2.7):         W = scale * I
        the IRNN initialisation of Le, Jaitly & Hinton (2015) for ReLU RNNs.

References: Saxe, McClelland & Ganguli (2014), "Exact solutions to the nonlinear
dynamics of learning in deep linear neural networks"; Le, Jaitly & Hinton (2015),
"A simple way to initialize recurrent networks of rectified linear units";
Jaeger (2001), echo-state networks; Mezzadri (2007), "How to generate random
matrices from the classical compact groups"; PyTorch docs ``torch.nn.init``.
"""

import numpy as np


def init_spectral_radius(H, radius, rng):
    """Task 2.5: a Gaussian (H, H) matrix rescaled so that max |eigenvalue| == radius.

    Inputs:
    - H: hidden size (positive int)
    - radius: positive float, the wanted spectral radius
    - rng: ``np.random.Generator``; W is ``rng.standard_normal((H, H))`` times a positive scalar

    Returns:
    - W: float64 array of shape (H, H) with spectral radius ``radius``
    """
    # BEGIN SOLUTION
    G = rng.standard_normal((H, H))  # (H, H)
    rho = np.max(np.abs(np.linalg.eigvals(G)))
    return G * (radius / rho)
    # END SOLUTION


def init_orthogonal(H, rng, gain=1.0):
    """Task 2.6: gain * Q, Q the orthogonal QR factor of a Gaussian matrix with columns times sign(diag(R)).

    Inputs:
    - H: hidden size (positive int)
    - rng: ``np.random.Generator``; the Gaussian matrix is ``rng.standard_normal((H, H))``
    - gain: float, the common value of all singular values of W

    Returns:
    - W: float64 array of shape (H, H) with W^T W = gain**2 I
    """
    # BEGIN SOLUTION
    G = rng.standard_normal((H, H))  # (H, H)
    Q, R = np.linalg.qr(G)
    Q = Q * np.sign(np.diag(R))  # scale column j by sign(R_jj)
    return gain * Q
    # END SOLUTION


def init_identity(H, scale=1.0):
    """Task 2.7: W = scale * I, the IRNN recurrent matrix.

    Inputs:
    - H: hidden size (positive int)
    - scale: float multiplying the identity

    Returns:
    - W: float64 array of shape (H, H)
    """
    # BEGIN SOLUTION
    return scale * np.eye(H, dtype=np.float64)
    # END SOLUTION
