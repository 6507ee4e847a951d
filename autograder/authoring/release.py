"""``course stubs`` and ``course release``: build the student tree from the solutions.

One writer produces both outputs. ``build_assignments`` turns ``solutions/`` into
the ``assignments/`` package (stubs, provided helpers verbatim, handouts), which
is committed in this repository and checked for drift by the tests.
``build_student_repo`` writes a complete, standalone student repository around
it: the assignments, the public tests and their fixtures, ``course.yml``, a
``pyproject.toml``, a student README, and the workflow of its own CI with its
hidden suite (``.github/feedback/``: precomputed inputs, the reference's outputs on
them and mistake fingerprints; feedback only, the grade of record comes from
instructor-side grading or Gradescope). Solutions, graders, instructor tests and
tokens never enter it; a final step scans the written tree for any line of
solution code and aborts if it finds one.

A build is an explicit tuple of small steps; each step names the steps it needs
and the runner refuses to run it before them (after nbgrader's preprocessors).
"""

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..runtime.manifest import LANGUAGES, REPO_ROOT, load_manifest
from ..runtime.messages import task_text
from .handouts import render_handout
from .hidden_cases import hidden_files
from .leak_scan import scan_for_solution_lines
from . import release_experiments
from .solution_markers import strip_solutions
from ..grading.written_answers import SHEET_NAME, answer_sheet

SOLUTIONS_DIR = REPO_ROOT / "solutions"
PUBLIC_TESTS_DIR = REPO_ROOT / "tests" / "public"
RUNTIME_DIR = REPO_ROOT / "autograder" / "runtime"
# The runtime as the student release names it: never "autograder", so that nothing of the
# grader's side can shadow it, and it can shadow nothing of the grader's side.
VENDORED_RUNTIME = "rnn_course_runtime"
# What the public tests need from the runtime (the graders' mistakes, sandbox and reports stay out).
RUNTIME_FILES = ("__init__.py", "manifest.py", "harness.py", "fixture_files.py", "problems.py", "gradient_check.py",
                 "distribution_checks.py", "fingerprint.py", "messages.py", "cases_*.py", "messages/*.yml")
STUDENT_TEMPLATE_DIR = Path(__file__).resolve().parent / "student_template"
WORKFLOW_TEMPLATE = Path(__file__).resolve().parent / "delivery_templates" / "classroom.yml"
HIDDEN_SUITE_DIR = Path(__file__).resolve().parent / "hidden_suite"
HIDDEN_DIR = Path(".github") / "feedback"  # not "hidden": the leak scan refuses directories of that name
STUB_PACKAGE_DOC = '"""Student stubs of the RNN course, generated from the reference solutions by `course stubs`."""\n'


class BuildError(RuntimeError):
    """A release step failed or ran out of order."""


@dataclass
class Build:
    manifest: object
    out: Path
    solutions_dir: Path = SOLUTIONS_DIR
    lang: str = "en"
    done: list = field(default_factory=list)
    written: list = field(default_factory=list)

    def write(self, relative, text):
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.written.append(Path(relative))


def step(*requires):
    """Declare a build step and the steps that must have run before it."""
    def wrap(function):
        function.requires = requires
        return function
    return wrap


def run_steps(build, steps):
    for function in steps:
        missing = [name for name in function.requires if name not in build.done]
        if missing:
            raise BuildError(f"step '{function.__name__}' needs {missing} to run first")
        function(build)
        build.done.append(function.__name__)
    return build


def _tasks_by_file(manifest, lang="en"):
    by_file = {}
    for task in manifest.tasks:
        by_file.setdefault((task.package, task.file), {})[task.function] = (
            task.id, task_text(task, "nudge", lang))
    return by_file


