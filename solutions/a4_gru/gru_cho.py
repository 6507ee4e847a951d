"""The GRU of Cho et al. (2014) and d2l.ai: the reset gate applied *before* the matrix product.

This module is the one place of the course where the reset gate multiplies the
hidden state itself, not its product with the weights. Everything else is as in
``gru.py`` (gate order r, z, n; weights on the right; two biases; z keeps the old state):

    ax = x Wx + bx                                   # (N, 3H), blocks r, z, n
    r  = sigmoid(ax_r + h_prev Wh_r + bh_r)          # reset gate        (N, H)
    z  = sigmoid(ax_z + h_prev Wh_z + bh_z)          # update gate       (N, H)
    n  = tanh(ax_n + (r * h_prev) Wh_n + bh_n)       # candidate state   (N, H)
    h_next = (1 - z) * n + z * h_prev                # new hidden state  (N, H)

where Wh_r, Wh_z, Wh_n are the column blocks Wh[:, 0:H], Wh[:, H:2H], Wh[:, 2H:3H]
and bh_r, bh_z, bh_n the blocks of bh. In words: the reset gate decides, unit by
unit, how much of the previous state enters the matrix product that builds the
candidate; the bias bh_n is *not* scaled by r.

No backward formula is given for this cell: derive it. The method is the one of
the other tasks: write the forward as a chain of small operations, go through
them in reverse order with the chain rule, and where a value is used more than
once (h_prev is used by r, by z, by the candidate through r * h_prev, and by the
final update) add up the gradients of all its uses. Keep in the cache what the
backward needs. The graders check your backward numerically against your own
forward, and against the reference on fresh random inputs.

PyTorch has no such cell (``torch.nn.GRU`` applies r after the product), so
there is no library to compare with: the gradient check is your test.

References: Cho et al. (2014), "Learning Phrase Representations using RNN
Encoder-Decoder for Statistical Machine Translation", arXiv 1406.1078, eq. (8);
d2l.ai, chapter "Gated Recurrent Units (GRU)", section "Implementation from Scratch".
"""

import numpy as np

from .gates import gru_hidden_update, reset_gate, update_gate
from .gates_backward import gru_hidden_update_backward


def gru_cho_step_forward(x, h_prev, Wx, Wh, bx, bh):
    """Task 4.11: one GRU step with the reset gate applied to h_prev before the matrix product (Cho et al.).

    Inputs:
    - x: input of shape (N, D)
    - h_prev: previous hidden state of shape (N, H)
    - Wx: input-to-hidden weights of shape (D, 3H), gate order r, z, n
    - Wh: hidden-to-hidden weights of shape (H, 3H), gate order r, z, n
    - bx: input bias of shape (3H,)
    - bh: hidden bias of shape (3H,)

    Returns a tuple of:
    - h_next: next hidden state of shape (N, H)
    - cache: whatever ``gru_cho_step_backward`` needs
    """
    # BEGIN SOLUTION
    H = h_prev.shape[1]
    ax = x @ Wx + bx  # (N, 3H)
    ah = h_prev @ Wh + bh  # (N, 3H); only its r and z blocks are used
    r = reset_gate(ax, ah)  # (N, H)
    z = update_gate(ax, ah)  # (N, H)
    reset_h = r * h_prev  # (N, H): the reset gate acts before the product
    n = np.tanh(ax[:, 2 * H:] + reset_h @ Wh[:, 2 * H:] + bh[2 * H:])  # (N, H)
    h_next = gru_hidden_update(n, z, h_prev)  # (N, H)
    cache = (x, h_prev, Wx, Wh, r, z, n, reset_h)
    return h_next, cache
    # END SOLUTION


def gru_cho_step_backward(dh_next, cache):
    """Task 4.12: backward pass of ``gru_cho_step_forward``.

    Inputs:
    - dh_next: gradient of the loss w.r.t. h_next, shape (N, H)
    - cache: the cache returned by ``gru_cho_step_forward``

    Returns a tuple of:
    - dx: gradient w.r.t. x, shape (N, D)
    - dh_prev: gradient w.r.t. h_prev, shape (N, H)
    - dWx: gradient w.r.t. Wx, shape (D, 3H)
    - dWh: gradient w.r.t. Wh, shape (H, 3H)
    - dbx: gradient w.r.t. bx, shape (3H,)
    - dbh: gradient w.r.t. bh, shape (3H,)
    """
    # BEGIN SOLUTION
    x, h_prev, Wx, Wh, r, z, n, reset_h = cache
    H = h_prev.shape[1]
    dn, dz, dh_direct = gru_hidden_update_backward(dh_next, n, z, h_prev)  # (N, H) each
    da_n = dn * (1.0 - n ** 2)  # (N, H): through the tanh
    dreset_h = da_n @ Wh[:, 2 * H:].T  # (N, H): through the product (r * h_prev) Wh_n
    dr = dreset_h * h_prev  # (N, H)
    da_rz = np.concatenate([dr * r * (1.0 - r), dz * z * (1.0 - z)], axis=1)  # (N, 2H): through the sigmoids
    dax = np.concatenate([da_rz, da_n], axis=1)  # (N, 3H)
    dx = dax @ Wx.T  # (N, D)
    # h_prev's four uses: the update, r * h_prev, and the r and z pre-activations
    dh_prev = dh_direct + dreset_h * r + da_rz @ Wh[:, :2 * H].T  # (N, H)
    dWx = x.T @ dax  # (D, 3H)
    dWh = np.concatenate([h_prev.T @ da_rz, reset_h.T @ da_n], axis=1)  # (H, 3H)
    dbx = dax.sum(axis=0)  # (3H,)
    dbh = np.concatenate([da_rz.sum(axis=0), da_n.sum(axis=0)])  # (3H,)
    return dx, dh_prev, dWx, dWh, dbx, dbh
    # END SOLUTION
