"""Glue shared by the experiments: optimisers, a linear regression head, MSE, figure helpers.

Everything recurrent (forward and backward through time) comes from the
implementation under test; this module only adds what the
assignments do not ask for:

- ``Adam`` (Kingma & Ba 2015), ``sgd_step`` and ``Adagrad`` (Duchi et al. 2011,
  the optimiser of Karpathy's ``min-char-rnn.py``), all on dicts of float64 arrays;
- ``linear_forward`` / ``linear_backward``: ``pred = h W + b`` on a last hidden state;
- ``mse_loss``: mean squared error and its gradient;
- ``seeds_from``, ``plot_seeds``: every claim runs on at least 3 seeds, drawn with their spread;
- ``save_figure``: write a matplotlib figure as PNG (Agg backend, no display).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

# Readable on a slide: nothing smaller than 10 pt.
plt.rcParams.update({"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12, "legend.fontsize": 10,
                     "xtick.labelsize": 11, "ytick.labelsize": 11, "figure.titlesize": 14})


class Adam:
    """Adam on a dict of parameters: m, v moving averages with bias correction (Kingma & Ba 2015)."""

    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = {k: np.zeros_like(v, dtype=np.float64) for k, v in params.items()}
        self.v = {k: np.zeros_like(v, dtype=np.float64) for k, v in params.items()}
        self.t = 0

    def step(self, params, grads):
        """Return the updated parameters (new arrays; ``params`` is not modified)."""
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        new = {}
        for k, p in params.items():
            self.m[k] = b1 * self.m[k] + (1.0 - b1) * grads[k]
            self.v[k] = b2 * self.v[k] + (1.0 - b2) * grads[k] ** 2
            m_hat = self.m[k] / (1.0 - b1**self.t)
            v_hat = self.v[k] / (1.0 - b2**self.t)
            new[k] = p - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return new


class Adagrad:
    """Adagrad as in min-char-rnn: mem += g**2; p -= lr * g / sqrt(mem + 1e-8)."""

    def __init__(self, params, lr=0.1):
        self.lr = lr
        self.mem = {k: np.zeros_like(v, dtype=np.float64) for k, v in params.items()}

    def step(self, params, grads):
        new = {}
        for k, p in params.items():
            self.mem[k] = self.mem[k] + grads[k] ** 2
            new[k] = p - self.lr * grads[k] / np.sqrt(self.mem[k] + 1e-8)
        return new


def sgd_step(params, grads, lr):
    """Plain gradient descent p <- p - lr * g; returns new arrays."""
    return {k: p - lr * grads[k] for k, p in params.items()}


def linear_forward(h, W, b):
    """pred = h W + b for h (N, H), W (H, K), b (K,); returns (pred, cache)."""
    return h @ W + b, (h, W)


def linear_backward(dpred, cache):
    """Backward of ``linear_forward``: returns (dh, dW, db)."""
    h_last, W = cache
    return dpred @ W.T, h_last.T @ dpred, dpred.sum(axis=0)


def mse_loss(pred, y):
    """Mean squared error over every entry and its gradient 2 (pred - y) / pred.size."""
    diff = pred - y
    return float(np.mean(diff**2)), 2.0 * diff / diff.size


def uniform_init(shape, H, rng):
    """PyTorch's default RNN initialisation U(-1/sqrt(H), 1/sqrt(H))."""
    k = 1.0 / np.sqrt(H)
    return rng.uniform(-k, k, size=shape)


def smooth(values, window):
    """Moving average (valid part) for plotting noisy curves; returns the input if too short."""
    values = np.asarray(values, dtype=np.float64)
    if window <= 1 or len(values) < window:
        return values
    return np.convolve(values, np.ones(window) / window, mode="valid")


def seeds_from(seed, count):
    """``count`` consecutive seeds starting at ``seed`` (every claim is shown on at least three)."""
    if count < 3:
        raise ValueError(f"every experiment runs at least 3 seeds, got {count}")
    return [seed + k for k in range(count)]


def plot_seeds(ax, x, curves, color, label, log=True, individual=True):
    """Draw every seed's curve thinly and their mean thickly, with the min-max band between seeds.

    Inputs: x (L,), curves (S, L) with one row per seed (NaN where a seed has no value).
    The label gets the seed count, so a legend always says what the band is.
    """
    curves = np.asarray(curves, dtype=np.float64)
    plot = ax.semilogy if log else ax.plot
    with np.errstate(all="ignore"):
        center = np.exp(np.nanmean(np.log(curves), axis=0)) if log else np.nanmean(curves, axis=0)
        low, high = np.nanmin(curves, axis=0), np.nanmax(curves, axis=0)
    if individual:
        for curve in curves:
            plot(x, curve, color=color, lw=0.6, alpha=0.35)
    ax.fill_between(x, low, high, color=color, alpha=0.15, lw=0)
    mean_name = "geometric mean" if log else "mean"
    plot(x, center, color=color, lw=2.0, label=f"{label} ({mean_name} of {len(curves)} seeds, band min-max)")


def save_figure(fig, out_dir, name):
    """Save ``fig`` as ``out_dir/name`` (PNG, 110 dpi), close it and return the file name."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / name, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return name
