"""Fast checks of the nbgrader notebooks (no kernel, no nbgrader command).

- the four jupytext notebooks parse, run on the kernel python3 and pass nbgrader's metadata validation;
- every graded cell has a unique grade_id, is locked, and its points are the sum of the points of
  the tasks it checks; every task of the assignment is checked by exactly one graded cell;
- the student version (nbgrader's ClearSolutions and ClearHiddenTests, as run by generate_assignment)
  keeps no line of any solution block and no hidden check;
- every code cell compiles and imports only names that the student stubs define;
- the graded cells only run the self-check of their tasks (a comment naming them, then the import of
  ``check_tasks`` from the vendored runtime and its call on their task IDs);
- ``nbgrader_grade.cell_points`` gives full marks, zero and partial credit per graded cell, with
  feedback naming the tasks that lost points, on the reference, the stubs and a catalogued mistake;
- ``course nbgrader --no-generate`` writes the source tree (with the vendored runtime, course.yml and
  public fixtures the self-check needs) and a config whose ``Autograde.exclude_overwriting`` keeps every
  student module and whose autograde runs no cell (every graded cell scored 0).
"""

import argparse
import ast
import copy
import re
import shutil

import pytest

from autograder.authoring import notebooks
from autograder.grading import mistakes
from autograder.runtime import public_checks
from autograder.runtime.manifest import REPO_ROOT, load_manifest
from autograder.authoring import nbgrader_autograde, nbgrader_grade
from autograder.grading.grade import grade_submission

MANIFEST = load_manifest()
ASSIGNMENTS = list(MANIFEST.assignments)
IDS = [assignment.id for assignment in ASSIGNMENTS]


@pytest.fixture(scope="module", params=ASSIGNMENTS, ids=IDS)
def assignment_nb(request):
    assignment = request.param
    return assignment, notebooks.load_notebook(assignment)  # graded cells filled in from course.yml


def student_version(nb):
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    nb = copy.deepcopy(nb)
    nb, _ = ClearSolutions().preprocess(nb, {})
    nb, _ = ClearHiddenTests().preprocess(nb, {})
    return nb


def test_every_assignment_has_a_notebook():
    for assignment in ASSIGNMENTS:
        assert notebooks.notebook_path(assignment).is_file(), f"notebooks/{assignment.package}.py is missing"
    extra = {path.stem for path in notebooks.NOTEBOOKS_DIR.glob("*.py")} - {a.package for a in ASSIGNMENTS}
    assert not extra, f"notebooks without an assignment in course.yml: {sorted(extra)}"


def test_notebook_is_valid(assignment_nb):
    assignment, nb = assignment_nb
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert notebooks.notebook_problems(nb, assignment) == []


def test_graded_cells_cover_every_task_once(assignment_nb):
    assignment, nb = assignment_nb
    cells = notebooks.graded_cells(nb)
    grade_ids = [grade_id for grade_id, _, _ in cells]
    assert len(grade_ids) == len(set(grade_ids))
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]+", grade_id) for grade_id in grade_ids)
    checked = sorted(task_id for _, _, task_ids in cells for task_id in task_ids)
    assert checked == sorted(task.id for task in assignment.tasks)
    assert sum(points for _, points, _ in cells) == assignment.points
    points = {task.id: task.points for task in assignment.tasks}
    for grade_id, cell_points, task_ids in cells:
        assert cell_points == sum(points[task_id] for task_id in task_ids), grade_id


def test_graded_cells_and_their_announcements_are_derived_from_course_yml(assignment_nb):
    """The source names each graded cell only; its tasks, points and the Markdown before it come from course.yml."""
    assignment, nb = assignment_nb
    source = notebooks.read_notebook(notebooks.notebook_path(assignment))
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            assert "points" not in meta and "check_tasks" not in cell.source, meta["grade_id"]
    cells = {grade_id: task_ids for grade_id, _, task_ids in notebooks.graded_cells(nb)}
    for task in assignment.tasks:
        assert task.id in cells[task.notebook], task.id
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert "{{GRADED:" not in text
    for grade_id, task_ids in cells.items():
        points = sum(MANIFEST.task(task_id).points for task_id in task_ids)
        assert f"{', '.join(task_ids)}: {points:g} points" in text, grade_id


