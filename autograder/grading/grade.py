"""``course grade``: grade submissions on fresh random inputs, task by task, with partial credit.

For every task of the chosen assignments the grader draws inputs from a fresh
seed (recorded in the report) on several shapes (N = 1, T = 1, D != H among
them), computes the expected outputs with the reference *in this process*, and
runs the student's code on the same inputs in the sandbox
(:mod:`autograder.grading.sandbox`). Backward tasks run the student's own forward pass
for the cache, so cache formats are the student's choice; they are also checked
numerically against the student's own forward.

Nothing that earns points is computed in the student's process: the child
returns arrays (outputs, the arguments after the call, the losses of the
gradient check at points this process chose), and this process checks values,
in-place changes, properties and gradients (:mod:`autograder.runtime.gradient_check`).
The losses are asked only after the calls' results are read into the grader (of the
same child, which waits for them, or of a new one): the code that runs when the
directions are known can no longer change the gradients it returned. They are asked
along directions that move every input at once; only a case whose gradients disagree
then gets a third round, along one input at a time, to name the gradient that is wrong
(:mod:`autograder.runtime.gradient_check`).
Each (check, shape) pair is one :class:`~autograder.grading.checks.Check` holding
Problems (message codes and fields, rendered by :mod:`autograder.grading.reports`);
a task scores its points times the weighted share of shapes whose every check passed
(edge-case shapes weigh little: :func:`autograder.grading.checks.shape_weight`). An exception while
checking one case fails that check ("grade.internal_error", traceback on stderr);
an exception while grading one submission fails that submission ("grade.failed")
and no other. A failing task gets the manifest's hint, after the hint of the one catalogued
mistake (:mod:`autograder.grading.mistakes`) whose mutant reproduces the student's
outputs on every shape, when that diagnosis is unambiguous (:mod:`.diagnosis`).
Written answers (``assignments/<package>/answers.md``) are read from
the intake's copy and reported as pending (:mod:`autograder.grading.written_answers`):
graded by hand, never scored here.
"""

import secrets
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np

from ..runtime import gradient_check, harness
from ..runtime.manifest import load_manifest
from ..runtime.messages import t, task_text
from ..runtime.problems import problem
from . import dependency_regrade, diagnosis, isolation, mistakes, written_answers
from .checks import Check, SubmissionReport, TaskResult  # noqa: F401  (part of this module's API)
from .sandbox import Limits, Timeouts, run_requests
from .submission import STUDENT_PACKAGE, SubmissionError, batch_ids, open_submission, student_name  # noqa: F401

# One edge case (N = 1, T = 1, H = 2: weight checks.EDGE_WEIGHT) and three general shapes (weight 1 each), on
# which reversed time, a missing batch sum, a loss averaged over N*T or transposed square weights all show.
GRADER_DIMS = ({"N": 1, "T": 1, "D": 3, "H": 2}, {"N": 3, "T": 4, "D": 5, "H": 4}, {"N": 2, "T": 6, "D": 2, "H": 3},
               {"N": 4, "T": 5, "D": 3, "H": 6})

def grader_dims(spec):
    """The shapes the graders draw inputs on: the spec's own grader_dims, else GRADER_DIMS (never the public ones)."""
    return spec.grader_dims or GRADER_DIMS


@dataclass
class Case:
    """One (task, shape): its arguments, and which requests (and gradient-check probes) belong to it."""
    task: object
    spec: object
    dims: dict
    args: dict
    call: int  # index of its "call" request
    seed: int
    probes: list = None  # gradient_check.Probe (backward tasks), chosen here, never by the student's process
    naming: list = None  # the per-input probes, asked only when ``probes`` disagree (they name the gradient)


def build_requests(tasks, seed):
    """Fresh inputs for every (task, shape); returns ("call" requests for the sandbox, [Case])."""
    specs = harness.all_specs()
    requests, cases = [], []
    for task in tasks:
        spec = specs[task.id]
        for k, dims in enumerate(grader_dims(spec)):
            ids = [seed, *map(int, task.id.split(".")), k]
            args = spec.inputs(np.random.default_rng(ids), **dims)
            case = Case(task, spec, dims, args, call=len(requests), seed=seed)
            requests.append({"kind": "call", "task_id": task.id, "args": args})
            if spec.grad_checks is not None:
                rng = np.random.default_rng([*ids, 1])
                case.probes = gradient_check.joint_probes(spec, args, rng)
                case.naming = gradient_check.probes(spec, args, rng)
            cases.append(case)
    return requests, cases


