"""A1 in action: the char-level LM on "hello", a many-to-one and a many-to-many toy task.

Three small trainings, all through your A1 functions:

1. ``train_char_lm`` on "hello" (inputs "hell", targets "ello", Adagrad as in
   min-char-rnn), then greedy ``sample`` of 4 characters from "h".
   Measured: the final loss (summed over the 4 steps) and the sampled string,
   which should be "ello".
2. Many-to-one (``many_to_one_forward`` / ``many_to_one_backward``): read T
   Gaussian numbers and classify whether their sum is positive. The RNN has to
   integrate its input over time. Loss: ``temporal_softmax_loss`` with one
   time step. Measured: accuracy on fresh sequences (chance = 0.5).
3. Many-to-many (``char_lm_loss``): the echo (delay-1) task. Random symbols
   from {1..K} come in; at step t the target is the input of step t-1 (the
   blank symbol 0 at t = 0). The hidden state must hold one symbol for one step.
   Measured: final cross-entropy per step (chance = ln K) and per-step accuracy.

References: Karpathy (2015), "The Unreasonable Effectiveness of Recurrent
Neural Networks" and min-char-rnn.py; CS231n lecture 10; Elman (1990).
"""

import numpy as np

from solutions.a1_vanilla_rnn.architectures import many_to_one_backward, many_to_one_forward
from solutions.a1_vanilla_rnn.char_lm import (
    char_lm_loss,
    decode,
    encode,
    init_char_lm,
    one_hot,
    sample,
    train_char_lm,
)
from solutions.a1_vanilla_rnn.output_layers import temporal_softmax_loss
from solutions.a1_vanilla_rnn.rnn import rnn_forward

from .common import Adam, plot_seeds, plt, save_figure, seeds_from, smooth

RNN_KEYS = ("Wx", "Wh", "b", "Wy", "by")


def run_hello(steps, H=8, seed=0):
    """Train the "hello" LM; return (losses, greedy sample of 4 characters from "h")."""
    params, losses = train_char_lm("hello", H=H, steps=steps, lr=0.1, seed=seed)
    text = decode(sample(params, np.zeros((1, H)), int(encode("h")[0]), 4))
    return losses, text


def sign_of_sum_data(N, T, rng):
    """x (N, T, 1) ~ N(0, 1); label 1 where the sum over time is positive."""
    x = rng.standard_normal((N, T, 1))
    return x, (x.sum(axis=(1, 2)) > 0).astype(np.int64)


def run_many_to_one(steps, T=10, H=16, batch=64, lr=1e-2, seed=0):
    """Many-to-one sign-of-sum classifier; returns (losses, test accuracy)."""
    rng = np.random.default_rng(seed)
    params = init_char_lm(1, H, rng, scale=0.3)  # Wx (1, H), Wh (H, H), b, Wy (H, 1), by
    params["Wy"] = rng.standard_normal((H, 2)) * 0.1
    params["by"] = np.zeros(2)
    opt = Adam(params, lr=lr)
    h0 = np.zeros((batch, H))
    losses = []
    for _ in range(steps):
        x, y = sign_of_sum_data(batch, T, rng)
        scores, cache = many_to_one_forward(x, h0, *(params[k] for k in RNN_KEYS))
        loss, dscores = temporal_softmax_loss(scores[:, None, :], y[:, None])
        _, _, *grads = many_to_one_backward(dscores[:, 0, :], cache)
        params = opt.step(params, dict(zip(RNN_KEYS, grads)))
        losses.append(loss)
    x, y = sign_of_sum_data(2000, T, np.random.default_rng(seed + 1000))
    scores, _ = many_to_one_forward(x, np.zeros((2000, H)), *(params[k] for k in RNN_KEYS))
    return losses, float(np.mean(scores.argmax(axis=1) == y))


def echo_data(N, T, K, rng):
    """Inputs (N, T) in {1..K}; targets[:, t] = inputs[:, t-1], and the blank 0 at t = 0."""
    inputs = rng.integers(1, K + 1, size=(N, T))
    targets = np.concatenate([np.zeros((N, 1), dtype=np.int64), inputs[:, :-1]], axis=1)
    return inputs, targets


