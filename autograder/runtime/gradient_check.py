"""The numerical gradient check of a backward task, by random directions, computed from plain numbers.

For every (gradient output, input) pair of ``spec.grad_checks.wrt`` the checker
draws a few random unit directions v (float64, the input's shape) and compares
the central difference of the task's scalar loss along v,

    (L(a + h v) - L(a - h v)) / (2 h),

with the directional derivative <g, v> of the analytic gradient g (the
backward's output). The error over the directions is
||analytic - numeric|| / max(1e-6, ||analytic|| + ||numeric||). NaN, inf or a
huge value anywhere (gradient or losses) is a failure, never a pass.

The split keeps trust where it belongs: :func:`loss_points` says at which
arguments the loss is needed (the checker chooses them), anything may evaluate
the losses (the student's process in the graders, this process in the public
tests), and :func:`gradient_problems_from_losses` turns the numbers into
Problems in the checker's own process.
"""

from dataclasses import dataclass

import numpy as np

from .harness import as_array, is_numeric
from .problems import problem

DIRECTIONS = 3
STEP = 1e-5
# Beyond this a gradient or loss is treated like inf: squares would overflow, and no task comes near it.
HUGE = 1e100


@dataclass(frozen=True)
class Probe:
    """One direction of one check: the gradient output, its input, and a unit direction shaped like the input."""
    grad_name: str
    input_name: str
    direction: np.ndarray


def probes(spec, args, rng, count=DIRECTIONS):
    """Random unit directions, ``count`` per (gradient, input) pair of the spec (drawn from ``rng``)."""
    found = []
    for grad_name, input_name in spec.grad_checks.wrt.items():
        shape = np.shape(args[input_name])
        for _ in range(count):
            v = rng.standard_normal(shape)
            found.append(Probe(grad_name, input_name, v / max(np.linalg.norm(v), 1e-300)))
    return found


def loss_points(args, found, h=STEP):
    """Where the loss is needed: [(input name, value)], for each probe a + h v then a - h v."""
    points = []
    for probe in found:
        value = np.asarray(args[probe.input_name], dtype=np.float64)
        points += [(probe.input_name, value + h * probe.direction), (probe.input_name, value - h * probe.direction)]
    return points


def evaluate_losses(spec, load, args, points):
    """The loss at each point, in this process (the public tests; the graders' child does the same)."""
    return np.array([float(spec.grad_checks.loss(load, {**args, name: value})) for name, value in points])


def _finite(array):
    return bool(np.all(np.isfinite(array))) and float(np.max(np.abs(array), initial=0.0)) <= HUGE


def _analytic(outputs, grad_name, shape):
    """(gradient as float64, None) or (None, Problem) for a missing, non-numeric or misshapen gradient."""
    if grad_name not in outputs:
        return None, problem("gradient.missing", name=grad_name)
    grad = as_array(outputs[grad_name])
    if not is_numeric(grad):
        return None, problem("gradient.not_numeric", name=grad_name)
    if grad.shape != shape:
        return None, problem("gradient.shape", name=grad_name, got=grad.shape, want=shape)
    grad = grad.astype(np.float64)
    if not _finite(grad):
        return None, problem("gradient.nonfinite", name=grad_name)
    return grad, None


def gradient_problems_from_losses(spec, args, outputs, found, losses, tolerance, h=STEP):
    """Problems of the gradient check, from the backward's outputs and the losses at :func:`loss_points`.

    Inputs:
    - args: the arguments of the case; outputs: the backward's flat outputs (untrusted arrays)
    - found: the probes of :func:`probes`; losses: the loss at each point of :func:`loss_points` (2 per probe)
    - tolerance: the largest relative error allowed (course.yml ``tolerances.gradcheck``)

    Returns:
    - a list of Problems, one per gradient that fails (never raises on bad outputs or losses)
    """
    losses = as_array(losses)
    if not is_numeric(losses) or losses.shape != (2 * len(found),):
        return [problem("gradient.losses_malformed")]
    losses = losses.astype(np.float64)
    problems = []
    for grad_name, input_name in spec.grad_checks.wrt.items():
        rows = [i for i, probe in enumerate(found) if probe.grad_name == grad_name]
        grad, failure = _analytic(outputs, grad_name, np.shape(args[input_name]))
        if failure is not None:
            problems.append(failure)
            continue
        plus, minus = losses[[2 * i for i in rows]], losses[[2 * i + 1 for i in rows]]
        if not (_finite(plus) and _finite(minus)):
            problems.append(problem("gradient.loss_nonfinite", name=grad_name, input=input_name))
            continue
        numeric = (plus - minus) / (2 * h)
        analytic = np.array([float(np.sum(grad * found[i].direction)) for i in rows])
        error = float(np.linalg.norm(analytic - numeric) /
                      max(1e-6, float(np.linalg.norm(analytic) + np.linalg.norm(numeric))))
        if not error <= tolerance:  # NaN fails too
            problems.append(problem("gradient.mismatch", name=grad_name, error=error, tolerance=tolerance))
    return problems


def gradient_problems(spec, load, args, outputs, tolerance, rng):
    """The whole check in this process (public tests, instructor tools): probes, losses, problems."""
    found = probes(spec, args, rng)
    losses = evaluate_losses(spec, load, args, loss_points(args, found))
    return gradient_problems_from_losses(spec, args, outputs, found, losses, tolerance)
