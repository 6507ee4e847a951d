"""The ReLU RNN step (and the IRNN of Le, Jaitly & Hinton 2015).

    a_t = x_t Wx + h_{t-1} Wh + b          # (N, H)
    h_t = max(0, a_t)                      # (N, H)

Backward through one step: the worked example of A1 (Task 1.2) with ReLU's
derivative in place of tanh's. Derive it on both sides of 0; at a == 0 take the
derivative 0, like PyTorch.

IRNN: a ReLU RNN with Wh initialised to the identity (or a scaled identity)
and b = 0. With zero input the state is then copied unchanged from step to
step, h_t = max(0, h_{t-1}) = h_{t-1} for h_{t-1} >= 0. The gradient is
copied unchanged only through the active units (h > 0); a unit at 0 passes
none. So at initialisation the gradient of the active units neither vanishes
nor explodes over long ranges, unlike a tanh RNN with a random Wh.
Le et al. show that this simple RNN learns the adding problem and pixel-by-pixel
MNIST, tasks that usually need an LSTM.

The sequence versions ``relu_rnn_forward`` / ``relu_rnn_backward`` are provided
(not graded): the same unroll and BPTT as in A1, built on the step functions.
They match ``torch.nn.RNN(nonlinearity="relu")`` with ``weight_ih = Wx.T``,
``weight_hh = Wh.T`` and ``bias_ih + bias_hh = b``.

References: Le, Jaitly & Hinton (2015), "A simple way to initialize recurrent
networks of rectified linear units"; Nair & Hinton (2010) (ReLU);
PyTorch docs ``torch.nn.RNN``.
"""

import numpy as np


def relu_rnn_step_forward(x, h_prev, Wx, Wh, b):
    """Task 2.8: one ReLU RNN step, h_next = max(0, x Wx + h_prev Wh + b).

    Inputs:
    - x: input of shape (N, D)
    - h_prev: previous hidden state of shape (N, H)
    - Wx: input-to-hidden weights of shape (D, H)
    - Wh: hidden-to-hidden weights of shape (H, H)
    - b: bias of shape (H,)

    Returns a tuple of:
    - h_next: next hidden state of shape (N, H)
    - cache: whatever ``relu_rnn_step_backward`` needs
    """
    # TODO: Task 2.8 — h_next = max(0, x @ Wx + h_prev @ Wh + b)
    raise NotImplementedError("Task 2.8: relu_rnn_step_forward")


def relu_rnn_step_backward(dh_next, cache):
    """Task 2.9: backward pass of one ReLU RNN step (Task 1.2 with ReLU's derivative).

    Inputs:
    - dh_next: gradient of the loss w.r.t. h_next, shape (N, H)
    - cache: the cache returned by ``relu_rnn_step_forward``

    Returns a tuple of:
    - dx: gradient w.r.t. x, shape (N, D)
    - dh_prev: gradient w.r.t. h_prev, shape (N, H)
    - dWx: gradient w.r.t. Wx, shape (D, H)
    - dWh: gradient w.r.t. Wh, shape (H, H)
    - db: gradient w.r.t. b, shape (H,)
    """
    # TODO: Task 2.9 — Task 1.2 with another local derivative
    raise NotImplementedError("Task 2.9: relu_rnn_step_backward")


def relu_rnn_forward(x, h0, Wx, Wh, b):
    """Provided: unroll the ReLU RNN over a sequence, starting from h0.

    Inputs:
    - x: input sequence of shape (N, T, D)
    - h0: initial hidden state of shape (N, H)
    - Wx, Wh, b: weights of shapes (D, H), (H, H) and (H,)

    Returns a tuple of:
    - h: hidden states of shape (N, T, H) (h0 not included)
    - cache: list of the step caches, for ``relu_rnn_backward``
    """
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]), dtype=np.float64)  # (N, T, H)
    caches = []
    h_prev = h0
    for t in range(T):
        h_prev, step_cache = relu_rnn_step_forward(x[:, t], h_prev, Wx, Wh, b)
        h[:, t] = h_prev
        caches.append(step_cache)
    return h, caches


def relu_rnn_backward(dh, cache):
    """Provided: BPTT through the ReLU RNN (the gradient from step t+1 is added at step t).

    Inputs:
    - dh: upstream gradient w.r.t. every hidden state, shape (N, T, H)
    - cache: the cache returned by ``relu_rnn_forward``

    Returns a tuple of:
    - dx: (N, T, D), dh0: (N, H), dWx: (D, H), dWh: (H, H), db: (H,)
    """
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D), dtype=np.float64)
    dWx = np.zeros((D, H), dtype=np.float64)
    dWh = np.zeros((H, H), dtype=np.float64)
    db = np.zeros(H, dtype=np.float64)
    dh_future = np.zeros((N, H), dtype=np.float64)
    for t in reversed(range(T)):
        dx[:, t], dh_future, dWx_t, dWh_t, db_t = relu_rnn_step_backward(dh[:, t] + dh_future, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dh_future, dWx, dWh, db
