"""A character-level language model: a vanilla RNN that predicts the next character.

The model reads one-hot characters and outputs a distribution over the next one:

    x_t = onehot(c_t)                                   # (N, V)
    h_t = tanh(x_t Wx + h_{t-1} Wh + b)                 # (N, H)
    s_t = h_t Wy + by                                   # (N, V)
    L   = -(1/N) sum_n sum_t log softmax(s_{n,t})[c_{n,t+1}]

Training pairs come from shifting the text by one character: on "hello" the
inputs are "hell" and the targets "ello" (a many-to-many architecture). The
input "l" is followed once by "l" and once by "o", so the model must use its
hidden state, not only the current character, to predict correctly.

Sampling feeds each generated character back in as the next input. With
``rng=None`` the next character is the argmax of the softmax (greedy decoding);
otherwise it is drawn with ``rng.choice(V, p=probs)``.

References: Karpathy, "The Unreasonable Effectiveness of Recurrent Neural
Networks" (2015) and ``min-char-rnn.py``; CS231n lecture 10 (RNNs, the "hello"
example); Graves, "Generating Sequences With Recurrent Neural Networks" (2013).
"""

import numpy as np

from ..common.activations import softmax
from .output_layers import temporal_affine_backward, temporal_affine_forward, temporal_softmax_loss
from .rnn import rnn_backward, rnn_forward, rnn_step_forward

# The vocabulary of the "hello" example, in index order: h=0, e=1, l=2, o=3.
VOCAB = "helo"
PARAM_NAMES = ("Wx", "Wh", "b", "Wy", "by")


def encode(text, vocab=VOCAB):
    """Map a string to the integer indices of its characters in ``vocab`` (provided).

    Inputs:
    - text: string made of characters of ``vocab``
    - vocab: string, the vocabulary in index order

    Returns:
    - indices: int64 array of shape (len(text),)
    """
    return np.array([vocab.index(c) for c in text], dtype=np.int64)


def decode(indices, vocab=VOCAB):
    """Map integer indices back to a string (provided).

    Inputs:
    - indices: integer array-like of shape (T,)
    - vocab: string, the vocabulary in index order

    Returns:
    - text: string of length T
    """
    return "".join(vocab[int(i)] for i in np.asarray(indices).ravel())


def init_char_lm(V, H, rng, scale=0.1):
    """Small gaussian initialisation of the char-LM parameters (provided).

    Inputs:
    - V: vocabulary size
    - H: hidden size
    - rng: np.random.Generator
    - scale: standard deviation of the weights (biases start at zero)

    Returns:
    - params: dict with Wx (V, H), Wh (H, H), b (H,), Wy (H, V), by (V,), all float64
    """
    return {
        "Wx": rng.standard_normal((V, H)) * scale,
        "Wh": rng.standard_normal((H, H)) * scale,
        "b": np.zeros(H, dtype=np.float64),
        "Wy": rng.standard_normal((H, V)) * scale,
        "by": np.zeros(V, dtype=np.float64),
    }


def one_hot(indices, V):
    """Task 1.8: one-hot encoding, out[..., k] = 1 where indices == k, else 0.

    Inputs:
    - indices: integer array of any shape, values in [0, V)
    - V: vocabulary size

    Returns:
    - out: float64 array of shape indices.shape + (V,)
    """
    # BEGIN SOLUTION
    indices = np.asarray(indices)
    out = (indices[..., None] == np.arange(V)).astype(np.float64)  # indices.shape + (V,)
    return out
    # END SOLUTION