@step()
def write_stubs(build):
    """Every .py file of every assignment package: stubs where a task lives, verbatim otherwise."""
    tasks = _tasks_by_file(build.manifest, build.lang)
    packages = ["common"] + [a.package for a in build.manifest.assignments]
    build.write("__init__.py", STUB_PACKAGE_DOC)
    for package in packages:
        for source in sorted((build.solutions_dir / package).glob("*.py")):
            text = source.read_text(encoding="utf-8")
            file_tasks = tasks.get((package, source.name), {})
            relative = source.relative_to(build.solutions_dir)
            stub = strip_solutions(text, file_tasks, filename=str(relative)) if package != "common" else text
            build.write(relative, stub)


@step("write_stubs")
def write_handouts(build):
    """assignments/<package>/README.md (English) and README.<lang>.md for every other language."""
    for assignment in build.manifest.assignments:
        for lang in LANGUAGES:
            name = "README.md" if lang == "en" else f"README.{lang}.md"
            build.write(Path(assignment.package) / name, render_handout(build.manifest, assignment,
                                                                         build.solutions_dir, lang))


@step("write_stubs")
def write_answer_sheets(build):
    """assignments/<package>/answers.md: the written questions of course.yml with room for the answers (in the
    build's language), collected by ``course grade`` and graded by hand. Rubrics never enter it."""
    for assignment in build.manifest.assignments:
        if assignment.questions:
            build.write(Path(assignment.package) / SHEET_NAME, answer_sheet(assignment, build.lang))


ASSIGNMENT_STEPS = (write_stubs, write_handouts, write_answer_sheets)


def build_assignments(out, manifest=None, lang="en"):
    """Write the generated ``assignments/`` tree into ``out`` (emptied first); TODO hints in ``lang``."""
    manifest = manifest or load_manifest()
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    return run_steps(Build(manifest, out, lang=lang), ASSIGNMENT_STEPS)


@step()
def write_assignments(build):
    sub = build_assignments(build.out / "assignments", build.manifest, build.lang)
    build.written.extend(Path("assignments") / path for path in sub.written)


def _vendor_imports(text, relative):
    """Point the public tests' imports of ``autograder.runtime`` at the vendored copy."""
    text = re.sub(r"\bautograder\.runtime\b", VENDORED_RUNTIME, text)
    if re.search(r"\bautograder\b", text):
        raise BuildError(f"{relative}: a public test refers to 'autograder' beyond its runtime")
    return text


