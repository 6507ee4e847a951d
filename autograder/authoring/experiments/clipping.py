"""A2: exploding gradients, and what clipping by global norm does about them.

A tanh RNN (H = 16) whose Wh has spectral radius 2 (``init_spectral_radius``),
far into the regime where gradients can explode (Pascanu et al. 2013), is
trained with plain SGD (lr 0.2, batch 64) on a many-to-one regression task:
read T = 20 numbers x_t ~ N(0, 1) and output their sum divided by sqrt(T)
(target variance 1, so predicting 0 gives MSE 1). The head is linear on the
last hidden state, the loss the mean squared error. The same run (same seed,
same batches) is made twice:

- without clipping: a few steps see gradient norms hundreds of times the
  typical one; the update throws the parameters off, the tanh units saturate,
  the head's weights blow up and the loss grows without bound (often to inf);
- with ``clip_grad_norm(grads, 1.0)`` (Task 2.2, reference): the direction is
  kept, the step is bounded by lr * 1.0, the loss decreases.

Measured: the final loss of each run (mean over the last 50 steps; inf when
the run diverged), the number of steps whose loss is non-finite or above 10x
the initial loss ("exploding"), the largest global gradient norm (before
clipping), and whether each run diverged (a non-finite loss: training stops).

References: Pascanu, Mikolov & Bengio (2013), "On the difficulty of training
recurrent neural networks", algorithm 1 and figure 6; Mikolov (2012), PhD
thesis; Goodfellow et al., *Deep Learning*, section 10.11.1.
"""

import numpy as np

from solutions.a1_vanilla_rnn.rnn import rnn_backward, rnn_forward
from solutions.a2_bptt_gradients.clipping import clip_grad_norm
from solutions.a2_bptt_gradients.initializers import init_spectral_radius

from .common import linear_backward, linear_forward, mse_loss, plt, save_figure, sgd_step

DISPLAY_CAP = 1e30  # plotted values are capped here (matplotlib overflows near 1e300)


def sum_data(N, T, rng):
    """x (N, T, 1) ~ N(0, 1) and y (N, 1) = sum over time / sqrt(T)."""
    x = rng.standard_normal((N, T, 1))
    return x, x.sum(axis=1) / np.sqrt(T)


def train(clip, steps, radius=2.0, lr=0.2, max_norm=1.0, H=16, T=20, N=64, seed=0):
    """SGD on the sum task; returns (losses, global gradient norms before clipping)."""
    rng = np.random.default_rng(seed)
    params = {
        "Wx": rng.standard_normal((1, H)),
        "Wh": init_spectral_radius(H, radius, rng),
        "b": np.zeros(H),
        "Wy": rng.standard_normal((H, 1)) / np.sqrt(H),
        "by": np.zeros(1),
    }
    losses, norms = [], []
    h0 = np.zeros((N, H))
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            x, y = sum_data(N, T, rng)
            h, cache = rnn_forward(x, h0, params["Wx"], params["Wh"], params["b"])
            pred, head_cache = linear_forward(h[:, -1], params["Wy"], params["by"])
            loss, dpred = mse_loss(pred, y)
            dh_last, dWy, dby = linear_backward(dpred, head_cache)
            dh = np.zeros_like(h)
            dh[:, -1] = dh_last
            _, _, dWx, dWh, db = rnn_backward(dh, cache)
            grads = {"Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby}
            clipped, total = clip_grad_norm(grads, max_norm)
            losses.append(loss)
            norms.append(total)
            if not np.isfinite(loss):
                break  # diverged: the parameters are no longer finite
            params = sgd_step(params, clipped if clip else grads, lr)
    return np.array(losses), np.array(norms)


def summary(losses, norms, tail=50):
    """Measured quantities of one run."""
    finite = np.isfinite(losses)
    diverged = not bool(finite.all())
    exploding = (~finite) | (losses > 10.0 * losses[0])
    return {
        "final_loss": float("inf") if diverged else float(np.mean(losses[-tail:])),
        "exploding_steps": int(exploding.sum()),
        "nonfinite_steps": int((~finite).sum()),
        "steps_run": int(len(losses)),
        "diverged": diverged,
        "max_grad_norm": float(np.nanmax(np.where(np.isfinite(norms), norms, np.nan))),
        "median_grad_norm": float(np.median(norms[np.isfinite(norms)])),
    }


def capped(values):
    """Values to plot: non-finite entries dropped (NaN), the rest capped at ``DISPLAY_CAP``."""
    return np.minimum(np.where(np.isfinite(values), values, np.nan), DISPLAY_CAP)


def run(out_dir, quick=False, seed=0):
    """Train with and without clipping; plot loss and gradient norm, log scale."""
    steps, max_norm = (150 if quick else 600), 1.0
    runs = {"unclipped": train(False, steps, max_norm=max_norm, seed=seed),
            "clipped": train(True, steps, max_norm=max_norm, seed=seed)}
    results = {}
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    for (name, (losses, norms)), color in zip(runs.items(), ("C3", "C0")):
        stats = summary(losses, norms)
        results.update({f"{name}_{k}": v for k, v in stats.items()})
        results[f"{name}_losses"] = [float(v) for v in losses]
        label = f"{name}: final {stats['final_loss']:.3g}, {stats['exploding_steps']} exploding steps"
        shown = capped(losses)
        axes[0].semilogy(shown, color=color, lw=1, label=label)
        if stats["diverged"]:
            axes[0].axvline(len(losses) - 1, color=color, ls=":", lw=1.5, label=f"{name}: loss non-finite (stopped)")
        axes[1].semilogy(capped(norms), color=color, lw=1, alpha=0.8, label=name)
    axes[0].axhline(1.0, color="k", ls="--", lw=1, label="predict 0 (MSE 1)")
    axes[0].set_title("tanh RNN, spectral radius 2, SGD lr 0.2: training loss")
    axes[0].set_xlabel("SGD step")
    axes[0].set_ylabel(f"MSE (log scale, capped at {DISPLAY_CAP:.0e})")
    axes[0].legend(fontsize=8)
    axes[1].axhline(max_norm, color="k", ls="--", lw=1, label=f"clipping threshold {max_norm:g}")
    axes[1].set_title("global gradient norm before clipping")
    axes[1].set_xlabel("SGD step")
    axes[1].set_ylabel(f"||g|| (log scale, capped at {DISPLAY_CAP:.0e})")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    results["figures"] = [save_figure(fig, out_dir, "clipping.png")]
    results["max_norm"] = max_norm
    return results
