"""Every check can fail a wrong algorithm (issue 12, part 2): wrong submissions lose (nearly) all of their task.

Each wrong submission of tests/autograder/wrong_submissions.py used to keep points through checks it passes
by coincidence: a graded shape with T = 1 (any order of the norms is right), H = 2 (half the sign patterns of
the orthogonal initialiser), a gradient check that a self-consistent but different algorithm passes (full BPTT
for truncated BPTT, a loss averaged over N*T), small scores (a softmax without the max shift), or properties
that say nothing about a distribution (fixed marker positions, constant values). Each is graded here on its
own task only and must keep at most the weight of the edge-case shape, while the reference keeps full marks.
"""

import dataclasses
import math

import numpy as np
import pytest

from autograder.authoring.samples import copy_as_submission
from autograder.grading import checks, grade, mistakes
from autograder.grading.sandbox import Limits
from autograder.runtime import distribution_checks, harness
from autograder.runtime.problems import problem
from autograder.runtime.manifest import load_manifest
from tests.autograder.wrong_submissions import WRONG, write_wrong_submission

FAST = Limits(cpu_seconds=20, wall_seconds_per_request=10)
MANIFEST = load_manifest()
# a wrong algorithm may keep the edge-case shape's share: EDGE_WEIGHT / (EDGE_WEIGHT + 3 general shapes)
EDGE_SHARE = checks.EDGE_WEIGHT / (checks.EDGE_WEIGHT + 3)


TASKS = sorted({task_id for task_id, _, _ in WRONG.values()}, key=lambda t: tuple(map(int, t.split("."))))


def tasks_manifest(task_ids):
    """The course manifest reduced to these tasks (one sandbox run grades them all)."""
    assignments = []
    for assignment in MANIFEST.assignments:
        tasks = tuple(task for task in assignment.tasks if task.id in task_ids)
        if tasks:
            assignments.append(dataclasses.replace(assignment, tasks=tasks))
    return dataclasses.replace(MANIFEST, assignments=tuple(assignments))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """{submission name: {task id: TaskResult}} for the reference and every wrong submission, on TASKS."""
    root = tmp_path_factory.mktemp("wrong")
    copy_as_submission(mistakes.SOLUTIONS_DIR, root / "reference")
    paths = [root / "reference"] + [write_wrong_submission(name, root / name) for name in sorted(WRONG)]
    reports = grade.grade_many(paths, manifest=tasks_manifest(TASKS), seed=3, jobs=2, limits=FAST)
    return {path.name: {result.task_id: result for result in report.tasks} for path, report in zip(paths, reports)}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(WRONG))
def test_a_wrong_algorithm_loses_nearly_all_of_its_task_and_only_there(graded, name):
    task_id = WRONG[name][0]
    result = graded[name][task_id]
    assert result.points <= result.max_points * EDGE_SHARE + 1e-4, (name, result.points, result.problems)
    assert result.points < result.max_points * 0.05
    # the tasks that do not call it (directly or not) keep full marks; the ones that do are issue 12's part 1
    others = [other for other in graded[name].values() if task_id not in uses(other.task_id) | {other.task_id}]
    assert all(other.points == other.max_points for other in others), name


def uses(task_id):
    """The IDs of the tasks that task_id's function calls, directly or through others (course.yml's uses)."""
    found = set()
    for used in MANIFEST.task(task_id).uses:
        found |= {used} | uses(used)
    return found


@pytest.mark.slow
def test_the_reference_keeps_full_marks_on_these_tasks(graded):
    for task_id, result in graded["reference"].items():
        assert result.points == result.max_points, (task_id, result.problems)


def test_every_task_has_three_general_grader_shapes():
    for task_id, spec in harness.all_specs().items():
        general = [dims for dims in grade.grader_dims(spec) if checks.shape_weight(dims) == 1.0]
        assert len(general) >= 3, task_id


def test_a_shape_scores_only_when_all_its_checks_pass():
    general, edge = {"N": 3, "T": 4, "D": 5, "H": 4}, {"N": 1, "T": 1, "D": 3, "H": 2}
    failed = [problem("output.missing", name="h")]
    result = checks.TaskResult("9.9", "f", "", "a9", 1.1, checks=[
        checks.Check("values", general, failed), checks.Check("gradient", general),
        checks.Check("values", edge), checks.Check("gradient", edge)])
    assert result.points == pytest.approx(0.1)  # the gradient check passed alone earns nothing


def test_the_hoeffding_margin_matches_the_bound_stated_in_the_docstring():
    # 2 K exp(-2 n eps^2) = FALSE_FAILURE at the margin
    eps = distribution_checks.hoeffding_margin(4000, 6)
    assert 2 * 6 * math.exp(-2 * 4000 * eps**2) == pytest.approx(distribution_checks.FALSE_FAILURE)
    assert 12 * distribution_checks.FALSE_FAILURE < 1e-6  # 3 checks x 4 cases of Task 2.10 per grading


def test_a_correct_generator_passes_the_distribution_checks_on_many_seeds():
    spec = harness.all_specs()["2.10"]
    load = harness.make_loader("solutions")
    for seed in range(40):
        args = spec.inputs(np.random.default_rng(seed), N=4, T=3 + seed % 11, D=2, H=3)
        outputs, _ = harness.run_case(spec, load, args)
        assert spec.properties(args, outputs) == [], seed
