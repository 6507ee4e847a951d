"""``course nbgrader-grade COURSE_DIR --assignment ID``: the points of the graded cells, computed outside the kernel.

The graded cells of the nbgrader notebooks earn nothing (:mod:`.graded_cells`:
they only run the public checks, for ``nbgrader validate``), and ``nbgrader
autograde`` runs no student code (:mod:`.nbgrader_autograde`): it records 0 for
each of them, so a module that hangs or patches the kernel costs and gains
nothing there. This verb runs after ``nbgrader autograde`` (which creates the
gradebook rows) and before ``nbgrader generate_feedback``; it still writes every
point and all the feedback. For each collected submission
``COURSE_DIR/submitted/<student>/<package>/`` it

1. grades the student's ``assignments/`` package, as it sits in that folder,
   with :func:`autograder.grading.grade.grade_submission` (the student's code in
   the sandbox, the reference in this process, never in a notebook kernel);
2. writes each graded cell's points (the sum of its tasks' points, the tasks
   named by course.yml's ``notebook`` field) into ``COURSE_DIR/gradebook.db``:
   the ``auto_score`` of that cell's Grade in the student's submitted notebook,
   and the feedback text (task lines, failed checks, hints: no paths) into the
   ``auto_comment`` of that cell's Comment (created when nbgrader made none,
   as it does only for solution and task cells);
3. shows the same feedback as the graded cell's output in
   ``autograded/<student>/<package>/<package>.ipynb`` (replacing its ``0.0``),
   which is what ``nbgrader generate_feedback`` renders.

Returns one :class:`StudentScores` per student (rendered by :func:`run`).
"""

import dataclasses
import os
from pathlib import Path

from ..grading.grade import grade_submission
from ..grading.reports import task_feedback
from ..grading.sandbox import Limits
from ..runtime.manifest import load_manifest
from ..runtime.messages import LANG_ENV, t
from .graded_cells import tasks_by_cell


class NbgraderGradeError(ValueError):
    """The course directory, assignment or gradebook does not fit (nothing autograded, unknown student...)."""


@dataclasses.dataclass
class StudentScores:
    """What was written for one student: {grade_id: (points, max_points)}, the seed and the sandbox backend."""
    student: str
    cells: dict
    seed: int
    sandbox: str


def cell_feedback(results):
    """The feedback of one graded cell from its tasks' TaskResults: one paragraph per task, no paths."""
    paragraphs = []
    for task in results:
        head = t("notebook.task_line", task_id=task.task_id, function=task.function, title=task.title,
                 points=f"{task.points:g}", max_points=f"{task.max_points:g}")
        paragraphs.append(head + "\n" + task_feedback(task))
    return "\n\n".join(paragraphs)


def cell_points(report, assignment):
    """{grade_id: (points, max_points, feedback)} of an assignment's graded cells from a SubmissionReport."""
    by_id = {task.task_id: task for task in report.tasks}
    cells = {}
    for grade_id, tasks in tasks_by_cell(assignment).items():
        results = [by_id[task.id] for task in tasks]
        cells[grade_id] = (round(float(sum(task.points for task in results)), 6),
                           float(sum(task.points for task in tasks)), cell_feedback(results))
    return cells


def submissions(course_dir, package):
    """{student: COURSE_DIR/submitted/<student>/<package>} of the collected submissions, sorted by student."""
    submitted = Path(course_dir) / "submitted"
    found = {folder.parent.name: folder for folder in sorted(submitted.glob(f"*/{package}")) if folder.is_dir()}
    if not found:
        raise NbgraderGradeError(f"no submission of {package} in {submitted}/<student>/{package} "
                                 f"(run nbgrader collect and nbgrader autograde first)")
    return found


