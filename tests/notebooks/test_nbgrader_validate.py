"""``nbgrader validate`` tells a student which tasks still fail, before submitting.

``course nbgrader --assignment a1`` builds the course; its graded cells run the
public checks of their tasks (``check_tasks`` of the runtime shipped next to the
notebook as ``rnn_course_runtime/``). ``nbgrader validate`` then runs

- the release as handed out (the stubs): it fails, naming every task of A1 once,
  each "not implemented yet" (or waiting for a task it uses that is not);
- the release with the reference in its ``assignments/`` (glue cells and written
  answers filled in): it passes;
- the release with one catalogued mistake: it fails naming the mistake's task, and
  never a task that does not use that task.

And the release folder holds the vendored runtime and the public fixtures, but no
solution code (``notebooks.release_problems``, the leak scan).

About a minute on two cores (one build, three notebook runs of about 6 s each).
"""

import re
import shutil

import pytest

from autograder.authoring import notebooks
from autograder.authoring.public_fixtures import FIXTURES_DIR
from autograder.authoring.release import VENDORED_RUNTIME, vendored_runtime_files
from autograder.authoring.samples import copy_as_submission
from autograder.grading import mistakes
from autograder.runtime import public_checks
from autograder.runtime.manifest import load_manifest
from autograder.runtime.messages import t
from tests.notebooks.test_nbgrader_roundtrip import fill_in_glue, write_answers

# one xdist worker builds this module's course once and runs all its tests
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbgrader-validate")]

MANIFEST = load_manifest()
A1 = MANIFEST.assignment("a1")
LANG = MANIFEST.language
MISTAKE = next(mistake for mistake in mistakes.CATALOGUE if mistake.id == "bptt_no_future_gradient")
SUCCESS = "Success! Your notebook passes all the tests."
TASK_LINE = re.compile(r"^    (Task (\d+\.\d+) \(.*)$")  # a task's line in a self-check's error, as validate prints it


# session scope: built once in the worker of this file's xdist group, even when that worker runs other
# modules' tests in between (a module fixture would be built again after them)
@pytest.fixture(scope="session")
def course(tmp_path_factory):
    out = tmp_path_factory.mktemp("nbgrader-validate") / "course"
    notebooks.build_course(out, MANIFEST, [A1.id])
    return out


def student_copy(course, destination, package_source=None, mistake=None):
    """A copy of the release at ``destination``; with ``package_source`` or ``mistake`` its assignments/ replaced
    (the reference, or the reference with the mistake) and its glue cells and written answers filled in."""
    shutil.copytree(course / "release" / A1.package, destination)
    if package_source is None and mistake is None:
        return destination
    notebook = destination / f"{A1.package}.ipynb"
    fill_in_glue(notebook, course / "source" / A1.package / f"{A1.package}.ipynb")
    write_answers(notebook, A1)
    shutil.rmtree(destination / "assignments")
    if mistake is None:
        copy_as_submission(package_source, destination)
    else:
        mistakes.write_mutant_tree(mistake, destination / "assignments")
    return destination


def validate(course, folder):
    """What ``nbgrader validate`` prints for the notebook in ``folder`` (stdout)."""
    return notebooks.nbgrader(["validate", str(folder / f"{A1.package}.ipynb")], course, check=False).stdout


def task_lines(printed):
    """{task ID: [its lines in the self-checks' errors]} of validate's output, the lines' wrapping undone."""
    found, current = {}, None
    for line in printed.splitlines():
        head = TASK_LINE.match(line)
        if head:
            current = [head.group(1)]
            found.setdefault(head.group(2), []).append(current)
        elif current is not None and line.startswith(" " * 8):
            current.append(line.strip())
        else:
            current = None
    return {task_id: [" ".join(parts) for parts in lines] for task_id, lines in found.items()}


def users_of(task_id):
    """The tasks whose function uses ``task_id``'s, directly or through other tasks (course.yml ``uses``)."""
    users = {task_id}
    while True:
        more = {task.id for task in MANIFEST.tasks if users & set(task.uses)} - users
        if not more:
            return users
        users |= more


def test_the_stubs_fail_naming_every_task_once_as_not_implemented(course):
    printed = validate(course, course / "release" / A1.package)
    assert "VALIDATION FAILED" in printed and SUCCESS not in printed
    lines = task_lines(printed)
    assert sorted(lines) == sorted(task.id for task in A1.tasks), printed
    for task in A1.tasks:
        header = public_checks.header(task.id, LANG)
        not_implemented = {t("selfcheck.not_implemented", LANG, header=header)} | {
            t("selfcheck.needs_other", LANG, header=header, other=other.id) for other in A1.tasks}
        assert len(lines[task.id]) == 1 and lines[task.id][0] in not_implemented, lines[task.id]


def test_the_reference_passes(course, tmp_path):
    printed = validate(course, student_copy(course, tmp_path / "correct", package_source=mistakes.SOLUTIONS_DIR))
    assert SUCCESS in printed and "FAILED" not in printed, printed
    assert task_lines(printed) == {}


def test_a_mistake_fails_its_task_and_no_task_that_does_not_use_it(course, tmp_path):
    printed = validate(course, student_copy(course, tmp_path / "buggy", mistake=MISTAKE))
    assert "VALIDATION FAILED" in printed
    lines = task_lines(printed)
    assert MISTAKE.task_id in lines, printed
    assert set(lines) <= users_of(MISTAKE.task_id), sorted(set(lines) - users_of(MISTAKE.task_id))
    header = public_checks.header(MISTAKE.task_id, LANG)
    assert lines[MISTAKE.task_id] == [line for line in lines[MISTAKE.task_id] if line.startswith(header)]
    hint = t("test.hint", LANG, hint=MANIFEST.task(MISTAKE.task_id).text("hint", LANG))
    assert lines[MISTAKE.task_id][0].endswith(hint), lines[MISTAKE.task_id]


def test_the_release_ships_the_self_check_and_no_solution_code(course, tmp_path):
    release = course / "release" / A1.package
    runtime = release / VENDORED_RUNTIME
    for relative, text in vendored_runtime_files().items():
        assert (runtime / relative).read_text(encoding="utf-8") == text, relative
    assert (runtime / "course.yml").is_file()
    with_fixtures = [task.id for task in A1.tasks if public_checks.uses_fixtures(task.id)]
    assert with_fixtures and all((runtime / "fixtures" / f"{task_id}.json").read_bytes() ==
                                 (FIXTURES_DIR / f"{task_id}.json").read_bytes() for task_id in with_fixtures)
    assert notebooks.release_problems(course, A1.package) == []
    # the leak scan covers the new files: a solution module or a stray file in the runtime is caught
    leaky = tmp_path / "leaky"
    shutil.copytree(course, leaky, ignore=shutil.ignore_patterns("gradebook.db"))
    shutil.copyfile(mistakes.SOLUTIONS_DIR / "a1_vanilla_rnn" / "rnn.py", leaky / "release" / A1.package /
                    VENDORED_RUNTIME / "rnn.py")
    problems = notebooks.release_problems(leaky, A1.package)
    assert any("rnn_course_runtime/rnn.py" in problem and "not a file of the vendored runtime" in problem
               for problem in problems), problems
    assert any(problem.startswith(f"release/{A1.package}/rnn_course_runtime/rnn.py:") and "solution line" in problem
               for problem in problems), problems
