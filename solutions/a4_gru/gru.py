"""The GRU: one step, the sequence unroll, and backpropagation through time (PyTorch convention).

    ax = x_t Wx + bx                        # (N, 3H), gate order r, z, n
    ah = h_{t-1} Wh + bh                    # (N, 3H)
    r  = sigmoid(ax_r + ah_r)               # reset gate       (N, H)
    z  = sigmoid(ax_z + ah_z)               # update gate      (N, H)
    n  = tanh(ax_n + r * ah_n)              # candidate state  (N, H)
    h_t = (1 - z) * n + z * h_{t-1}         # new hidden state (N, H)

Shapes are batch-major: a sequence ``x`` is (N, T, D), hidden states are (N, T, H).
Weights multiply on the right: ``Wx`` is (D, 3H), ``Wh`` is (H, 3H), and the two
biases ``bx``, ``bh`` are (3H,) each and kept separate (``bh[2H:]`` is scaled by r).
PyTorch's ``nn.GRU`` stores ``weight_ih_l0`` (3H, D) = ``Wx.T``,
``weight_hh_l0`` (3H, H) = ``Wh.T``, ``bias_ih_l0`` = ``bx``, ``bias_hh_l0`` = ``bh``.

The lecture's view: a GRU has no cell state; it merges the LSTM's forget and
input gates into the update gate z (z keeps the old state, 1 - z plays the input
gate) and adds a reset gate r that decides how much of the previous hidden state
feeds the candidate (r near 0 = "reset", e.g. at the start of a new sentence).

Other texts differ, and this course pins PyTorch's convention: Cho et al. (2014,
v3) and d2l.ai "GRU from scratch" apply r before the matmul,
n = tanh(x W + (r * h_{t-1}) U); Chung et al. (2014) and Karpathy's makemore
swap z's role, h_t = z * n + (1 - z) * h_{t-1}.

Backward of one step: ``h_{t-1}`` reaches h_t along two routes, directly
through z * h_{t-1} (``gru_hidden_update_backward``), and through
ah = h_{t-1} Wh + bh, which feeds all three blocks r, z and n; at that fork the
gradients add. In between: ``candidate_hidden_backward``, the two sigmoid gates
(derivatives in terms of their outputs), the sums that feed r and z (an input
part and a hidden part), and the two affine maps as in A1's worked example.

Through time (BPTT) the upstream gradient of step t is dh[:, t] plus what step
t+1 sends back to its h_prev, and the weight gradients are accumulated.

References: Cho et al. (2014), arXiv 1406.1078; Chung et al. (2014),
arXiv 1412.3555; PyTorch docs, ``torch.nn.GRU`` and ``torch.nn.GRUCell``;
CS231n assignment 3 ``rnn_layers.py`` (step / sequence / BPTT structure).
"""

import numpy as np

from .gates import candidate_hidden, gru_hidden_update, reset_gate, update_gate
from .gates_backward import candidate_hidden_backward, gru_hidden_update_backward


def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    """Task 4.7: one GRU step: r, z, n from x Wx + bx and h_prev Wh + bh, then h_next = (1 - z) n + z h_prev.

    Inputs:
    - x: input of shape (N, D)
    - h_prev: previous hidden state of shape (N, H)
    - Wx: input-to-hidden weights of shape (D, 3H), gate order r, z, n
    - Wh: hidden-to-hidden weights of shape (H, 3H), gate order r, z, n
    - bx: input bias of shape (3H,)
    - bh: hidden bias of shape (3H,)

    Returns a tuple of:
    - h_next: next hidden state of shape (N, H)
    - cache: whatever ``gru_step_backward`` needs
    """
    # BEGIN SOLUTION
    ax = x @ Wx + bx  # (N, 3H)
    ah = h_prev @ Wh + bh  # (N, 3H)
    r = reset_gate(ax, ah)  # (N, H)
    z = update_gate(ax, ah)  # (N, H)
    n = candidate_hidden(ax, ah, r)  # (N, H)
    h_next = gru_hidden_update(n, z, h_prev)  # (N, H)
    cache = (x, h_prev, Wx, Wh, ah, r, z, n)
    return h_next, cache
    # END SOLUTION


