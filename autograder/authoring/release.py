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
from . import release_experiments, staging
from .leak_scan import scan_for_revealing_code, scan_for_solution_lines
from .staging import withhold
from .solution_markers import strip_solutions
from ..grading.written_answers import SHEET_NAME, answer_sheet

SOLUTIONS_DIR = REPO_ROOT / "solutions"
PUBLIC_TESTS_DIR = REPO_ROOT / "tests" / "public"
RUNTIME_DIR = REPO_ROOT / "autograder" / "runtime"
# The runtime as the student release names it: never "autograder", so that nothing of the
# grader's side can shadow it, and it can shadow nothing of the grader's side.
VENDORED_RUNTIME = "rnn_course_runtime"
# What the public tests need from the runtime (the graders' mistakes, sandbox and reports stay out).
# The notebooks' self-check cells (``course nbgrader``) need the same files.
RUNTIME_FILES = ("__init__.py", "manifest.py", "harness.py", "fixture_files.py", "problems.py", "gradient_check.py",
                 "distribution_checks.py", "fingerprint.py", "messages.py", "public_checks.py",
                 "notebook_self_check.py", "cases_*.py", "messages/*.yml")
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
    # Staged release: the assignments graded by this release's workflow (None: all), the packages it
    # ships (the graded ones and the earlier ones they import, where the student's own code goes) and the
    # packages whose graded solutions nothing in it may reveal (the shipped ones and every later one).
    graded: tuple = None
    protected: tuple = None
    withheld: list = field(default_factory=list)
    course: object = None  # the full manifest of a staged release (task ids of withheld code)

    @property
    def packages(self):
        return [a.package for a in self.manifest.assignments]

    @property
    def graded_tasks(self):
        return tuple(task for a in self.manifest.assignments if self.graded is None or a.id in self.graded
                     for task in a.tasks)

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
    packages = ["common"] + build.packages
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
def withhold_revealing_code(build):
    """Withhold provided code that would reveal a protected graded solution (see ``staging.withhold``)."""
    if build.protected is None:
        build.protected = tuple(build.packages)
    function_tasks = {(task.package, task.function): task.id for task in (build.course or build.manifest).tasks}
    build.withheld += withhold(build.out, build.written, build.solutions_dir, build.protected, function_tasks,
                               build.lang)


