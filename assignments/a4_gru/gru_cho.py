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
    # TODO: Task 4.11 — the r and z gates are as in Task 4.7; the candidate's hidden part is (r * h_prev) @ Wh[:, 2H:] + bh[2H:]: r multiplies h_prev before the product, and bh_n is not scaled by r
    raise NotImplementedError("Task 4.11: gru_cho_step_forward")


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
    # TODO: Task 4.12 — no formula is given: write the forward as small operations, go back through them with the chain rule, and add up the gradients of every use of h_prev; the gradient check compares your backward with your own forward
    raise NotImplementedError("Task 4.12: gru_cho_step_backward")
