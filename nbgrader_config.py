"""nbgrader configuration of the RNN course (nbgrader 0.9.x).

``course nbgrader --out DIR`` copies this file into the course directory DIR
next to ``source/<assignment>/`` (one notebook and the student package
``assignments/`` per assignment). Run every nbgrader command from DIR:

    nbgrader generate_assignment a1_vanilla_rnn --force
    nbgrader autograde a1_vanilla_rnn --force
    course nbgrader-grade . --assignment a1
    nbgrader generate_feedback a1_vanilla_rnn --force
    nbgrader export

The graded cells compute nothing (autograde records 0 for them); ``course
nbgrader-grade`` grades the collected ``assignments/`` packages outside the
kernel, in the sandbox, and writes the points into the gradebook. The kernel
(``python3``) needs numpy and matplotlib only, never this course.
"""

from pathlib import Path

c = get_config()  # noqa: F821 - provided by nbgrader's config loader

HERE = Path(__file__).resolve().parent

c.CourseDirectory.root = str(HERE)
c.CourseDirectory.course_id = "rnn-course"

# A whole notebook runs in about 6 s with correct modules (graded cells compute nothing): 60 s per cell
# leaves 10x for a loaded 2-core machine and halves what a hanging student module costs per cell (was 120 s).
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
