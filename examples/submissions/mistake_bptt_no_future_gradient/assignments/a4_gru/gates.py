"""The GRU gates, one function per gate, in PyTorch's convention (gate order r, z, n).

The pre-activations of a GRU step come in two halves that are kept separate,
because the reset gate multiplies only the hidden half of the candidate:

    ax = x Wx + bx                          # (N, 3H), Wx is (D, 3H), bx is (3H,)
    ah = h_prev Wh + bh                     # (N, 3H), Wh is (H, 3H), bh is (3H,)

    r = sigmoid(ax[:, 0:H]   + ah[:, 0:H])          # reset gate       (N, H)
    z = sigmoid(ax[:, H:2H]  + ah[:, H:2H])         # update gate      (N, H)
    n = tanh(ax[:, 2H:3H] + r * ah[:, 2H:3H])       # candidate state  (N, H)
    h = (1 - z) * n + z * h_prev                    # new hidden state (N, H)

PyTorch's ``nn.GRU`` / ``nn.GRUCell`` store ``weight_ih`` (3H, D) = ``Wx.T``,
``weight_hh`` (3H, H) = ``Wh.T``, ``bias_ih`` = ``bx`` and ``bias_hh`` = ``bh``,
with the rows in the order r, z, n. The two biases cannot be merged into one:
``bh[2H:3H]`` sits inside the product with r.

How to read the gates (the lecture's view). A GRU has no separate cell state:
the hidden state is the memory. It merges the LSTM's forget and input gates
into one update gate z: z keeps the old state and 1 - z plays the role of the
input gate that lets the candidate in, so keeping and writing always sum to
one. It adds a reset gate r that decides how much of the previous hidden state
is used to build the candidate; r near 0 "resets" the memory (e.g. at the start
of a new sentence the candidate is computed from the input alone).

Conventions differ between texts, and this course pins PyTorch's:
- Other texts apply r *before* the matmul, to the hidden state itself:
  Cho et al. (2014, arXiv 1406.1078 v3) and d2l.ai "GRU from scratch" use
  n = tanh(x W + (r * h_prev) U). PyTorch applies r *after* it:
  n = tanh(x W + r * (h_prev U + b)). The two give different numbers.
- Some texts swap the role of z: Chung et al. (2014) and Karpathy's makemore
  write h = z * n + (1 - z) * h_prev, so there z is the fraction written.
  Here (as in PyTorch, Cho et al. and d2l) z is the fraction *kept*.

References: Cho et al. (2014), "Learning Phrase Representations using RNN
Encoder-Decoder for Statistical Machine Translation", arXiv 1406.1078;
Chung et al. (2014), "Empirical Evaluation of Gated Recurrent Neural Networks
on Sequence Modeling", arXiv 1412.3555; PyTorch docs, ``torch.nn.GRU`` and
``torch.nn.GRUCell``; d2l.ai, chapter "Gated Recurrent Units (GRU)".
"""

import numpy as np

from ..common.activations import sigmoid


def reset_gate(ax, ah):
    """Task 4.1: reset gate r = sigmoid(ax[:, 0:H] + ah[:, 0:H]).

    Inputs:
    - ax: input pre-activations x Wx + bx, shape (N, 3H), gate order r, z, n
    - ah: hidden pre-activations h_prev Wh + bh, shape (N, 3H)

    Returns:
    - r: reset gate of shape (N, H), values in (0, 1)

    Raises ValueError if the width of ax is not a multiple of 3.
    """
    # BEGIN SOLUTION
    if ax.shape[1] % 3 != 0:
        raise ValueError(f"pre-activation width {ax.shape[1]} is not a multiple of 3")
    H = ax.shape[1] // 3
    return sigmoid(ax[:, 0:H] + ah[:, 0:H])  # (N, H)
    # END SOLUTION


def update_gate(ax, ah):
    """Task 4.2: update gate z = sigmoid(ax[:, H:2H] + ah[:, H:2H]).

    Inputs:
    - ax: input pre-activations x Wx + bx, shape (N, 3H), gate order r, z, n
    - ah: hidden pre-activations h_prev Wh + bh, shape (N, 3H)

    Returns:
    - z: update gate of shape (N, H), values in (0, 1)

    Raises ValueError if the width of ax is not a multiple of 3.
    """
    # BEGIN SOLUTION
    if ax.shape[1] % 3 != 0:
        raise ValueError(f"pre-activation width {ax.shape[1]} is not a multiple of 3")
    H = ax.shape[1] // 3
    return sigmoid(ax[:, H : 2 * H] + ah[:, H : 2 * H])  # (N, H)
    # END SOLUTION


def candidate_hidden(ax, ah, r):
    """Task 4.3: candidate hidden state n = tanh(ax[:, 2H:3H] + r * ah[:, 2H:3H]) (r after the matmul).

    Inputs:
    - ax: input pre-activations x Wx + bx, shape (N, 3H), gate order r, z, n
    - ah: hidden pre-activations h_prev Wh + bh, shape (N, 3H)
    - r: reset gate of shape (N, H)

    Returns:
    - n: candidate hidden state of shape (N, H), values in (-1, 1)

    Raises ValueError if the width of ax is not a multiple of 3.
    """
    # BEGIN SOLUTION
    if ax.shape[1] % 3 != 0:
        raise ValueError(f"pre-activation width {ax.shape[1]} is not a multiple of 3")
    H = ax.shape[1] // 3
    return np.tanh(ax[:, 2 * H : 3 * H] + r * ah[:, 2 * H : 3 * H])  # (N, H)
    # END SOLUTION


def gru_hidden_update(n, z, h_prev):
    """Task 4.4: new hidden state h = (1 - z) * n + z * h_prev (z keeps the old state).

    Inputs:
    - n: candidate hidden state of shape (N, H)
    - z: update gate of shape (N, H)
    - h_prev: previous hidden state of shape (N, H)

    Returns:
    - h: new hidden state of shape (N, H)
    """
    # BEGIN SOLUTION
    return (1.0 - z) * n + z * h_prev  # (N, H)
    # END SOLUTION
