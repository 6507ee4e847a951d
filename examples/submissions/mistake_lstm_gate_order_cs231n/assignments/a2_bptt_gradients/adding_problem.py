"""The adding problem: a synthetic long-range dependency task.

Each input sequence has T steps and two channels,

    x[n, t, 0] ~ U[0, 1)          the values
    x[n, t, 1] in {0, 1}          the markers: exactly two ones per sequence,
                                  one at i1 in [0, T//2), one at i2 in [T//2, T)
    y[n, 0]    = x[n, i1, 0] + x[n, i2, 0]

The network reads the whole sequence and must output the sum of the two marked
values, so it has to remember a value seen up to T-1 steps before the end:
exactly the kind of dependency along which gradients vanish.

Baseline: a model that ignores its input can do no better than predicting the
mean E[y] = 1/2 + 1/2 = 1, whose mean squared error is the variance of a sum of
two independent U[0, 1) variables, Var(y) = 1/12 + 1/12 = 1/6 ~ 0.167.
A model "solves" the task when its MSE falls well below ``BASELINE_MSE``.

References: Hochreiter & Schmidhuber (1997), "Long short-term memory",
experiment 4; Le, Jaitly & Hinton (2015), section 4.1; Arjovsky, Shah & Bengio
(2016), "Unitary evolution recurrent neural networks", section 4.2 (this variant,
one marker in each half).
"""

import numpy as np

# MSE of always predicting E[y] = 1: Var(U1 + U2) = 2 * Var(U[0, 1)) = 2 / 12.
BASELINE_MSE = 1.0 / 6.0


def adding_problem(N, T, rng):
    """Task 2.10: N adding-problem sequences of length T and their targets y = sum of the two marked values.

    Inputs:
    - N: number of sequences (non-negative int)
    - T: sequence length, an int >= 2 (ValueError otherwise)
    - rng: ``np.random.Generator``

    Returns a tuple of:
    - x: float64 array of shape (N, T, 2); x[..., 0] ~ U[0, 1), x[..., 1] is a
      0/1 marker with one 1 in [0, T//2) and one 1 in [T//2, T) per sequence
    - y: float64 array of shape (N, 1), the sum of the two marked values
    """
    # BEGIN SOLUTION
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 2:
        raise ValueError(f"T must be an int >= 2, got {T!r}")
    x = np.zeros((N, T, 2), dtype=np.float64)  # (N, T, 2)
    x[:, :, 0] = rng.random((N, T))
    rows = np.arange(N)
    first = rng.integers(0, T // 2, size=N)  # (N,)
    second = rng.integers(T // 2, T, size=N)  # (N,)
    x[rows, first, 1] = 1.0
    x[rows, second, 1] = 1.0
    y = (x[rows, first, 0] + x[rows, second, 0])[:, None]  # (N, 1)
    return x, y
    # END SOLUTION
