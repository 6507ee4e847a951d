"""The totals of every sample submission on every delivery path, side by side.

    python benchmarks/delivery_paths.py [--seed 2026] [--only local,gradescope,actions,classroom,nbgrader]

writes the sample submissions (``course samples``: complete, empty, partial, mistake_*) and grades each on

- local:      ``course grade`` (grade_many, one seed for the batch);
- Gradescope: the autograder zip's ``run_autograder`` in a simulated /autograder (AUTOGRADER_ROOT);
- actions:    the student repository's workflow (.github/workflows/classroom.yml: Install, Hidden checks,
              Points) run locally in a copy of the release; FEEDBACK ONLY, its notice total is shown (and the
              reporter's console total in brackets where it differs);
- classroom:  class grading on Actions (``course classroom-grader``), its matrix simulated: per assignment
              two shards of ``course grade --seed SEED --sandbox bubblewrap``, merged into the CSV gradebook;
- nbgrader:   ``course nbgrader``, ``nbgrader autograde`` and ``course nbgrader-grade --seed SEED``, read from
              gradebook.db,

and prints a Markdown table (one row per sample, the max, and each path's wall time on the last line).

Why the totals may legitimately differ from the local grade:

- Gradescope's run_autograder takes no seed: each submission is graded on fresh random inputs (the seed is
  printed in its output and below the table). A correct task earns its points on any seed; a buggy one may
  lose a different amount on other inputs.
- The Actions feedback runs the hidden cases precomputed at release (fixed inputs, no seed), and the
  student's runner holds no reference: a task that calls a buggy task (``uses`` in course.yml) fails with
  it, where the graders of record answer its calls with the reference (a bug costs its own task there).
  The same holds for a task whose inputs or gradient-check loss come from another task's outputs
  (``OutputOf`` in autograder/runtime/cases_*.py, e.g. Task 3.9's gates from Tasks 3.1-3.4, Task 4.5's
  gradient check through Task 4.4): on the runner these are the student's own, buggy outputs.
  Its tests are pass/fail per task, so partial credit differs as well.
- The class-grading CSV writes fractional points with two decimals (reports._fmt): 95.13 for 95.129.
- Written questions are graded by hand on every path and are in no total here (nbgrader scores their
  unanswered cells 0; the CSV shows them as pending).

Seeded paths (local, classroom, nbgrader) grade the same package on the same seed and should agree exactly.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from autograder.authoring.samples import write_samples  # noqa: E402
from autograder.runtime.manifest import load_manifest  # noqa: E402
from delivery_paths_runs import PATHS  # noqa: E402

HEADERS = {"local": "local", "gradescope": "Gradescope", "actions": "Actions feedback (notice)",
           "classroom": "class grading (CSV)", "nbgrader": "nbgrader"}


def fmt(value):
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def cell(value):
    """A path's total: the Actions feedback's (console, notice) shows the notice, and the console if it differs."""
    if isinstance(value, tuple):
        console, notice = value
        return fmt(round(notice, 4)) + ("" if abs(console - notice) < 1e-9 else f" [console {fmt(round(console, 4))}]")
    return fmt(round(value, 4))


def table(names, paths, totals, times, max_points):
    lines = ["| sample | " + " | ".join(HEADERS[p] for p in paths) + " | max |",
             "|---|" + "---|" * (len(paths) + 1)]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(cell(totals[p][name]) for p in paths) + f" | {fmt(max_points)} |")
    lines.append("")
    lines.append("wall time: " + ", ".join(f"{p} {times[p]:.0f} s" for p in paths))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026, help="the one seed of the paths that take one")
    parser.add_argument("--only", default=",".join(PATHS), help=f"comma-separated subset of {','.join(PATHS)}")
    parser.add_argument("--keep", type=Path, help="work in this (new) folder and keep it, instead of a temporary one")
    args = parser.parse_args(argv)
    paths = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in paths if p not in PATHS]
    if unknown:
        parser.error(f"unknown path(s) {', '.join(unknown)}; choose from {', '.join(PATHS)}")
    max_points = sum(task.points for task in load_manifest().tasks)
    with tempfile.TemporaryDirectory(prefix="delivery-paths-") as tmp:
        work = args.keep or Path(tmp)
        samples = {path.name: path for path in write_samples(work / "samples")}
        totals, times, notes = {}, {}, []
        for path in paths:
            (work / path).mkdir(parents=True)
            start = time.perf_counter()
            totals[path], path_notes = PATHS[path](samples, args.seed, work / path)
            times[path] = time.perf_counter() - start
            notes += path_notes
            print(f"{path}: done in {times[path]:.0f} s", file=sys.stderr, flush=True)
    print(f"Seed {args.seed} (local, class grading, nbgrader); max {fmt(max_points)} points.\n")
    print(table(list(samples), paths, totals, times, max_points))
    for note in notes:
        print(f"- {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
