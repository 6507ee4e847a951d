"""A3/A4: where the gates of a trained LSTM and GRU act, per unit and per time step.

An LSTM and a GRU are trained on the adding problem exactly as in ``adding.py``
(same settings and seeds; when "adding" already ran in this process its trained
weights are reused). Then 200 held-out sequences are replayed step by step, the
pre-activations computed here and passed to the student's gate functions:

    LSTM: a = x_t Wx + h Wh + b  ->  input_gate, forget_gate, cell_candidate,
          output_gate, cell_state_update, hidden_state       (a3_lstm.gates)
    GRU:  ax = x_t Wx + bx, ah = h Wh + bh  ->  reset_gate, update_gate,
          candidate_hidden, gru_hidden_update                (a4_gru.gates)

(the replayed hidden states are checked against ``lstm_forward`` / ``gru_forward``).

Averaged over all units, the gates barely differ between marked and unmarked
steps: the few units that do the work are drowned by the others. So each gate
is measured per unit: its mean at the two marked steps minus its mean at the
other steps (for the GRU's z, the other way round: z near 0 writes the new
candidate, ``h = (1 - z) * n + z * h_prev``). The figure shows, for every seed,
these per-unit differences sorted, and the heat map (unit x time step) of one
sequence with the units sorted by that difference, for the seed with the lowest
test MSE.

Measured per seed: the largest per-unit difference of the LSTM input gate and
of the GRU update gate, the number of units above 0.2, and the same quantities
averaged over units (to show what averaging hides).

References: Hochreiter & Schmidhuber (1997); Gers, Schmidhuber & Cummins
(2000); Cho et al. (2014); Karpathy, Johnson & Fei-Fei (2015), "Visualizing
and understanding recurrent networks".
"""

import numpy as np

from solutions.a2_bptt_gradients.adding_problem import adding_problem
from solutions.a3_lstm import gates as lstm_gates
from solutions.a4_gru import gates as gru_gates

from .adding import SETTINGS, default_workers, train_many
from .common import plt, save_figure, seeds_from
from .seq_models import forward

REPLAYED = 200
ACTIVE = 0.2  # a unit "acts" at the markers when its gate moves by more than this


def lstm_gate_trace(params, x):
    """Replay an LSTM on x (N, T, D); returns dict of (N, T, H) arrays i, f, o, h."""
    N, H = x.shape[0], params["Wh"].shape[0]
    h, c = np.zeros((N, H)), np.zeros((N, H))
    trace = {k: [] for k in ("i", "f", "o", "h")}
    for t in range(x.shape[1]):
        a = x[:, t] @ params["Wx"] + h @ params["Wh"] + params["b"]  # (N, 4H)
        i, f = lstm_gates.input_gate(a), lstm_gates.forget_gate(a)
        g, o = lstm_gates.cell_candidate(a), lstm_gates.output_gate(a)
        c = lstm_gates.cell_state_update(c, f, i, g)
        h = lstm_gates.hidden_state(c, o)
        for k, v in zip(("i", "f", "o", "h"), (i, f, o, h)):
            trace[k].append(v)
    return {k: np.stack(v, axis=1) for k, v in trace.items()}


def gru_gate_trace(params, x):
    """Replay a GRU on x (N, T, D); returns dict of (N, T, H) arrays r, z, h."""
    N, H = x.shape[0], params["Wh"].shape[0]
    h = np.zeros((N, H))
    trace = {k: [] for k in ("r", "z", "h")}
    for t in range(x.shape[1]):
        ax = x[:, t] @ params["Wx"] + params["bx"]  # (N, 3H)
        ah = h @ params["Wh"] + params["bh"]  # (N, 3H)
        r, z = gru_gates.reset_gate(ax, ah), gru_gates.update_gate(ax, ah)
        n = gru_gates.candidate_hidden(ax, ah, r)
        h = gru_gates.gru_hidden_update(n, z, h)
        for k, v in zip(("r", "z", "h"), (r, z, h)):
            trace[k].append(v)
    return {k: np.stack(v, axis=1) for k, v in trace.items()}


def per_unit_difference(values, markers, sign=1.0):
    """sign * (mean at marked steps - mean at other steps) for every unit; values (N, T, H), markers (N, T) 0/1."""
    marked = markers[..., None] > 0
    at = (values * marked).sum(axis=(0, 1)) / marked.sum()
    elsewhere = (values * ~marked).sum(axis=(0, 1)) / (~marked).sum()
    return sign * (at - elsewhere)


