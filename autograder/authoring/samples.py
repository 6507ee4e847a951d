"""``course samples``: (re)write the bundled sample submissions in ``examples/submissions/``.

Each sample is a student repository reduced to its ``assignments/`` package:

- ``complete``: the reference solutions (full marks);
- ``empty``: the stubs as released (zero, every task "not implemented");
- ``partial``: A1 and A2 done, A3 and A4 still stubs;
- ``mistake_<id>``: the reference with one catalogued mistake (see ``mistakes.py``).

They are generated, committed, and checked for drift by the tests; ``make demo``
grades them.
"""

import shutil
from pathlib import Path

from ..grading import mistakes
from ..runtime.manifest import REPO_ROOT, load_manifest

SAMPLES_DIR = REPO_ROOT / "examples" / "submissions"
STUBS_DIR = REPO_ROOT / "assignments"
SAMPLE_MISTAKES = ("bptt_no_future_gradient", "bptt_gradient_overwritten", "lstm_gate_order_cs231n",
                   "lstm_dc_prev_without_forget", "gru_z_reversed", "gru_reset_before_matmul", "clip_per_array")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.md")


def copy_as_submission(source, destination):
    shutil.copytree(source, destination / "assignments", ignore=IGNORE)


def write_samples(directory=SAMPLES_DIR, manifest=None):
    manifest = manifest or load_manifest()
    directory = Path(directory)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    copy_as_submission(mistakes.SOLUTIONS_DIR, directory / "complete")
    copy_as_submission(STUBS_DIR, directory / "empty")
    partial = directory / "partial"
    copy_as_submission(STUBS_DIR, partial)
    for assignment in manifest.assignments[:2]:
        shutil.rmtree(partial / "assignments" / assignment.package)
        shutil.copytree(mistakes.SOLUTIONS_DIR / assignment.package, partial / "assignments" / assignment.package,
                        ignore=IGNORE)
    by_id = {mistake.id: mistake for mistake in mistakes.CATALOGUE}
    for mistake_id in SAMPLE_MISTAKES:
        target = directory / f"mistake_{mistake_id}"
        copy_as_submission(mistakes.SOLUTIONS_DIR, target)
        (target / "assignments" / by_id[mistake_id].file).write_text(mistakes.apply(by_id[mistake_id]),
                                                                     encoding="utf-8")
    return sorted(path for path in directory.iterdir() if path.is_dir())
