"""``course nbgrader --out DIR``: the nbgrader course directory, from the jupytext notebooks.

The notebooks are kept in git as jupytext percent-format text
(``notebooks/<package>.py``, one per assignment, nbgrader cell metadata in the
cell headers, a stable ID in every Markdown cell's header). Other languages keep
only their Markdown cells, keyed by those IDs, in
``notebooks/translations/<package>.<lang>.md`` (:mod:`.notebook_translations`);
the code cells always come from the English notebook. This verb writes an
nbgrader course directory::

    DIR/nbgrader_config.py                         copy of the repository's nbgrader_config.py
    DIR/source/<package>/<package>.ipynb           the notebook (kernel python3), in the language of --lang
    DIR/source/<package>/assignments/...           the student stubs (from the committed assignments/):
                                                   the assignment's package, the packages it imports, common/
    DIR/source/<package>/rnn_course_runtime/...    what the graded cells' self-check imports: the runtime as
                                                   the student release vendors it, its course.yml, and
                                                   fixtures/ with the public fixtures of the assignment's tasks
    DIR/release/<package>/...                      written by ``nbgrader generate_assignment <package> --force``

where ``<package>`` is the assignment's package in ``course.yml``
(``a1_vanilla_rnn``, ...), also the nbgrader assignment name. The graded cells
run the public checks of their tasks (``check_tasks``, :mod:`.graded_cells`), so
that ``nbgrader validate`` tells the student which tasks still fail; the kernel
never holds the graders or the reference, and the cells earn nothing.
``nbgrader autograde`` runs no student code (:mod:`.nbgrader_autograde`) and
records 0 for them; ``course nbgrader-grade`` (:mod:`.nbgrader_grade`) grades
the collected submissions in the sandbox and writes the points into the gradebook. ``autograder/authoring/cli.py`` registers
the verb with :func:`add_arguments` and :func:`run`.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ..runtime.manifest import LANGUAGES, REPO_ROOT, load_manifest
from . import notebook_translations
from .nbgrader_self_check import is_cache, stray_runtime_files, write_self_check_runtime
from .release import VENDORED_RUNTIME
from .graded_cells import GradedCellError, fill_graded_cells, graded_task_ids
from .question_cells import add_question_cells, answer_cell_problems, is_answer_cell

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
STUBS_DIR = REPO_ROOT / "assignments"
CONFIG_FILE = REPO_ROOT / "nbgrader_config.py"
STUDENT_PACKAGE = "assignments"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
SIBLING_IMPORT = re.compile(r"^\s*from \.\.(\w+)", re.MULTILINE)
GRADER_IMPORT = re.compile(r"\b(import|from)\s+(autograder|solutions)\b")
GRADE_ID = re.compile(r"[a-zA-Z0-9_-]+")
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"


class NotebookBuildError(RuntimeError):
    """A notebook is missing or malformed, or an nbgrader command failed."""


def notebook_path(assignment, notebooks_dir=NOTEBOOKS_DIR):
    """notebooks/<package>.py, the jupytext source of an assignment's (English) notebook."""
    return Path(notebooks_dir) / f"{assignment.package}.py"


def translation_path(assignment, lang, notebooks_dir=NOTEBOOKS_DIR):
    """notebooks/translations/<package>.<lang>.md: the Markdown cells of the notebook in ``lang``, by cell ID."""
    return notebook_translations.translation_path(assignment, lang, notebooks_dir)


