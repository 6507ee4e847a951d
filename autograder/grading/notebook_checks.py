"""``check_tasks``: the graded cells of the nbgrader notebooks, with the hidden graders' machinery.

A graded (test) cell of a course notebook contains::

    from autograder.grading.notebook_checks import check_tasks
    check_tasks(["1.1", "1.2"])

(between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``, so that the
student version shows only a comment). ``check_tasks`` grades the student's
``assignments/`` package next to the notebook exactly as ``course grade`` does
(:func:`autograder.grading.grade.grade_submission`: fresh random inputs, the reference
computed in this process, the student's code in the sandbox, partial credit per
check, hints and catalogued mistakes), restricted to the given tasks, and turns
the result into what nbgrader scores (``nbgrader.utils.determine_grade``):

- every check passed: returns ``None`` and prints nothing (full points);
- no point earned: raises ``AssertionError`` listing each task's failed checks,
  hints and the seed (nbgrader gives 0 for a cell with an error);
- some points earned: prints the same report to stdout and returns the points
  earned as a plain ``float``. nbgrader reads a cell's ``execute_result`` as
  the *points* of the cell (not a fraction) when it can be cast to a float
  between 0 and the cell's points, so the cell's ``points`` must equal the sum
  of the tasks' points in ``course.yml`` (the notebook tests check this).

Nothing is ever written to stderr: nbgrader scores a cell 0 when it has any
stderr output, so warnings are silenced and stderr is captured while grading.
Only the standard library is imported at module level, so that importing this
module cannot warn either.
"""

import contextlib
import dataclasses
import io
import os
import warnings
from pathlib import Path

STUDENT_PACKAGE = "assignments"
ROOT_ENV = "RNN_COURSE_NOTEBOOK_ROOT"


class NotebookCheckError(RuntimeError):
    """The check itself cannot run (no ``assignments/`` package found, unknown task ID)."""


def find_submission_root(start=None):
    """The directory holding ``assignments/__init__.py``: ``start`` (default: $RNN_COURSE_NOTEBOOK_ROOT or the
    working directory, which is the notebook's folder under Jupyter and nbgrader) or one of its parents."""
    start = Path(start or os.environ.get(ROOT_ENV) or Path.cwd()).resolve()
    for directory in (start, *start.parents):
        if (directory / STUDENT_PACKAGE / "__init__.py").is_file():
            return directory
    raise NotebookCheckError(
        f"no '{STUDENT_PACKAGE}/' package found in {start} or its parents: keep the notebook next to the "
        f"'{STUDENT_PACKAGE}' folder of the assignment")


def restricted_manifest(manifest, task_ids):
    """A copy of ``manifest`` whose assignments hold only ``task_ids`` (in manifest order)."""
    known = {task.id for task in manifest.tasks}
    unknown = [task_id for task_id in task_ids if task_id not in known]
    if unknown:
        raise NotebookCheckError(f"unknown task ID(s) {', '.join(unknown)} (see course.yml)")
    wanted = set(task_ids)
    assignments = []
    for assignment in manifest.assignments:
        tasks = tuple(task for task in assignment.tasks if task.id in wanted)
        if tasks:
            assignments.append(dataclasses.replace(assignment, tasks=tasks))
    return dataclasses.replace(manifest, assignments=tuple(assignments))


def grade_tasks(task_ids, root=None, seed=None, limits=None):
    """Grade only ``task_ids`` of the submission at ``root``; returns (task results in the given order, seed).

    Warnings are silenced and anything written to stderr is swallowed.
    """
    task_ids = [str(task_id) for task_id in task_ids]
    if not task_ids:
        raise NotebookCheckError("check_tasks needs at least one task ID")
    root = find_submission_root(root)
    sink = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stderr(sink):
        warnings.simplefilter("ignore")
        import numpy as np

        from .grade import grade_submission
        from ..runtime.manifest import load_manifest
        from .sandbox import Limits

        with np.errstate(all="ignore"):
            manifest = restricted_manifest(load_manifest(), task_ids)
            report = grade_submission(root, manifest, seed=seed, limits=limits or Limits())
    by_id = {task.task_id: task for task in report.tasks}
    return [by_id[task_id] for task_id in task_ids], report.seed


def format_results(results, seed):
    """Plain-text report of the tasks that lost points: checks failed, hints, and the seed."""
    from ..runtime.messages import t
    from .reports import check_detail, check_label, task_hints

    lines = []
    for task in results:
        if task.passed:
            continue
        lines.append(t("notebook.task_line", task_id=task.task_id, function=task.function, title=task.title,
                       points=f"{task.points:g}", max_points=f"{task.max_points:g}"))
        failed = {}  # detail -> labels of the checks that failed with it (same problem on several shapes)
        for check in task.checks:
            if not check.passed:
                failed.setdefault(check_detail(check), []).append(check_label(check))
        for detail, labels in failed.items():
            where = t("notebook.every_check") if len(labels) == len(task.checks) else "; ".join(labels)
            lines.append(f"  - {where}: {detail}")
        for hint in task_hints(task):
            lines.append("  " + t("report.hint", hint=hint))
    total = sum(task.points for task in results)
    top = sum(task.max_points for task in results)
    lines.append(t("notebook.total_line", points=f"{total:g}", max_points=f"{top:g}",
                   tasks=", ".join(task.task_id for task in results), seed=seed))
    return "\n".join(lines)


def check_tasks(task_ids, root=None, seed=None):
    """Grade ``task_ids`` of the ``assignments/`` package next to the notebook (see the module docstring).

    Returns None when every check passes, the points earned (a float, report
    printed to stdout) when some but not all are earned, and raises
    AssertionError with the report when none is.
    """
    results, seed = grade_tasks(task_ids, root, seed)
    if all(task.passed for task in results):
        return None
    report = format_results(results, seed)
    earned = round(float(sum(task.points for task in results)), 4)
    if earned <= 0:
        raise AssertionError("\n" + report)
    print(report)
    return earned
