"""The public checks of one task, as plain functions that return Problems.

The public tests (``tests/public/test_tasks.py``, one pytest test per check) and
the notebooks' self-check cells (:mod:`.notebook_self_check`, run by ``nbgrader
validate``) run the same checks, from here:

- :func:`fixture_problems`: the outputs on the stored input of fixture ``k``
  (``fixtures/<task id>.json``, written from the reference by ``course
  fixtures``) compared with the reference's outputs stored beside it;
- :func:`gradient_problems`: backward tasks, the numerical gradient check of the
  implementation's backward against its own forward on the input of fixture ``k``;
- :func:`property_problems`: tasks with randomness of their own, the properties
  their outputs must have on shape ``k`` of the spec;
- :func:`task_problems`: every public check of a task (:func:`public_checks`).

Each runs the implementation in this process (``load``: :func:`.harness.make_loader`)
and returns a list of :class:`~.problems.Problem` (empty: the check passes). A
``NotImplementedError`` of the task's own stub propagates as it is; one raised by
another task's stub that this task uses is re-raised saying which task to
implement first (:func:`run_task`). These checks are feedback: the grade comes
from the graders, which run the student's code apart and check its outputs themselves.
"""

from pathlib import Path

import numpy as np

from . import gradient_check, harness
from .fixture_files import read_fixture
from .messages import t
from .problems import problem

FIXTURE, GRADIENT, PROPERTY = "fixture", "gradient", "property"
_FIXTURES = {}


def spec_of(task_id):
    return harness.all_specs()[task_id]


def public_checks(task_id):
    """[(kind, k)]: the public checks of a task, in the order they run.

    Tasks without properties: a fixture comparison per public shape, and for backward tasks a gradient check per
    public shape. Tasks with properties: a property check per public shape (their outputs are random)."""
    spec = spec_of(task_id)
    shapes = range(len(spec.dims))
    if spec.properties is not None:
        return [(PROPERTY, k) for k in shapes]
    checks = [(FIXTURE, k) for k in shapes]
    if spec.grad_checks is not None:
        checks += [(GRADIENT, k) for k in shapes]
    return checks


def uses_fixtures(task_id):
    """Whether a task's public checks read its fixture file (every task without properties has one)."""
    return any(kind in (FIXTURE, GRADIENT) for kind, _ in public_checks(task_id))


def fixture_case(task_id, k, fixtures_dir):
    """Case ``k`` of a task's fixture file: {"dims", "inputs", "expected"} (each file read once)."""
    key = (str(Path(fixtures_dir).resolve()), task_id)
    if key not in _FIXTURES:
        _FIXTURES[key] = read_fixture(task_id, fixtures_dir)
    return _FIXTURES[key][k]


def header(task_id, lang=None):
    """"Task 1.4 (rnn_backward in rnn.py)": how every message about a task starts."""
    task = harness.course_manifest().task(task_id)
    return t("test.header", lang, task_id=task_id, function=task.function, file=task.file)


def other_task_not_implemented(task_id, error):
    """The ID of the other task whose stub raised ``error`` (a NotImplementedError), or None."""
    match = harness.NOT_IMPLEMENTED.search(str(error))
    return match.group(1) if match and match.group(1) != task_id else None


def run_task(task_id, load, args):
    """Run the implementation's function of a task on ``args``: (flat outputs, a Problem per mutated argument).

    A NotImplementedError raised by the stub of another task is re-raised saying to implement that task first."""
    try:
        return harness.run_case(spec_of(task_id), load, args)
    except NotImplementedError as error:
        other = other_task_not_implemented(task_id, error)
        if other is not None:
            raise NotImplementedError(t("test.implement_first", error=error, header=header(task_id),
                                        other=other)) from error
        raise


def _tolerance(name):
    return harness.course_manifest().tolerances[name]


def fixture_problems(task_id, k, load, fixtures_dir):
    """The outputs on fixture ``k``'s inputs compared with the stored reference outputs (and no mutation)."""
    case = fixture_case(task_id, k, fixtures_dir)
    spec = spec_of(task_id)
    outputs, problems = run_task(task_id, load, case["inputs"])
    tolerance = _tolerance("value" if spec.kind == "forward" else "gradient")
    problems += harness.check_outputs(spec, outputs, case["expected"], tolerance)
    return problems + [problem("test.shape_used", dims=case["dims"])] if problems else []


def gradient_problems(task_id, k, load, fixtures_dir):
    """The backward's outputs on fixture ``k``'s inputs against centred differences of the implementation's own
    forward, along random directions (seeded by ``k``)."""
    case = fixture_case(task_id, k, fixtures_dir)
    spec = spec_of(task_id)
    outputs, problems = run_task(task_id, load, case["inputs"])
    return problems + gradient_check.gradient_problems(spec, load, case["inputs"], outputs, _tolerance("gradcheck"),
                                                       np.random.default_rng(k))


def property_problems(task_id, k, load):
    """The properties of a task with randomness of its own, on shape ``k`` of its spec (inputs seeded by ``k``)."""
    spec = spec_of(task_id)
    dims = spec.dims[k]
    args = spec.inputs(np.random.default_rng(k), **dims)
    outputs, problems = run_task(task_id, load, args)
    problems += spec.properties(args, outputs)
    return problems + [problem("test.shape_used", dims=dims)] if problems else []


def check_problems(task_id, kind, k, load, fixtures_dir):
    """The Problems of one public check (kind and k as listed by :func:`public_checks`)."""
    if kind == FIXTURE:
        return fixture_problems(task_id, k, load, fixtures_dir)
    if kind == GRADIENT:
        return gradient_problems(task_id, k, load, fixtures_dir)
    if kind == PROPERTY:
        return property_problems(task_id, k, load)
    raise ValueError(f"unknown kind of public check {kind!r}; expected {FIXTURE}, {GRADIENT} or {PROPERTY}")


def task_problems(task_id, load, fixtures_dir):
    """The Problems of every public check of a task, in order (empty: the task passes them all).

    Exceptions of the implementation (NotImplementedError included) propagate; the caller decides what they mean."""
    problems = []
    for kind, k in public_checks(task_id):
        problems += check_problems(task_id, kind, k, load, fixtures_dir)
    return problems
