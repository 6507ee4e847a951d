"""Public tests: every task against the stored reference outputs, its own gradient check, purity.

Each test carries the marker of its task (``pytest -m task1_4``). A failure
message names the task and says what to look at. The checks are the runtime's
``public_checks`` (they return Problems: message codes and fields; the notebooks'
self-check cells run the same ones), rendered here in the course's language.
These tests run your code in this process: they are feedback, the graders run it
apart and check its outputs themselves.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from autograder.runtime import harness, public_checks
from autograder.runtime.messages import t, task_text
from autograder.runtime.problems import problem

from .conftest import FIXTURES_DIR, TASKS

SPECS = harness.all_specs()


def _params(kind):
    """pytest params of the public checks of ``kind`` (``public_checks.public_checks``), with the task's marker:
    (task, k) per shape, one (task) per task for the property checks (and for the any-shape test: kind "any")."""
    params = []
    for task_id in SPECS:
        marks = [getattr(pytest.mark, TASKS[task_id].marker)]
        shapes = [k for found, k in public_checks.public_checks(task_id) if found == kind]
        if kind in ("any", public_checks.PROPERTY) and (shapes or kind == "any"):
            params.append(pytest.param(task_id, marks=marks, id=task_id))
        else:
            params += [pytest.param(task_id, k, marks=marks, id=f"{task_id}-{k}") for k in shapes]
    return params


def _run(task_id, args):
    """Run the student's code; a NotImplementedError of another task says which one to do first."""
    return public_checks.run_task(task_id, harness.make_loader(), args)


def _fail(task_id, problems):
    """Fail with the task's header, each Problem rendered in the course's language, and the task's hint."""
    hint = task_text(TASKS[task_id], "hint")
    lines = [t(found.code, **found.fields) for found in problems]
    pytest.fail(f"{public_checks.header(task_id)}:\n  - " + "\n  - ".join(lines) + "\n  " + t("test.hint", hint=hint),
                pytrace=False)


def _check(task_id, kind, k):
    problems = public_checks.check_problems(task_id, kind, k, harness.make_loader(), FIXTURES_DIR)
    if problems:
        _fail(task_id, problems)


@pytest.mark.parametrize("task_id,k", _params(public_checks.FIXTURE))
def test_matches_reference(task_id, k):
    """Outputs on a fixed input equal the reference solution's (stored in fixtures/)."""
    _check(task_id, public_checks.FIXTURE, k)


@pytest.mark.parametrize("task_id,k", _params(public_checks.GRADIENT))
def test_gradient_check(task_id, k):
    """Your backward pass agrees with centred differences of your own forward pass (along random directions)."""
    _check(task_id, public_checks.GRADIENT, k)


@pytest.mark.parametrize("task_id", _params(public_checks.PROPERTY))
def test_properties(task_id):
    """Tasks with randomness of their own are checked by the properties their output must have."""
    for kind, k in public_checks.public_checks(task_id):
        _check(task_id, kind, k)


DIMS = st.fixed_dictionaries({"N": st.integers(1, 4), "T": st.integers(1, 5), "D": st.integers(1, 5),
                              "H": st.integers(1, 5)})


@pytest.mark.parametrize("task_id", _params("any"))
def test_any_shape(task_id):
    """For any (N, T, D, H): float64 finite outputs, gradients shaped like their inputs, no mutation."""
    spec = SPECS[task_id]
    _run(task_id, spec.inputs(np.random.default_rng(0), **spec.dims[0]))  # fails fast while not implemented
    _any_shape_property(task_id)


@settings(max_examples=8, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dims=DIMS, seed=st.integers(0, 2**16))
def _any_shape_property(task_id, dims, seed):
    spec = SPECS[task_id]
    args = spec.inputs(np.random.default_rng(seed), **dims)
    outputs, problems = _run(task_id, args)
    for name, value in outputs.items():
        if not harness.is_numeric(value):
            problems.append(problem("output.not_numeric", name=name))
        elif name not in spec.integer_outputs and value.dtype != np.float64:
            problems.append(problem("output.dtype", name=name, got=str(value.dtype)))
        elif not np.all(np.isfinite(value)):
            problems.append(problem("output.nonfinite", name=name))
    if spec.grad_checks is not None:
        for grad_name, input_name in spec.grad_checks.wrt.items():
            expected_shape = np.shape(args[input_name])
            if grad_name in outputs and outputs[grad_name].shape != expected_shape:
                problems.append(problem("gradient.shape_of_input", name=grad_name, got=outputs[grad_name].shape,
                                        want=expected_shape, input=input_name))
    if spec.properties is not None:
        problems += spec.properties(args, outputs)
    if problems:
        _fail(task_id, problems + [problem("test.shape_used", dims=dims)])
