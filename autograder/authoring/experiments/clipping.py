"""A2: exploding gradients, and what clipping by global norm does about them.

A tanh RNN (H = 16) whose Wh has spectral radius 2 (``init_spectral_radius``),
far into the regime where gradients can explode (Pascanu et al. 2013), is
trained with plain SGD (batch 64) on a many-to-one regression task:
read T = 20 numbers x_t ~ N(0, 1) and output their sum divided by sqrt(T)
(target variance 1, so predicting 0 gives MSE 1). The head is linear on the
last hidden state, the loss the mean squared error. Every run (same seed,
same batches) is made twice, at the same learning rate, on 3 seeds:

- without clipping: a few steps see gradient norms hundreds of times the
  typical one; the update throws the parameters off, the tanh units saturate,
  the head's weights blow up and the loss grows without bound (often to inf);
- with ``clip_grad_norm(grads, 1.0)`` (Task 2.2): the direction is
  kept, the step is bounded by lr * 1.0, the loss decreases.

Clipping matters only where steps are large: the learning rates 0.02, 0.05,
0.1 and 0.2 are all run. At 0.02 the unclipped runs train about as well as the
clipped ones (at 0.05 on two of three seeds); at 0.2 (the left panels) they blow up. Nothing is capped in
the figure: the first panel draws log10 of every finite loss (losses reach
1e300, beyond what a log axis can draw), a run whose loss overflows to inf stops
and is marked with an x; the second zooms on the clipped runs (its y range is
stated); on the right, runs that overflowed sit on a labelled row.

Measured per (learning rate, clipping, seed): the final loss (mean over the
last 50 steps; inf when the run diverged), the number of steps whose loss is
non-finite or above 10x the initial loss ("exploding"), the largest global
gradient norm (before clipping), and whether the run diverged.

References: Pascanu, Mikolov & Bengio (2013), "On the difficulty of training
recurrent neural networks", algorithm 1 and figure 6; Mikolov (2012), PhD
thesis; Goodfellow et al., *Deep Learning*, section 10.11.1.
"""

import numpy as np

from solutions.a1_vanilla_rnn.rnn import rnn_backward, rnn_forward
from solutions.a2_bptt_gradients.clipping import clip_grad_norm
from solutions.a2_bptt_gradients.initializers import init_spectral_radius

from .common import linear_backward, linear_forward, mse_loss, plt, save_figure, seeds_from, sgd_step

LEARNING_RATES = (0.02, 0.05, 0.1, 0.2)
CURVES_LR = 0.2


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
            grads = dict(Wx=dWx, Wh=dWh, b=db, Wy=dWy, by=dby)
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


