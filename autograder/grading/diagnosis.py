"""Which catalogued mistake a failing task reveals, named only when the diagnosis is unambiguous.

The grader observes, on every graded shape of a task, what the student's call
returned (flat outputs) and which arguments it modified. A catalogued mistake
(:mod:`.mistake_catalogue`) *matches* when its mutant, run in this process on the
same inputs, changes the task (differs from the reference on some shape) and
reproduces the student's observations on **every** shape: the same outputs
(names, shapes, kinds, values to 1e-6) and the same modified arguments.

A mistake hint is shown only when exactly one mistake matches and it is a mistake
of the task itself (the hint describes that task's function); two mutants with
the same outputs, a match on only some shapes, or a sole match that lives in
another task's function: no mistake hint, the task's generic hint only.

Mutants of other tasks count as explanations (and so make a diagnosis ambiguous)
unless the student passed that other task: each mutant fails its own task
(``course check`` proves it), so a mutant of a task the student got right cannot
be what the student wrote.

Diagnosis is advice: it never changes points. To stay cheap when many submissions are
graded in one process, the first diagnosis of a task records which mutants change that
task at all (on the inputs it saw); later diagnoses of the task try only those. The
submissions of a batch share their inputs, so the runs of the reference and of each mutant
on one case are kept in the batch's cache (``runs``) and made once per batch.
"""

import threading
from dataclasses import dataclass

import numpy as np

from ..runtime import harness
from . import mistakes

MATCH_TOLERANCE = 1e-6  # relative error under which the student's output counts as the mutant's
CHANGE_TOLERANCE = 1e-9  # relative error above which a mutant's output differs from the reference's


@dataclass
class Observation:
    """One graded shape of a task: its arguments and what the student's call did with them.

    - args: the case's arguments (not modified)
    - outputs: the flat outputs of the student's call ({name: array}), None when the call failed
    - mutated: the names of the arguments the call modified in place (a set)
    """
    args: dict
    outputs: dict = None
    mutated: frozenset = frozenset()


def _mutated_names(problems):
    return frozenset(found.fields.get("name") for found in problems if found.code == "argument.mutated")


def observation(args, outputs, args_after):
    """The Observation of a successful call: flat outputs and flat arguments after the call (from the sandbox)."""
    return Observation(args, outputs, _mutated_names(harness.mutation_problems(args, args_after)))


def _run(spec, load, args, runs=None):
    """(flat outputs, modified argument names) of an in-process run, or None when it raises.

    runs: None, or a batch's dict keeping each run by (package, task, the arguments' identity), with the
    arguments themselves (the batch keeps its cases alive, so an identity is never reused for other inputs)."""
    key = ("diagnosis", getattr(load, "package", None), spec.task_id, id(args))
    if runs is not None and key[1] is not None:
        kept = runs.get(key)
        if kept is not None and kept[0] is args:
            return kept[1]
    try:
        outputs, problems = harness.run_case(spec, load, args)
        run = outputs, _mutated_names(problems)
    except Exception:  # noqa: BLE001 - a mutant that cannot run a case explains nothing there
        run = None
    if runs is not None and key[1] is not None:
        runs[key] = (args, run)
    return run


def _same_array(a, b, tolerance):
    a, b = harness.as_array(a), harness.as_array(b)
    if a.shape != b.shape or not (harness.is_numeric(a) and harness.is_numeric(b)):
        return False
    if (a.dtype.kind == "f") != (b.dtype.kind == "f"):
        return False  # an integer output where the mutant returns reals (or the reverse)
    a, b = a.astype(np.float64), b.astype(np.float64)
    finite = np.isfinite(a) & np.isfinite(b)
    if not np.array_equal(np.isnan(a), np.isnan(b)) or not np.array_equal(a[~finite], b[~finite]):
        return False
    return harness.rel_error(a[finite], b[finite]) <= tolerance