def gru_step_backward(dh_next, cache):
    """Task 4.8: backward pass of one GRU step; h_prev is a fork (directly through z, and through ah).

    Inputs:
    - dh_next: gradient of the loss w.r.t. h_next, shape (N, H)
    - cache: the cache returned by ``gru_step_forward``

    Returns a tuple of:
    - dx: gradient w.r.t. x, shape (N, D)
    - dh_prev: gradient w.r.t. h_prev, shape (N, H)
    - dWx: gradient w.r.t. Wx, shape (D, 3H)
    - dWh: gradient w.r.t. Wh, shape (H, 3H)
    - dbx: gradient w.r.t. bx, shape (3H,)
    - dbh: gradient w.r.t. bh, shape (3H,)
    """
    # BEGIN SOLUTION
    x, h_prev, Wx, Wh, ah, r, z, n = cache
    H = h_prev.shape[1]
    dn, dz, dh_direct = gru_hidden_update_backward(dh_next, n, z, h_prev)  # (N, H) each
    dax_n, dah_n, dr = candidate_hidden_backward(dn, n, r, ah[:, 2 * H :])  # (N, H) each
    da_r = dr * r * (1.0 - r)  # (N, H)
    da_z = dz * z * (1.0 - z)  # (N, H)
    dax = np.concatenate([da_r, da_z, dax_n], axis=1)  # (N, 3H)
    dah = np.concatenate([da_r, da_z, dah_n], axis=1)  # (N, 3H)
    dx = dax @ Wx.T  # (N, D)
    dh_prev = dh_direct + dah @ Wh.T  # (N, H)
    dWx = x.T @ dax  # (D, 3H)
    dWh = h_prev.T @ dah  # (H, 3H)
    dbx = dax.sum(axis=0)  # (3H,)
    dbh = dah.sum(axis=0)  # (3H,)
    return dx, dh_prev, dWx, dWh, dbx, dbh
    # END SOLUTION


def gru_forward(x, h0, Wx, Wh, bx, bh):
    """Task 4.9: unroll the GRU over a sequence, h_t = gru_step(x_t, h_{t-1}), starting from h0.

    Inputs:
    - x: input sequence of shape (N, T, D)
    - h0: initial hidden state of shape (N, H)
    - Wx: input-to-hidden weights of shape (D, 3H), gate order r, z, n
    - Wh: hidden-to-hidden weights of shape (H, 3H), gate order r, z, n
    - bx: input bias of shape (3H,)
    - bh: hidden bias of shape (3H,)

    Returns a tuple of:
    - h: hidden states for every time step, shape (N, T, H) (h0 not included)
    - cache: whatever ``gru_backward`` needs
    """
    # BEGIN SOLUTION
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H), dtype=np.float64)  # (N, T, H)
    step_caches = []
    h_prev = h0
    for t in range(T):
        h_prev, step_cache = gru_step_forward(x[:, t], h_prev, Wx, Wh, bx, bh)
        h[:, t] = h_prev
        step_caches.append(step_cache)
    return h, step_caches
    # END SOLUTION


def gru_backward(dh, cache):
    """Task 4.10: BPTT through the GRU: add the gradient from the future, accumulate dWx, dWh, dbx, dbh.

    Inputs:
    - dh: upstream gradient w.r.t. every hidden state, shape (N, T, H)
      (only the direct contribution of the loss; the gradient that flows back
      from step t+1 is added inside this function)
    - cache: the cache returned by ``gru_forward``

    Returns a tuple of:
    - dx: gradient w.r.t. the inputs, shape (N, T, D)
    - dh0: gradient w.r.t. the initial hidden state, shape (N, H)
    - dWx: gradient w.r.t. Wx, shape (D, 3H)
    - dWh: gradient w.r.t. Wh, shape (H, 3H)
    - dbx: gradient w.r.t. bx, shape (3H,)
    - dbh: gradient w.r.t. bh, shape (3H,)
    """
    # BEGIN SOLUTION
    step_caches = cache
    N, T, H = dh.shape
    D = step_caches[0][0].shape[1]
    dx = np.zeros((N, T, D), dtype=np.float64)
    dWx = np.zeros((D, 3 * H), dtype=np.float64)
    dWh = np.zeros((H, 3 * H), dtype=np.float64)
    dbx = np.zeros(3 * H, dtype=np.float64)
    dbh = np.zeros(3 * H, dtype=np.float64)
    dh_future = np.zeros((N, H), dtype=np.float64)
    for t in reversed(range(T)):
        dx_t, dh_future, dWx_t, dWh_t, dbx_t, dbh_t = gru_step_backward(dh[:, t] + dh_future, step_caches[t])
        dx[:, t] = dx_t
        dWx += dWx_t
        dWh += dWh_t
        dbx += dbx_t
        dbh += dbh_t
    return dx, dh_future, dWx, dWh, dbx, dbh
    # END SOLUTION