@step("write_assignments")
def write_public_tests(build):
    """tests/public/ of this repository becomes tests/ of the student repository; the runtime is vendored."""
    shipped_tasks = {task.id for task in build.manifest.tasks}
    for source in sorted(PUBLIC_TESTS_DIR.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        if source.parent.name == "fixtures" and source.suffix == ".json" and source.stem not in shipped_tasks:
            continue
        relative = Path("tests") / source.relative_to(PUBLIC_TESTS_DIR)
        if source.suffix == ".py":
            build.write(relative, _vendor_imports(source.read_text(encoding="utf-8"), relative))
        else:
            (build.out / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, build.out / relative)
            build.written.append(relative)
    for relative, text in vendored_runtime_files().items():
        build.write(Path(VENDORED_RUNTIME) / relative, text)


def vendored_runtime_files():
    """{path inside the vendored runtime: text} of the runtime files a student's copy holds (``RUNTIME_FILES``).

    The runtime imports itself relatively, so its files are copied as they are; the public tests and the hidden
    suite that import it are rewritten by :func:`_vendor_imports`."""
    return {source.relative_to(RUNTIME_DIR): source.read_text(encoding="utf-8")
            for pattern in RUNTIME_FILES for source in sorted(RUNTIME_DIR.glob(pattern))}


def course_yml_in_language(text, lang, where="course.yml"):
    """The text of a course.yml with its ``course.language`` set to ``lang`` (the messages' language)."""
    language_line = re.compile(r"^(  language: )(\w+)$", re.MULTILINE)
    if len(language_line.findall(text)) != 1:
        raise BuildError(f"{where}: expected one line '  language: <code>' under course:")
    return language_line.sub(lambda m: m.group(1) + lang, text)


@step("write_assignments")
def write_project_files(build):
    """course.yml, pyproject.toml, README.md and .gitignore of the student repository."""
    build.write("course.yml", course_yml_in_language(build.manifest.path.read_text(encoding="utf-8"), build.lang,
                                                     build.manifest.path))
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
    for template, name in (("conftest_template.py", "conftest.py"), ("tests_template.py", "test_hidden.py"),
                           ("report_template.py", "report.py")):
        relative = HIDDEN_DIR / name
        build.write(relative, _vendor_imports((HIDDEN_SUITE_DIR / template).read_text(encoding="utf-8"), relative))
    for relative, text in hidden_files(build.manifest).items():
        build.write(HIDDEN_DIR / relative, text)


PUBLIC_TIMEOUT_SECONDS = 120  # per public test (pytest-timeout); the slowest takes about a second
HIDDEN_TIMEOUT_SECONDS = 60  # per hidden task (pytest-timeout); the slowest takes about a second


def _whole_points(task):
    if task.points != int(task.points) or task.points <= 0:
        raise BuildError(f"course.yml: Task {task.id} has {task.points} points; the workflow's runners need "
                         f"whole positive points (the reporter's max_score is an integer)")
    return int(task.points)


@step("write_project_files", "write_hidden_suite")
def write_workflow(build):
    """.github/workflows/classroom.yml: public tests, the hidden suite, its points per graded task; no token."""
    tasks = build.graded_tasks
    text = WORKFLOW_TEMPLATE.read_text(encoding="utf-8")
    for key, value in (("TASKS", ",".join(task.id for task in tasks)),
                       ("POINTS", ",".join(str(_whole_points(task)) for task in tasks)),
                       ("PUBLIC_TIMEOUT", str(PUBLIC_TIMEOUT_SECONDS)),
                       ("HIDDEN_TIMEOUT", str(HIDDEN_TIMEOUT_SECONDS))):
        text = text.replace("{{" + key + "}}", value)
    build.write(".github/workflows/classroom.yml", text)


@step("write_assignments")
def write_experiments_and_notebooks(build):
    """experiments/ (on the student's code), notebooks/ and the handouts' diagrams: see release_experiments.py."""
    release_experiments.write_experiments(build)
    release_experiments.write_notebooks(build)
    release_experiments.write_diagrams(build)


@step("write_assignments", "withhold_revealing_code", "write_public_tests", "write_project_files",
      "write_hidden_suite", "write_workflow", "write_experiments_and_notebooks")
def check_no_solution_leaks(build):
    """Abort when any line of solution code, or any instructor-only file, is in the release."""
    problems = scan_for_solution_lines(build.out, build.solutions_dir)
    problems += scan_for_revealing_code(build.out, build.solutions_dir, build.protected or build.packages)
    if problems:
        raise BuildError("the release leaks solution code:\n  " + "\n  ".join(problems))


RELEASE_STEPS = (write_assignments, withhold_revealing_code, write_public_tests, write_project_files,
                 write_hidden_suite, write_workflow, write_experiments_and_notebooks, check_no_solution_leaks)


def release_selection(manifest, assignment_ids, solutions_dir=SOLUTIONS_DIR):
    """(shipped assignment ids, protected packages) of a staged release (``staging.release_selection``)."""
    try:
        return staging.release_selection(manifest, assignment_ids, solutions_dir)
    except staging.StagingError as error:
        raise BuildError(str(error)) from None


def build_student_repo(out, manifest=None, lang=None, assignments=None):
    """Write a standalone student repository into ``out`` (new or empty), in ``lang`` (default: course.yml's).

    ``assignments``: the ids of the assignments this release grades (a staged release, e.g. ("a2",));
    None releases the whole course. See ``release_selection`` for what is shipped and protected.
    """
    manifest = manifest or load_manifest()
    lang = lang or manifest.language
    if lang not in LANGUAGES:
        raise BuildError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BuildError(f"{out} is not empty; choose a new directory")
    out.mkdir(parents=True, exist_ok=True)
    graded = protected = None
    course = manifest
    if assignments:
        shipped, protected = release_selection(manifest, tuple(dict.fromkeys(assignments)))
        graded = tuple(dict.fromkeys(assignments))
        try:
            text = staging.filter_manifest_text(manifest.path.read_text(encoding="utf-8"), shipped)
        except staging.StagingError as error:
            raise BuildError(str(error)) from None
        (out / "course.yml").write_text(text, encoding="utf-8")
        manifest = load_manifest(out / "course.yml", solutions_dir=SOLUTIONS_DIR)
    else:
        protected = tuple(a.package for a in manifest.assignments)
    build = Build(manifest, out, lang=lang, graded=graded, protected=protected, course=course)
    return run_steps(build, RELEASE_STEPS)
