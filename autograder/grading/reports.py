"""Render grade reports: a text table, JSON, Gradescope's results.json, a CSV gradebook, Markdown feedback.

Gradescope's format (``/autograder/results/results.json``): top-level ``score``,
``execution_time``, ``output``, ``visibility``, ``stdout_visibility`` and
``tests[]`` with ``name``, ``number``, ``score``, ``max_score``, ``status``
(``passed``/``failed``), ``output`` and ``visibility``.

Grading results are data (:mod:`autograder.grading.checks`: checks holding
Problems with message codes and fields); this module is where they become text,
in the language ``lang`` (default: ``$RNN_COURSE_LANG``). The JSON report
carries each problem's ``code`` and ``fields`` beside its text.

Written questions (``report.written``) are graded by hand: every format shows them
as *pending*, apart from the automatic total (``points`` / ``max_points`` never
include them). Gradescope gets them as lines of the top-level ``output`` (no test: a
test would need a status, passed or failed, and its max_score would enter the
autograder's total); the instructor grades the P points in a manually graded
question of the assignment (docs/written_questions.md).
"""

import csv
import io
import json
import re
import unicodedata

from ..runtime.messages import language, t
from ..runtime.problems import Problem
from .written_answers import status_text


def _display_width(text):
    """Terminal columns of a string: East Asian wide characters (Hangul) take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text, width, right=False):
    fill = " " * max(0, width - _display_width(text))
    return fill + text if right else text + fill


def _fmt(points):
    return f"{points:g}" if points == int(points) else f"{points:.2f}"


def _is_problem(value):
    return isinstance(value, dict) and set(value) == {"code", "fields"} and isinstance(value["fields"], dict)


def render(found, lang=None):
    """The text of a Problem in ``lang``; a field holding a problem ({"code", "fields"}) is rendered first.

    The pseudo-code "task.hint" (fields task_id, texts: {language: hint}) is a task's hint from course.yml.
    """
    if found.code == "task.hint":
        return found.fields["texts"][lang or language()]
    fields = {name: render(Problem(value["code"], value["fields"]), lang) if _is_problem(value) else value
              for name, value in found.fields.items()}
    return t(found.code, lang, **fields)


def check_label(check, lang=None):
    """ "values (N=1, T=1, D=3, H=2)", "gradient check (...)", ... """
    if check.kind == "submission":
        return t("report.submission", lang)
    shape = ", ".join(f"{key}={value}" for key, value in check.dims.items())
    return t(f"grade.check_{check.kind}", lang, shape=shape)


def check_detail(check, lang=None):
    """The problems of one check as one line ("" when it passed)."""
    return "; ".join(render(found, lang) for found in check.problems)


def task_messages(task, lang=None):
    """One line per distinct failure of a task's checks, in order."""
    seen = []
    for check in task.checks:
        detail = check_detail(check, lang)
        if not check.passed and detail not in seen:
            seen.append(detail)
    return seen


def task_hints(task, lang=None):
    return [render(hint, lang) for hint in task.hints]


def task_notes(task, lang=None):
    """How the task was graded (e.g. with upstream tasks answered by the reference), one line each."""
    return [t("report.note", lang, note=render(note, lang)) for note in task.notes]


def task_feedback(task, lang=None):
    """One paragraph of feedback for a task: what failed and what to look at."""
    if task.passed:
        return "\n".join([t("report.passed_all", lang, count=len(task.checks)), *task_notes(task, lang)])
    lines = [t("report.passed_some", lang, passed=sum(check.passed for check in task.checks),
               count=len(task.checks))]
    lines += [f"- {message}" for message in task_messages(task, lang)[:4]]
    lines += task_notes(task, lang) + [t("report.hint", lang, hint=hint) for hint in task_hints(task, lang)]
    return "\n".join(lines)


def intake_lines(report, lang=None):
    """The graded package and what intake left out, one line each (empty for an unreadable submission)."""
    return ([t("report.graded", lang, path=report.graded)] if report.graded else []) + \
        [t("report.note", lang, note=render(note, lang)) for note in report.notes]


def sandbox_lines(report, lang=None):
    """How the student code was isolated (loud when it was not): one line, none for a submission that never ran."""
    if not report.sandbox:
        return []
    return [t("report.sandbox_unsafe" if report.sandbox == "unsafe-same-user" else "report.sandbox", lang,
              backend=report.sandbox)]


def written_lines(report, lang=None):
    """The written questions of a report, one line each after a header ([] when it has none)."""
    if not report.written:
        return []
    lines = [t("written.report_header", lang, points=_fmt(report.written_points))]
    for answer in report.written:
        lines.append(t("written.report_line", lang, id=answer.question_id, status_short=t("written.short_pending", lang),
                       max_points=_fmt(answer.max_points), status=status_text(answer, lang)))
    return lines


def _written_dict(answer, lang):
    return {"id": answer.question_id, "assignment": answer.assignment_id, "points": None, "pending": True,
            "max_points": answer.max_points, "status": answer.status, "status_text": status_text(answer, lang),
            "answer": answer.text}