def run_many_to_many(steps, T=20, K=4, H=16, batch=32, lr=1e-2, seed=0):
    """Echo (delay-1) task with ``char_lm_loss``; returns (per-step losses, test per-step accuracy)."""
    rng = np.random.default_rng(seed)
    params = init_char_lm(K + 1, H, rng, scale=0.3)
    opt = Adam(params, lr=lr)
    h0 = np.zeros((batch, H))
    losses = []
    for _ in range(steps):
        inputs, targets = echo_data(batch, T, K, rng)
        loss, grads, _ = char_lm_loss(params, inputs, targets, h0)
        params = opt.step(params, grads)
        losses.append(loss / T)  # the loss is summed over time: report it per step
    inputs, targets = echo_data(500, T, K, np.random.default_rng(seed + 1000))
    h, _ = rnn_forward(one_hot(inputs, K + 1), np.zeros((500, H)), params["Wx"], params["Wh"], params["b"])
    pred = (h @ params["Wy"] + params["by"]).argmax(axis=-1)
    return losses, float(np.mean(pred == targets))


def run(out_dir, quick=False, seed=0):
    """Train the three A1 models on 3 seeds each, plot every seed's loss curve into ``char_lm.png``."""
    hello_steps, m2o_steps, m2m_steps = (200, 300, 300) if quick else (300, 800, 800)
    seeds = seeds_from(seed, 3)
    K, w, tail = 4, 25, 20
    hello = [run_hello(hello_steps, seed=s) for s in seeds]
    m2o = [run_many_to_one(m2o_steps, seed=s) for s in seeds]
    m2m = [run_many_to_many(m2m_steps, seed=s) for s in seeds]

    fig, axes = plt.subplots(1, 3, figsize=(18, 5.2))
    ax = axes[0]
    plot_seeds(ax, np.arange(hello_steps), [h[0] for h in hello], "C0", "your RNN")
    ax.set_title('char-LM on "hello"; greedy samples from "h": ' + ", ".join(f'"{h[1]}"' for h in hello),
                 fontsize=12)
    ax.set_xlabel("Adagrad step")
    ax.set_ylabel("cross-entropy summed over 4 steps (nats, log scale)")
    ax.legend(fontsize=9)
    ax = axes[1]
    plot_seeds(ax, np.arange(w - 1, m2o_steps), [smooth(m[0], w) for m in m2o], "C1",
               f"moving average of {w}", log=False)
    ax.axhline(np.log(2), color="k", ls="--", lw=1, label="chance ln 2")
    accuracies = ", ".join(f"{m[1]:.3f}" for m in m2o)
    ax.set_title(f"many-to-one: sign of the sum (T=10); test accuracy {accuracies}", fontsize=12)
    ax.set_xlabel("Adam step")
    ax.set_ylabel("cross-entropy (nats)")
    ax.legend(fontsize=9)
    ax = axes[2]
    plot_seeds(ax, np.arange(w - 1, m2m_steps), [smooth(m[0], w) for m in m2m], "C2", f"moving average of {w}")
    ax.axhline(np.log(K), color="k", ls="--", lw=1, label=f"chance ln {K}")
    accuracies = ", ".join(f"{m[1]:.3f}" for m in m2m)
    ax.set_title(f"many-to-many: echo x(t-1) (T=20); test accuracy {accuracies}", fontsize=12)
    ax.set_xlabel("Adam step")
    ax.set_ylabel("cross-entropy per time step (nats, log scale)")
    ax.legend(fontsize=9)
    fig.tight_layout()
    figures = [save_figure(fig, out_dir, "char_lm.png")]
    return {
        "seeds": seeds,
        "char_lm_final_loss": [float(h[0][-1]) for h in hello],
        "char_lm_sample": [h[1] for h in hello],
        "many_to_one_accuracy": [m[1] for m in m2o],
        "many_to_one_final_loss": [float(np.mean(m[0][-tail:])) for m in m2o],
        "many_to_many_final_loss": [float(np.mean(m[0][-tail:])) for m in m2m],
        "many_to_many_initial_loss": [float(np.mean(m[0][:tail])) for m in m2m],
        "many_to_many_chance_loss": float(np.log(K)),
        "many_to_many_accuracy": [m[1] for m in m2m],
        "figures": figures,
    }
