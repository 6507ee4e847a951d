"""Render grade reports: a text table, JSON, Gradescope's results.json, a CSV gradebook, Markdown feedback.

Gradescope's format (``/autograder/results/results.json``): top-level ``score``,
``execution_time``, ``output``, ``visibility``, ``stdout_visibility`` and
``tests[]`` with ``name``, ``number``, ``score``, ``max_score``, ``status``
(``passed``/``failed``), ``output`` and ``visibility``.
"""

import csv
import io
import json
import unicodedata

from ..runtime.messages import t


def _display_width(text):
    """Terminal columns of a string: East Asian wide characters (Hangul) take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text, width, right=False):
    fill = " " * max(0, width - _display_width(text))
    return fill + text if right else text + fill


def _fmt(points):
    return f"{points:g}" if points == int(points) else f"{points:.2f}"


def task_feedback(task):
    """One paragraph of feedback for a task: what failed and what to look at."""
    if task.passed:
        return t("report.passed_all", count=len(task.checks))
    lines = [t("report.passed_some", passed=sum(ok for _, ok, _ in task.checks), count=len(task.checks))]
    lines += [f"- {message}" for message in task.messages[:4]]
    lines += [t("report.hint", hint=hint) for hint in task.hints]
    return "\n".join(lines)


def sandbox_lines(report):
    """How the student code was isolated (loud when it was not): one line, none for a submission that never ran."""
    if not report.sandbox:
        return []
    return [t("report.sandbox_unsafe" if report.sandbox == "unsafe-same-user" else "report.sandbox",
              backend=report.sandbox)]


def to_dict(report):
    return {
        "student": report.student, "source": report.source, "seed": report.seed, "sandbox": report.sandbox,
        "points": report.points, "max_points": report.max_points,
        "assignments": {key: {"points": got, "max_points": top} for key, (got, top) in report.by_assignment().items()},
        "tasks": [{"id": t.task_id, "function": t.function, "title": t.title, "points": t.points,
                   "max_points": t.max_points, "passed": t.passed, "max_error": t.max_error,
                   "checks": [{"name": n, "passed": ok, "detail": d} for n, ok, d in t.checks],
                   "hints": t.hints, "mistakes": [m.id for m in t.mistakes]} for t in report.tasks],
    }


def text(report):
    """A per-task table for one submission."""
    lines = [t("report.header", student=report.student, points=_fmt(report.points),
               max_points=_fmt(report.max_points), seed=report.seed)]
    lines += ["  " + line for line in sandbox_lines(report)] + ["  " + t("report.columns")]
    for task in report.tasks:
        result = t("report.ok") if task.passed else (task.messages[0][:70] if task.messages else t("report.failed"))
        lines.append(f"  {task.task_id:<6}{task.function:<30}{_fmt(task.points):>6} / {_fmt(task.max_points):<4}"
                     f"  {task.max_error:>9.1e}  {result}")
        for hint in task.hints if not task.passed else []:
            lines.append(f"  {'':<6}" + t("report.hint", hint=hint))
    return "\n".join(lines)


def score_table(reports):
    """One row per submission, one column per assignment: the class overview."""
    assignment_ids = sorted({key for report in reports for key in report.by_assignment()})
    width = max([_display_width(t("report.submission"))] + [_display_width(r.student) for r in reports]) + 2
    header = _pad(t("report.submission"), width) + "".join(f"{a:>13}" for a in assignment_ids) + \
        _pad(t("report.total"), 15, right=True)
    lines = [header, "-" * _display_width(header)]
    for report in reports:
        totals = report.by_assignment()
        cells = "".join(f"{_fmt(totals[a][0]) + '/' + _fmt(totals[a][1]):>13}" for a in assignment_ids)
        lines.append(f"{_pad(report.student, width)}{cells}{_fmt(report.points) + '/' + _fmt(report.max_points):>15}")
    return "\n".join(lines)


def gradescope(report, execution_time=None):
    """Gradescope's results.json as a dict."""
    result = {
        "score": report.points,
        "output": "\n".join([t("report.gradescope_output", seed=report.seed), *sandbox_lines(report)]),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [{"name": f"Task {t.task_id}: {t.title} ({t.function})", "number": t.task_id,
                   "score": t.points, "max_score": t.max_points, "status": "passed" if t.passed else "failed",
                   "output": task_feedback(t), "visibility": "visible"} for t in report.tasks],
    }
    if execution_time is not None:
        result["execution_time"] = round(execution_time, 2)
    return result


def csv_rows(reports):
    """A gradebook: one row per student, one column per task, totals per assignment."""
    task_ids = [t.task_id for t in reports[0].tasks] if reports else []
    assignment_ids = sorted({key for report in reports for key in report.by_assignment()})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student", "seed", *[f"task {i}" for i in task_ids], *assignment_ids, "total", "max"])
    for report in reports:
        points = {t.task_id: t.points for t in report.tasks}
        totals = report.by_assignment()
        writer.writerow([report.student, report.seed, *[_fmt(points[i]) for i in task_ids],
                         *[_fmt(totals[a][0]) for a in assignment_ids], _fmt(report.points),
                         _fmt(report.max_points)])
    return out.getvalue()


def markdown(report):
    """A feedback file for one student."""
    lines = ["# " + t("report.feedback_title", student=report.student), "",
             t("report.feedback_points", points=_fmt(report.points), max_points=_fmt(report.max_points),
               seed=report.seed), ""]
    lines += [line + "\n" for line in sandbox_lines(report)] + [t("report.table_header"), "|---|---|---|---|"]
    for task in report.tasks:
        result = t("report.result_passed") if task.passed else t("report.result_see_below")
        lines.append(f"| {task.task_id} | `{task.function}` | {_fmt(task.points)} / {_fmt(task.max_points)} | {result} |")
    failing = [task for task in report.tasks if not task.passed]
    if failing:
        lines += ["", "## " + t("report.what_to_look_at"), ""]
        for task in failing:
            lines += [f"### Task {task.task_id}: {task.title} (`{task.function}`)", "", task_feedback(task), ""]
    return "\n".join(lines) + "\n"


def to_json(reports):
    return json.dumps([to_dict(report) for report in reports], indent=2)


def classroom(report):
    """The result of one runner as classroom-resources' grading reporter reads it (before base64).

    ``{"version": 1, "status": "pass"|"fail", "max_score", "tests": [{"name", "status", "score", "message",
    "test_code", "filename", "line_no", "duration"}]}``; the reporter sums ``tests[].score``.
    """
    return {
        "version": 1,
        "status": "pass" if all(task.passed for task in report.tasks) else "fail",
        "max_score": report.max_points,
        "tests": [{"name": f"Task {t.task_id}: {t.function}", "status": "pass" if t.passed else "fail",
                   "score": t.points, "message": task_feedback(t), "test_code": f"course grade (task {t.task_id})",
                   "filename": "", "line_no": 0, "duration": 0} for t in report.tasks],
    }


def summary_markdown(report):
    """The job-summary table of a GitHub Actions run."""
    lines = ["### " + t("report.summary_title", points=_fmt(report.points), max_points=_fmt(report.max_points)), ""]
    lines += [line + "\n" for line in sandbox_lines(report)] + [t("report.table_header"), "|---|---|---|---|"]
    for task in report.tasks:
        result = t("report.result_passed") if task.passed else \
            (task.messages[0] if task.messages else t("report.failed")).replace("|", "\\|")
        lines.append(f"| {task.task_id} | `{task.function}` | {_fmt(task.points)} / {_fmt(task.max_points)} | "
                     f"{result[:120]} |")
    return "\n".join(lines) + "\n"
