"""Release steps that ship the experiments, the notebooks and the diagrams to students.

``course release`` calls :func:`write_experiments`, :func:`write_notebooks` and
:func:`write_diagrams` (registered in ``release.RELEASE_STEPS``):

- ``experiments/``: a copy of ``autograder/authoring/experiments`` (code and the
  bundled corpora) whose imports of ``solutions`` point at the student's
  ``assignments`` package, so ``python -m experiments NAME`` runs every
  experiment on the student's own code. Nothing else of the instructor's side is
  imported (the build refuses any other ``autograder`` or ``solutions`` reference);
- ``notebooks/<package>.ipynb``: the jupytext notebooks in the release's
  language, with nbgrader's student version of every solution block
  (``# YOUR CODE HERE`` / ``raise NotImplementedError()``), graded cells emptied
  to a note (they are graded by the tests and the workflow on this path);
- ``assignments/<package>/figures/*.png``: the diagrams the handouts link to,
  drawn at release time (derived files, never committed).
"""

import re
from pathlib import Path

from ..runtime.manifest import REPO_ROOT

EXPERIMENTS_DIR = Path(__file__).resolve().parent / "experiments"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
# Which diagrams each assignment's handout shows.
DIAGRAMS_BY_PACKAGE = {"a1_vanilla_rnn": ("unrolled_rnn.png",), "a3_lstm": ("lstm_cell.png",),
                       "a4_gru": ("gru_cell.png",)}
SOLUTION_BLOCK = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION\n?", re.DOTALL | re.MULTILINE)
GRADED_NOTE = {
    "en": "# Graded on this path by the tests (`pytest tests`) and by the course's hidden checks; nothing to run here.",
    "ko": "# 이 경로에서는 테스트(`pytest tests`)와 코스의 비공개 검사가 채점합니다. 여기서 실행할 것은 없습니다.",
}


class ReleaseExperimentsError(RuntimeError):
    """The experiments or notebooks cannot be shipped as they are."""


def student_experiment_source(text, relative):
    """An experiment module as the student release holds it: ``solutions`` -> ``assignments``."""
    text = re.sub(r"\bsolutions\.", "assignments.", text)
    text = text.replace("python -m autograder.authoring.experiments", "python -m experiments")
    leftover = re.search(r"\b(autograder|solutions)\b", text)
    if leftover:
        line = text[: leftover.start()].count("\n") + 1
        raise ReleaseExperimentsError(f"experiments/{relative}:{line}: refers to '{leftover.group(1)}', "
                                      "which the student release does not ship")
    return text


def packages_needed(directory=EXPERIMENTS_DIR):
    """{module name: the solution packages it uses, directly or through the package's other modules}."""
    texts = {path.stem: path.read_text(encoding="utf-8") for path in directory.glob("*.py")}
    direct = {name: set(re.findall(r"\bsolutions\.(\w+)", text)) for name, text in texts.items()}
    local = {name: {other for other in texts if other != name and re.search(
        rf"from \.{other} import|from \. import [^\n]*\b{other}\b", text)} for name, text in texts.items()}
    needed = {}

    def visit(name, seen=()):
        if name not in needed:
            found = set(direct[name])
            for other in local[name] - set(seen):
                found |= visit(other, (*seen, name))
            needed[name] = found
        return needed[name]

    for name in texts:
        visit(name)
    return needed


def write_experiments(build):
    """experiments/: the experiment modules on the student's assignments package, and the bundled corpora.

    A staged release ships only the modules whose solution packages it ships (the registry in ``__init__``
    lists the experiments whose module is there), so nothing of a later assignment is named."""
    shipped = {assignment.package for assignment in build.manifest.assignments} | {"common"}
    needed = packages_needed()
    for source in sorted(EXPERIMENTS_DIR.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        relative = source.relative_to(EXPERIMENTS_DIR)
        if source.suffix == ".py" and source.parent == EXPERIMENTS_DIR and not needed[source.stem] <= shipped:
            continue
        if source.suffix == ".py":
            build.write(Path("experiments") / relative, student_experiment_source(
                source.read_text(encoding="utf-8"), relative))
        else:
            build.write(Path("experiments") / relative, source.read_text(encoding="utf-8"))


def _student_cell(cell, lang):
    from nbformat.v4 import new_code_cell

    meta = cell.metadata.get("nbgrader", {})
    if meta.get("grade"):
        return new_code_cell(GRADED_NOTE.get(lang, GRADED_NOTE["en"]))
    if cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source:
        cell.source = SOLUTION_BLOCK.sub(lambda m: f"{m.group(1)}# YOUR CODE HERE\n{m.group(1)}raise "
                                               "NotImplementedError()\n", cell.source)
    cell.metadata.pop("nbgrader", None)
    return cell


def write_notebooks(build):
    """notebooks/<package>.ipynb: every assignment's notebook, student version, in the release's language."""
    import nbformat

    from .notebooks import load_notebook, solution_block_lines

    for assignment in build.manifest.assignments:
        nb = load_notebook(assignment, NOTEBOOKS_DIR, build.lang)
        secret = solution_block_lines(nb)
        nb.cells = [_student_cell(cell, build.lang) for cell in nb.cells]
        leaked = [line for cell in nb.cells for line in cell.source.splitlines() if line.strip() in secret]
        if leaked:
            raise ReleaseExperimentsError(f"notebook {assignment.package}: solution lines left: {leaked[:3]}")
        nbformat.validate(nb)
        build.write(Path("notebooks") / f"{assignment.package}.ipynb", nbformat.writes(nb) + "\n")


def write_diagrams(build):
    """assignments/<package>/figures/*.png: the diagrams the handouts link to, drawn now."""
    from .experiments.diagrams import write_diagrams as draw

    shipped = {assignment.package for assignment in build.manifest.assignments}
    for package, names in DIAGRAMS_BY_PACKAGE.items():
        if package not in shipped:  # a staged release draws only its own assignments' diagrams
            continue
        folder = Path("assignments") / package / "figures"
        for name in draw(build.out / folder, names):
            build.written.append(folder / name)
