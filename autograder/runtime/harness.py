"""The task harness shared by the public tests and the graders.

Each task of ``course.yml`` has one :class:`TaskSpec`, registered by its ID in the
``cases_a*.py`` modules:

- ``inputs(rng, **dims)`` builds the arguments (float64) for one shape;
- ``run(load, args)`` calls the implementation and returns its outputs as a flat
  dict of arrays (``load("a3_lstm.lstm")`` imports a module of the
  implementation under test, so ``run`` works for the reference and for a
  student alike; backward tasks run the implementation's *own* forward pass to
  get the cache, so cache formats are the student's choice);
- ``grad_checks`` (backward tasks): a scalar ``loss(load, args)`` and which
  output is the gradient of which input, for a numerical gradient check of the
  implementation's backward against its own forward;
- ``properties(args, outputs)`` (tasks with randomness of their own, such as
  initialisers and data generators): a list of failure messages, used instead of
  comparing to expected values.

:func:`run_case` runs one case on a copy of its arguments (the outputs, and a
problem for every argument changed in place); :func:`check_outputs` compares
outputs with expected ones and :func:`gradient_problems` checks a backward pass
numerically, each returning plain-language problems.
"""

import copy
import importlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .messages import t

# The message of every stub: raise NotImplementedError("Task 3.4: lstm_step_backward")
NOT_IMPLEMENTED = re.compile(r"Task (\d+\.\d+): (\w+)")
IMPL_ENV = "RNN_COURSE_IMPL"
DEFAULT_IMPL = "assignments"

# (N, T, D, H) used by the public fixtures: a general shape, and N = 1, T = 1 with D != H.
PUBLIC_DIMS = ({"N": 2, "T": 3, "D": 4, "H": 5}, {"N": 1, "T": 1, "D": 3, "H": 2})


def implementation_package():
    """The package under test: $RNN_COURSE_IMPL, "assignments" by default."""
    return os.environ.get(IMPL_ENV, DEFAULT_IMPL)


def make_loader(package=None):
    package = package or implementation_package()

    def load(module):
        return importlib.import_module(f"{package}.{module}")

    return load


@dataclass(frozen=True)
class GradCheck:
    loss: object  # loss(load, args) -> float
    wrt: dict  # output name -> input name (a top-level array argument)


@dataclass(frozen=True)
class TaskSpec:
    task_id: str
    function: str
    kind: str  # "forward" (compare with value tolerance) or "backward" (gradient tolerance)
    inputs: object
    run: object
    grad_checks: GradCheck = None
    properties: object = None
    dims: tuple = PUBLIC_DIMS  # the public fixtures' shapes
    integer_outputs: tuple = field(default=())
    # the hidden graders' shapes, when a task needs its own; None: the graders' standard shapes
    # (autograder.grading.grade.GRADER_DIMS)
    grader_dims: tuple = None


REGISTRY = {}


def register(spec):
    if spec.task_id in REGISTRY:
        raise ValueError(f"task {spec.task_id} registered twice")
    REGISTRY[spec.task_id] = spec
    return spec


def all_specs():
    """Every registered spec, importing the per-assignment case modules."""
    from . import cases_a1, cases_a2, cases_a3, cases_a4  # noqa: F401  (registration side effect)

    return dict(REGISTRY)


# numerical_gradient and rel_error repeat solutions/common/gradcheck.py on purpose: the checks must not
# call the copy in the student's package, which the student can edit.
def numerical_gradient(f, x, h=1e-5):
    """Centred differences of a scalar function of one array (x is restored)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = f(x)
        x[idx] = old - h
        minus = f(x)
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def rel_error(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def _leaves(value, prefix=""):
    """Flatten nested dicts/lists/tuples of arrays into {"a.b.0": array}."""
    if isinstance(value, dict):
        for key in value:
            yield from _leaves(value[key], f"{prefix}{key}.")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{prefix}{index}.")
    else:
        yield prefix[:-1], value


def check_outputs(spec, outputs, expected, tolerance):
    """Compare outputs with expected ones; return a list of problems."""
    problems = []
    for name, want in expected.items():
        if name not in outputs:
            problems.append(t("output.missing", name=name))
            continue
        got = np.asarray(outputs[name])
        want = np.asarray(want)
        if got.shape != want.shape:
            problems.append(t("output.shape", name=name, got=got.shape, want=want.shape))
            continue
        if name in spec.integer_outputs:
            if not np.issubdtype(got.dtype, np.integer) or not np.array_equal(got, want):
                problems.append(t("output.integers", name=name, got=got.tolist(), want=want.tolist()))
            continue
        if got.dtype != np.float64:
            problems.append(t("output.dtype", name=name, got=got.dtype))
            continue
        if not np.all(np.isfinite(got)):
            problems.append(t("output.nonfinite", name=name))
            continue
        error = rel_error(got, want)
        if error > tolerance:
            problems.append(t("output.differs", name=name, error=f"{error:.2e}", tolerance=f"{tolerance:.0e}"))
    return problems


def run_case(spec, load, args):
    """Run one case on a deep copy of the arguments.

    Returns (outputs, problems): the flat outputs, and a problem for every
    argument the implementation modified in place.
    """
    given = copy.deepcopy(args)
    outputs = flatten(spec.run(load, given))
    problems = [t("argument.mutated", name=name) for name in args if not _same(args[name], given[name])]
    return outputs, problems


def _same(a, b):
    leaves_a, leaves_b = dict(_leaves(a)), dict(_leaves(b))
    if leaves_a.keys() != leaves_b.keys():
        return False
    return all(np.array_equal(np.asarray(leaves_a[k]), np.asarray(leaves_b[k])) for k in leaves_a)


def gradient_problems(spec, load, args, outputs, tolerance):
    """Numerical check of the implementation's backward against its own forward."""
    problems = []
    check = spec.grad_checks
    for grad_name, input_name in check.wrt.items():
        def f(value, input_name=input_name):
            return float(check.loss(load, {**args, input_name: value}))
        numeric = numerical_gradient(f, args[input_name])
        analytic = np.asarray(outputs.get(grad_name))
        if analytic.shape != numeric.shape:
            problems.append(t("gradient.shape", name=grad_name, got=analytic.shape, want=numeric.shape))
            continue
        error = norm_rel_error(analytic, numeric)
        if error > tolerance:
            problems.append(t("gradient.mismatch", name=grad_name, error=f"{error:.2e}", tolerance=f"{tolerance:.0e}"))
    return problems


def norm_rel_error(a, b):
    """||a - b|| / max(1e-6, ||a|| + ||b||): robust to tiny entries, used for numerical gradient checks."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(1e-6, np.linalg.norm(a) + np.linalg.norm(b)))


def flatten(outputs):
    """Flat dict of arrays from a run's outputs (nested dicts/lists become dotted names)."""
    return {name: np.asarray(value) for name, value in _leaves(outputs)}


def read_fixtures(assignment_id, directory):
    """The stored public cases of one assignment: {task_id: [{"dims", "inputs", "expected"}]}."""
    import pickle  # replaced by a text format (JSON index + .npz) in the fixtures step
    with (Path(directory) / f"{assignment_id}.pkl").open("rb") as handle:
        return pickle.load(handle)
