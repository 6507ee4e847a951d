"""The graded cells of a notebook, derived from ``course.yml``.

Every task names the graded cell of its assignment's notebook that checks it
(``notebook: <grade_id>`` in ``course.yml``). The notebook source only places
and names that cell; the build fills it in:

- the graded code cell (``"grade": true`` and its ``grade_id`` in the cell
  header, no ``points``, nothing but comments in its body) gets the points of
  its tasks, a comment naming them, and the self-check of those tasks:
  ``check_tasks(...)`` of the vendored runtime (``rnn_course_runtime``, shipped
  next to the notebook by ``course nbgrader``) runs their public checks on the
  student's modules and fails the cell naming every task that fails them. That
  is what ``nbgrader validate`` reports to the student; the cell earns nothing
  itself. ``nbgrader autograde`` runs no student code at all
  (:mod:`.nbgrader_autograde`: every graded cell is recorded as 0);
  ``course nbgrader-grade`` (:mod:`.nbgrader_grade`) then grades the student's
  modules outside the kernel, in the sandbox, and writes each cell's points
  into the gradebook. The task IDs are read back from the comment
  (:func:`graded_task_ids`);
- ``{{GRADED:<grade_id>}}`` in a Markdown cell (of the English notebook or a
  translation) becomes "Tasks 3.1, 3.2: 2 points" in the notebook's language.

:func:`fill_graded_cells` does both and raises :class:`GradedCellError` listing
every problem: a task naming a cell that the notebook does not have (or that is
not graded), a graded cell that no task names, a graded cell that declares its
own points or code, a placeholder naming no graded cell.
"""

import re

from ..runtime.messages import t
from .release import VENDORED_RUNTIME

GRADED_PLACEHOLDER = re.compile(r"\{\{GRADED:([a-zA-Z0-9_-]+)\}\}")
GRADED_MARKER = "# Graded outside this notebook by `course nbgrader-grade`: "
# The kernel imports the vendored runtime from the notebook's folder, where `course nbgrader` puts it.
SELF_CHECK_IMPORT = f"from {VENDORED_RUNTIME}.notebook_self_check import check_tasks"


class GradedCellError(ValueError):
    """The notebook's graded cells do not fit course.yml."""


def tasks_by_cell(assignment):
    """{grade_id: [tasks]} of an assignment, in manifest order, from each task's ``notebook``."""
    cells = {}
    for task in assignment.tasks:
        cells.setdefault(task.notebook, []).append(task)
    return cells


def graded_source(tasks):
    """The body of a graded cell of ``tasks``: a comment naming them, then their self-check (``check_tasks``, the
    public checks, for ``nbgrader validate``). The cell earns nothing: autograde records 0 for it without running
    it, and ``course nbgrader-grade`` writes the points into the gradebook."""
    ids = [task.id for task in tasks]
    points = sum(task.points for task in tasks)
    return "\n".join([
        f"{GRADED_MARKER}{'Task' if len(ids) == 1 else 'Tasks'} {', '.join(ids)} ({points:g} points)",
        "# (your modules in assignments/, on fresh random inputs).",
        "# This cell earns nothing: it runs the public checks of these tasks, for you",
        "# and for `nbgrader validate`, and fails naming each task that does not pass yet.",
        SELF_CHECK_IMPORT,
        "check_tasks(" + ", ".join(f'"{task_id}"' for task_id in ids) + ")",
    ])


def graded_task_ids(source):
    """The task IDs named by a graded cell's source (:func:`graded_source`); [] when it names none."""
    for line in source.splitlines():
        if line.startswith(GRADED_MARKER):
            named = re.match(r"Tasks? ([\w., ]+?) \(", line[len(GRADED_MARKER):])
            return [task_id.strip() for task_id in named.group(1).split(",")] if named else []
    return []


def graded_summary(tasks, lang):
    """"Tasks 3.1, 3.2: 2 points" in ``lang``, for the Markdown that announces a graded cell."""
    key = "notebook.graded_task" if len(tasks) == 1 else "notebook.graded_tasks"
    return t(key, lang=lang, tasks=", ".join(task.id for task in tasks),
             points=f"{sum(task.points for task in tasks):g}")


def _source_problems(cell, grade_id):
    problems = []
    if "points" in cell.metadata["nbgrader"]:
        problems.append(f"graded cell {grade_id!r} declares points: they come from course.yml, remove them")
    code = [line for line in cell.source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if code:
        problems.append(f"graded cell {grade_id!r} has code ({code[0].strip()!r}); the build writes its check "
                        f"from course.yml, keep only comments")
    return problems


def fill_graded_cells(nb, assignment, lang="en"):
    """Fill in the graded cells of ``nb`` (in place) from the tasks of ``assignment``; returns ``nb``."""
    wanted = tasks_by_cell(assignment)
    problems, graded = [], set()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        grade_id = meta.get("grade_id")
        graded.add(grade_id)
        problems += _source_problems(cell, grade_id)
        if grade_id not in wanted:
            problems.append(f"graded cell {grade_id!r}: no task of {assignment.id} names it (notebook: {grade_id})")
            continue
        cell.source = graded_source(wanted[grade_id])
        points = sum(task.points for task in wanted[grade_id])
        meta["points"] = int(points) if float(points).is_integer() else points
    for grade_id, tasks in wanted.items():
        if grade_id not in graded:
            problems.append(f"Task {', '.join(task.id for task in tasks)}: notebook {grade_id!r} is not a graded "
                            f"cell of the notebook of {assignment.id}")
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for grade_id in GRADED_PLACEHOLDER.findall(cell.source):
            if grade_id not in wanted or grade_id not in graded:
                problems.append(f"{{{{GRADED:{grade_id}}}}} names no graded cell with tasks")
        cell.source = GRADED_PLACEHOLDER.sub(
            lambda match: graded_summary(wanted.get(match.group(1), []), lang)
            if match.group(1) in wanted else match.group(0), cell.source)
    if problems:
        raise GradedCellError("; ".join(problems))
    return nb