@step("write_assignments")
def write_public_tests(build):
    """tests/public/ of this repository becomes tests/ of the student repository; the runtime is vendored."""
    for source in sorted(PUBLIC_TESTS_DIR.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        relative = Path("tests") / source.relative_to(PUBLIC_TESTS_DIR)
        if source.suffix == ".py":
            build.write(relative, _vendor_imports(source.read_text(encoding="utf-8"), relative))
        else:
            (build.out / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, build.out / relative)
            build.written.append(relative)
    for pattern in RUNTIME_FILES:
        for source in sorted(RUNTIME_DIR.glob(pattern)):
            build.write(Path(VENDORED_RUNTIME) / source.relative_to(RUNTIME_DIR), source.read_text(encoding="utf-8"))


@step("write_assignments")
def write_project_files(build):
    """course.yml, pyproject.toml, README.md and .gitignore of the student repository."""
    manifest_text = build.manifest.path.read_text(encoding="utf-8")
    language_line = re.compile(r"^(  language: )(\w+)$", re.MULTILINE)
    if len(language_line.findall(manifest_text)) != 1:
        raise BuildError(f"{build.manifest.path}: expected one line '  language: <code>' under course:")
    build.write("course.yml", language_line.sub(lambda m: m.group(1) + build.lang, manifest_text))
    for template in sorted(STUDENT_TEMPLATE_DIR.glob("*.template")):
        name = template.name.removesuffix(".template")
        if name.count(".") == 2:  # README.ko.md.template: the README of that language only
            if name.split(".")[1] != build.lang:
                continue
            name = name.split(".")[0] + "." + name.split(".")[2]
        elif name == "README.md" and build.lang != "en":
            continue
        build.write(name, template.read_text(encoding="utf-8").replace("{{COURSE_NAME}}", build.manifest.name))


@step("write_public_tests")
def write_hidden_suite(build):
    """.github/feedback/: the CI's hidden pytest suite, its precomputed cases and mistake fingerprints (no code)."""
    for template, name in (("conftest_template.py", "conftest.py"), ("tests_template.py", "test_hidden.py")):
        relative = HIDDEN_DIR / name
        build.write(relative, _vendor_imports((HIDDEN_SUITE_DIR / template).read_text(encoding="utf-8"), relative))
    for relative, text in hidden_files(build.manifest).items():
        build.write(HIDDEN_DIR / relative, text)


def runner_id(task):
    """The workflow step id (and reporter runner) of a task: ``task_1_2``."""
    return "task_" + task.id.replace(".", "_")


def _task_step(task):
    if task.points != int(task.points) or task.points <= 0:
        raise BuildError(f"course.yml: Task {task.id} has {task.points} points; the workflow's runners need "
                         f"whole positive points (autograding-command-grader's max-score is an integer)")
    return (f"      - name: Task {task.id} ({task.function})\n"
            f"        id: {runner_id(task)}\n"
            f"        uses: classroom-resources/autograding-command-grader@v1\n"
            f"        with:\n"
            f"          test-name: \"Task {task.id}\"\n"
            f"          command: python -m pytest .github/feedback -q -p no:cacheprovider -k \"test_task[{task.id}-\"\n"
            f"          timeout: 5\n"
            f"          max-score: {int(task.points)}\n")


@step("write_project_files", "write_hidden_suite")
def write_workflow(build):
    """.github/workflows/classroom.yml: public tests, the hidden suite, one points runner per task; no token."""
    tasks = build.manifest.tasks
    text = WORKFLOW_TEMPLATE.read_text(encoding="utf-8")
    text = text.replace("{{TASK_STEPS}}\n", "\n".join(_task_step(task) for task in tasks) + "\n")
    text = text.replace("{{RUNNER_ENV}}", "\n".join(
        f"          {runner_id(task).upper()}_RESULTS: ${{{{ steps.{runner_id(task)}.outputs.result }}}}"
        for task in tasks))
    text = text.replace("{{RUNNERS}}", ",".join(runner_id(task) for task in tasks))
    build.write(".github/workflows/classroom.yml", text)


@step("write_assignments")
def write_experiments_and_notebooks(build):
    """experiments/ (on the student's code), notebooks/ and the handouts' diagrams: see release_experiments.py."""
    release_experiments.write_experiments(build)
    release_experiments.write_notebooks(build)
    release_experiments.write_diagrams(build)


@step("write_assignments", "write_public_tests", "write_project_files", "write_hidden_suite", "write_workflow",
      "write_experiments_and_notebooks")
def check_no_solution_leaks(build):
    """Abort when any line of solution code, or any instructor-only file, is in the release."""
    problems = scan_for_solution_lines(build.out, build.solutions_dir)
    if problems:
        raise BuildError("the release leaks solution code:\n  " + "\n  ".join(problems))


RELEASE_STEPS = (write_assignments, write_public_tests, write_project_files, write_hidden_suite, write_workflow,
                 write_experiments_and_notebooks, check_no_solution_leaks)


def build_student_repo(out, manifest=None, lang=None):
    """Write a standalone student repository into ``out`` (new or empty), in ``lang`` (default: course.yml's)."""
    manifest = manifest or load_manifest()
    lang = lang or manifest.language
    if lang not in LANGUAGES:
        raise BuildError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BuildError(f"{out} is not empty; choose a new directory")
    out.mkdir(parents=True, exist_ok=True)
    return run_steps(Build(manifest, out, lang=lang), RELEASE_STEPS)
