"""Notebook translations keyed by stable Markdown cell IDs.

Every Markdown cell of an English notebook (``notebooks/<package>.py``, jupytext
percent format) carries an ID in its cell header, which jupytext reads into the
cell's metadata and writes back unchanged::

    # %% [markdown] id="a1-rnn"

A translation (``notebooks/translations/<package>.<lang>.md``) holds only the
translated Markdown cells, each introduced by a marker naming that ID::

    <!-- cell a1-rnn -->
    ## 1. RNN 스텝과 시간 펼치기 ...

:func:`translate` replaces the text of each English Markdown cell by the
translation with its ID, so inserting, removing or moving an English cell never
shifts the other translations. A Markdown cell without an ID, a cell without a
translation and a translation of an unknown ID are errors that name the cell.
"""

import re
from pathlib import Path

CELL_ID = re.compile(r"[a-zA-Z0-9_-]+")
MARKER = re.compile(r"^<!-- cell (\S*) -->$", re.MULTILINE)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


class TranslationError(RuntimeError):
    """A notebook's Markdown cell IDs or a translation file are missing or malformed, or do not fit together."""


def translation_path(assignment, lang, notebooks_dir):
    """notebooks/translations/<package>.<lang>.md: the Markdown cells of the notebook in ``lang``, by cell ID."""
    return Path(notebooks_dir) / "translations" / f"{assignment.package}.{lang}.md"


def _first_line(cell):
    return next((line.strip() for line in cell.source.splitlines() if line.strip()), "")[:60]


def markdown_cell_ids(nb, where):
    """{cell ID: Markdown cell} of a notebook, in order, from the ``id`` in each Markdown cell's metadata.

    Inputs:
    - nb: an nbformat notebook read by jupytext (header ``# %% [markdown] id="..."``)
    - where: the notebook's path, for the error messages

    Returns:
    - dict cell ID -> cell; raises :class:`TranslationError` listing every Markdown cell without a valid,
      unique ID. Cells the build generates in every language from course.yml (the written questions,
      :mod:`.question_cells`: metadata ``generated``) need no translation and are left out.
    """
    cells, problems = {}, []
    markdown = [cell for cell in nb.cells if cell.cell_type == "markdown" and not cell.metadata.get("generated")]
    for number, cell in enumerate(markdown, start=1):
        cell_id = cell.metadata.get("id")
        name = f"Markdown cell {number} ({_first_line(cell)!r})"
        if cell_id is None:
            problems.append(f'{name} has no ID: write `# %% [markdown] id="..."` in its header')
        elif not isinstance(cell_id, str) or not CELL_ID.fullmatch(cell_id):
            problems.append(f"{name}: ID {cell_id!r} does not match [a-zA-Z0-9_-]+")
        elif cell_id in cells:
            problems.append(f"{name}: ID {cell_id!r} is also the ID of an earlier Markdown cell")
        else:
            cells[cell_id] = cell
    if problems:
        raise TranslationError(f"{where}:\n  " + "\n  ".join(problems))
    return cells


def read_translation(path):
    """{cell ID: translated Markdown text} of a translation file, in the file's order.

    Inputs:
    - path: a translation file; each cell is introduced by a line ``<!-- cell ID -->``, and only HTML
      comments and blank lines may come before the first marker

    Returns:
    - dict cell ID -> text (stripped of surrounding blank lines); raises :class:`TranslationError` for a
      missing file, a malformed or repeated ID, an empty cell or text before the first marker
    """
    path = Path(path)
    if not path.is_file():
        raise TranslationError(f"{path}: translation not found")
    parts = MARKER.split(path.read_text(encoding="utf-8"))
    preface, ids, texts = parts[0], parts[1::2], [text.strip("\n") for text in parts[2::2]]
    problems = []
    if HTML_COMMENT.sub("", preface).strip():
        problems.append("text before the first `<!-- cell ID -->` marker")
    if not ids:
        problems.append("no `<!-- cell ID -->` marker")
    cells = {}
    for cell_id, text in zip(ids, texts):
        if not CELL_ID.fullmatch(cell_id):
            problems.append(f"cell ID {cell_id!r} does not match [a-zA-Z0-9_-]+")
        elif cell_id in cells:
            problems.append(f"cell {cell_id!r} is translated twice")
        elif not text.strip():
            problems.append(f"cell {cell_id!r} is empty")
        else:
            cells[cell_id] = text
    if problems:
        raise TranslationError(f"{path}:\n  " + "\n  ".join(problems))
    return cells


def translate(nb, notebook, translation):
    """Replace, in place, the text of every Markdown cell of ``nb`` by its translation; returns ``nb``.

    Inputs:
    - nb: the English notebook (code cells, metadata and order are kept)
    - notebook: its path (notebooks/<package>.py), for the error messages
    - translation: the translation file's path

    Raises :class:`TranslationError` naming every English cell without a translation and every translated
    ID that is not a Markdown cell of the notebook.
    """
    english = markdown_cell_ids(nb, notebook)
    translated = read_translation(translation)
    problems = [f"no translation of cell {cell_id!r} ({_first_line(cell)!r} in {notebook})"
                for cell_id, cell in english.items() if cell_id not in translated]
    problems += [f"cell {cell_id!r} is not a Markdown cell ID of {notebook} (known: {', '.join(english)})"
                 for cell_id in translated if cell_id not in english]
    if problems:
        raise TranslationError(f"{translation}:\n  " + "\n  ".join(problems))
    for cell_id, cell in english.items():
        cell.source = translated[cell_id]
    return nb