def _with_source(tmp_path, assignment, edit):
    (tmp_path / f"{assignment.package}.py").write_text(edit(notebooks.notebook_path(assignment).read_text()))
    return tmp_path


@pytest.mark.parametrize("edit,message", [
    (lambda text: text.replace('"grade_id": "check_lstm"', '"grade_id": "check_all"'),
     "Task 3.10, 3.11, 3.12, 3.13: notebook 'check_lstm' is not a graded cell of the notebook of a3"),
    (lambda text: text.replace('"grade_id": "check_lstm", "locked": true', '"grade_id": "check_lstm", "locked": true, "points": 10'),
     "graded cell 'check_lstm' declares points"),
    (lambda text: text.replace("{{GRADED:check_lstm}}", "{{GRADED:check_nothing}}"),
     "{{GRADED:check_nothing}} names no graded cell"),
])
def test_graded_cells_that_do_not_fit_course_yml_are_refused(tmp_path, edit, message):
    assignment = MANIFEST.assignment("a3")
    with pytest.raises(notebooks.NotebookBuildError, match=re.escape(message)):
        notebooks.load_notebook(assignment, _with_source(tmp_path, assignment, edit))


def test_graded_cells_only_run_the_self_check_of_their_tasks(assignment_nb):
    """A graded cell is comments, the import of check_tasks from the vendored runtime and one call naming its tasks
    (string literals): it runs the public checks for nbgrader validate; nothing of the graders or the reference."""
    assignment, nb = assignment_nb
    cells = {grade_id: task_ids for grade_id, _, task_ids in notebooks.graded_cells(nb)}
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":  # (not the written answers)
            tree = ast.parse(cell.source)
            assert len(tree.body) == 2, cell.source
            imported, called = tree.body
            assert isinstance(imported, ast.ImportFrom) and imported.module == "rnn_course_runtime.notebook_self_check"
            assert [alias.name for alias in imported.names] == ["check_tasks"], cell.source
            assert isinstance(called, ast.Expr) and isinstance(called.value, ast.Call), cell.source
            assert called.value.func.id == "check_tasks" and not called.value.keywords, cell.source
            named = [argument.value for argument in called.value.args if isinstance(argument, ast.Constant)]
            assert named == cells[cell.metadata["nbgrader"]["grade_id"]] == [
                task.id for task in assignment.tasks if task.notebook == cell.metadata["nbgrader"]["grade_id"]]
            assert "autograder" not in cell.source.replace("`course nbgrader-grade`", "")
            assert "solutions" not in cell.source


