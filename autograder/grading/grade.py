"""``course grade``: grade submissions on fresh random inputs, task by task, with partial credit.

For every task of the chosen assignments the grader draws inputs from a fresh
seed (recorded in the report) on several shapes (N = 1, T = 1, D != H among
them), computes the expected outputs with the reference *in this process*, and
runs the student's code on the same inputs in the sandbox
(:mod:`autograder.grading.sandbox`). Backward tasks run the student's own forward pass
for the cache, so cache formats are the student's choice; they are also checked
numerically against the student's own forward.

Each (check, shape) pair is one check; a task scores its points times the share
of checks passed. A failing task gets the manifest's hint, and the hint of every
catalogued mistake (:mod:`autograder.grading.mistakes`) whose mutant reproduces the
student's outputs.
"""

import secrets
import shutil
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..runtime import harness
from ..runtime.messages import t, task_text

from . import isolation, mistakes
from ..runtime.manifest import load_manifest
from .sandbox import Limits, run_requests

GRADER_DIMS = ({"N": 1, "T": 1, "D": 3, "H": 2}, {"N": 3, "T": 4, "D": 5, "H": 4}, {"N": 2, "T": 6, "D": 2, "H": 3})
STUDENT_PACKAGE = "assignments"


class SubmissionError(ValueError):
    """A submission cannot be graded at all (not found, no assignments/ package, bad zip)."""


@dataclass
class TaskResult:
    task_id: str
    function: str
    title: str
    assignment_id: str
    max_points: float
    checks: list = field(default_factory=list)  # [(name, passed, detail)]
    max_error: float = 0.0
    hints: list = field(default_factory=list)
    mistakes: list = field(default_factory=list)

    @property
    def passed(self):
        return bool(self.checks) and all(ok for _, ok, _ in self.checks)

    @property
    def points(self):
        if not self.checks:
            return 0.0
        return round(self.max_points * sum(ok for _, ok, _ in self.checks) / len(self.checks), 4)

    @property
    def messages(self):
        seen, out = set(), []
        for _, ok, detail in self.checks:
            if not ok and detail not in seen:
                seen.add(detail)
                out.append(detail)
        return out


@dataclass
class SubmissionReport:
    student: str
    source: str
    seed: int
    tasks: list
    sandbox: str = ""  # the isolation backend the student code ran under ("" if it never ran)

    @property
    def points(self):
        return round(sum(task.points for task in self.tasks), 4)

    @property
    def max_points(self):
        return sum(task.max_points for task in self.tasks)

    def by_assignment(self):
        totals = {}
        for task in self.tasks:
            got, top = totals.get(task.assignment_id, (0.0, 0.0))
            totals[task.assignment_id] = (got + task.points, top + task.max_points)
        return totals


@contextmanager
def open_submission(path):
    """Yield (student name, directory holding the ``assignments`` package) for a directory or a zip."""
    path = Path(path)
    if not path.exists():
        raise SubmissionError(t("grade.not_found", path=path))
    tmp = None
    try:
        if path.is_file():
            if not zipfile.is_zipfile(path):
                raise SubmissionError(t("grade.not_zip", path=path))
            tmp = Path(tempfile.mkdtemp(prefix="rnn-submission-"))
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    target = (tmp / member).resolve()
                    if not str(target).startswith(str(tmp.resolve())):
                        raise SubmissionError(t("grade.unsafe_zip", path=path, member=member))
                archive.extractall(tmp)
            root = tmp
        else:
            root = path
        candidates = sorted(p.parent for p in root.rglob(f"{STUDENT_PACKAGE}/__init__.py")
                            if len(p.relative_to(root).parts) <= 4)
        if not candidates:
            raise SubmissionError(t("grade.no_package", path=path, package=STUDENT_PACKAGE))
        yield path.stem if path.is_file() else path.name, candidates[0].parent
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _dims_for(spec):
    return GRADER_DIMS if spec.dims is harness.PUBLIC_DIMS else spec.dims


def build_requests(tasks, seed, gradcheck_tolerance):
    """Fresh inputs for every (task, shape); returns (requests, [(task, spec, k)])."""
    specs = harness.all_specs()
    requests, index = [], []
    for task in tasks:
        spec = specs[task.id]
        for k, dims in enumerate(_dims_for(spec)):
            rng = np.random.default_rng([seed, *map(int, task.id.split(".")), k])
            args = spec.inputs(rng, **dims)
            check = gradcheck_tolerance if spec.grad_checks is not None else None
            requests.append({"task_id": task.id, "args": args, "gradcheck": check})
            index.append((task, spec, k, dims))
    return requests, index


def _error_text(outcome, task_id):
    error = outcome.error or {}
    kind, message = error.get("type", "Error"), error.get("message", "")
    if kind == "Crash":
        return message
    if kind == "NotImplementedError":
        other = harness.NOT_IMPLEMENTED.search(message)
        if other and other.group(1) != task_id:
            return t("grade.uses_unimplemented", other=other.group(1), function=other.group(2))
        return t("grade.not_implemented", message=message or "NotImplementedError")
    if kind == "SystemExit":
        return t("grade.sys_exit", code=message)
    where = "; ".join(error.get("where", []))
    if where:
        return t("grade.exception_at", kind=kind, message=message, where=where)
    return t("grade.exception", kind=kind, message=message)


