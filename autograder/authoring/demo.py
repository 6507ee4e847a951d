"""``course demo``: the course's main job on generated sample submissions.

1. Build the student release into a temporary directory (stubs, handouts, public
   tests; the leak scan runs as the last build step).
2. Generate the sample submissions of ``course samples`` into that directory, grade
   every one on fresh random inputs, in the sandbox, and print the class score
   table with, for each submission that lost points, the first task that failed and
   its hint. The temporary directory is removed at the end.
"""

import sys
import tempfile
from pathlib import Path

from ..grading import reports
from ..grading.grade import grade_many
from ..runtime.manifest import load_manifest
from .release import build_student_repo
from .samples import write_samples


def run_demo(out=print, seed=None, jobs=2, manifest=None):
    """Build the release and grade the samples (``manifest``: default the repository's course.yml); returns the
    SubmissionReports, one per sample."""
    manifest = manifest or load_manifest()
    with tempfile.TemporaryDirectory(prefix="rnn-demo-") as tmp:
        build = build_student_repo(Path(tmp) / "student", manifest)
        out(f"1. built the student release: {len(build.written)} files, steps {', '.join(build.done)}")
        samples = write_samples(Path(tmp) / "samples", manifest)
        out(f"2. grading {len(samples)} sample submissions written by `course samples` "
            f"({len(manifest.tasks)} tasks, sandboxed, fresh inputs)")

        def progress(done, total, report):
            print(f"   [{done}/{total}] {report.student}", file=sys.stderr, flush=True)

        results = grade_many(samples, manifest, seed=seed, jobs=jobs, progress=progress)
    out("")
    out(reports.score_table(results))
    out("")
    for report in results:
        failing = [task for task in report.tasks if not task.passed]
        if failing and report.points > 0:
            first = failing[0]
            hint = reports.task_hints(first)[0]
            out(f"{report.student}: Task {first.task_id} ({first.function}) lost points; hint: {hint}")
    out(f"\nseed of this run: {results[0].seed if results else '-'} (inputs are fresh on every run)")
    return results
