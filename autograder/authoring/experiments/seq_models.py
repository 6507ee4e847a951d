"""Sequence-to-one regressors built on your RNN, IRNN, LSTM and GRU, and their training loop.

    h = rnn_forward / lstm_forward / gru_forward(x, h0 = 0)    # (N, T, H), your code
    pred = h[:, -1] Wy + by                                     # (N, 1), linear head
    L = mean((pred - y)**2)

Only the linear head, the MSE loss and Adam are implemented here; the forward
and backward passes through time are the implementation's ``*_forward`` /
``*_backward``. Initialisation follows PyTorch's default U(-1/sqrt(H), 1/sqrt(H))
for every weight and bias, except the LSTM forget-gate bias, set to 1
(Gers, Schmidhuber & Cummins 2000; Jozefowicz et al. 2015), so that the cell
starts by remembering. Gradients are clipped by global norm (``clip_grad_norm``,
Pascanu et al. 2013) before each Adam step.

References: Hochreiter & Schmidhuber (1997); Cho et al. (2014); Pascanu,
Mikolov & Bengio (2013); Kingma & Ba (2015), Adam.
"""

import time

import numpy as np

from solutions.a1_vanilla_rnn.rnn import rnn_backward, rnn_forward
from solutions.a2_bptt_gradients.adding_problem import adding_problem
from solutions.a2_bptt_gradients.clipping import clip_grad_norm
from solutions.a2_bptt_gradients.initializers import init_identity
from solutions.a2_bptt_gradients.relu_rnn import relu_rnn_backward, relu_rnn_forward
from solutions.a3_lstm.lstm import lstm_backward, lstm_forward
from solutions.a4_gru.gru import gru_backward, gru_forward

from .common import Adam, linear_backward, linear_forward, mse_loss, uniform_init

MODELS = ("rnn", "irnn", "lstm", "gru")
# Number of gate blocks in Wx / Wh per model (tanh RNN and IRNN 1, LSTM i f g o, GRU r z n).
GATE_BLOCKS = {"rnn": 1, "irnn": 1, "lstm": 4, "gru": 3}
LABELS = {"rnn": "tanh RNN", "irnn": "IRNN (ReLU, Wh = I)", "lstm": "LSTM", "gru": "GRU"}


def parameter_count(model, D, H):
    """Number of trainable parameters of ``model`` with input size D, hidden size H and a linear head H -> 1."""
    G = GATE_BLOCKS[model] * H
    biases = 2 * G if model == "gru" else G
    return D * G + H * G + biases + H + 1


def hidden_size_for(model, D, budget):
    """The hidden size whose parameter count is closest to ``budget`` (equal-parameter comparisons)."""
    return min(range(1, 512), key=lambda H: abs(parameter_count(model, D, H) - budget))


def init_model(model, D, H, rng):
    """Parameters of ``model`` ("rnn", "lstm" or "gru") with a linear head H -> 1."""
    G = GATE_BLOCKS[model] * H
    params = {"Wx": uniform_init((D, G), H, rng), "Wh": uniform_init((H, G), H, rng)}
    if model == "gru":
        params["bx"] = uniform_init((G,), H, rng)
        params["bh"] = uniform_init((G,), H, rng)
    else:
        params["b"] = uniform_init((G,), H, rng)
    if model == "lstm":
        params["b"][H : 2 * H] = 1.0  # forget-gate bias
    if model == "irnn":  # Le, Jaitly & Hinton (2015): Wh = I, b = 0, small input weights
        params["Wx"] = rng.standard_normal((D, H)) * 0.1
        params["Wh"] = init_identity(H)
        params["b"] = np.zeros(H)
    params["Wy"] = uniform_init((H, 1), H, rng)
    params["by"] = np.zeros(1, dtype=np.float64)
    return params


def forward(model, params, x):
    """Hidden states (N, T, H) of ``model`` on x (N, T, D) from h0 = 0, and the cache for ``backward``."""
    H = params["Wh"].shape[0]
    h0 = np.zeros((x.shape[0], H), dtype=np.float64)
    if model == "rnn":
        return rnn_forward(x, h0, params["Wx"], params["Wh"], params["b"])
    if model == "irnn":
        return relu_rnn_forward(x, h0, params["Wx"], params["Wh"], params["b"])
    if model == "lstm":
        return lstm_forward(x, h0, params["Wx"], params["Wh"], params["b"])
    if model == "gru":
        return gru_forward(x, h0, params["Wx"], params["Wh"], params["bx"], params["bh"])
    raise ValueError(f"unknown model {model!r}, expected one of {MODELS}")


def backward(model, dh, cache):
    """Gradients of the recurrent weights (a dict) from dL/dh of shape (N, T, H)."""
    if model in ("rnn", "irnn"):
        _, _, dWx, dWh, db = (rnn_backward if model == "rnn" else relu_rnn_backward)(dh, cache)
        return {"Wx": dWx, "Wh": dWh, "b": db}
    if model == "lstm":
        _, _, dWx, dWh, db = lstm_backward(dh, cache)
        return {"Wx": dWx, "Wh": dWh, "b": db}
    _, _, dWx, dWh, dbx, dbh = gru_backward(dh, cache)
    return {"Wx": dWx, "Wh": dWh, "bx": dbx, "bh": dbh}


def predict(model, params, x):
    """Predictions (N, 1) of the head on the last hidden state."""
    h, _ = forward(model, params, x)
    return h[:, -1] @ params["Wy"] + params["by"]


def loss_and_grads(model, params, x, y):
    """MSE of the last-state linear head and the gradients of every parameter."""
    h, cache = forward(model, params, x)
    pred, head_cache = linear_forward(h[:, -1], params["Wy"], params["by"])
    loss, dpred = mse_loss(pred, y)
    dh_last, dWy, dby = linear_backward(dpred, head_cache)
    dh = np.zeros_like(h)  # (N, T, H): the loss only sees the last state
    dh[:, -1] = dh_last
    grads = backward(model, dh, cache)
    grads.update(Wy=dWy, by=dby)
    return loss, grads


def train_adding(model, T, steps, H=32, batch=64, lr=1e-2, max_norm=1.0, seed=0, test_size=1000):
    """Train ``model`` on fresh adding-problem batches of length T with Adam and norm clipping.

    Returns a dict with ``losses`` (training MSE before each update), ``test_mse``
    (MSE on ``test_size`` held-out sequences after training), ``params``,
    ``seconds`` (wall time) and the configuration.
    """
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    params = init_model(model, 2, H, rng)
    opt = Adam(params, lr=lr)
    losses = []
    for _ in range(steps):
        x, y = adding_problem(batch, T, rng)
        loss, grads = loss_and_grads(model, params, x, y)
        grads, _ = clip_grad_norm(grads, max_norm)
        params = opt.step(params, grads)
        losses.append(loss)
    x_test, y_test = adding_problem(test_size, T, np.random.default_rng(10_000 + seed))
    test_mse = float(np.mean((predict(model, params, x_test) - y_test) ** 2))
    return {"model": model, "T": T, "steps": steps, "H": H, "seed": seed, "losses": losses,
            "test_mse": test_mse, "params": params, "seconds": time.perf_counter() - start}
