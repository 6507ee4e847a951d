"""The Korean edition of the notebooks: English notebooks with the Markdown cells of
``notebooks/translations/<package>.ko.md``.

The translation holds only prose; ``notebooks.load_notebook(assignment, lang="ko")``
puts it into the English notebook, so the code cells exist once. These tests check
that every translation fits its notebook (same number of Markdown cells, numbered
markers), that its prose is Korean, and that ``course nbgrader --lang ko`` uses it.
"""

import re
import subprocess
import sys

import nbformat
import pytest

from autograder.authoring import notebooks
from autograder.runtime.manifest import REPO_ROOT, load_manifest

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
    return assignment, notebooks.load_notebook(assignment), notebooks.load_notebook(assignment, lang="ko")


def test_translation_files_exist_and_unknown_languages_are_refused():
    for assignment in ASSIGNMENTS:
        path = notebooks.translation_path(assignment, "ko")
        assert path == REPO_ROOT / "notebooks" / "translations" / f"{assignment.package}.ko.md"
        assert path.is_file(), f"{path} is missing"
    with pytest.raises(notebooks.NotebookBuildError, match="unknown notebook language"):
        notebooks.load_notebook(ASSIGNMENTS[0], lang="fr")


def test_translation_has_one_cell_per_english_markdown_cell(pair):
    assignment, english, _ = pair
    cells = notebooks.read_translation(notebooks.translation_path(assignment, "ko"))
    assert len(cells) == sum(cell.cell_type == "markdown" for cell in english.cells)
    assert all(cell.strip() for cell in cells)


def test_korean_notebook_has_the_english_code_cells(pair):
    _, english, korean = pair
    assert len(korean.cells) == len(english.cells)
    for index, (en, ko) in enumerate(zip(english.cells, korean.cells)):
        assert ko.cell_type == en.cell_type, f"cell {index}"
        if en.cell_type == "code":
            assert ko.source == en.source, f"code cell {index} differs"
            assert ko.metadata == en.metadata, f"code cell {index}: metadata differs"
        else:
            assert ko.source != en.source, f"Markdown cell {index} is not translated"


def test_markdown_is_korean(pair):
    _, _, korean = pair
    ok, missing = _markdown_is_korean(korean)
    assert ok, f"Markdown cells without Hangul: {missing}"


def test_korean_notebook_is_valid(pair):
    assignment, _, korean = pair
    assert notebooks.notebook_problems(korean, assignment) == []


def test_a_translation_that_does_not_fit_its_notebook_is_an_error(tmp_path):
    assignment = ASSIGNMENTS[0]
    (tmp_path / "translations").mkdir()
    (tmp_path / f"{assignment.package}.py").write_text(notebooks.notebook_path(assignment).read_text())
    translation = tmp_path / "translations" / f"{assignment.package}.ko.md"
    translation.write_text("<!-- markdown cell 1 -->\n하나\n")
    with pytest.raises(notebooks.NotebookBuildError, match="1 Markdown cells, but the English notebook has"):
        notebooks.load_notebook(assignment, tmp_path, lang="ko")
    translation.write_text("<!-- markdown cell 1 -->\n하나\n<!-- markdown cell 3 -->\n셋\n")
    with pytest.raises(notebooks.NotebookBuildError, match="numbered 1, 2, 3"):
        notebooks.load_notebook(assignment, tmp_path, lang="ko")


def test_course_nbgrader_lang_ko(tmp_path):
    out = tmp_path / "course"
    process = subprocess.run([sys.executable, "-m", "autograder.authoring.cli", "nbgrader", "--out", str(out), "--lang", "ko",
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
