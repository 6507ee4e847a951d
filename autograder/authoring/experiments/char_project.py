"""Mini-project: a character-level language model with your own LSTM or GRU, on a bundled text.

    python -m experiments char_project --corpus en --cell lstm      # Shakespeare, your LSTM
    python -m experiments char_project --corpus ko --cell gru       # 대한민국헌법, your GRU

The corpora (``corpora/``; sources and licences in its README) are split into
the first 90 % for training and the last 10 % for validation. The model:

    x_t = onehot(c_t)                                           # (N, V)
    h   = lstm_forward / gru_forward(x, h0 = 0)                 # (N, T, H), your A3 / A4 code
    s   = temporal_affine_forward(h, Wy, by)                    # (N, T, V), your A1 code
    L   = temporal_softmax_loss(s, next characters) / T         # per character

trained with Adam (lr 0.01, gradients clipped at global norm 5 with your
``clip_grad_norm``) on batches of 16 random windows of 48 characters.

Measured, on 3 seeds: the validation perplexity exp(mean cross-entropy per
character) during training, against the perplexity of the unigram model (the
character frequencies of the training text) and of the uniform model (V).
Written: ``char_project_<corpus>_<cell>.png`` and
``char_project_<corpus>_<cell>_samples.txt``, text sampled from the trained model
of the first seed at temperatures 0.5, 1.0 and 1.5 (probabilities
softmax(s / temperature): low temperatures repeat the likeliest characters,
high ones approach uniform noise).

References: Karpathy (2015), "The Unreasonable Effectiveness of Recurrent Neural
Networks"; Graves (2013), "Generating sequences with recurrent neural networks".
"""

from pathlib import Path

import numpy as np

from solutions.a1_vanilla_rnn.char_lm import one_hot
from solutions.a1_vanilla_rnn.output_layers import (
    temporal_affine_backward,
    temporal_affine_forward,
    temporal_softmax_loss,
)
from solutions.a2_bptt_gradients.clipping import clip_grad_norm
from solutions.a3_lstm.lstm import lstm_backward, lstm_forward, lstm_step_forward
from solutions.a4_gru.gru import gru_backward, gru_forward, gru_step_forward
from solutions.common.activations import softmax

from .common import Adam, plot_seeds, plt, save_figure, seeds_from, uniform_init

CORPORA_DIR = Path(__file__).resolve().parent / "corpora"
CORPORA = {"en": "en.txt", "ko": "ko.txt"}
CELLS = ("lstm", "gru")
TEMPERATURES = (0.5, 1.0, 1.5)
WINDOW, BATCH = 48, 16


def load_corpus(corpus):
    """The text of a bundled corpus, its vocabulary (sorted characters) and the encoded train / validation parts."""
    if corpus not in CORPORA:
        raise ValueError(f"unknown corpus {corpus!r}; choose from {', '.join(CORPORA)}")
    text = (CORPORA_DIR / CORPORA[corpus]).read_text(encoding="utf-8")
    vocab = "".join(sorted(set(text)))
    index = {c: i for i, c in enumerate(vocab)}
    encoded = np.array([index[c] for c in text], dtype=np.int64)
    split = int(0.9 * len(encoded))
    return vocab, encoded[:split], encoded[split:]


def init_params(cell, V, H, rng):
    """Recurrent weights (PyTorch's initialisation; LSTM forget-gate bias 1) and the output layer H -> V."""
    G = (4 if cell == "lstm" else 3) * H
    params = {"Wx": uniform_init((V, G), H, rng), "Wh": uniform_init((H, G), H, rng),
              "Wy": uniform_init((H, V), H, rng), "by": np.zeros(V)}
    if cell == "lstm":
        params["b"] = uniform_init((G,), H, rng)
        params["b"][H:2 * H] = 1.0
    else:
        params["bx"], params["bh"] = uniform_init((G,), H, rng), uniform_init((G,), H, rng)
    return params


def recurrent_args(cell, params):
    return (params["Wx"], params["Wh"], params["b"]) if cell == "lstm" else \
        (params["Wx"], params["Wh"], params["bx"], params["bh"])


def loss_and_grads(cell, params, inputs, targets):
    """Mean cross-entropy per character of windows (N, T) and the gradients of every parameter."""
    V, H = params["Wy"].shape[1], params["Wh"].shape[0]
    N, T = inputs.shape
    forward, backward = (lstm_forward, lstm_backward) if cell == "lstm" else (gru_forward, gru_backward)
    h, cache = forward(one_hot(inputs, V), np.zeros((N, H)), *recurrent_args(cell, params))
    scores, affine_cache = temporal_affine_forward(h, params["Wy"], params["by"])
    total, dscores = temporal_softmax_loss(scores, targets)  # summed over time, averaged over the batch
    dh, dWy, dby = temporal_affine_backward(dscores / T, affine_cache)
    names = ("Wx", "Wh", "b") if cell == "lstm" else ("Wx", "Wh", "bx", "bh")
    grads = dict(zip(names, backward(dh, cache)[2:]))
    grads.update(Wy=dWy, by=dby)
    return total / T, grads