def load_notebook(assignment, notebooks_dir=NOTEBOOKS_DIR, lang="en"):
    """The assignment's notebook in ``lang``: the English notebook, with the text of each Markdown cell replaced
    by the translation with the same cell ID for another language (code cells, metadata and order always come
    from the English one), and its graded cells filled in from course.yml (:mod:`.graded_cells`). Every Markdown
    cell must have an ID (``# %% [markdown] id="..."``), in English too; raises
    :class:`~autograder.authoring.notebook_translations.TranslationError` naming the cells that do not fit."""
    if lang not in LANGUAGES:
        raise NotebookBuildError(f"unknown notebook language {lang!r}; choose from {', '.join(LANGUAGES)}")
    path = notebook_path(assignment, notebooks_dir)
    nb = read_notebook(path)
    if lang == "en":
        notebook_translations.markdown_cell_ids(nb, path)
    else:
        nb = notebook_translations.translate(nb, path, translation_path(assignment, lang, notebooks_dir))
    try:
        fill_graded_cells(nb, assignment, lang)
    except GradedCellError as error:
        raise NotebookBuildError(f"{path} ({lang}): {error}") from None
    return add_question_cells(nb, assignment, lang)  # the written questions, graded by hand (.question_cells)


def read_notebook(path):
    """The jupytext percent-format notebook at ``path`` as an nbformat v4 notebook with kernel python3."""
    import jupytext

    path = Path(path)
    if not path.is_file():
        raise NotebookBuildError(f"{path}: notebook not found")
    nb = jupytext.read(path, fmt="py:percent")
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def _nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


def graded_cells(nb):
    """[(grade_id, points, [task IDs])] of the graded code cells of a built notebook (:func:`load_notebook`), the
    task IDs read from the comment :func:`~autograder.authoring.graded_cells.graded_source` wrote (the written
    questions' answer cells, graded by hand, are not among them: :mod:`.question_cells`)."""
    return [(_nbgrader_meta(cell).get("grade_id"), _nbgrader_meta(cell).get("points"), graded_task_ids(cell.source))
            for cell in nb.cells if _nbgrader_meta(cell).get("grade") and not is_answer_cell(cell)]


def notebook_problems(nb, assignment):
    """Every problem of an assignment's notebook (empty when it can be released and graded)."""
    from nbgrader.nbgraderformat import ValidationError
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

    problems = []
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append("the kernel is not python3")
    try:
        MetadataValidatorV3().validate_nb(nb)
    except ValidationError as error:
        problems.append(f"nbgrader metadata: {error}")
    for cell in nb.cells:
        meta = _nbgrader_meta(cell)
        grade_id = meta.get("grade_id", "")
        if meta and not GRADE_ID.fullmatch(str(grade_id)):
            problems.append(f"grade_id {grade_id!r} does not match [a-zA-Z0-9_-]+")
        if meta and meta.get("schema_version") != 3:
            problems.append(f"cell {grade_id!r}: schema_version is not 3")
        if is_answer_cell(cell):
            continue  # a written question's answer cell: checked by answer_cell_problems
        if meta.get("solution"):
            if meta.get("grade"):
                problems.append(f"cell {grade_id!r} is both a solution and a graded cell")
            if BEGIN_SOLUTION not in cell.source or END_SOLUTION not in cell.source:
                problems.append(f"solution cell {grade_id!r} has no {BEGIN_SOLUTION} / {END_SOLUTION} block")
        if meta.get("grade"):
            if cell.cell_type != "code" or not meta.get("locked"):
                problems.append(f"graded cell {grade_id!r} must be a locked code cell")
    tasks = {task.id: task for task in assignment.tasks}
    checked = {}
    for grade_id, points, task_ids in graded_cells(nb):
        if not task_ids:
            problems.append(f"graded cell {grade_id!r} names no task (its first comment is written by the build)")
        for task_id in task_ids:
            if task_id not in tasks:
                problems.append(f"graded cell {grade_id!r} checks {task_id}, not a task of {assignment.id}")
            checked.setdefault(task_id, []).append(grade_id)
        want = sum(tasks[task_id].points for task_id in task_ids if task_id in tasks)
        if points is None or abs(float(points) - want) > 1e-9:
            problems.append(f"graded cell {grade_id!r} has {points} points, its tasks {', '.join(task_ids)} "
                            f"have {want:g} in course.yml")
    for task_id in tasks:
        if len(checked.get(task_id, [])) != 1:
            problems.append(f"task {task_id} is checked by {len(checked.get(task_id, []))} graded cells "
                            f"({', '.join(checked.get(task_id, [])) or 'none'}), expected exactly one")
    total = sum(float(points or 0) for _, points, _ in graded_cells(nb))
    if abs(total - assignment.points) > 1e-9:
        problems.append(f"the graded cells have {total:g} points, {assignment.id} has {assignment.points:g}")
    return problems + answer_cell_problems(nb, assignment)