def loss_request(case, found=None):
    """The "loss" request of a backward case: its gradient-check loss at the points this process chose
    (along ``found``, default: the case's joint probes)."""
    return {"kind": "loss", "task_id": case.task.id, "args": case.args,
            "points": gradient_check.loss_points(case.args, case.probes if found is None else found)}


def joint_disagrees(case, call, loss, tolerance):
    """True when the case's joint probes disagree with its gradients: the per-input losses are asked next."""
    return loss is not None and loss.status == "ok" and gradient_check.needs_naming(
        gradient_check.gradient_problems_from_losses(case.spec, case.args, call.outputs, case.probes, loss.losses,
                                                     tolerance))


def run_cases(root, requests, cases, limits, timeouts=None, answers=None, tolerance=None):
    """Run the calls, then the losses of the backward cases whose call succeeded, then the per-input losses of
    those whose gradients disagree with them.

    Each round is asked only once the outcomes before it are read into this process, of the same child (it waits
    for them: :mod:`.sandbox_control`) or, if it died, of a new one.
    timeouts: the submission's :class:`Timeouts` (its first timeout shortens the wall limit of every later step,
    the regrade's too); None: a new one. answers: the dependency answers of a regrade (None: none).
    tolerance: the gradient check's (course.yml ``tolerances.gradcheck``) that decides the third round.
    Returns (call outcomes, one per request; {case index: loss outcome}; {case index: per-input loss outcome}).
    """
    backward, naming, rounds = [], [], []
    tolerance = harness.course_manifest().tolerances["gradcheck"] if tolerance is None else tolerance

    def more(outcomes):
        rounds.append(len(outcomes))
        if len(rounds) == 1:
            backward.extend(i for i, case in enumerate(cases) if case.probes is not None
                            and outcomes[case.call].status == "ok")
            return [loss_request(cases[i]) for i in backward]
        if len(rounds) == 2:
            losses = dict(zip(backward, outcomes[len(requests):]))
            naming.extend(i for i in backward if joint_disagrees(cases[i], outcomes[cases[i].call], losses[i],
                                                               tolerance))
            return [loss_request(cases[i], cases[i].naming) for i in naming]
        return []

    outcomes = run_requests(root, requests, limits, STUDENT_PACKAGE, timeouts or Timeouts(limits), answers=answers,
                            then=more)
    first, second = len(requests), len(requests) + len(backward)
    return (outcomes[:first], dict(zip(backward, outcomes[first:second])), dict(zip(naming, outcomes[second:])))


def _guarded(kind, dims, compute, what):
    """Check(kind, dims, compute()); an exception in the grader fails this check only (traceback on stderr)."""
    try:
        return Check(kind, dims, list(compute()))
    except Exception:  # noqa: BLE001 - a bad output must not stop the batch
        print(f"grader: internal error while checking {what}:\n{traceback.format_exc()}", file=sys.stderr)
        return Check(kind, dims, [problem("grade.internal_error")])


def _max_error(spec, outputs, expected):
    errors = []
    for name, value in expected.items():
        got = harness.as_array(outputs.get(name))
        if name in spec.integer_outputs or not harness.is_numeric(got) or got.shape != np.shape(value) \
                or not np.all(np.isfinite(got)):
            continue
        errors.append(harness.rel_error(got, value))
    return max(errors, default=0.0)


def _expected(case, reference, cache):
    """The reference's outputs on the case's inputs: computed once per (seed, task, shape) of a batch."""
    key = ("expected", case.task.id, case.seed, tuple(sorted(case.dims.items())), case.call)
    if cache is None or key not in cache:
        expected, _ = harness.run_case(case.spec, reference, case.args)
        if cache is None:
            return expected
        cache[key] = expected
    return cache[key]


