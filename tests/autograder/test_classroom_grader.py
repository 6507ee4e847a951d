"""course classroom-grader: the class-grading workflow, and its matrix simulated locally."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from autograder.authoring import classroom_grader
from autograder.authoring.cli import main
from autograder.runtime.manifest import load_manifest

SAMPLES = ("complete", "partial", "mistake_bptt_no_future_gradient", "empty")


def test_the_workflow_is_valid_sharded_and_holds_no_secret_value(tmp_path):
    path = classroom_grader.write_workflow(tmp_path, load_manifest(), "a2", shards=3, org="rnn-2026")
    text = path.read_text()
    spec = yaml.safe_load(text)
    assert spec["jobs"]["grade"]["strategy"]["matrix"]["shard"] == [0, 1, 2]
    assert "--count 3" in text and "--assignment a2" in text and "--org rnn-2026 --prefix a2-" in text
    uses = {step["uses"] for job in spec["jobs"].values() for step in job["steps"] if "uses" in step}
    assert uses == {"actions/checkout@v7", "actions/setup-python@v7", "actions/upload-artifact@v7",
                    "actions/download-artifact@v8"}
    assert all(step["with"]["persist-credentials"] is False for job in spec["jobs"].values()
               for step in job["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert "${{ secrets.CLASSROOM_TOKEN }}" in text and "{{" not in text.replace("${{", "")
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows", str(path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_placeholder_organisation_is_refused_unless_asked(tmp_path):
    with pytest.raises(classroom_grader.ClassroomGraderError, match="placeholder"):
        classroom_grader.write_workflow(tmp_path, load_manifest(), "a1", org="your-org")
    assert classroom_grader.write_workflow(tmp_path, load_manifest(), "a1", org="your-org",
                                           allow_placeholder=True).is_file()
    with pytest.raises(classroom_grader.ClassroomGraderError, match="either --roster"):
        classroom_grader.write_workflow(tmp_path, load_manifest(), "a1")


def test_roster_lines_are_checked_and_shards_cover_the_class_once(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("# class of 2026\nrnn-2026/a1-bob\nrnn-2026/a1-alice  # late\n\nrnn-2026/a1-carol\n")
    repos = classroom_grader.read_roster(roster)
    assert repos == ["rnn-2026/a1-alice", "rnn-2026/a1-bob", "rnn-2026/a1-carol"]
    shards = [classroom_grader.shard(repos, k, 2) for k in range(2)]
    assert sorted(sum(shards, [])) == repos and not set(shards[0]) & set(shards[1])
    roster.write_text("rnn-2026/a1-bob; rm -rf /\n")
    with pytest.raises(classroom_grader.ClassroomGraderError, match="not a repository"):
        classroom_grader.read_roster(roster)


def test_the_matrix_merged_equals_one_local_grade_with_the_same_seed(tmp_path, sample_submissions, capsys):
    """Simulate the matrix: 2 shards graded separately, merged == one `course grade --format csv` of all."""
    class_dir = tmp_path / "submissions"
    for sample in SAMPLES:  # cloned repositories are named after the repository (the student)
        shutil.copytree(sample_submissions / sample, class_dir / f"a1-{sample}")
    repos = sorted(f"rnn-2026/a1-{sample}" for sample in SAMPLES)
    shard_reports = []
    for index in range(2):
        names = [repo.split("/")[1] for repo in classroom_grader.shard(repos, index, 2)]
        out = tmp_path / f"shard-{index}.json"
        assert main(["grade", *[str(class_dir / name) for name in names], "--assignment", "a1", "--seed", "11",
                     "--format", "json", "--out", str(out)]) == 0
        shard_reports.append(out)
    merged = tmp_path / "gradebook.csv"  # the merge job's step
    assert classroom_grader.main(["merge", *map(str, shard_reports), "--out", str(merged)]) == 0
    whole = tmp_path / "whole.csv"
    assert main(["grade", *[str(path) for path in sorted(class_dir.iterdir())], "--assignment", "a1",
                 "--seed", "11", "--format", "csv", "--out", str(whole)]) == 0
    assert merged.read_bytes() == whole.read_bytes()
    assert len(merged.read_text().strip().splitlines()) == 1 + len(SAMPLES)
    capsys.readouterr()
