"""``course samples --out DIR``: write sample submissions, generated on demand (never committed).

Each sample is a student repository reduced to its ``assignments/`` package:

- ``complete``: the reference solutions (full marks);
- ``empty``: the stubs as released (zero, every task "not implemented");
- ``partial``: A1 and A2 done, the other assignments still stubs;
- ``mistake_<id>``: the reference with one catalogued mistake applied (see ``grading/mistakes.py``),
  for each mistake of ``SAMPLE_MISTAKES``.

``course demo`` and the tests generate them into a temporary directory and grade them.
"""

import shutil
from pathlib import Path

from ..grading import mistakes
from ..runtime.manifest import REPO_ROOT, load_manifest

STUBS_DIR = REPO_ROOT / "assignments"
SAMPLE_MISTAKES = ("bptt_no_future_gradient", "bptt_gradient_overwritten", "lstm_gate_order_cs231n",
                   "lstm_dc_prev_without_forget", "gru_z_reversed", "gru_reset_before_matmul", "clip_per_array")
PARTIAL_DONE = 2  # the partial sample has this many assignments done
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.md")


class SamplesError(RuntimeError):
    """The sample submissions cannot be written where asked."""


def copy_as_submission(source, destination):
    """Copy a package (solutions/ or assignments/) to ``destination/assignments`` without Markdown or caches."""
    shutil.copytree(source, destination / "assignments", ignore=IGNORE)


def sample_names():
    """The names of the samples, in the order they are written."""
    return ["complete", "empty", "partial"] + [f"mistake_{mistake_id}" for mistake_id in SAMPLE_MISTAKES]


def write_samples(directory, manifest=None):
    """Write every sample submission into ``directory`` (new or empty); return their paths, sorted.

    Inputs: ``directory``: where ``<sample>/assignments/`` trees are written; ``manifest``: the course
    (its first ``PARTIAL_DONE`` assignments are done in the partial sample).
    """
    manifest = manifest or load_manifest()
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise SamplesError(f"{directory} exists and is not an empty directory; give a new or empty one")
    directory.mkdir(parents=True, exist_ok=True)
    copy_as_submission(mistakes.SOLUTIONS_DIR, directory / "complete")
    copy_as_submission(STUBS_DIR, directory / "empty")
    partial = directory / "partial"
    copy_as_submission(STUBS_DIR, partial)
    for assignment in manifest.assignments[:PARTIAL_DONE]:
        shutil.rmtree(partial / "assignments" / assignment.package)
        shutil.copytree(mistakes.SOLUTIONS_DIR / assignment.package, partial / "assignments" / assignment.package,
                        ignore=IGNORE)
    by_id = {mistake.id: mistake for mistake in mistakes.CATALOGUE}
    for mistake_id in SAMPLE_MISTAKES:
        mistakes.write_mutant_tree(by_id[mistake_id], directory / f"mistake_{mistake_id}" / "assignments")
    return sorted(directory / name for name in sample_names())
