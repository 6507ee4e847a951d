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

import ast
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..runtime.manifest import LANGUAGES, REPO_ROOT, load_manifest
from ..runtime.messages import task_text
from .handouts import render_handout
from .hidden_cases import hidden_files
from .leak_scan import graded_solutions, revealed_solutions, scan_for_revealing_code, scan_for_solution_lines
from .solution_markers import strip_solutions

SOLUTIONS_DIR = REPO_ROOT / "solutions"
PUBLIC_TESTS_DIR = REPO_ROOT / "tests" / "public"
RUNTIME_DIR = REPO_ROOT / "autograder" / "runtime"
# The runtime as the student release names it: never "autograder", so that nothing of the
# grader's side can shadow it, and it can shadow nothing of the grader's side.
VENDORED_RUNTIME = "rnn_course_runtime"
# What the public tests need from the runtime (the graders' mistakes, sandbox and reports stay out).
RUNTIME_FILES = ("__init__.py", "manifest.py", "harness.py", "fixture_files.py", "problems.py", "gradient_check.py",
                 "fingerprint.py", "messages.py", "cases_*.py", "messages/*.yml")
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
            task.id, task_text(task, "hint", lang))
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


ASSIGNMENT_STEPS = (write_stubs, write_handouts)


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


def _withheld_body(name, package, function, task_id):
    return [f"    # Not provided in this release: it would reveal the solution of Task {task_id} ({function}).\n",
            f"    # Write it yourself (not graded), from your own {function} in {package}.\n",
            f'    raise NotImplementedError("{name}: not provided in this release (it would reveal Task {task_id}); '
            f'write it from your own {function}")\n']


@step("write_assignments")
def withhold_revealing_code(build):
    """Replace the body of any provided function that reveals a protected graded solution (the student writes it).

    A2's provided ``relu_rnn_backward`` is Task 1.4's BPTT loop with another step function: a release that
    ships A1 (graded, or as the place of the student's own A1 code) withholds it.
    """
    if build.protected is None:
        build.protected = tuple(build.packages)
    graded = graded_solutions(build.solutions_dir, build.protected)
    function_tasks = {(task.package, task.function): task.id for task in (build.course or build.manifest).tasks}
    for relative in list(build.written):
        if relative.suffix != ".py" or relative.parts[0] != "assignments":
            continue
        path = build.out / relative
        text = path.read_text(encoding="utf-8")
        found = revealed_solutions(text, graded, str(relative))
        if not found:
            continue
        lines = text.splitlines(keepends=True)
        tree = {node.name: node for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)}
        # Rewrite from the bottom up so that earlier line numbers stay valid.
        first_by_function = {}
        for name, _, _, key, shared in found:
            best = first_by_function.get(name)
            if best is None or shared > best[1]:
                first_by_function[name] = (key, shared)
        for name in sorted(first_by_function, key=lambda n: -tree[n].lineno):
            (package, function), _ = first_by_function[name]
            node = tree[name]
            body_start = node.body[1].lineno if len(node.body) > 1 and isinstance(node.body[0], ast.Expr) \
                else node.body[0].lineno
            docstring = "".join(lines[node.lineno - 1: body_start - 1]).replace('"""Provided: ', '"""Yours to write (not graded): ', 1)
            lines[node.lineno - 1: node.end_lineno] = [docstring] + _withheld_body(
                name, package, function, function_tasks.get((package, function), "?"))
            build.withheld.append(f"{relative}: {name} (reveals {package}.{function})")
        path.write_text("".join(lines), encoding="utf-8")
    _note_withheld_in_handouts(build)


WITHHELD_NOTE = {
    "en": "\n## Not provided in this release\n\nThese functions would reveal a graded solution of an assignment "
          "this release holds, so their bodies are yours to write (not graded; the stub says from which of "
          "your functions):\n\n",
    "ko": "\n## 이번 배포에서 제공되지 않는 함수\n\n아래 함수들은 이 배포에 포함된 과제의 채점 대상 풀이를 드러내므로, "
          "본문을 직접 작성해야 합니다(채점하지 않음; 어떤 함수를 바탕으로 쓰면 되는지는 스텁에 적혀 있습니다):\n\n",
}


