"""The numerical gradient check of a backward task, by random directions, computed from plain numbers.

A probe moves some inputs of the task at once, each along its own random unit
direction v_i (float64, the input's shape), and compares the central difference
of the task's scalar loss along the probe,

    (L(a + h v) - L(a - h v)) / (2 h),

with the directional derivative sum_i <g_i, v_i> of the analytic gradients g_i
(the backward's outputs). Over the ``DIRECTIONS`` probes of one set of inputs the
error is ||analytic - numeric|| / max(1e-6, ||analytic|| + ||numeric||). NaN, inf
or a huge value anywhere (gradient or losses) is a failure, never a pass.

The check runs in two rounds. :func:`joint_probes` move every input of the task
at once (a gradient that disagrees changes the sum along almost every direction),
so a correct backward costs ``2 * DIRECTIONS`` losses, not that many per input.
Only when they disagree do the per-input probes of :func:`probes` (one input at a
time) name the gradient that is wrong: :func:`named` puts their findings in place
of the joint one (``gradient.joint_mismatch`` stays when no single gradient shows).

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
MISMATCHES = ("gradient.mismatch", "gradient.loss_nonfinite")  # what the per-input probes can name


@dataclass(frozen=True)
class Probe:
    """One direction of a check: the (gradient output, input) pairs it moves, and a unit direction per input."""
    pairs: tuple  # ((gradient name, input name), ...), each input at most once
    directions: tuple  # one unit array per pair, shaped like its input


def _unit(rng, shape):
    v = rng.standard_normal(shape)
    return v / max(np.linalg.norm(v), 1e-300)


def _distinct_inputs(wrt):
    """The (gradient, input) pairs in groups of distinct inputs (a second gradient of an input starts a group)."""
    groups = []
    for pair in wrt.items():
        group = next((group for group in groups if all(pair[1] != other[1] for other in group)), None)
        if group is None:
            groups.append([pair])
        else:
            group.append(pair)
    return [tuple(group) for group in groups]


def joint_probes(spec, args, rng, count=DIRECTIONS):
    """``count`` probes per group of distinct inputs, each moving every input of the group (drawn from ``rng``)."""
    return [Probe(group, tuple(_unit(rng, np.shape(args[name])) for _, name in group))
            for group in _distinct_inputs(spec.grad_checks.wrt) for _ in range(count)]


def probes(spec, args, rng, count=DIRECTIONS):
    """``count`` probes per (gradient, input) pair of the spec, each moving that input alone (drawn from ``rng``)."""
    return [Probe((pair,), (_unit(rng, np.shape(args[pair[1]])),))
            for pair in spec.grad_checks.wrt.items() for _ in range(count)]


def loss_points(args, found, h=STEP):
    """Where the loss is needed: [{input name: value}], for each probe a + h v then a - h v (its inputs only)."""
    points = []
    for probe in found:
        for sign in (1.0, -1.0):
            points.append({name: np.asarray(args[name], dtype=np.float64) + sign * h * direction
                           for (_, name), direction in zip(probe.pairs, probe.directions)})
    return points


def evaluate_losses(spec, load, args, points):
    """The loss at each point, in this process (the public tests; the graders' child does the same)."""
    return np.array([float(spec.grad_checks.loss(load, {**args, **point})) for point in points])


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
    - found: the probes (:func:`joint_probes` or :func:`probes`); losses: the loss at each point of
      :func:`loss_points` (2 per probe)
    - tolerance: the largest relative error allowed (course.yml ``tolerances.gradcheck``)

    Returns:
    - a list of Problems (never raises on bad outputs or losses): one per gradient missing, misshapen or not
      finite, then one per set of probed inputs that disagrees (``gradient.mismatch`` naming the gradient when the
      probes move one input, ``gradient.joint_mismatch`` naming them all when they move several)
    """
    losses = as_array(losses)
    if not is_numeric(losses) or losses.shape != (2 * len(found),):
        return [problem("gradient.losses_malformed")]
    losses = losses.astype(np.float64)
    problems, grads = [], {}
    for grad_name, input_name in spec.grad_checks.wrt.items():
        grads[grad_name], failure = _analytic(outputs, grad_name, np.shape(args[input_name]))
        if failure is not None:
            problems.append(failure)
    rows_of = {}
    for k, probe in enumerate(found):
        rows_of.setdefault(probe.pairs, []).append(k)
    for pairs, rows in rows_of.items():
        if any(grads.get(grad_name) is None for grad_name, _ in pairs):
            continue  # its problem is above
        name, inputs = ", ".join(g for g, _ in pairs), ", ".join(i for _, i in pairs)
        plus, minus = losses[[2 * k for k in rows]], losses[[2 * k + 1 for k in rows]]
        if not (_finite(plus) and _finite(minus)):
            problems.append(problem("gradient.loss_nonfinite", name=name, input=inputs))
            continue
        numeric = (plus - minus) / (2 * h)
        analytic = np.array([sum(float(np.vdot(grads[grad_name], direction))
                                 for (grad_name, _), direction in zip(pairs, found[k].directions)) for k in rows])
        error = float(np.linalg.norm(analytic - numeric) /
                      max(1e-6, float(np.linalg.norm(analytic) + np.linalg.norm(numeric))))
        if not error <= tolerance:  # NaN fails too
            code = "gradient.mismatch" if len(pairs) == 1 else "gradient.joint_mismatch"
            problems.append(problem(code, name=name, error=error, tolerance=tolerance))
    return problems


def needs_naming(problems):
    """True when the joint probes disagree: the per-input probes (:func:`probes`) should name the gradient."""
    return any(found.code == "gradient.joint_mismatch" for found in problems)


def named(joint, per_input):
    """The joint check's problems with its joint mismatch replaced by what the per-input probes found
    (kept when they name no gradient, or when their losses were not available: ``per_input`` None)."""
    found = [p for p in per_input or () if p.code in MISMATCHES]
    if not found:
        return joint
    return [p for p in joint if p.code != "gradient.joint_mismatch"] + found


def gradient_problems(spec, load, args, outputs, tolerance, rng):
    """The whole check in this process (public tests, instructor tools): joint probes, then, if they disagree,
    the per-input ones (both drawn from ``rng``)."""
    found = joint_probes(spec, args, rng)
    problems = gradient_problems_from_losses(spec, args, outputs, found,
                                             evaluate_losses(spec, load, args, loss_points(args, found)), tolerance)
    if not needs_naming(problems):
        return problems
    each = probes(spec, args, rng)
    return named(problems, gradient_problems_from_losses(spec, args, outputs, each,
                                                         evaluate_losses(spec, load, args, loss_points(args, each)),
                                                         tolerance))
