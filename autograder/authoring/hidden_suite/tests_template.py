"""Hidden checks of your repository's CI: one test per task, named ``test_task[<task id>-<points>pts]``.

Feedback only: the grade of record comes from instructor-side grading or Gradescope. Nothing
here is secret or holds solution code: ``fixtures/<task id>.json`` holds inputs on the graders'
shapes and the reference's outputs on them (none for tasks checked by properties), and
``fingerprints.json`` holds hashes of the outputs of common mistakes, so that a failing test can
name the mistake your outputs match. Run one task with ``pytest .github/feedback -k "test_task[1.2-"``.
"""

import json
import os
from pathlib import Path

import numpy as np
import pytest

from autograder.runtime import gradient_check, harness
from autograder.runtime.fingerprint import outputs_fingerprint
from autograder.runtime.fixture_files import fixture_path, read_fixture_file
from autograder.runtime.manifest import find_manifest, load_manifest
from autograder.runtime.messages import LANG_ENV, t, task_text
from autograder.runtime.problems import problem

HIDDEN_DIR = Path(__file__).resolve().parent
MANIFEST_PATH = find_manifest(HIDDEN_DIR)
MANIFEST = load_manifest(MANIFEST_PATH, solutions_dir=MANIFEST_PATH.parent / harness.implementation_package())
os.environ.setdefault(LANG_ENV, MANIFEST.language)
TASKS = {task.id: task for task in MANIFEST.tasks}
SPECS = harness.all_specs()
FINGERPRINTS = json.loads((HIDDEN_DIR / "fingerprints.json").read_text(encoding="utf-8"))["tasks"]
DEPENDENCIES = json.loads((HIDDEN_DIR / "dependencies.json").read_text(encoding="utf-8"))
FAILED = set()  # the tasks failed so far in this run (tests run in task order, dependencies first)


def _header(task):
    return t("test.header", task_id=task.id, function=task.function, file=task.file)


def _fail(task, lines, outputs_per_case=None):
    """Fail with the task's header, the tasks it runs that fail too, the lines, the hint of the one mistake the
    outputs match, and the task's hint."""
    FAILED.add(task.id)
    failing = {other for other in DEPENDENCIES.get(task.id, []) if other in FAILED}
    first = [other for other in DEPENDENCIES.get(task.id, [])  # the failing ones that run no other failing one
             if other in failing and not failing & set(DEPENDENCIES.get(other, []))]
    lines = [t("test.upstream_failed", other=other, function=TASKS[other].function) for other in first] + lines
    hints = []
    if outputs_per_case is not None:
        matches = FINGERPRINTS.get(task.id, {}).get(outputs_fingerprint(outputs_per_case), [])
        if len(matches) == 1:
            hints.append(t("test.hint", hint=t(f"mistake.{matches[0]}")))
    hints.append(t("test.hint", hint=task_text(task, "hint")))
    pytest.fail(f"{_header(task)}:\n  - " + "\n  - ".join(lines) + "\n  " + "\n  ".join(hints), pytrace=False)


def _case_problems(spec, load, case, outputs, k):
    """Problems of one case: values (or properties), then the gradient check of backward tasks."""
    if spec.properties is not None:
        return spec.properties(case["inputs"], outputs)
    tolerance = MANIFEST.tolerances["value" if spec.kind == "forward" else "gradient"]
    found = harness.check_outputs(spec, outputs, case["expected"], tolerance)
    if not found and spec.grad_checks is not None:
        found = gradient_check.gradient_problems(spec, load, case["inputs"], outputs,
                                                 MANIFEST.tolerances["gradcheck"], np.random.default_rng(k))
    return found


@pytest.mark.parametrize("task_id", [pytest.param(task.id, id=f"{task.id}-{task.points:g}pts")
                                     for task in MANIFEST.tasks])
def test_task(task_id):
    """Every hidden case of the task: outputs as the reference's (or its properties), gradient check, purity."""
    task, spec = TASKS[task_id], SPECS[task_id]
    _, cases = read_fixture_file(fixture_path(task_id, HIDDEN_DIR / "fixtures"), task_id)
    load = harness.make_loader()
    outputs_per_case, first = [], None
    for k, case in enumerate(cases):
        error = None
        try:
            outputs, found = harness.run_case(spec, load, case["inputs"])
            found += _case_problems(spec, load, case, outputs, k)
        except Exception as raised:  # noqa: BLE001 - your code's error is this test's failure
            error = f"{type(raised).__name__}: {raised}"
        if error is not None:
            _fail(task, [error])
        outputs_per_case.append(outputs)
        if found and first is None:
            first = [t(item.code, **item.fields) for item in found + [problem("test.shape_used", dims=case["dims"])]]
    if first is not None:
        _fail(task, first, outputs_per_case if spec.properties is None else None)
