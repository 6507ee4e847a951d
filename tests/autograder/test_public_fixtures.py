"""The public tests' expected values are those of the current reference, and every task has a spec."""

import numpy as np

from autograder.runtime.manifest import load_manifest
from autograder.authoring.public_fixtures import FIXTURES_DIR, compute_fixtures
from autograder.runtime import gradient_check, harness


def test_every_task_has_exactly_one_spec_naming_its_function():
    specs = harness.all_specs()
    manifest = load_manifest()
    assert set(specs) == {task.id for task in manifest.tasks}
    for task in manifest.tasks:
        assert specs[task.id].function == task.function, task.id
        assert specs[task.id].kind in ("forward", "backward"), task.id


def test_stored_fixtures_equal_a_fresh_computation_from_the_reference():
    fresh = compute_fixtures()
    for assignment_id, per_task in fresh.items():
        stored = harness.read_fixtures(assignment_id, FIXTURES_DIR)
        assert set(stored) == set(per_task), f"{assignment_id}: run `course fixtures`"
        for task_id, cases in per_task.items():
            assert len(stored[task_id]) == len(cases), task_id
            for old, new in zip(stored[task_id], cases):
                assert old["dims"] == new["dims"]
                assert set(old["expected"]) == set(new["expected"]), task_id
                for name, value in new["expected"].items():
                    assert harness.rel_error(old["expected"][name], value) < 1e-12, \
                        f"Task {task_id} output {name} is stale: run `course fixtures`"


def test_reference_passes_its_own_gradient_checks_on_the_public_inputs():
    load = harness.make_loader("solutions")
    for assignment_id, per_task in compute_fixtures().items():
        for task_id, cases in per_task.items():
            spec = harness.all_specs()[task_id]
            if spec.grad_checks is None:
                continue
            for case in cases:
                problems = gradient_check.gradient_problems(spec, load, case["inputs"], case["expected"],
                                                            load_manifest().tolerances["gradcheck"],
                                                            np.random.default_rng(0))
                assert not problems, (task_id, problems)


def test_fixture_inputs_are_float64_where_floating():
    for assignment in load_manifest().assignments:
        for task_id, cases in harness.read_fixtures(assignment.id, FIXTURES_DIR).items():
            for case in cases:
                for name, value in harness.flatten(case["inputs"]).items():
                    if np.issubdtype(value.dtype, np.floating):
                        assert value.dtype == np.float64, (task_id, name)