def same_run(one, other, tolerance):
    """Two runs (flat outputs, modified names) agree: same output names and arrays, same modified arguments."""
    (outputs, mutated), (other_outputs, other_mutated) = one, other
    return (mutated == other_mutated and set(outputs) == set(other_outputs)
            and all(_same_array(outputs[name], other_outputs[name], tolerance) for name in outputs))


def matching_mistakes(spec, observations, candidates, reference_runs, runs=None):
    """The candidates whose mutant changes the task and reproduces every observation.

    Inputs:
    - spec: the task's TaskSpec
    - observations: [Observation], one per graded shape
    - candidates: the Mistakes to try
    - reference_runs: [(flat outputs, modified names)] of the reference, one per observation
    - runs: None, or the batch's dict of runs (see :func:`_run`)
    Returns: [Mistake], in catalogue order.
    """
    if not observations or any(seen.outputs is None for seen in observations):
        return []
    found = []
    for mistake in candidates:
        load = harness.make_loader(mistakes.mutant_package(mistake))
        changes, reproduces = False, True
        for seen, reference in zip(observations, reference_runs):
            run = _run(spec, load, seen.args, runs)
            if run is None or not same_run((seen.outputs, seen.mutated), run, MATCH_TOLERANCE):
                reproduces = False
                break
            changes = changes or not same_run(run, reference, CHANGE_TOLERANCE)
        if reproduces and changes:
            found.append(mistake)
    return found


_AFFECTING = {}  # (task id, catalogue ids) -> ids of the mutants that changed the task on the first inputs seen
_AFFECTING_LOCK = threading.Lock()


def affecting(task_id, spec, observations, references, catalogue, runs=None):
    """Ids of the catalogue's mistakes whose mutant changes this task (recorded on the first inputs seen here).

    A mutant that leaves a task's outputs unchanged on every graded shape of one draw of inputs does not
    touch that task's code path, so it is not tried again on that task in this process.
    """
    key = (task_id, tuple(mistake.id for mistake in catalogue))
    with _AFFECTING_LOCK:
        if key not in _AFFECTING:
            found = set()
            for mistake in catalogue:
                load = harness.make_loader(mistakes.mutant_package(mistake))
                for seen, reference in zip(observations, references):
                    run = _run(spec, load, seen.args, runs)
                    if run is None or not same_run(run, reference, CHANGE_TOLERANCE):
                        found.add(mistake.id)
                        break
            _AFFECTING[key] = frozenset(found)
        return _AFFECTING[key]


def candidates_for(task_id, passed_task_ids, catalogue=None):
    """The mistakes that may explain a failure of ``task_id``: all but those of other tasks the student passed."""
    catalogue = mistakes.CATALOGUE if catalogue is None else catalogue
    return [m for m in catalogue if m.task_id == task_id or m.task_id not in passed_task_ids]


def diagnose(task_id, spec, observations, passed_task_ids, reference_load, catalogue=None, runs=None):
    """The mistake to name for a failing task: [that Mistake] when unambiguous, else [].

    Inputs:
    - task_id, spec: the failing task and its TaskSpec
    - observations: [Observation] of every graded shape, in grading order
    - passed_task_ids: the IDs of the tasks this submission passed (their mutants are ruled out)
    - reference_load: the loader of the reference package
    - catalogue: the mistakes to consider (default: the whole catalogue)
    - runs: None, or the batch's dict of runs (the same inputs for every submission: see :func:`_run`)
    """
    if not observations or any(seen.outputs is None for seen in observations):
        return []
    references = [_run(spec, reference_load, seen.args, runs) for seen in observations]
    if any(run is None for run in references):
        return []
    catalogue = mistakes.CATALOGUE if catalogue is None else catalogue
    touching = affecting(task_id, spec, observations, references, catalogue, runs)
    candidates = [m for m in candidates_for(task_id, passed_task_ids, catalogue) if m.id in touching]
    found = matching_mistakes(spec, observations, candidates, references, runs)
    return found if len(found) == 1 and found[0].task_id == task_id else []