def run(out_dir, quick=False, seed=0):
    """Train with and without clipping at several learning rates on >= 3 seeds; one figure, two panels."""
    steps, max_norm = 250, 1.0  # quick runs only the curves' learning rate (150 steps left a seed short of blowing up)
    seeds = seeds_from(seed, 3)
    rates = (CURVES_LR,) if quick else LEARNING_RATES
    runs = {(lr, clip, s): train(clip, steps, lr=lr, max_norm=max_norm, seed=s)
            for lr in rates for clip in (False, True) for s in seeds}
    results = {"seeds": seeds, "steps": steps, "max_norm": max_norm, "learning_rates": list(rates),
               "curves_lr": CURVES_LR}
    for (lr, clip, s), (losses, norms) in runs.items():
        name = f"{'clipped' if clip else 'unclipped'}_lr{lr:g}"
        for k, v in summary(losses, norms).items():
            results.setdefault(f"{name}_{k}", []).append(v)
        if lr == CURVES_LR:
            results.setdefault(f"{name}_losses", []).append([float(v) for v in losses])

    fig, axes = plt.subplots(1, 3, figsize=(21, 6))
    ax = axes[0]
    stop_labelled = False
    for clip, color in ((False, "C3"), (True, "C0")):
        name = "clipped" if clip else "unclipped"
        for k, s in enumerate(seeds):
            losses = runs[(CURVES_LR, clip, s)][0]
            finite = np.isfinite(losses)
            label = (f"{name} (global norm {max_norm:g}), {len(seeds)} seeds" if clip
                     else f"{name}, {len(seeds)} seeds") if k == 0 else None
            ax.plot(np.flatnonzero(finite), np.log10(losses[finite]), color=color, lw=1.0, alpha=0.8, label=label)
            if not finite.all():  # the run stopped: its loss overflowed to inf / nan
                stop = int(np.flatnonzero(~finite)[0])
                ax.plot(stop - 1, np.log10(losses[finite][-1]), "x", color=color, ms=12, mew=2.5,
                        label=None if stop_labelled else "last finite loss: the next one overflowed, run stopped")
                stop_labelled = True
    ax.axhline(0.0, color="k", ls="--", lw=1, label="predict 0 (MSE 1)")
    ax.set_title(f"tanh RNN, spectral radius 2, SGD lr {CURVES_LR:g}: training loss, every seed")
    ax.set_xlabel("SGD step (batch 64)")
    ax.set_ylabel("log10 of the MSE (every finite value; 100 means 1e100)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=9, loc="upper left")

    ax = axes[1]  # the same runs on a linear scale, zoomed on the clipped runs' range
    for clip, color in ((False, "C3"), (True, "C0")):
        for k, s in enumerate(seeds):
            losses = runs[(CURVES_LR, clip, s)][0]
            ax.plot(np.arange(len(losses)), np.where(np.isfinite(losses), losses, np.nan), color=color, lw=1.0,
                    alpha=0.8, label=("clipped" if clip else "unclipped (leaves this panel upwards)") if k == 0
                    else None)
    ax.axhline(1.0, color="k", ls="--", lw=1, label="predict 0 (MSE 1)")
    ax.set_ylim(0.0, 1.5)
    ax.set_title(f"the same runs, zoomed: MSE between 0 and 1.5 (lr {CURVES_LR:g})")
    ax.set_xlabel("SGD step (batch 64)")
    ax.set_ylabel("MSE (linear scale)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, loc="upper right")

    ax = axes[2]
    top = max(max(v for v in results[f"unclipped_lr{lr:g}_final_loss"] + results[f"clipped_lr{lr:g}_final_loss"]
                  if np.isfinite(v)) for lr in rates)
    diverged_y = np.ceil(np.log10(top)) + 2  # log10: a row above every finite value, labelled below
    for clip, color, shift in ((False, "C3", 0.97), (True, "C0", 1.03)):
        name = "clipped" if clip else "unclipped"
        finals = np.array([results[f"{name}_lr{lr:g}_final_loss"] for lr in rates])  # (rates, seeds)
        with np.errstate(divide="ignore", invalid="ignore"):
            shown = np.where(np.isfinite(finals), np.log10(finals), diverged_y)
        for k in range(len(seeds)):
            ax.scatter(np.array(rates) * shift, shown[:, k], color=color, s=40, alpha=0.8,
                       label=f"{name}: one dot per seed" if k == 0 else None)
        with np.errstate(all="ignore"):
            medians = np.median(shown, axis=1)
        ax.plot(np.array(rates) * shift, medians, color=color, lw=1.5, label=f"{name}: median over seeds")
    ax.axhline(diverged_y, color="gray", ls=":", lw=1)
    ax.text(rates[0] * 0.9, diverged_y + 0.3, "row of runs whose loss overflowed to inf", fontsize=10)
    ax.axhline(0.0, color="k", ls="--", lw=1, label="predict 0 (MSE 1)")
    ax.set_xscale("log")
    ax.set_xticks(rates, [f"{lr:g}" for lr in rates])
    ax.set_xticks([], minor=True)
    ax.set_title(f"final training MSE (mean of last 50 steps) after {steps} steps")
    ax.set_xlabel("SGD learning rate (log scale)")
    ax.set_ylabel("log10 of the final MSE")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=9, loc="center left")
    fig.suptitle("Clipping by global norm: the same learning rate, with and without clipping")
    fig.tight_layout()
    results["figures"] = [save_figure(fig, out_dir, "clipping.png")]
    return results
