"""A2-A4: ||dL/dh_t|| against the distance T-1-t for a tanh RNN, an IRNN, an LSTM and a GRU, on one figure.

The lecture notes' "sensitivity to the input over time" figure, measured: a
loss that sees only the last hidden state, L = sum(dh_last * h_{T-1}), and the
norm of its gradient with respect to every earlier hidden state, relative to
||dL/dh_{T-1}||. Every model has H = 32 and is freshly initialised as in
``seq_models.init_model`` (PyTorch's U(-1/sqrt(H), 1/sqrt(H)); LSTM forget-gate
bias 1; IRNN Wh = I, b = 0); the inputs are adding-problem sequences of length
T = 100 (batch of 16). How each norm is obtained, exactly, with the student's code:

- tanh RNN and IRNN: ``hidden_gradient_norms`` (Task 2.4);
- LSTM: h_{t-1} reaches the loss only through a_t = x_t Wx + h_{t-1} Wh + b,
  so dL/dh_{t-1} = da_t Wh^T. Feeding the LSTM the input [x_t, 0] with input
  weights [Wx; Wh] leaves the forward pass unchanged and makes the last H
  columns of ``lstm_backward``'s dx exactly dL/dh_{t-1};
- GRU: its whole state is h, so dL/dh_t is the dh0 of ``gru_backward`` on the
  rest of the sequence x[:, t+1:] started from h_t.

Measured per model and seed: the slope of ln(norm) against the distance
(per step; 0 means the norm is preserved) and the norm ratio at distance 50.
At initialisation the tanh RNN's gradient vanishes fastest (its Wh has a
spectral radius near 0.6); the LSTM's decays more slowly, along the cell
(forget gates near sigmoid(1) = 0.73); the IRNN keeps the most.

References: Bengio, Simard & Frasconi (1994); Hochreiter & Schmidhuber (1997);
Graves (2012), "Supervised sequence labelling with RNNs", figure 4.4; Le,
Jaitly & Hinton (2015); Pascanu, Mikolov & Bengio (2013).
"""

import numpy as np

from solutions.a2_bptt_gradients.adding_problem import adding_problem
from solutions.a2_bptt_gradients.gradient_flow import hidden_gradient_norms
from solutions.a3_lstm.lstm import lstm_backward, lstm_forward
from solutions.a4_gru.gru import gru_backward, gru_forward

from .common import plot_seeds, plt, save_figure, seeds_from
from .seq_models import LABELS, MODELS, init_model

H, N = 32, 16
COLORS = {"rnn": "C3", "irnn": "C1", "lstm": "C0", "gru": "C2"}
FLOOR = 1e-300  # norms are never exactly 0 here; logs of the norms are taken as they are


def lstm_hidden_gradient_norms(x, params, dh_last):
    """norms[t] = ||dL/dh_t|| of an LSTM from h0 = 0, c0 = 0, for L = sum(dh_last * h_{T-1})."""
    Nx, T, D = x.shape
    Hh = params["Wh"].shape[0]
    x_aug = np.concatenate([x, np.zeros((Nx, T, Hh))], axis=2)  # (N, T, D + H)
    Wx_aug = np.concatenate([params["Wx"], params["Wh"]], axis=0)  # (D + H, 4H)
    h, cache = lstm_forward(x_aug, np.zeros((Nx, Hh)), Wx_aug, params["Wh"], params["b"])
    dh = np.zeros_like(h)
    dh[:, -1] = dh_last
    dx = lstm_backward(dh, cache)[0]  # (N, T, D + H); dx[:, t, D:] = dL/dh_{t-1}
    norms = np.linalg.norm(dx[:, 1:, D:], axis=(0, 2))  # t = 0 .. T-2
    return np.append(norms, np.linalg.norm(dh_last))


def gru_hidden_gradient_norms(x, params, dh_last):
    """norms[t] = ||dL/dh_t|| of a GRU from h0 = 0, for L = sum(dh_last * h_{T-1})."""
    Nx, T, _ = x.shape
    weights = (params["Wx"], params["Wh"], params["bx"], params["bh"])
    h, _ = gru_forward(x, np.zeros((Nx, params["Wh"].shape[0])), *weights)
    result = np.zeros(T)
    result[-1] = np.linalg.norm(dh_last)
    for t in range(T - 1):
        rest, cache = gru_forward(x[:, t + 1:], h[:, t], *weights)
        dh = np.zeros_like(rest)
        dh[:, -1] = dh_last
        result[t] = np.linalg.norm(gru_backward(dh, cache)[1])
    return result


def hidden_norms(model, seed, T):
    """Relative norms ||dL/dh_t|| / ||dL/dh_{T-1}||, shape (T,), for one freshly initialised model."""
    rng = np.random.default_rng(seed)
    params = init_model(model, 2, H, rng)
    x, _ = adding_problem(N, T, rng)
    dh_last = rng.standard_normal((N, H))
    if model in ("rnn", "irnn"):
        norms = hidden_gradient_norms(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"], dh_last,
                                      "tanh" if model == "rnn" else "relu")
    elif model == "lstm":
        norms = lstm_hidden_gradient_norms(x, params, dh_last)
    else:
        norms = gru_hidden_gradient_norms(x, params, dh_last)
    return norms / norms[-1]


def run(out_dir, quick=False, seed=0):
    """Gradient norms through time for the four models on >= 3 seeds; one figure, one set of axes."""
    T = 40 if quick else 100
    seeds = seeds_from(seed, 3 if quick else 5)
    distance = np.arange(T)[::-1]  # distance[t] = T-1-t
    at = min(50, T - 1)
    measured = {"T": T, "seeds": seeds, "ratio_distance": at}
    fig, ax = plt.subplots(figsize=(10, 6.2))
    for model in MODELS:
        curves = np.array([hidden_norms(model, s, T) for s in seeds])  # (S, T)
        logs = np.log(np.maximum(curves, FLOOR))
        measured[f"slope_{model}"] = [float(np.polyfit(distance, row, 1)[0]) for row in logs]
        measured[f"ratio_{model}"] = [float(row[T - 1 - at]) for row in curves]
        measured[f"norms_{model}"] = curves[:, ::-1].tolist()  # indexed by distance 0..T-1
        mean_slope = np.mean(measured[f"slope_{model}"])
        plot_seeds(ax, distance, curves, COLORS[model],
                   f"{LABELS[model]}: slope {mean_slope:+.3f}/step")
    ax.set_xlabel("distance T-1-t (time steps back from the loss)")
    ax.set_ylabel("||dL/dh_t|| / ||dL/dh_(T-1)|| (log scale, no unit)")
    ax.set_title(f"Gradient flow at initialisation: H = {H}, adding-problem inputs, T = {T}")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower left", fontsize=9)
    measured["figures"] = [save_figure(fig, out_dir, "gradient_flow.png")]
    return measured
