"""Public tests: every task against the stored reference outputs, its own gradient check, purity.

Each test carries the marker of its task (``pytest -m task1_4``). A failure
message names the task and says what to look at. The checks are the graders'
(they return Problems: message codes and fields), rendered here in the course's
language. These tests run your code in this process: they are feedback, the
graders run it apart and check its outputs themselves.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from autograder.runtime import gradient_check, harness
from autograder.runtime.fixture_files import read_fixture
from autograder.runtime.messages import t, task_text
from autograder.runtime.problems import problem

from .conftest import FIXTURES_DIR, MANIFEST, TASKS

SPECS = harness.all_specs()


def _tolerances():
    return MANIFEST.tolerances


def _params(kind):
    params = []
    for task_id, spec in SPECS.items():
        marks = [getattr(pytest.mark, TASKS[task_id].marker)]
        if kind == "fixture" and spec.properties is None:
            params += [pytest.param(task_id, k, marks=marks, id=f"{task_id}-{k}") for k in range(len(spec.dims))]
        elif kind == "gradient" and spec.grad_checks is not None:
            params += [pytest.param(task_id, k, marks=marks, id=f"{task_id}-{k}") for k in range(len(spec.dims))]
        elif kind == "property" and spec.properties is not None:
            params.append(pytest.param(task_id, marks=marks, id=task_id))
        elif kind == "any":
            params.append(pytest.param(task_id, marks=marks, id=task_id))
    return params


def _header(task_id):
    task = TASKS[task_id]
    return t("test.header", task_id=task_id, function=task.function, file=task.file)


def _run(task_id, args):
    """Run the student's code; a NotImplementedError of another task says which one to do first."""
    spec = SPECS[task_id]
    try:
        return harness.run_case(spec, harness.make_loader(), args)
    except NotImplementedError as error:
        match = harness.NOT_IMPLEMENTED.search(str(error))
        if match and match.group(1) != task_id:
            raise NotImplementedError(t("test.implement_first", error=error, header=_header(task_id),
                                        other=match.group(1))) from error
        raise


def _fail(task_id, problems):
    """Fail with the task's header, each Problem rendered in the course's language, and the task's hint."""
    hint = task_text(TASKS[task_id], "hint")
    lines = [t(found.code, **found.fields) for found in problems]
    pytest.fail(f"{_header(task_id)}:\n  - " + "\n  - ".join(lines) + "\n  " + t("test.hint", hint=hint),
                pytrace=False)


_FIXTURES = {}


def _fixture(task_id, k):
    if task_id not in _FIXTURES:
        _FIXTURES[task_id] = read_fixture(task_id, FIXTURES_DIR)
    return _FIXTURES[task_id][k]


@pytest.mark.parametrize("task_id,k", _params("fixture"))
def test_matches_reference(task_id, k):
    """Outputs on a fixed input equal the reference solution's (stored in fixtures/)."""
    case = _fixture(task_id, k)
    spec = SPECS[task_id]
    outputs, problems = _run(task_id, case["inputs"])
    tolerance = _tolerances()["value" if spec.kind == "forward" else "gradient"]
    problems += harness.check_outputs(spec, outputs, case["expected"], tolerance)
    if problems:
        _fail(task_id, problems + [problem("test.shape_used", dims=case["dims"])])


@pytest.mark.parametrize("task_id,k", _params("gradient"))
def test_gradient_check(task_id, k):
    """Your backward pass agrees with centred differences of your own forward pass (along random directions)."""
    case = _fixture(task_id, k)
    spec = SPECS[task_id]
    outputs, problems = _run(task_id, case["inputs"])
    problems += gradient_check.gradient_problems(spec, harness.make_loader(), case["inputs"], outputs,
                                                 _tolerances()["gradcheck"], np.random.default_rng(k))
    if problems:
        _fail(task_id, problems)


@pytest.mark.parametrize("task_id", _params("property"))
def test_properties(task_id):
    """Tasks with randomness of their own are checked by the properties their output must have."""
    spec = SPECS[task_id]
    for k, dims in enumerate(spec.dims):
        args = spec.inputs(np.random.default_rng(k), **dims)
        outputs, problems = _run(task_id, args)
        problems += spec.properties(args, outputs)
        if problems:
            _fail(task_id, problems + [problem("test.shape_used", dims=dims)])


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