def write_gradebook(gradebook, package, student, cells):
    """Set auto_score (and auto_comment) of each graded cell of the student's submitted notebook; commits."""
    from nbgrader.api import Comment, MissingEntry

    for grade_id, (points, max_points, feedback) in cells.items():
        try:
            grade = gradebook.find_grade(grade_id, package, package, student)
        except MissingEntry:
            raise NbgraderGradeError(f"{student}: the gradebook has no grade of cell {grade_id!r} in {package} "
                                     f"(run nbgrader autograde {package} first)") from None
        if abs(grade.max_score - max_points) > 1e-9:
            raise NbgraderGradeError(f"cell {grade_id!r} of {package} has {grade.max_score:g} points in the "
                                     f"gradebook, its tasks {max_points:g} in course.yml (rebuild the course)")
        grade.auto_score = points
        grade.needs_manual_grade = False
        try:
            comment = gradebook.find_comment(grade_id, package, package, student)
        except MissingEntry:
            comment = Comment(cell=grade.cell, notebook=grade.notebook)
            gradebook.db.add(comment)
        comment.auto_comment = feedback
    gradebook.db.commit()


def write_feedback_outputs(notebook_path, cells):
    """Replace each graded cell's outputs in the autograded notebook by its feedback (a stdout stream)."""
    import nbformat

    nb = nbformat.read(notebook_path, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("grade") and grade_id in cells:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=cells[grade_id][2] + "\n")]
    nbformat.write(nb, str(notebook_path))


def grade_course(course_dir, assignment_id, manifest=None, seed=None, limits=Limits()):
    """The whole verb for one assignment (by ID or package); returns [StudentScores]."""
    from nbgrader.api import Gradebook

    manifest = manifest or load_manifest()
    matches = [a for a in manifest.assignments if assignment_id in (a.id, a.package)]
    if not matches:
        raise NbgraderGradeError(f"unknown assignment {assignment_id!r}; choose from "
                                 + ", ".join(f"{a.id} ({a.package})" for a in manifest.assignments))
    assignment, course_dir = matches[0], Path(course_dir).resolve()
    database = course_dir / "gradebook.db"
    if not database.is_file():
        raise NbgraderGradeError(f"{database} not found (run nbgrader autograde {assignment.package} first)")
    written = []
    with Gradebook(f"sqlite:///{database}") as gradebook:
        for student, folder in submissions(course_dir, assignment.package).items():
            report = grade_submission(folder, manifest, [assignment.id], seed=seed, limits=limits)
            cells = cell_points(report, assignment)
            write_gradebook(gradebook, assignment.package, student, cells)
            autograded = course_dir / "autograded" / student / assignment.package / f"{assignment.package}.ipynb"
            if autograded.is_file():
                write_feedback_outputs(autograded, cells)
            written.append(StudentScores(student, {k: v[:2] for k, v in cells.items()}, report.seed, report.sandbox))
    return written


def add_arguments(parser):
    parser.add_argument("course_dir", type=Path, metavar="COURSE_DIR", help="the nbgrader course directory")
    parser.add_argument("--assignment", required=True, help="the assignment, by ID (a1) or package (a1_vanilla_rnn)")
    parser.add_argument("--seed", type=int, help="input seed (default: fresh per student, printed)")
    parser.add_argument("--sandbox", choices=["auto", "bubblewrap", "privilege-drop"], default="auto",
                        help="how student code is isolated (as for course grade)")
    parser.add_argument("--unsafe-same-user", action="store_true",
                        help="no isolation available: run student code as the grader's own user anyway")


def run(args):
    manifest_path = getattr(args, "manifest", None)
    manifest = load_manifest(manifest_path) if manifest_path else load_manifest()
    os.environ[LANG_ENV] = manifest.language  # the feedback in the course's language, as course grade writes it
    limits = Limits(cpu_seconds=120, backend="unsafe-same-user" if args.unsafe_same_user else args.sandbox)
    for scores in grade_course(args.course_dir, args.assignment, manifest, args.seed, limits):
        cells = ", ".join(f"{grade_id} {points:g}/{top:g}" for grade_id, (points, top) in scores.cells.items())
        total = sum(points for points, _ in scores.cells.values())
        top = sum(top for _, top in scores.cells.values())
        print(f"{scores.student}: {total:g}/{top:g} written to the gradebook ({cells}; seed {scores.seed}, "
              f"sandbox {scores.sandbox})")