def test_student_version_has_no_solution_lines(assignment_nb):
    _, nb = assignment_nb
    blocks = notebooks.solution_block_lines(nb)
    assert blocks, "the notebook has no solution block"
    student = student_version(nb)
    text = "\n".join(cell.source for cell in student.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS"):
        assert marker not in text
    assert all("check_tasks" not in cell.source for cell in student.cells
               if not cell.metadata.get("nbgrader", {}).get("grade")), "check_tasks outside the graded cells"
    student_lines = {line.strip() for cell in student.cells for line in cell.source.splitlines()}
    leaked = [line for line in blocks if line in student_lines]
    assert not leaked, f"solution lines left in the student version: {leaked}"
    stubs = [cell for cell in student.cells if cell.metadata.get("nbgrader", {}).get("solution")]
    code = [cell for cell in stubs if cell.cell_type == "code"]
    assert code and all("raise NotImplementedError()" in cell.source for cell in code)
    # the written questions' answer cells hold nbgrader's text stub only
    assert all(cell.source == "YOUR ANSWER HERE" for cell in stubs if cell.cell_type == "markdown")


def _python(source):
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _top_level_names(path):
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def test_code_cells_compile_and_import_what_the_stubs_define(assignment_nb):
    assignment, nb = assignment_nb
    shipped = notebooks.needed_packages(assignment.package)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        source = _python(cell.source)
        tree = ast.parse(source, filename=f"{assignment.package} cell {index}")
        compile(tree, f"{assignment.package} cell {index}", "exec")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("assignments."):
                parts = node.module.split(".")
                assert parts[1] in shipped, f"cell {index} imports {node.module}, not shipped with {assignment.id}"
                module = REPO_ROOT.joinpath(*parts).with_suffix(".py")
                assert module.is_file(), f"cell {index}: {module} does not exist"
                missing = {alias.name for alias in node.names} - _top_level_names(module)
                assert not missing, f"cell {index}: {node.module} defines no {sorted(missing)}"


# nbgrader_grade.cell_points: the graded cells' points, computed outside the kernel ----------------------

@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    """Submission folders holding the reference, the stubs and one mutant as their assignments/ package."""
    root = tmp_path_factory.mktemp("cell-points")
    shutil.copytree(REPO_ROOT / "solutions", root / "correct" / "assignments",
                    ignore=shutil.ignore_patterns("__pycache__", "*.md"))
    shutil.copytree(REPO_ROOT / "assignments", root / "stub" / "assignments",
                    ignore=shutil.ignore_patterns("__pycache__"))
    mistake = next(m for m in mistakes.CATALOGUE if m.id == "bptt_no_future_gradient")
    mistakes.write_mutant_tree(mistake, root / "buggy" / "assignments")
    return root


def _cells(trees, student, seed=5):
    a1 = MANIFEST.assignment("a1")
    return nbgrader_grade.cell_points(grade_submission(trees / student, MANIFEST, ["a1"], seed=seed), a1)


def test_cell_points_full_zero_and_partial(trees):
    a1 = MANIFEST.assignment("a1")
    tops = {grade_id: sum(task.points for task in tasks)
            for grade_id, tasks in nbgrader_grade.tasks_by_cell(a1).items()}
    correct, stub, buggy = (_cells(trees, student) for student in ("correct", "stub", "buggy"))
    assert {k: v[:2] for k, v in correct.items()} == {k: (top, top) for k, top in tops.items()}
    assert {k: v[:2] for k, v in stub.items()} == {k: (0, top) for k, top in tops.items()}
    assert "not implemented" in stub["check_rnn"][2] and "Task 1.1" in stub["check_rnn"][2]
    points, top, feedback = buggy["check_rnn"]
    assert 0 < points < top
    report = {task.task_id: task.points for task in grade_submission(trees / "buggy", MANIFEST, ["a1"], seed=5).tasks}
    for grade_id, tasks in nbgrader_grade.tasks_by_cell(a1).items():  # each cell: the sum of its tasks' points
        assert buggy[grade_id][0] == pytest.approx(sum(report[task.id] for task in tasks)), grade_id
    mistake = next(m for m in mistakes.CATALOGUE if m.id == "bptt_no_future_gradient")
    assert "Task 1.4" in feedback and mistake.hint in feedback  # the catalogued mistake is recognised
    assert str(trees) not in feedback and "/tmp" not in feedback  # no paths in the feedback


def test_nbgrader_grade_refuses_a_course_without_gradebook(tmp_path, capsys):
    from autograder.authoring.cli import main

    assert main(["nbgrader-grade", str(tmp_path), "--assignment", "a1"]) == 2
    assert "gradebook.db not found" in capsys.readouterr().err
    assert main(["nbgrader-grade", str(tmp_path), "--assignment", "a9"]) == 2
    assert "unknown assignment 'a9'" in capsys.readouterr().err


# course nbgrader --no-generate ---------------------------------------------------------------------

def test_source_tree_and_config(tmp_path):
    from traitlets.config.loader import PyFileConfigLoader

    parser = argparse.ArgumentParser()
    notebooks.add_arguments(parser)
    args = parser.parse_args(["--out", str(tmp_path / "course"), "--assignment", "a3", "--assignment",
                              "a2_bptt_gradients", "--no-generate"])
    notebooks.run(args)
    course = tmp_path / "course"
    assert sorted(p.name for p in (course / "source").iterdir()) == ["a2_bptt_gradients", "a3_lstm"]
    for package in ("a2_bptt_gradients", "a3_lstm"):
        assert (course / "source" / package / f"{package}.ipynb").is_file()
    assert sorted(p.name for p in (course / "source" / "a2_bptt_gradients" / "assignments").iterdir()
                  if p.is_dir()) == ["a1_vanilla_rnn", "a2_bptt_gradients", "common"]
    assert (course / "source" / "a3_lstm" / "assignments" / "a3_lstm" / "lstm.py").read_text() == \
        (REPO_ROOT / "assignments" / "a3_lstm" / "lstm.py").read_text()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    excluded = config.Autograde.exclude_overwriting
    for package in ("a2_bptt_gradients", "a3_lstm"):
        modules = sorted(p.relative_to(course / "source" / package).as_posix()
                         for p in (course / "source" / package).glob("assignments/**/*.py"))
        assert modules and sorted(excluded[package]) == modules
    assert config.CourseDirectory.root == str(course.resolve())
    assert config.Execute.timeout >= 60
    assert config.Autograde.autograde_preprocessors == nbgrader_autograde.autograde_preprocessors()


def test_source_holds_what_the_self_check_needs(tmp_path):
    """source/<package>/rnn_course_runtime/: the vendored runtime, a course.yml of the shipped assignments in the
    notebooks' language, and the public fixtures of exactly the assignment's tasks that have one (the tasks with
    properties have none: their outputs are random)."""
    from autograder.authoring.public_fixtures import FIXTURES_DIR
    from autograder.authoring.release import vendored_runtime_files

    notebooks.write_source(tmp_path, MANIFEST, ["a2"], lang="ko")
    runtime = tmp_path / "source" / "a2_bptt_gradients" / "rnn_course_runtime"
    for relative, text in vendored_runtime_files().items():
        assert (runtime / relative).read_text(encoding="utf-8") == text, relative
    shipped = load_manifest(runtime / "course.yml", check_files=False)
    assert shipped.language == "ko"
    assert [a.id for a in shipped.assignments] == ["a1", "a2"]  # A2's package imports A1's
    a2 = [task for task in MANIFEST.assignment("a2").tasks if public_checks.uses_fixtures(task.id)]
    assert a2 and sorted(p.name for p in (runtime / "fixtures").iterdir()) == sorted(f"{task.id}.json" for task in a2)
    for task in a2:
        assert (runtime / "fixtures" / f"{task.id}.json").read_bytes() == (FIXTURES_DIR / f"{task.id}.json").read_bytes()


def test_autograde_runs_no_cell_and_scores_every_graded_cell_zero():
    """nbgrader's default autograde preprocessors with Execute replaced: graded code cells output 0.0 (nbgrader's
    partial credit 0), every other code cell nothing, whatever the submitted notebook held."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute
    from nbgrader.utils import determine_grade
    from nbformat.v4 import new_output

    default = Autograde.class_traits()["autograde_preprocessors"].default()
    replaced = nbgrader_autograde.autograde_preprocessors()
    assert Execute not in replaced and len(replaced) == len(default)
    assert [p for p in replaced if p is not nbgrader_autograde.GradedCellsScoreZero] == [
        p for p in default if p is not Execute]
    nb = notebooks.load_notebook(MANIFEST.assignment("a1"))
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [new_output("stream", name="stdout", text="forged\n")]
    nb, _ = nbgrader_autograde.GradedCellsScoreZero()(nb, {})  # as nbconvert calls it
    graded = [cell for cell in nb.cells if nbgrader_autograde.is_graded_code_cell(cell)]
    assert len(graded) == len(notebooks.graded_cells(nb))
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell in graded:
            assert determine_grade(cell) == (0, cell.metadata["nbgrader"]["points"])
        else:
            assert cell.outputs == []


def test_unknown_assignment_is_refused(tmp_path):
    with pytest.raises(notebooks.NotebookBuildError):
        notebooks.write_source(tmp_path, MANIFEST, ["a9"])


def test_release_check_catches_an_unstripped_notebook(tmp_path):
    notebooks.write_source(tmp_path, MANIFEST, ["a4"])
    shutil.copytree(tmp_path / "source" / "a4_gru", tmp_path / "release" / "a4_gru")
    problems = notebooks.release_problems(tmp_path, "a4_gru")
    assert any("gru_forward(x, h_init" in problem for problem in problems)
