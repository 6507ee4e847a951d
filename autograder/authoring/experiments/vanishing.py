"""A2: vanishing and exploding gradients, ||dL/dh_t|| against the distance T-1-t.

For a loss that only sees the last hidden state (L = sum(dh_last * h_{T-1})),
``hidden_gradient_norms`` (Task 2.4) returns ||dL/dh_t|| for every t.
We plot it against the distance d = T-1-t on a log scale for

- tanh RNNs whose Wh comes from ``init_spectral_radius`` with radius 0.5, 1.0, 1.5;
- an IRNN: ReLU RNN with Wh = ``init_identity`` and zero bias (Le et al. 2015),
  started from h0 = 1 so that every unit is active (a ReLU unit at 0 passes
  no gradient);

with H = 32, T = 50, small random inputs (x ~ 0.01 N(0, 1), Wx ~ N(0, 1/D)),
averaging ln||dL/dh_t|| over a few seeds (batch of 16 sequences each).

Measured: the decay rate, the least-squares slope of ln||dL/dh_t|| against d
(per step; 0 means the norm is preserved). In the linear regime of tanh the
norm scales like rho(Wh)^d, slope ln(rho) (drawn dashed): -0.69 for 0.5, 0
for 1.0, +0.41 for 1.5. For radius 1.5 the linear theory fails: the state
grows until tanh saturates, and the derivatives 1 - h^2 < 1 pull the measured
slope far below ln 1.5 (about +0.1 per step): over the first ~25 steps back
from the loss (the last time steps, where the state is saturated) the norm does
not grow at all; it grows only further back, where the state is still small.
Only the near-linear regime follows rho^d.
Expected: slope(0.5) < 0 < slope(1.5) < ln 1.5, slope(IRNN) ~ 0.

References: Bengio, Simard & Frasconi (1994); Pascanu, Mikolov & Bengio (2013),
section 3; Le, Jaitly & Hinton (2015), IRNN; Arjovsky, Shah & Bengio (2016),
unitary RNNs (norm-preserving recurrences).
"""

import numpy as np

from solutions.a2_bptt_gradients.gradient_flow import hidden_gradient_norms
from solutions.a2_bptt_gradients.initializers import init_identity, init_spectral_radius

from .common import plt, save_figure, seeds_from

RADII = (0.5, 1.0, 1.5)


def gradient_norm_curves(setting, seeds, H=32, T=50, D=8, N=16, input_scale=0.01):
    """ln||dL/dh_t|| for each seed, shape (len(seeds), T); setting is a radius or "irnn"."""
    curves = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        x = input_scale * rng.standard_normal((N, T, D))
        Wx = rng.standard_normal((D, H)) / np.sqrt(D)
        dh_last = rng.standard_normal((N, H))
        if setting == "irnn":
            norms = hidden_gradient_norms(x, np.ones((N, H)), Wx, init_identity(H), np.zeros(H), dh_last, "relu")
        else:
            Wh = init_spectral_radius(H, setting, rng)
            norms = hidden_gradient_norms(x, np.zeros((N, H)), Wx, Wh, np.zeros(H), dh_last, "tanh")
        curves.append(np.log(norms / norms[-1]))  # relative to ||dh_last||
    return np.array(curves)


def run(out_dir, quick=False, seed=0):
    """Gradient norms through time for three spectral radii and the IRNN; one figure."""
    T = 50
    seeds = seeds_from(seed, 3 if quick else 8)
    distance = np.arange(T)[::-1]  # distance[t] = T-1-t
    settings = [*RADII, "irnn"]
    results = {}
    fig, ax = plt.subplots(figsize=(7.5, 5))
    for color, setting in zip(("C0", "C1", "C3", "C2"), settings):
        curves = gradient_norm_curves(setting, seeds, T=T)
        mean_log = curves.mean(axis=0)
        slope = float(np.polyfit(distance, mean_log, 1)[0])
        name = "irnn" if setting == "irnn" else f"tanh_r{setting}"
        results[f"slope_{name}"] = slope
        results[f"seed_slopes_{name}"] = [float(np.polyfit(distance, c, 1)[0]) for c in curves]
        results[f"log_norms_{name}"] = mean_log[::-1].tolist()  # indexed by distance 0..T-1
        label = "IRNN (ReLU, Wh = I)" if setting == "irnn" else f"tanh, spectral radius {setting}"
        for curve in curves:
            ax.semilogy(distance, np.exp(curve), color=color, alpha=0.15, lw=0.8)
        ax.semilogy(distance, np.exp(mean_log), color=color, lw=2,
                    label=f"{label}: slope {slope:+.3f}/step (thin: each of {len(seeds)} seeds)")
        if setting != "irnn":
            ax.semilogy(distance, float(setting) ** distance, color=color, ls="--", lw=1)
    ax.plot([], [], color="gray", ls="--", lw=1, label="linear theory rho^d")
    ax.set_ylim(1e-16, 1e8)
    ax.set_xlabel("distance T-1-t (steps back from the loss)")
    ax.set_ylabel("||dL/dh_t|| / ||dL/dh_(T-1)|| (log scale, no unit)")
    ax.set_title(f"Gradient norm through time (H=32, T={T}, {len(seeds)} seeds, inputs 0.01 N(0,1))")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower left", fontsize=9)
    results["figures"] = [save_figure(fig, out_dir, "vanishing.png")]
    results["linear_theory_slopes"] = [float(np.log(r)) for r in RADII]
    results["seeds"] = len(seeds)
    return results