def _diagnose(spec, args, student_outputs, student_problems, expected):
    """Catalogued mistakes whose mutant reproduces the student's outputs (and argument mutations) here."""
    found = []
    for mistake in mistakes.CATALOGUE:
        try:
            load = harness.make_loader(mistakes.mutant_package(mistake))
            mutant_outputs, mutant_problems = harness.run_case(spec, load, args)
        except Exception:  # noqa: BLE001 - a mutant that cannot run this task does not explain it
            continue
        changes_outputs = bool(harness.check_outputs(spec, mutant_outputs, expected, 1e-9))
        if not changes_outputs and not mutant_problems:
            continue  # this mutant does not affect this task
        same_outputs = set(mutant_outputs) <= set(student_outputs) and not harness.check_outputs(
            spec, student_outputs, mutant_outputs, 1e-6)
        if same_outputs and set(mutant_problems) <= set(student_problems):
            found.append(mistake)
    return found


def grade_submission(path, manifest=None, assignment_ids=None, seed=None, limits=Limits()):
    """Grade one submission (directory or zip); returns a SubmissionReport."""
    manifest = manifest or load_manifest()
    seed = secrets.randbits(32) if seed is None else int(seed)
    tasks = [task for a in manifest.assignments if not assignment_ids or a.id in assignment_ids for task in a.tasks]
    tolerances = manifest.tolerances
    requests, index = build_requests(tasks, seed, tolerances["gradcheck"])
    reference = harness.make_loader("solutions")
    sandbox = isolation.select(limits).backend  # refuses (SandboxUnavailable) before any student code runs
    with open_submission(path) as (student, root):
        outcomes = run_requests(root, requests, limits, STUDENT_PACKAGE)
    results = {task.id: TaskResult(task.id, task.function, task_text(task.id, "title", task.title),
                                   task.assignment_id, task.points) for task in tasks}
    for (task, spec, k, dims), request, outcome in zip(index, requests, outcomes):
        result = results[task.id]
        shape = ", ".join(f"{key}={value}" for key, value in dims.items())
        label = t("grade.check_properties" if spec.properties is not None else "grade.check_values", shape=shape)
        gradient_label = t("grade.check_gradient", shape=shape)
        if outcome.status != "ok":
            text = _error_text(outcome, task.id)
            result.checks.append((label, False, text))
            if spec.grad_checks is not None:
                result.checks.append((gradient_label, False, text))
            continue
        expected = None
        problems = list(outcome.problems)
        if spec.properties is not None:
            problems += spec.properties(request["args"], outcome.outputs)
        else:
            expected, _ = harness.run_case(spec, reference, request["args"])
            tolerance = tolerances["value" if spec.kind == "forward" else "gradient"]
            problems += harness.check_outputs(spec, outcome.outputs, expected, tolerance)
            result.max_error = max(result.max_error, _max_error(spec, outcome.outputs, expected))
        result.checks.append((label, not problems, "; ".join(problems)))
        if spec.grad_checks is not None:
            grad_problems = outcome.gradient_problems
            result.checks.append((gradient_label, not grad_problems, "; ".join(grad_problems)))
        if problems and not result.mistakes and spec.properties is None:
            result.mistakes = _diagnose(spec, request["args"], outcome.outputs, outcome.problems, expected)
    for task in tasks:
        result = results[task.id]
        if not result.passed:
            result.hints = [mistake.hint for mistake in result.mistakes] + [task_text(task.id, "hint", task.hint)]
    return SubmissionReport(student, str(path), seed, [results[task.id] for task in tasks], sandbox)


def _max_error(spec, outputs, expected):
    errors = [harness.rel_error(outputs[name], value) for name, value in expected.items()
              if name in outputs and np.shape(outputs[name]) == np.shape(value) and name not in spec.integer_outputs]
    return max(errors, default=0.0)


def unreadable_report(path, manifest, assignment_ids, error):
    """A zero report for a submission that could not be opened, so a batch never stops on it."""
    text = t("grade.unreadable", error=error)
    tasks = [TaskResult(task.id, task.function, task_text(task.id, "title", task.title), task.assignment_id,
                        task.points, checks=[(t("report.submission"), False, text)])
             for a in manifest.assignments if not assignment_ids or a.id in assignment_ids for task in a.tasks]
    return SubmissionReport(Path(path).stem, str(path), -1, tasks)


def grade_many(paths, manifest=None, assignment_ids=None, seed=None, jobs=1, limits=Limits(), progress=None):
    """Grade submissions in parallel; one bad submission yields a zero report, never a failed batch."""
    manifest = manifest or load_manifest()
    isolation.select(limits)  # an unusable sandbox stops the batch here, not once per submission
    for mistake in mistakes.CATALOGUE:  # build the mutants once, before the threads need them
        mistakes.mutant_package(mistake)

    def one(path):
        try:
            return grade_submission(path, manifest, assignment_ids, seed, limits)
        except SubmissionError as error:
            return unreadable_report(path, manifest, assignment_ids, error)

    reports = [None] * len(paths)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(one, path): i for i, path in enumerate(paths)}
        for done, future in enumerate(as_completed(futures), start=1):
            reports[futures[future]] = future.result()
            if progress:
                progress(done, len(paths), reports[futures[future]])
    return reports
