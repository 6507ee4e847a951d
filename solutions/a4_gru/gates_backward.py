"""Backward passes of the GRU's hidden-state update and candidate (PyTorch convention).

Forward (see ``gates.py``), with ah_n = ah[:, 2H:3H] the hidden half of the candidate:

    n = tanh(ax_n + r * ah_n)               # (N, H)
    h = (1 - z) * n + z * h_prev            # (N, H)

Backward, given the gradient of the loss w.r.t. h: the product rule on each
term of the update (z appears in both; h_prev appears directly, and the paths
through ah are added in ``gru.py``), then the chain rule through the candidate,
with tanh's derivative written in terms of its output n (r multiplies ah_n
after the matmul). The sigmoid gates' own derivatives are taken in
``gru_step_backward``.

Other conventions change these derivatives: in Cho et al. (2014, v3) and d2l.ai,
n = tanh(x W + (r * h_prev) U), the reset gate sits before the matmul (Tasks 4.11 and 4.12: derive its
backward yourself); with the swapped update of Chung et al. (2014) and makemore, h = z * n + (1 - z) * h_prev,
the roles of z and 1 - z exchange. This course pins PyTorch's.

References: Cho et al. (2014), arXiv 1406.1078; Chung et al. (2014),
arXiv 1412.3555; PyTorch docs, ``torch.nn.GRU``; CS231n assignment 3
(backward passes of gated units, step by step).
"""


def gru_hidden_update_backward(dh, n, z, h_prev):
    """Task 4.5: backward of h = (1 - z) n + z h_prev (product rule; only the direct path to h_prev).

    Inputs:
    - dh: upstream gradient w.r.t. h, shape (N, H)
    - n: candidate hidden state of shape (N, H)
    - z: update gate of shape (N, H)
    - h_prev: previous hidden state of shape (N, H)

    Returns a tuple of:
    - dn: gradient w.r.t. n, shape (N, H)
    - dz: gradient w.r.t. z, shape (N, H)
    - dh_prev: gradient w.r.t. h_prev through the z * h_prev term only, shape (N, H)
    """
    # BEGIN SOLUTION
    dn = dh * (1.0 - z)  # (N, H)
    dz = dh * (h_prev - n)  # (N, H)
    dh_prev = dh * z  # (N, H)
    return dn, dz, dh_prev
    # END SOLUTION


def candidate_hidden_backward(dn, n, r, ah_n):
    """Task 4.6: backward of n = tanh(ax_n + r * ah_n) (tanh's derivative in terms of n, then a sum and a product).

    Inputs:
    - dn: upstream gradient w.r.t. n, shape (N, H)
    - n: candidate hidden state of shape (N, H) (the forward output)
    - r: reset gate of shape (N, H)
    - ah_n: hidden pre-activation of the candidate, ah[:, 2H:3H], shape (N, H)

    Returns a tuple of:
    - dax_n: gradient w.r.t. ax_n = ax[:, 2H:3H], shape (N, H)
    - dah_n: gradient w.r.t. ah_n, shape (N, H)
    - dr: gradient w.r.t. r, shape (N, H)
    """
    # BEGIN SOLUTION
    dpre = dn * (1.0 - n**2)  # (N, H)
    dax_n = dpre  # (N, H)
    dah_n = dpre * r  # (N, H)
    dr = dpre * ah_n  # (N, H)
    return dax_n, dah_n, dr
    # END SOLUTION
