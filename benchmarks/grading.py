"""Benchmark: grading time of one submission and of a class, as ratios to baselines measured in the same run.

Baselines: ``nbgrader autograde`` of one student's notebook of the same
assignment (kernel start and the notebook's graded cells, which call the same
checks), and starting a plain Python process that imports numpy (what any
per-submission sandbox pays at least). The sandbox's start is reported on its own
(one child running one request: the isolation backend, the interpreter, numpy, the
cases). A submission starts one child, more when a child crashes or hangs or a task
is graded again with its upstream tasks answered. Every figure is the median of
``--repeats`` runs, printed in seconds and as a ratio, since machines here are noisy.

    python benchmarks/grading.py [--class-size 200] [--repeats 3] [--jobs 2] [--assignment a4]
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import shutil  # noqa: E402
import tempfile  # noqa: E402

from autograder.authoring import notebooks  # noqa: E402
from autograder.grading.grade import build_requests, grade_many, grade_submission  # noqa: E402
from autograder.grading.sandbox import run_requests  # noqa: E402
from autograder.runtime.manifest import load_manifest  # noqa: E402
from autograder.authoring.samples import write_samples  # noqa: E402


def median_seconds(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--class-size", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--assignment", default="a4", help="assignment of the nbgrader comparison")
    args = parser.parse_args()
    package = load_manifest().assignment(args.assignment).package

    with tempfile.TemporaryDirectory(prefix="rnn-bench-") as tmp:
        course = Path(tmp) / "course"
        notebooks.build_course(course, names=[args.assignment])
        student = course / "submitted" / "bench" / package
        shutil.copytree(course / "release" / package, student)
        shutil.rmtree(student / "assignments")
        shutil.copytree(ROOT / "solutions", student / "assignments", ignore=shutil.ignore_patterns("__pycache__"))
        autograde = median_seconds(lambda: notebooks.nbgrader(["autograde", package, "--force"], course),
                                   args.repeats)
        samples = write_samples(Path(tmp) / "samples")  # what `course samples` writes
        complete = Path(tmp) / "samples" / "complete"
        ours = median_seconds(lambda: grade_submission(complete, assignment_ids=[args.assignment], seed=1),
                              args.repeats)

        baseline = median_seconds(lambda: subprocess.run([sys.executable, "-c", "import numpy"], check=True),
                                  max(5, args.repeats))
        first = build_requests(load_manifest().tasks[:1], 1)[0][:1]
        start = median_seconds(lambda: run_requests(complete, first), max(5, args.repeats))
        one = median_seconds(lambda: grade_submission(complete, seed=1), args.repeats)
        classroom = [samples[i % len(samples)] for i in range(args.class_size)]
        whole = median_seconds(lambda: grade_many(classroom, seed=1, jobs=args.jobs), args.repeats)

    print(f"nbgrader autograde, one student, {package:<18} {autograde:8.3f} s   1.0x")
    print(f"course grade, one student, {package:<24} {ours:8.3f} s   {ours / autograde:.2f}x nbgrader autograde")
    print(f"baseline: python process start + import numpy      {baseline:8.3f} s   1.0x")
    print(f"sandbox start: one child, one request               {start:8.3f} s   {start / baseline:.1f}x baseline")
    tasks = f"{len(load_manifest().tasks)} tasks"
    print(f"grade one full submission ({tasks}, 3 shapes each)  {one:8.3f} s   {one / baseline:.1f}x baseline")
    print(f"grade a class of {args.class_size} mixed samples, {args.jobs} jobs       {whole:8.3f} s   "
          f"{whole / baseline:.1f}x baseline, {whole / args.class_size:.3f} s per submission, "
          f"{whole / (args.class_size * one):.2f}x of {args.class_size} sequential single gradings")
    per = whole * args.jobs / args.class_size
    print(f"cost per submission in the class (wall x {args.jobs} jobs / class) {per:8.3f} s   {per / baseline:.1f}x baseline")


if __name__ == "__main__":
    main()
