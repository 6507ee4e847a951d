"""Input/output architectures built from the same RNN: many-to-one and one-to-many.

In the lecture's terms (CS231n lecture 10, Karpathy 2015), an RNN can map

- one-to-many: one input, a sequence out, e.g. image captioning: an image
  feature vector v goes in at t = 0, one word comes out per step;
- many-to-one: a sequence in, one output, e.g. sentiment classification: the
  last hidden state summarises the sentence and feeds a classifier;
- many-to-many: a sequence in, a sequence out, e.g. the char-level language
  model (``char_lm.py``) or part-of-speech tagging, one output per input.

Many-to-one (T steps, C classes):

    h = rnn_forward(x, h0)                  # (N, T, H)
    scores = h[:, -1] Wy + by               # (N, C)

The loss reaches only the last hidden state, so the upstream gradient of the
RNN is zero at every step except t = T-1.

One-to-many (input v only at t = 0, zero inputs afterwards):

    x_0 = v, x_1 = ... = x_{T-1} = 0        # (N, T, D)
    h = rnn_forward(x, h0)                  # (N, T, H)

The zero inputs are constants: only the input at t = 0 depends on v.

References: Karpathy, "The Unreasonable Effectiveness of Recurrent Neural
Networks" (2015); CS231n lecture 10; Vinyals et al., "Show and Tell" (2015)
for captioning; Goodfellow et al., *Deep Learning*, section 10.2.
"""

import numpy as np

from .rnn import rnn_backward, rnn_forward


def many_to_one_forward(x, h0, Wx, Wh, b, Wy, by):
    """Task 1.11: many-to-one forward, scores = h_{T-1} Wy + by from the last hidden state.

    Inputs:
    - x: input sequence of shape (N, T, D)
    - h0: initial hidden state of shape (N, H)
    - Wx: input-to-hidden weights of shape (D, H)
    - Wh: hidden-to-hidden weights of shape (H, H)
    - b: bias of shape (H,)
    - Wy: hidden-to-output weights of shape (H, C)
    - by: output bias of shape (C,)

    Returns a tuple of:
    - scores: class scores of shape (N, C)
    - cache: whatever ``many_to_one_backward`` needs
    """
    # TODO: Task 1.11 — run rnn_forward, keep only the last hidden state h[:, -1], then scores = h_last @ Wy + by
    raise NotImplementedError("Task 1.11: many_to_one_forward")


def many_to_one_backward(dscores, cache):
    """Task 1.12: many-to-one backward; the RNN receives a gradient only at the last step.

    Inputs:
    - dscores: upstream gradient of shape (N, C)
    - cache: the cache returned by ``many_to_one_forward``

    Returns a tuple of:
    - dx: gradient w.r.t. x, shape (N, T, D)
    - dh0: gradient w.r.t. h0, shape (N, H)
    - dWx: gradient w.r.t. Wx, shape (D, H)
    - dWh: gradient w.r.t. Wh, shape (H, H)
    - db: gradient w.r.t. b, shape (H,)
    - dWy: gradient w.r.t. Wy, shape (H, C)
    - dby: gradient w.r.t. by, shape (C,)
    """
    # TODO: Task 1.12 — which hidden states does the loss read?
    raise NotImplementedError("Task 1.12: many_to_one_backward")


def one_to_many_forward(v, h0, Wx, Wh, b, T):
    """Task 1.13: one-to-many forward, v is the input at t = 0 and zeros are fed at t = 1..T-1.

    Inputs:
    - v: the single input of shape (N, D)
    - h0: initial hidden state of shape (N, H)
    - Wx: input-to-hidden weights of shape (D, H)
    - Wh: hidden-to-hidden weights of shape (H, H)
    - b: bias of shape (H,)
    - T: int, number of steps to unroll

    Returns a tuple of:
    - h: hidden states of shape (N, T, H)
    - cache: whatever ``one_to_many_backward`` needs
    """
    # TODO: Task 1.13 — the input sequence is v at t = 0 and zeros afterwards; reuse rnn_forward
    raise NotImplementedError("Task 1.13: one_to_many_forward")


def one_to_many_backward(dh, cache):
    """Task 1.14: one-to-many backward: BPTT, then the gradient of v (only x_0 depends on v).

    Inputs:
    - dh: upstream gradient w.r.t. every hidden state, shape (N, T, H)
    - cache: the cache returned by ``one_to_many_forward``

    Returns a tuple of:
    - dv: gradient w.r.t. v, shape (N, D)
    - dh0: gradient w.r.t. h0, shape (N, H)
    - dWx: gradient w.r.t. Wx, shape (D, H)
    - dWh: gradient w.r.t. Wh, shape (H, H)
    - db: gradient w.r.t. b, shape (H,)
    """
    # TODO: Task 1.14 — which inputs depend on v?
    raise NotImplementedError("Task 1.14: one_to_many_backward")
