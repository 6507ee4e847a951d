"""Experiments of the course: the student's own code trained on toy tasks, with figures.

Every experiment is a function ``run(out_dir: Path, quick: bool = False, seed: int = 0) -> dict``
that writes PNG figures into ``out_dir`` and returns the measured quantities
(floats, strings, lists; one entry per seed where there are seeds) plus
``"figures"``, the list of file names written. Every claim runs on at least
three seeds, drawn with their spread. ``quick=True`` is a shortened version for
the tests. The recurrent forward and backward passes are always the
implementation's (the reference in the instructor repository, the student's
``assignments/`` package in a release): these modules only add heads, losses,
optimisers, loops and figures.

    char_lm          A1: char-LM on "hello", many-to-one and many-to-many toy tasks
    vanishing        A2: ||dL/dh_t|| through time for spectral radii 0.5 / 1 / 1.5 and the IRNN
    clipping         A2: exploding gradients, SGD with and without clip_grad_norm at 4 learning rates
    truncated_bptt   A2: min-char-rnn training (an update per chunk) with chunks of 5, 10, 25
    gradient_flow    A2-A4: ||dL/dh_t|| for a tanh RNN, an IRNN, an LSTM and a GRU on one figure
    adding           A2-A4: the adding problem, tanh RNN / IRNN / LSTM / GRU at equal parameter counts
    gates            A3/A4: per-unit, per-step gate activity of trained LSTMs and GRUs
    char_project     A3/A4: a char-level LSTM / GRU language model on a bundled corpus (English, Korean)
    diagrams         the unrolled RNN, the LSTM cell and the GRU cell (no training)

Run one from the command line with ``python -m autograder.authoring.experiments NAME [--out DIR] [--quick]``
(in a release the command is shorter, see ``__main__.py``).
"""

import importlib
import importlib.util

# name -> module of this package (each has run()); a staged student release ships only the modules whose
# assignments it includes, so the registry holds the experiments whose module is there.
MODULES = ("char_lm", "vanishing", "clipping", "truncated_bptt", "gradient_flow", "adding", "gates", "char_project",
           "diagrams")
EXPERIMENTS = {name: importlib.import_module(f"{__name__}.{name}").run for name in MODULES
               if importlib.util.find_spec(f"{__name__}.{name}") is not None}

__all__ = ["EXPERIMENTS", "MODULES"]
