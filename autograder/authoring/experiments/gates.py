"""A3/A4: what the gates of a trained LSTM and GRU do on one adding-problem sequence.

An LSTM and a GRU are trained on the adding problem at T = 50 exactly as in
``adding.py`` (same settings; when "adding" already ran in this process its
trained weights are reused). Then one sequence is replayed step by step, the
pre-activations are computed by hand and passed to the reference gate
functions:

    LSTM: a = x_t Wx + h Wh + b  ->  input_gate, forget_gate, cell_candidate,
          output_gate, cell_state_update, hidden_state       (a3_lstm.gates)
    GRU:  ax = x_t Wx + bx, ah = h Wh + bh  ->  reset_gate, update_gate,
          candidate_hidden, gru_hidden_update                (a4_gru.gates)

(the replayed hidden states are checked against ``lstm_forward`` / ``gru_forward``).
The figure shows the input and heat maps (unit x time) of i, f, o and r, z,
with the two marked steps framed by dashed lines.

Measured: for each gate, its mean over units at the two marked steps and at
the other steps (a trained LSTM typically opens its input gate and a trained
GRU lowers z, i.e. writes, at the markers, and keeps f / z high elsewhere to
hold the memory), the models' predictions for the sequence, and their test MSE.

References: Hochreiter & Schmidhuber (1997); Gers, Schmidhuber & Cummins
(2000); Cho et al. (2014); Karpathy, Johnson & Fei-Fei (2015), "Visualizing
and understanding recurrent networks".
"""

import numpy as np

from solutions.a2_bptt_gradients.adding_problem import adding_problem
from solutions.a3_lstm import gates as lstm_gates
from solutions.a4_gru import gates as gru_gates

from .adding import FULL_STEPS, default_workers, train_many
from .common import plt, save_figure
from .seq_models import forward

T = 50
QUICK_STEPS = 100


def lstm_gate_trace(params, x):
    """Replay an LSTM on x (1, T, D); returns dict of (T, H) arrays i, f, o, c, h."""
    H = params["Wh"].shape[0]
    h, c = np.zeros((1, H)), np.zeros((1, H))
    trace = {k: [] for k in ("i", "f", "o", "c", "h")}
    for t in range(x.shape[1]):
        a = x[:, t] @ params["Wx"] + h @ params["Wh"] + params["b"]  # (1, 4H)
        i, f = lstm_gates.input_gate(a), lstm_gates.forget_gate(a)
        g, o = lstm_gates.cell_candidate(a), lstm_gates.output_gate(a)
        c = lstm_gates.cell_state_update(c, f, i, g)
        h = lstm_gates.hidden_state(c, o)
        for k, v in zip(("i", "f", "o", "c", "h"), (i, f, o, c, h)):
            trace[k].append(v[0])
    return {k: np.array(v) for k, v in trace.items()}


def gru_gate_trace(params, x):
    """Replay a GRU on x (1, T, D); returns dict of (T, H) arrays r, z, n, h."""
    H = params["Wh"].shape[0]
    h = np.zeros((1, H))
    trace = {k: [] for k in ("r", "z", "n", "h")}
    for t in range(x.shape[1]):
        ax = x[:, t] @ params["Wx"] + params["bx"]  # (1, 3H)
        ah = h @ params["Wh"] + params["bh"]  # (1, 3H)
        r, z = gru_gates.reset_gate(ax, ah), gru_gates.update_gate(ax, ah)
        n = gru_gates.candidate_hidden(ax, ah, r)
        h = gru_gates.gru_hidden_update(n, z, h)
        for k, v in zip(("r", "z", "n", "h"), (r, z, n, h)):
            trace[k].append(v[0])
    return {k: np.array(v) for k, v in trace.items()}


def run(out_dir, quick=False, seed=0, workers=None):
    """Train (or reuse) an LSTM and a GRU at T = 50, replay one sequence, plot gate heat maps."""
    steps = QUICK_STEPS if quick else FULL_STEPS[T]
    if workers is None:
        workers = 1 if quick else default_workers()
    lstm, gru = train_many([("lstm", T, steps, seed), ("gru", T, steps, seed)], workers)
    x, y = adding_problem(1, T, np.random.default_rng(seed + 123))
    markers = np.flatnonzero(x[0, :, 1])
    traces = {"lstm": lstm_gate_trace(lstm["params"], x), "gru": gru_gate_trace(gru["params"], x)}
    for name, r in (("lstm", lstm), ("gru", gru)):  # the replay must match the reference unroll
        h_ref, _ = forward(name, r["params"], x)
        assert np.allclose(traces[name]["h"], h_ref[0], atol=1e-12), f"{name} gate replay differs"
    preds = {name: float(traces[name]["h"][-1] @ r["params"]["Wy"][:, 0] + r["params"]["by"][0])
             for name, r in (("lstm", lstm), ("gru", gru))}

    panels = [("lstm", "i", "LSTM input gate i"), ("lstm", "f", "LSTM forget gate f"),
              ("lstm", "o", "LSTM output gate o"), ("gru", "r", "GRU reset gate r"),
              ("gru", "z", "GRU update gate z (1 = keep the old state)")]
    fig, axes = plt.subplots(len(panels) + 1, 1, figsize=(10, 15), sharex=True, layout="constrained",
                             gridspec_kw={"height_ratios": [0.6] + [1] * len(panels)})
    ax = axes[0]
    ax.bar(np.arange(T), x[0, :, 0], color=np.where(x[0, :, 1] > 0, "C3", "C7"), width=0.8)
    ax.set_ylabel("value")
    ax.set_xlim(-0.5, T - 0.5)
    ax.set_title(f"Input (marked values in red), target {y[0, 0]:.3f}; "
                 f"LSTM predicts {preds['lstm']:.3f}, GRU {preds['gru']:.3f} ({steps} training steps)")
    measured = {"target": float(y[0, 0]), "prediction_lstm": preds["lstm"], "prediction_gru": preds["gru"],
                "test_mse_lstm": lstm["test_mse"], "test_mse_gru": gru["test_mse"], "steps": steps,
                "markers": markers.tolist()}
    others = np.setdiff1d(np.arange(T), markers)
    for ax, (model, gate, title) in zip(axes[1:], panels):
        values = traces[model][gate]  # (T, H)
        image = ax.imshow(values.T, aspect="auto", cmap="viridis", vmin=0.0, vmax=1.0, interpolation="nearest")
        for m in markers:  # frame the marked columns without hiding them
            for edge in (m - 0.5, m + 0.5):
                ax.axvline(edge, color="w", ls="--", lw=0.8)
        ax.set_title(title)
        ax.set_ylabel("unit")
        measured[f"{model}_{gate}_at_markers"] = float(values[markers].mean())
        measured[f"{model}_{gate}_elsewhere"] = float(values[others].mean())
        measured[f"{model}_{gate}_mean_over_units"] = values.mean(axis=1).tolist()
    axes[-1].set_xlabel("time step t (dashed frames: the two marked steps)")
    fig.colorbar(image, ax=axes.tolist(), shrink=0.6, label="gate value")
    measured["figures"] = [save_figure(fig, out_dir, "gates.png")]
    return measured
