"""Written answers: the answer sheet ``assignments/<package>/answers.md``, and reading it from a submission.

On the pytest / Classroom / Gradescope path the written questions of an
assignment (``questions`` in ``course.yml``) come in one Markdown file per
assignment, written into the student tree by ``course stubs`` / ``course release``
(:func:`answer_sheet`). Each answer goes between two HTML comments that Markdown
viewers do not show::

    <!-- BEGIN ANSWER Q2.1 -->
    ...the student's answer...
    <!-- END ANSWER Q2.1 -->

``course grade`` reads the sheet from the submission's private copy made by the
safe intake (:mod:`.submission`: links and special files already left out), as a
regular file of at most :data:`MAX_SHEET_BYTES` opened without following links,
and reports every question as *pending*: written answers are graded by hand and
never scored by the graders, so their points are never part of the automatic
total (:class:`WrittenAnswer` has no score). The status says what the grader
found (``answered``, ``blank``, ``no_sheet``, ``no_markers``, ``too_large``,
``not_utf8``, ``not_read``); the answer's text goes to the instructor's reports.
The rubrics live only in the instructor repository (``rubrics/``).
"""

import os
import re
import stat
from dataclasses import dataclass

from ..runtime.messages import t

SHEET_NAME = "answers.md"
MAX_SHEET_BYTES = 256 * 1024
BEGIN = "<!-- BEGIN ANSWER {id} -->"
END = "<!-- END ANSWER {id} -->"
STATUSES = ("answered", "blank", "no_sheet", "no_markers", "too_large", "not_utf8", "not_read")


@dataclass
class WrittenAnswer:
    """What the grader found for one written question; never a score (graded by hand)."""
    question_id: str
    assignment_id: str
    max_points: float
    status: str  # one of STATUSES
    text: str = ""  # the answer between the markers ("" unless answered)

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown answer status {self.status!r}")

    @property
    def characters(self):
        return len(self.text)


def answer_sheet(assignment, lang="en"):
    """The Markdown answer sheet of ``assignment`` (a manifest Assignment with questions) in ``lang``."""
    lines = [f"# {t('written.sheet_title', lang, number=assignment.number)}", "",
             t("written.sheet_intro", lang, points=f"{assignment.written_points:g}"), ""]
    for question in assignment.questions:
        lines += [f"## {t('written.question_heading', lang, id=question.id, points=f'{question.points:g}')}", "",
                  question.text(lang), "", BEGIN.format(id=question.id), "", END.format(id=question.id), ""]
    return "\n".join(lines)


def _read_sheet(path):
    """(status, text) of the file at ``path``: a regular file, not a link, at most MAX_SHEET_BYTES, UTF-8."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return "no_sheet", ""
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            return "no_sheet", ""
        data = handle.read(MAX_SHEET_BYTES + 1)
    if len(data) > MAX_SHEET_BYTES:
        return "too_large", ""
    try:
        return "ok", data.decode("utf-8")
    except UnicodeDecodeError:
        return "not_utf8", ""


def parse_answers(text, question_ids):
    """{question ID: (status, answer)} of a sheet's text: "answered", "blank" or "no_markers" (its markers are
    missing, out of order or repeated)."""
    found = {}
    for question_id in question_ids:
        begin, end = BEGIN.format(id=question_id), END.format(id=question_id)
        if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
            found[question_id] = ("no_markers", "")
            continue
        answer = text[text.index(begin) + len(begin):text.index(end)].strip()
        answer = re.sub(r"\n{3,}", "\n\n", answer)
        found[question_id] = ("answered", answer) if answer else ("blank", "")
    return found


def collect(package_dir, assignments):
    """[WrittenAnswer] of every question of ``assignments``, read from ``package_dir/<package>/answers.md``.

    Inputs:
    - package_dir: the intake's private copy of the submission's ``assignments`` package
    - assignments: manifest Assignments (those without questions contribute nothing)
    """
    answers = []
    for assignment in assignments:
        if not assignment.questions:
            continue
        status, text = _read_sheet(os.path.join(package_dir, assignment.package, SHEET_NAME))
        parsed = parse_answers(text, [q.id for q in assignment.questions]) if status == "ok" else {}
        for question in assignment.questions:
            found, answer = parsed.get(question.id, (status, ""))
            answers.append(WrittenAnswer(question.id, assignment.id, question.points, found, answer))
    return answers


def not_read(assignments):
    """[WrittenAnswer] "not_read" of every question: the submission could not be opened."""
    return [WrittenAnswer(q.id, a.id, q.points, "not_read") for a in assignments for q in a.questions]


def status_text(answer, lang=None):
    """"answer found (412 characters)", "no answer written", ... in ``lang``."""
    return t(f"written.status_{answer.status}", lang, characters=answer.characters, name=SHEET_NAME)
