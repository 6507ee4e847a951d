"""Output layers over time: a temporal affine map and softmax cross-entropy summed over time.

    scores_t = h_t Wy + by                                  # (N, T, V)
    L = -(1/N) sum_n sum_t log softmax(scores_{n,t})[y_{n,t}]

The loss is averaged over the batch and *summed* over time (CS231n convention),
so the loss of a sequence cut into chunks is the sum of the chunks' losses.
The gradient w.r.t. the scores is yours to derive (differentiate the
log-softmax; mind the 1/N of the batch mean).

References: CS231n assignment 3 ``rnn_layers.py`` (temporal_affine_*,
temporal_softmax_loss); Bishop, *Pattern Recognition and ML*, section 4.3.4.
"""

import numpy as np

from ..common.activations import softmax


def temporal_affine_forward(h, W, b):
    """Task 1.5: apply the same affine map at every time step, out_t = h_t W + b.

    Inputs:
    - h: hidden states of shape (N, T, H)
    - W: weights of shape (H, V)
    - b: bias of shape (V,)

    Returns a tuple of:
    - out: scores of shape (N, T, V)
    - cache: whatever ``temporal_affine_backward`` needs
    """
    # TODO: Task 1.5 — out = h @ W + b broadcasts over (N, T)
    raise NotImplementedError("Task 1.5: temporal_affine_forward")


def temporal_affine_backward(dout, cache):
    """Task 1.6: backward pass of the temporal affine map; W and b are shared by every (n, t).

    Inputs:
    - dout: upstream gradient of shape (N, T, V)
    - cache: the cache returned by ``temporal_affine_forward``

    Returns a tuple of:
    - dh: gradient w.r.t. h, shape (N, T, H)
    - dW: gradient w.r.t. W, shape (H, V)
    - db: gradient w.r.t. b, shape (V,)
    """
    # TODO: Task 1.6 — the affine map of Task 1.2, applied at every (n, t)
    raise NotImplementedError("Task 1.6: temporal_affine_backward")


def temporal_softmax_loss(scores, y):
    """Task 1.7: softmax cross-entropy summed over time and averaged over the batch, with its gradient.

    Inputs:
    - scores: unnormalised scores of shape (N, T, V)
    - y: integer targets of shape (N, T), each in [0, V)

    Returns a tuple of:
    - loss: float, -(1/N) sum_{n,t} log p_{n,t}[y_{n,t}]
    - dscores: gradient of the loss w.r.t. scores, shape (N, T, V)
    """
    # TODO: Task 1.7 — a stable softmax, then derive the gradient of the loss with respect to the scores
    raise NotImplementedError("Task 1.7: temporal_softmax_loss")