# (model, gate, sign, label): sign +1 for "opens at the markers", -1 for "drops at the markers"
PANELS = (("lstm", "i", 1.0, "LSTM input gate i: mean at markers - elsewhere"),
          ("gru", "z", -1.0, "GRU update gate z: mean elsewhere - at markers (z low = write)"))


def run(out_dir, quick=False, seed=0, workers=None):
    """Train (or reuse) LSTMs and GRUs on >= 3 seeds, replay held-out sequences, plot per-unit gate activity."""
    setting = SETTINGS["quick" if quick else "full"]
    T, steps = setting["T"], setting["steps"]
    seeds = seeds_from(seed, setting["seeds"])
    if workers is None:
        workers = 1 if quick else default_workers()
    trained = train_many([(m, T, steps, s) for m in ("lstm", "gru") for s in seeds], workers)
    x, _ = adding_problem(REPLAYED, T, np.random.default_rng(seed + 123))
    markers = x[:, :, 1]
    measured = {"T": T, "steps": steps, "seeds": seeds, "threshold": ACTIVE}
    diffs = {(m, g): [] for m, g, _, _ in PANELS}
    first = {}
    for r in trained:
        trace = (lstm_gate_trace if r["model"] == "lstm" else gru_gate_trace)(r["params"], x)
        h_ref, _ = forward(r["model"], r["params"], x)
        assert np.allclose(trace["h"], h_ref, atol=1e-10), f"{r['model']} gate replay differs from the unroll"
        for model, gate, sign, _ in PANELS:
            if model == r["model"]:
                diff = per_unit_difference(trace[gate], markers, sign)
                diffs[(model, gate)].append(diff)
                shown = first.get((model, gate))
                if shown is None or r["test_mse"] < shown[2]:  # the heat map shows the best-trained seed
                    first[(model, gate)] = (trace[gate][0], diff, r["test_mse"], r["seed"])
    for (model, gate), per_seed in diffs.items():
        key = f"{model}_{gate}"
        measured[f"{key}_max_unit_difference"] = [float(d.max()) for d in per_seed]
        measured[f"{key}_units_above_threshold"] = [int(np.sum(d > ACTIVE)) for d in per_seed]
        measured[f"{key}_mean_over_units_difference"] = [float(d.mean()) for d in per_seed]
    measured["test_mse_lstm"] = [r["test_mse"] for r in trained if r["model"] == "lstm"]
    measured["test_mse_gru"] = [r["test_mse"] for r in trained if r["model"] == "gru"]

    fig, axes = plt.subplots(2, 2, figsize=(15, 9), layout="constrained")
    for column, (model, gate, sign, title) in enumerate(PANELS):
        ax = axes[0, column]
        for s, diff in zip(seeds, diffs[(model, gate)]):
            ranked = np.sort(diff)[::-1]
            ax.plot(np.arange(1, len(ranked) + 1), ranked, marker="o", ms=4, lw=1.2,
                    label=f"seed {s}: mean over units {diff.mean():+.3f}")
        ax.axhline(ACTIVE, color="gray", ls=":", lw=1.2, label=f"threshold {ACTIVE}")
        ax.axhline(0.0, color="k", lw=0.8)
        ax.set_title(title, fontsize=12)
        ax.set_xlabel("unit, ranked by its difference (1 = largest)")
        ax.set_ylabel("gate difference (gate value, 0 to 1)")
        ax.legend(fontsize=9)
        values, diff, test_mse, shown_seed = first[(model, gate)]  # one sequence (T, H)
        order = np.argsort(diff)[::-1]
        ax = axes[1, column]
        image = ax.imshow(values[:, order].T, aspect="auto", cmap="viridis", vmin=0.0, vmax=1.0,
                          interpolation="nearest")
        for m in np.flatnonzero(markers[0]):
            for edge in (m - 0.5, m + 0.5):
                ax.axvline(edge, color="w", ls="--", lw=1.0)
        ax.set_title(f"{model.upper()} gate {gate} on one sequence, best seed ({shown_seed}, test MSE "
                     f"{test_mse:.4f}); dashed: marked steps", fontsize=12)
        ax.set_xlabel("time step t")
        ax.set_ylabel("unit (ranked as above)")
        fig.colorbar(image, ax=ax, label=f"{gate} (0 to 1)")
    fig.suptitle(f"Gates of trained models on the adding problem (T = {T}, {steps} steps, {len(seeds)} seeds, "
                 f"{REPLAYED} held-out sequences)")
    measured["figures"] = [save_figure(fig, out_dir, "gates.png")]
    return measured
