"""The Korean edition of the notebooks: English notebooks with the Markdown cells of
``notebooks/translations/<package>.ko.md``, keyed by stable cell IDs.

The translation holds only prose; ``notebooks.load_notebook(assignment, lang="ko")``
puts it into the English notebook by Markdown cell ID (``# %% [markdown] id="..."``),
so the code cells exist once. These tests check that every translation fits its
notebook (one translation per English Markdown cell ID, no unknown ID), that errors
name the cell, that inserting an English cell shifts no translation, that the prose
is Korean, and that ``course nbgrader --lang ko`` uses it.
"""

import re
import subprocess
import sys

import nbformat
import pytest

from autograder.authoring import notebook_translations, notebooks
from autograder.authoring.notebook_translations import TranslationError
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


def test_translation_has_one_cell_per_english_markdown_cell_id(pair):
    assignment, english, _ = pair
    cells = notebook_translations.read_translation(notebooks.translation_path(assignment, "ko"))
    ids = notebook_translations.markdown_cell_ids(english, notebooks.notebook_path(assignment))
    assert list(cells) == list(ids)  # same IDs, and the file keeps the notebook's order for its readers
    assert all(text.strip() for text in cells.values())


def test_every_markdown_cell_id_is_prefixed_by_its_assignment(pair):
    assignment, english, korean = pair
    ids = [cell.metadata.get("id") for cell in english.cells if cell.cell_type == "markdown"]
    assert ids and all(cell_id.startswith(f"{assignment.id}-") for cell_id in ids), ids
    assert [cell.metadata.get("id") for cell in korean.cells if cell.cell_type == "markdown"] == ids


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


def _copy_a1(tmp_path):
    """A copy of a1's notebook and Korean translation under tmp_path; returns (assignment, notebook, translation)."""
    assignment = ASSIGNMENTS[0]
    (tmp_path / "translations").mkdir()
    notebook = tmp_path / f"{assignment.package}.py"
    notebook.write_text(notebooks.notebook_path(assignment).read_text(encoding="utf-8"), encoding="utf-8")
    translation = tmp_path / "translations" / f"{assignment.package}.ko.md"
    translation.write_text(notebooks.translation_path(assignment, "ko").read_text(encoding="utf-8"),
                           encoding="utf-8")
    return assignment, notebook, translation


def _korean_by_id(nb):
    return {cell.metadata["id"]: cell.source for cell in nb.cells if cell.cell_type == "markdown"}


def test_a_missing_translation_is_an_error_naming_the_cell(tmp_path):
    assignment, _, translation = _copy_a1(tmp_path)
    text = translation.read_text(encoding="utf-8")
    start = text.index("<!-- cell a1-stacked -->")
    translation.write_text(text[:start] + text[text.index("<!-- cell", start + 1):], encoding="utf-8")
    with pytest.raises(TranslationError, match=r"no translation of cell 'a1-stacked' \('## 5. A stacked RNN"):
        notebooks.load_notebook(assignment, tmp_path, lang="ko")


def test_a_translation_of_an_unknown_cell_id_is_an_error_naming_it(tmp_path):
    assignment, _, translation = _copy_a1(tmp_path)
    with translation.open("a", encoding="utf-8") as handle:
        handle.write("\n<!-- cell a1-no-such-cell -->\n없는 셀\n")
    with pytest.raises(TranslationError, match="cell 'a1-no-such-cell' is not a Markdown cell ID of"):
        notebooks.load_notebook(assignment, tmp_path, lang="ko")


@pytest.mark.parametrize("text, problem", [
    ("<!-- cell a1-intro -->\n하나\n<!-- cell a1-intro -->\n둘\n", "cell 'a1-intro' is translated twice"),
    ("<!-- cell a1-intro -->\n\n<!-- cell a1-setup -->\n둘\n", "cell 'a1-intro' is empty"),
    ("<!-- cell a1 intro -->\n하나\n", "no `<!-- cell ID -->` marker"),
    ("<!-- cell a1:intro -->\n하나\n", r"cell ID 'a1:intro' does not match"),
    ("서문\n<!-- cell a1-intro -->\n하나\n", "text before the first"),
])
def test_a_malformed_translation_file_is_an_error(tmp_path, text, problem):
    path = tmp_path / "x.ko.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TranslationError, match=problem):
        notebook_translations.read_translation(path)


def test_a_markdown_cell_without_an_id_is_an_error_naming_it(tmp_path):
    assignment, notebook, _ = _copy_a1(tmp_path)
    text = notebook.read_text(encoding="utf-8")
    notebook.write_text(text.replace('# %% [markdown] id="a1-stacked"', "# %% [markdown]"), encoding="utf-8")
    for lang in ("en", "ko"):
        with pytest.raises(TranslationError, match=r"Markdown cell 14 \('## 5. A stacked RNN.*has no ID"):
            notebooks.load_notebook(assignment, tmp_path, lang=lang)
    notebook.write_text(text.replace('id="a1-stacked"', 'id="a1-rnn"'), encoding="utf-8")
    with pytest.raises(TranslationError, match="ID 'a1-rnn' is also the ID of an earlier Markdown cell"):
        notebooks.load_notebook(assignment, tmp_path)


def test_inserting_an_english_markdown_cell_shifts_no_translation(tmp_path):
    assignment, notebook, translation = _copy_a1(tmp_path)
    before = _korean_by_id(notebooks.load_notebook(assignment, tmp_path, lang="ko"))
    text = notebook.read_text(encoding="utf-8")
    anchor = '# %% [markdown] id="a1-rnn"'
    notebook.write_text(text.replace(anchor, '# %% [markdown] id="a1-new-note"\n# A new English note.\n\n'
                                             + anchor), encoding="utf-8")
    with pytest.raises(TranslationError) as caught:  # untranslated: only the new cell is named
        notebooks.load_notebook(assignment, tmp_path, lang="ko")
    assert "'a1-new-note'" in str(caught.value) and str(caught.value).count("no translation of cell") == 1
    with translation.open("a", encoding="utf-8") as handle:  # translated at the end of the file, out of order
        handle.write("\n<!-- cell a1-new-note -->\n새 영어 메모.\n")
    korean = notebooks.load_notebook(assignment, tmp_path, lang="ko")
    after = _korean_by_id(korean)
    assert after.pop("a1-new-note") == "새 영어 메모."
    assert after == before
    markdown = [cell for cell in korean.cells if cell.cell_type == "markdown"]
    assert [cell.metadata["id"] for cell in markdown[1:4]] == ["a1-setup", "a1-new-note", "a1-rnn"]


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