def write_ipynb(nb, path):
    import nbformat

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
    return path


def needed_packages(package, stubs_dir=STUBS_DIR):
    """``package``, every sibling package it imports (``from ..x import``), transitively, and ``common``."""
    todo, seen = [package, "common"], []
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        folder = Path(stubs_dir) / name
        if not folder.is_dir():
            raise NotebookBuildError(f"{folder}: package not found (run `course stubs`)")
        seen.append(name)
        for source in sorted(folder.glob("*.py")):
            todo.extend(SIBLING_IMPORT.findall(source.read_text(encoding="utf-8")))
    return seen


def copy_student_package(package, destination, stubs_dir=STUBS_DIR):
    """Copy assignments/__init__.py and the packages ``package`` needs into ``destination``/assignments."""
    target = Path(destination) / STUDENT_PACKAGE
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copyfile(Path(stubs_dir) / "__init__.py", target / "__init__.py")
    for name in needed_packages(package, stubs_dir):
        shutil.copytree(Path(stubs_dir) / name, target / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def select_assignments(manifest, names=None):
    """The assignments named by ID (``a1``) or package (``a1_vanilla_rnn``); all of them by default."""
    if not names:
        return list(manifest.assignments)
    chosen = []
    for name in names:
        matches = [a for a in manifest.assignments if name in (a.id, a.package)]
        if not matches:
            known = ", ".join(f"{a.id} ({a.package})" for a in manifest.assignments)
            raise NotebookBuildError(f"unknown assignment {name!r}; choose from {known}")
        chosen.extend(a for a in matches if a not in chosen)
    return chosen


def write_source(out, manifest=None, names=None, notebooks_dir=NOTEBOOKS_DIR, stubs_dir=STUBS_DIR, lang=None):
    """Write nbgrader_config.py and source/<package>/ into the course directory ``out``; returns the packages.

    ``lang`` picks the notebooks' language (default: the manifest's ``course.language``)."""
    manifest = manifest or load_manifest()
    lang = lang or manifest.language
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CONFIG_FILE, out / "nbgrader_config.py")
    written = []
    for assignment in select_assignments(manifest, names):
        folder = out / "source" / assignment.package
        if folder.exists():
            shutil.rmtree(folder)
        nb = load_notebook(assignment, notebooks_dir, lang)
        problems = notebook_problems(nb, assignment)
        if problems:
            raise NotebookBuildError(f"{notebook_path(assignment, notebooks_dir)} ({lang}):\n  " + "\n  ".join(problems))
        write_ipynb(nb, folder / f"{assignment.package}.ipynb")
        copy_student_package(assignment.package, folder, stubs_dir)
        try:
            write_self_check_runtime(assignment, manifest, folder, lang)
        except FileNotFoundError as error:
            raise NotebookBuildError(str(error)) from None
        written.append(assignment.package)
    return written


def nbgrader(args, course_dir, check=True):
    """Run ``nbgrader ARGS`` in ``course_dir`` with this interpreter; returns the CompletedProcess.

    The interpreter's scripts directory goes first on PATH: nbgrader runs the
    ``alembic`` command of its environment to open the gradebook. PYTHONPATH is
    dropped, so that the notebook kernel imports ``assignments`` from the
    submission's folder.
    """
    env = dict(os.environ)
    # the kernel imports the student's package from the notebook's folder (its working directory), never a
    # checkout's assignments/ through PYTHONPATH; nothing the notebooks run needs this repository
    env.pop("PYTHONPATH", None)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    process = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_dir, capture_output=True,
                             text=True, env=env)
    if check and process.returncode != 0:
        raise NotebookBuildError(f"nbgrader {' '.join(args)} failed (exit code {process.returncode}):\n"
                                 f"{process.stdout}\n{process.stderr}")
    return process


