"""A2: full versus truncated backpropagation through time on a repeated text.

A char-level tanh RNN (H = 32, A1 model) is fitted to a whole text by Adagrad
(lr 0.1, gradients clipped by value at 5: both as in min-char-rnn). Every
update runs ``truncated_bptt`` (Task 2.1, reference) over the whole text with
chunk length k: the hidden state is carried from chunk to chunk (the forward
pass, hence the loss, is the same for every k), but no gradient crosses a chunk
boundary. k = T is full BPTT. Same number of updates, same cost per update.

Two texts:
- "hello world " * 8: predicting the next character needs at most two
  characters of context, so truncating at 5 loses nothing;
- "hello world hello there " * 4: the character after "hello " ("w" or "t")
  depends on the phrase before it, 8 to 12 characters back. Gradients truncated
  at k = 5 never connect the cue to the prediction, so they cannot teach the RNN
  to keep that information directly: the k = 5 run stalls on a plateau (and
  is unstable) until memory learnt over shorter spans happens to last long
  enough, while full BPTT and k = 25 learn it smoothly. On the first text the
  shorter chunks even converge faster here.

Measured: final loss per character (mean over the last 50 updates) for each
(text, k), and the mean cross-entropy of the characters that follow "hello "
(the long-range predictions) after training.

References: Williams & Peng (1990); Sutskever (2013), PhD thesis, section 2.8;
Karpathy, min-char-rnn.py (25-character chunks, Adagrad, value clipping at 5);
Pascanu, Mikolov & Bengio (2013).
"""

import numpy as np

from solutions.a1_vanilla_rnn.char_lm import encode, init_char_lm, one_hot
from solutions.a1_vanilla_rnn.output_layers import temporal_affine_forward
from solutions.a1_vanilla_rnn.rnn import rnn_forward
from solutions.a2_bptt_gradients.clipping import clip_grad_value
from solutions.a2_bptt_gradients.truncated_bptt import truncated_bptt
from solutions.common.activations import softmax

from .common import Adagrad, plt, save_figure, smooth

TEXTS = {"short_context": "hello world " * 8, "long_context": "hello world hello there " * 4}
TITLES = {"short_context": '"hello world " x 8', "long_context": '"hello world hello there " x 4'}
CHUNKS = ("full", 25, 5)


def prepare(text):
    """Vocabulary, one-hot inputs (1, T, V), targets (1, T) and T for a text."""
    vocab = "".join(sorted(set(text)))
    encoded = encode(text, vocab)
    return vocab, one_hot(encoded[None, :-1], len(vocab)), encoded[None, 1:], len(encoded) - 1


def long_range_loss(params, text, x, y):
    """Mean cross-entropy of the targets that follow "hello " in ``text``."""
    h, _ = rnn_forward(x, np.zeros((1, params["Wh"].shape[0])), params["Wx"], params["Wh"], params["b"])
    scores, _ = temporal_affine_forward(h, params["Wy"], params["by"])
    probs = softmax(scores)[0]  # (T, V)
    steps = [t for t in range(y.shape[1]) if text[: t + 1].endswith("hello ")]
    return float(-np.mean(np.log(probs[steps, y[0, steps]])))


def train(text, chunk, updates, H=32, seed=0):
    """Adagrad on truncated-BPTT gradients; returns (losses per character, params)."""
    vocab, x, y, T = prepare(text)
    k = T if chunk == "full" else chunk
    params = init_char_lm(len(vocab), H, np.random.default_rng(seed))
    opt = Adagrad(params, lr=0.1)
    h0 = np.zeros((1, H))
    losses = []
    for _ in range(updates):
        loss, grads, _ = truncated_bptt(x, y, h0, params, k)
        params = opt.step(params, clip_grad_value(grads, 5.0))
        losses.append(loss / T)
    return losses, params


def run(out_dir, quick=False, seed=0):
    """Train each (text, chunk length) pair; one figure with a panel per text."""
    updates, tail = (100, 20) if quick else (500, 50)
    results = {}
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5), sharey=True)
    for ax, (name, text) in zip(axes, TEXTS.items()):
        _, x, y, T = prepare(text)
        for chunk, color in zip(CHUNKS, ("k", "C0", "C3")):
            losses, params = train(text, chunk, updates, seed=seed)
            key = f"{name}_{chunk}"
            results[f"final_loss_{key}"] = float(np.mean(losses[-tail:]))
            results[f"after_hello_loss_{key}"] = long_range_loss(params, text, x, y)
            results[f"losses_{key}"] = [float(v) for v in losses]
            label = "full BPTT" if chunk == "full" else f"truncated, chunk {chunk}"
            w = 10
            ax.semilogy(np.arange(w - 1, len(losses)), smooth(losses, w), color=color, lw=1.5,
                        label=f"{label}: final {results[f'final_loss_{key}']:.4f}")
        ax.set_title(f"{TITLES[name]} (T={T})")
        ax.set_xlabel("Adagrad update (one pass over the text)")
        ax.legend()
    axes[0].set_ylabel("cross-entropy per character (moving average of 10)")
    fig.suptitle("Full vs truncated BPTT (hidden state carried across chunks, gradient cut at their boundaries)")
    fig.tight_layout()
    results["figures"] = [save_figure(fig, out_dir, "truncated_bptt.png")]
    results["updates"] = updates
    return results
