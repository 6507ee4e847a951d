"""``course fixtures``: write the expected values of the public tests from the reference.

For every task spec with expected values (not the property-checked ones), the
inputs of the public seed are built for each public shape, the reference
solution is run on them, and inputs and outputs are stored as text in
``tests/public/fixtures/<task id>.json`` (format: ``autograder/runtime/fixture_files.py``).
Nothing is typed by hand.

A task's file is rewritten only when its cases changed: another structure
(shapes, input or output names, dtypes, the function), an integer that differs,
or a float that moved by more than the task's tolerance times ``MOVE_FACTOR``
(relative error as the harness measures it; tolerance ``value`` for forward
tasks, ``gradient`` for backward ones). Otherwise the file stays byte-identical,
so regenerating on another machine does not churn. A test fails when the stored
fixtures are stale by that same measure.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..runtime import fixture_files, harness
from ..runtime.manifest import REPO_ROOT, load_manifest

FIXTURES_DIR = REPO_ROOT / "tests" / "public" / "fixtures"
MOVE_FACTOR = 1e-4
FIXTURE_NAME = re.compile(r"\d+\.\d+\.json")
MAX_REASONS = 3


@dataclass(frozen=True)
class FixtureWrite:
    """What ``course fixtures`` did with one file: status new, rewritten, unchanged or removed."""
    path: Path
    status: str
    reasons: tuple = ()


def compute_fixtures(manifest=None):
    """Return {task_id: [{"dims", "inputs", "expected"}, ...]} for the tasks compared with stored values."""
    manifest = manifest or load_manifest()
    specs = harness.all_specs()
    load = harness.make_loader("solutions")
    seed = manifest.seeds["public_fixtures"]
    fixtures = {}
    for assignment in manifest.assignments:
        for task in assignment.tasks:
            if task.id not in specs:
                raise RuntimeError(f"Task {task.id} ({task.function}) has no spec in "
                                   f"autograder/runtime/cases_{assignment.id}.py")
            spec = specs[task.id]
            if spec.properties is not None:
                continue
            cases = []
            for k, dims in enumerate(spec.dims):
                rng = np.random.default_rng([seed, assignment.number, k, *map(int, task.id.split("."))])
                inputs = spec.inputs(rng, **dims)
                expected, problems = harness.run_case(spec, load, inputs)
                if problems:
                    raise RuntimeError(f"reference of Task {task.id} fails its own harness: {problems}")
                cases.append({"dims": dims, "inputs": inputs, "expected": expected})
            fixtures[task.id] = cases
    return fixtures


def task_tolerance(manifest, task_id):
    """The tolerance of the public test of a task: ``value`` (forward) or ``gradient`` (backward)."""
    return manifest.tolerances["value" if harness.all_specs()[task_id].kind == "forward" else "gradient"]


def fixture_changes(old, new, tolerance):
    """Where two case lists differ: structure, integers, or floats that moved by more than tolerance * MOVE_FACTOR.

    Inputs: ``old``, ``new``: ``[{"dims", "inputs", "expected"}]``; ``tolerance``: the task's tolerance.
    Returns a list of readable differences (empty when the stored cases may stay).
    """
    if len(old) != len(new):
        return [f"{len(old)} cases stored, {len(new)} computed"]
    changes = []
    for k, (old_case, new_case) in enumerate(zip(old, new)):
        changes += _value_changes(old_case, new_case, tolerance * MOVE_FACTOR, f"case {k}")
    return changes


def _value_changes(old, new, threshold, where):
    if type(old) is not type(new):
        return [f"{where}: {type(old).__name__} became {type(new).__name__}"]
    if isinstance(old, dict):
        if set(old) != set(new):
            return [f"{where}: keys {sorted(old)} became {sorted(new)}"]
        return [change for key in new for change in _value_changes(old[key], new[key], threshold, f"{where}.{key}")]
    if isinstance(old, np.ndarray):
        if old.dtype != new.dtype or old.shape != new.shape:
            return [f"{where}: {old.dtype} {old.shape} became {new.dtype} {new.shape}"]
        if np.issubdtype(old.dtype, np.floating):
            return _float_change(old, new, threshold, where)
        return [] if np.array_equal(old, new) else [f"{where}: integers changed"]
    if isinstance(old, float):
        return _float_change(old, new, threshold, where)
    return [] if old == new else [f"{where}: {old!r} became {new!r}"]


def _float_change(old, new, threshold, where):
    error = harness.rel_error(old, new)
    return [f"{where}: moved by {error:.1e} (more than {threshold:.0e})"] if error > threshold else []


def write_fixtures(directory=FIXTURES_DIR, manifest=None):
    """Write the fixture file of every task whose cases changed; remove those of tasks that have none.

    Returns a list of :class:`FixtureWrite`, one per file considered.
    """
    manifest = manifest or load_manifest()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    functions = {task.id: task.function for task in manifest.tasks}
    results = []
    fresh = compute_fixtures(manifest)
    for task_id, cases in fresh.items():
        path = fixture_files.fixture_path(task_id, directory)
        text = fixture_files.dumps(task_id, functions[task_id], cases)
        if not path.exists():
            path.write_text(text, encoding="utf-8")
            results.append(FixtureWrite(path, "new"))
            continue
        reasons = _reasons_to_rewrite(path, task_id, functions[task_id], cases, task_tolerance(manifest, task_id))
        if reasons:
            path.write_text(text, encoding="utf-8")
        results.append(FixtureWrite(path, "rewritten" if reasons else "unchanged", tuple(reasons[:MAX_REASONS])))
    for path in sorted(directory.iterdir()):
        if FIXTURE_NAME.fullmatch(path.name) and path.name[: -len(".json")] not in fresh:
            path.unlink()
            results.append(FixtureWrite(path, "removed", ("no task with stored expected values has this ID",)))
    return results


def _reasons_to_rewrite(path, task_id, function, cases, tolerance):
    try:
        stored_function, stored = fixture_files.read_fixture_file(path, task_id)
    except fixture_files.FixtureError as error:
        return [str(error)]
    if stored_function != function:
        return [f"function {stored_function} became {function}"]
    return fixture_changes(stored, cases, tolerance)
