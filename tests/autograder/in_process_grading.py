"""Grade an implementation package in this process with the grader's own API (tests only; fast).

The graders run student code in a sandbox child (:mod:`autograder.grading.sandbox_child`),
which flattens each call's outputs, writes them in a result file
(:func:`autograder.grading.sandbox_child.encode_result`) and the grader reads them
(:func:`autograder.grading.results.read_result`) and checks them with
:func:`autograder.grading.grade.grade_case`. This module does the same steps in one process
(the same arrays, the same round trip, the same checks), without the sandbox, so that
suites of trusted implementations (the correct alternatives, the single-bug benchmark) can be
graded on several seeds in seconds.
"""


import numpy as np

from autograder.grading.checks import TaskResult
from autograder.grading.grade import joint_disagrees, build_requests, diagnose_failures, grade_case, loss_request
from autograder.grading.results import Outcome, read_result
from autograder.grading.sandbox_child import encode_result
from autograder.runtime import harness
from autograder.runtime.messages import task_text
from autograder.runtime.problems import problem


def _round_trip(arrays):
    """The arrays as the grader reads them back from the child's result file."""
    _, read = read_result(encode_result({"status": "ok", "error": None, "not_numeric": []}, arrays))
    return read


def _numeric(values, prefix):
    """{prefix + name: array} for the numeric values, and the names of the others (as the child records them)."""
    arrays, others = {}, []
    for name, value in values.items():
        array = harness.as_array(value)
        if harness.is_numeric(array):
            arrays[prefix + name] = array
        else:
            others.append(name)
    return arrays, others


def call_outcome(spec, load, args):
    """The Outcome of the grader's "call" request, computed here."""
    try:
        outputs, args_after = harness.call(spec, load, args)
    except Exception as error:  # noqa: BLE001 - reported like the child's error record
        return Outcome("error", problems=[problem("grade.exception", kind=type(error).__name__, message=str(error))])
    out, not_numeric = _numeric(outputs, "out:")
    after, _ = _numeric(args_after, "arg:")
    arrays = _round_trip({**out, **after})
    outputs = {name[4:]: value for name, value in arrays.items() if name.startswith("out:")}
    outputs.update({name: np.array(None, dtype=object) for name in not_numeric})
    return Outcome("ok", outputs=outputs,
                   args_after={name[4:]: value for name, value in arrays.items() if name.startswith("arg:")})


def loss_outcome(spec, load, request):
    try:
        losses = [float(spec.grad_checks.loss(load, {**harness.fresh_copy(request["args"]),
                                                     **{name: value.copy() for name, value in point.items()}}))
                  for point in request["points"]]
    except Exception as error:  # noqa: BLE001
        return Outcome("error", problems=[problem("grade.exception", kind=type(error).__name__, message=str(error))])
    return Outcome("ok", losses=np.array(losses, dtype=np.float64))


def grade_package(package, seed, task_ids=None, diagnose=False):
    """{task id: TaskResult} of the implementation package ``package`` (importable here), graded on ``seed``.

    Inputs:
    - package: import name of the implementation (e.g. "solutions", or a package written by a test)
    - seed: int, the grading seed (the same inputs as ``course grade --seed``)
    - task_ids: the tasks to grade (default: every task of the manifest)
    - diagnose: also diagnose each failed task (its hints and mistakes, as ``course grade``; slower)
    """
    manifest = harness.course_manifest()
    tasks = [task for task in manifest.tasks if task_ids is None or task.id in task_ids]
    load, reference = harness.make_loader(package), harness.make_loader("solutions")
    _, cases = build_requests(tasks, seed)
    results = {task.id: TaskResult(task.id, task.function, task_text(task, "title"), task.assignment_id,
                                   task.points) for task in tasks}
    calls = {}
    for case in cases:
        calls[case.call] = call = call_outcome(case.spec, load, case.args)
        loss = naming = None
        if case.probes is not None and call.status == "ok":
            loss = loss_outcome(case.spec, load, loss_request(case))
            if joint_disagrees(case, call, loss, manifest.tolerances["gradcheck"]):
                naming = loss_outcome(case.spec, load, loss_request(case, case.naming))
        grade_case(case, call, loss, reference, manifest.tolerances, results[case.task.id], naming=naming)
    if diagnose:
        diagnose_failures(tasks, cases, calls, results, reference)
    return results
