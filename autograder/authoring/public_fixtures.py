"""``course fixtures``: write the expected values of the public tests from the reference.

For every task spec with expected values (not the property-checked ones), the
inputs of the public seed are built for each public shape, the reference
solution is run on them, and inputs and outputs are stored in
``tests/public/fixtures/<assignment>.pkl``. Nothing is typed by hand; a test
regenerates the fixtures in memory and fails when the stored ones are stale.
"""

import pickle
from pathlib import Path

import numpy as np

from ..runtime import harness
from ..runtime.manifest import REPO_ROOT, load_manifest

FIXTURES_DIR = REPO_ROOT / "tests" / "public" / "fixtures"


def compute_fixtures(manifest=None):
    """Return {assignment_id: {task_id: [{"dims", "inputs", "expected"}, ...]}}."""
    manifest = manifest or load_manifest()
    specs = harness.all_specs()
    load = harness.make_loader("solutions")
    seed = manifest.seeds["public_fixtures"]
    fixtures = {}
    for assignment in manifest.assignments:
        per_task = {}
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
            per_task[task.id] = cases
        fixtures[assignment.id] = per_task
    return fixtures


def write_fixtures(directory=FIXTURES_DIR, manifest=None):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for assignment_id, per_task in compute_fixtures(manifest).items():
        path = directory / f"{assignment_id}.pkl"
        with path.open("wb") as handle:
            pickle.dump(per_task, handle, protocol=4)
        written.append(path)
    return written