def char_lm_loss(params, inputs, targets, h0):
    """Task 1.9: loss and gradients of the char-LM, one_hot -> RNN -> affine -> softmax loss.

    The loss is summed over time and averaged over the batch
    (``temporal_softmax_loss``), so chunks of one sequence can be trained one
    after the other by passing ``h_last`` of a chunk as ``h0`` of the next.

    Inputs:
    - params: dict with Wx (V, H), Wh (H, H), b (H,), Wy (H, V), by (V,); not modified
    - inputs: integer input characters of shape (N, T), values in [0, V)
    - targets: integer target characters of shape (N, T), values in [0, V)
    - h0: initial hidden state of shape (N, H)

    Returns a tuple of:
    - loss: float
    - grads: dict with the same keys and shapes as ``params`` (dWx, dWh, db, dWy, dby)
    - h_last: last hidden state h_{T-1} of shape (N, H)
    """
    # BEGIN SOLUTION
    Wx, Wh, b, Wy, by = (params[k] for k in PARAM_NAMES)
    V = Wx.shape[0]
    x = one_hot(inputs, V)  # (N, T, V)
    h, rnn_cache = rnn_forward(x, h0, Wx, Wh, b)  # (N, T, H)
    scores, affine_cache = temporal_affine_forward(h, Wy, by)  # (N, T, V)
    loss, dscores = temporal_softmax_loss(scores, targets)

    dh, dWy, dby = temporal_affine_backward(dscores, affine_cache)
    _, _, dWx, dWh, db = rnn_backward(dh, rnn_cache)
    grads = {"Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby}
    h_last = h[:, -1].copy()  # (N, H)
    return loss, grads, h_last
    # END SOLUTION


def sample(params, h0, seed_index, length, rng=None):
    """Task 1.10: generate ``length`` characters, feeding each one back in as the next input.

    Starting from ``h = h0`` and ``idx = seed_index``, repeat ``length`` times:

        h      = rnn_step_forward(one_hot([idx], V), h, Wx, Wh, b)   # (1, H)
        scores = h @ Wy + by                                         # (1, V)
        probs  = softmax(scores)                                     # (1, V)
        idx    = argmax(probs[0])            if rng is None
                 rng.choice(V, p=probs[0])   otherwise (one call per step)

    and record ``idx``. The seed itself is not part of the output.

    Inputs:
    - params: dict with Wx (V, H), Wh (H, H), b (H,), Wy (H, V), by (V,)
    - h0: initial hidden state of shape (1, H)
    - seed_index: int, index of the first input character
    - length: int, number of characters to generate
    - rng: None for greedy decoding, or a np.random.Generator to sample from

    Returns:
    - indices: int64 array of shape (length,), the generated character indices
    """
    # BEGIN SOLUTION
    Wx, Wh, b, Wy, by = (params[k] for k in PARAM_NAMES)
    V = Wx.shape[0]
    indices = np.zeros(length, dtype=np.int64)
    h = h0
    idx = int(seed_index)
    for t in range(length):
        x = one_hot(np.array([idx]), V)  # (1, V)
        h, _ = rnn_step_forward(x, h, Wx, Wh, b)  # (1, H)
        probs = softmax(h @ Wy + by)  # (1, V)
        if rng is None:
            idx = int(np.argmax(probs[0]))
        else:
            idx = int(rng.choice(V, p=probs[0]))
        indices[t] = idx
    return indices
    # END SOLUTION


def train_char_lm(text="hello", H=8, steps=200, lr=0.1, seed=0):
    """Fit the char-LM to one string with Adagrad (provided; uses ``char_lm_loss``).

    Every step runs the whole string from a zero state: inputs ``text[:-1]``,
    targets ``text[1:]``, batch N = 1. Adagrad (as in ``min-char-rnn.py``):
    ``m += g**2; p -= lr * g / sqrt(m + 1e-8)``.

    Inputs:
    - text: training string made of characters of VOCAB
    - H: hidden size
    - steps: number of Adagrad updates
    - lr: learning rate
    - seed: seed of the initialisation

    Returns a tuple of:
    - params: dict of the trained parameters (see ``init_char_lm``)
    - losses: list of ``steps`` floats, the loss before each update
    """
    rng = np.random.default_rng(seed)
    params = init_char_lm(len(VOCAB), H, rng)
    memory = {k: np.zeros_like(v) for k, v in params.items()}
    encoded = encode(text)
    inputs, targets = encoded[None, :-1], encoded[None, 1:]  # (1, T)
    h0 = np.zeros((1, H), dtype=np.float64)
    losses = []
    for _ in range(steps):
        loss, grads, _ = char_lm_loss(params, inputs, targets, h0)
        losses.append(loss)
        for k in params:
            memory[k] = memory[k] + grads[k] ** 2
            params[k] = params[k] - lr * grads[k] / np.sqrt(memory[k] + 1e-8)
    return params, losses
