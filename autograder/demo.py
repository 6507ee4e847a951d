"""``course demo``: the course's main job on bundled data.

For now: train the reference char-level language model on "hello" (the seed
notes' example: vocabulary h, e, l, o; inputs "hell", targets "ello"), print the
loss curve and what the model samples from "h". The hidden graders will turn this
into grading the bundled sample submissions.
"""

import numpy as np

from solutions.a1_vanilla_rnn.char_lm import VOCAB, decode, sample, train_char_lm


def run_demo(out=print, seed=0):
    out('Char-level RNN language model on "hello" (reference solution)')
    out(f"vocabulary: {list(VOCAB)}, inputs 'hell' -> targets 'ello'")
    params, losses = train_char_lm(text="hello", seed=seed)
    every = max(1, len(losses) // 10)
    out(f"{'step':>6}  loss")
    for step_index in list(range(0, len(losses), every)) + [len(losses) - 1]:
        out(f"{step_index:>6}  {losses[step_index]:.4f}")
    H = params["Wh"].shape[0]
    generated = decode(sample(params, np.zeros((1, H)), VOCAB.index("h"), 4))
    out(f"greedy sample from 'h': h{generated}")
    return losses, generated
