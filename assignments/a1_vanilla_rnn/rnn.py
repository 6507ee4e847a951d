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
    # TODO: Task 1.1 — h_next = tanh(x @ Wx + h_prev @ Wh + b); keep what the backward pass needs in the cache
    raise NotImplementedError("Task 1.1: rnn_step_forward")


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
    # TODO: Task 1.2 — derive it with the worked example of the handout (The RNN step); the gradient check tells you when it is right
    raise NotImplementedError("Task 1.2: rnn_step_backward")


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
    # TODO: Task 1.3 — loop t = 0..T-1 starting from h0 (not zeros) and call rnn_step_forward; stack the states into (N, T, H)
    raise NotImplementedError("Task 1.3: rnn_forward")


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
    # TODO: Task 1.4 — walk t backwards; h_t is a fork (its own loss and step t+1), and the weights are shared by every step
    raise NotImplementedError("Task 1.4: rnn_backward")
