"""The Korean edition of the notebooks (``notebooks/<package>.ko.py``).

Each Korean notebook is its English twin with only the Markdown cells
translated: same number of cells, the same code cells (source and nbgrader
metadata) in the same order, and Korean prose in the Markdown cells.
``course nbgrader --lang ko`` builds the source tree from these files.
"""

import re
import subprocess
import sys

import nbformat
import pytest

from autograder import notebooks
from autograder.manifest import REPO_ROOT, load_manifest

MANIFEST = load_manifest()
ASSIGNMENTS = list(MANIFEST.assignments)
IDS = [assignment.id for assignment in ASSIGNMENTS]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _has_hangul(cell):
    return bool(HANGUL.search(cell.source))


def _markdown_is_korean(nb):
    """Every Markdown cell of ``nb`` has Hangul (at least 90 % of them if some are pure code/maths)."""
    markdown = [cell for cell in nb.cells if cell.cell_type == "markdown"]
    korean = [cell for cell in markdown if _has_hangul(cell)]
    return bool(markdown) and len(korean) >= 0.9 * len(markdown), [c.source[:60] for c in markdown
                                                                   if not _has_hangul(c)]


@pytest.fixture(scope="module", params=ASSIGNMENTS, ids=IDS)
def pair(request):
    assignment = request.param
    english = notebooks.read_notebook(notebooks.notebook_path(assignment))
    korean = notebooks.read_notebook(notebooks.notebook_path(assignment, lang="ko"))
    return assignment, english, korean


def test_korean_notebook_paths():
    for assignment in ASSIGNMENTS:
        assert notebooks.notebook_path(assignment, lang="en") == notebooks.notebook_path(assignment)
        path = notebooks.notebook_path(assignment, lang="ko")
        assert path == REPO_ROOT / "notebooks" / f"{assignment.package}.ko.py"
        assert path.is_file(), f"{path} is missing"
    with pytest.raises(notebooks.NotebookBuildError):
        notebooks.notebook_path(ASSIGNMENTS[0], lang="fr")


def test_korean_notebook_parses_with_jupytext(pair):
    import jupytext

    assignment, _, _ = pair
    nb = jupytext.read(notebooks.notebook_path(assignment, lang="ko"), fmt="py:percent")
    assert nb.cells


def test_same_cells_and_identical_code(pair):
    _, english, korean = pair
    assert len(korean.cells) == len(english.cells)
    for index, (en, ko) in enumerate(zip(english.cells, korean.cells)):
        assert ko.cell_type == en.cell_type, f"cell {index}"
        if en.cell_type == "code":
            assert ko.source == en.source, f"code cell {index} differs"
            assert ko.metadata == en.metadata, f"code cell {index}: metadata differs"


def test_code_cells_are_byte_identical_in_the_text(pair):
    """Every line of the English file outside Markdown cells is in the Korean file, in the same order."""
    assignment, _, _ = pair

    def non_markdown_lines(path):
        lines, in_markdown = [], False
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.startswith("# %%"):
                in_markdown = line == "# %% [markdown]"
            if not (in_markdown and line.startswith("#") and not line.startswith("# %%")):
                lines.append(line)
        return lines

    assert non_markdown_lines(notebooks.notebook_path(assignment, lang="ko")) == \
        non_markdown_lines(notebooks.notebook_path(assignment))


def test_markdown_is_korean(pair):
    _, _, korean = pair
    ok, missing = _markdown_is_korean(korean)
    assert ok, f"Markdown cells without Hangul: {missing}"


def test_korean_notebook_is_valid(pair):
    assignment, _, korean = pair
    assert notebooks.notebook_problems(korean, assignment) == []


def test_course_nbgrader_lang_ko(tmp_path):
    out = tmp_path / "course"
    process = subprocess.run([sys.executable, "-m", "autograder.cli", "nbgrader", "--out", str(out), "--lang", "ko",
                              "--no-generate"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert process.returncode == 0, process.stdout + process.stderr
    for assignment in ASSIGNMENTS:
        written = out / "source" / assignment.package / f"{assignment.package}.ipynb"
        nb = nbformat.read(written, as_version=4)
        ok, missing = _markdown_is_korean(nb)
        assert ok, f"{written}: Markdown cells without Hangul: {missing}"
        assert nb.metadata["kernelspec"]["name"] == "python3"
    assert not (out / "release").exists()


def test_lang_en_and_default_write_english(tmp_path):
    from argparse import ArgumentParser

    parser = ArgumentParser()
    notebooks.add_arguments(parser)
    for extra in (["--lang", "en"], []):
        out = tmp_path / ("default" if not extra else "en")
        notebooks.run(parser.parse_args(["--out", str(out), "--assignment", "a1", "--no-generate", *extra]))
        nb = nbformat.read(out / "source" / "a1_vanilla_rnn" / "a1_vanilla_rnn.ipynb", as_version=4)
        markdown = [cell for cell in nb.cells if cell.cell_type == "markdown"]
        expected = MANIFEST.language == "ko" and not extra
        if expected:
            assert all(_has_hangul(cell) for cell in markdown)
        else:
            assert not any(_has_hangul(cell) for cell in markdown)
