"""Points of the hidden checks (feedback only): console table, "Points X/Y" notice, job-summary table.

Reads the JUnit XML of ``pytest .github/feedback`` (one test per task, ``test_task[<id>-<points>pts]``)
and writes, for the tasks this repository grades:

- ``--results FILE``: one runner per task in the format of classroom-resources' reporter v1
  (``{"version": 1, "status", "max_score", "tests": [one test]}``), so that the reporter's console
  score (passed tests / tests x max_score) and its notice (sum of the tests' scores) are the same
  number: a runner holds one test, worth all of its points or none;
- on stdout: a table and the same ``::notice title=Autograding complete::Points X/Y`` as the reporter;
- ``--summary FILE`` (``$GITHUB_STEP_SUMMARY``): a Markdown table with the same total; every
  message is one short line with Markdown escaped, so that it cannot break the table.

Exit status 1 when a task did not pass (the job stays red until every task passes). Standard library only.

Usage: python .github/feedback/report.py JUNIT_XML --tasks 1.1,1.2 [--results FILE] [--summary FILE]
"""

import argparse
import json
import re
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

MESSAGE_CHARS = 300
NAME = re.compile(r"^test_task\[(?P<task>\d+\.\d+)-(?P<points>\d+(?:\.\d+)?)pts\]$")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def short_message(text, limit=MESSAGE_CHARS):
    """One line of at most ``limit`` characters: the first line, the first problem, then every hint.

    (A failing hidden test says ``Task X.Y ...:``, then ``- problem`` lines, then ``hint: ...`` lines.)
    """
    lines = [line.strip().removeprefix("- ").strip() for line in str(text).splitlines()]
    lines = [line for line in lines if line and not line.startswith("Traceback")]
    if lines and lines[0].startswith("Failed: "):
        lines[0] = lines[0].removeprefix("Failed: ")
    hints = [line for line in lines[1:] if line.startswith("hint")]
    problems = [line for line in lines[1:] if not line.startswith("hint")]
    kept = lines[:1] + problems[:1] + ([f"(+{len(problems) - 1} more)"] if len(problems) > 1 else []) + hints
    joined = " / ".join(kept)
    return joined if len(joined) <= limit else joined[: limit - 1].rstrip() + "…"


def escape_markdown(text):
    """``text`` safe inside one cell of a Markdown table (no line break, every special character escaped)."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def read_junit(path):
    """{task id: (points, passed, message)} from a JUnit XML file; {} when the file is missing or unreadable."""
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError):
        return {}
    found = {}
    for case in root.iter("testcase"):
        match = NAME.match(case.get("name", ""))
        if not match:
            continue
        problem = next((child for child in case if child.tag in ("failure", "error", "skipped")), None)
        message = "" if problem is None else (problem.get("message") or problem.text or problem.tag)
        if message.endswith("full report in element text]") and problem.text:  # pytest shortens long messages
            message = problem.text
        found[match["task"]] = (float(match["points"]), problem is None, short_message(message))
    return found


def runner_results(task_ids, points, junit):
    """{runner id: reporter-v1 result} for the graded tasks, in order; a task absent from ``junit`` is an error."""
    results = {}
    for task_id in task_ids:
        max_score = int(points[task_id]) if points[task_id] == int(points[task_id]) else points[task_id]
        if task_id in junit:
            _, passed, message = junit[task_id]
            status = "pass" if passed else "fail"
        else:
            status, message = "error", "not run: the hidden checks stopped before this task (time limit or crash)"
        score = max_score if status == "pass" else 0
        results["task_" + task_id.replace(".", "_")] = {
            "version": 1, "status": status, "max_score": max_score,
            "tests": [{"name": f"Task {task_id}", "status": status, "score": score, "message": message,
                       "test_code": "", "filename": "", "line_no": 0, "duration": 0}]}
    return results


def _number(value):
    return f"{value:g}"


def totals(results):
    """(points, max points) as the notice of reporter v1 sums them."""
    return (sum(test["score"] for result in results.values() for test in result["tests"]),
            sum(result["max_score"] for result in results.values()))


def summary_markdown(results):
    points, max_points = totals(results)
    rows = ["## Hidden checks (feedback only; your grade comes from the course's own grading)", "",
            "| Task | Result | Points | Message |", "|---|---|---|---|"]
    for result in results.values():
        test = result["tests"][0]
        mark = {"pass": "passed", "fail": "failed", "error": "not run"}[test["status"]]
        rows.append(f"| {escape_markdown(test['name'])} | {mark} | {_number(test['score'])}/"
                    f"{_number(result['max_score'])} | {escape_markdown(test['message'])} |")
    rows.append(f"| **Total** | | **{_number(points)}/{_number(max_points)}** | |")
    return "\n".join(rows) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("junit", type=Path)
    parser.add_argument("--tasks", required=True, help="the graded task ids, comma-separated")
    parser.add_argument("--points", required=True, help="their points, comma-separated, in the same order")
    parser.add_argument("--results", type=Path)
    parser.add_argument("--summary", type=Path)
    args = parser.parse_args(argv)
    task_ids = args.tasks.split(",")
    points = dict(zip(task_ids, (float(p) for p in args.points.split(","))))
    if len(points) != len(task_ids):
        parser.error("--tasks and --points differ in length")
    results = runner_results(task_ids, points, read_junit(args.junit))
    if args.results:
        args.results.write_text(json.dumps(results, indent=1), encoding="utf-8")
    for result in results.values():
        test = result["tests"][0]
        line = f"{test['name']:>10}  {test['status']:5}  {_number(test['score'])}/{_number(result['max_score'])}"
        print(line + (f"  {test['message']}" if test["status"] != "pass" else ""))
    total, max_points = totals(results)
    print(f"::notice title=Autograding complete::Points {_number(total)}/{_number(max_points)}")
    print("::notice title=Autograding report::" + json.dumps({"totalPoints": total, "maxPoints": max_points}))
    if args.summary:
        with open(args.summary, "a", encoding="utf-8") as summary:
            summary.write(summary_markdown(results))
    return 0 if all(result["status"] == "pass" for result in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