def _value_problems(case, call, reference, tolerances, result, cache=None):
    """Problems of the values (or properties) check of one case; records the max error."""
    if call.status != "ok":
        return call.problems
    spec, args = case.spec, case.args
    mutated = harness.mutation_problems(args, call.args_after)
    if spec.properties is not None:
        return mutated + spec.properties(args, call.outputs)
    expected = _expected(case, reference, cache)
    tolerance = tolerances["value" if spec.kind == "forward" else "gradient"]
    problems = mutated + harness.check_outputs(spec, call.outputs, expected, tolerance)
    result.max_error = max(result.max_error, _max_error(spec, call.outputs, expected))
    return problems


def _gradient_problems(case, call, loss, tolerance, naming=None):
    """Problems of the numerical gradient check of one case, computed here from the child's arrays (naming: the
    outcome of its per-input losses, asked when the joint ones disagree; None when not asked)."""
    if call.status != "ok":
        return call.problems
    if loss is None:
        raise RuntimeError(f"no loss outcome for Task {case.task.id} {case.dims}")
    if loss.status != "ok":
        return loss.problems
    found = gradient_check.gradient_problems_from_losses(case.spec, case.args, call.outputs, case.probes,
                                                         loss.losses, tolerance)
    if naming is None or not gradient_check.needs_naming(found):
        return found
    if naming.status != "ok":
        return found + naming.problems
    return gradient_check.named(found, gradient_check.gradient_problems_from_losses(
        case.spec, case.args, call.outputs, case.naming, naming.losses, tolerance))


def grade_case(case, call, loss, reference, tolerances, result, cache=None, naming=None):
    """Append the checks of one case (values or properties, and gradient for backward tasks) to ``result``.

    call, loss, naming: the Outcomes of its requests (loss None when not asked, naming None unless the joint
    probes disagreed); cache: a batch's dict of expected values (None: computed here)."""
    what = f"Task {case.task.id} {case.dims}"
    kind = "properties" if case.spec.properties is not None else "values"
    result.checks.append(_guarded(kind, case.dims, lambda: _value_problems(case, call, reference, tolerances,
                                                                           result, cache), what))
    if case.spec.grad_checks is not None:
        result.checks.append(_guarded("gradient", case.dims, lambda: _gradient_problems(
            case, call, loss, tolerances["gradcheck"], naming), what + " (gradient)"))


def _task_hint(task):
    return problem("task.hint", task_id=task.id, texts=task.texts["hint"])


def _selected(manifest, assignment_ids, task_ids=None):
    """The tasks graded: those of ``assignment_ids`` (default: all), only ``task_ids`` among them if given."""
    return [task for a in manifest.assignments if not assignment_ids or a.id in assignment_ids for task in a.tasks
            if task_ids is None or task.id in task_ids]


def diagnose_failures(tasks, cases, calls, results, reference, cache=None):
    """Hints of every failed task: the one catalogued mistake its outputs reveal, if unambiguous (see diagnosis.py),
    then the task's own hint. cache: the batch's dict (the reference's and the mutants' runs are kept there)."""
    passed = {task.id for task in tasks if results[task.id].passed}
    observed = {}
    for case in cases:
        call = calls[case.call]
        seen = diagnosis.observation(case.args, call.outputs, call.args_after) if call.status == "ok" \
            else diagnosis.Observation(case.args)
        observed.setdefault(case.task.id, (case.spec, []))[1].append(seen)
    for task in tasks:
        result = results[task.id]
        if result.passed:
            continue
        try:
            spec, observations = observed[task.id]
            result.mistakes = diagnosis.diagnose(task.id, spec, observations, passed, reference, runs=cache)
        except Exception:  # noqa: BLE001 - diagnosis is advice; it never costs points
            print(f"grader: diagnosis of Task {task.id} failed:\n{traceback.format_exc()}", file=sys.stderr)
        result.hints = [problem(f"mistake.{mistake.id}") for mistake in result.mistakes] + [_task_hint(task)]


def _selected_assignments(manifest, assignment_ids):
    return [a for a in manifest.assignments if not assignment_ids or a.id in assignment_ids]


