"""The public tests' expected values are those of the current reference, every task has a spec, and
``course fixtures`` rewrites a task's file only when one of its values really moved."""

from pathlib import Path

import importlib

import numpy as np
import pytest

from autograder.authoring import public_fixtures
from autograder.authoring.public_fixtures import (FIXTURES_DIR, MOVE_FACTOR, compute_fixtures, fixture_changes,
                                                  task_tolerance, write_fixtures)
from autograder.runtime import fixture_files, gradient_check, harness
from autograder.runtime.fixture_files import fixture_path, read_fixture
from autograder.runtime.manifest import REPO_ROOT, load_manifest

from .test_layers import imported_modules


def test_every_task_has_exactly_one_spec_and_it_calls_the_function_of_the_manifest():
    specs = harness.all_specs()
    manifest = load_manifest()
    assert set(specs) == {task.id for task in manifest.tasks}
    load = harness.make_loader("solutions")
    for task in manifest.tasks:
        module = importlib.import_module(f"solutions.{task.module}")
        assert harness.task_function(task.id, load) is getattr(module, task.function), task.id
        assert specs[task.id].kind in ("forward", "backward"), task.id


def test_case_modules_never_name_the_module_or_function_of_a_task():
    """The function to call comes from course.yml: the case modules hold inputs and output names only."""
    for assignment in load_manifest().assignments:
        text = (REPO_ROOT / "autograder" / "runtime" / f"cases_{assignment.id}.py").read_text(encoding="utf-8")
        assert "load(" not in text, assignment.id
        for task in load_manifest().tasks:
            assert f"{task.package}." not in text and f".{task.function}(" not in text, (assignment.id, task.id)


def test_stored_fixtures_equal_a_fresh_computation_from_the_reference():
    manifest = load_manifest()
    fresh = compute_fixtures(manifest)
    stored_files = {path.name for path in FIXTURES_DIR.iterdir() if path.is_file()}
    assert stored_files == {f"{task_id}.json" for task_id in fresh}, "run `course fixtures`"
    for task_id, cases in fresh.items():
        changes = fixture_changes(read_fixture(task_id, FIXTURES_DIR), cases, task_tolerance(manifest, task_id))
        assert not changes, f"Task {task_id} is stale ({changes[:3]}): run `course fixtures`"


def test_reference_passes_its_own_gradient_checks_on_the_public_inputs():
    load = harness.make_loader("solutions")
    tolerance = load_manifest().tolerances["gradcheck"]
    for task_id, cases in compute_fixtures().items():
        spec = harness.all_specs()[task_id]
        if spec.grad_checks is None:
            continue
        for case in cases:
            problems = gradient_check.gradient_problems(spec, load, case["inputs"], case["expected"], tolerance,
                                                        np.random.default_rng(0))
            assert not problems, (task_id, problems)


def test_fixture_inputs_are_float64_where_floating():
    for task_id in compute_fixtures():
        for case in read_fixture(task_id, FIXTURES_DIR):
            for name, value in harness.flatten(case["inputs"]).items():
                if np.issubdtype(value.dtype, np.floating):
                    assert value.dtype == np.float64, (task_id, name)


def _file_bytes(directory):
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def _perturb_outputs(monkeypatch, factor, task_ids=None):
    """Make the reference's float outputs (of ``task_ids``, default all) ``factor`` times larger."""
    run_case = harness.run_case

    def perturbed(spec, load, args):
        outputs, problems = run_case(spec, load, args)
        if task_ids is None or spec.task_id in task_ids:
            outputs = {name: np.asarray(value * factor) if value.dtype == np.float64 else value
                       for name, value in outputs.items()}
        return outputs, problems

    monkeypatch.setattr(harness, "run_case", perturbed)


@pytest.fixture
def written(tmp_path):
    """A fixtures directory as ``course fixtures`` writes it from scratch, and its files' bytes."""
    results = write_fixtures(tmp_path)
    assert {result.status for result in results} == {"new"}
    return tmp_path, _file_bytes(tmp_path)


