"""nbgrader scores cannot be forged from the student's kernel.

Three students submit a1 through nbgrader (``course nbgrader``, then
``nbgrader autograde``, then ``course nbgrader-grade --seed``):

- correct:  the reference solutions (full points per graded cell);
- buggy:    one catalogued mistake (per-cell points equal ``course grade``'s on the same seed);
- attacker: the stubs, plus code appended to the student's own module that patches everything the
  notebook kernel can reach: the grader's modules if importable (the old ``check_tasks`` among them),
  ``builtins``, the names a graded cell could use, and the display hook that turns the graded cell's
  value into the output nbgrader scores.

Once two such lines (``n.check_tasks = lambda *a, **k: None``) scored full marks, because the graded
cells called the grader inside the kernel. Now the graded cells only run the public checks (for
``nbgrader validate``: a patched kernel can fool the student's own self-check, nothing else),
``nbgrader autograde`` runs no cell at all, and the points are computed outside the kernel: the
attacker gets 0 in the gradebook, and its patch never even runs at autograde.
"""

import contextlib
import io
import shutil
import textwrap

import pytest

from autograder.authoring import notebooks
from autograder.authoring.cli import main as course_cli
from autograder.grading.grade import grade_submission
from autograder.runtime.manifest import REPO_ROOT, load_manifest
from tests.notebooks.test_nbgrader_roundtrip import fill_in_glue, submit

# one xdist worker builds this module's fixtures once and runs all its tests
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbgrader-monkeypatch")]

MANIFEST = load_manifest()
A1 = MANIFEST.assignment("a1")
SEED = 4242

# Appended to the attacker's assignments/a1_vanilla_rnn/rnn.py, which the notebook's cells import.
MONKEYPATCH = textwrap.dedent('''

    def _forge():
        import builtins, sys
        full = lambda *args, **kwargs: None
        for name in ("autograder.grading.notebook_checks", "autograder.grading.grade", "autograder.grading.reports"):
            try:
                module = __import__(name, fromlist=["_"])
            except Exception:
                continue
            for attribute in ("check_tasks", "grade_tasks", "grade_submission", "grade_many"):
                if hasattr(module, attribute):
                    setattr(module, attribute, full)
        builtins.check_tasks = full
        builtins.AssertionError = type("AssertionError", (Exception,), {})
        sys.displayhook = lambda value: None  # no execute_result: nbgrader would give the cell full points
        try:
            shell = get_ipython()  # noqa: F821 - only inside the kernel
        except NameError:
            import IPython
            shell = IPython.get_ipython()
        if shell is not None:
            shell.displayhook.__class__.__call__ = lambda self, value=None: None
            shell.user_ns["check_tasks"] = full

    try:
        _forge()
    except Exception:
        pass
''')


def submit_attacker(out):
    destination = out / "submitted" / "attacker" / A1.package
    shutil.copytree(out / "release" / A1.package, destination)
    fill_in_glue(destination / f"{A1.package}.ipynb", out / "source" / A1.package / f"{A1.package}.ipynb")
    module = destination / "assignments" / "a1_vanilla_rnn" / "rnn.py"
    module.write_text(module.read_text() + MONKEYPATCH)
    assert module.read_text().startswith((REPO_ROOT / "assignments" / "a1_vanilla_rnn" / "rnn.py").read_text())


def cell_scores(out, student):
    """{grade_id: (auto_score, max_score)} of the autograded cells (the written questions' answer cells are graded
    by hand and left out)."""
    from nbgrader.api import Gradebook

    answers = {question.grade_id for question in A1.questions}
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(A1.package, A1.package, student)
        return {grade.name: (grade.auto_score, grade.max_score) for grade in notebook.grades
                if grade.name not in answers}


def cell_comments(out, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(A1.package, A1.package, student)
        return {comment.name: comment.auto_comment for comment in notebook.comments}


# session scope: built once in the worker of this file's xdist group, even when that worker runs other
# modules' tests in between (a module fixture would be built again after them)
@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("nbgrader-attack") / "course"
    notebooks.build_course(out, MANIFEST, [A1.id])
    for student in ("correct", "buggy"):
        submit(out, out / "submitted" / student / A1.package, student, A1)
    submit_attacker(out)
    notebooks.nbgrader(["autograde", A1.package, "--force"], out)
    autograded = {student: cell_scores(out, student) for student in ("correct", "buggy", "attacker")}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert course_cli(["nbgrader-grade", str(out), "--assignment", A1.id, "--seed", str(SEED)]) == 0
    return out, autograded, printed.getvalue()


def test_the_monkeypatch_earns_nothing(graded):
    out, _, printed = graded
    scores = cell_scores(out, "attacker")
    assert set(scores) == {task.notebook for task in A1.tasks}
    assert all(score == 0 for score, _ in scores.values()), scores
    assert "attacker: 0/" in printed
    comments = cell_comments(out, "attacker")
    assert all("not implemented" in comments[grade_id] for grade_id in scores), comments


def test_the_kernel_scores_nothing_even_when_patched(graded):
    """Autograde's own scores (before nbgrader-grade) never depend on the student's code: no kernel runs, so the
    attacker's display-hook patch never runs either, and every student gets 0 for every graded cell."""
    _, autograded, _ = graded
    for student in ("correct", "buggy", "attacker"):
        scores = autograded[student]
        assert scores and all(score == 0 for score, _ in scores.values()), (student, scores)


def test_correct_gets_full_points_per_cell(graded):
    out, _, _ = graded
    scores = cell_scores(out, "correct")
    assert scores and all(score == top for score, top in scores.values()), scores
    assert sum(top for _, top in scores.values()) == A1.points


def test_buggy_gets_what_course_grade_gives_on_the_same_seed(graded):
    out, _, _ = graded
    scores = cell_scores(out, "buggy")
    report = grade_submission(out / "submitted" / "buggy" / A1.package, MANIFEST, [A1.id], seed=SEED)
    points = {task.task_id: task.points for task in report.tasks}
    for grade_id in scores:
        expected = sum(points[task.id] for task in A1.tasks if task.notebook == grade_id)
        assert scores[grade_id][0] == pytest.approx(expected, abs=1e-6), (grade_id, scores, points)
    assert 0 < sum(score for score, _ in scores.values()) < A1.points