def grade_submission(path, manifest=None, assignment_ids=None, seed=None, limits=Limits(), cache=None,
                     task_ids=None):
    """Grade one submission (directory or zip); returns a SubmissionReport.

    task_ids: grade only these tasks (of ``assignment_ids``), e.g. ``course check`` grading a mutant's own task.

    cache: a dict shared by the submissions of a batch (:func:`grade_many`): the inputs and the expected values
    are computed once per seed, task and shape (never written by anything the student's code returns)."""
    manifest = manifest or load_manifest()
    seed = secrets.randbits(32) if seed is None else int(seed)
    tasks = _selected(manifest, assignment_ids, task_ids)
    if cache is None:
        requests, cases = build_requests(tasks, seed)
    else:
        key = ("requests", seed, tuple(task.id for task in tasks))
        if key not in cache:
            cache[key] = build_requests(tasks, seed)
        requests, cases = cache[key]
    reference = harness.make_loader("solutions")
    sandbox = isolation.select(limits).backend  # refuses (SandboxUnavailable) before any student code runs
    with open_submission(path) as intake:
        timeouts = Timeouts(limits)
        calls, losses, naming = run_cases(intake.package_dir.parent, requests, cases, limits, timeouts,
                                          tolerance=manifest.tolerances["gradcheck"])
        written = written_answers.collect(intake.package_dir, _selected_assignments(manifest, assignment_ids))
        results = {task.id: TaskResult(task.id, task.function, task_text(task, "title"),
                                       task.assignment_id, task.points) for task in tasks}
        for i, case in enumerate(cases):
            grade_case(case, calls[case.call], losses.get(i), reference, manifest.tolerances, results[case.task.id],
                       cache, naming.get(i))
        # a bug costs the task that holds it: failing tasks run again with their upstream tasks answered
        dependency_regrade.regrade_dependents(intake.package_dir.parent, tasks, cases, results, limits, reference,
                                              manifest.tolerances, timeouts)
    diagnose_failures(tasks, cases, calls, results, reference, cache)
    return SubmissionReport(intake.student, str(path), seed, [results[task.id] for task in tasks],
                            graded=intake.graded, notes=list(intake.notes), sandbox=sandbox, written=written)


def zero_report(path, manifest, assignment_ids, found, notes=(), task_ids=None):
    """A zero report whose every task fails one "submission" check with ``found``: a batch never stops on it."""
    tasks = [TaskResult(task.id, task.function, task_text(task, "title"), task.assignment_id,
                        task.points, checks=[Check("submission", {}, [found])])
             for task in _selected(manifest, assignment_ids, task_ids)]
    return SubmissionReport(student_name(path), str(path), -1, tasks, notes=list(notes),
                            written=written_answers.not_read(_selected_assignments(manifest, assignment_ids)))


def unreadable_report(path, manifest, assignment_ids, error, task_ids=None):
    """The zero report of a submission that could not be opened (error: a SubmissionError)."""
    return zero_report(path, manifest, assignment_ids, problem("grade.unreadable", error=error.problem.to_dict()),
                       notes=error.notes, task_ids=task_ids)


def grade_many(paths, manifest=None, assignment_ids=None, seed=None, jobs=1, limits=Limits(), progress=None,
               task_ids=None):
    """Grade submissions in parallel; one bad submission yields a zero report, never a failed batch.

    All submissions of the batch are graded on the inputs of one seed (``seed``, else one fresh seed for the
    batch, recorded in every report), so the reference's expected values are computed once per task and shape."""
    manifest = manifest or load_manifest()
    seed = secrets.randbits(32) if seed is None else int(seed)
    cache = {}
    isolation.select(limits)  # an unusable sandbox stops the batch here, not once per submission
    for mistake in mistakes.CATALOGUE:  # build the mutants once, before the threads need them
        mistakes.mutant_package(mistake)

    def one(path):
        try:
            return grade_submission(path, manifest, assignment_ids, seed, limits, cache, task_ids)
        except SubmissionError as error:
            return unreadable_report(path, manifest, assignment_ids, error, task_ids)
        except Exception:  # noqa: BLE001 - the others are graded all the same; the instructor gets the traceback
            print(f"grader: grading {path} failed:\n{traceback.format_exc()}", file=sys.stderr)
            return zero_report(path, manifest, assignment_ids, problem("grade.failed"), task_ids=task_ids)

    reports = [None] * len(paths)
    ids = batch_ids(paths)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(one, path): i for i, path in enumerate(paths)}
        for done, future in enumerate(as_completed(futures), start=1):
            reports[futures[future]] = future.result()
            reports[futures[future]].id = ids[futures[future]]
            if progress:
                progress(done, len(paths), reports[futures[future]])
    return reports
