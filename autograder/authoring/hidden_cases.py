"""The hidden cases of the student repository's own CI: precomputed inputs, expected outputs, mutant fingerprints.

The workflow of the student repository is feedback only (the runner belongs to the student,
nothing on it is secret), so it gets no solution code: for every task it gets a pool of
inputs on the graders' shapes drawn from ``seeds.hidden`` of course.yml (distinct from the
public fixtures' seed), the reference's outputs on them (none for property-checked tasks,
whose properties are checked instead), and, for hints, the fingerprint
(:mod:`autograder.runtime.fingerprint`) of each catalogued mistake's outputs on the task's
cases when that mistake changes them. The mutants' outputs themselves are not shipped.

Files (written by ``course release`` into ``.github/feedback/``)::

    fixtures/<task id>.json   format of autograder/runtime/fixture_files.py
    fingerprints.json         {"format": FINGERPRINT_FORMAT, "tasks": {task id: {sha256: [mistake id, ...]}}}
    dependencies.json         {task id: [the tasks whose student code its cases run, besides its own]}

The runner holds no reference to answer a task's calls to other tasks, so a bug in one task also fails the
tasks that run its code (through ``uses``, or an ``OutputOf`` input or gradient-check loss); dependencies.json
lets a failing test say which of those fail too (the graders of record answer them: a bug costs its own task).
"""

import json

import numpy as np

from ..grading import mistakes
from ..grading.dependency_answers import harness_calls, upstream
from ..grading.grade import grader_dims
from ..runtime import fixture_files, harness
from ..runtime.fingerprint import outputs_fingerprint
from ..runtime.manifest import load_manifest

CASES_PER_SHAPE = 2
FINGERPRINT_FORMAT = "rnn-course-fingerprints/1"


def hidden_seed(manifest):
    """``seeds.hidden`` of course.yml; a clear error when missing or equal to the public fixtures' seed."""
    seed = manifest.seeds.get("hidden")
    if type(seed) is not int:
        raise ValueError(f"{manifest.path}: seeds.hidden must be an integer (the hidden cases' seed)")
    if seed == manifest.seeds.get("public_fixtures"):
        raise ValueError(f"{manifest.path}: seeds.hidden must differ from seeds.public_fixtures")
    return seed


def compute_hidden_cases(manifest=None):
    """{task id: [{"dims", "inputs", "expected"}]}: CASES_PER_SHAPE cases per grader shape of every task.

    ``expected`` holds the reference's flat outputs; it is {} for property-checked tasks.
    """
    manifest = manifest or load_manifest()
    seed = hidden_seed(manifest)
    specs = harness.all_specs()
    reference = harness.make_loader("solutions")
    cases = {}
    for task in manifest.tasks:
        spec = specs[task.id]
        task_cases = []
        for k, dims in enumerate(grader_dims(spec)):
            for j in range(CASES_PER_SHAPE):
                rng = np.random.default_rng([seed, *map(int, task.id.split(".")), k, j])
                inputs = spec.inputs(rng, **dims)
                expected = {}
                if spec.properties is None:
                    expected, problems = harness.run_case(spec, reference, inputs)
                    if problems:
                        raise RuntimeError(f"reference of Task {task.id} fails its own harness: {problems}")
                task_cases.append({"dims": dict(dims), "inputs": inputs, "expected": expected})
        cases[task.id] = task_cases
    return cases


def _mutant_outputs(spec, mistake, task_cases):
    """The mutant's outputs on every case, or None when it cannot run them or does not change them."""
    load = harness.make_loader(mistakes.mutant_package(mistake))
    outputs, changed = [], False
    for case in task_cases:
        try:
            got, _ = harness.run_case(spec, load, case["inputs"])
        except Exception:  # noqa: BLE001 - a mutant that cannot run a case gives no fingerprint
            return None
        changed = changed or bool(harness.check_outputs(spec, got, case["expected"], 1e-9))
        outputs.append(got)
    return outputs if changed else None


def compute_fingerprints(cases, manifest=None):
    """{task id: {fingerprint: [mistake ids]}} of the mistakes that change a value-checked task's outputs."""
    manifest = manifest or load_manifest()
    specs = harness.all_specs()
    found = {}
    for task in manifest.tasks:
        spec = specs[task.id]
        if spec.properties is not None:
            continue
        reference_print = outputs_fingerprint([case["expected"] for case in cases[task.id]])
        for mistake in mistakes.CATALOGUE:
            outputs = _mutant_outputs(spec, mistake, cases[task.id])
            fingerprint = outputs and outputs_fingerprint(outputs)
            if fingerprint and fingerprint != reference_print:
                found.setdefault(task.id, {}).setdefault(fingerprint, []).append(mistake.id)
    # a hint names a mistake of the task itself (grading/diagnosis.py): a fingerprint whose only mistake lives in
    # another task's function is dropped (two or more mistakes stay listed: ambiguous, the suite names none)
    task_of = {mistake.id: mistake.task_id for mistake in mistakes.CATALOGUE}
    return {task_id: kept for task_id, prints in found.items()
            if (kept := {fingerprint: ids for fingerprint, ids in prints.items()
                         if len(ids) > 1 or task_of[ids[0]] == task_id})}


def task_dependencies(manifest):
    """{task id: sorted ids of the other tasks whose code its cases run}: what the harness calls for the task's
    call and its gradient-check loss (recorded on the reference), and everything upstream of those."""
    found = {}
    for task in manifest.tasks:
        calls, losses = harness_calls(task.id)
        direct = (calls | losses | set(task.uses)) - {task.id}
        found[task.id] = sorted((direct | upstream(direct)) - {task.id},
                                key=lambda other: tuple(map(int, other.split("."))))
    return found


def hidden_files(manifest=None):
    """{relative path under .github/feedback/: text} of the fixtures and fingerprints."""
    manifest = manifest or load_manifest()
    cases = compute_hidden_cases(manifest)
    files = {f"fixtures/{task.id}.json": fixture_files.dumps(task.id, task.function, cases[task.id])
             for task in manifest.tasks}
    files["fingerprints.json"] = json.dumps({"format": FINGERPRINT_FORMAT,
                                             "tasks": compute_fingerprints(cases, manifest)},
                                            indent=1, sort_keys=True) + "\n"
    files["dependencies.json"] = json.dumps(task_dependencies(manifest), indent=1, sort_keys=True) + "\n"
    return files