def _check_dict(check, lang):
    return {"name": check_label(check, lang), "kind": check.kind, "dims": check.dims, "passed": check.passed,
            "detail": check_detail(check, lang),
            "problems": [{**found.to_dict(), "text": render(found, lang)} for found in check.problems]}


def to_dict(report, lang=None):
    return {
        "id": report.id, "student": report.student, "source": report.source, "graded": report.graded,
        "notes": [{**note.to_dict(), "text": render(note, lang)} for note in report.notes], "seed": report.seed,
        "sandbox": report.sandbox,
        "points": report.points, "max_points": report.max_points,
        "assignments": {key: {"points": got, "max_points": top} for key, (got, top) in report.by_assignment().items()},
        "tasks": [{"id": t.task_id, "function": t.function, "title": t.title, "points": t.points,
                   "max_points": t.max_points, "passed": t.passed, "max_error": t.max_error,
                   "checks": [_check_dict(check, lang) for check in t.checks],
                   "hints": task_hints(t, lang), "hint_codes": [hint.to_dict() for hint in t.hints],
                   "notes": [{**note.to_dict(), "text": render(note, lang)} for note in t.notes],
                   "mistakes": [m.id for m in t.mistakes]} for t in report.tasks],
        "written_points": report.written_points,
        "written": [_written_dict(answer, lang) for answer in report.written],
    }


def text(report, lang=None):
    """A per-task table for one submission."""
    header = t("report.header", lang, student=report.id, points=_fmt(report.points),
               max_points=_fmt(report.max_points), seed=report.seed)
    intake = intake_lines(report, lang)
    lines = [", ".join([header, *intake[:1]]), *["  " + line for line in intake[1:]]]
    lines += ["  " + line for line in sandbox_lines(report, lang)] + ["  " + t("report.columns", lang)]
    for task in report.tasks:
        messages = task_messages(task, lang)
        result = t("report.ok", lang) if task.passed else (messages[0][:70] if messages else t("report.failed", lang))
        lines.append(f"  {task.task_id:<6}{task.function:<30}{_fmt(task.points):>6} / {_fmt(task.max_points):<4}"
                     f"  {task.max_error:>9.1e}  {result}")
        for line in task_notes(task, lang):
            lines.append(f"  {'':<6}" + line)
        for hint in task_hints(task, lang) if not task.passed else []:
            lines.append(f"  {'':<6}" + t("report.hint", lang, hint=hint))
    lines += ["  " + line for line in written_lines(report, lang)]
    return "\n".join(lines)


def score_table(reports, lang=None):
    """One row per submission, one column per assignment: the class overview."""
    assignment_ids = sorted({key for report in reports for key in report.by_assignment()})
    width = max([_display_width(t("report.submission", lang))] + [_display_width(r.id) for r in reports]) + 2
    header = _pad(t("report.submission", lang), width) + "".join(f"{a:>13}" for a in assignment_ids) + \
        _pad(t("report.total", lang), 15, right=True)
    lines = [header, "-" * _display_width(header)]
    for report in reports:
        totals = report.by_assignment()
        cells = "".join(f"{_fmt(totals[a][0]) + '/' + _fmt(totals[a][1]):>13}" for a in assignment_ids)
        lines.append(f"{_pad(report.id, width)}{cells}{_fmt(report.points) + '/' + _fmt(report.max_points):>15}")
    return "\n".join(lines)


def _never_ran(report, lang=None):
    """The one problem of a submission that could not be graded at all (None when its code ran)."""
    if report.seed != -1 or not report.tasks or not report.tasks[0].checks:
        return None
    return check_detail(report.tasks[0].checks[0], lang)


def gradescope(report, execution_time=None, lang=None, preface=()):
    """Gradescope's results.json as a dict; ``preface``: lines said first (what was found where in the upload).

    A submission that could not be graded at all says why once, at the top, not once per task."""
    never_ran = _never_ran(report, lang)
    first = t("report.gradescope_not_graded", lang, problem=never_ran) if never_ran else \
        t("report.gradescope_output", lang, seed=report.seed)
    result = {
        "score": report.points,
        "output": "\n".join([first, *preface, *intake_lines(report, lang), *sandbox_lines(report, lang),
                             *written_lines(report, lang)]),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [{"name": f"Task {t.task_id}: {t.title} ({t.function})", "number": t.task_id,
                   "score": t.points, "max_score": t.max_points, "status": "passed" if t.passed else "failed",
                   "output": t_see_top(lang) if never_ran else task_feedback(t, lang), "visibility": "visible"}
                  for t in report.tasks],
    }
    if execution_time is not None:
        result["execution_time"] = round(execution_time, 2)
    return result


def t_see_top(lang=None):
    return t("report.gradescope_see_top", lang)


def csv_rows(reports):
    """A gradebook: one row per student, one column per task, totals per assignment."""
    return csv_from_dicts([to_dict(report) for report in reports])