def solution_block_lines(nb):
    """The non-blank lines strictly inside the ``### BEGIN SOLUTION`` / ``### END SOLUTION`` blocks of ``nb``."""
    lines, inside = set(), False
    for line in (line.strip() for cell in nb.cells for line in cell.source.splitlines()):
        if BEGIN_SOLUTION in line or END_SOLUTION in line:
            inside = BEGIN_SOLUTION in line
        elif inside and line:
            lines.add(line)
    return lines


def release_problems(out, package):
    """Solution code or hidden checks found in release/<package>/ (empty when it is safe to hand out): a line of
    solution code in any file (the notebook, the stubs, the vendored runtime, the fixtures), an import of the
    graders or the solutions in the notebook, or a file beside the notebook, ``assignments/`` and the vendored
    runtime (its files, course.yml and public fixtures)."""
    import nbformat

    from .leak_scan import scan_for_solution_lines

    release = Path(out) / "release" / package
    source_nb = nbformat.read(Path(out) / "source" / package / f"{package}.ipynb", as_version=4)
    release_nb = nbformat.read(release / f"{package}.ipynb", as_version=4)
    problems = [f"release/{package}/{problem}" for problem in
                scan_for_solution_lines(release, REPO_ROOT / "solutions")]
    secret = solution_block_lines(source_nb)
    for index, cell in enumerate(release_nb.cells):
        for line in cell.source.splitlines():
            if line.strip() in secret or GRADER_IMPORT.search(line) or "BEGIN SOLUTION" in line:
                problems.append(f"release/{package}/{package}.ipynb cell {index}: {line.strip()!r}")
    shipped = {f"{package}.ipynb", STUDENT_PACKAGE, VENDORED_RUNTIME}
    problems += [f"release/{package}/{path.name}: not part of the student version (only {', '.join(sorted(shipped))})"
                 for path in sorted(release.iterdir()) if path.name not in shipped and not is_cache(path)]
    return problems + [f"release/{package}/{problem}" for problem in stray_runtime_files(release)]


def generate_assignments(out, packages):
    """``nbgrader generate_assignment <package> --force`` for each package (writes release/<package>/), then
    checks that no solution line or hidden check reached the student version."""
    for package in packages:
        nbgrader(["generate_assignment", package, "--force"], out)
        problems = release_problems(out, package)
        if problems:
            raise NotebookBuildError("the student version leaks:\n  " + "\n  ".join(problems))
    return [Path(out) / "release" / package for package in packages]


def build_course(out, manifest=None, names=None, generate=True, lang=None):
    """The whole verb: source/ and nbgrader_config.py, then the student versions in release/."""
    packages = write_source(out, manifest, names, lang=lang)
    if generate:
        generate_assignments(out, packages)
    return packages


def add_arguments(parser):
    parser.add_argument("--out", type=Path, required=True,
                        help="the nbgrader course directory to write (created; source/<assignment> is replaced)")
    parser.add_argument("--assignment", action="append", metavar="A",
                        help="only this assignment, by ID (a1) or package (a1_vanilla_rnn); repeatable")
    parser.add_argument("--no-generate", action="store_true",
                        help="write source/ and nbgrader_config.py only, do not run nbgrader generate_assignment")
    parser.add_argument("--lang", choices=LANGUAGES,
                        help="language of the notebooks' prose: en as in notebooks/<a>.py, ko with the Markdown "
                             "cells of notebooks/translations/<a>.ko.md, by cell ID "
                             "(default: course.yml's course.language)")


def run(args):
    manifest_path = getattr(args, "manifest", None)
    manifest = load_manifest(manifest_path) if manifest_path else load_manifest()
    packages = build_course(args.out, manifest, args.assignment, generate=not args.no_generate,
                            lang=getattr(args, "lang", None) or manifest.language)
    for package in packages:
        print(f"wrote {args.out / 'source' / package}" +
              ("" if args.no_generate else f" and {args.out / 'release' / package}"))
    print(f"nbgrader course directory: {args.out} (run nbgrader commands from there)")
