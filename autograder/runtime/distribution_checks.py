"""Statistical checks of random generators: do observed frequencies follow the specified distribution?

A generator that is right draws its outcomes at random, so a check of its
frequencies can fail it by bad luck. Each check here fails a correct generator
with probability at most :data:`FALSE_FAILURE` (a fixed number of draws, a margin
computed from a tail bound, no tuning on seeds):

Hoeffding's inequality for a count c of n independent draws, each falling in a
bin with probability p, gives P(|c/n - p| >= eps) <= 2 exp(-2 n eps^2). With a
union bound over the K bins checked together, every observed share is within

    eps(n, K) = sqrt(ln(2 K / FALSE_FAILURE) / (2 n))

of its probability except with probability <= FALSE_FAILURE = 5e-8. For example
the adding problem's markers (Task 2.10) are checked on 2000 sequences: with T = 13
the first marker has 6 position bins, eps = sqrt(ln(2 * 6 / 5e-8) / 4000) = 0.069
(the second, 7 bins: 0.070), while a marker range off by one moves a share by
1/6 = 0.17 and fixed positions by at least 0.5. Its values (2000 * 13 = 26000
draws, 10 bins) get eps = 0.020, while values in [0, 0.5) move each share by 0.1
and constant values by 0.9. A graded case of Task 2.10 makes three such checks and
a task has four cases, so a correct generator loses a check with probability at
most 12 * 5e-8 = 6e-7 < 1e-6 per grading.

Only numpy and the standard library: this runs in the graders and the public tests.
"""

import math

import numpy as np

from .problems import problem

# The probability that one check below fails a correct generator.
FALSE_FAILURE = 5e-8


def hoeffding_margin(draws, bins, false_failure=FALSE_FAILURE):
    """eps such that all ``bins`` shares of ``draws`` independent draws are within eps of their probabilities
    except with probability <= false_failure (Hoeffding's inequality and a union bound)."""
    return math.sqrt(math.log(2 * bins / false_failure) / (2 * draws))


def frequency_problems(what, outcomes, probabilities, labels):
    """A Problem when the share of some outcome bin is farther than the Hoeffding margin from its probability.

    Inputs:
    - what: the name of the drawn quantity in the message ("first marker position")
    - outcomes: int array of bin indices, one per independent draw, each in [0, len(probabilities))
    - probabilities: (K,) the specified probability of each bin
    - labels: (K,) how the message names each bin ("3", "[0.1, 0.2)")
    Returns: [] or [Problem "prop.frequency"] naming the worst bin.
    """
    outcomes = np.asarray(outcomes).ravel()
    probabilities = np.asarray(probabilities, dtype=np.float64)
    shares = np.bincount(outcomes, minlength=len(probabilities))[:len(probabilities)] / outcomes.size
    margin = hoeffding_margin(outcomes.size, len(probabilities))
    deviation = np.abs(shares - probabilities)
    worst = int(np.argmax(deviation))
    if deviation[worst] < margin:
        return []
    return [problem("prop.frequency", what=what, bin=labels[worst], got=float(shares[worst]),
                    want=float(probabilities[worst]), draws=int(outcomes.size), margin=float(margin))]


def uniform_positions_problems(what, positions, low, high):
    """positions (int array) uniform over the integers [low, high)? (see :func:`frequency_problems`)."""
    count = high - low
    return frequency_problems(what, np.asarray(positions) - low, np.full(count, 1.0 / count),
                              [str(k) for k in range(low, high)])


UNIFORM_BINS = 10


def uniform_values_problems(what, values):
    """values (floats, already known to lie in [0, 1)) uniform on [0, 1)? Checked on 10 equal bins."""
    edges = np.linspace(0.0, 1.0, UNIFORM_BINS + 1)
    bins = np.clip((np.asarray(values).ravel() * UNIFORM_BINS).astype(np.int64), 0, UNIFORM_BINS - 1)
    labels = [f"[{edges[k]:.1f}, {edges[k + 1]:.1f})" for k in range(UNIFORM_BINS)]
    return frequency_problems(what, bins, np.full(UNIFORM_BINS, 1.0 / UNIFORM_BINS), labels)
