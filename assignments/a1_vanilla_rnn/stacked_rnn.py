"""A stacked (multi-layer, deep) RNN: the hidden states of one layer are the inputs of the next.

With L layers and h^{(0)}_t = x_t,

    h^{(l)}_t = tanh(h^{(l-1)}_t Wx^{(l)} + h^{(l)}_{t-1} Wh^{(l)} + b^{(l)}),   l = 1..L

layer l starting from its own initial state. In the code the layers are
0-based: ``layers[k]`` (layer l = k+1 above) reads the states of ``layers[k-1]``
(``x`` for k = 0) and starts from ``h0[k]``. ``layers[0]`` has Wx (D, H), the
others Wx (H, H). The output is the top layer's sequence h^{(L)} (N, T, H).

Backward goes from the top layer down: each layer is a full BPTT
(``rnn_backward``), and the gradient w.r.t. its input sequence is the upstream
gradient ``dh`` of the layer below. This matches ``torch.nn.RNN(num_layers=L)``
(without inter-layer dropout), whose ``weight_ih_l{k}`` is ``Wx.T`` of layer k.

References: Graves, Mohamed and Hinton, "Speech Recognition with Deep Recurrent
Neural Networks" (2013); Pascanu et al., "How to Construct Deep Recurrent
Neural Networks" (2014); PyTorch ``torch.nn.RNN`` documentation.
"""

import numpy as np

from .rnn import rnn_backward, rnn_forward


def stacked_rnn_forward(x, h0, layers):
    """Task 1.15: L stacked RNN layers; layers[k] reads the states of layers[k-1] (x for k = 0), starts from h0[k].

    Inputs:
    - x: input sequence of shape (N, T, D)
    - h0: initial hidden states of shape (L, N, H), one per layer
    - layers: list of L tuples (Wx, Wh, b); layer 0 has Wx of shape (D, H),
      the others (H, H); every Wh is (H, H) and every b is (H,)

    Returns a tuple of:
    - h_top: hidden states of the top layer, shape (N, T, H)
    - cache: whatever ``stacked_rnn_backward`` needs
    """
    # TODO: Task 1.15 — layers[k] reads the hidden states of layers[k-1] (x for k = 0) as its input sequence and starts from h0[k]
    raise NotImplementedError("Task 1.15: stacked_rnn_forward")


def stacked_rnn_backward(dh_top, cache):
    """Task 1.16: backward through the stack, top layer first; dx of layer l is the dh of layer l-1.

    Inputs:
    - dh_top: upstream gradient w.r.t. the top layer's states, shape (N, T, H)
    - cache: the cache returned by ``stacked_rnn_forward``

    Returns a tuple of:
    - dx: gradient w.r.t. x, shape (N, T, D)
    - dh0: gradient w.r.t. h0, shape (L, N, H)
    - dlayers: list of L tuples (dWx, dWh, db), shaped like ``layers``
    """
    # TODO: Task 1.16 — top layer first: what does a layer hand to the layer below it?
    raise NotImplementedError("Task 1.16: stacked_rnn_backward")