def test_regenerating_changes_no_byte(written):
    directory, before = written
    results = write_fixtures(directory)
    assert {result.status for result in results} == {"unchanged"}
    assert _file_bytes(directory) == before


def test_a_move_below_tolerance_over_1e4_rewrites_nothing(written, monkeypatch):
    directory, before = written
    unperturbed = compute_fixtures()
    _perturb_outputs(monkeypatch, 1 + 1e-14)
    perturbed = compute_fixtures()
    moved = [task_id for task_id, cases in perturbed.items()
             if any(not np.array_equal(value, unperturbed[task_id][k]["expected"][name])
                    for k, case in enumerate(cases) for name, value in case["expected"].items())]
    with_floats = [task_id for task_id, cases in perturbed.items()
                   if any(value.dtype == np.float64 for value in cases[0]["expected"].values())]
    assert moved == with_floats and len(moved) > 40  # they really changed, by far less than the threshold
    results = write_fixtures(directory)
    assert {result.status for result in results} == {"unchanged"}
    assert _file_bytes(directory) == before


def test_a_real_change_rewrites_only_that_tasks_file(written, monkeypatch):
    directory, before = written
    tolerance = task_tolerance(load_manifest(), "1.3")
    factor = 1 + 100 * tolerance * MOVE_FACTOR
    _perturb_outputs(monkeypatch, factor, task_ids={"1.3"})
    results = {result.path.name: result for result in write_fixtures(directory)}
    assert results["1.3.json"].status == "rewritten" and "moved by" in results["1.3.json"].reasons[0]
    assert all(result.status == "unchanged" for name, result in results.items() if name != "1.3.json")
    after = _file_bytes(directory)
    assert {name for name in before if after[name] != before[name]} == {"1.3.json"}
    stored = read_fixture("1.3", directory)
    fresh = compute_fixtures()["1.3"]
    for old, new in zip(stored, fresh):
        for name, value in new["expected"].items():
            assert np.array_equal(old["expected"][name], value)  # the perturbed values, bit for bit


def test_a_changed_structure_or_broken_file_is_rewritten_and_an_orphan_removed(written):
    directory, before = written
    path = fixture_path("1.1", directory)
    path.write_text(path.read_text().replace('"function": "rnn_step_forward"', '"function": "old_name"'))
    fixture_path("2.2", directory).write_text("{ broken")
    fixture_path("9.9", directory).write_bytes(before["1.1.json"])
    results = {result.path.name: result for result in write_fixtures(directory)}
    assert results["1.1.json"].status == "rewritten" and "old_name" in results["1.1.json"].reasons[0]
    assert results["2.2.json"].status == "rewritten" and "2.2.json" in results["2.2.json"].reasons[0]
    assert results["9.9.json"].status == "removed"
    assert _file_bytes(directory) == before


def test_fixture_changes_reports_structure_integers_and_inputs():
    case = {"dims": {"N": 2}, "inputs": {"x": np.ones((2, 3)), "k": 3, "lr": 0.5},
            "expected": {"y": np.arange(3)}}
    threshold = 1e-8 * MOVE_FACTOR
    assert fixture_changes([case], [case], 1e-8) == []
    assert fixture_changes([case], [case, case], 1e-8)
    for key, name, value in [("dims", "N", 3), ("inputs", "x", np.ones((3, 2))), ("inputs", "k", 4),
                             ("inputs", "x", np.ones((2, 3)) * (1 + 10 * threshold)), ("inputs", "lr", 0.6),
                             ("expected", "y", np.arange(3) + 1), ("expected", "y", np.arange(3.0)),
                             ("inputs", "k", 3.0)]:
        changed = {**case, key: {**case[key], name: value}}
        assert fixture_changes([case], [changed], 1e-8), (key, name, value)
    extra = {**case, "inputs": {**case["inputs"], "h0": np.zeros(2)}}
    assert fixture_changes([case], [extra], 1e-8)


def test_fixtures_are_written_and_read_without_pickle():
    for module in (public_fixtures, fixture_files):
        assert not [name for name in imported_modules(Path(module.__file__)) if name.split(".")[0] == "pickle"]
    assert not list(FIXTURES_DIR.glob("*.pkl"))
