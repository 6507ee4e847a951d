"""The written questions of a notebook, derived from ``course.yml``: manually graded answer cells.

The build appends to each assignment's notebook (in the notebook's language) a
heading, then for every written question of ``course.yml`` (``questions`` of the
assignment):

- a locked Markdown cell with the question (``grade_id`` ``question_q2_1``);
- nbgrader's *manually graded answer* cell: a Markdown cell with
  ``{"grade": true, "solution": true, "locked": false, "points": P}`` and
  ``grade_id`` ``answer_q2_1`` (:attr:`~autograder.runtime.manifest.Question.grade_id`),
  holding nbgrader's text stub. nbgrader's formgrader shows it for manual
  grading; ``course nbgrader-grade`` never writes its score.

The notebook sources (``notebooks/*.py``) hold none of this, so the questions
and their points are declared once. Rubrics are never written into a notebook.
"""

import nbformat

from ..runtime.messages import t

GENERATED = "course.yml"  # metadata "generated" of these cells: written in every language, never translated


def question_grade_id(question):
    return "question_" + question.grade_id.removeprefix("answer_")


def _cell(source, cell_id, nbgrader=None):
    """A Markdown cell with the notebook's kind of ID (metadata ``id``, prefixed by the assignment)."""
    metadata = {"id": cell_id, "generated": GENERATED}
    if nbgrader is not None:
        metadata["nbgrader"] = nbgrader
    return nbformat.v4.new_markdown_cell(source, metadata=metadata)


def _meta(grade_id, grade, solution, locked, points=None):
    meta = {"schema_version": 3, "grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id}
    if points is not None:
        meta["points"] = int(points) if float(points).is_integer() else points
    return meta


def question_cells(assignment, lang="en"):
    """The cells of the written questions of ``assignment`` in ``lang`` ([] when it has none)."""
    if not assignment.questions:
        return []
    intro = t("written.handout_intro", lang=lang, points=f"{assignment.written_points:g}")
    cells = [_cell(f"## {t('written.handout_title', lang=lang)}\n\n{intro}", f"{assignment.id}-written-questions")]
    for question in assignment.questions:
        heading = t("written.question_heading", lang=lang, id=question.id, points=f"{question.points:g}")
        key = question.id.lower().replace(".", "-")
        cells.append(_cell(f"### {heading}\n\n{question.text(lang)}", f"{assignment.id}-{key}-question",
                           _meta(question_grade_id(question), False, False, True)))
        # the answer cell's text is nbgrader's (ClearSolutions.text_stub replaces it in the student version)
        cells.append(_cell(t("written.answer_stub", lang=lang), f"{assignment.id}-{key}-answer",
                           _meta(question.grade_id, True, True, False, question.points)))
    return cells


def add_question_cells(nb, assignment, lang="en"):
    """Append the written questions of ``assignment`` to ``nb`` (in place); returns ``nb``."""
    nb.cells.extend(question_cells(assignment, lang))
    return nb


def is_answer_cell(cell):
    """Whether ``cell`` is a manually graded answer cell (Markdown, graded, a solution)."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "markdown" and bool(meta.get("grade")) and bool(meta.get("solution"))


def answer_cells(nb):
    """[(grade_id, points)] of the manually graded answer cells of a built notebook."""
    return [(cell.metadata["nbgrader"].get("grade_id"), cell.metadata["nbgrader"].get("points"))
            for cell in nb.cells if is_answer_cell(cell)]


def answer_cell_problems(nb, assignment):
    """Every problem of the answer cells of ``nb`` against the questions of ``assignment``."""
    problems = []
    found = dict(answer_cells(nb))
    if len(found) != len(answer_cells(nb)):
        problems.append("two answer cells have the same grade_id")
    wanted = {question.grade_id: question for question in assignment.questions}
    for grade_id, points in found.items():
        if grade_id not in wanted:
            problems.append(f"answer cell {grade_id!r} answers no written question of {assignment.id}")
        elif points is None or abs(float(points) - wanted[grade_id].points) > 1e-9:
            problems.append(f"answer cell {grade_id!r} has {points} points, question {wanted[grade_id].id} has "
                            f"{wanted[grade_id].points:g} in course.yml")
    for grade_id, question in wanted.items():
        if grade_id not in found:
            problems.append(f"question {question.id} has no answer cell ({grade_id})")
    for cell in nb.cells:
        if is_answer_cell(cell) and cell.metadata["nbgrader"].get("locked"):
            problems.append(f"answer cell {cell.metadata['nbgrader'].get('grade_id')!r} is locked")
    return problems
