"""The shapes the hidden graders draw inputs on are a property of each task's spec, not the public ones.

A spec declares ``dims`` (the public fixtures' shapes) and, when the task needs its own, ``grader_dims``;
otherwise the graders use ``grade.GRADER_DIMS``. Tasks 2.1, 2.4 and 2.10 set their own public dims and
used to be graded on them.
"""

from autograder.grading import grade
from autograder.runtime import harness
from autograder.runtime.manifest import load_manifest

SPECS = harness.all_specs()


def _shapes(dims):
    return {tuple(sorted(shape.items())) for shape in dims}


def test_no_task_is_graded_on_its_public_shapes():
    for task_id, spec in SPECS.items():
        assert _shapes(grade.grader_dims(spec)) != _shapes(spec.dims), task_id
        assert _shapes(grade.grader_dims(spec)) - _shapes(spec.dims), f"{task_id}: no shape beyond the public ones"


def test_tasks_with_their_own_shapes_are_graded_on_their_grader_dims():
    own = {task_id for task_id, spec in SPECS.items() if spec.grader_dims is not None}
    assert {"2.1", "2.4", "2.10"} <= own
    for task_id, spec in SPECS.items():
        expected = spec.grader_dims if task_id in own else grade.GRADER_DIMS
        assert grade.grader_dims(spec) == expected, task_id


def test_requests_use_the_grader_shapes():
    manifest = load_manifest()
    tasks = [manifest.task(task_id) for task_id in ("2.1", "2.10", "1.1")]
    _, cases = grade.build_requests(tasks, seed=5)
    for task in tasks:
        used = [case.dims for case in cases if case.task.id == task.id]
        assert used == list(grade.grader_dims(SPECS[task.id])), task.id
    assert [case.dims["T"] for case in cases if case.task.id == "2.1"] == [1, 7, 9, 6]