def perplexity(cell, params, encoded):
    """exp(mean cross-entropy per character) of reading ``encoded`` in one pass from a zero state."""
    V, H = params["Wy"].shape[1], params["Wh"].shape[0]
    forward = lstm_forward if cell == "lstm" else gru_forward
    h, _ = forward(one_hot(encoded[None, :-1], V), np.zeros((1, H)), *recurrent_args(cell, params))
    scores, _ = temporal_affine_forward(h, params["Wy"], params["by"])
    loss, _ = temporal_softmax_loss(scores, encoded[None, 1:])
    return float(np.exp(loss / (len(encoded) - 1)))


def unigram_perplexity(train, valid, V):
    """Perplexity on ``valid`` of the character frequencies of ``train`` (add-one smoothing)."""
    counts = np.bincount(train, minlength=V) + 1.0
    probs = counts / counts.sum()
    return float(np.exp(-np.mean(np.log(probs[valid[1:]]))))


def sample_text(cell, params, vocab, start, length, temperature, rng):
    """``length`` characters drawn one at a time from softmax(scores / temperature), after reading ``start``."""
    V, H = params["Wy"].shape[1], params["Wh"].shape[0]
    h, c = np.zeros((1, H)), np.zeros((1, H))
    out, idx = [], [vocab.index(ch) for ch in start]
    for step in range(len(idx) - 1 + length):
        current = idx[step] if step < len(idx) else out[-1]
        x = one_hot(np.array([current]), V)
        if cell == "lstm":
            h, c, _ = lstm_step_forward(x, h, c, *recurrent_args(cell, params))
        else:
            h, _ = gru_step_forward(x, h, *recurrent_args(cell, params))
        if step >= len(idx) - 1:
            probs = softmax((h @ params["Wy"] + params["by"]) / temperature)[0]
            out.append(int(rng.choice(V, p=probs)))
    return start + "".join(vocab[i] for i in out)


def train(cell, corpus, steps, H, seed, evaluations, valid_chars=None):
    """Adam on random windows; returns (validation perplexity at each evaluation step, params, vocab)."""
    vocab, train_part, valid_part = load_corpus(corpus)
    valid_part = valid_part[:valid_chars]
    rng = np.random.default_rng(seed)
    params = init_params(cell, len(vocab), H, rng)
    opt = Adam(params, lr=1e-2)
    curve = []
    for step in range(steps + 1):
        if step in evaluations:
            curve.append(perplexity(cell, params, valid_part))
        if step == steps:
            break
        starts = rng.integers(0, len(train_part) - WINDOW - 1, size=BATCH)
        windows = np.stack([train_part[s:s + WINDOW + 1] for s in starts])  # (N, T + 1)
        _, grads = loss_and_grads(cell, params, windows[:, :-1], windows[:, 1:])
        params = opt.step(params, clip_grad_norm(grads, 5.0)[0])
    return curve, params, vocab


def run(out_dir, quick=False, seed=0, corpus="en", cell="lstm"):
    """Train the char-LM with ``cell`` on ``corpus`` for 3 seeds; plot validation perplexity, write samples."""
    if cell not in CELLS:
        raise ValueError(f"unknown cell {cell!r}; choose from {', '.join(CELLS)}")
    steps, H, valid_chars = (40, 32, 400) if quick else (400, 64, None)
    evaluations = sorted({0, *range(0, steps + 1, max(1, steps // (2 if quick else 10))), steps})
    seeds = seeds_from(seed, 3)
    vocab, train_part, valid_part = load_corpus(corpus)
    V = len(vocab)
    valid_part = valid_part[:valid_chars]
    unigram = unigram_perplexity(train_part, valid_part, V)
    curves, first = [], None
    for s in seeds:
        curve, params, _ = train(cell, corpus, steps, H, s, evaluations, valid_chars)
        curves.append(curve)
        first = first or params
    name = f"char_project_{corpus}_{cell}"
    fig, ax = plt.subplots(figsize=(10, 6))
    plot_seeds(ax, evaluations, curves, "C0" if cell == "lstm" else "C2", f"your {cell.upper()}, H = {H}")
    ax.axhline(unigram, color="k", ls="--", lw=1.2, label=f"unigram (character frequencies): {unigram:.1f}")
    ax.axhline(V, color="gray", ls=":", lw=1.2, label=f"uniform over the {V} characters: {V}")
    ax.set_title(f"Character-level LM on corpus '{corpus}' ({len(train_part)} training, "
                 f"{len(valid_part)} validation characters)")
    ax.set_xlabel(f"Adam step (batch of {BATCH} windows of {WINDOW} characters)")
    ax.set_ylabel("validation perplexity (characters, log scale)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=9)
    figure = save_figure(fig, out_dir, f"{name}.png")
    rng = np.random.default_rng(seed)
    start = "First" if corpus == "en" else "제1조"
    samples = {t: sample_text(cell, first, vocab, start, 80 if quick else 300, t, rng) for t in TEMPERATURES}
    text = "".join(f"--- temperature {t} (seed {seeds[0]}) ---\n{sample}\n\n" for t, sample in samples.items())
    (Path(out_dir) / f"{name}_samples.txt").write_text(text, encoding="utf-8")
    return {"corpus": corpus, "cell": cell, "steps": steps, "hidden": H, "seeds": seeds, "vocabulary": V,
            "unigram_perplexity": unigram, "uniform_perplexity": float(V),
            "final_perplexity": [float(c[-1]) for c in curves], "initial_perplexity": [float(c[0]) for c in curves],
            "curves": curves, "samples": {str(t): s for t, s in samples.items()},
            "figures": [figure], "texts": [f"{name}_samples.txt"]}
