"""A2: truncated BPTT the min-char-rnn way, on a text whose long dependency can be measured.

The text is a stream of records ``a....=a`` / ``b....=b`` (one per line): a
cue letter drawn at random, four dots, "=", and the cue again. The character
after "=" can only be predicted by remembering the cue, 6 characters back; the dots and "=" need counting, the first letter of a record
is a coin flip (ln 2 of loss that nothing can remove).

A char-level tanh RNN (H = 32, the A1 model) reads the stream exactly as
Karpathy's ``min-char-rnn.py`` does: cut into consecutive chunks of k
characters; for each chunk, ``truncated_bptt`` (Task 2.1) over that chunk
alone (one chunk: the gradient stops at its start), gradients clipped by value
at 5 (``clip_grad_value``), one Adagrad update (lr 0.1); the hidden state is
carried from the end of one chunk to the start of the next, and reset to 0 at
the start of every pass. Every chunk length sees the same characters the same
number of times; shorter chunks make more (smaller) updates.

Measured, per chunk length k and seed, after every pass: the cross-entropy of
the recall characters (the cue after "="), on a held-out stream read from a zero
state. With k = 5 no chunk holds both the cue and its recall, so no gradient
ever links them: the recall loss stays at chance, ln 2, although the state
that would carry the cue is passed on. Chunks of 10 and 25 learn it.

References: Williams & Peng (1990); Karpathy, min-char-rnn.py (chunks of 25,
Adagrad, clipping by value at 5); Sutskever (2013), PhD thesis, section 2.8.
"""

import numpy as np

from solutions.a1_vanilla_rnn.char_lm import encode, init_char_lm, one_hot
from solutions.a1_vanilla_rnn.output_layers import temporal_affine_forward
from solutions.a1_vanilla_rnn.rnn import rnn_forward
from solutions.a2_bptt_gradients.clipping import clip_grad_value
from solutions.a2_bptt_gradients.truncated_bptt import truncated_bptt
from solutions.common.activations import softmax

from .common import Adagrad, plot_seeds, plt, save_figure, seeds_from

GAP = 4  # dots between the cue and "="
VOCAB = "\n.=ab"
CHUNKS = (5, 10, 25)
COLORS = {5: "C3", 10: "C1", 25: "C0"}
H = 32


def record_stream(records, rng):
    """``records`` lines "c" + "." * GAP + "=" + "c" with c drawn from "ab"; returns the text."""
    cues = rng.choice(list("ab"), size=records)
    return "".join(f"{c}{'.' * GAP}={c}\n" for c in cues)


def recall_loss(params, text):
    """Mean cross-entropy of the characters that follow "=" (the recalled cue), reading ``text`` from h = 0."""
    encoded = encode(text, VOCAB)
    x = one_hot(encoded[None, :-1], len(VOCAB))
    h, _ = rnn_forward(x, np.zeros((1, H)), params["Wx"], params["Wh"], params["b"])
    probs = softmax(temporal_affine_forward(h, params["Wy"], params["by"])[0])[0]  # (T-1, V)
    steps = np.flatnonzero(encoded[:-1] == VOCAB.index("="))
    return float(-np.mean(np.log(probs[steps, encoded[steps + 1]])))


def train(chunk, passes, records, seed, evaluation_text):
    """min-char-rnn training with chunks of ``chunk`` characters; returns the recall loss after every pass."""
    rng = np.random.default_rng(seed)
    text = record_stream(records, rng)
    encoded = encode(text, VOCAB)
    params = init_char_lm(len(VOCAB), H, rng)
    opt = Adagrad(params, lr=0.1)
    curve = [recall_loss(params, evaluation_text)]
    for _ in range(passes):
        h = np.zeros((1, H))
        for start in range(0, len(encoded) - 1, chunk):
            inputs = encoded[start:start + chunk]
            targets = encoded[start + 1:start + chunk + 1]
            inputs = inputs[: len(targets)]
            x = one_hot(inputs[None, :], len(VOCAB))
            _, grads, h = truncated_bptt(x, targets[None, :], h, params, chunk)
            params = opt.step(params, clip_grad_value(grads, 5.0))
        curve.append(recall_loss(params, evaluation_text))
    return curve


def run(out_dir, quick=False, seed=0):
    """Train every chunk length on >= 3 seeds; plot the recall loss against passes over the text."""
    passes, records = 10, 100
    chunks = (5, 25) if quick else CHUNKS
    seeds = seeds_from(seed, 3)
    evaluation_text = record_stream(200, np.random.default_rng(10_000 + seed))
    measured = {"passes": passes, "records": records, "seeds": seeds, "chunks": list(chunks),
                "chance": float(np.log(2)), "gap": GAP + 2}
    fig, ax = plt.subplots(figsize=(10, 6))
    for chunk in chunks:
        curves = np.array([train(chunk, passes, records, s, evaluation_text) for s in seeds])
        measured[f"recall_loss_k{chunk}"] = curves[:, -1].tolist()
        measured[f"curves_k{chunk}"] = curves.tolist()
        plot_seeds(ax, np.arange(passes + 1), curves, COLORS[chunk], f"chunks of {chunk} characters")
    ax.axhline(np.log(2), color="k", ls="--", lw=1.2, label="chance: ln 2 (cue not remembered)")
    ax.set_title(f"Truncated BPTT, one update per chunk: recalling a cue {GAP + 2} characters back")
    ax.set_xlabel(f"passes over the training text ({records} records, {records * (GAP + 4)} characters)")
    ax.set_ylabel("cross-entropy of the recalled cue, held-out text (nats, log scale)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower left", fontsize=9)
    measured["figures"] = [save_figure(fig, out_dir, "truncated_bptt.png")]
    return measured
