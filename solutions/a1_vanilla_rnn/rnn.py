"""The vanilla RNN: one step, the sequence unroll, and backpropagation through time.

    a_t = x_t Wx + h_{t-1} Wh + b          # (N, H)
    h_t = tanh(a_t)                        # (N, H)

Shapes are batch-major: a sequence ``x`` is (N, T, D), hidden states are (N, T, H).
Weights multiply on the right: ``Wx`` is (D, H), ``Wh`` is (H, H), ``b`` is (H,).
PyTorch's ``nn.RNN`` stores ``weight_ih`` (H, D) = ``Wx.T``, ``weight_hh`` = ``Wh.T``
and two biases whose sum is ``b``.

Backward of one step (Task 1.2) is the course's worked example: its derivation
is in the handout (chain rule through tanh, with tanh' written in terms of the
output h_t, then through the affine map).

Backpropagation through time (BPTT, Task 1.4): the loss reaches ``h_t`` both
directly (upstream ``dh[:, t]``) and through every later step. At such a fork
the gradients add; the weights are shared by every step, so their gradients
add up over time too. Walk t = T-1 .. 0 and reuse the step backward.

References: Elman (1990); Werbos (1990), "Backpropagation through time";
CS231n assignment 3 ``rnn_layers.py``; Goodfellow et al., *Deep Learning*, ch. 10.
"""

import numpy as np


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    """Task 1.1: one tanh RNN step, h_next = tanh(x Wx + h_prev Wh + b).

    Inputs:
    - x: input of shape (N, D)
    - h_prev: previous hidden state of shape (N, H)
    - Wx: input-to-hidden weights of shape (D, H)
    - Wh: hidden-to-hidden weights of shape (H, H)
    - b: bias of shape (H,)

    Returns a tuple of:
    - h_next: next hidden state of shape (N, H)
    - cache: whatever ``rnn_step_backward`` needs
    """
    # BEGIN SOLUTION
    h_next = np.tanh(x @ Wx + h_prev @ Wh + b)  # (N, H)
    cache = (x, h_prev, Wx, Wh, h_next)
    return h_next, cache
    # END SOLUTION


def rnn_step_backward(dh_next, cache):
    """Task 1.2: backward pass of one RNN step (the worked example of the handout).

    Inputs:
    - dh_next: gradient of the loss w.r.t. h_next, shape (N, H)
    - cache: the cache returned by ``rnn_step_forward``

    Returns a tuple of:
    - dx: gradient w.r.t. x, shape (N, D)
    - dh_prev: gradient w.r.t. h_prev, shape (N, H)
    - dWx: gradient w.r.t. Wx, shape (D, H)
    - dWh: gradient w.r.t. Wh, shape (H, H)
    - db: gradient w.r.t. b, shape (H,)
    """
    # BEGIN SOLUTION
    x, h_prev, Wx, Wh, h_next = cache
    da = dh_next * (1.0 - h_next**2)  # (N, H)
    dx = da @ Wx.T  # (N, D)
    dh_prev = da @ Wh.T  # (N, H)
    dWx = x.T @ da  # (D, H)
    dWh = h_prev.T @ da  # (H, H)
    db = da.sum(axis=0)  # (H,)
    return dx, dh_prev, dWx, dWh, db
    # END SOLUTION


def rnn_forward(x, h0, Wx, Wh, b):
    """Task 1.3: unroll the RNN over a sequence, h_t = tanh(x_t Wx + h_{t-1} Wh + b), starting from h0.

    Inputs:
    - x: input sequence of shape (N, T, D)
    - h0: initial hidden state of shape (N, H)
    - Wx: input-to-hidden weights of shape (D, H)
    - Wh: hidden-to-hidden weights of shape (H, H)
    - b: bias of shape (H,)

    Returns a tuple of:
    - h: hidden states for every time step, shape (N, T, H) (h0 not included)
    - cache: whatever ``rnn_backward`` needs
    """
    # BEGIN SOLUTION
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H), dtype=np.float64)  # (N, T, H)
    step_caches = []
    h_prev = h0
    for t in range(T):
        h_prev, step_cache = rnn_step_forward(x[:, t], h_prev, Wx, Wh, b)
        h[:, t] = h_prev
        step_caches.append(step_cache)
    return h, step_caches
    # END SOLUTION


def rnn_backward(dh, cache):
    """Task 1.4: BPTT over the whole sequence: add the gradient from the future, accumulate weight gradients.

    Inputs:
    - dh: upstream gradient w.r.t. every hidden state, shape (N, T, H)
      (only the direct contribution of the loss; the gradient that flows back
      from step t+1 is added inside this function)
    - cache: the cache returned by ``rnn_forward``

    Returns a tuple of:
    - dx: gradient w.r.t. the inputs, shape (N, T, D)
    - dh0: gradient w.r.t. the initial hidden state, shape (N, H)
    - dWx: gradient w.r.t. Wx, shape (D, H)
    - dWh: gradient w.r.t. Wh, shape (H, H)
    - db: gradient w.r.t. b, shape (H,)
    """
    # BEGIN SOLUTION
    step_caches = cache
    N, T, H = dh.shape
    D = step_caches[0][0].shape[1]
    dx = np.zeros((N, T, D), dtype=np.float64)
    dWx = np.zeros((D, H), dtype=np.float64)
    dWh = np.zeros((H, H), dtype=np.float64)
    db = np.zeros(H, dtype=np.float64)
    dh_future = np.zeros((N, H), dtype=np.float64)
    for t in reversed(range(T)):
        dx_t, dh_future, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dh_future, step_caches[t])
        dx[:, t] = dx_t
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dh_future, dWx, dWh, db
    # END SOLUTION
