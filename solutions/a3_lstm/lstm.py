"""The LSTM layer: one step from the gate functions, the sequence unroll and BPTT with two carried states.

One step (blocks of ``a`` in the PyTorch order i, f, g, o):

    a_t = x_t Wx + h_{t-1} Wh + b                      # (N, 4H)
    i_t, f_t, g_t, o_t = sigmoid, sigmoid, tanh, sigmoid of the four blocks
    c_t = f_t * c_{t-1} + i_t * g_t                    # (N, H)
    h_t = o_t * tanh(c_t)                              # (N, H)

Shapes are batch-major: ``x`` is (N, T, D), hidden states are (N, T, H).
``Wx`` is (D, 4H), ``Wh`` is (H, 4H), ``b`` is (4H,). PyTorch's ``nn.LSTM`` stores
``weight_ih`` (4H, D) = ``Wx.T``, ``weight_hh`` (4H, H) = ``Wh.T`` and two biases
whose sum is ``b``. The sequence forward starts from a given h0 and from c0 = 0
(the CS231n convention); only the hidden states are returned.

Backward through one step, given the gradients dh_next and dc_next that reach
h_t and c_t from above and from the future: c_t reaches the loss through h_t and
through the next step (a fork: the gradients add); then the gate backward passes
of ``gates_backward.py``, then the affine map as in A1's worked example.

Through time both dh and dc are carried backwards; the dc coming from beyond
the last step is zero (the loss sees only h), and the weight gradients are
accumulated over all steps.

WARNING: CS231n's ``lstm_step_forward`` orders the gates i, f, o, g; this course
uses PyTorch's i, f, g, o (see ``gates.py``).

References: Hochreiter & Schmidhuber (1997); Gers et al. (2000); Graves (2013),
"Generating sequences with recurrent neural networks"; CS231n assignment 3
``rnn_layers.py`` (lstm_*); PyTorch documentation of ``torch.nn.LSTM``.
"""

import numpy as np

from .gates import cell_candidate, cell_state_update, forget_gate, hidden_state, input_gate, output_gate
from .gates_backward import cell_state_update_backward, gate_preactivation_backward, hidden_state_backward


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """Task 3.10: one LSTM step: a = x Wx + h_prev Wh + b, gates i, f, g, o, c = f c_prev + i g, h = o tanh(c).

    Inputs:
    - x: input of shape (N, D)
    - h_prev: previous hidden state of shape (N, H)
    - c_prev: previous cell state of shape (N, H)
    - Wx: input-to-hidden weights of shape (D, 4H)
    - Wh: hidden-to-hidden weights of shape (H, 4H)
    - b: bias of shape (4H,)

    Returns a tuple of:
    - h_next: next hidden state of shape (N, H)
    - c_next: next cell state of shape (N, H)
    - cache: whatever ``lstm_step_backward`` needs
    """
    # BEGIN SOLUTION
    a = x @ Wx + h_prev @ Wh + b  # (N, 4H)
    i = input_gate(a)  # (N, H)
    f = forget_gate(a)  # (N, H)
    g = cell_candidate(a)  # (N, H)
    o = output_gate(a)  # (N, H)
    c_next = cell_state_update(c_prev, f, i, g)  # (N, H)
    h_next = hidden_state(c_next, o)  # (N, H)
    cache = (x, h_prev, c_prev, Wx, Wh, i, f, g, o, c_next)
    return h_next, c_next, cache
    # END SOLUTION


