"""Experiments of the course: the reference solutions trained on toy tasks, with figures.

Every experiment is a function ``run(out_dir: Path, quick: bool = False, seed: int = 0) -> dict``
that writes PNG figures into ``out_dir`` and returns the measured quantities
(floats, strings, lists) plus ``"figures"``, the list of file names written.
``quick=True`` is a shortened version for the tests (a few seconds each).
The recurrent forward and backward passes are always the reference solutions'
(``solutions/``); the modules here only add heads, losses, optimisers and loops.

    char_lm          A1: char-LM on "hello", many-to-one and many-to-many toy tasks
    vanishing        A2: ||dL/dh_t|| through time for spectral radii 0.5 / 1 / 1.5 and the IRNN
    clipping         A2: exploding gradients, SGD with and without clip_grad_norm
    truncated_bptt   A2: full vs truncated BPTT (chunks 25 and 5) on repeated texts
    adding           A2-A4: the adding problem at T = 10, 50, 100, RNN vs LSTM vs GRU
    gates            A3/A4: gate activations of a trained LSTM and GRU on one sequence

Run one from the command line with ``python -m autograder.authoring.experiments NAME [--out DIR] [--quick]``.
"""

from . import adding, char_lm, clipping, gates, truncated_bptt, vanishing

EXPERIMENTS = {
    "char_lm": char_lm.run,
    "vanishing": vanishing.run,
    "clipping": clipping.run,
    "truncated_bptt": truncated_bptt.run,
    "adding": adding.run,
    "gates": gates.run,
}

__all__ = ["EXPERIMENTS"]
