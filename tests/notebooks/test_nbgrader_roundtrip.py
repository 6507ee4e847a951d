"""End to end: ``course nbgrader``, then nbgrader's own commands on three submissions per assignment.

The course directory is generated into a temporary folder (``build_course``:
source/, nbgrader_config.py, ``nbgrader generate_assignment``). For every
assignment three students submit a copy of release/<assignment>/ whose
``assignments/`` package is

- correct: the reference solutions, and the notebook's glue cells answered;
- stub:    unchanged (the release's stubs and notebook);
- buggy:   the reference with one catalogued mistake (``mistakes.write_mutant_tree``), glue answered.

``nbgrader autograde`` runs no student code (the course's config replaces nbgrader's
``Execute``: no kernel starts, every graded cell gets the output ``0.0``), so it
records 0 for every graded cell of every student. Then
``course nbgrader-grade --seed SEED`` grades the collected packages outside the
kernel and writes the points into the gradebook, which must then hold full marks,
zero, and for the buggy student exactly the per-cell points that
``grade_submission`` (the hidden graders) gives the same package on the same
seed. ``generate_feedback`` and ``export`` must write the feedback pages and grades.csv.

About a minute and a half on two cores (mostly the sandboxed grading of ``course nbgrader-grade``; autograde
starts no kernel).
"""

import contextlib
import csv
import io
import shutil

import pytest

from autograder.authoring import notebooks
from autograder.authoring.cli import main as course_cli
from autograder.authoring.nbgrader_autograde import is_graded_code_cell
from autograder.grading import mistakes
from autograder.grading.grade import grade_submission
from autograder.runtime.manifest import REPO_ROOT, load_manifest

# one xdist worker builds the nbgrader course (a module fixture) once and runs all these tests
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbgrader-roundtrip")]

MANIFEST = load_manifest()
STUDENTS = ("correct", "stub", "buggy")
SEED = 20261130
# One catalogued mistake per assignment, for the buggy student.
BUGS = {"a1": "bptt_no_future_gradient", "a2": "clip_per_array", "a3": "lstm_dc_prev_without_forget",
        "a4": "gru_z_reversed"}


def mistake_of(assignment):
    return next(m for m in mistakes.CATALOGUE if m.id == BUGS[assignment.id])