def csv_from_dicts(reports):
    """The gradebook of reports as :func:`to_dict` gives them (also the JSON of ``--format json``): the one CSV
    writer, shared by ``course grade --format csv`` and the class-grading merge of shard reports."""
    task_ids = [task["id"] for task in reports[0]["tasks"]] if reports else []
    assignment_ids = sorted({key for report in reports for key in report["assignments"]})
    out = io.StringIO()
    writer = csv.writer(out)
    questions = [(a["id"], a["max_points"]) for a in reports[0]["written"]] if reports else []
    writer.writerow(["student", "seed", *[f"task {i}" for i in task_ids],
                     *[f"written {q} (by hand, max {_fmt(top)})" for q, top in questions], *assignment_ids, "total",
                     "max"])
    for report in reports:
        points = {task["id"]: task["points"] for task in report["tasks"]}
        found = {answer["id"]: answer["status"] for answer in report["written"]}
        writer.writerow([report["id"], report["seed"], *[_fmt(points[i]) for i in task_ids],
                         *[f"pending: {found.get(q, 'not_read')}" for q, _ in questions],
                         *[_fmt(report["assignments"][a]["points"]) for a in assignment_ids], _fmt(report["points"]),
                         _fmt(report["max_points"])])
    return out.getvalue()


def markdown(report, lang=None):
    """A feedback file for one student."""
    intake = intake_lines(report, lang) + sandbox_lines(report, lang)
    lines = ["# " + t("report.feedback_title", lang, student=report.id), "",
             t("report.feedback_points", lang, points=_fmt(report.points), max_points=_fmt(report.max_points),
               seed=report.seed), "", *[f"- {line}" for line in intake],
             *([""] if intake else []), t("report.table_header", lang), "|---|---|---|---|"]
    for task in report.tasks:
        result = t("report.result_passed", lang) if task.passed else t("report.result_see_below", lang)
        lines.append(f"| {task.task_id} | `{task.function}` | {_fmt(task.points)} / {_fmt(task.max_points)} | {result} |")
    failing = [task for task in report.tasks if not task.passed or task.notes]
    if failing:
        lines += ["", "## " + t("report.what_to_look_at", lang), ""]
        for task in failing:
            lines += [f"### Task {task.task_id}: {task.title} (`{task.function}`)", "", task_feedback(task, lang), ""]
    if report.written:
        lines += ["", "## " + t("written.section", lang), "",
                  t("written.section_intro", lang, points=_fmt(report.written_points)), "",
                  t("written.table_header", lang), "|---|---|---|"]
        lines += [f"| {answer.question_id} | {t('written.short_pending', lang)} / {_fmt(answer.max_points)} | "
                  f"{status_text(answer, lang)} |" for answer in report.written]
    return "\n".join(lines) + "\n"


def file_names(reports, suffix=".md"):
    """One file name per report, never the same twice in a batch (case-insensitively): the report ID with
    path separators and other unsafe characters replaced by ``_``, then ``-2``, ``-3`` ... on a clash."""
    names, taken = [], set()
    for report in reports:
        base = re.sub(r"[^\w.-]+", "_", report.id).strip("._") or "submission"
        name, k = base + suffix, 2
        while name.lower() in taken:
            name, k = f"{base}-{k}{suffix}", k + 1
        taken.add(name.lower())
        names.append(name)
    return names


def to_json(reports, lang=None):
    return json.dumps([to_dict(report, lang) for report in reports], indent=2)


def classroom(report, lang=None):
    """The result of one runner as classroom-resources' grading reporter reads it (before base64).

    ``{"version": 1, "status": "pass"|"fail", "max_score", "tests": [{"name", "status", "score", "message",
    "test_code", "filename", "line_no", "duration"}]}``; the reporter sums ``tests[].score``.
    """
    return {
        "version": 1,
        "status": "pass" if all(task.passed for task in report.tasks) else "fail",
        "max_score": report.max_points,
        "tests": [{"name": f"Task {t.task_id}: {t.function}", "status": "pass" if t.passed else "fail",
                   "score": t.points, "message": task_feedback(t, lang), "test_code": f"course grade (task {t.task_id})",
                   "filename": "", "line_no": 0, "duration": 0} for t in report.tasks],
    }


def summary_markdown(report, lang=None):
    """The job-summary table of a GitHub Actions run."""
    lines = ["### " + t("report.summary_title", lang, points=_fmt(report.points), max_points=_fmt(report.max_points)),
             ""]
    lines += [line + "\n" for line in sandbox_lines(report, lang)] + [t("report.table_header", lang), "|---|---|---|---|"]
    for task in report.tasks:
        messages = task_messages(task, lang)
        result = t("report.result_passed", lang) if task.passed else \
            (messages[0] if messages else t("report.failed", lang)).replace("|", "\\|")
        lines.append(f"| {task.task_id} | `{task.function}` | {_fmt(task.points)} / {_fmt(task.max_points)} | "
                     f"{result[:120]} |")
    return "\n".join(lines) + "\n"
