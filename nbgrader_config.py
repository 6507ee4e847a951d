"""nbgrader configuration of the RNN course (nbgrader 0.9.x).

``course nbgrader --out DIR`` copies this file into the course directory DIR
next to ``source/<assignment>/`` (one notebook and the student package
``assignments/`` per assignment). Run every nbgrader command from DIR:

    nbgrader generate_assignment a1_vanilla_rnn --force
    nbgrader autograde a1_vanilla_rnn --force
    course nbgrader-grade . --assignment a1
    nbgrader generate_feedback a1_vanilla_rnn --force
    nbgrader export

The graded cells only run the public checks of their tasks (``check_tasks`` of
the runtime vendored next to each notebook as ``rnn_course_runtime/``): ``nbgrader
validate`` runs the notebook and tells the student which tasks still fail; the
cells earn nothing. ``nbgrader autograde`` runs no student code at all (the
course's ``GradedCellsScoreZero`` replaces nbgrader's ``Execute``: every graded
cell is recorded as 0, so a module that hangs costs nothing there); ``course
nbgrader-grade`` grades the collected ``assignments/`` packages outside the
kernel, in the sandbox, and writes the points and the feedback into the gradebook
and the autograded notebooks. The kernel (``python3``) needs numpy, pyyaml and
matplotlib only, never this course; the nbgrader process that reads this file
imports the course (``autograder``, installed with ``pip install -e .``).
"""

from pathlib import Path

from autograder.authoring.nbgrader_autograde import autograde_preprocessors

c = get_config()  # noqa: F821 - provided by nbgrader's config loader

HERE = Path(__file__).resolve().parent

c.CourseDirectory.root = str(HERE)
c.CourseDirectory.course_id = "rnn-course"

# nbgrader validate: a whole notebook runs in about 6 s with correct modules (the graded cells' public checks
# take well under a second each): 60 s per cell leaves 10x for a loaded 2-core machine. Autograde runs nothing.
c.Execute.timeout = 60
c.ExecutePreprocessor.timeout = 60
c.Execute.interrupt_on_timeout = True

# The student stub left in place of a "### BEGIN SOLUTION" block of a notebook cell.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}


def student_modules(source):
    """{assignment: [assignments/**/*.py, relative to source/<assignment>/]} for every assignment in ``source``.

    At autograde nbgrader copies every non-notebook file of source/<assignment>/
    over the submission unless it is listed in Autograde.exclude_overwriting: the
    student's modules must be kept (they are what is graded).
    """
    modules = {}
    if source.is_dir():
        for folder in sorted(p for p in source.iterdir() if p.is_dir()):
            files = sorted(p.relative_to(folder).as_posix() for p in folder.glob("assignments/**/*.py")
                           if "__pycache__" not in p.parts)
            if files:
                modules[folder.name] = files
    return modules


c.Autograde.exclude_overwriting = student_modules(HERE / "source")
# No kernel at autograde: every graded cell is recorded as 0, `course nbgrader-grade` writes the points.
c.Autograde.autograde_preprocessors = autograde_preprocessors()