def fill_in_glue(notebook, source):
    """Answer the notebook's solution cells (the experiments' glue code) as in the source notebook."""
    import nbformat

    answers = {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in nbformat.read(source, 4).cells
               if cell.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.read(notebook, 4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            lines = answers[cell.metadata["nbgrader"]["grade_id"]].splitlines()
            cell.source = "\n".join(line for line in lines if "### BEGIN SOLUTION" not in line
                                    and "### END SOLUTION" not in line)
    nbformat.write(nb, notebook)


def write_answers(notebook, assignment):
    """Write a (made-up) answer into every written question's answer cell."""
    import nbformat

    nb = nbformat.read(notebook, 4)
    answers = {question.grade_id for question in assignment.questions}
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in answers:
            cell.source = f"My answer to {cell.metadata['nbgrader']['grade_id']}."
    nbformat.write(nb, notebook)


def submit(course, destination, student, assignment):
    """submitted/<student>/<package>/: the release; correct and buggy students also answer the glue cells."""
    shutil.copytree(course / "release" / assignment.package, destination)
    if student == "stub":
        return
    fill_in_glue(destination / f"{assignment.package}.ipynb",
                 course / "source" / assignment.package / f"{assignment.package}.ipynb")
    if student == "correct":
        write_answers(destination / f"{assignment.package}.ipynb", assignment)
    shutil.rmtree(destination / "assignments")
    if student == "correct":
        shutil.copytree(REPO_ROOT / "solutions", destination / "assignments",
                        ignore=shutil.ignore_patterns("__pycache__"))
    else:
        mistakes.write_mutant_tree(mistake_of(assignment), destination / "assignments")


def nbgrader_grade(out, assignment, seed=SEED):
    """``course nbgrader-grade OUT --assignment ID --seed SEED``; returns what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert course_cli(["nbgrader-grade", str(out), "--assignment", assignment.id, "--seed", str(seed)]) == 0
    return printed.getvalue()


# session scope: built once in the worker of this file's xdist group, even when that worker runs other
# modules' tests in between (a module fixture would be built again after them)
@pytest.fixture(scope="session")
def course_dir(tmp_path_factory):
    """The course directory after autograde, nbgrader-grade, generate_feedback and export; and, right after
    autograde, {(package, student): (the gradebook's scores, the autograded notebook's code outputs)}."""
    out = tmp_path_factory.mktemp("nbgrader") / "course"
    packages = notebooks.build_course(out, MANIFEST)
    assert packages == [a.package for a in MANIFEST.assignments]
    after_autograde = {}
    for assignment in MANIFEST.assignments:
        for student in STUDENTS:
            submit(out, out / "submitted" / student / assignment.package, student, assignment)
        notebooks.nbgrader(["autograde", assignment.package, "--force"], out)
        for student in STUDENTS:
            after_autograde[(assignment.package, student)] = (cell_scores(out, assignment, student),
                                                              code_outputs(out, assignment, student))
        printed = nbgrader_grade(out, assignment)
        assert all(f"{student}: " in printed for student in STUDENTS), printed
        notebooks.nbgrader(["generate_feedback", assignment.package, "--force"], out)
    notebooks.nbgrader(["export"], out)
    return out, after_autograde


@pytest.fixture(scope="session")
def course(course_dir):
    return course_dir[0]


def code_outputs(course, assignment, student):
    """[(grade_id or None, graded, outputs)] of the code cells of the student's autograded notebook (graded: scored
    from its output by nbgrader; the written answers are scored by hand)."""
    import nbformat

    path = course / "autograded" / student / assignment.package / f"{assignment.package}.ipynb"
    return [(cell.metadata.get("nbgrader", {}).get("grade_id"), is_graded_code_cell(cell),
             [dict(output) for output in cell.outputs]) for cell in nbformat.read(path, 4).cells
            if cell.cell_type == "code"]


def cell_scores(course, assignment, student, written=False):
    """{grade_id: (auto_score, max_score)} of the autograded cells (written=True: of the written questions' answer
    cells, graded by hand, as (needs_manual_grade, auto_score, max_score))."""
    from nbgrader.api import Gradebook

    answers = {question.grade_id for question in assignment.questions}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(assignment.package, assignment.package, student)
        if written:
            return {grade.name: (grade.needs_manual_grade, grade.auto_score, grade.max_score)
                    for grade in notebook.grades if grade.name in answers}
        return {grade.name: (grade.auto_score, grade.max_score) for grade in notebook.grades
                if grade.name not in answers}


@pytest.mark.parametrize("assignment", MANIFEST.assignments, ids=[a.id for a in MANIFEST.assignments])
def test_release_is_the_student_version(course, assignment):
    import nbformat

    source = nbformat.read(course / "source" / assignment.package / f"{assignment.package}.ipynb", 4)
    release = nbformat.read(course / "release" / assignment.package / f"{assignment.package}.ipynb", 4)
    solution_lines = notebooks.solution_block_lines(source)
    released = "\n".join(cell.source for cell in release.cells)
    released_lines = {line.strip() for line in released.splitlines()}
    assert solution_lines and not solution_lines & released_lines
    assert "SOLUTION" not in released
    assert all("check_tasks" not in cell.source for cell in release.cells
               if not cell.metadata.get("nbgrader", {}).get("grade"))  # the self-check is in the graded cells only
    assert notebooks.release_problems(course, assignment.package) == []
    for stub in (course / "release" / assignment.package / "assignments").rglob("*.py"):
        relative = stub.relative_to(course / "release" / assignment.package)
        assert stub.read_text() == (REPO_ROOT / relative).read_text(), relative


@pytest.mark.parametrize("assignment", MANIFEST.assignments, ids=[a.id for a in MANIFEST.assignments])
def test_autograde_scores(course, assignment):
    cells = {grade_id: task_ids for grade_id, _, task_ids in notebooks.graded_cells(
        notebooks.load_notebook(assignment))}

    correct = cell_scores(course, assignment, "correct")
    assert set(correct) == set(cells)
    assert all(score == top for score, top in correct.values()), correct
    assert sum(top for _, top in correct.values()) == assignment.points

    # no output of student code in any autograded notebook: nbgrader-grade's feedback in the graded cells only
    for student in STUDENTS:
        for grade_id, graded, outputs in code_outputs(course, assignment, student):
            if not graded:
                assert outputs == [], (student, grade_id, outputs)
                continue
            assert [output["output_type"] for output in outputs] == ["stream"], (student, grade_id, outputs)
            assert all(f"Task {task_id} " in outputs[0]["text"] for task_id in cells[grade_id]), outputs[0]["text"]

    stub = cell_scores(course, assignment, "stub")
    assert all(score == 0 for score, _ in stub.values()), stub

    # written answers wait for the instructor in nbgrader's formgrader, with their points from course.yml; an
    # answer cell left as released is scored 0 by nbgrader itself (its rule for unchanged solution cells)
    assert cell_scores(course, assignment, "correct", written=True) == {
        question.grade_id: (True, None, question.points) for question in assignment.questions}
    assert cell_scores(course, assignment, "stub", written=True) == {
        question.grade_id: (False, 0.0, question.points) for question in assignment.questions}

    buggy = cell_scores(course, assignment, "buggy")
    # the hidden graders on the same package give the same points, cell by cell, on the seed passed through
    report = grade_submission(course / "submitted" / "buggy" / assignment.package, MANIFEST, [assignment.id],
                              seed=SEED)
    points = {task.task_id: task.points for task in report.tasks}
    for grade_id, task_ids in cells.items():
        expected = sum(points[task_id] for task_id in task_ids)
        assert buggy[grade_id][0] == pytest.approx(expected, abs=1e-6), (grade_id, buggy, points)
    mistake_cell = next(grade_id for grade_id, task_ids in cells.items() if mistake_of(assignment).task_id in task_ids)
    assert buggy[mistake_cell][0] < buggy[mistake_cell][1]
    total = sum(score for score, _ in buggy.values())
    assert 0 < total < assignment.points


@pytest.mark.parametrize("assignment", MANIFEST.assignments, ids=[a.id for a in MANIFEST.assignments])
def test_autograde_alone_scores_nothing(course_dir, assignment):
    """No kernel runs at autograde: it records 0 for every graded cell, even of the correct submission, and the
    autograded notebooks hold the graded cells' 0.0 and no other output."""
    _, after_autograde = course_dir
    for student in STUDENTS:
        scores, outputs = after_autograde[(assignment.package, student)]
        assert scores and all(score == 0 for score, _ in scores.values()), (student, scores)
        for grade_id, graded, cell_outputs in outputs:
            want = [{"output_type": "execute_result", "data": {"text/plain": "0.0"}, "metadata": {},
                     "execution_count": None}] if graded else []
            assert cell_outputs == want, (student, grade_id, cell_outputs)


def test_feedback_and_export(course):
    rows = list(csv.DictReader((course / "grades.csv").open()))
    scores = {(row["assignment"], row["student_id"]): float(row["score"]) for row in rows}
    for assignment in MANIFEST.assignments:
        assert scores[(assignment.package, "correct")] == assignment.points
        assert scores[(assignment.package, "stub")] == 0
        assert 0 < scores[(assignment.package, "buggy")] < assignment.points
        for student in STUDENTS:
            page = course / "feedback" / student / assignment.package / f"{assignment.package}.html"
            assert page.is_file() and page.stat().st_size > 0
        buggy_page = (course / "feedback" / "buggy" / assignment.package / f"{assignment.package}.html").read_text()
        assert f"Task {mistake_of(assignment).task_id} " in buggy_page