def lstm_step_backward(dh_next, dc_next, cache):
    """Task 3.11: backward of one LSTM step; c is a fork (through h, and to the next step).

    Inputs:
    - dh_next: gradient of the loss w.r.t. h_next, shape (N, H)
    - dc_next: gradient of the loss w.r.t. c_next, shape (N, H)
    - cache: the cache returned by ``lstm_step_forward``

    Returns a tuple of:
    - dx: gradient w.r.t. x, shape (N, D)
    - dh_prev: gradient w.r.t. h_prev, shape (N, H)
    - dc_prev: gradient w.r.t. c_prev, shape (N, H)
    - dWx: gradient w.r.t. Wx, shape (D, 4H)
    - dWh: gradient w.r.t. Wh, shape (H, 4H)
    - db: gradient w.r.t. b, shape (4H,)
    """
    # BEGIN SOLUTION
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, c_next = cache
    dc_from_h, do = hidden_state_backward(dh_next, c_next, o)  # (N, H) each
    dc = dc_next + dc_from_h  # (N, H)
    dc_prev, df, di, dg = cell_state_update_backward(dc, c_prev, f, i, g)  # (N, H) each
    da = gate_preactivation_backward(di, df, dg, do, i, f, g, o)  # (N, 4H)
    dx = da @ Wx.T  # (N, D)
    dh_prev = da @ Wh.T  # (N, H)
    dWx = x.T @ da  # (D, 4H)
    dWh = h_prev.T @ da  # (H, 4H)
    db = da.sum(axis=0)  # (4H,)
    return dx, dh_prev, dc_prev, dWx, dWh, db
    # END SOLUTION


def lstm_forward(x, h0, Wx, Wh, b):
    """Task 3.12: unroll the LSTM over a sequence from h0 and c0 = 0; return the hidden states only.

    Inputs:
    - x: input sequence of shape (N, T, D)
    - h0: initial hidden state of shape (N, H)
    - Wx: input-to-hidden weights of shape (D, 4H)
    - Wh: hidden-to-hidden weights of shape (H, 4H)
    - b: bias of shape (4H,)

    Returns a tuple of:
    - h: hidden states for every time step, shape (N, T, H) (h0 not included)
    - cache: whatever ``lstm_backward`` needs
    """
    # BEGIN SOLUTION
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H), dtype=np.float64)  # (N, T, H)
    step_caches = []
    h_prev = h0
    c_prev = np.zeros((N, H), dtype=np.float64)  # c0 = 0
    for t in range(T):
        h_prev, c_prev, step_cache = lstm_step_forward(x[:, t], h_prev, c_prev, Wx, Wh, b)
        h[:, t] = h_prev
        step_caches.append(step_cache)
    return h, step_caches
    # END SOLUTION


def lstm_backward(dh, cache):
    """Task 3.13: BPTT through the LSTM: carry dh and dc backwards (dc starts at 0), accumulate weight gradients.

    Inputs:
    - dh: upstream gradient w.r.t. every hidden state, shape (N, T, H)
      (only the direct contribution of the loss; the gradients that flow back
      from step t+1 through h and c are added inside this function)
    - cache: the cache returned by ``lstm_forward``

    Returns a tuple of:
    - dx: gradient w.r.t. the inputs, shape (N, T, D)
    - dh0: gradient w.r.t. the initial hidden state, shape (N, H)
    - dWx: gradient w.r.t. Wx, shape (D, 4H)
    - dWh: gradient w.r.t. Wh, shape (H, 4H)
    - db: gradient w.r.t. b, shape (4H,)
    """
    # BEGIN SOLUTION
    step_caches = cache
    N, T, H = dh.shape
    D = step_caches[0][0].shape[1]
    dx = np.zeros((N, T, D), dtype=np.float64)  # (N, T, D)
    dWx = np.zeros((D, 4 * H), dtype=np.float64)
    dWh = np.zeros((H, 4 * H), dtype=np.float64)
    db = np.zeros(4 * H, dtype=np.float64)
    dh_future = np.zeros((N, H), dtype=np.float64)
    dc_future = np.zeros((N, H), dtype=np.float64)  # the loss does not see c_T
    for t in reversed(range(T)):
        dx_t, dh_future, dc_future, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh[:, t] + dh_future, dc_future, step_caches[t]
        )
        dx[:, t] = dx_t
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dh_future, dWx, dWh, db
    # END SOLUTION
