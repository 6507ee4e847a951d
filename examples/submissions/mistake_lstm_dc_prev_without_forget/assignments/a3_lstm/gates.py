"""The LSTM gates, one function each: slicing the pre-activation, the cell update, the hidden state.

All four gates are read from one pre-activation of width 4H,

    a = x Wx + h_prev Wh + b                 # (N, 4H), blocks in the order i, f, g, o

    i = sigmoid(a[:, 0:H])                   # input gate        (N, H), in (0, 1)
    f = sigmoid(a[:, H:2H])                  # forget gate       (N, H), in (0, 1)
    g = tanh(a[:, 2H:3H])                    # cell candidate    (N, H), in (-1, 1)
    o = sigmoid(a[:, 3H:4H])                 # output gate       (N, H), in (0, 1)

    c = f * c_prev + i * g                   # cell state        (N, H)
    h = o * tanh(c)                          # hidden state      (N, H)

(``*`` is the elementwise product, written ⊙ in the lecture.)

The roles of the gates:
- the forget gate f decides how much of the cell state to forget (f = 1 keeps it all);
- the input gate i decides how much new information, the candidate g, to add;
- the output gate o decides how much of the cell to expose as the hidden state h.
The cell state c is the long-term memory. It is updated *additively* (a gated
sum, not a squashing matrix product), so along the path c_prev -> c the gradient
is only multiplied by f: with f close to 1 it survives many steps (the
"constant error carousel" of Hochreiter & Schmidhuber).

Gate order. We follow PyTorch exactly: the blocks of ``a`` are i, f, g, o.
PyTorch's ``nn.LSTM`` / ``nn.LSTMCell`` store ``weight_ih`` (4H, D) = ``Wx.T``,
``weight_hh`` (4H, H) = ``Wh.T`` and two biases whose sum is our ``b``
(``bias_ih + bias_hh``); ``weight_ih.chunk(4)`` gives the i, f, g, o blocks.

WARNING: CS231n assignment 3 (``rnn_layers.lstm_step_forward``) uses the order
i, f, o, g (candidate last). Code or fixtures written for CS231n do *not* pass
here without swapping the last two H-wide blocks of Wx, Wh and b.

References: Hochreiter & Schmidhuber (1997), "Long short-term memory";
Gers, Schmidhuber & Cummins (2000), "Learning to forget: continual prediction
with LSTM" (the forget gate); C. Olah (2015), "Understanding LSTM Networks";
PyTorch documentation of ``torch.nn.LSTM`` and ``torch.nn.LSTMCell``.
"""

import numpy as np

from ..common.activations import sigmoid


def input_gate(a):
    """Task 3.1: input gate i = sigmoid(a[:, 0:H]), H = a.shape[1] // 4.

    Inputs:
    - a: gate pre-activations of shape (N, 4H), blocks in the order i, f, g, o

    Returns:
    - i: input gate of shape (N, H), values in (0, 1)

    Raises ValueError if a.shape[1] is not a multiple of 4.
    """
    # BEGIN SOLUTION
    if a.shape[1] % 4 != 0:
        raise ValueError(f"a must have 4H columns (blocks i, f, g, o), got {a.shape[1]}")
    H = a.shape[1] // 4
    return sigmoid(a[:, 0:H])  # (N, H)
    # END SOLUTION


def forget_gate(a):
    """Task 3.2: forget gate f = sigmoid(a[:, H:2H]), H = a.shape[1] // 4.

    Inputs:
    - a: gate pre-activations of shape (N, 4H), blocks in the order i, f, g, o

    Returns:
    - f: forget gate of shape (N, H), values in (0, 1)

    Raises ValueError if a.shape[1] is not a multiple of 4.
    """
    # BEGIN SOLUTION
    if a.shape[1] % 4 != 0:
        raise ValueError(f"a must have 4H columns (blocks i, f, g, o), got {a.shape[1]}")
    H = a.shape[1] // 4
    return sigmoid(a[:, H : 2 * H])  # (N, H)
    # END SOLUTION


def cell_candidate(a):
    """Task 3.3: cell candidate g = tanh(a[:, 2H:3H]), H = a.shape[1] // 4.

    Inputs:
    - a: gate pre-activations of shape (N, 4H), blocks in the order i, f, g, o

    Returns:
    - g: candidate values of shape (N, H), in (-1, 1)

    Raises ValueError if a.shape[1] is not a multiple of 4.
    """
    # BEGIN SOLUTION
    if a.shape[1] % 4 != 0:
        raise ValueError(f"a must have 4H columns (blocks i, f, g, o), got {a.shape[1]}")
    H = a.shape[1] // 4
    return np.tanh(a[:, 2 * H : 3 * H])  # (N, H)
    # END SOLUTION


def output_gate(a):
    """Task 3.4: output gate o = sigmoid(a[:, 3H:4H]), H = a.shape[1] // 4.

    Inputs:
    - a: gate pre-activations of shape (N, 4H), blocks in the order i, f, g, o

    Returns:
    - o: output gate of shape (N, H), values in (0, 1)

    Raises ValueError if a.shape[1] is not a multiple of 4.
    """
    # BEGIN SOLUTION
    if a.shape[1] % 4 != 0:
        raise ValueError(f"a must have 4H columns (blocks i, f, g, o), got {a.shape[1]}")
    H = a.shape[1] // 4
    return sigmoid(a[:, 3 * H : 4 * H])  # (N, H)
    # END SOLUTION


def cell_state_update(c_prev, f, i, g):
    """Task 3.5: additive cell-state update c = f * c_prev + i * g.

    Inputs:
    - c_prev: previous cell state of shape (N, H)
    - f: forget gate of shape (N, H)
    - i: input gate of shape (N, H)
    - g: cell candidate of shape (N, H)

    Returns:
    - c: new cell state of shape (N, H)
    """
    # BEGIN SOLUTION
    return f * c_prev + i * g  # (N, H)
    # END SOLUTION


def hidden_state(c, o):
    """Task 3.6: hidden state h = o * tanh(c).

    Inputs:
    - c: cell state of shape (N, H)
    - o: output gate of shape (N, H)

    Returns:
    - h: hidden state of shape (N, H)
    """
    # BEGIN SOLUTION
    return o * np.tanh(c)  # (N, H)
    # END SOLUTION
