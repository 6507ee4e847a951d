"""``nbgrader autograde`` without a kernel: no student code runs, every graded cell is recorded as 0.

nbgrader's autograde executes the submitted notebook (its ``Execute``
preprocessor) and scores each graded cell from its outputs. In this course the
graded cells only run the public checks (:mod:`.graded_cells`: they earn
nothing) and the points come from ``course nbgrader-grade``
(:mod:`.nbgrader_grade`), which grades the collected modules in the sandbox. So
executing the notebook at autograde would only cost time (a student module that
hangs costs one ``Execute.timeout`` per cell that calls it) and give the
student's kernel a chance to write outputs. :class:`GradedCellsScoreZero`
replaces ``Execute``: every graded code cell gets the output ``0.0`` (an
``execute_result``: partial credit 0 in nbgrader's rule), every other code cell
no output. nbgrader then records 0 for every graded cell, creates the gradebook
rows ``course nbgrader-grade`` fills in, and keeps its other preprocessors
(:func:`autograde_preprocessors`; ``nbgrader_config.py`` sets them).
"""

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

ZERO = "0.0"


def is_graded_code_cell(cell):
    """A code cell nbgrader scores from its output: graded, not a solution (an answer cell is scored by checksum)."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


class GradedCellsScoreZero(Preprocessor):
    """Instead of executing the notebook: ``0.0`` as the output of every graded code cell, no other output."""

    # nbconvert runs a preprocessor only when it is enabled (its default is False; nbgrader's own are True)
    enabled = Bool(True, help="replace every code cell's outputs (always on: autograde must not run cells)")

    def preprocess(self, nb, resources):
        from nbformat.v4 import new_output

        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            cell.execution_count = None
            cell.outputs = [new_output("execute_result", data={"text/plain": ZERO}, execution_count=None)] \
                if is_graded_code_cell(cell) else []
        return nb, resources


def autograde_preprocessors():
    """nbgrader's default ``Autograde.autograde_preprocessors`` (read from the traitlet), with ``Execute`` replaced
    by :class:`GradedCellsScoreZero`. Raises RuntimeError when the default has no ``Execute`` (another nbgrader)."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute

    default = list(Autograde.class_traits()["autograde_preprocessors"].default())
    if Execute not in default:
        raise RuntimeError(f"nbgrader's autograde preprocessors have no Execute to replace: {default}")
    return [GradedCellsScoreZero if preprocessor is Execute else preprocessor for preprocessor in default]
