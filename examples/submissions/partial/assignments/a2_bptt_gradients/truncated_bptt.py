"""Truncated backpropagation through time for a many-to-many tanh RNN.

The model (A1): a tanh RNN, a temporal affine output layer and softmax
cross-entropy summed over time,

    h_t      = tanh(x_t Wx + h_{t-1} Wh + b)            # (N, H)
    scores_t = h_t Wy + by                              # (N, V)
    L        = sum_t L_t,  L_t = -(1/N) sum_n log softmax(scores_{n,t})[y_{n,t}]

Full BPTT differentiates L through the whole unroll: the gradient that reaches
h_t collects every later loss term, at a cost (and memory) linear in T.
Truncated BPTT, in the form used to train language models on long streams,
cuts the time axis into consecutive chunks [s, s + k) of length k = chunk_len
(the last one may be shorter) and

    forward:  each chunk starts from the *value* of the hidden state carried over
              from the end of the previous chunk (h0 for the first chunk);
    backward: each chunk is differentiated on its own, with the carried state
              treated as a constant, so no gradient crosses a chunk boundary
              (the gradient from the future starts at zero in every chunk).

    loss  = sum_chunks L_chunk         (= the full-sequence loss: L sums over time)
    grads = sum_chunks dL_chunk/dtheta  (holding the carried state constant)

In PyTorch this is ``h = h.detach()`` between chunks. The forward pass is
unchanged, so the loss and the output-layer gradients (dWy, dby) equal the full
ones; dWx, dWh, db lose the terms that would flow across a boundary. With
chunk_len >= T there is a single chunk and the result is exactly full BPTT.

References: Williams & Peng (1990), "An efficient gradient-based algorithm for
on-line training of recurrent network trajectories" (BPTT(h; h'));
Sutskever (2013), PhD thesis "Training recurrent neural networks", section 2.8;
Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent
neural networks"; PyTorch word_language_model example (``repackage_hidden``).
"""

import numpy as np

from ..a1_vanilla_rnn.output_layers import temporal_affine_backward, temporal_affine_forward, temporal_softmax_loss
from ..a1_vanilla_rnn.rnn import rnn_backward, rnn_forward


def truncated_bptt(x, y, h0, params, chunk_len):
    """Task 2.1: loss and truncated-BPTT gradients, summed over chunks of chunk_len steps (no gradient across chunks).

    Inputs:
    - x: input sequence of shape (N, T, D)
    - y: integer targets of shape (N, T), each in [0, V)
    - h0: initial hidden state of shape (N, H)
    - params: dict with
      - "Wx": input-to-hidden weights of shape (D, H)
      - "Wh": hidden-to-hidden weights of shape (H, H)
      - "b": hidden bias of shape (H,)
      - "Wy": hidden-to-output weights of shape (H, V)
      - "by": output bias of shape (V,)
    - chunk_len: positive int, the number of time steps per chunk (the last
      chunk may be shorter); ValueError if it is not a positive int

    Returns a tuple of:
    - loss: float, the sum of the chunk losses (= the full-sequence loss)
    - grads: dict with the keys of ``params``, each the sum over chunks of the
      gradient of that chunk's loss, with the same shape as the parameter
    - h_last: final hidden state of shape (N, H)
    """
    # BEGIN SOLUTION
    if isinstance(chunk_len, bool) or not isinstance(chunk_len, (int, np.integer)) or chunk_len < 1:
        raise ValueError(f"chunk_len must be a positive int, got {chunk_len!r}")
    Wx, Wh, b, Wy, by = (params[k] for k in ("Wx", "Wh", "b", "Wy", "by"))
    T = x.shape[1]
    loss = 0.0
    grads = {k: np.zeros(np.shape(v), dtype=np.float64) for k, v in params.items()}
    h_carry = h0  # (N, H), a value only: no gradient flows back through it
    for start in range(0, T, chunk_len):
        stop = min(start + chunk_len, T)
        h, rnn_cache = rnn_forward(x[:, start:stop], h_carry, Wx, Wh, b)  # (N, k, H)
        scores, affine_cache = temporal_affine_forward(h, Wy, by)  # (N, k, V)
        chunk_loss, dscores = temporal_softmax_loss(scores, y[:, start:stop])
        dh, dWy, dby = temporal_affine_backward(dscores, affine_cache)  # (N, k, H)
        _, _, dWx, dWh, db = rnn_backward(dh, rnn_cache)  # dh_carry is dropped
        loss += chunk_loss
        grads["Wx"] += dWx
        grads["Wh"] += dWh
        grads["b"] += db
        grads["Wy"] += dWy
        grads["by"] += dby
        h_carry = h[:, -1]  # (N, H)
    return float(loss), grads, np.array(h_carry, dtype=np.float64)
    # END SOLUTION
