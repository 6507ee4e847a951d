"""Backward passes of the LSTM gate functions, one local derivative at a time.

Forward (see ``gates.py``; blocks of ``a`` in the order i, f, g, o):

    i = sigmoid(a_i),  f = sigmoid(a_f),  g = tanh(a_g),  o = sigmoid(a_o)
    c = f * c_prev + i * g
    h = o * tanh(c)

Backward, with ``dX`` the gradient of the loss w.r.t. X, one forward line at a
time, from the last back to ``a`` (derive each one; the gradient check tells
you when it is right):

    h = o * tanh(c)          product rule; tanh is applied to c here   (Task 3.7)
    c = f * c_prev + i * g   product rule on each term                 (Task 3.8)
    i, f, g, o               each an activation's output               (Task 3.9)

Write the derivatives of the activations in terms of their *outputs* (for the
sigmoid, differentiate 1 / (1 + exp(-a)) once and rearrange), so that no
pre-activation needs to be cached. The path from c_prev to c is the additive
cell path of the LSTM: look at what multiplies the gradient along it.

References: Hochreiter & Schmidhuber (1997); Gers et al. (2000);
CS231n assignment 3 ``lstm_step_backward`` (note its gate order i, f, o, g);
Olah (2015), "Understanding LSTM Networks".
"""

import numpy as np


def hidden_state_backward(dh, c, o):
    """Task 3.7: backward of h = o * tanh(c) (product rule; tanh is applied to c).

    Inputs:
    - dh: upstream gradient w.r.t. h, shape (N, H)
    - c: cell state of the forward pass, shape (N, H)
    - o: output gate of the forward pass, shape (N, H)

    Returns a tuple of:
    - dc: gradient w.r.t. c through h only, shape (N, H)
    - do: gradient w.r.t. o, shape (N, H)
    """
    # TODO: Task 3.7 — the product rule through h = o * tanh(c)
    raise NotImplementedError("Task 3.7: hidden_state_backward")


def cell_state_update_backward(dc, c_prev, f, i, g):
    """Task 3.8: backward of c = f * c_prev + i * g (product rule on each term).

    Inputs:
    - dc: upstream gradient w.r.t. the new cell state c, shape (N, H)
    - c_prev: previous cell state, shape (N, H)
    - f: forget gate, shape (N, H)
    - i: input gate, shape (N, H)
    - g: cell candidate, shape (N, H)

    Returns a tuple of:
    - dc_prev: gradient w.r.t. c_prev, shape (N, H)
    - df: gradient w.r.t. f, shape (N, H)
    - di: gradient w.r.t. i, shape (N, H)
    - dg: gradient w.r.t. g, shape (N, H)
    """
    # TODO: Task 3.8 — the product rule through c = f * c_prev + i * g
    raise NotImplementedError("Task 3.8: cell_state_update_backward")


def gate_preactivation_backward(di, df, dg, do, i, f, g, o):
    """Task 3.9: gradient of the pre-activation a through the four activations, blocks in the order i, f, g, o.

    Inputs:
    - di: gradient w.r.t. the input gate i, shape (N, H)
    - df: gradient w.r.t. the forget gate f, shape (N, H)
    - dg: gradient w.r.t. the cell candidate g, shape (N, H)
    - do: gradient w.r.t. the output gate o, shape (N, H)
    - i: input gate sigmoid(a_i), shape (N, H)
    - f: forget gate sigmoid(a_f), shape (N, H)
    - g: cell candidate tanh(a_g), shape (N, H)
    - o: output gate sigmoid(a_o), shape (N, H)

    Returns:
    - da: gradient w.r.t. the pre-activation a, shape (N, 4H), blocks i, f, g, o
    """
    # TODO: Task 3.9 — each block went through an activation: its derivative, in terms of its output
    raise NotImplementedError("Task 3.9: gate_preactivation_backward")
