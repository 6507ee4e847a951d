"""Benchmark: where do the points of a single-bug submission go? (issue 12, "a bug costs the task that holds it")

Each submission of ``single_bugs_data.BUGS`` is the reference with one realistic bug
(none a copy of a catalogued mistake). All of them are graded in one ``grade_many``
batch (the same code path as ``course grade``: sandbox, every assignment) on a fixed
seed. Printed per submission: the task holding the bug, the points lost there, the
points lost in other tasks (and which), and whether a catalogued mistake's hint was
shown on the bug's task; then the totals (target: everything lost in the bug's task).

    python benchmarks/single_bugs.py [--seed 12] [--jobs 2]
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT.parent), str(ROOT)]

from autograder.grading import mistakes  # noqa: E402
from autograder.grading.grade import grade_many  # noqa: E402
from autograder.runtime.manifest import load_manifest  # noqa: E402
from single_bugs_data import BUGS  # noqa: E402


def check_bugs(bugs=BUGS, catalogue=mistakes.CATALOGUE):
    """Problems of the bug list: an edit that does not apply exactly once, a copy of a catalogued mistake, a twin id."""
    problems = []
    edits = {(m.file, m.old, m.new) for m in catalogue}
    for bug in bugs:
        try:
            mistakes.apply(bug)
        except ValueError as error:
            problems.append(str(error))
        if (bug.file, bug.old, bug.new) in edits:
            problems.append(f"{bug.id} is a catalogued mistake")
    if len({bug.id for bug in bugs}) != len(bugs):
        problems.append("two bugs share an id")
    return problems


def losses(bug, report):
    """(points lost in the bug's task, {other task id: points lost}, mistake ids diagnosed on the bug's task)."""
    own = next(task for task in report.tasks if task.task_id == bug.task_id)
    others = {task.task_id: round(task.max_points - task.points, 2) for task in report.tasks
              if task.task_id != bug.task_id and task.points < task.max_points}
    return round(own.max_points - own.points, 2), others, [m.id for m in own.mistakes]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    problems = check_bugs()
    if problems:
        raise SystemExit("bad bug list: " + "; ".join(problems))
    manifest = load_manifest()
    with tempfile.TemporaryDirectory(prefix="rnn-single-bugs-") as tmp:
        paths = [mistakes.write_mutant_tree(bug, Path(tmp) / bug.id / "assignments").parent for bug in BUGS]
        reports = grade_many(paths, manifest, seed=args.seed, jobs=args.jobs)
    print(f"{len(BUGS)} single-bug submissions, seed {args.seed}, every assignment graded")
    print(f"{'bug':42} {'task':>5} {'lost in task':>12} {'lost elsewhere':>14}  other tasks / hint")
    own_total = other_total = 0.0
    missed, hinted = [], 0
    for bug, report in zip(BUGS, reports):
        own, others, diagnosed = losses(bug, report)
        own_total += own
        other_total += sum(others.values())
        missed += [bug.id] if own == 0 else []
        hinted += bool(diagnosed)
        where = ", ".join(f"{task_id}:-{lost:g}" for task_id, lost in others.items()) or "-"
        print(f"{bug.id:42} {bug.task_id:>5} {own:>12g} {sum(others.values()):>14g}  {where}"
              f"{'  [hint: ' + ', '.join(diagnosed) + ']' if diagnosed else ''}")
    total = own_total + other_total
    print(f"total lost: {total:g} points; in the bug's task {own_total:g} ({100 * own_total / max(total, 1e-9):.0f}%), "
          f"in other tasks {other_total:g} ({100 * other_total / max(total, 1e-9):.0f}%)")
    print(f"bugs whose task lost nothing: {len(missed)} {missed if missed else ''}")
    print(f"bug tasks showing a catalogued mistake's hint: {hinted} (these bugs are not in the catalogue)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
