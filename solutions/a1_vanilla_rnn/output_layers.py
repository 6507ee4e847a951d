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
    # BEGIN SOLUTION
    out = h @ W + b  # (N, T, V)
    cache = (h, W)
    return out, cache
    # END SOLUTION


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
    # BEGIN SOLUTION
    h, W = cache
    dh = dout @ W.T  # (N, T, H)
    dW = np.einsum("nth,ntv->hv", h, dout)  # (H, V)
    db = dout.sum(axis=(0, 1))  # (V,)
    return dh, dW, db
    # END SOLUTION


def temporal_softmax_loss(scores, y):
    """Task 1.7: softmax cross-entropy summed over time and averaged over the batch, with its gradient.

    Inputs:
    - scores: unnormalised scores of shape (N, T, V)
    - y: integer targets of shape (N, T), each in [0, V)

    Returns a tuple of:
    - loss: float, -(1/N) sum_{n,t} log p_{n,t}[y_{n,t}]
    - dscores: gradient of the loss w.r.t. scores, shape (N, T, V)
    """
    # BEGIN SOLUTION
    N, T, V = scores.shape
    probs = softmax(scores)  # (N, T, V)
    n_idx, t_idx = np.meshgrid(np.arange(N), np.arange(T), indexing="ij")
    picked = probs[n_idx, t_idx, y]  # (N, T)
    loss = float(-np.sum(np.log(picked)) / N)
    dscores = probs.copy()
    dscores[n_idx, t_idx, y] -= 1.0
    dscores /= N
    return loss, dscores
    # END SOLUTION
