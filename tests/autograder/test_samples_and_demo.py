"""The bundled sample submissions are current, and ``course demo`` grades them as expected."""

import filecmp

from autograder.authoring.demo import run_demo
from autograder.authoring.samples import SAMPLES_DIR, write_samples
from autograder.runtime.manifest import load_manifest


def _tree_diff(left, right):
    diffs, stack = [], [filecmp.dircmp(left, right, ignore=["__pycache__"])]
    while stack:
        node = stack.pop()
        diffs += node.left_only + node.right_only + node.diff_files
        stack += list(node.subdirs.values())
    return diffs


def test_committed_samples_match_a_fresh_generation(tmp_path):
    write_samples(tmp_path / "submissions")
    assert not _tree_diff(tmp_path / "submissions", SAMPLES_DIR), "run `course samples` and commit"


def test_demo_scores_the_samples_as_designed():
    lines = []
    results = {report.student: report for report in run_demo(out=lines.append, seed=99)}
    assert results["complete"].points == results["complete"].max_points
    assert results["empty"].points == 0
    partial = results["partial"].by_assignment()
    assert partial["a1"][0] == partial["a1"][1] and partial["a2"][0] == partial["a2"][1]
    assert partial["a3"][0] == 0 and partial["a4"][0] == 0
    for name, report in results.items():
        if name.startswith("mistake_"):
            assert 0 < report.points < report.max_points, name
    text = "\n".join(lines)
    total = sum(task.points for task in load_manifest().tasks)
    assert "submission" in text and "total" in text and f"{total:g}/{total:g}" in text
