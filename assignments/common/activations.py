"""Numerically stable activations shared by every assignment (provided, not graded).

    sigmoid(a) = 1 / (1 + exp(-a))          exp(-a) overflows to inf for a < -709: harmless, 1/(1+inf) = 0
    softmax(s)_k = exp(s_k - max s) / sum_j exp(s_j - max s)   along the last axis

References: CS231n assignment 3 (``rnn_layers.sigmoid``); Goodfellow et al.,
*Deep Learning*, section 4.1 (overflow and underflow).
"""

import numpy as np


def sigmoid(a):
    """Logistic sigmoid, stable for large positive and negative inputs.

    Inputs:
    - a: array of any shape

    Returns:
    - array of the same shape, float64, with values in [0, 1]
    """
    a = np.asarray(a, dtype=np.float64)
    # For a < -709, exp(-a) overflows to inf and 1 / (1 + inf) = 0, the correctly rounded limit: the overflow is
    # harmless, so its warning is silenced. Relative error <= 5e-16 everywhere, one exp per element.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-a))


def softmax(scores):
    """Softmax along the last axis, shifted by the maximum for stability.

    Inputs:
    - scores: array of shape (..., C)

    Returns:
    - probabilities of shape (..., C), each row summing to 1
    """
    scores = np.asarray(scores, dtype=np.float64)
    shifted = scores - scores.max(axis=-1, keepdims=True)
    exp_scores = np.exp(shifted)
    return exp_scores / exp_scores.sum(axis=-1, keepdims=True)