def _note_withheld_in_handouts(build):
    """Append the list of withheld functions to the handouts of their packages (every language)."""
    by_package = {}
    for line in build.withheld:
        relative, rest = line.split(": ", 1)
        by_package.setdefault(Path(relative).parts[1], []).append(f"- `{rest.split(' ')[0]}` "
                                                                  f"(`{Path(relative).name}`)\n")
    for package, items in by_package.items():
        for lang in LANGUAGES:
            handout = build.out / "assignments" / package / ("README.md" if lang == "en" else f"README.{lang}.md")
            if handout.exists():
                handout.write_text(handout.read_text(encoding="utf-8") + WITHHELD_NOTE[lang] + "".join(items),
                                   encoding="utf-8")


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


@step("write_assignments", "withhold_revealing_code", "write_public_tests", "write_project_files",
      "write_hidden_suite", "write_workflow")
def check_no_solution_leaks(build):
    """Abort when any line of solution code, or any instructor-only file, is in the release."""
    problems = scan_for_solution_lines(build.out, build.solutions_dir)
    problems += scan_for_revealing_code(build.out, build.solutions_dir, build.protected or build.packages)
    if problems:
        raise BuildError("the release leaks solution code:\n  " + "\n  ".join(problems))


RELEASE_STEPS = (write_assignments, withhold_revealing_code, write_public_tests, write_project_files, write_hidden_suite, write_workflow,
                 check_no_solution_leaks)


ASSIGNMENT_LINE = re.compile(r"^  - id: (\S+)\s*$", re.MULTILINE)


def filter_manifest_text(text, keep):
    """course.yml with only the assignments whose ids are in ``keep`` (comments and order kept).

    An assignment's block runs from its ``  - id:`` line to the next one or the end of the file
    (``assignments:`` is the manifest's last top-level key; checked).
    """
    starts = [(m.start(), m.group(1).strip('"\'')) for m in ASSIGNMENT_LINE.finditer(text)]
    if not starts:
        raise BuildError("course.yml: no '  - id: <assignment>' line under assignments:")
    if re.search(r"^\S", text[starts[0][0]:], re.MULTILINE):
        raise BuildError("course.yml: assignments: must be the last top-level key for a staged release")
    out = [text[:starts[0][0]]]
    for (start, assignment_id), (end, _) in zip(starts, starts[1:] + [(len(text), None)]):
        if assignment_id in keep:
            out.append(text[start:end])
    return "".join(out)


def _imported_packages(solutions_dir, package):
    """The course packages that ``package``'s solution files import (``from ..a1_vanilla_rnn...``)."""
    found = set()
    for path in (Path(solutions_dir) / package).glob("*.py"):
        found.update(re.findall(r"^from \.\.(\w+)", path.read_text(encoding="utf-8"), re.MULTILINE))
    return found


def release_selection(manifest, assignment_ids, solutions_dir=SOLUTIONS_DIR):
    """What a staged release ships and protects.

    Inputs:
    - manifest: the full course manifest
    - assignment_ids: the assignments the release grades (e.g. ("a2",))

    Returns:
    - (shipped ids, protected packages): shipped = the graded assignments and, transitively, every
      earlier one whose code they import or whose tasks they use (the student's own code goes there);
      protected = the shipped packages and those of every assignment after the last graded one.
    """
    by_id = {a.id: a for a in manifest.assignments}
    by_package = {a.package: a for a in manifest.assignments}
    unknown = [a for a in assignment_ids if a not in by_id]
    if unknown:
        raise BuildError(f"unknown assignment(s) {unknown}; course.yml has {', '.join(by_id)}")
    task_owner = {task.id: task.assignment_id for task in manifest.tasks}
    shipped, todo = set(), list(assignment_ids)
    while todo:
        current = by_id[todo.pop()]
        if current.id in shipped:
            continue
        shipped.add(current.id)
        needed = {by_package[p].id for p in _imported_packages(solutions_dir, current.package) if p in by_package}
        needed |= {task_owner[used] for task in current.tasks for used in task.uses}
        todo.extend(needed - shipped)
    last = max(by_id[a].number for a in assignment_ids)
    protected = [a.package for a in manifest.assignments if a.id in shipped or a.number > last]
    return tuple(a.id for a in manifest.assignments if a.id in shipped), tuple(protected)


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
        (out / "course.yml").write_text(filter_manifest_text(manifest.path.read_text(encoding="utf-8"), shipped),
                                        encoding="utf-8")
        manifest = load_manifest(out / "course.yml", solutions_dir=SOLUTIONS_DIR)
    else:
        protected = tuple(a.package for a in manifest.assignments)
    build = Build(manifest, out, lang=lang, graded=graded, protected=protected, course=course)
    return run_steps(build, RELEASE_STEPS)
